//! Where releases come from. A source lists the versions it offers and opens
//! one release: its signed `SHA256SUMS` and the locations of its assets. Static
//! roots (`index.rs`) and GitHub Releases (`github.rs`) yield the same types,
//! so everything after this step is shared.

pub mod evidence;
pub mod foreign;
pub mod github;
pub mod index;

use semver::Version;

pub use evidence::Evidence;

use crate::digest::Sha256;
use crate::download::{Fetcher, Location};
use crate::error::{Error, Result};
use crate::verify::{self, Checksums, TrustedComment, TrustedKeys};

/// A root given with `--from`: a URL or a local directory.
#[derive(Clone, Debug, PartialEq)]
pub struct Root {
    pub location: Location,
    /// The text as the user gave it, which also keys the index high-water mark.
    pub text: String,
}

impl Root {
    /// Accepts `https://...`, `http://` on a loopback host, `file://...`, or a
    /// plain directory path.
    pub fn parse(text: &str) -> Result<Self> {
        let trimmed = text.trim().trim_end_matches('/');
        let location = if let Some(rest) = trimmed.strip_prefix("file://") {
            Location::Local(rest.into())
        } else if trimmed.starts_with("https://") {
            Location::Remote(trimmed.to_string())
        } else if let Some(rest) = trimmed.strip_prefix("http://") {
            if !is_loopback_host(rest) {
                return Err(Error::usage(
                    format!("refusing plain http for '{text}'"),
                    "use an https:// address; plain http is only allowed on a loopback address such as 127.0.0.1.",
                ));
            }
            Location::Remote(trimmed.to_string())
        } else if trimmed.contains("://") {
            return Err(Error::usage(
                format!("'{text}' is not a supported source"),
                "use an https:// URL, a file:// URL or a directory path.",
            ));
        } else if trimmed.is_empty() {
            return Err(Error::usage(
                "an empty source was given",
                "use an https:// URL, a file:// URL or a directory path.",
            ));
        } else {
            Location::Local(trimmed.into())
        };
        Ok(Root {
            location,
            text: trimmed.to_string(),
        })
    }
}

fn is_loopback_host(after_scheme: &str) -> bool {
    let authority = after_scheme.split('/').next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// One asset a release offers.
#[derive(Clone, Debug)]
pub struct RemoteAsset {
    pub name: String,
    pub location: Location,
    /// The size the source announced, when it did.
    pub size: Option<u64>,
    /// A SHA-256 the host publishes besides our signed one (GitHub's `digest`).
    pub host_digest: Option<Sha256>,
}

/// A version a source offers, with what is needed to open it.
#[derive(Clone, Debug)]
pub struct Offered {
    pub version: Version,
    /// Assets as listed by the host; `None` for static roots, whose asset list
    /// is the signed `SHA256SUMS` itself.
    pub assets: Option<Vec<RemoteAsset>>,
    pub base: Location,
}

/// A release whose checksums verified: the only kind the installer acts on.
#[derive(Clone, Debug)]
pub struct VerifiedRelease {
    pub product: String,
    pub version: Version,
    pub checksums: Checksums,
    pub comment: TrustedComment,
    pub assets: Vec<RemoteAsset>,
    pub sums_text: String,
    pub signature_text: String,
}

impl RemoteAsset {
    /// The asset's name when it is a plain file name, which it must be: it
    /// becomes a path in the download directory. A hostile listing could name
    /// `../x` or an absolute path.
    pub fn plain_name(&self) -> Result<&str> {
        let name = self.name.as_str();
        let plain = !matches!(name, "" | "." | "..") && !name.contains(['/', '\\', ':', '\0']);
        if plain {
            return Ok(name);
        }
        let shown: String = name.chars().take(80).collect();
        Err(Error::verification_with_hint(
            format!("the release names an asset {shown:?}, which is not a plain file name"),
            "the release listing is malformed or hostile; nothing was downloaded, so report it to the publisher.",
        ))
    }
}

impl VerifiedRelease {
    pub fn asset(&self, name: &str) -> Option<&RemoteAsset> {
        self.assets.iter().find(|a| a.name == name)
    }
}

/// Fetches `SHA256SUMS` and its signature for `offered`, verifies both, binds
/// them to product and version, and lists the assets the checksums cover.
pub fn open_release(
    fetcher: &Fetcher,
    product: &str,
    offered: &Offered,
    keys: &TrustedKeys,
) -> Result<VerifiedRelease> {
    let (sums_location, signature_location) = match &offered.assets {
        Some(listed) => (
            find_listed(listed, "SHA256SUMS", &offered.version)?,
            find_listed(listed, "SHA256SUMS.minisig", &offered.version)?,
        ),
        None => (
            offered.base.join("SHA256SUMS"),
            offered.base.join("SHA256SUMS.minisig"),
        ),
    };
    let sums = required_evidence(
        fetcher.fetch_small(&sums_location, verify::MAX_SUMS_BYTES),
        "SHA256SUMS",
    )?;
    let signature = required_evidence(
        fetcher.fetch_small(&signature_location, verify::MAX_SIGNATURE_BYTES),
        "SHA256SUMS.minisig",
    )?;
    let signature_text = String::from_utf8(signature)
        .map_err(|_| Error::verification("SHA256SUMS.minisig is not text"))?;
    let comment = verify::verify_signature(&sums, &signature_text, keys, "SHA256SUMS")?;
    comment.require_release(product, &offered.version)?;
    let sums_text =
        String::from_utf8(sums).map_err(|_| Error::verification("SHA256SUMS is not text"))?;
    let checksums = Checksums::parse(&sums_text)?;
    let assets = match &offered.assets {
        Some(listed) => listed
            .iter()
            .filter(|a| checksums.digest_of(&a.name).is_some())
            .cloned()
            .collect(),
        None => checksums
            .names()
            .into_iter()
            .map(|name| RemoteAsset {
                location: offered.base.join(&name),
                name,
                size: None,
                host_digest: None,
            })
            .collect(),
    };
    Ok(VerifiedRelease {
        product: product.to_string(),
        version: offered.version.clone(),
        checksums,
        comment,
        assets,
        sums_text,
        signature_text,
    })
}

/// A release without its checksums or signature cannot be verified: that is a
/// verification failure (exit 5), not a broken source.
pub fn required_evidence(fetched: Result<Vec<u8>>, name: &str) -> Result<Vec<u8>> {
    fetched.map_err(|e| match e {
        Error::Missing { url } => Error::verification(format!(
            "{url} is missing, so the release cannot be verified ({name} is required)"
        )),
        other => other,
    })
}

fn find_listed(listed: &[RemoteAsset], name: &str, version: &Version) -> Result<Location> {
    listed
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.location.clone())
        .ok_or_else(|| {
            Error::verification_with_hint(
                format!("release {version} has no {name}, so it cannot be verified"),
                "ask the publisher to attach SHA256SUMS and SHA256SUMS.minisig to the release.",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_asset_names_become_paths() {
        let asset = |name: &str| RemoteAsset {
            name: name.to_string(),
            location: Location::Remote(format!("https://h/{name}")),
            size: None,
            host_digest: None,
        };
        assert_eq!(asset("rg.tar.gz").plain_name().unwrap(), "rg.tar.gz");
        for bad in [
            "../rg.tar.gz",
            "..",
            ".",
            "",
            "a/b",
            "a\\b",
            "C:x",
            "/etc/passwd",
        ] {
            let e = asset(bad).plain_name().unwrap_err();
            assert_eq!(e.exit_code(), 5, "{bad}");
            assert!(e.to_string().contains("not a plain file name"), "{bad}");
        }
    }

    #[test]
    fn roots_of_each_kind() {
        assert_eq!(
            Root::parse("https://h/x/").unwrap().location,
            Location::Remote("https://h/x".into())
        );
        assert_eq!(
            Root::parse("http://127.0.0.1:8080/r").unwrap().location,
            Location::Remote("http://127.0.0.1:8080/r".into())
        );
        assert!(Root::parse("http://localhost/r").is_ok());
        assert!(Root::parse("http://[::1]:80/r").is_ok());
        assert_eq!(
            Root::parse("file:///srv/r").unwrap().location,
            Location::Local("/srv/r".into())
        );
        assert_eq!(
            Root::parse("./dist").unwrap().location,
            Location::Local("./dist".into())
        );
    }

    #[test]
    fn plain_http_off_loopback_and_odd_schemes_are_refused() {
        assert_eq!(
            Root::parse("http://example.com/r").unwrap_err().exit_code(),
            2
        );
        assert_eq!(
            Root::parse("http://127.0.0.1.evil.com/r")
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(Root::parse("ftp://h/r").unwrap_err().exit_code(), 2);
    }
}
