//! An asset held open through the handle its bytes were hashed through.
//! What follows the download (the signature check, the unpacking) reads that
//! handle, so it reads the bytes that were hashed, and needs no second pass
//! over the file. A file renamed over the path changes nothing that is read,
//! and a write that changes the file's size is seen; either is refused as
//! "changed after it was verified" (exit 5): someone else is writing into a
//! private directory.
//!
//! The limit, said plainly: a write into the file that keeps its size goes
//! unseen. Only the user running the install (or root) can write the file,
//! and they can already change the process itself. The modification time is
//! not compared: on NFS it moves when the client's cached writes reach the
//! server, after the download was hashed, and would refuse sound installs.

use std::fs::File;
use std::io::Seek;
use std::path::{Path, PathBuf};

use crate::digest::Sha256;
use crate::error::{Error, IoContext, Result};

/// A file whose bytes hashed to `sha256` through `file`.
pub struct HashedFile {
    path: PathBuf,
    sha256: Sha256,
    file: File,
    hashed: Fingerprint,
}

/// Which file this is and how long, read from a handle or a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint {
    identity: (u64, u64),
    len: u64,
}

impl Fingerprint {
    fn of(meta: &std::fs::Metadata) -> Fingerprint {
        Fingerprint {
            identity: identity(meta),
            len: meta.len(),
        }
    }
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// Windows' stable metadata has no file index; a file made to replace this
/// one has its own creation time.
#[cfg(windows)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::windows::fs::MetadataExt;
    (meta.creation_time(), 0)
}

impl HashedFile {
    /// `file`, at `path`, just written through and hashed to `sha256`.
    pub fn written(file: File, path: &Path, sha256: Sha256) -> Result<HashedFile> {
        let meta = file.metadata().at("read", path)?;
        Ok(HashedFile {
            path: path.to_path_buf(),
            sha256,
            file,
            hashed: Fingerprint::of(&meta),
        })
    }

    /// Opens `path` and hashes it through the handle that later reads use.
    pub fn open(path: &Path) -> Result<HashedFile> {
        let mut file = File::open(path).at("open", path)?;
        let sha256 = Sha256::of_reader(&mut file).at("read", path)?;
        HashedFile::written(file, path, sha256)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn sha256(&self) -> Sha256 {
        self.sha256
    }

    /// The same file under the name it was renamed to.
    pub fn moved_to(self, path: &Path) -> HashedFile {
        HashedFile {
            path: path.to_path_buf(),
            ..self
        }
    }

    /// The handle, at the first byte.
    pub fn rewound(&mut self) -> Result<&mut File> {
        self.file.rewind().at("rewind", &self.path)?;
        Ok(&mut self.file)
    }

    /// Fails (exit 5) when the file's size changed since it was hashed, or
    /// its path now names another file. A path that is gone is no change to
    /// the bytes read through the handle.
    pub fn require_unchanged(&self) -> Result<()> {
        let now = Fingerprint::of(&self.file.metadata().at("read", &self.path)?);
        let at_path = match std::fs::metadata(&self.path) {
            Ok(meta) => Some(Fingerprint::of(&meta)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("read", &self.path, e)),
        };
        if now != self.hashed || at_path.is_some_and(|at_path| at_path != self.hashed) {
            return Err(Error::verification(format!(
                "{} changed after it was verified (it was replaced or its size changed)",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// Copies the hashed bytes to a new file at `dest`, for a step that needs
    /// a file of its own (`self update` hands one to `self_replace`).
    pub fn copy_to(&mut self, dest: &Path) -> Result<()> {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dest)
            .at("create", dest)?;
        let path = self.path.clone();
        std::io::copy(self.rewound()?, &mut out).at("copy", &path)?;
        self.require_unchanged()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn hashed(dir: &Path, bytes: &[u8]) -> HashedFile {
        let path = dir.join("asset");
        std::fs::write(&path, bytes).unwrap();
        HashedFile::open(&path).unwrap()
    }

    #[test]
    fn open_hashes_through_the_handle_it_keeps() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = hashed(dir.path(), b"release bytes");
        assert_eq!(file.sha256(), Sha256::of(b"release bytes"));
        let mut read = Vec::new();
        file.rewound().unwrap().read_to_end(&mut read).unwrap();
        assert_eq!(read, b"release bytes");
        file.require_unchanged().unwrap();
    }

    #[test]
    fn a_file_renamed_over_the_path_is_refused_and_the_handle_keeps_the_hashed_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = hashed(dir.path(), b"release bytes");
        let decoy = dir.path().join("decoy");
        std::fs::write(&decoy, b"decoy bytes!!").unwrap();
        std::fs::rename(&decoy, file.path()).unwrap();
        let e = file.require_unchanged().unwrap_err();
        assert_eq!(e.exit_code(), crate::error::exit::VERIFICATION);
        assert!(
            e.to_string().contains("changed after it was verified"),
            "{e}"
        );
        let mut read = Vec::new();
        file.rewound().unwrap().read_to_end(&mut read).unwrap();
        assert_eq!(read, b"release bytes");
    }

    #[test]
    fn a_write_that_changes_the_size_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let grown = hashed(dir.path(), b"release bytes");
        let mut writer = std::fs::OpenOptions::new()
            .append(true)
            .open(grown.path())
            .unwrap();
        writer.write_all(b"+").unwrap();
        assert!(grown.require_unchanged().is_err());
    }

    #[test]
    fn a_moved_file_is_checked_at_its_new_path_and_a_vanished_path_is_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let file = hashed(dir.path(), b"release bytes");
        let old = file.path().to_path_buf();
        let moved = dir.path().join("moved");
        std::fs::rename(&old, &moved).unwrap();
        let file = file.moved_to(&moved);
        // Another file where it was is no longer its concern.
        std::fs::write(&old, b"other").unwrap();
        file.require_unchanged().unwrap();
        std::fs::remove_file(&moved).unwrap();
        file.require_unchanged().unwrap();
        let at_old_path = HashedFile { path: old, ..file };
        assert!(at_old_path.require_unchanged().is_err());
    }

    #[test]
    fn copy_to_writes_the_hashed_bytes_into_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = hashed(dir.path(), b"release bytes");
        let dest = dir.path().join("copy");
        file.copy_to(&dest).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"release bytes");
        assert!(
            file.copy_to(&dest).is_err(),
            "an existing file is not overwritten"
        );
    }
}
