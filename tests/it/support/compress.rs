//! Compressed bytes in every format the installer reads, written with the
//! encoders other projects' release tooling uses (`gzip`, `xz`, `zstd`, `bzip2`),
//! for tarballs (`tarball`) and single compressed executables (`compress`).

use std::io::Write;

/// The compressions release tooling uses, as the tests name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}

use super::release::{tar_entries, Entry};

/// `data` under `compression`, as one stream.
pub fn compress(compression: Compression, data: &[u8]) -> Vec<u8> {
    match compression {
        Compression::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(data).expect("gzip");
            gz.finish().expect("finish gzip")
        }
        Compression::Xz => {
            let options = lzma_rust2::XzOptions::with_preset(6);
            let mut xz = lzma_rust2::XzWriter::new(Vec::new(), options).expect("xz");
            xz.write_all(data).expect("xz");
            xz.finish().expect("finish xz")
        }
        Compression::Zstd => {
            ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
        }
        Compression::Bzip2 => {
            let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
            bz.write_all(data).expect("bzip2");
            bz.finish().expect("finish bzip2")
        }
    }
}

/// A tar of `entries` (names verbatim, malicious ones included) under `compression`.
pub fn tarball(compression: Compression, entries: &[Entry]) -> Vec<u8> {
    compress(compression, &tar_entries(entries))
}

/// The asset-name suffix of a tarball under `compression` (`.tar.xz`, ...).
pub fn tarball_suffix(compression: Compression) -> &'static str {
    match compression {
        Compression::Gzip => ".tar.gz",
        Compression::Xz => ".tar.xz",
        Compression::Zstd => ".tar.zst",
        Compression::Bzip2 => ".tar.bz2",
    }
}

/// The suffix of a single file compressed with `compression` (`.gz`, ...).
pub fn compressed_suffix(compression: Compression) -> &'static str {
    match compression {
        Compression::Gzip => ".gz",
        Compression::Xz => ".xz",
        Compression::Zstd => ".zst",
        Compression::Bzip2 => ".bz2",
    }
}
