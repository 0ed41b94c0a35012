//! The few file-system calls extraction makes that differ between Unix and
//! Windows: create a file with its mode, set a mode, create a 0755 directory,
//! create a symbolic link.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

#[cfg(not(unix))]
use crate::error::Error;
use crate::error::{IoContext, Result};

#[cfg(unix)]
pub(super) fn create_new_file(path: &Path, mode: u32) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

#[cfg(not(unix))]
pub(super) fn create_new_file(path: &Path, _mode: u32) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Set the exact mode on the open file, whatever the umask did.
#[cfg(unix)]
pub(super) fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
pub(super) fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
pub(super) fn create_dir_0755(path: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new()
        .mode(0o755)
        .create(path)
        .at("create directory", path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).at("set permissions of", path)
}

#[cfg(not(unix))]
pub(super) fn create_dir_0755(path: &Path) -> Result<()> {
    fs::create_dir(path).at("create directory", path)
}

#[cfg(unix)]
pub(super) fn create_symlink(target: &str, path: &Path) -> Result<()> {
    std::os::unix::fs::symlink(target, path).at("create symbolic link", path)
}

#[cfg(not(unix))]
pub(super) fn create_symlink(_target: &str, path: &Path) -> Result<()> {
    Err(Error::local(
        "create symbolic link",
        path,
        "archives with symbolic links are not supported on this platform",
        "ask the publisher for an archive without symbolic links.",
    ))
}
