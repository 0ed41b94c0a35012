//! What was installed: one versioned JSON receipt per installed version, listing
//! every file with its SHA-256, so that `verify` can re-hash them and
//! `uninstall` removes exactly what was installed and nothing else.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::digest::Sha256;
use crate::error::{Error, IoContext, Result};

pub const SCHEMA: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct InstalledFile {
    /// Relative to the version's directory, `/`-separated.
    pub path: String,
    pub sha256: Sha256,
    pub executable: bool,
}

/// What was installed and where it came from: known once the download
/// verified, carried into the receipt as it is.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Origin {
    pub product: String,
    pub version: String,
    pub target: String,
    pub variant: Option<String>,
    pub asset: String,
    pub sha256: Sha256,
    pub source: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Receipt {
    pub schema: u32,
    #[serde(flatten)]
    pub origin: Origin,
    /// The directory name under `versions/`.
    pub dir: String,
    pub files: Vec<InstalledFile>,
    pub installed_at: u64,
    pub installer_version: String,
}

impl Receipt {
    pub fn executables(&self) -> impl Iterator<Item = &InstalledFile> {
        self.files.iter().filter(|f| f.executable)
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(self).map_err(Error::internal)?;
        json.push(b'\n');
        crate::atomic::write_file_with_checkpoint(path, &json, Some("receipt-temp-written"))?;
        crate::faults::checkpoint("receipt-written").at("write", path)
    }

    pub fn read(path: &Path) -> Result<Receipt> {
        let bytes = std::fs::read(path).at("read", path)?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::local(
                "read",
                path,
                format!("the receipt is damaged ({e})"),
                "run `bitnet-install install --force` to reinstall that version.",
            )
        })
    }
}

/// Every receipt in `dir`, sorted by semantic version.
pub fn read_all(dir: &Path) -> Result<Vec<Receipt>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read", dir, e)),
    };
    let mut receipts = Vec::new();
    for entry in entries {
        let path = entry.at("read", dir)?.path();
        if path.extension().is_some_and(|e| e == "json") {
            receipts.push(Receipt::read(&path)?);
        }
    }
    receipts.sort_by_key(|r| crate::version::parse_version(&r.origin.version));
    Ok(receipts)
}
