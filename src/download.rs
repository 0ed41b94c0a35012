//! Getting bytes from a location, remote or local, with size caps: small signed
//! documents into memory, assets streamed into a temporary file inside the
//! prefix with SHA-256 computed while writing, and handed on still open
//! (`hashed::HashedFile`), so that later steps read the bytes that were
//! hashed. One downloader for install, update and self update alike. Small
//! remote documents are fetched with `If-None-Match` when a
//! `ConditionalStore` remembers their last `ETag`.

use std::cell::OnceCell;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::digest::{Hasher, Sha256};
use crate::error::{Error, IoContext, Result};
use crate::hashed::HashedFile;
use crate::http::{DownloadSink, Fetched, Http, HttpOptions};
use crate::progress::Progress;

/// Largest asset accepted when the source announces no size.
pub const DEFAULT_MAX_ASSET_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Where a document lives: an HTTP(S) URL or a local file.
#[derive(Clone, Debug, PartialEq)]
pub enum Location {
    Remote(String),
    Local(PathBuf),
}

impl Location {
    /// `base` joined with a relative path of `/`-separated parts.
    pub fn join(&self, relative: &str) -> Location {
        match self {
            Location::Remote(url) => {
                Location::Remote(format!("{}/{}", url.trim_end_matches('/'), relative))
            }
            Location::Local(dir) => Location::Local(
                relative
                    .split('/')
                    .fold(dir.clone(), |p, part| p.join(part)),
            ),
        }
    }

    pub fn display(&self) -> String {
        match self {
            Location::Remote(url) => url.clone(),
            Location::Local(path) => path.display().to_string(),
        }
    }
}

pub struct Fetcher {
    options: HttpOptions,
    http: OnceCell<Http>,
    offline: bool,
    progress: Progress,
    conditional: Option<ConditionalStore>,
}

impl Fetcher {
    pub fn new(options: HttpOptions, offline: bool, progress: Progress) -> Self {
        Fetcher {
            options,
            http: OnceCell::new(),
            offline,
            progress,
            conditional: None,
        }
    }

    /// Remembers small documents with their `ETag` in `store` and asks for
    /// them conditionally afterwards.
    pub fn with_conditional_store(mut self, store: ConditionalStore) -> Self {
        self.conditional = Some(store);
        self
    }

    pub fn is_offline(&self) -> bool {
        self.offline
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// The HTTP client, built on first use so that local installs never load
    /// certificates.
    pub fn http(&self, url: &str) -> Result<&Http> {
        if self.offline {
            return Err(Error::network(url, "--offline forbids network access"));
        }
        if let Some(http) = self.http.get() {
            return Ok(http);
        }
        let http = Http::new(self.options.clone())?;
        Ok(self.http.get_or_init(|| http))
    }

    /// Reads a small document of at most `cap` bytes.
    pub fn fetch_small(&self, location: &Location, cap: u64) -> Result<Vec<u8>> {
        match location {
            Location::Remote(url) => {
                self.progress.step(&format!("fetching {url}"));
                let _spinner = self.progress.spinner(url);
                Ok(self.get_remembering(url, &[], cap)?.body)
            }
            Location::Local(path) => read_local_capped(path, cap),
        }
    }

    /// A GET that sends `If-None-Match` when the store remembers the URL and
    /// answers a 304 with the remembered body (which the caller verifies as
    /// it would a fresh one).
    fn get_remembering(&self, url: &str, headers: &[(&str, String)], cap: u64) -> Result<Fetched> {
        let http = self.http(url)?;
        let Some(store) = &self.conditional else {
            return http.get(url, headers, cap);
        };
        let remembered = store.load(url).filter(|r| r.body.len() as u64 <= cap);
        let mut request_headers = headers.to_vec();
        if let Some(r) = &remembered {
            request_headers.push(("if-none-match", r.etag.clone()));
        }
        let fetched = http.get(url, &request_headers, cap)?;
        match (fetched.status, remembered) {
            (304, Some(r)) => {
                self.progress.step(&format!("{url} has not changed"));
                Ok(r.into_fetched())
            }
            (304, None) => Err(Error::network(
                url,
                "the server answered 304 Not Modified to an unconditional request",
            )),
            _ => {
                store.save(url, &fetched);
                Ok(fetched)
            }
        }
    }

    /// GETs with request headers and returns the response headers too (API
    /// listings, conditional requests).
    pub fn fetch_with_headers(
        &self,
        url: &str,
        headers: &[(&str, String)],
        cap: u64,
    ) -> Result<Fetched> {
        self.progress.step(&format!("fetching {url}"));
        let _spinner = self.progress.spinner(url);
        self.get_remembering(url, headers, cap)
    }

    /// Streams `location` into `dest` (created anew), hashing while writing.
    pub fn fetch_to_file(
        &self,
        location: &Location,
        headers: &[(&str, String)],
        dest: &Path,
        cap: u64,
        label: &str,
    ) -> Result<HashedFile> {
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(dest)
            .at("create", dest)?;
        let mut sink = HashingSink::new(self.progress.bar(label), None);
        match location {
            Location::Remote(url) => {
                self.http(url)?
                    .download(url, headers, cap, &mut file, &mut sink, None)?;
            }
            Location::Local(path) => copy_local(path, &mut file, &mut sink, cap)?,
        }
        // No fsync: the download is a temporary file, trusted only through its
        // hash and read through the handle it was hashed through; a crash
        // discards it.
        sink.bar.finish();
        HashedFile::written(file, dest, sink.hasher.finish())
    }

    /// Streams `partial`'s URL into its file, continuing what an earlier run
    /// left there when the sidecar still names the same URL and expected
    /// digest (the server decides, through `If-Range`, whether the bytes are
    /// still current). Its bytes are hashed again from disk, never trusted.
    pub fn fetch_partial(&self, partial: &Partial, cap: u64, label: &str) -> Result<HashedFile> {
        let http = self.http(&partial.url)?;
        if let Some(dir) = partial.file.parent() {
            std::fs::create_dir_all(dir).at("create", dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&partial.file)
            .at("open", &partial.file)?;
        let kept = file.metadata().at("read", &partial.file)?.len();
        let from = partial.resume_point(kept);
        match &from {
            Some(from) => self.progress.step(&format!(
                "resuming {label} after the {} bytes an earlier run downloaded",
                from.offset
            )),
            None => {
                partial.forget_validator();
                // Only a file that holds bytes is truncated: ext4 writes a
                // file truncated to zero out to disk when it is closed
                // (auto_da_alloc), 66 ms for a 143 MB download.
                if kept > 0 {
                    file.set_len(0).at("truncate", &partial.file)?;
                }
            }
        }
        let mut sink = HashingSink::new(self.progress.bar(label), Some(partial));
        http.download(&partial.url, &[], cap, &mut file, &mut sink, from)?;
        sink.bar.finish();
        HashedFile::written(file, &partial.file, sink.hasher.finish())
    }
}

/// An asset download kept across runs as `<dir>/<asset>.part`, beside a
/// sidecar `<asset>.part.json` naming the URL, the server's validator (`ETag`
/// or `Last-Modified`) and the digest the evidence expects. An interrupted or
/// killed run leaves both; the next one resumes with `Range` + `If-Range`.
/// One per asset name; removed once the bytes are taken or refused, or when
/// stale (`remove_stale_partials`).
pub struct Partial {
    pub file: PathBuf,
    sidecar: PathBuf,
    url: String,
    expected: Option<Sha256>,
}

#[derive(Serialize, Deserialize)]
struct Sidecar {
    url: String,
    validator: String,
    sha256: Option<String>,
}

/// A partial download untouched this long belongs to a release nobody
/// finished installing.
const PARTIAL_LIFETIME: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

impl Partial {
    pub fn new(dir: &Path, asset: &str, url: &str, expected: Option<Sha256>) -> Partial {
        Partial {
            file: dir.join(format!("{asset}.part")),
            sidecar: dir.join(format!("{asset}.part.json")),
            url: url.to_string(),
            expected,
        }
    }

    /// Where to continue the `kept` bytes of the file, when the sidecar says
    /// they come from this URL, for this digest, under a validator.
    fn resume_point(&self, kept: u64) -> Option<crate::http::Resume> {
        let sidecar: Sidecar = serde_json::from_slice(&std::fs::read(&self.sidecar).ok()?).ok()?;
        let same = sidecar.url == self.url
            && sidecar.sha256 == self.expected.map(|d| d.to_string())
            && kept > 0;
        same.then_some(crate::http::Resume {
            offset: kept,
            validator: sidecar.validator,
        })
    }

    /// Records the validator of a body that starts from zero, before any of
    /// its bytes are written; with none, the bytes cannot be resumed later.
    /// Failing to write it only costs a full download next time.
    fn record_validator(&self, validator: Option<&str>) {
        let Some(validator) = validator else {
            self.forget_validator();
            return;
        };
        let sidecar = Sidecar {
            url: self.url.clone(),
            validator: validator.to_string(),
            sha256: self.expected.map(|d| d.to_string()),
        };
        if let Ok(json) = serde_json::to_vec(&sidecar) {
            let _ = crate::atomic::write_file(&self.sidecar, &json);
        }
    }

    fn forget_validator(&self) {
        let _ = std::fs::remove_file(&self.sidecar);
    }

    /// Drops bytes that must not be resumed (they failed their check).
    pub fn discard(&self) {
        self.forget_validator();
        let _ = std::fs::remove_file(&self.file);
        self.remove_dir_if_empty();
    }

    /// Moves the finished download to `dest` (same file system).
    pub fn take_into(&self, dest: &Path) -> Result<()> {
        self.forget_validator();
        std::fs::rename(&self.file, dest).at("move into place", dest)?;
        self.remove_dir_if_empty();
        Ok(())
    }

    /// No empty `partial/` is left behind once nothing waits in it.
    fn remove_dir_if_empty(&self) {
        if let Some(dir) = self.file.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Removes kept partial downloads (and their sidecars) untouched for
/// `PARTIAL_LIFETIME`, so that abandoned ones do not pile up.
pub fn remove_stale_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > PARTIAL_LIFETIME);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The last answer remembered for a URL.
#[derive(Debug)]
struct Remembered {
    etag: String,
    link: Option<String>,
    body: Vec<u8>,
}

impl Remembered {
    /// As if the server had sent it again.
    fn into_fetched(self) -> Fetched {
        Fetched {
            status: 200,
            body: self.body,
            etag: Some(self.etag),
            link: self.link,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Meta {
    url: String,
    etag: String,
    link: Option<String>,
}

/// Bodies and `ETag`s of small documents (index.json, API listings), keyed by
/// URL, as `<dir>/<hash of URL>.{body,meta}`: a check that finds nothing new
/// moves no bodies (`If-None-Match` → 304).
#[derive(Clone, Debug)]
pub struct ConditionalStore {
    dir: PathBuf,
}

impl ConditionalStore {
    pub fn new(dir: impl Into<PathBuf>) -> ConditionalStore {
        ConditionalStore { dir: dir.into() }
    }

    fn paths(&self, url: &str) -> (PathBuf, PathBuf) {
        let key = &Sha256::of(url.as_bytes()).to_string()[..32];
        (
            self.dir.join(format!("{key}.body")),
            self.dir.join(format!("{key}.meta")),
        )
    }

    /// What was last fetched from `url`, when it came with an `ETag`.
    fn load(&self, url: &str) -> Option<Remembered> {
        let (body_path, meta_path) = self.paths(url);
        let meta: Meta = serde_json::from_slice(&std::fs::read(meta_path).ok()?).ok()?;
        if meta.url != url {
            return None;
        }
        Some(Remembered {
            etag: meta.etag,
            link: meta.link,
            body: std::fs::read(body_path).ok()?,
        })
    }

    /// Remembers a 200 answer. Failing to is harmless (the next check simply
    /// downloads again), so errors are ignored.
    fn save(&self, url: &str, fetched: &Fetched) {
        let Some(etag) = &fetched.etag else {
            return;
        };
        let meta = Meta {
            url: url.to_string(),
            etag: etag.clone(),
            link: fetched.link.clone(),
        };
        let Ok(meta) = serde_json::to_vec(&meta) else {
            return;
        };
        let (body_path, meta_path) = self.paths(url);
        if std::fs::create_dir_all(&self.dir).is_ok() {
            let _ = std::fs::remove_file(&meta_path);
            let _ = crate::atomic::write_file(&body_path, &fetched.body)
                .and_then(|()| crate::atomic::write_file(&meta_path, &meta));
        }
    }
}

struct HashingSink<'a> {
    hasher: Hasher,
    bar: crate::progress::Bar,
    /// Where the validator of a fresh body is recorded, for a later run.
    partial: Option<&'a Partial>,
}

impl<'a> HashingSink<'a> {
    fn new(bar: crate::progress::Bar, partial: Option<&'a Partial>) -> Self {
        HashingSink {
            hasher: Hasher::default(),
            bar,
            partial,
        }
    }
}

impl DownloadSink for HashingSink<'_> {
    fn begin(&mut self, validator: Option<&str>) {
        if let Some(partial) = self.partial {
            partial.record_validator(validator);
        }
    }

    fn announce(&mut self, total: u64) {
        self.bar.set_total(total);
    }

    fn chunk(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.bar.advance(bytes.len() as u64);
    }

    fn restart(&mut self) {
        self.hasher = Hasher::default();
        self.bar.reset();
    }

    fn resume(&mut self, file: &mut std::fs::File, offset: u64) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        self.hasher = Hasher::default();
        file.seek(SeekFrom::Start(0))?;
        let copied = std::io::copy(
            &mut (&mut *file).take(offset),
            &mut HashWriter(&mut self.hasher),
        )?;
        if copied != offset {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("the partial download holds {copied} bytes, not {offset}"),
            ));
        }
        file.seek(SeekFrom::Start(offset))?;
        Ok(())
    }
}

/// Feeds whatever is written into a hasher.
struct HashWriter<'a>(&'a mut Hasher);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn open_local(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            // A file the source should have is missing: the source is broken or
            // mistyped, as with a 404, not a release that fails to match.
            Error::Missing {
                url: path.display().to_string(),
            }
        } else {
            Error::io("read", path, e)
        }
    })
}

fn read_local_capped(path: &Path, cap: u64) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    open_local(path)?
        .take(cap + 1)
        .read_to_end(&mut body)
        .at("read", path)?;
    if body.len() as u64 > cap {
        return Err(Error::verification(format!(
            "{} is larger than the {cap} bytes allowed for it",
            path.display()
        )));
    }
    Ok(body)
}

fn copy_local(
    path: &Path,
    out: &mut std::fs::File,
    sink: &mut dyn DownloadSink,
    cap: u64,
) -> Result<()> {
    use std::io::Write;
    let mut input = open_local(path)?;
    if let Ok(meta) = input.metadata() {
        if meta.len() > cap {
            return Err(Error::verification(format!(
                "{} is {} bytes, more than the {cap} allowed",
                path.display(),
                meta.len()
            )));
        }
        sink.announce(meta.len());
    }
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = input.read(&mut buf).at("read", path)?;
        if n == 0 {
            return Ok(());
        }
        total += n as u64;
        if total > cap {
            return Err(Error::verification(format!(
                "{} grew past the {cap} bytes allowed",
                path.display()
            )));
        }
        out.write_all(&buf[..n]).at("write a copy of", path)?;
        sink.chunk(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_remote_and_local_locations() {
        let remote = Location::Remote("https://h/root/".into());
        assert_eq!(
            remote.join("v1.0.0/SHA256SUMS"),
            Location::Remote("https://h/root/v1.0.0/SHA256SUMS".into())
        );
        let local = Location::Local(PathBuf::from("/srv/root"));
        assert_eq!(
            local.join("v1.0.0/SHA256SUMS"),
            Location::Local(PathBuf::from("/srv/root/v1.0.0/SHA256SUMS"))
        );
    }

    #[test]
    fn local_reads_are_capped_and_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a");
        std::fs::write(&src, b"hello").unwrap();
        let fetcher = Fetcher::new(HttpOptions::default(), true, Progress::quiet());
        assert_eq!(
            fetcher
                .fetch_small(&Location::Local(src.clone()), 5)
                .unwrap(),
            b"hello"
        );
        assert_eq!(
            fetcher
                .fetch_small(&Location::Local(src.clone()), 4)
                .unwrap_err()
                .exit_code(),
            5
        );
        let out = dir.path().join("out");
        let got = fetcher
            .fetch_to_file(&Location::Local(src), &[], &out, 100, "a")
            .unwrap();
        assert_eq!(got.sha256(), Sha256::of(b"hello"));
        assert_eq!(std::fs::read(out).unwrap(), b"hello");
    }

    #[test]
    fn a_resume_hashes_the_partial_file_as_it_is_on_disk() {
        use std::io::{Seek, Write};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part");
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .unwrap();
        file.write_all(b"hello world").unwrap();
        let mut sink = HashingSink::new(Progress::quiet().bar("part"), None);
        // What the sink saw go by is not what is on disk: the disk wins.
        sink.chunk(b"HELLO");
        sink.resume(&mut file, 5).unwrap();
        assert_eq!(file.stream_position().unwrap(), 5);
        sink.chunk(b" there");
        assert_eq!(sink.hasher.finish(), Sha256::of(b"hello there"));
        let mut short = HashingSink::new(Progress::quiet().bar("part"), None);
        assert!(short.resume(&mut file, 100).is_err());
    }

    #[test]
    fn missing_local_files_are_a_broken_source_and_offline_refuses_the_network() {
        let fetcher = Fetcher::new(HttpOptions::default(), true, Progress::quiet());
        let missing = Location::Local(PathBuf::from("/nonexistent/x"));
        let err = fetcher.fetch_small(&missing, 10).unwrap_err();
        assert_eq!(err.exit_code(), 4);
        assert!(err.to_string().contains("/nonexistent/x"), "{err}");
        let remote = Location::Remote("https://example.invalid/x".into());
        assert_eq!(fetcher.fetch_small(&remote, 10).unwrap_err().exit_code(), 4);
    }

    #[test]
    fn conditional_answers_are_remembered_with_their_link() {
        let dir = tempfile::tempdir().unwrap();
        let store = ConditionalStore::new(dir.path().join("http"));
        assert!(store.load("https://h/index.json").is_none());
        let fetched = Fetched {
            status: 200,
            body: b"{}".to_vec(),
            etag: Some("\"abc\"".into()),
            link: Some("<https://h/p2>; rel=\"next\"".into()),
        };
        store.save("https://h/index.json", &fetched);
        let remembered = store.load("https://h/index.json").unwrap();
        assert_eq!(remembered.etag, "\"abc\"");
        assert_eq!(remembered.into_fetched(), fetched);
        assert!(store.load("https://h/other.json").is_none());

        let untagged = Fetched {
            etag: None,
            ..fetched
        };
        store.save("https://h/untagged", &untagged);
        assert!(store.load("https://h/untagged").is_none());
    }
}
