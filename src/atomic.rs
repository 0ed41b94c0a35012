//! Durable, all-or-nothing file system changes: a file replaced by writing a
//! temporary sibling, syncing it and renaming it over the target; a symbolic link
//! replaced the same way; and the directory synced so the rename survives a crash.
//! A rename replaces a planted symlink instead of following it.

use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};

/// The tags `temp_sibling` is called with; a leftover sibling carrying one of
/// them is what a killed run leaves behind.
pub const TEMP_TAGS: &[&str] = &["new", "link", "copy", "backup"];

/// Whether `name` is a temporary sibling made by `temp_sibling`
/// (`.<name>.<tag>.<pid>.tmp`).
pub fn is_temp_sibling(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    let mut parts = inner.rsplitn(3, '.');
    let (Some(pid), Some(tag), Some(original)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !original.is_empty()
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && TEMP_TAGS.contains(&tag)
}

/// A sibling name that no other writer uses.
pub fn temp_sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{tag}.{}.tmp", std::process::id()))
}

/// Whether `write_with` may replace an existing file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Replace {
    #[default]
    Allow,
    /// The destination must not exist yet (a key, a package file).
    Refuse,
}

/// How `write_with` writes a file.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOptions<'a> {
    /// Exact Unix permission bits, whatever the umask; `None` gives what a plain
    /// create gives (0666 under the umask).
    pub mode: Option<u32>,
    pub replace: Replace,
    /// A fault-injection checkpoint between the durable temporary file and the
    /// rename: the moment a crash leaves a leftover.
    pub checkpoint: Option<&'a str>,
}

/// Replaces `path` with `bytes`, whole or not at all.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_bytes(path, bytes, WriteOptions::default())
}

/// `write_file`, with a fault-injection checkpoint before the rename.
pub fn write_file_with_checkpoint(
    path: &Path,
    bytes: &[u8],
    checkpoint: Option<&str>,
) -> Result<()> {
    let options = WriteOptions {
        checkpoint,
        ..WriteOptions::default()
    };
    write_bytes(path, bytes, options)
}

pub fn write_bytes(path: &Path, bytes: &[u8], options: WriteOptions) -> Result<()> {
    write_with(path, options, |file| file.write_all(bytes))
}

/// The crate's one atomic file write: what `fill` writes goes to a temporary
/// sibling (`temp_sibling`'s name, so a leftover is recognised), which is synced,
/// renamed over `path` (replacing a planted symlink rather than following it) and
/// whose directory is synced, so after a crash `path` is the old file or the new
/// one. The temporary file is removed on any error.
pub fn write_with(
    path: &Path,
    options: WriteOptions,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let tmp = temp_sibling(path, "new");
    let tmp_name = tmp.file_name().unwrap_or_default();
    let mut builder = tempfile::Builder::new();
    builder.prefix(tmp_name).suffix("").rand_bytes(0);
    // Created no more open than asked (the umask applies), so a secret is
    // never readable by others, even for a moment; then given the exact mode.
    #[cfg(unix)]
    builder.permissions(std::fs::Permissions::from_mode(
        options.mode.unwrap_or(0o666),
    ));
    let mut temp = builder.tempfile_in(parent_dir(path)).at("create", &tmp)?;
    #[cfg(unix)]
    if let Some(mode) = options.mode {
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .at("set permissions of", &tmp)?;
    }
    // Windows has no permission bits: the file gets its directory's ACL.
    #[cfg(not(unix))]
    let _ = options.mode;
    fill(temp.as_file_mut()).at("write", &tmp)?;
    temp.as_file().sync_all().at("flush", &tmp)?;
    if let Some(name) = options.checkpoint {
        crate::faults::checkpoint(name).at("write", &tmp)?;
    }
    let persisted = match options.replace {
        Replace::Allow => temp.persist(path),
        Replace::Refuse => temp.persist_noclobber(path),
    };
    persisted.map_err(|e| Error::io("replace", path, e.error))?;
    sync_parent(path)
}

/// The directory `path` is in; the current one for a bare file name.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Points `link` at `target`, replacing whatever `link` was, in one rename.
#[cfg(unix)]
pub fn replace_symlink(target: &Path, link: &Path) -> Result<()> {
    let tmp = temp_sibling(link, "link");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).at("create link", &tmp)?;
    if let Err(e) = std::fs::rename(&tmp, link).at("replace", link) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_parent(link)
}

/// Syncs the directory holding `path`, so a rename inside it is durable.
pub fn sync_parent(path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(parent)
            .and_then(|d| d.sync_all())
            .at("sync", parent)?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Copies a file to `dest` through a temporary sibling and a rename, with the
/// given permission bits.
pub fn copy_file(src: &Path, dest: &Path, mode: u32) -> Result<()> {
    let tmp = temp_sibling(dest, "copy");
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        std::fs::copy(src, &tmp).at("copy to", &tmp)?;
        set_mode(&tmp, mode)?;
        // Windows flushes only a handle opened for writing (FlushFileBuffers);
        // on Unix a read handle is enough, and the mode may forbid writing.
        std::fs::OpenOptions::new()
            .read(true)
            .write(cfg!(windows))
            .open(&tmp)
            .and_then(|f| f.sync_all())
            .at("flush", &tmp)?;
        std::fs::rename(&tmp, dest).at("replace", dest)?;
        sync_parent(dest)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .at("set permissions of", path)?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn write_replaces_a_planted_symlink_instead_of_following_it() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let state = dir.path().join("state.json");
        std::os::unix::fs::symlink(&victim, &state).unwrap();
        write_file(&state, b"{}").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert_eq!(std::fs::read(&state).unwrap(), b"{}");
        assert!(!std::fs::symlink_metadata(&state)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn temp_siblings_are_recognised_and_nothing_else() {
        let sibling = temp_sibling(Path::new("/p/0.3.2.json"), "backup");
        let name = sibling.file_name().unwrap().to_str().unwrap();
        assert!(is_temp_sibling(name), "{name}");
        assert!(is_temp_sibling(".bitnet-cli.link.12.tmp"));
        for foreign in [
            ".bashrc",
            "notes.tmp",
            ".x.new.tmp",
            ".x.other.12.tmp",
            ".x.new.12a.tmp",
            "..new.1.tmp",
        ] {
            assert!(!is_temp_sibling(foreign), "{foreign}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_replaced_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("current");
        replace_symlink(Path::new("versions/1"), &link).unwrap();
        replace_symlink(Path::new("versions/2"), &link).unwrap();
        assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("versions/2"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
