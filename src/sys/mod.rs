//! The few things that differ between Unix and Windows, behind one small
//! interface; the decisions are pure functions here, tested on every host, and
//! `unix.rs` / `windows.rs` only carry them out.
//!
//! - The active-version pointer `current`. Unix: a symbolic link to
//!   `versions/<dir>`, replaced by one rename. Windows: a small file holding
//!   `<dir>`, replaced by one rename (`MoveFileEx` with replace). Not a
//!   junction: a junction cannot be renamed over an existing one, so
//!   switching it takes a delete and a create, and a kill in between leaves no
//!   active version. A file rename is one atomic step at any kill point, and
//!   nothing needs a path *through* `current` on Windows, since the bin dir
//!   holds hard links (or copies) of the active version's files.
//! - Bin-dir entries: symbolic links through `current` on Unix; hard links or
//!   copies of the active version's `.exe` files on Windows, re-made on every
//!   switch (see `relink_plan`).
//! - The user PATH on Windows: `HKCU\Environment\Path`, edited in place with
//!   its value type kept, then `WM_SETTINGCHANGE` (see `edit_user_path`).
//!
//! Known folders: the layout reads `%LOCALAPPDATA%` through `Env` instead of
//! calling the known-folder API (`directories`): Windows sets that variable from
//! `FOLDERID_LocalAppData` in every session, so both give the same answer, and
//! reading it through `Env` keeps the choice a pure function that tests and
//! users can redirect, without another dependency.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::layout::Layout;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// The directory name under `versions/` that the pointer at `pointer` names.
pub fn read_pointer(pointer: &Path) -> Option<String> {
    imp::read_pointer(pointer).filter(|name| is_plain_dir_name(name))
}

/// Makes the pointer at `pointer` name `versions/<dir_name>`, in one rename.
pub fn write_pointer(pointer: &Path, dir_name: &str) -> Result<()> {
    imp::write_pointer(pointer, dir_name)
}

/// Puts `entry.source` at `entry.path` in one rename: a symbolic link on
/// Unix, a hard link (or a copy across volumes) on Windows.
pub fn place_bin_entry(entry: &BinEntry) -> Result<()> {
    match entry.kind {
        BinKind::Symlink => imp::replace_symlink(&entry.source, &entry.path),
        BinKind::HardLinkOrCopy => place_hard_link_or_copy(entry),
    }
}

/// A hard link made beside the destination and renamed over it; a copy when
/// the bin dir is on another volume.
fn place_hard_link_or_copy(entry: &BinEntry) -> Result<()> {
    use crate::error::IoContext;
    let tmp = crate::atomic::temp_sibling(&entry.path, "link");
    let _ = std::fs::remove_file(&tmp);
    if std::fs::hard_link(&entry.source, &tmp).is_err() {
        return crate::atomic::copy_file(&entry.source, &entry.path, 0o755);
    }
    if let Err(e) = std::fs::rename(&tmp, &entry.path).at("replace", &entry.path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    crate::atomic::sync_parent(&entry.path)
}

/// A pointer's content must be one plain directory name: a pointer file that
/// says `..\..\elsewhere` is not followed.
fn is_plain_dir_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', ':', '\0'])
}

/// One change to the bin dir when the active version changes.
#[derive(Clone, Debug, PartialEq)]
pub enum BinOp {
    /// Make (or re-make) this entry.
    Place(BinEntry),
    /// The previous version's entry that the new one does not have.
    Remove(PathBuf),
}

/// What the bin dir needs when the active version moves from `old` to `new`
/// (each: the version's directory name and its executables). Unix links go
/// through `current`, so an unchanged name needs nothing; Windows entries are
/// files of one version, so every one is re-made. Either way an entry the new
/// version lacks is removed, so no command of the old version lingers.
pub fn relink_plan(
    os: &str,
    layout: &Layout,
    old: Option<(&str, &[String])>,
    new: (&str, &[String]),
) -> Vec<BinOp> {
    let new_entries = bin_entries(os, layout, new.0, new.1);
    let old_entries = old
        .map(|(dir, exes)| bin_entries(os, layout, dir, exes))
        .unwrap_or_default();
    let mut plan: Vec<BinOp> = new_entries
        .iter()
        .filter(|entry| entry.kind == BinKind::HardLinkOrCopy || !old_entries.contains(entry))
        .cloned()
        .map(BinOp::Place)
        .collect();
    plan.extend(
        old_entries
            .iter()
            .filter(|old| !new_entries.iter().any(|new| new.path == old.path))
            .map(|old| BinOp::Remove(old.path.clone())),
    );
    plan
}

/// The stored user PATH: its text and whether it is `REG_EXPAND_SZ` (so that
/// `%USERPROFILE%\bin` entries keep expanding) or a plain `REG_SZ`.
#[derive(Clone, Debug, PartialEq)]
pub struct PathValue {
    pub text: String,
    pub expand: bool,
}

/// Where the user PATH is kept: the registry on Windows, a fake in tests.
pub trait UserPathStore {
    fn read(&self) -> Result<Option<PathValue>>;
    fn write(&self, value: &PathValue) -> Result<()>;
    /// Tells running programs (Explorer, new terminals) that it changed.
    fn announce(&self);
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PathEdit {
    Add,
    Remove,
}

/// The new stored value for `edit` of `dir`, or `None` when nothing changes.
/// Other entries and the value's type stay as they are; a new value is
/// `REG_EXPAND_SZ`, the type Windows itself gives the user PATH.
pub fn edited_user_path(
    current: Option<&PathValue>,
    dir: &str,
    edit: PathEdit,
) -> Option<PathValue> {
    let text = current.map(|v| v.text.as_str()).unwrap_or("");
    let expand = current.is_none_or(|v| v.expand);
    let new_text = match edit {
        PathEdit::Add => windows_path_with(text, dir)?,
        PathEdit::Remove => windows_path_without(text, dir)?,
    };
    Some(PathValue {
        text: new_text,
        expand,
    })
}

/// Applies `edit` to the store; returns whether it changed anything.
pub fn edit_user_path(store: &dyn UserPathStore, dir: &str, edit: PathEdit) -> Result<bool> {
    let current = store.read()?;
    let Some(value) = edited_user_path(current.as_ref(), dir, edit) else {
        return Ok(false);
    };
    store.write(&value)?;
    store.announce();
    Ok(true)
}

/// The user PATH store of this platform: `Some` only on Windows, where PATH
/// lives in the registry; Unix shells read their profiles instead.
pub fn user_path_store() -> Option<Box<dyn UserPathStore>> {
    imp::user_path_store()
}

/// How a bin-dir entry reaches the active version.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BinKind {
    /// Unix: a symbolic link through `current`, so switching versions never
    /// touches the bin dir.
    Symlink,
    /// Windows (symbolic links need a privilege there): a hard link to the
    /// active version's file, or a copy across volumes; redone on each switch.
    HardLinkOrCopy,
}

/// One entry of the bin dir: `path` runs `source`.
#[derive(Clone, Debug, PartialEq)]
pub struct BinEntry {
    pub path: PathBuf,
    pub source: PathBuf,
    pub kind: BinKind,
}

/// Which file goes where in the bin dir for `os`, with `active_dir` the
/// active version's directory name under `versions/`.
pub fn bin_entries(
    os: &str,
    layout: &Layout,
    active_dir: &str,
    executables: &[String],
) -> Vec<BinEntry> {
    executables
        .iter()
        .map(|exe| {
            // `bin/rg` is linked as `<bin-dir>/rg`.
            let file_name = exe.rsplit('/').next().unwrap_or(exe);
            if os == "windows" {
                let (name, relative) = if exe.ends_with(".exe") {
                    (file_name.to_string(), exe.clone())
                } else {
                    (format!("{file_name}.exe"), format!("{exe}.exe"))
                };
                BinEntry {
                    path: layout.bin_dir.join(&name),
                    source: layout.versions_dir().join(active_dir).join(&relative),
                    kind: BinKind::HardLinkOrCopy,
                }
            } else {
                BinEntry {
                    path: layout.bin_dir.join(file_name),
                    source: layout.current_link().join(exe),
                    kind: BinKind::Symlink,
                }
            }
        })
        .collect()
}

/// Windows' user PATH (`;`-separated) with `dir` prepended unless present.
pub fn windows_path_with(path: &str, dir: &str) -> Option<String> {
    let present = path.split(';').any(|p| {
        p.trim_end_matches('\\')
            .eq_ignore_ascii_case(dir.trim_end_matches('\\'))
    });
    if present {
        return None;
    }
    Some(if path.is_empty() {
        dir.to_string()
    } else {
        format!("{dir};{path}")
    })
}

/// Windows' user PATH without `dir`, or `None` when it is absent.
pub fn windows_path_without(path: &str, dir: &str) -> Option<String> {
    let parts: Vec<&str> = path.split(';').collect();
    let kept: Vec<&str> = parts
        .iter()
        .copied()
        .filter(|p| {
            !p.trim_end_matches('\\')
                .eq_ignore_ascii_case(dir.trim_end_matches('\\'))
        })
        .collect();
    (kept.len() != parts.len()).then(|| kept.join(";"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Layout;
    use std::cell::RefCell;

    fn layout() -> Layout {
        Layout {
            prefix: PathBuf::from("/p"),
            bin_dir: PathBuf::from("/b"),
            cache_dir: PathBuf::from("/c"),
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn unix_switch_touches_only_names_that_come_or_go() {
        let old = names(&["bitnet-cli", "bitnet-server"]);
        let new = names(&["bitnet-cli", "bitnet-bench"]);
        let plan = relink_plan("linux", &layout(), Some(("0.3.1", &old)), ("0.3.2", &new));
        assert_eq!(
            plan,
            vec![
                BinOp::Place(BinEntry {
                    path: PathBuf::from("/b/bitnet-bench"),
                    source: PathBuf::from("/p/current/bitnet-bench"),
                    kind: BinKind::Symlink,
                }),
                BinOp::Remove(PathBuf::from("/b/bitnet-server")),
            ]
        );
        assert!(relink_plan("macos", &layout(), Some(("1", &old)), ("2", &old)).is_empty());
    }

    #[test]
    fn windows_switch_remakes_every_entry_from_the_new_version() {
        let old = names(&["bitnet-cli.exe", "bitnet-server.exe"]);
        let new = names(&["bitnet-cli.exe"]);
        let plan = relink_plan("windows", &layout(), Some(("0.3.2", &old)), ("0.3.1", &new));
        assert_eq!(
            plan,
            vec![
                BinOp::Place(BinEntry {
                    path: PathBuf::from("/b/bitnet-cli.exe"),
                    source: PathBuf::from("/p/versions/0.3.1/bitnet-cli.exe"),
                    kind: BinKind::HardLinkOrCopy,
                }),
                BinOp::Remove(PathBuf::from("/b/bitnet-server.exe")),
            ]
        );
        // A first install has nothing to remove, and a re-switch to the same
        // version still re-makes the files (they may be stale copies).
        assert_eq!(
            relink_plan("windows", &layout(), None, ("0.3.1", &new)).len(),
            1
        );
        assert_eq!(
            relink_plan("windows", &layout(), Some(("0.3.1", &new)), ("0.3.1", &new)).len(),
            1
        );
    }

    #[test]
    fn pointer_contents_must_be_a_plain_directory_name() {
        for good in ["0.3.2", "0.3.2.1", "v1-nightly"] {
            assert!(is_plain_dir_name(good), "{good}");
        }
        for bad in ["", ".", "..", "..\\x", "a/b", "C:x"] {
            assert!(!is_plain_dir_name(bad), "{bad}");
        }
    }

    #[test]
    fn the_pointer_switches_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let pointer = dir.path().join("current");
        assert_eq!(read_pointer(&pointer), None);
        write_pointer(&pointer, "0.3.1").unwrap();
        write_pointer(&pointer, "0.3.2").unwrap();
        assert_eq!(read_pointer(&pointer).as_deref(), Some("0.3.2"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// The registry value, in memory: what was written and how often
    /// the change was announced.
    #[derive(Default)]
    struct FakeRegistry {
        value: RefCell<Option<PathValue>>,
        announced: RefCell<u32>,
    }

    impl UserPathStore for FakeRegistry {
        fn read(&self) -> Result<Option<PathValue>> {
            Ok(self.value.borrow().clone())
        }
        fn write(&self, value: &PathValue) -> Result<()> {
            *self.value.borrow_mut() = Some(value.clone());
            Ok(())
        }
        fn announce(&self) {
            *self.announced.borrow_mut() += 1;
        }
    }

    #[test]
    fn user_path_edits_keep_other_entries_and_the_value_type() {
        let dir = r"C:\Users\u\AppData\Local\bitnet\bin";
        let store = FakeRegistry::default();
        *store.value.borrow_mut() = Some(PathValue {
            text: r"%USERPROFILE%\tools;C:\x".into(),
            expand: false,
        });
        assert!(edit_user_path(&store, dir, PathEdit::Add).unwrap());
        assert!(!edit_user_path(&store, dir, PathEdit::Add).unwrap());
        assert_eq!(
            store.value.borrow().clone().unwrap(),
            PathValue {
                text: format!(r"{dir};%USERPROFILE%\tools;C:\x"),
                expand: false,
            }
        );
        assert!(edit_user_path(&store, &dir.to_uppercase(), PathEdit::Remove).unwrap());
        assert_eq!(
            store.value.borrow().clone().unwrap().text,
            r"%USERPROFILE%\tools;C:\x"
        );
        assert!(!edit_user_path(&store, dir, PathEdit::Remove).unwrap());
        assert_eq!(*store.announced.borrow(), 2, "announced once per change");
    }

    #[test]
    fn a_missing_user_path_is_created_as_expandable() {
        let store = FakeRegistry::default();
        assert!(edit_user_path(&store, r"C:\b", PathEdit::Add).unwrap());
        assert_eq!(
            store.value.borrow().clone().unwrap(),
            PathValue {
                text: r"C:\b".into(),
                expand: true,
            }
        );
        assert_eq!(
            edited_user_path(None, r"C:\b", PathEdit::Remove),
            None,
            "removing from nothing writes nothing"
        );
    }
}
