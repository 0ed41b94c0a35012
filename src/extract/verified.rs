//! Unpacking an asset whose SHA-256 was checked when it was downloaded, so
//! that what is unpacked is exactly the bytes that were hashed.

use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::Path;

use super::pipeline::Pipeline;
use super::{decompress, extract_open, Extracted, Limits, BUF_SIZE};
use crate::archive::Format;
use crate::digest::{Hasher, Sha256};
use crate::error::{Error, IoContext, Result};

/// `extract`, for an asset whose SHA-256 was checked when it was downloaded:
/// what is unpacked must be the bytes that were hashed, even if the path was
/// swapped in between (exit 5 when it was). A stream format is hashed as it is
/// unpacked, in one pass through one handle: every byte read from the file,
/// through the end, goes through the hasher (on this thread, with the
/// decompression, while `Pipeline` writes the files on another), and on a
/// mismatch the error returns before the caller moves anything out of the
/// private `dest` (which it deletes). Bytes that fail the check were only
/// ever unpacked under the archive rules, as any archive is. A zip is read by
/// seeking, so it is hashed whole first and then unpacked from the same
/// handle.
pub fn extract_verified(
    archive: &Path,
    expected_sha256: Sha256,
    format: Format,
    bare_name: &str,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted> {
    let mut file = File::open(archive).at("open", archive)?;
    if matches!(format, Format::Zip) {
        let actual = hash_to_end(&mut file, Hasher::default(), archive)?;
        require_unchanged(archive, expected_sha256, actual)?;
        io::Seek::rewind(&mut file).at("rewind", archive)?;
        return extract_open(file, archive, format, bare_name, dest, limits);
    }
    let mut hasher = Hasher::default();
    let unpacked = {
        let reader = HashingReader {
            inner: &mut file,
            hasher: &mut hasher,
        };
        let reader = BufReader::with_capacity(BUF_SIZE, reader);
        let (mut decompressed, payload) = decompress(format, bare_name, reader)?;
        let mut pipeline = Pipeline::start(payload, archive, dest, limits)?;
        pipeline.feed(&mut decompressed);
        pipeline.finish()
    };
    let actual = hash_to_end(&mut file, hasher, archive)?;
    // A swapped file is reported as such, even when its bytes did not unpack,
    // and nothing of it is left in `dest`.
    if let Err(e) = require_unchanged(archive, expected_sha256, actual) {
        empty_dir(dest);
        return Err(e);
    }
    unpacked
}

/// Feeds the rest of `file` into `hasher`: the bytes after the end of the
/// archive that the unpacker did not need count too.
fn hash_to_end(file: &mut File, mut hasher: Hasher, archive: &Path) -> Result<Sha256> {
    let mut buf = vec![0u8; BUF_SIZE];
    loop {
        match file.read(&mut buf).at("read", archive)? {
            0 => return Ok(hasher.finish()),
            n => hasher.update(&buf[..n]),
        }
    }
}

fn require_unchanged(archive: &Path, expected: Sha256, actual: Sha256) -> Result<()> {
    if actual != expected {
        return Err(Error::verification(format!(
            "{} changed after it was verified (expected {expected}, now {actual})",
            archive.display()
        )));
    }
    Ok(())
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

/// Hashes every byte read through it.
struct HashingReader<'a> {
    inner: &'a mut File,
    hasher: &'a mut Hasher,
}

impl Read for HashingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}
