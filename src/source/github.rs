//! GitHub Releases (CONTRACT 2.4): lists a repository's releases through the API
//! (following `Link: rel="next"`), skips drafts, keeps only the tags of the
//! product asked for, and offers each release's assets by their download URL.
//!
//! For a foreign repository (`--repo`), every non-draft release counts and its
//! version is read leniently from the tag (`version::lenient_tag_version`); a
//! release GitHub marks `prerelease` whose tag names no pre-release gets the
//! pre-release `pre`, so that only a beta/nightly channel or a requirement
//! naming a pre-release picks it. A tag asked for exactly keeps the version the
//! requirement gave it, whatever it reads as.

use semver::Version;
use serde::Deserialize;

use super::{Offered, RemoteAsset};
use crate::digest::Sha256;
use crate::download::{Fetcher, Location};
use crate::error::{Error, Result};

/// The default repository and API.
pub const DEFAULT_REPO: &str = "microsoft/BitNet";
pub const DEFAULT_API: &str = "https://api.github.com";
/// Most pages of releases followed; 100 releases a page.
const MAX_PAGES: usize = 20;
const MAX_PAGE_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct GitHub {
    pub api: String,
    pub repo: String,
    /// `v` for bitnet, `bitnet-install-v` for the installer itself.
    pub tag_prefix: String,
    /// A foreign repository: any tag, read leniently (see the module doc).
    pub lenient_tags: bool,
    /// The tag `--version` named exactly, with the version it stands for.
    pub exact_tag: Option<(String, Version)>,
}

#[derive(Deserialize)]
struct ApiRelease {
    tag_name: String,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    prerelease: bool,
    #[serde(default)]
    assets: Vec<ApiAsset>,
}

#[derive(Deserialize)]
struct ApiAsset {
    name: String,
    browser_download_url: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    digest: Option<String>,
}

impl GitHub {
    /// Request headers: the API version (the token is the HTTP layer's).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        vec![
            ("accept", "application/vnd.github+json".to_string()),
            ("x-github-api-version", "2022-11-28".to_string()),
        ]
    }

    /// Every non-draft release whose tag is `<prefix><semver>`.
    pub fn list(&self, fetcher: &Fetcher) -> Result<Vec<Offered>> {
        let mut url = format!(
            "{}/repos/{}/releases?per_page=100",
            self.api.trim_end_matches('/'),
            self.repo
        );
        let mut offered = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = fetcher.fetch_with_headers(&url, &self.headers(), MAX_PAGE_BYTES)?;
            let releases: Vec<ApiRelease> = serde_json::from_slice(&page.body).map_err(|e| {
                Error::network(
                    &url,
                    format!("the API answered something that is not a release list ({e})"),
                )
            })?;
            offered.extend(releases.into_iter().filter_map(|r| self.offered(r)));
            match page.link_next() {
                Some(next) => url = next,
                None => break,
            }
        }
        Ok(offered)
    }

    fn offered(&self, release: ApiRelease) -> Option<Offered> {
        if release.draft {
            return None;
        }
        let version = if self.lenient_tags {
            self.lenient_version(&release.tag_name, release.prerelease)?
        } else {
            version_from_tag(&release.tag_name, &self.tag_prefix)?
        };
        let assets = release
            .assets
            .into_iter()
            .map(|a| RemoteAsset {
                location: Location::Remote(a.browser_download_url),
                size: a.size,
                host_digest: a
                    .digest
                    .as_deref()
                    .and_then(|d| d.strip_prefix("sha256:"))
                    .and_then(Sha256::from_hex),
                name: a.name,
            })
            .collect();
        Some(Offered {
            base: Location::Remote(format!(
                "https://github.com/{}/releases/download/{}",
                self.repo, release.tag_name
            )),
            version,
            assets: Some(assets),
        })
    }
}

impl GitHub {
    fn lenient_version(&self, tag: &str, prerelease: bool) -> Option<Version> {
        if let Some((exact, version)) = &self.exact_tag {
            if exact == tag {
                return Some(version.clone());
            }
        }
        let mut version = crate::version::lenient_tag_version(tag)?;
        if prerelease && version.pre.is_empty() {
            version.pre = semver::Prerelease::new("pre").ok()?;
        }
        Some(version)
    }
}

/// The tag of a release this source offered, read back from its download base
/// (`https://github.com/<repo>/releases/download/<tag>`).
pub fn tag_of(offered: &Offered) -> Option<&str> {
    match &offered.base {
        Location::Remote(url) => url.split_once("/releases/download/").map(|(_, tag)| tag),
        Location::Local(_) => None,
    }
}

/// `v0.3.2` with prefix `v` → 0.3.2; a tag of another product never matches,
/// because what follows the prefix must itself be a version.
pub fn version_from_tag(tag: &str, prefix: &str) -> Option<Version> {
    Version::parse(tag.strip_prefix(prefix)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_separated_by_product() {
        assert_eq!(version_from_tag("v0.3.2", "v"), Some(Version::new(0, 3, 2)));
        assert_eq!(version_from_tag("bitnet-install-v0.3.2", "v"), None);
        assert_eq!(
            version_from_tag("bitnet-install-v0.1.0", "bitnet-install-v"),
            Some(Version::new(0, 1, 0))
        );
        assert_eq!(version_from_tag("v0.3.2", "bitnet-install-v"), None);
        assert_eq!(version_from_tag("vnext", "v"), None);
        // The fixed release of the bootstrap scripts is no version of either product.
        assert_eq!(version_from_tag("bitnet-install", "bitnet-install-v"), None);
        assert_eq!(version_from_tag("bitnet-install", "v"), None);
    }

    #[test]
    fn drafts_are_skipped_and_digests_kept() {
        let gh = GitHub {
            api: DEFAULT_API.into(),
            repo: DEFAULT_REPO.into(),
            tag_prefix: "v".into(),
            lenient_tags: false,
            exact_tag: None,
        };
        let json = r#"[{"tag_name":"v0.3.2","draft":true,"assets":[]},
            {"tag_name":"v0.3.1","draft":false,"assets":[{"name":"a.tar.gz","browser_download_url":"https://dl/a","size":5,"digest":"sha256:ABCD"},{"name":"b.tar.gz","browser_download_url":"https://dl/b","size":5,"digest":"sha256:{DIGEST}"}]}]"#;
        let digest = Sha256::of(b"b");
        let json = json.replace("{DIGEST}", &digest.to_string().to_uppercase());
        let releases: Vec<ApiRelease> = serde_json::from_str(&json).unwrap();
        let offered: Vec<Offered> = releases.into_iter().filter_map(|r| gh.offered(r)).collect();
        assert_eq!(offered.len(), 1);
        let assets = offered[0].assets.as_ref().unwrap();
        assert_eq!(assets[0].host_digest, None, "not a SHA-256");
        assert_eq!(assets[1].host_digest, Some(digest));
        assert_eq!(assets[0].size, Some(5));
    }

    #[test]
    fn foreign_listings_read_any_tag_and_mark_github_prereleases() {
        let gh = GitHub {
            api: DEFAULT_API.into(),
            repo: "ggml-org/llama.cpp".into(),
            tag_prefix: String::new(),
            lenient_tags: true,
            exact_tag: Some(("nightly".into(), crate::version::version_for_tag("nightly"))),
        };
        let json = r#"[{"tag_name":"b3700","prerelease":true,"assets":[]},
            {"tag_name":"b3672","assets":[]},
            {"tag_name":"jq-1.6","assets":[]},
            {"tag_name":"nightly","assets":[]},
            {"tag_name":"latest-build","assets":[]}]"#;
        let digest = Sha256::of(b"b");
        let json = json.replace("{DIGEST}", &digest.to_string().to_uppercase());
        let releases: Vec<ApiRelease> = serde_json::from_str(&json).unwrap();
        let offered: Vec<Offered> = releases.into_iter().filter_map(|r| gh.offered(r)).collect();
        let versions: Vec<String> = offered.iter().map(|o| o.version.to_string()).collect();
        assert_eq!(
            versions,
            ["3700.0.0-pre", "3672.0.0", "1.6.0", "0.0.0-tag-nightly"]
        );
        assert_eq!(tag_of(&offered[2]), Some("jq-1.6"));
    }
}
