//! The installer's own releases (product `bitnet-install`): `self update`
//! resolves, downloads and verifies them exactly like a product release, keeps
//! the running copy for `self rollback`, then replaces the running executable
//! (self-replace handles Windows, where a running file cannot be overwritten).
//! `self uninstall` removes everything, then the installer itself.

use std::path::{Path, PathBuf};

use crate::config::INSTALLER;
use crate::context::Context;
use crate::error::{exit, Error, IoContext, Result};
use crate::plan::{self, Kind, Product};
use crate::report::{SelfReport, SelfUninstallReport, UpdateCheckReport};
use crate::state::State;
use crate::version::{self, Requirement};

const INSTALLER_EXECUTABLES: &[&str] = &[INSTALLER];

/// What `self update` replaces the running copy with, or what it found.
pub enum SelfUpdate {
    Checked(UpdateCheckReport),
    Replaced(SelfReport),
}

impl SelfUpdate {
    /// The contract's exit code: 10 for `--check` with an update available.
    pub fn exit_code(&self) -> i32 {
        match self {
            SelfUpdate::Checked(r) if r.update_available => exit::UPDATE_AVAILABLE,
            _ => exit::OK,
        }
    }
}

/// Where the previous copy of the installer is kept.
fn kept_copy(ctx: &Context, version: &str) -> PathBuf {
    ctx.config
        .layout
        .prefix
        .join("installer")
        .join(format!("{INSTALLER}-{version}"))
}

fn running_version() -> semver::Version {
    version::parse_version(env!("CARGO_PKG_VERSION")).unwrap_or(semver::Version::new(0, 0, 0))
}

/// Lists the installer's own releases once, and unless `check` (or the
/// running copy is the newest) replaces the running executable with the
/// newest, verified exactly as a product release is.
pub fn update(ctx: &Context, check: bool) -> Result<SelfUpdate> {
    let current = running_version();
    let exe = running_executable(ctx)?;
    if !check {
        refuse_managed(&exe)?;
    }
    let state = State::load(&ctx.config.layout.state_path())?;
    let product = Product {
        name: INSTALLER,
        executables: INSTALLER_EXECUTABLES,
        source: &ctx.config.update_source,
        kind: Kind::Signed,
    };
    let listing = plan::list(ctx, INSTALLER, product.source, &state)?;
    let newest = listing
        .pick(&ctx.config.requirement, ctx.config.channel)?
        .offered
        .version
        .clone();
    let newer = plan::is_newer(&newest, Some(&current));
    if check || !newer {
        return Ok(SelfUpdate::Checked(UpdateCheckReport {
            update_available: newer,
            active: Some(current.to_string()),
            latest: newest.to_string(),
            product: INSTALLER.to_string(),
        }));
    }
    let _lock = ctx.lock()?;
    let plan = plan::resolve(ctx, &product, &listing, &Requirement::exact(&newest))?;
    if ctx.config.dry_run {
        return Ok(SelfUpdate::Replaced(SelfReport {
            version: newest.to_string(),
            previous: current.to_string(),
            asset: Some(plan.asset.name.clone()),
            sha256: plan.evidence.sha256(),
            dry_run: true,
            human: format!("would replace {} with {INSTALLER} {newest}", exe.display()),
        }));
    }
    let work = crate::install::private_temp_dir(&ctx.config.layout, "self-")?;
    let mut downloaded = plan.download(ctx, &product, work.path())?;
    // `self_replace` takes a path: a private copy made from the handle the
    // bytes were hashed through, never the download's path, which may be the
    // cache's.
    let replacement = work.path().join(INSTALLER);
    downloaded.copy_to(&replacement)?;
    crate::atomic::set_mode(&replacement, 0o755)?;
    keep_running_copy(ctx, &exe, &current.to_string())?;
    self_replace::self_replace(&replacement).map_err(|e| Error::io("replace", &exe, e))?;
    if let Some((root, mark)) = &plan.index_mark {
        let mut state = State::load(&ctx.config.layout.state_path())?;
        state.record_index(root, *mark);
        state.save(&ctx.config.layout.state_path())?;
    }
    Ok(SelfUpdate::Replaced(SelfReport {
        version: newest.to_string(),
        previous: current.to_string(),
        asset: Some(plan.asset.name.clone()),
        sha256: Some(downloaded.sha256()),
        dry_run: false,
        human: format!("{INSTALLER} updated from {current} to {newest}"),
    }))
}

fn running_executable(ctx: &Context) -> Result<PathBuf> {
    ctx.env.current_exe.clone().ok_or_else(|| {
        Error::other(
            "cannot tell where the running installer is",
            "download the new installer by hand and replace this one.",
        )
    })
}

/// A copy that a package manager installed is the package manager's to update.
fn refuse_managed(exe: &Path) -> Result<()> {
    if let Some(manager) = package_manager_of(exe) {
        return Err(Error::other(
            format!("{} was installed by {manager}", exe.display()),
            format!(
                "update it with {manager} instead (for example `{}`).",
                manager_update_command(manager)
            ),
        ));
    }
    let dir = exe.parent().unwrap_or(Path::new("."));
    let probe = dir.join(format!(".{INSTALLER}-write-test-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(Error::local(
            "write to",
            dir,
            e.to_string(),
            "the installer's directory is not writable: rerun with the rights to change it, or reinstall with the bootstrap script.",
        )),
    }
}

/// Decides from the path alone whether a package manager owns the file.
pub fn package_manager_of(exe: &Path) -> Option<&'static str> {
    let text = exe
        .to_string_lossy()
        .replace('\\', "/")
        .to_ascii_lowercase();
    if text.contains("/cellar/") || text.contains("/homebrew/") || text.contains("/linuxbrew/") {
        Some("Homebrew")
    } else if text.contains("/scoop/apps/") {
        Some("Scoop")
    } else if text.contains("/chocolatey/") {
        Some("Chocolatey")
    } else if text.contains("/winget/") || text.contains("/windowsapps/") {
        Some("winget")
    } else if text.starts_with("/usr/bin/")
        || text.starts_with("/usr/sbin/")
        || text.starts_with("/bin/")
    {
        Some("the system package manager")
    } else if text.contains("/snap/") {
        Some("snap")
    } else {
        None
    }
}

fn manager_update_command(manager: &str) -> &'static str {
    match manager {
        "Homebrew" => "brew upgrade bitnet",
        "Scoop" => "scoop update bitnet",
        "Chocolatey" => "choco upgrade bitnet",
        "winget" => "winget upgrade bitnet",
        "snap" => "snap refresh bitnet",
        _ => "apt upgrade bitnet-install",
    }
}

fn keep_running_copy(ctx: &Context, exe: &Path, version: &str) -> Result<()> {
    let kept = kept_copy(ctx, version);
    if let Some(dir) = kept.parent() {
        std::fs::create_dir_all(dir).at("create", dir)?;
    }
    crate::atomic::copy_file(exe, &kept, 0o755)
}

/// Swaps the running installer with the copy the last `self update` kept.
pub fn rollback(ctx: &Context) -> Result<SelfReport> {
    let exe = running_executable(ctx)?;
    refuse_managed(&exe)?;
    let _lock = ctx.lock()?;
    let kept_dir = ctx.config.layout.prefix.join("installer");
    let kept = newest_kept_copy(&kept_dir)?.ok_or_else(|| {
        Error::no_match(
            "there is no earlier installer to go back to",
            "`self rollback` undoes a `self update`; none was made from this prefix.",
        )
    })?;
    let running = env!("CARGO_PKG_VERSION");
    let (version, path) = kept;
    let staged = kept_dir.join(format!(".{INSTALLER}-{version}.rollback"));
    crate::atomic::copy_file(&path, &staged, 0o755)?;
    keep_running_copy(ctx, &exe, running)?;
    let replaced = self_replace::self_replace(&staged).map_err(|e| Error::io("replace", &exe, e));
    let _ = std::fs::remove_file(&staged);
    replaced?;
    if version != running {
        let _ = std::fs::remove_file(&path);
    }
    Ok(SelfReport {
        human: format!("{INSTALLER} rolled back from {running} to {version}"),
        version,
        previous: running.to_string(),
        asset: None,
        sha256: None,
        dry_run: false,
    })
}

/// The newest kept copy other than the running version.
fn newest_kept_copy(dir: &Path) -> Result<Option<(String, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("read", dir, e)),
    };
    let running = version::parse_version(env!("CARGO_PKG_VERSION"));
    Ok(entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = version::parse_version(name.strip_prefix(&format!("{INSTALLER}-"))?)?;
            Some((version, entry.path()))
        })
        .filter(|(version, _)| Some(version) != running.as_ref())
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(version, path)| (version.to_string(), path)))
}

/// Removes everything this tool installed, then the installer itself.
pub fn uninstall(ctx: &Context) -> Result<SelfUninstallReport> {
    let _lock = ctx.lock()?;
    let removed = crate::uninstall::remove_everything(ctx.config, ctx.env, &ctx.progress)?;
    crate::uninstall::forget_high_water_marks(&ctx.config.layout);
    let installed_copy = ctx.config.layout.bin_dir.join(if cfg!(windows) {
        "bitnet-install.exe"
    } else {
        INSTALLER
    });
    if std::fs::symlink_metadata(&installed_copy).is_ok() {
        if ctx
            .env
            .current_exe
            .as_deref()
            .is_some_and(|e| same_path(e, &installed_copy))
        {
            self_replace::self_delete().map_err(|e| Error::io("remove", &installed_copy, e))?;
        } else {
            std::fs::remove_file(&installed_copy).at("remove", &installed_copy)?;
        }
    }
    let _ = std::fs::remove_dir_all(ctx.config.layout.prefix.join("installer"));
    let _ = std::fs::remove_dir(&ctx.config.layout.prefix);
    Ok(SelfUninstallReport {
        removed,
        installer: installed_copy,
    })
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_managers_are_recognised_from_paths() {
        assert_eq!(
            package_manager_of(Path::new(
                "/opt/homebrew/Cellar/bitnet/0.3.2/bin/bitnet-install"
            )),
            Some("Homebrew")
        );
        assert_eq!(
            package_manager_of(Path::new(
                "C:\\Users\\u\\scoop\\apps\\bitnet\\current\\bitnet-install.exe"
            )),
            Some("Scoop")
        );
        assert_eq!(
            package_manager_of(Path::new("/usr/bin/bitnet-install")),
            Some("the system package manager")
        );
        assert_eq!(
            package_manager_of(Path::new("/home/u/.local/bin/bitnet-install")),
            None
        );
    }
}
