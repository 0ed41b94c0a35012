//! Unix: `current` is a symbolic link, bin-dir entries are symbolic links, and
//! PATH is the shells' business (see `shell_path`), so there is no PATH store.

use std::path::Path;

use crate::error::Result;

pub fn read_pointer(pointer: &Path) -> Option<String> {
    let target = std::fs::read_link(pointer).ok()?;
    Some(target.file_name()?.to_string_lossy().into_owned())
}

pub fn write_pointer(pointer: &Path, dir_name: &str) -> Result<()> {
    crate::atomic::replace_symlink(&Path::new("versions").join(dir_name), pointer)
}

pub fn replace_symlink(target: &Path, link: &Path) -> Result<()> {
    crate::atomic::replace_symlink(target, link)
}

pub fn user_path_store() -> Option<Box<dyn super::UserPathStore>> {
    None
}
