//! The one error type of the crate. Each variant carries the facts of what went
//! wrong, maps to an exit code of CONTRACT 3, and knows the one-sentence hint that
//! tells the user what to do next. `main` prints `message` then `hint`.

use std::path::{Path, PathBuf};

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
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command line or environment input (exit 2).
    #[error("{message}")]
    Usage { message: String, hint: String },

    /// No release or asset satisfies the request (exit 3).
    #[error("{message}")]
    NoMatch { message: String, hint: String },

    /// The network failed after every retry (exit 4).
    #[error("could not download {url}: {reason}")]
    Network { url: String, reason: String },

    /// The source lacks a file it should serve (a 404, or a missing local file):
    /// a broken source (exit 4), or a missing signature where one is required.
    #[error("{url} does not exist on the source")]
    Missing { url: String },

    /// Something did not verify: signature, trusted comment, checksum, index
    /// freshness, or an unsafe archive (exit 5).
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
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage { .. } => exit::USAGE,
            Error::NoMatch { .. } => exit::NO_MATCH,
            Error::Network { .. } | Error::Missing { .. } => exit::NETWORK,
            Error::Verification { .. } => exit::VERIFICATION,
            Error::Local { .. } => exit::LOCAL,
            Error::Other { .. } => exit::FAILURE,
        }
    }

    pub fn hint(&self) -> &str {
        match self {
            Error::Usage { hint, .. }
            | Error::NoMatch { hint, .. }
            | Error::Verification { hint, .. }
            | Error::Local { hint, .. }
            | Error::Other { hint, .. } => hint,
            Error::Network { .. } | Error::Missing { .. } => {
                "check the connection, proxy settings (HTTPS_PROXY) and the --from address, then try again."
            }
        }
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
            hint: "nothing was installed; the release or mirror may have been tampered with, so report it to the publisher and do not bypass the check.".into(),
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
