//! The transaction that puts a verified archive in place: extract into a
//! private staging directory, move it under `versions/`, write its receipt,
//! link the executables into the bin dir, then switch `current` with one rename.
//! Every change is recorded and undone if a later step fails, so a failure
//! leaves the previous installation exactly as it was.

use std::path::{Path, PathBuf};

use crate::atomic;
use crate::error::{Error, IoContext, Result};
use crate::extract::{self, ArchiveKind, Limits};
use crate::layout::Layout;
use crate::receipt::{InstalledFile, Receipt};

/// Everything known about a verified download that is about to be installed.
#[derive(Clone, Debug)]
pub struct Verified {
    pub product: String,
    pub version: String,
    pub target: String,
    pub variant: Option<String>,
    pub asset: String,
    pub sha256: String,
    pub source: String,
    /// The downloaded file, whose bytes hashed to `sha256`.
    pub archive: PathBuf,
    /// Names of the executables that may be linked into the bin dir.
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
}

/// Changes made so far; undone on drop unless committed.
#[derive(Default)]
pub struct Transaction {
    undo: Vec<Undo>,
    /// Backups that are only needed until the commit.
    backups: Vec<PathBuf>,
    committed: bool,
}

impl Transaction {
    fn record(&mut self, undo: Undo) {
        self.undo.push(undo);
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
                        Some(target) => atomic::replace_symlink(&target, &link).map(|_| ()),
                        None => {
                            std::fs::remove_file(&link).map_err(|e| Error::io("remove", &link, e))
                        }
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

/// Installs `verified` as a version directory and makes it active. Returns the
/// receipt and the version that was active before, if any.
pub fn install(
    layout: &Layout,
    verified: &Verified,
    self_exe: Option<&Path>,
) -> Result<(Receipt, Option<String>)> {
    let mut tx = Transaction::default();
    let staging = private_temp_dir(layout, "stage-")?;
    let bare_name = verified
        .executables
        .first()
        .cloned()
        .unwrap_or_else(|| verified.product.clone());
    let kind = ArchiveKind::from_asset_name(&verified.asset);
    let extracted = extract::extract_verified(
        &verified.archive,
        &verified.sha256,
        kind,
        &bare_name,
        staging.path(),
        &Limits::default(),
    )?;
    let executables = mark_executables(staging.path(), &extracted.files, &verified.executables)?;
    if executables.is_empty() {
        return Err(Error::verification_with_hint(
            format!(
                "{} contains none of the expected executables ({})",
                verified.asset,
                verified.executables.join(", ")
            ),
            "the release is malformed; report it to the publisher.",
        ));
    }
    let files = hash_files(staging.path(), &extracted.files, &executables)?;

    let versions = layout.versions_dir();
    std::fs::create_dir_all(&versions).at("create", &versions)?;
    let dir_name = free_dir_name(&versions, &verified.version);
    let version_dir = versions.join(&dir_name);
    let staged = staging.keep();
    std::fs::rename(&staged, &version_dir).at("move into place", &version_dir)?;
    tx.record(Undo::RemoveDir(version_dir.clone()));
    atomic::sync_parent(&version_dir)?;

    let old_receipt_path = layout.receipt_path(&verified.version);
    let old_receipt = Receipt::read(&old_receipt_path).ok();
    let receipt = Receipt {
        schema: crate::receipt::SCHEMA,
        product: verified.product.clone(),
        version: verified.version.clone(),
        target: verified.target.clone(),
        variant: verified.variant.clone(),
        asset: verified.asset.clone(),
        sha256: verified.sha256.clone(),
        source: verified.source.clone(),
        dir: dir_name.clone(),
        files,
        installed_at: verified.installed_at,
        installer_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    std::fs::create_dir_all(layout.receipts_dir()).at("create", &layout.receipts_dir())?;
    backup_file(&old_receipt_path, &mut tx)?;
    receipt.write(&old_receipt_path)?;

    link_executables(layout, &executables, &mut tx)?;
    if let Some(exe) = self_exe {
        copy_self(exe, &layout.bin_dir, &mut tx)?;
    }

    let previous = active_version(layout);
    switch_current(layout, &dir_name, &mut tx)?;
    tx.commit();

    if let Some(old) = old_receipt.filter(|old| old.dir != dir_name) {
        let _ = std::fs::remove_dir_all(versions.join(old.dir));
    }
    Ok((receipt, previous))
}

/// The active version: the receipt of the directory `current` points at.
pub fn active_version(layout: &Layout) -> Option<String> {
    let dir = layout.active_dir_name()?;
    crate::receipt::read_all(&layout.receipts_dir())
        .ok()?
        .into_iter()
        .find(|r| r.dir == dir)
        .map(|r| r.version)
}

/// Points `current` at `versions/<dir_name>` in one rename.
pub fn switch_current(layout: &Layout, dir_name: &str, tx: &mut Transaction) -> Result<()> {
    let link = layout.current_link();
    let before = std::fs::read_link(&link).ok();
    atomic::replace_symlink(&Path::new("versions").join(dir_name), &link)?;
    tx.record(Undo::RestoreLink {
        link,
        target: before,
    });
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

/// The declared executables present at the top of the staging dir, made 0755.
fn mark_executables(staging: &Path, files: &[PathBuf], declared: &[String]) -> Result<Vec<String>> {
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

fn hash_files(
    staging: &Path,
    files: &[PathBuf],
    executables: &[String],
) -> Result<Vec<InstalledFile>> {
    files
        .iter()
        .map(|relative| {
            let path = staging.join(relative);
            let sha256 = crate::verify::sha256_file(&path).at("hash", &path)?;
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

/// `<bin>/<exe>` → `<prefix>/current/<exe>` for each executable, so switching
/// versions never touches the bin dir. A foreign file in the way is refused.
fn link_executables(layout: &Layout, executables: &[String], tx: &mut Transaction) -> Result<()> {
    let bin = &layout.bin_dir;
    std::fs::create_dir_all(bin).at("create", bin)?;
    for exe in executables {
        let link = bin.join(exe);
        let target = layout.current_link().join(exe);
        let before = std::fs::read_link(&link).ok();
        match &before {
            Some(existing) if *existing == target => continue,
            Some(existing) if existing.starts_with(&layout.prefix) => {}
            _ if std::fs::symlink_metadata(&link).is_ok() => {
                return Err(Error::local(
                    "link",
                    &link,
                    "a file that bitnet-install did not create is in the way",
                    "move that file away (or choose another --bin-dir) and run the install again.",
                ));
            }
            _ => {}
        }
        atomic::replace_symlink(&target, &link)?;
        tx.record(Undo::RestoreLink {
            link,
            target: before,
        });
    }
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
