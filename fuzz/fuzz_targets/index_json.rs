//! `index.json` parsing (after its signature verified): never panics, accepts
//! only UTF-8, and only an index for the product asked for yields versions.
#![no_main]

use bitnet_install::source::index::parse_index_versions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(versions) = parse_index_versions(data, "bitnet") else {
        return;
    };
    assert!(
        std::str::from_utf8(data).is_ok(),
        "accepted an index that is not UTF-8"
    );
    // serde_json::Value refuses some valid JSON that the index ignores (numbers
    // beyond f64, such as 1e99999), so compare only when it can represent the input.
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        assert_eq!(value["product"], "bitnet");
        assert!(versions.len() <= value["releases"].as_array().map_or(0, Vec::len));
    }
});
