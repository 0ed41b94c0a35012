//! Trusted-comment parsing and the checks built on it (release binding, index
//! expiry and high-water mark): never panic, and a release comment is accepted
//! only when it names exactly the product and version asked for.
#![no_main]

use bitnet_install::source::index::check_index_comment;
use bitnet_install::verify::TrustedComment;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let comment = TrustedComment::parse(text);
    let version = semver::Version::new(0, 3, 2);
    if comment.require_release("bitnet", &version).is_ok() {
        assert_eq!(comment.get("product"), Some("bitnet"));
        let named = comment
            .get("version")
            .and_then(|v| semver::Version::parse(v.trim_start_matches('v')).ok());
        assert_eq!(named.as_ref(), Some(&version), "{text:?}");
    }
    if check_index_comment(&comment, "https://m", "bitnet", Some(1000), 2000).is_ok() {
        assert!(comment.number("expires").is_some_and(|e| e > 2000));
        assert!(comment.number("timestamp").is_some_and(|t| t >= 1000));
    }
});
