//! `index.json` parsing (after its signature verified): never panics, and only
//! an index for the product asked for yields versions.
#![no_main]

use bitnet_install::source::index::parse_index_versions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(versions) = parse_index_versions(data, "bitnet") {
        let value: serde_json::Value = match serde_json::from_slice(data) {
            Ok(v) => v,
            Err(_) => panic!("accepted an index that is not JSON"),
        };
        assert_eq!(value["product"], "bitnet");
        assert!(versions.len() <= value["releases"].as_array().map_or(0, Vec::len));
    }
});
