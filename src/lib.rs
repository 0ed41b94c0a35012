//! `bitnet_install`: find, verify and install signed BitNet releases.
//!
//! The data flow is the architecture; one module a step:
//!
//! ```text
//! cli args ─▶ config ─▶ platform::detect ─▶ source (index / GitHub) ─▶ version
//!    ─▶ select asset ─▶ download (hash while streaming) ─▶ verify (signature, comment, sha256)
//!    ─▶ extract (staging dir, safe) ─▶ install (atomic switch) ─▶ receipt ─▶ PATH
//! ```

pub mod env;
pub mod error;
pub mod extract;
pub mod platform;
pub mod publish;
pub mod select;

pub use error::{Error, Result};
