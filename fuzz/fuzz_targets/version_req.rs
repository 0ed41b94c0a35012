//! `--version` requirements: parsing and matching never panic, and an exact
//! version requirement matches that version.
#![no_main]

use bitnet_install::version::{Channel, Requirement};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(req) = Requirement::parse(text) else {
        return;
    };
    let _ = req.describe();
    for probe in ["0.3.2", "0.4.0-beta.1", "1.0.0", "0.0.0"] {
        let version = semver::Version::parse(probe).expect("probe version");
        for channel in [Channel::Stable, Channel::Beta, Channel::Nightly] {
            let _ = req.matches(&version, channel);
        }
    }
    if let Ok(exact) = semver::Version::parse(text.trim()) {
        assert!(
            req.matches(&exact, Channel::Nightly),
            "{text:?} must match itself"
        );
    }
});
