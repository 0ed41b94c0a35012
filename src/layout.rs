//! Where things live. Defaults follow each platform's conventions (pure
//! functions of the OS name and the `Env`); inside the prefix, versions sit side
//! by side under `versions/`, `current` points at the active one, receipts and
//! state sit beside them, and `tmp/` holds downloads and staging directories on
//! the same file system so that moving them into place is a rename.

use std::path::{Path, PathBuf};

use crate::env::Env;
use crate::error::{Error, Result};

pub const PRODUCT_DIR: &str = "bitnet";
/// The directory of `tmp/` that holds kept partial downloads.
pub const PARTIAL_DIR: &str = "partial";

#[derive(Clone, Debug)]
pub struct Layout {
    pub prefix: PathBuf,
    pub bin_dir: PathBuf,
    pub cache_dir: PathBuf,
}

impl Layout {
    pub fn versions_dir(&self) -> PathBuf {
        self.prefix.join("versions")
    }

    pub fn current_link(&self) -> PathBuf {
        self.prefix.join("current")
    }

    pub fn receipts_dir(&self) -> PathBuf {
        self.prefix.join("receipts")
    }

    pub fn receipt_path(&self, version: &str) -> PathBuf {
        self.receipts_dir().join(format!("{version}.json"))
    }

    pub fn state_path(&self) -> PathBuf {
        self.prefix.join("state.json")
    }

    pub fn lock_path(&self) -> PathBuf {
        self.prefix.join(".lock")
    }

    pub fn tmp_dir(&self) -> PathBuf {
        self.prefix.join("tmp")
    }

    /// Interrupted asset downloads, kept for the next run to resume.
    pub fn partial_dir(&self) -> PathBuf {
        self.tmp_dir().join(PARTIAL_DIR)
    }
}

fn home(env: &Env) -> Result<PathBuf> {
    env.home.clone().ok_or_else(|| {
        Error::usage(
            "cannot find the home directory",
            "set HOME, or give --prefix and --bin-dir explicitly.",
        )
    })
}

/// The platform's data directory for the product.
pub fn default_prefix(os: &str, env: &Env) -> Result<PathBuf> {
    Ok(match os {
        "windows" => local_app_data(env)?.join(PRODUCT_DIR),
        "macos" => home(env)?
            .join("Library/Application Support")
            .join(PRODUCT_DIR),
        _ => xdg(env, "XDG_DATA_HOME", ".local/share")?.join(PRODUCT_DIR),
    })
}

/// Where commands are linked: `~/.local/bin`, or `%LOCALAPPDATA%\bitnet\bin`.
pub fn default_bin_dir(os: &str, env: &Env) -> Result<PathBuf> {
    Ok(match os {
        "windows" => local_app_data(env)?.join(PRODUCT_DIR).join("bin"),
        _ => home(env)?.join(".local/bin"),
    })
}

pub fn default_cache_dir(os: &str, env: &Env) -> Result<PathBuf> {
    Ok(match os {
        "windows" => local_app_data(env)?.join(PRODUCT_DIR).join("cache"),
        "macos" => home(env)?.join("Library/Caches").join(PRODUCT_DIR),
        _ => xdg(env, "XDG_CACHE_HOME", ".cache")?.join(PRODUCT_DIR),
    })
}

/// An XDG base directory; relative values are ignored, as the spec requires.
fn xdg(env: &Env, var: &str, fallback: &str) -> Result<PathBuf> {
    match env.var(var).map(Path::new) {
        Some(p) if p.is_absolute() => Ok(p.to_path_buf()),
        _ => Ok(home(env)?.join(fallback)),
    }
}

fn local_app_data(env: &Env) -> Result<PathBuf> {
    match env.var("LOCALAPPDATA") {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => Ok(home(env)?.join("AppData").join("Local")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_defaults_follow_xdg() {
        let env = Env::fixed("/home/u", &[], 0);
        assert_eq!(
            default_prefix("linux", &env).unwrap(),
            PathBuf::from("/home/u/.local/share/bitnet")
        );
        assert_eq!(
            default_bin_dir("linux", &env).unwrap(),
            PathBuf::from("/home/u/.local/bin")
        );
        assert_eq!(
            default_cache_dir("linux", &env).unwrap(),
            PathBuf::from("/home/u/.cache/bitnet")
        );
        let env = Env::fixed(
            "/home/u",
            &[("XDG_DATA_HOME", "/data"), ("XDG_CACHE_HOME", "rel")],
            0,
        );
        assert_eq!(
            default_prefix("linux", &env).unwrap(),
            PathBuf::from("/data/bitnet")
        );
        assert_eq!(
            default_cache_dir("linux", &env).unwrap(),
            PathBuf::from("/home/u/.cache/bitnet")
        );
    }

    #[test]
    fn macos_and_windows_defaults() {
        let env = Env::fixed("/Users/u", &[], 0);
        assert_eq!(
            default_prefix("macos", &env).unwrap(),
            PathBuf::from("/Users/u/Library/Application Support/bitnet")
        );
        assert_eq!(
            default_bin_dir("macos", &env).unwrap(),
            PathBuf::from("/Users/u/.local/bin")
        );
        let env = Env::fixed(
            "C:/Users/u",
            &[("LOCALAPPDATA", "C:/Users/u/AppData/Local")],
            0,
        );
        assert_eq!(
            default_bin_dir("windows", &env).unwrap(),
            PathBuf::from("C:/Users/u/AppData/Local/bitnet/bin")
        );
    }
}
