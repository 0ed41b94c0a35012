//! The download cache, in the platform's cache directory. Two stores:
//!
//! - releases: `<cache>/<product>/<version>/{SHA256SUMS, SHA256SUMS.minisig, <asset>}`,
//!   written only after the asset verified, so that `--offline`, `use` of a
//!   removed version and re-installs need no network. Nothing read back is
//!   trusted as is: the signature is re-verified and the asset re-hashed by the
//!   caller every time. The store is trimmed to a size bound, oldest first.
//!
//! Beside it, `<cache>/http/` holds the conditional-request store of
//! `download::ConditionalStore`.

use std::path::{Path, PathBuf};

use semver::Version;

use crate::digest::Sha256;
use crate::download::Location;
use crate::error::{Error, IoContext, Result};
use crate::hashed::HashedFile;
use crate::source::{Offered, RemoteAsset, VerifiedRelease};

const SUMS: &str = "SHA256SUMS";
const SIGNATURE: &str = "SHA256SUMS.minisig";
/// The subdirectory of conditional-request bodies; never a product name.
pub const HTTP_DIR: &str = "http";
/// Files being written end with this and are never offered.
const PARTIAL: &str = ".partial";

/// The release store.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
    max_bytes: u64,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>, max_bytes: u64) -> Cache {
        Cache {
            dir: dir.into(),
            max_bytes,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn release_dir(&self, product: &str, version: &Version) -> PathBuf {
        self.dir.join(product).join(version.to_string())
    }

    /// Keeps a verified release's checksums, their signature and the asset at
    /// `archive` (already checked against them), then trims the cache.
    pub fn store(&self, release: &VerifiedRelease, asset: &str, archive: &Path) -> Result<()> {
        if !is_plain_name(asset) || !is_plain_name(&release.product) {
            return Err(Error::verification(format!(
                "refusing to cache '{asset}': not a plain file name"
            )));
        }
        let dir = self.release_dir(&release.product, &release.version);
        std::fs::create_dir_all(&dir).at("create", &dir)?;
        write_atomically(&dir, SUMS, |to| {
            std::fs::write(to, &release.sums_text).at("write", to)
        })?;
        write_atomically(&dir, SIGNATURE, |to| {
            std::fs::write(to, &release.signature_text).at("write", to)
        })?;
        write_atomically(&dir, asset, |to| link_or_copy(archive, to))?;
        touch(&dir.join(SUMS));
        self.trim(&dir)
    }

    /// Every cached version of `product`, offered with the files the cache
    /// holds. Nothing is verified here: `source::open_release` checks the
    /// signature and binds it to the version, as for any other source.
    pub fn offered(&self, product: &str) -> Vec<Offered> {
        let Ok(entries) = std::fs::read_dir(self.dir.join(product)) else {
            return Vec::new();
        };
        let mut offered: Vec<Offered> = entries
            .flatten()
            .filter_map(|entry| {
                let version = Version::parse(entry.file_name().to_str()?).ok()?;
                let dir = entry.path();
                let assets = cached_files(&dir);
                let has = |name: &str| assets.iter().any(|a| a.name == name);
                (has(SUMS) && has(SIGNATURE)).then(|| Offered {
                    version,
                    base: Location::Local(dir),
                    assets: Some(assets),
                })
            })
            .collect();
        offered.sort_by(|a, b| b.version.cmp(&a.version));
        offered
    }

    /// The cached copy of `asset` when its bytes hash to `expected` (a signed
    /// checksum), held open through the handle it was hashed through; a copy
    /// that does not is removed, so it is fetched again.
    pub fn verified_asset(
        &self,
        product: &str,
        version: &Version,
        asset: &str,
        expected: Sha256,
    ) -> Option<HashedFile> {
        if !is_plain_name(asset) {
            return None;
        }
        let dir = self.release_dir(product, version);
        let path = dir.join(asset);
        match HashedFile::open(&path) {
            Ok(cached) if cached.sha256() == expected => {
                touch(&dir.join(SUMS));
                Some(cached)
            }
            Ok(_) => {
                let _ = std::fs::remove_file(&path);
                None
            }
            Err(_) => None,
        }
    }

    /// Removes whole releases, least recently used first, until the cache is
    /// within its bound; `keep` (the release just stored) always stays.
    pub fn trim(&self, keep: &Path) -> Result<()> {
        let mut releases = self.releases();
        let mut total: u64 = releases.iter().map(|r| r.bytes).sum();
        releases.sort_by_key(|r| r.used);
        for release in releases {
            if total <= self.max_bytes {
                break;
            }
            if release.dir == keep {
                continue;
            }
            match std::fs::remove_dir_all(&release.dir) {
                Ok(()) => total -= release.bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => total -= release.bytes,
                Err(e) => return Err(Error::io("remove", &release.dir, e)),
            }
        }
        Ok(())
    }

    fn releases(&self) -> Vec<CachedRelease> {
        let mut found = Vec::new();
        let Ok(products) = std::fs::read_dir(&self.dir) else {
            return found;
        };
        for product in products.flatten() {
            if product.file_name() == HTTP_DIR || !product.path().is_dir() {
                continue;
            }
            let Ok(versions) = std::fs::read_dir(product.path()) else {
                continue;
            };
            for version in versions.flatten() {
                let dir = version.path();
                if !dir.is_dir() {
                    continue;
                }
                let used = std::fs::metadata(dir.join(SUMS))
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                found.push(CachedRelease {
                    bytes: dir_size(&dir),
                    dir,
                    used,
                });
            }
        }
        found
    }
}

struct CachedRelease {
    dir: PathBuf,
    bytes: u64,
    used: std::time::SystemTime,
}

/// The files of a cached release as assets at local paths.
fn cached_files(dir: &Path) -> Vec<RemoteAsset> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut assets: Vec<RemoteAsset> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            (!name.ends_with(PARTIAL)).then(|| RemoteAsset {
                location: Location::Local(e.path()),
                size: e.metadata().ok().map(|m| m.len()),
                host_digest: None,
                name,
            })
        })
        .collect();
    assets.sort_by(|a, b| a.name.cmp(&b.name));
    assets
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Marks a release as just used, for least-recently-used trimming.
fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
}

/// A hard link costs nothing on the install's hot path; a copy is the fallback
/// when the cache lives on another file system. Sharing the inode is safe: a
/// cached asset is re-hashed against its signed checksum before every use.
fn link_or_copy(archive: &Path, to: &Path) -> Result<()> {
    if std::fs::hard_link(archive, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(archive, to)
        .at("copy into the cache", to)
        .map(drop)
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name != HTTP_DIR
        && !name.contains(['/', '\\'])
        && !name.ends_with(PARTIAL)
}

/// Writes `name` in `dir` through a temporary file and a rename, so that a
/// killed run never leaves a half-written file under the real name.
fn write_atomically(dir: &Path, name: &str, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let partial = dir.join(format!("{name}{PARTIAL}"));
    write(&partial)?;
    let path = dir.join(name);
    std::fs::rename(&partial, &path).at("rename into place", &path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{Checksums, TrustedComment};

    fn release(version: &str, asset: &str, bytes: &[u8]) -> VerifiedRelease {
        let sums_text = format!("{}  {asset}\n", Sha256::of(bytes));
        VerifiedRelease {
            product: "bitnet".into(),
            version: Version::parse(version).unwrap(),
            checksums: Checksums::parse(&sums_text).unwrap(),
            comment: TrustedComment::parse("product:bitnet"),
            assets: Vec::new(),
            sums_text,
            signature_text: "sig".into(),
        }
    }

    fn store(cache: &Cache, version: &str, bytes: &[u8]) -> PathBuf {
        let scratch = tempfile::tempdir().unwrap();
        let archive = scratch.path().join("a.tar.gz");
        std::fs::write(&archive, bytes).unwrap();
        cache
            .store(&release(version, "a.tar.gz", bytes), "a.tar.gz", &archive)
            .unwrap();
        cache.release_dir("bitnet", &Version::parse(version).unwrap())
    }

    #[test]
    fn stored_releases_are_offered_and_their_assets_rehashed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), u64::MAX);
        store(&cache, "0.3.1", b"one");
        store(&cache, "0.3.2", b"two");
        let offered = cache.offered("bitnet");
        let versions: Vec<String> = offered.iter().map(|o| o.version.to_string()).collect();
        assert_eq!(versions, ["0.3.2", "0.3.1"]);
        let names: Vec<&str> = offered[0]
            .assets
            .as_ref()
            .unwrap()
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(names, ["SHA256SUMS", "SHA256SUMS.minisig", "a.tar.gz"]);

        let v = Version::parse("0.3.2").unwrap();
        let good = Sha256::of(b"two");
        assert!(cache
            .verified_asset("bitnet", &v, "a.tar.gz", good)
            .is_some());
        let wrong = Sha256::of(b"other");
        assert!(cache
            .verified_asset("bitnet", &v, "a.tar.gz", wrong)
            .is_none());
        assert!(
            cache
                .verified_asset("bitnet", &v, "a.tar.gz", good)
                .is_none(),
            "a copy that failed its hash is removed"
        );
        assert!(cache
            .verified_asset("bitnet", &v, "../0.3.1/a.tar.gz", good)
            .is_none());
    }

    #[cfg(unix)]
    #[test]
    fn an_asset_on_the_same_file_system_is_linked_not_copied() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("cache"), u64::MAX);
        let archive = dir.path().join("a.tar.gz");
        std::fs::write(&archive, b"bytes").unwrap();
        cache
            .store(
                &release("0.3.2", "a.tar.gz", b"bytes"),
                "a.tar.gz",
                &archive,
            )
            .unwrap();
        let cached = cache
            .release_dir("bitnet", &Version::new(0, 3, 2))
            .join("a.tar.gz");
        assert_eq!(
            std::fs::metadata(&cached).unwrap().ino(),
            std::fs::metadata(&archive).unwrap().ino()
        );
        std::fs::remove_file(&archive).unwrap();
        assert_eq!(
            std::fs::read(&cached).unwrap(),
            b"bytes",
            "the cached copy outlives the download"
        );
    }

    #[test]
    fn trimming_removes_the_least_recently_used_release_first() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![7u8; 1000];
        let cache = Cache::new(dir.path(), 2500);
        let first = store(&cache, "0.1.0", &big);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let second = store(&cache, "0.2.0", &big);
        assert!(first.exists() && second.exists());
        std::thread::sleep(std::time::Duration::from_millis(20));
        let third = store(&cache, "0.3.0", &big);
        assert!(!first.exists(), "the oldest release is evicted");
        assert!(second.exists() && third.exists());

        let tiny = Cache::new(dir.path(), 1);
        let kept = store(&tiny, "0.4.0", &big);
        assert!(kept.exists(), "the release just stored always stays");
        assert!(!second.exists() && !third.exists());
    }
}
