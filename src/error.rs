//! The one error type of the crate. Each variant carries the facts of what went
//! wrong, maps to an exit code of CONTRACT 3, and knows the one-sentence hint that
//! tells the user what to do next. `main` prints `message` then `hint`.

use std::path::{Path, PathBuf};

use crate::digest::Sha256;

/// Exit codes of CONTRACT 3.
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILURE: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const NO_MATCH: i32 = 3;
    pub const NETWORK: i32 = 4;
    pub const VERIFICATION: i32 = 5;
    pub const LOCAL: i32 = 6;
    pub const UPDATE_AVAILABLE: i32 = 10;
    /// Stopped by a signal: 128 + SIGINT, as shells report an interrupted command.
    pub const INTERRUPTED: i32 = 130;
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command line or environment input (exit 2).
    #[error("{message}")]
    Usage { message: String, hint: String },

    /// No offered version satisfies the requirement (exit 3).
    #[error(
        "no release of {product} matches '{requirement}' (offered: {})",
        list_or_none(offered)
    )]
    NoMatchingVersion {
        product: String,
        requirement: String,
        offered: Vec<String>,
    },

    /// The release has no asset for the platform; `reasons` says why each
    /// candidate was passed over (exit 3).
    #[error("{release} has no build for {platform}: {}", reasons.join("; "))]
    NoMatchingAsset {
        release: String,
        platform: String,
        reasons: Vec<String>,
    },

    /// Nothing matches, for any other reason (exit 3).
    #[error("{message}")]
    NoMatch { message: String, hint: String },

    /// The network failed after every retry (exit 4).
    #[error("could not download {url}: {reason}")]
    Network { url: String, reason: String },

    /// The source lacks a file it should serve (a 404, or a missing local file):
    /// a broken source (exit 4), or a missing signature where one is required.
    #[error("{url} does not exist on the source")]
    Missing { url: String },

    /// Downloaded bytes that do not hash to the value the evidence gives (exit 5).
    #[error("{asset} does not match {against} (expected SHA-256 {expected}, got {actual})")]
    HashMismatch {
        asset: String,
        against: &'static str,
        expected: Sha256,
        actual: Sha256,
    },

    /// A signed index whose `expires` has passed: a frozen mirror (exit 5).
    #[error(
        "the index of {root} expired at {expired_at} (now {now}): the mirror is frozen or stale"
    )]
    IndexExpired {
        root: String,
        expired_at: u64,
        now: u64,
    },

    /// A signed index older than one already accepted from the root (exit 5).
    #[error("the index of {root} is older ({offered}) than one already seen from it ({seen}): the mirror was rolled back")]
    RolledBack {
        root: String,
        seen: u64,
        offered: u64,
    },

    /// An archive entry the extraction rules refuse; `rule` completes
    /// "entry '<entry>' ..." (exit 5).
    #[error("Refusing archive {archive}: entry '{entry}' {rule}.")]
    UnsafeEntry {
        archive: String,
        entry: String,
        rule: String,
    },

    /// Anything else that did not verify: signature, trusted comment,
    /// malformed checksums (exit 5).
    #[error("{message}")]
    Verification { message: String, hint: String },

    /// The local machine refused: permissions, disk, lock (exit 6).
    #[error("{action} {path}: {reason}")]
    Local {
        action: &'static str,
        path: PathBuf,
        reason: String,
        hint: String,
    },

    /// Anything else (exit 1).
    #[error("{message}")]
    Other { message: String, hint: String },

    /// A signal stopped the run (exit 130).
    #[error("stopped by a signal; the previous installation is unchanged")]
    Interrupted,
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

const TAMPERED_HINT: &str = "nothing was installed; the release or mirror may have been tampered with, so report it to the publisher and do not bypass the check.";

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage { .. } => exit::USAGE,
            Error::NoMatchingVersion { .. }
            | Error::NoMatchingAsset { .. }
            | Error::NoMatch { .. } => exit::NO_MATCH,
            Error::Network { .. } | Error::Missing { .. } => exit::NETWORK,
            Error::HashMismatch { .. }
            | Error::IndexExpired { .. }
            | Error::RolledBack { .. }
            | Error::UnsafeEntry { .. }
            | Error::Verification { .. } => exit::VERIFICATION,
            Error::Local { .. } => exit::LOCAL,
            Error::Other { .. } => exit::FAILURE,
            Error::Interrupted => exit::INTERRUPTED,
        }
    }

    pub fn hint(&self) -> &str {
        match self {
            Error::Usage { hint, .. }
            | Error::NoMatch { hint, .. }
            | Error::Verification { hint, .. }
            | Error::Local { hint, .. }
            | Error::Other { hint, .. } => hint,
            Error::NoMatchingVersion { .. } => {
                "ask for one of the offered versions, or use --channel beta/nightly for pre-releases."
            }
            Error::NoMatchingAsset { .. } => {
                "pass --target, --cpu or --gpu to choose another build, or ask the publisher for one for this platform."
            }
            Error::Network { .. } | Error::Missing { .. } => {
                "check the connection, proxy settings (HTTPS_PROXY) and the --from address, then try again."
            }
            Error::HashMismatch { .. } | Error::UnsafeEntry { .. } => TAMPERED_HINT,
            Error::IndexExpired { .. } => {
                "try another mirror or ask the publisher to re-sign the index; check the system clock too."
            }
            Error::RolledBack { .. } => {
                "use an up-to-date mirror; an attacker may be serving old releases."
            }
            Error::Interrupted => {
                "run the same command again; a partial download is resumed where it stopped."
            }
        }
    }

    /// True for failures that another copy of the same release (a mirror)
    /// could avoid: the network, the source's content, or what it lacks.
    pub fn another_source_may_help(&self) -> bool {
        !matches!(
            self,
            Error::Usage { .. } | Error::Local { .. } | Error::Other { .. } | Error::Interrupted
        )
    }

    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn no_match(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::NoMatch {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn network(url: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Network {
            url: url.into(),
            reason: reason.into(),
        }
    }

    pub fn verification(message: impl Into<String>) -> Self {
        Error::Verification {
            message: message.into(),
            hint: TAMPERED_HINT.into(),
        }
    }

    pub fn verification_with_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Verification {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// Something that cannot happen unless the installer itself is wrong.
    pub fn internal(what: impl std::fmt::Display) -> Self {
        Error::Other {
            message: format!("internal error: {what}"),
            hint: "this is a bug in bitnet-install: please report it with the command you ran; nothing was changed."
                .into(),
        }
    }

    pub fn other(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Other {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A failed filesystem operation on `path`; the hint depends on why it failed.
    pub fn io(action: &'static str, path: &Path, err: std::io::Error) -> Self {
        let hint = match err.kind() {
            std::io::ErrorKind::PermissionDenied => {
                "check the permissions of that location, or choose another with --prefix / --bin-dir."
            }
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                "free some disk space and try again; the previous installation is unchanged."
            }
            std::io::ErrorKind::ReadOnlyFilesystem => {
                "that file system is read-only: choose a writable --prefix / --bin-dir."
            }
            _ => "check that location and try again; the previous installation is unchanged.",
        };
        Error::Local {
            action,
            path: path.to_path_buf(),
            reason: err.to_string(),
            hint: hint.into(),
        }
    }

    pub fn local(
        action: &'static str,
        path: &Path,
        reason: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Error::Local {
            action,
            path: path.to_path_buf(),
            reason: reason.into(),
            hint: hint.into(),
        }
    }
}

/// Attach the action and path to an `io::Result`, the way every filesystem call
/// in this crate reports its failures.
pub trait IoContext<T> {
    fn at(self, action: &'static str, path: &Path) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, action: &'static str, path: &Path) -> Result<T> {
        self.map_err(|e| Error::io(action, path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_maps_to_its_contract_exit_code() {
        assert_eq!(Error::usage("x", "y").exit_code(), 2);
        assert_eq!(Error::no_match("x", "y").exit_code(), 3);
        assert_eq!(Error::network("u", "r").exit_code(), 4);
        assert_eq!(Error::verification("x").exit_code(), 5);
        let e = Error::io(
            "write",
            Path::new("/x"),
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert_eq!(e.exit_code(), 6);
        assert!(e.hint().contains("permissions"));
        assert_eq!(Error::other("x", "y").exit_code(), 1);
        let bug = Error::internal("oops");
        assert_eq!(bug.exit_code(), 1);
        assert!(bug.hint().contains("report"));
    }
}
