//! Unpacking a downloaded asset from the handle its bytes were hashed through,
//! so that what is unpacked is exactly the bytes that were hashed, read once.

use std::fs;
use std::io::BufReader;
use std::path::Path;

use super::pipeline::Pipeline;
use super::{decompress, extract_open, Extracted, Limits, BUF_SIZE};
use crate::archive::Format;
use crate::error::Result;
use crate::hashed::HashedFile;

/// `extract`, for a download whose SHA-256 was checked against its evidence:
/// the bytes are read through the handle they were written and hashed
/// through (a stream format decompressed on this thread while `Pipeline`
/// writes the files on another; a zip by seeking). When the file was replaced
/// or its size changed in the meantime, the install is refused (exit 5) and
/// nothing is left in `dest`; bytes that were unpacked before that check
/// were only ever unpacked under the archive rules, as any archive is.
pub fn extract_verified(
    archive: &mut HashedFile,
    format: Format,
    bare_name: &str,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted> {
    let path = archive.path().to_path_buf();
    let file = archive.rewound()?;
    let unpacked = if matches!(format, Format::Zip) {
        extract_open(&*file, &path, format, bare_name, dest, limits)
    } else {
        let reader = BufReader::with_capacity(BUF_SIZE, &*file);
        decompress(format, bare_name, reader).and_then(|(mut decompressed, payload)| {
            let mut pipeline = Pipeline::start(payload, &path, dest, limits)?;
            pipeline.feed(&mut decompressed);
            pipeline.finish()
        })
    };
    // A changed file is reported as such, even when its bytes did not unpack,
    // and nothing of it is left in `dest`.
    if let Err(e) = archive.require_unchanged() {
        empty_dir(dest);
        return Err(e);
    }
    unpacked
}

/// Best effort: the caller deletes `dest` anyway.
fn empty_dir(dest: &Path) {
    for entry in fs::read_dir(dest).into_iter().flatten().flatten() {
        let path = entry.path();
        let _ = match entry.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&path),
            _ => fs::remove_file(&path),
        };
    }
}
