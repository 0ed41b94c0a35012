//! tar.gz extraction of arbitrary bytes into a temp dir: never panics, and nothing
//! is ever created outside the destination (a sibling sentinel dir stays empty,
//! the parent holds only what it held before).
#![no_main]

use bitnet_install::archive::{Compression, Format};
use bitnet_install_fuzz_support::extract_and_check;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    extract_and_check(data, Format::Tar(Compression::Gzip));
});
