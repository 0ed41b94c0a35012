//! `SHA256SUMS` parsing: never panics, and whatever it accepts names plain files
//! with 64-hex-digit lowercase digests.
#![no_main]

use bitnet_install::verify::Checksums;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(sums) = Checksums::parse(text) else {
        return;
    };
    for name in sums.names() {
        assert!(!name.is_empty() && !name.contains(['/', '\\']), "{name:?}");
        let digest = sums.digest_of(&name).expect("listed name has a digest");
        assert_eq!(digest.len(), 64);
        assert!(digest
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }
});
