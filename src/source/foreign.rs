//! What vouches for an asset of another project's release (`--repo`, CONTRACT 3).
//! Such releases are not laid out as ours (no signed `SHA256SUMS` bound to
//! product and version), so the strongest evidence the release offers is used:
//!
//! - with `--public-key`: a minisign signature is required, either
//!   `<asset>.minisig` over the asset itself (checked once the bytes are here)
//!   or a checksum file with its own `.minisig`. The trusted comment is the
//!   publisher's, not ours, so it binds nothing;
//! - otherwise: the SHA-256 GitHub publishes for the asset (`digest`), else a
//!   checksum file of the release (`SHA256SUMS`, `checksums.txt`,
//!   `<asset>.sha256`…). Neither is signed: they only prove the bytes are the
//!   ones the host holds;
//! - with none of these, the release is refused unless `--allow-unverified`.

use super::{Evidence, RemoteAsset};
use crate::digest::Sha256;
use crate::download::Fetcher;
use crate::error::{Error, Result};
use crate::verify::{self, TrustedKeys};

/// Most checksum files fetched while looking for the asset's line.
const MAX_CHECKSUM_FILES: usize = 4;

/// Finds the evidence for `asset` among the release's `listed` assets,
/// fetching the small signature and checksum files it needs. `keys` is
/// `Some` when the user gave `--public-key`, which makes a signature required.
pub fn gather(
    fetcher: &Fetcher,
    listed: &[RemoteAsset],
    asset: &str,
    keys: Option<&TrustedKeys>,
    allow_unverified: bool,
) -> Result<Evidence> {
    if let Some(keys) = keys {
        return signed_evidence(fetcher, listed, asset, keys);
    }
    if let Some(sha256) = listed
        .iter()
        .find(|a| a.name == asset)
        .and_then(|a| a.host_digest)
    {
        return Ok(Evidence::HostDigest { sha256 });
    }
    for file in checksum_files(listed, asset)
        .into_iter()
        .take(MAX_CHECKSUM_FILES)
    {
        let text = fetch_text(fetcher, file, verify::MAX_SUMS_BYTES)?;
        if let Some(sha256) = digest_in(&text, asset, is_own_checksum_file(&file.name, asset)) {
            return Ok(Evidence::ChecksumFile {
                sha256,
                file: file.name.clone(),
            });
        }
    }
    if allow_unverified {
        return Ok(Evidence::Unverified);
    }
    Err(Error::verification_with_hint(
        format!(
            "the release offers no checksum for {asset} (no GitHub digest, no checksum file), so it cannot be verified"
        ),
        "pass --allow-unverified to install it anyway, at your own risk.",
    ))
}

/// `--public-key`: `<asset>.minisig`, else a signed checksum file listing the asset.
fn signed_evidence(
    fetcher: &Fetcher,
    listed: &[RemoteAsset],
    asset: &str,
    keys: &TrustedKeys,
) -> Result<Evidence> {
    let find = |name: &str| listed.iter().find(|a| a.name == name);
    let own_signature = format!("{asset}.minisig");
    if let Some(file) = find(&own_signature) {
        return Ok(Evidence::AssetSignature {
            signature: fetch_text(fetcher, file, verify::MAX_SIGNATURE_BYTES)?,
            file: own_signature,
        });
    }
    let signed = checksum_files(listed, asset)
        .into_iter()
        .filter_map(|file| Some((file, find(&format!("{}.minisig", file.name))?)))
        .take(MAX_CHECKSUM_FILES);
    for (file, signature_file) in signed {
        let sums = fetcher.fetch_small(&file.location, verify::MAX_SUMS_BYTES)?;
        let signature = fetch_text(fetcher, signature_file, verify::MAX_SIGNATURE_BYTES)?;
        verify::verify_signature(&sums, &signature, keys, &file.name)?;
        let text = String::from_utf8(sums)
            .map_err(|_| Error::verification(format!("{} is not text", file.name)))?;
        if let Some(sha256) = digest_in(&text, asset, is_own_checksum_file(&file.name, asset)) {
            return Ok(Evidence::SignedChecksumFile {
                sha256,
                file: file.name.clone(),
            });
        }
    }
    Err(Error::verification_with_hint(
        format!(
            "--public-key was given but the release has no minisign signature for {asset}: expected {own_signature}, or a checksum file (such as SHA256SUMS) listing it with its .minisig"
        ),
        "ask the publisher for minisign signatures, or drop --public-key to rely on the host's checksums.",
    ))
}

fn fetch_text(fetcher: &Fetcher, file: &RemoteAsset, cap: u64) -> Result<String> {
    let bytes = fetcher.fetch_small(&file.location, cap)?;
    String::from_utf8(bytes).map_err(|_| Error::verification(format!("{} is not text", file.name)))
}

/// The release's checksum files that may list `asset`: its own
/// (`<asset>.sha256`) first, then the shared ones. Another asset's own
/// checksum file is left out, since it cannot list this one.
fn checksum_files<'a>(listed: &'a [RemoteAsset], asset: &str) -> Vec<&'a RemoteAsset> {
    let others_own = |name: &str| {
        listed
            .iter()
            .any(|a| a.name != asset && is_own_checksum_file(name, &a.name))
    };
    let mut files: Vec<&RemoteAsset> = listed
        .iter()
        .filter(|a| is_own_checksum_file(&a.name, asset))
        .collect();
    files.extend(
        listed
            .iter()
            .filter(|a| is_shared_checksum_file(&a.name))
            .filter(|a| !is_own_checksum_file(&a.name, asset) && !others_own(&a.name)),
    );
    files
}

fn is_own_checksum_file(name: &str, asset: &str) -> bool {
    name.strip_prefix(asset).is_some_and(|suffix| {
        matches!(
            suffix.to_ascii_lowercase().as_str(),
            ".sha256" | ".sha256sum" | ".sha256.txt"
        )
    })
}

fn is_shared_checksum_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "sha256sums" | "sha256sums.txt" | "sha256sum.txt" | "checksums.txt" | "checksums.sha256"
    ) || [
        "_checksums.txt",
        "-checksums.txt",
        ".checksums.txt",
        "_sha256sums.txt",
        "-sha256sums.txt",
        ".sha256sums",
        ".sha256sum",
        ".sha256",
    ]
    .iter()
    .any(|suffix| lower.ends_with(suffix))
}

/// The digest a checksum file gives `asset`: a `sha256sum` line (`<hex>  name`,
/// `<hex> *name`, any directory dropped from the name) or a BSD line
/// (`SHA256 (name) = <hex>`); in the asset's own file a lone hex digest too.
/// Lines it cannot read are skipped: the file is the publisher's, in their format.
fn digest_in(text: &str, asset: &str, own_file: bool) -> Option<Sha256> {
    let names_asset = |name: &str| {
        let name = name.trim().trim_start_matches('*');
        name.rsplit(['/', '\\']).next() == Some(asset)
    };
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("SHA256 (") {
            if let Some((name, digest)) = rest.split_once(") = ") {
                if names_asset(name) {
                    if let Some(digest) = Sha256::from_hex(digest.trim()) {
                        return Some(digest);
                    }
                }
            }
            continue;
        }
        let mut parts = line.splitn(2, char::is_whitespace);
        let Some(digest) = Sha256::from_hex(parts.next().unwrap_or("")) else {
            continue;
        };
        match parts.next() {
            Some(name) if names_asset(name) => return Some(digest),
            None if own_file => return Some(digest),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::download::Location;

    fn listed(names: &[&str]) -> Vec<RemoteAsset> {
        names
            .iter()
            .map(|n| RemoteAsset {
                name: n.to_string(),
                location: Location::Remote(format!("https://dl/{n}")),
                size: None,
                host_digest: None,
            })
            .collect()
    }

    const A: &str = "rg-x86_64-unknown-linux-musl.tar.gz";

    #[test]
    fn checksum_files_are_recognised_own_first_and_others_own_left_out() {
        let assets = listed(&[
            "rg-aarch64-apple-darwin.tar.gz",
            "rg-aarch64-apple-darwin.tar.gz.sha256",
            A,
            "SHA256SUMS",
            "tool_1.0_checksums.txt",
            &format!("{A}.sha256"),
            "SHA256SUMS.minisig",
            "notes.txt",
        ]);
        let names: Vec<&str> = checksum_files(&assets, A)
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                format!("{A}.sha256").as_str(),
                "SHA256SUMS",
                "tool_1.0_checksums.txt"
            ]
        );
    }

    #[test]
    fn digests_are_read_from_the_common_formats() {
        let d = "ab".repeat(32);
        let e = "cd".repeat(32);
        let digest = Sha256::from_hex(&d);
        assert_eq!(
            digest_in(&format!("{e}  other\n{d}  {A}\n"), A, false),
            digest
        );
        assert_eq!(
            digest_in(&format!("{}  ./dist/{A}", d.to_uppercase()), A, false),
            digest
        );
        assert_eq!(digest_in(&format!("{d} *{A}"), A, false), digest);
        assert_eq!(digest_in(&format!("SHA256 ({A}) = {d}"), A, false), digest);
        assert_eq!(digest_in(&format!("{d}\n"), A, true), digest);
        assert_eq!(digest_in(&format!("{d}\n"), A, false), None);
        assert_eq!(digest_in(&format!("{d}  other"), A, true), None);
        assert_eq!(digest_in("# comment\nnot a digest", A, false), None);
    }
}
