//! Extraction of the formats beyond tar.gz and zip: the first byte picks a
//! tarball under xz, zstd or bzip2, or a single gzip, xz, zstd or bzip2 file; the
//! rest is its bytes. Never panics, and nothing is created outside the
//! destination, exactly as for `extract_tar`.
#![no_main]

use bitnet_install::archive::{Compression, Format};
use bitnet_install_fuzz_support::extract_and_check;
use libfuzzer_sys::fuzz_target;

const FORMATS: [Format; 7] = [
    Format::Tar(Compression::Xz),
    Format::Tar(Compression::Zstd),
    Format::Tar(Compression::Bzip2),
    Format::Compressed(Compression::Gzip),
    Format::Compressed(Compression::Xz),
    Format::Compressed(Compression::Zstd),
    Format::Compressed(Compression::Bzip2),
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, archive)) = data.split_first() else {
        return;
    };
    extract_and_check(archive, FORMATS[usize::from(*selector) % FORMATS.len()]);
});
