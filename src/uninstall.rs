//! Removal: one version (exactly the files its receipt lists, so anything a
//! user put beside them stays), or everything the installer made: versions,
//! receipts, links into the prefix, PATH edits, cache and state, except the
//! index high-water marks (only `self uninstall` forgets them). Never a file
//! it did not create.

use std::path::Path;

use crate::config::Config;
use crate::env::Env;
use crate::error::{Error, IoContext, Result};
use crate::layout::Layout;
use crate::progress::Progress;
use crate::receipt::{self, Receipt};
use crate::state::State;

/// Removes the files a receipt lists, the directories they leave empty, and
/// the receipt itself.
pub fn remove_version(layout: &Layout, receipt: &Receipt) -> Result<()> {
    let dir = layout.versions_dir().join(&receipt.dir);
    for file in &receipt.files {
        let path = dir.join(&file.path);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("remove", &path, e)),
        }
        remove_empty_parents(&path, &dir);
    }
    let _ = std::fs::remove_dir(&dir);
    let receipt_path = layout.receipt_path(&receipt.origin.version);
    std::fs::remove_file(&receipt_path).at("remove", &receipt_path)
}

/// Removes directories between `path` and `stop` (exclusive) that are empty.
fn remove_empty_parents(path: &Path, stop: &Path) {
    let mut current = path.parent();
    while let Some(dir) = current {
        if dir == stop || !dir.starts_with(stop) || std::fs::remove_dir(dir).is_err() {
            break;
        }
        current = dir.parent();
    }
}

/// `uninstall --all`: everything but the installer itself and the index
/// high-water marks, which outlive it: forgetting them would let an older,
/// unexpired signed index be accepted again. Returns the versions removed.
pub fn remove_everything(config: &Config, env: &Env, progress: &Progress) -> Result<Vec<String>> {
    let layout = &config.layout;
    let receipts = receipt::read_all(&layout.receipts_dir())?;
    remove_bin_links(layout)?;
    remove_bin_copies(layout, &receipts)?;
    let current = layout.current_link();
    if std::fs::symlink_metadata(&current).is_ok() {
        std::fs::remove_file(&current).at("remove", &current)?;
    }
    for receipt in &receipts {
        remove_version(layout, receipt)?;
    }
    crate::shell_path::remove(config, env, progress)?;
    for dir in [layout.receipts_dir(), layout.versions_dir()] {
        let _ = std::fs::remove_dir(dir);
    }
    keep_only_high_water_marks(layout)?;
    let _ = std::fs::remove_dir_all(layout.tmp_dir());
    let _ = std::fs::remove_dir_all(&layout.cache_dir);
    let _ = std::fs::remove_file(layout.lock_path());
    let _ = std::fs::remove_dir(&layout.prefix);
    Ok(receipts.into_iter().map(|r| r.origin.version).collect())
}

/// Windows' bin-dir entries (hard links or copies): a file is removed only
/// when its name is an installed executable's and its bytes are that
/// executable's, so a file the user put there under that name stays.
fn remove_bin_copies(layout: &Layout, receipts: &[Receipt]) -> Result<()> {
    for receipt in receipts {
        let executables: Vec<&crate::receipt::InstalledFile> =
            receipt.files.iter().filter(|f| f.executable).collect();
        let names: Vec<String> = executables.iter().map(|f| f.path.clone()).collect();
        let entries = crate::sys::bin_entries(std::env::consts::OS, layout, &receipt.dir, &names);
        for (entry, file) in entries.iter().zip(&executables) {
            let ours = entry.kind == crate::sys::BinKind::HardLinkOrCopy
                && crate::digest::Sha256::of_file(&entry.path).is_ok_and(|h| h == file.sha256);
            if ours {
                std::fs::remove_file(&entry.path).at("remove", &entry.path)?;
            }
        }
    }
    Ok(())
}

/// Rewrites the state with its high-water marks alone (removes it when there are none).
fn keep_only_high_water_marks(layout: &Layout) -> Result<()> {
    let path = layout.state_path();
    let marks = State::load(&path)?.index_high_water;
    if marks.is_empty() {
        let _ = std::fs::remove_file(&path);
        return Ok(());
    }
    State {
        index_high_water: marks,
        ..State::default()
    }
    .save(&path)
}

/// `self uninstall`: what `uninstall --all` keeps, the high-water marks and the prefix.
pub fn forget_high_water_marks(layout: &Layout) {
    let _ = std::fs::remove_file(layout.state_path());
    let _ = std::fs::remove_dir(&layout.prefix);
}

/// Links in the bin dir that point into the prefix; other files stay.
fn remove_bin_links(layout: &Layout) -> Result<()> {
    let entries = match std::fs::read_dir(&layout.bin_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("read", &layout.bin_dir, e)),
    };
    for entry in entries {
        let path = entry.at("read", &layout.bin_dir)?.path();
        if std::fs::read_link(&path).is_ok_and(|target| target.starts_with(&layout.prefix)) {
            std::fs::remove_file(&path).at("remove", &path)?;
        }
    }
    Ok(())
}
