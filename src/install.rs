//! The transaction that puts a verified archive in place: extract into a
//! private staging directory, move it under `versions/`, write its receipt,
//! link the executables into the bin dir, then switch `current` with one rename.
//! Every change is recorded and undone if a later step fails, so a failure
//! leaves the previous installation exactly as it was.

use std::path::{Path, PathBuf};

use crate::archive::Format;
use crate::atomic;
use crate::error::{Error, IoContext, Result};
use crate::extract::{self, Limits};
use crate::faults;
use crate::hashed::HashedFile;
use crate::interrupt;
use crate::layout::Layout;
use crate::progress::Progress;
use crate::receipt::{InstalledFile, Origin, Receipt};
use crate::sys::{self, bin_entries, BinEntry, BinKind, BinOp};

/// Everything known about a verified download that is about to be installed.
#[derive(Clone, Debug)]
pub struct Verified {
    pub origin: Origin,
    /// Names of the executables that may be linked into the bin dir; empty
    /// for a foreign release, whose executables are found after extraction.
    pub executables: Vec<String>,
    pub installed_at: u64,
}

/// One recorded change and how to take it back.
enum Undo {
    RemoveDir(PathBuf),
    RemoveFile(PathBuf),
    RestoreFile {
        backup: PathBuf,
        path: PathBuf,
    },
    RestoreLink {
        link: PathBuf,
        target: Option<PathBuf>,
    },
    RestorePointer {
        pointer: PathBuf,
        dir_name: Option<String>,
    },
}

/// Changes made so far; undone on drop unless committed. A signal waits
/// until then (the hold is dropped after the undo).
pub struct Transaction {
    undo: Vec<Undo>,
    /// Backups that are only needed until the commit.
    backups: Vec<PathBuf>,
    committed: bool,
    _signals: interrupt::Hold,
}

impl Default for Transaction {
    fn default() -> Self {
        Transaction {
            undo: Vec::new(),
            backups: Vec::new(),
            committed: false,
            _signals: interrupt::hold(),
        }
    }
}

impl Transaction {
    fn record(&mut self, undo: Undo) {
        self.undo.push(undo);
    }

    /// Saves a copy of `path` (or notes that it did not exist), so that
    /// undoing puts it back after a later step rewrote it.
    pub fn keep_copy(&mut self, path: &Path) -> Result<()> {
        backup_file(path, self)
    }

    pub fn commit(mut self) {
        self.committed = true;
        for backup in self.backups.drain(..) {
            let _ = std::fs::remove_file(backup);
        }
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for undo in self.undo.drain(..).rev() {
            match undo {
                Undo::RemoveDir(dir) => {
                    let _ = std::fs::remove_dir_all(dir);
                }
                Undo::RemoveFile(file) => {
                    let _ = std::fs::remove_file(file);
                }
                Undo::RestoreFile { backup, path } => {
                    let _ = std::fs::rename(backup, path);
                }
                Undo::RestoreLink { link, target } => {
                    let _ = match target {
                        Some(source) => sys::place_bin_entry(&BinEntry {
                            path: link,
                            source,
                            kind: BinKind::Symlink,
                        }),
                        None => {
                            std::fs::remove_file(&link).map_err(|e| Error::io("remove", &link, e))
                        }
                    };
                }
                Undo::RestorePointer { pointer, dir_name } => {
                    let _ = match dir_name {
                        Some(dir_name) => sys::write_pointer(&pointer, &dir_name),
                        None => std::fs::remove_file(&pointer)
                            .map_err(|e| Error::io("remove", &pointer, e)),
                    };
                }
            }
        }
    }
}

/// A fresh private directory under the prefix's `tmp/`.
pub fn private_temp_dir(layout: &Layout, prefix: &str) -> Result<tempfile::TempDir> {
    let tmp = layout.tmp_dir();
    std::fs::create_dir_all(&tmp).at("create", &tmp)?;
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(&tmp)
        .at("create a directory in", &tmp)
}

/// An installed version not yet active, with its transaction still open: the
/// caller saves its state, switches, then commits; dropping it instead puts
/// the previous installation back.
pub struct Installed {
    pub receipt: Receipt,
    /// The version that was active before, if any.
    pub previous: Option<String>,
    tx: Transaction,
    /// A forced reinstall's old directory, removed once the new one is committed.
    replaced_dir: Option<PathBuf>,
}

impl Installed {
    /// Writes the state file inside the transaction: undone with the rest.
    /// Saved before the switch, so a crash in between leaves `previous`
    /// naming the version that is still active, which is harmless.
    pub fn save_state(&mut self, state: &crate::state::State, path: &Path) -> Result<()> {
        self.tx.keep_copy(path)?;
        state.save(path)
    }

    /// Makes the new version the active one: one rename of `current`.
    pub fn switch(&mut self, layout: &Layout) -> Result<()> {
        switch_current(layout, &self.receipt.dir, &mut self.tx)?;
        faults::checkpoint("current-switched").at("switch", &layout.current_link())
    }

    pub fn commit(self) {
        self.tx.commit();
        // Past this point the new version stays: a crash only leaves the
        // replaced directory, which the next run's clean-up removes.
        let _ = faults::checkpoint("committed");
        if let Some(dir) = self.replaced_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Installs `verified`, unpacked from `archive` (the download, whose bytes
/// hashed to `verified.origin.sha256`), as a version directory with its
/// receipt and bin-dir entries, leaving the switch and the commit to the
/// caller (see `Installed`).
pub fn install(
    layout: &Layout,
    verified: &Verified,
    archive: &mut HashedFile,
    self_exe: Option<&Path>,
    progress: &Progress,
) -> Result<Installed> {
    let mut tx = Transaction::default();
    let staging = private_temp_dir(layout, "stage-")?;
    let bare_name = verified
        .executables
        .first()
        .cloned()
        .unwrap_or_else(|| verified.origin.product.clone());
    let kind = Format::of_asset(&verified.origin.asset)?;
    let phase = progress.phase("extraction");
    let extracted = extract::extract_verified(
        archive,
        kind,
        &bare_name,
        staging.path(),
        &Limits::default(),
    )?;
    phase.end();
    if verified.executables.is_empty() {
        let found = discover_executables(staging.path(), &extracted.files);
        if found.is_empty() {
            return Err(Error::other(
                format!(
                    "{} has no executable at its top or in bin/",
                    verified.origin.asset
                ),
                "this release does not look like a command-line tool; pick another repository or version.",
            ));
        }
    }
    let executables = mark_executables(staging.path(), &extracted.files, &verified.executables)?;
    // A command missing from an archive would leave its bin-dir link of the
    // previous version dangling (or pointing at a directory of that name).
    if !matches!(kind, Format::Bare) {
        if let Some(missing) = missing_command(&verified.executables, &executables) {
            return Err(Error::verification_with_hint(
                format!(
                    "{} has no regular file {missing} at its top, a command it must hold",
                    verified.origin.asset
                ),
                "the release is malformed; report it to the publisher.",
            ));
        }
    }
    if executables.is_empty() {
        return Err(Error::verification_with_hint(
            format!(
                "{} contains none of the expected executables ({})",
                verified.origin.asset,
                verified.executables.join(", ")
            ),
            "the release is malformed; report it to the publisher.",
        ));
    }
    let phase = progress.phase("receipt hashing");
    let files = receipt_files(&extracted, &executables)?;
    phase.end();
    faults::checkpoint("extracted").at("extract into", staging.path())?;

    let versions = layout.versions_dir();
    std::fs::create_dir_all(&versions).at("create", &versions)?;
    let dir_name = free_dir_name(&versions, &verified.origin.version);
    let version_dir = versions.join(&dir_name);
    std::fs::rename(staging.path(), &version_dir).at("move into place", &version_dir)?;
    // The staging directory is now the version directory: the transaction owns it.
    let _ = staging.keep();
    tx.record(Undo::RemoveDir(version_dir.clone()));
    atomic::sync_parent(&version_dir)?;
    faults::checkpoint("version-dir-moved").at("move into place", &version_dir)?;

    let old_receipt_path = layout.receipt_path(&verified.origin.version);
    let old_receipt = Receipt::read(&old_receipt_path).ok();
    let receipt = Receipt {
        schema: crate::receipt::SCHEMA,
        origin: verified.origin.clone(),
        dir: dir_name.clone(),
        files,
        installed_at: verified.installed_at,
        installer_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    std::fs::create_dir_all(layout.receipts_dir()).at("create", &layout.receipts_dir())?;
    backup_file(&old_receipt_path, &mut tx)?;
    receipt.write(&old_receipt_path)?;

    link_executables(layout, &dir_name, &executables, &mut tx)?;
    faults::checkpoint("executables-linked").at("link into", &layout.bin_dir)?;
    if let Some(exe) = self_exe {
        copy_self(exe, &layout.bin_dir, &mut tx)?;
    }
    faults::checkpoint("installer-copied").at("copy into", &layout.bin_dir)?;

    Ok(Installed {
        previous: active_version(layout),
        receipt,
        tx,
        replaced_dir: old_receipt
            .filter(|old| old.dir != dir_name)
            .map(|old| versions.join(old.dir)),
    })
}

/// Clears what a killed run left behind; called with the lock held, so no
/// other run is using any of it. A receipt that a forced reinstall had
/// replaced but not yet activated is put back; staging and download
/// directories, temporary siblings and version directories that no receipt
/// and not `current` refer to are removed. Best effort: whatever stays is
/// harmless and tried again next time.
pub fn clean_leftovers(layout: &Layout) {
    interrupt::remove_scratch(&layout.tmp_dir());
    crate::download::remove_stale_partials(&layout.partial_dir());
    restore_receipt_backups(layout);
    for dir in [&layout.prefix, &layout.receipts_dir(), &layout.bin_dir] {
        remove_temp_siblings(dir);
    }
    remove_orphan_version_dirs(layout);
}

fn restore_receipt_backups(layout: &Layout) {
    let active = sys::read_pointer(&layout.current_link());
    let Ok(entries) = std::fs::read_dir(layout.receipts_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(atomic::is_temp_sibling(&name) && name.contains(".json.backup.")) {
            continue;
        }
        let backup = entry.path();
        let Ok(saved) = Receipt::read(&backup) else {
            continue;
        };
        let live = layout.receipt_path(&saved.origin.version);
        let live_dir = Receipt::read(&live).ok().map(|r| r.dir);
        if active.as_deref() == Some(saved.dir.as_str()) && live_dir != active {
            let _ = std::fs::rename(&backup, &live);
        }
    }
}

fn remove_temp_siblings(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if atomic::is_temp_sibling(&entry.file_name().to_string_lossy()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn remove_orphan_version_dirs(layout: &Layout) {
    let Ok(receipts) = crate::receipt::read_all(&layout.receipts_dir()) else {
        return;
    };
    let active = sys::read_pointer(&layout.current_link());
    let Ok(entries) = std::fs::read_dir(layout.versions_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let referenced =
            active.as_deref() == Some(name.as_str()) || receipts.iter().any(|r| r.dir == name);
        if !referenced {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The active version: the receipt of the directory `current` points at.
pub fn active_version(layout: &Layout) -> Option<String> {
    let dir = sys::read_pointer(&layout.current_link())?;
    crate::receipt::read_all(&layout.receipts_dir())
        .ok()?
        .into_iter()
        .find(|r| r.dir == dir)
        .map(|r| r.origin.version)
}

/// Points `current` at `versions/<dir_name>` in one rename, then brings the
/// bin dir in line with that version (`sys::relink_plan`): every caller that
/// switches versions (install, use, rollback, update, uninstall) gets both.
pub fn switch_current(layout: &Layout, dir_name: &str, tx: &mut Transaction) -> Result<()> {
    let pointer = layout.current_link();
    let before = sys::read_pointer(&pointer);
    let receipts = crate::receipt::read_all(&layout.receipts_dir())?;
    let old = before
        .as_deref()
        .map(|dir| (dir, executables_of(&receipts, dir)));
    let new_executables = executables_of(&receipts, dir_name);
    sys::write_pointer(&pointer, dir_name)?;
    tx.record(Undo::RestorePointer {
        pointer,
        dir_name: before.clone(),
    });
    let plan = sys::relink_plan(
        std::env::consts::OS,
        layout,
        old.as_ref().map(|(dir, exes)| (*dir, exes.as_slice())),
        (dir_name, &new_executables),
    );
    apply_bin_ops(layout, plan, tx)
}

/// Re-makes the bin-dir entries of the active version, from its receipt. A run
/// killed between the pointer switch and the re-linking leaves Windows'
/// entries (files of one version) behind the pointer; any later `use` or
/// install of the active version repairs them. Links already right are left
/// as they are.
pub fn relink_active(layout: &Layout, active: &Receipt) -> Result<()> {
    let executables = executables_of(std::slice::from_ref(active), &active.dir);
    let plan = sys::relink_plan(
        std::env::consts::OS,
        layout,
        None,
        (&active.dir, &executables),
    );
    let mut tx = Transaction::default();
    apply_bin_ops(layout, plan, &mut tx)?;
    tx.commit();
    Ok(())
}

/// The executables the receipt of the version in `dir` lists.
fn executables_of(receipts: &[Receipt], dir: &str) -> Vec<String> {
    receipts
        .iter()
        .filter(|r| r.dir == dir)
        .flat_map(|r| r.files.iter().filter(|f| f.executable))
        .map(|f| f.path.clone())
        .collect()
}

/// Carries out a bin-dir plan, recording how to undo each step.
fn apply_bin_ops(layout: &Layout, plan: Vec<BinOp>, tx: &mut Transaction) -> Result<()> {
    if !plan.is_empty() {
        std::fs::create_dir_all(&layout.bin_dir).at("create", &layout.bin_dir)?;
    }
    for op in plan {
        match op {
            BinOp::Place(entry) => place_bin_entry(layout, &entry, tx)?,
            BinOp::Remove(path) => remove_bin_entry(layout, &path, tx)?,
        }
    }
    Ok(())
}

/// Removes a previous version's entry: a link only when it points into the
/// prefix; a Windows file (hard link or copy) as made by `place_bin_entry`.
fn remove_bin_entry(layout: &Layout, path: &Path, tx: &mut Transaction) -> Result<()> {
    match std::fs::read_link(path) {
        Ok(target) if target.starts_with(&layout.prefix) => {
            std::fs::remove_file(path).at("remove", path)?;
            tx.record(Undo::RestoreLink {
                link: path.to_path_buf(),
                target: Some(target),
            });
        }
        Ok(_) => {}
        Err(_) if cfg!(windows) && path.is_file() => {
            backup_file(path, tx)?;
            std::fs::remove_file(path).at("remove", path)?;
        }
        Err(_) => {}
    }
    Ok(())
}

/// `<version>`, or `<version>.1`, `.2`… when a forced reinstall must not touch
/// the directory that is running now.
fn free_dir_name(versions: &Path, version: &str) -> String {
    std::iter::once(version.to_string())
        .chain((1..).map(|n| format!("{version}.{n}")))
        .find(|name| std::fs::symlink_metadata(versions.join(name)).is_err())
        .unwrap_or_else(|| version.to_string())
}

/// The declared executables present at the top of the staging dir, made 0755;
/// with none declared (a foreign release), the ones `discover_executables` finds.
fn mark_executables(staging: &Path, files: &[PathBuf], declared: &[String]) -> Result<Vec<String>> {
    if declared.is_empty() {
        return Ok(discover_executables(staging, files));
    }
    let mut found = Vec::new();
    for name in declared {
        for candidate in [name.clone(), format!("{name}.exe")] {
            if files.iter().any(|f| f == Path::new(&candidate)) {
                atomic::set_mode(&staging.join(&candidate), 0o755)?;
                found.push(candidate);
            }
        }
    }
    Ok(found)
}

/// The first declared command that `found` has neither as is nor as `.exe`.
fn missing_command<'a>(declared: &'a [String], found: &[String]) -> Option<&'a str> {
    declared
        .iter()
        .find(|name| {
            !found
                .iter()
                .any(|f| f == *name || *f == format!("{name}.exe"))
        })
        .map(String::as_str)
}

/// A foreign release's commands: regular files with an execute bit (or named
/// `.exe`) at the top of the archive or directly in `bin/` (after the strip of
/// a single top directory), leaving out libraries and shell scripts, which
/// are rarely commands of their own. Names are relative paths, one per file
/// name, since each becomes `<bin-dir>/<file name>`.
fn discover_executables(staging: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for relative in files {
        let Some(name) = relative
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
        else {
            continue;
        };
        let parent = relative.parent().unwrap_or(Path::new(""));
        let at_command_place = parent == Path::new("") || parent == Path::new("bin");
        if !at_command_place || name.starts_with('.') || is_library_or_script(&name) {
            continue;
        }
        if !(name.to_ascii_lowercase().ends_with(".exe")
            || has_execute_bit(&staging.join(relative)))
        {
            continue;
        }
        let taken = found
            .iter()
            .any(|f| Path::new(f).file_name() == relative.file_name());
        if !taken {
            found.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    found
}

fn is_library_or_script(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".so", ".dylib", ".dll", ".sh", ".a", ".lib"]
        .iter()
        .any(|ext| lower.ends_with(ext))
        || lower.contains(".so.")
}

#[cfg(unix)]
fn has_execute_bit(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn has_execute_bit(_path: &Path) -> bool {
    false
}

/// The receipt's list: each file with the hash of the bytes extraction wrote.
fn receipt_files(
    extracted: &extract::Extracted,
    executables: &[String],
) -> Result<Vec<InstalledFile>> {
    extracted
        .files
        .iter()
        .map(|relative| {
            let sha256 = *extracted
                .sha256
                .get(relative)
                .ok_or_else(|| Error::internal("an extracted file has no hash"))?;
            let name = relative.to_string_lossy().replace('\\', "/");
            Ok(InstalledFile {
                executable: executables.contains(&name),
                path: name,
                sha256,
            })
        })
        .collect()
}

/// Keeps a copy of a file that a step is about to replace, restored on failure.
fn backup_file(path: &Path, tx: &mut Transaction) -> Result<()> {
    if std::fs::symlink_metadata(path).is_err() {
        tx.record(Undo::RemoveFile(path.to_path_buf()));
        return Ok(());
    }
    let backup = atomic::temp_sibling(path, "backup");
    std::fs::copy(path, &backup).at("back up", path)?;
    tx.backups.push(backup.clone());
    tx.record(Undo::RestoreFile {
        backup,
        path: path.to_path_buf(),
    });
    Ok(())
}

/// Puts each executable in the bin dir (see `bin_entries`). A foreign file
/// in the way is refused.
fn link_executables(
    layout: &Layout,
    dir_name: &str,
    executables: &[String],
    tx: &mut Transaction,
) -> Result<()> {
    let bin = &layout.bin_dir;
    std::fs::create_dir_all(bin).at("create", bin)?;
    for entry in bin_entries(std::env::consts::OS, layout, dir_name, executables) {
        place_bin_entry(layout, &entry, tx)?;
    }
    Ok(())
}

fn place_bin_entry(layout: &Layout, entry: &BinEntry, tx: &mut Transaction) -> Result<()> {
    match entry.kind {
        BinKind::Symlink => place_symlink(layout, entry, tx),
        BinKind::HardLinkOrCopy => {
            backup_file(&entry.path, tx)?;
            sys::place_bin_entry(entry)
        }
    }
}

fn place_symlink(layout: &Layout, entry: &BinEntry, tx: &mut Transaction) -> Result<()> {
    let link = &entry.path;
    let before = std::fs::read_link(link).ok();
    match &before {
        Some(existing) if *existing == entry.source => return Ok(()),
        Some(existing) if existing.starts_with(&layout.prefix) => {}
        _ if std::fs::symlink_metadata(link).is_ok() => {
            return Err(Error::local(
                "link",
                link,
                "a file that bitnet-install did not create is in the way",
                "move that file away (or choose another --bin-dir) and run the install again.",
            ));
        }
        _ => {}
    }
    sys::place_bin_entry(entry)?;
    tx.record(Undo::RestoreLink {
        link: link.clone(),
        target: before,
    });
    Ok(())
}

/// Copies the running installer into the bin dir, so that `bitnet-install`
/// stays available after the temporary copy a bootstrap script ran is gone.
fn copy_self(exe: &Path, bin: &Path, tx: &mut Transaction) -> Result<()> {
    let name = if cfg!(windows) {
        "bitnet-install.exe"
    } else {
        "bitnet-install"
    };
    let dest = bin.join(name);
    if same_file(exe, &dest) {
        return Ok(());
    }
    backup_file(&dest, tx)?;
    atomic::copy_file(exe, &dest, 0o755)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout {
            prefix: PathBuf::from("/p"),
            bin_dir: PathBuf::from("/b"),
            cache_dir: PathBuf::from("/c"),
        }
    }

    #[test]
    fn unix_bin_entries_are_links_through_current() {
        let exes = vec!["bitnet-cli".to_string(), "bitnet-server".to_string()];
        let entries = bin_entries("linux", &layout(), "0.3.2", &exes);
        assert_eq!(
            entries[0],
            BinEntry {
                path: PathBuf::from("/b/bitnet-cli"),
                source: PathBuf::from("/p/current/bitnet-cli"),
                kind: BinKind::Symlink,
            }
        );
        assert_eq!(entries[1].path, PathBuf::from("/b/bitnet-server"));
        assert_eq!(
            bin_entries("macos", &layout(), "0.3.2", &exes)[0].kind,
            BinKind::Symlink
        );
    }

    #[test]
    fn windows_bin_entries_are_copies_of_the_active_version() {
        let exes = vec!["bitnet-cli.exe".to_string(), "bitnet-server".to_string()];
        let entries = bin_entries("windows", &layout(), "0.3.2.1", &exes);
        assert_eq!(
            entries,
            vec![
                BinEntry {
                    path: PathBuf::from("/b/bitnet-cli.exe"),
                    source: PathBuf::from("/p/versions/0.3.2.1/bitnet-cli.exe"),
                    kind: BinKind::HardLinkOrCopy,
                },
                BinEntry {
                    path: PathBuf::from("/b/bitnet-server.exe"),
                    source: PathBuf::from("/p/versions/0.3.2.1/bitnet-server.exe"),
                    kind: BinKind::HardLinkOrCopy,
                },
            ]
        );
    }

    #[test]
    fn executables_in_bin_are_linked_by_file_name() {
        let exes = vec!["bin/rg".to_string(), "jq".to_string()];
        let entries = bin_entries("linux", &layout(), "14.1.0", &exes);
        assert_eq!(entries[0].path, PathBuf::from("/b/rg"));
        assert_eq!(entries[0].source, PathBuf::from("/p/current/bin/rg"));
        assert_eq!(entries[1].path, PathBuf::from("/b/jq"));
        let entries = bin_entries("windows", &layout(), "14.1.0", &exes);
        assert_eq!(entries[0].path, PathBuf::from("/b/rg.exe"));
        assert_eq!(
            entries[0].source,
            PathBuf::from("/p/versions/14.1.0/bin/rg.exe")
        );
    }

    #[cfg(unix)]
    #[test]
    fn foreign_executables_are_discovered_at_the_top_and_in_bin() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let files = [
            ("rg", 0o755),
            ("README.md", 0o644),
            ("complete/rg.bash", 0o755),
            ("bin/llama-cli", 0o755),
            ("bin/libggml.so", 0o755),
            ("bin/libfoo.so.1", 0o755),
            ("install.sh", 0o755),
            ("tool.exe", 0o644),
            ("bin/rg", 0o755),
            ("doc/tool", 0o755),
        ];
        let mut relative = Vec::new();
        for (path, mode) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, b"x").unwrap();
            std::fs::set_permissions(&full, std::fs::Permissions::from_mode(mode)).unwrap();
            relative.push(PathBuf::from(path));
        }
        relative.sort();
        assert_eq!(
            discover_executables(dir.path(), &relative),
            ["bin/llama-cli", "bin/rg", "tool.exe"]
        );
    }

    #[test]
    fn a_killed_runs_leftovers_are_cleared_and_a_replaced_receipt_restored() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout {
            prefix: dir.path().join("prefix"),
            bin_dir: dir.path().join("bin"),
            cache_dir: dir.path().join("cache"),
        };
        let receipt = |dir_name: &str| Receipt {
            schema: 1,
            origin: Origin {
                product: "bitnet".into(),
                version: "0.3.2".into(),
                target: "t".into(),
                variant: None,
                asset: "a".into(),
                sha256: crate::digest::Sha256::of(b""),
                source: "s".into(),
            },
            dir: dir_name.into(),
            files: vec![],
            installed_at: 0,
            installer_version: "0".into(),
        };
        for d in ["0.3.2", "0.3.2.1", "orphan"] {
            std::fs::create_dir_all(layout.versions_dir().join(d)).unwrap();
        }
        std::fs::create_dir_all(layout.receipts_dir()).unwrap();
        std::fs::create_dir_all(layout.tmp_dir().join("stage-x")).unwrap();
        std::fs::create_dir_all(&layout.bin_dir).unwrap();
        sys::write_pointer(&layout.current_link(), "0.3.2").unwrap();
        // A forced reinstall killed after writing the new receipt, before the switch.
        receipt("0.3.2.1")
            .write(&layout.receipt_path("0.3.2"))
            .unwrap();
        let backup = atomic::temp_sibling(&layout.receipt_path("0.3.2"), "backup");
        receipt("0.3.2").write(&backup).unwrap();
        let stray_state = atomic::temp_sibling(&layout.state_path(), "new");
        std::fs::write(&stray_state, b"{").unwrap();
        let stray_link = atomic::temp_sibling(&layout.bin_dir.join("bitnet-cli"), "link");
        std::fs::write(&stray_link, b"").unwrap();
        std::fs::write(layout.bin_dir.join(".user.tmp"), b"mine").unwrap();

        clean_leftovers(&layout);

        assert_eq!(
            Receipt::read(&layout.receipt_path("0.3.2")).unwrap().dir,
            "0.3.2"
        );
        assert_eq!(active_version(&layout).as_deref(), Some("0.3.2"));
        assert!(!backup.exists() && !stray_state.exists() && !stray_link.exists());
        assert!(layout.bin_dir.join(".user.tmp").exists());
        assert_eq!(std::fs::read_dir(layout.tmp_dir()).unwrap().count(), 0);
        let mut left: Vec<String> = std::fs::read_dir(layout.versions_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["0.3.2"]);
    }
}
