//! `bitnet_install`: find, verify and install signed BitNet releases.
//!
//! The data flow is the architecture; one module a step:
//!
//! ```text
//! cli args ─▶ config ─▶ platform::detect ─▶ source (index / GitHub) ─▶ version
//!    ─▶ select asset ─▶ download (hash while streaming) ─▶ verify (signature, comment, sha256)
//!    ─▶ extract (staging dir, safe) ─▶ install (atomic switch) ─▶ receipt ─▶ PATH
//! ```
//!
//! `plan` ties the steps together: `plan::resolve` answers "what would I
//! install, from where, verified how?" with a `Plan`, and `Plan::apply` /
//! `Plan::execute` carry it out. The command line (`commands`, feature `cli`)
//! and the embeddable [`Updater`] (feature `updater`) are thin layers over it;
//! `publish` is what `bitnet-release` does on the other side.
//!
//! An embedder that only wants `self update` depends with
//! `default-features = false, features = ["updater"]`: no clap, no progress
//! bars, no signing.

// Without the command line, what only its commands use (reports, `use` and
// `rollback`, the publisher's helpers) is compiled but unused.
#![cfg_attr(not(feature = "cli"), allow(dead_code, unused_imports))]

mod archive;
mod atomic;
mod cache;
mod chunked_gzip;
mod config;
mod context;
mod digest;
mod download;
mod env;
mod error;
mod extract;
mod faults;
mod hashed;
mod http;
mod install;
mod interrupt;
mod layout;
mod lock;
mod plan;
mod platform;
mod progress;
mod prompt;
mod receipt;
mod report;
mod select;
mod self_update;
mod shell_path;
mod source;
mod state;
mod sys;
mod uninstall;
#[cfg(feature = "updater")]
mod updater;
mod verify;
mod version;

/// The command line of `bitnet-install` and `bitnet-release`: entry points for
/// the binaries, not part of the library's API.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod commands;
#[doc(hidden)]
pub mod output;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod publish;

pub use digest::Sha256;
pub use env::Env;
pub use error::{exit, Error, Result};
pub use plan::{Kind, Plan, Product};
pub use platform::Platform;
pub use report::{InstallReport, InstallStatus};
pub use source::Evidence;
#[cfg(feature = "updater")]
pub use updater::{Updater, UpdaterBuilder};

/// The crash checkpoints, for the kill-at-every-step tests.
#[cfg(feature = "fault-injection")]
#[doc(hidden)]
pub use faults::CHECKPOINTS;

/// What the fuzz targets (`fuzz/`, built with `--cfg fuzzing`) drive.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::archive::{Compression, Format};
    pub use crate::extract::{extract, Limits};
    pub use crate::platform::{Platform, Preferences};
    pub use crate::select::{select_asset, select_foreign_asset};
    pub use crate::source::index::{check_index_comment, parse_index_versions};
    pub use crate::verify::{Checksums, TrustedComment};
    pub use crate::version::{Channel, Requirement};
}
