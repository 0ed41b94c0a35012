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
//! `ops` runs the commands from these steps; `publish` is what `bitnet-release`
//! does on the other side: package, seal, sign and index releases.

pub mod archive;
pub mod atomic;
pub mod cache;
pub mod cli;
pub mod config;
pub mod download;
pub mod env;
pub mod error;
pub mod extract;
pub mod faults;
pub mod http;
pub mod install;
pub mod layout;
pub mod lock;
pub mod ops;
pub mod output;
pub mod platform;
pub mod progress;
pub mod publish;
pub mod receipt;
pub mod select;
pub mod self_update;
pub mod shell_path;
pub mod source;
pub mod state;
pub mod uninstall;
pub mod updater;
pub mod verify;
pub mod version;

pub use error::{Error, Result};
