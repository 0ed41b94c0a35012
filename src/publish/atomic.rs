//! Every file `bitnet-release` writes appears whole or not at all, through the
//! crate's one atomic write (`crate::atomic::write_with`); this module names the
//! permissions the publisher's files get.

use std::fs::File;
use std::io;
use std::path::Path;

pub(super) use crate::atomic::Replace;
use crate::atomic::WriteOptions;
use crate::error::Result;

/// The permissions a written file gets on Unix, whatever the umask (ignored elsewhere).
#[derive(Clone, Copy, Debug)]
pub(super) enum Mode {
    /// Served to the world: `SHA256SUMS`, signatures, archives, the public key.
    Public,
    /// A bare executable asset.
    Executable,
    /// The secret key: readable by its owner only.
    Secret,
}

impl Mode {
    fn bits(self) -> u32 {
        match self {
            Mode::Public => 0o644,
            Mode::Executable => 0o755,
            Mode::Secret => 0o600,
        }
    }
}

/// Write `path` atomically with the bytes that `fill` writes into the temporary file.
pub(super) fn write_with(
    path: &Path,
    mode: Mode,
    replace: Replace,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<()> {
    let options = WriteOptions {
        mode: Some(mode.bits()),
        replace,
        checkpoint: None,
    };
    crate::atomic::write_with(path, options, fill)
}

/// Write `bytes` to `path` atomically, replacing it if it exists.
pub(super) fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, Mode::Public, Replace::Allow, |file| {
        io::Write::write_all(file, bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_an_existing_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("SHA256SUMS");
        std::fs::write(&path, "old").unwrap();
        write_bytes(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("SHA256SUMS")]);
    }

    #[test]
    fn refuses_to_replace_when_asked_and_keeps_the_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bitnet.key");
        std::fs::write(&path, "old").unwrap();
        let err = write_with(&path, Mode::Secret, Replace::Refuse, |f| {
            io::Write::write_all(f, b"new")
        })
        .unwrap_err();
        assert_eq!(err.exit_code(), 6);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bitnet.key");
        write_with(&path, Mode::Secret, Replace::Refuse, |f| {
            io::Write::write_all(f, b"k")
        })
        .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
