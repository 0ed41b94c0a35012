//! The typed results of the commands: each is what `--json` prints (its
//! `Serialize` form) and knows its human line. Built by `plan` and
//! `commands`, printed by the output layer; nothing here prints.

use std::path::PathBuf;

use serde::Serialize;

use crate::digest::Sha256;
use crate::platform::Platform;
use crate::receipt::Receipt;

/// A command's result, for the output layer.
pub trait Report: Serialize {
    /// What a person reads on stdout; empty for nothing.
    fn human(&self) -> String;
}

/// What `install`, `update`, `use` of a cached version and the `Updater` did.
#[derive(Clone, Debug, Serialize)]
pub struct InstallReport {
    pub status: InstallStatus,
    pub product: String,
    pub version: String,
    pub asset: String,
    pub sha256: Sha256,
    pub target: String,
    pub variant: Option<String>,
    pub previous: Option<String>,
    pub prefix: PathBuf,
    pub bin_dir: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstallStatus {
    Installed,
    Updated,
    AlreadyInstalled,
    UpToDate,
}

impl InstallReport {
    pub fn new(
        receipt: &Receipt,
        status: InstallStatus,
        previous: Option<String>,
        prefix: PathBuf,
        bin_dir: PathBuf,
    ) -> Self {
        let origin = &receipt.origin;
        InstallReport {
            status,
            product: origin.product.clone(),
            version: origin.version.clone(),
            asset: origin.asset.clone(),
            sha256: origin.sha256,
            target: origin.target.clone(),
            variant: origin.variant.clone(),
            previous,
            prefix,
            bin_dir,
        }
    }
}

impl Report for InstallReport {
    fn human(&self) -> String {
        let done = match self.status {
            InstallStatus::AlreadyInstalled | InstallStatus::UpToDate => {
                return format!(
                    "{} {} is already installed and active",
                    self.product, self.version
                )
            }
            InstallStatus::Installed => "installed",
            InstallStatus::Updated => "updated",
        };
        format!(
            "{} {} {done} ({}); commands are in {}",
            self.product,
            self.version,
            self.asset,
            self.bin_dir.display()
        )
    }
}

/// `install --dry-run`: the plan, nothing changed.
#[derive(Clone, Debug, Serialize)]
pub struct PlanReport {
    pub dry_run: bool,
    pub product: String,
    pub version: String,
    pub asset: String,
    pub url: String,
    pub sha256: Option<Sha256>,
    pub evidence: &'static str,
    pub target: String,
    pub variant: Option<String>,
    /// Chosen for another architecture that this one emulates (CONTRACT 2.5).
    pub emulated: bool,
    /// Why the choice was made when it is not the obvious one.
    pub notes: Vec<String>,
    pub source: String,
    pub prefix: PathBuf,
    pub bin_dir: PathBuf,
}

impl Report for PlanReport {
    fn human(&self) -> String {
        format!(
            "would install {} {} from {}\ninto {} (commands in {}); nothing was changed",
            self.product,
            self.version,
            self.url,
            self.prefix.display(),
            self.bin_dir.display()
        )
    }
}

/// `update --check` and `self update --check`.
#[derive(Clone, Debug, Serialize)]
pub struct UpdateCheckReport {
    pub update_available: bool,
    pub active: Option<String>,
    pub latest: String,
    #[serde(skip)]
    pub product: String,
}

impl Report for UpdateCheckReport {
    fn human(&self) -> String {
        match (&self.active, self.update_available) {
            (Some(active), false) => format!("{} {active} is up to date", self.product),
            (Some(active), true) => format!(
                "an update of {} is available: {} (active {active})",
                self.product, self.latest
            ),
            (None, _) => format!("{} {} is available", self.product, self.latest),
        }
    }
}

/// `use`, `rollback`: which version is active now.
#[derive(Clone, Debug, Serialize)]
pub struct SwitchReport {
    pub version: String,
    pub previous: Option<String>,
    pub asset: String,
    pub sha256: Sha256,
    #[serde(skip)]
    pub product: String,
}

impl Report for SwitchReport {
    fn human(&self) -> String {
        format!("{} {} is now active", self.product, self.version)
    }
}

/// One row of `list`.
#[derive(Clone, Debug, Serialize)]
pub struct InstalledRow {
    pub version: String,
    pub active: bool,
    pub target: String,
    pub variant: Option<String>,
    pub asset: String,
    pub installed_at: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(transparent)]
pub struct ListReport(pub Vec<InstalledRow>);

impl Report for ListReport {
    fn human(&self) -> String {
        if self.0.is_empty() {
            return "no versions are installed".to_string();
        }
        let rows: Vec<String> = self
            .0
            .iter()
            .map(|r| {
                let mark = if r.active { " (active)" } else { "" };
                format!("{}{mark}", r.version)
            })
            .collect();
        rows.join("\n")
    }
}

/// One row of `list --remote`.
#[derive(Clone, Debug, Serialize)]
pub struct OfferedRow {
    pub version: String,
    pub installed: bool,
    pub active: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(transparent)]
pub struct RemoteListReport(pub Vec<OfferedRow>);

impl Report for RemoteListReport {
    fn human(&self) -> String {
        let rows: Vec<&str> = self.0.iter().map(|r| r.version.as_str()).collect();
        rows.join("\n")
    }
}

/// `uninstall`.
#[derive(Clone, Debug, Serialize)]
pub struct UninstallReport {
    pub removed: Vec<String>,
    pub active: Option<String>,
    #[serde(skip)]
    pub product: String,
    #[serde(skip)]
    pub everything: bool,
}

impl Report for UninstallReport {
    fn human(&self) -> String {
        if self.everything {
            return "removed every installed version, links, PATH edits, cache and state"
                .to_string();
        }
        let removed = self.removed.join(", ");
        match &self.active {
            Some(active) => format!("removed {} {removed}; {active} is now active", self.product),
            None => format!("removed {} {removed}", self.product),
        }
    }
}

/// A file `verify` found changed or missing.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub version: String,
    pub path: PathBuf,
    pub problem: &'static str,
}

/// `verify`.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    pub checked: usize,
    pub versions: usize,
    pub problems: Vec<Problem>,
}

impl Report for VerifyReport {
    fn human(&self) -> String {
        let files = plural(self.checked, "file", "files");
        let versions = plural(self.versions, "version", "versions");
        format!("{files} of {versions} match their receipts")
    }
}

/// `cache clean`.
#[derive(Clone, Debug, Serialize)]
pub struct CacheCleanReport {
    pub removed: PathBuf,
}

impl Report for CacheCleanReport {
    fn human(&self) -> String {
        format!("removed {}", self.removed.display())
    }
}

/// `self update`, `self rollback`: the installer's own version change.
#[derive(Clone, Debug, Serialize)]
pub struct SelfReport {
    pub version: String,
    pub previous: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<Sha256>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
    #[serde(skip)]
    pub human: String,
}

impl Report for SelfReport {
    fn human(&self) -> String {
        self.human.clone()
    }
}

/// `self uninstall`.
#[derive(Clone, Debug, Serialize)]
pub struct SelfUninstallReport {
    pub removed: Vec<String>,
    pub installer: PathBuf,
}

impl Report for SelfUninstallReport {
    fn human(&self) -> String {
        "removed BitNet and bitnet-install".to_string()
    }
}

/// `detect`: the platform, the variant it gets, and the asset picked from a
/// source when one was given.
#[derive(Clone, Debug, Serialize)]
pub struct DetectReport {
    #[serde(flatten)]
    pub platform: Platform,
    pub variant: String,
    pub asset: Option<String>,
    #[serde(skip)]
    pub source_given: bool,
}

impl Report for DetectReport {
    fn human(&self) -> String {
        let p = &self.platform;
        let asset = match (&self.asset, self.source_given) {
            (Some(asset), _) => asset.clone(),
            (None, true) => "none fits (see the warning above)".to_string(),
            (None, false) => "(give --from or --repo to pick one from a release)".to_string(),
        };
        format!(
            "os: {}\narch: {}\ntarget: {}\nlibc: {}{}\ncpu features: {}\ncpu level: {}\ncuda: {}\nvariant: {}\nasset: {asset}",
            p.os,
            p.arch,
            p.target,
            p.libc.as_deref().unwrap_or("-"),
            p.libc_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default(),
            p.cpu_features.join(" "),
            p.cpu_level.as_deref().unwrap_or("-"),
            p.cuda.as_deref().unwrap_or("none"),
            self.variant,
        )
    }
}

/// "1 file", "2 files".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_english() {
        let report = VerifyReport {
            checked: 5,
            versions: 1,
            problems: Vec::new(),
        };
        assert_eq!(report.human(), "5 files of 1 version match their receipts");
        assert_eq!(plural(1, "file", "files"), "1 file");
    }

    #[test]
    fn the_install_status_is_kebab_case_in_json() {
        let json = serde_json::to_string(&InstallStatus::AlreadyInstalled).unwrap();
        assert_eq!(json, "\"already-installed\"");
    }
}
