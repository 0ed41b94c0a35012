//! Asset-name matching, our format and `--repo` names: never panics, and what is
//! chosen is one of the names offered, never a checksum or signature file, and
//! always in a format extraction opens.
#![no_main]

use bitnet_install::archive::Format;
use bitnet_install::platform::{Platform, Preferences};
use bitnet_install::select::{select_asset, select_foreign_asset};
use libfuzzer_sys::fuzz_target;

fn linux_avx2() -> Platform {
    Platform {
        os: "linux".into(),
        arch: "x86_64".into(),
        target: "x86_64-unknown-linux-gnu".into(),
        targets: vec![
            "x86_64-unknown-linux-gnu".into(),
            "x86_64-unknown-linux-musl".into(),
        ],
        libc: Some("gnu".into()),
        libc_version: Some("2.36".into()),
        cpu_features: vec!["sse3".into(), "avx".into(), "avx2".into(), "fma".into()],
        cpu_level: Some("x86-64-v3".into()),
        gpu_driver: Some("550.54.14".into()),
        cuda: Some("12.4".into()),
        emulation: None,
        wsl: false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let names: Vec<String> = text.lines().take(64).map(str::to_string).collect();
    let platform = linux_avx2();
    let prefs = Preferences::default();
    if let Ok(selection) = select_asset("bitnet", "0.3.2", &names, &platform, &prefs) {
        let chosen = &selection.asset;
        assert!(names.contains(chosen), "{chosen:?} was not offered");
        assert!(chosen.starts_with("bitnet-0.3.2-"), "{chosen:?}");
        assert!(Format::from_name(chosen).is_some(), "{chosen:?}");
    }
    if let Ok(selection) = select_foreign_asset(&names, &platform, &prefs) {
        let chosen = selection.asset.to_ascii_lowercase();
        assert!(names.contains(&selection.asset));
        assert!(Format::from_name(&chosen).is_some(), "{chosen:?}");
        for refused in [".sha256", ".minisig", ".sig", ".asc", ".deb", ".rpm"] {
            assert!(!chosen.ends_with(refused), "{chosen:?}");
        }
    }
});
