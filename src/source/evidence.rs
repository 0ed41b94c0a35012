//! How a release is trusted, as a value: our signed `SHA256SUMS`, or for
//! another project's release (`--repo`) the strongest evidence it offers
//! (`source::foreign` finds it). A plan carries one; the downloaded bytes are
//! checked against it before anything is opened.

use super::{RemoteAsset, VerifiedRelease};
use crate::digest::Sha256;
use crate::error::Result;
use crate::hashed::HashedFile;
use crate::verify::{self, TrustedKeys};

#[derive(Clone, Debug)]
pub enum Evidence {
    /// Our releases: the asset's line in a `SHA256SUMS` whose minisign
    /// signature verified and whose trusted comment names the product and
    /// version (CONTRACT 2.2).
    SignedSums {
        sha256: Sha256,
        release: Box<VerifiedRelease>,
    },
    /// `--repo` with `--public-key`: `<asset>.minisig`, a signature over the
    /// asset bytes, checked after the download.
    AssetSignature { signature: String, file: String },
    /// `--repo` with `--public-key`: the asset's line in a checksum file whose
    /// minisign signature verified. The trusted comment is the publisher's,
    /// so it binds nothing.
    SignedChecksumFile { sha256: Sha256, file: String },
    /// GitHub's `digest` of the asset: proves the bytes are the host's.
    HostDigest { sha256: Sha256 },
    /// The asset's line in an unsigned checksum file of the release.
    ChecksumFile { sha256: Sha256, file: String },
    /// Nothing; only with `--allow-unverified`.
    Unverified,
}

impl Evidence {
    /// The SHA-256 known before the download, when the evidence gives one.
    pub fn sha256(&self) -> Option<Sha256> {
        match self {
            Evidence::SignedSums { sha256, .. }
            | Evidence::SignedChecksumFile { sha256, .. }
            | Evidence::HostDigest { sha256 }
            | Evidence::ChecksumFile { sha256, .. } => Some(*sha256),
            Evidence::AssetSignature { .. } | Evidence::Unverified => None,
        }
    }

    /// A short stable name, for JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Evidence::SignedSums { .. } => "signed-sums",
            Evidence::AssetSignature { .. } => "asset-signature",
            Evidence::SignedChecksumFile { .. } => "signed-checksum-file",
            Evidence::HostDigest { .. } => "host-digest",
            Evidence::ChecksumFile { .. } => "checksum-file",
            Evidence::Unverified => "unverified",
        }
    }

    /// One sentence for verbose output: what the install will rest on.
    pub fn describe(&self) -> String {
        match self {
            Evidence::SignedSums { .. } => {
                "evidence: the release's SHA256SUMS, signed with a trusted key".to_string()
            }
            Evidence::AssetSignature { file, .. } => {
                format!("evidence: the minisign signature {file}, checked with the given key")
            }
            Evidence::SignedChecksumFile { file, .. } => {
                format!("evidence: the checksum file {file}, signed with the given key")
            }
            Evidence::HostDigest { .. } => {
                "evidence: the host's checksum (GitHub's SHA-256 digest of the asset), not a signature"
                    .to_string()
            }
            Evidence::ChecksumFile { file, .. } => {
                format!("evidence: the host's checksum (the release's unsigned {file}), not a signature")
            }
            Evidence::Unverified => "evidence: none (--allow-unverified)".to_string(),
        }
    }

    /// Checks downloaded bytes against the evidence and against the host's
    /// digest when it publishes one besides; a signature is checked over the
    /// bytes read through the handle they were hashed through.
    pub fn check(
        &self,
        asset: &RemoteAsset,
        downloaded: &mut HashedFile,
        keys: &TrustedKeys,
    ) -> Result<()> {
        let actual = downloaded.sha256();
        if let Some(expected) = self.sha256() {
            verify::require_digest(&asset.name, self.against(), expected, actual)?;
        }
        if let Some(host) = asset.host_digest {
            verify::require_digest(&asset.name, "GitHub's digest", host, actual)?;
        }
        if let Evidence::AssetSignature { signature, file } = self {
            verify::verify_file_signature(downloaded, signature, keys, file)?;
        }
        Ok(())
    }

    /// What the expected digest comes from, for the mismatch message.
    fn against(&self) -> &'static str {
        match self {
            Evidence::SignedSums { .. } => "its signed checksum",
            Evidence::HostDigest { .. } => "GitHub's digest",
            _ => "the checksum the release gives",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::download::Location;
    use crate::error::exit;

    fn asset(host_digest: Option<Sha256>) -> RemoteAsset {
        RemoteAsset {
            name: "a.tar.gz".into(),
            location: Location::Remote("https://h/a.tar.gz".into()),
            size: None,
            host_digest,
        }
    }

    #[test]
    fn bytes_must_match_the_evidence_and_the_host_digest() {
        let keys = TrustedKeys::built_in();
        let dir = tempfile::tempdir().unwrap();
        let downloaded = |bytes: &[u8]| {
            let path = dir.path().join(format!("{}", Sha256::of(bytes)));
            std::fs::write(&path, bytes).unwrap();
            HashedFile::open(&path).unwrap()
        };
        let (good, bad) = (Sha256::of(b"good"), Sha256::of(b"bad"));
        let evidence = Evidence::ChecksumFile {
            sha256: good,
            file: "SHA256SUMS".into(),
        };
        assert!(evidence
            .check(&asset(None), &mut downloaded(b"good"), &keys)
            .is_ok());
        let e = evidence
            .check(&asset(None), &mut downloaded(b"bad"), &keys)
            .unwrap_err();
        assert_eq!(e.exit_code(), exit::VERIFICATION);
        assert!(
            matches!(e, crate::Error::HashMismatch { expected, actual, .. } if expected == good && actual == bad)
        );
        let e = Evidence::Unverified
            .check(&asset(Some(good)), &mut downloaded(b"bad"), &keys)
            .unwrap_err();
        assert!(e.to_string().contains("GitHub's digest"), "{e}");
        assert!(Evidence::Unverified
            .check(&asset(None), &mut downloaded(b"bad"), &keys)
            .is_ok());
    }
}
