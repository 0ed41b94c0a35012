//! What `bitnet-release` does: generate the signing key, package built executables
//! into release assets, seal a release directory (`SHA256SUMS` and its minisign
//! signature) and sign the index of a static root, all in the release format of
//! CONTRACT 2. The binary only parses arguments and reads the clock; everything
//! here takes the time as a parameter so tests are deterministic.

mod atomic;
mod date;
mod debian;
mod index;
mod keys;
pub mod man;
mod manpage;
mod names;
mod npm;
mod package;
pub mod packaging;
pub mod scripts;
mod seal;
mod wheel;

/// The publisher checks a release it packages against the keys it is told to trust.
pub use crate::verify::TrustedKeys;
pub use index::{index_trusted_comment, parse_duration, write_index};
pub use keys::{keygen, KeyFiles};
pub use package::{asset_name, package, PackageFormat, PackageRequest};
pub use seal::{release_trusted_comment, seal, sha256sums_line};

// The end-to-end tests run Unix tools (minisign, sha256sum, tar, unzip).
#[cfg(all(test, unix))]
mod tests;
