//! Unpacking a downloaded asset from the handle its bytes were hashed through,
//! so that what is unpacked is exactly the bytes that were hashed, read once.

use std::fs;
use std::path::Path;

use super::{extract_open, Extracted, Limits};
use crate::archive::Format;
use crate::error::Result;
use crate::hashed::HashedFile;

/// `extract`, for a download whose SHA-256 was checked against its evidence:
/// the bytes are read through the handle they were written and hashed
/// through. When the file was replaced or its size changed in the meantime,
/// the install is refused (exit 5) and nothing is left in `dest`; bytes that
/// were unpacked before that check were only ever unpacked under the archive
/// rules, as any archive is.
pub fn extract_verified(
    archive: &mut HashedFile,
    format: Format,
    bare_name: &str,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted> {
    let path = archive.path().to_path_buf();
    let unpacked = extract_open(&*archive.rewound()?, &path, format, bare_name, dest, limits);
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
