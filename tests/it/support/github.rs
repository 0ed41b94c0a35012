//! A fake GitHub Releases API served by a `TestServer` under `/github-api` (what
//! `World::cmd` puts in `GITHUB_API_URL`): release listing with `Link` pagination,
//! `releases/latest` and `releases/tags/<tag>`; assets are files under the served root.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::release::sha256_hex;
use super::server::{Request, Response, TestServer};

/// The path prefix of the fake API on its server.
pub const API_PREFIX: &str = "/github-api";

#[derive(Clone, Debug)]
pub struct GhAsset {
    pub name: String,
    pub browser_download_url: String,
    pub size: u64,
    /// `sha256:<hex>`, as GitHub publishes for new uploads; `None` leaves it out.
    pub digest: Option<String>,
}

#[derive(Clone, Debug)]
pub struct GhRelease {
    pub tag: String,
    pub draft: bool,
    pub prerelease: bool,
    pub assets: Vec<GhAsset>,
}

impl GhRelease {
    fn to_json(&self) -> serde_json::Value {
        let assets: Vec<_> = self
            .assets
            .iter()
            .map(|a| {
                let mut asset = serde_json::json!({
                    "name": a.name,
                    "size": a.size,
                    "browser_download_url": a.browser_download_url,
                    "content_type": "application/octet-stream",
                    "state": "uploaded",
                });
                if let Some(d) = &a.digest {
                    asset["digest"] = serde_json::Value::String(d.clone());
                }
                asset
            })
            .collect();
        serde_json::json!({
            "tag_name": self.tag,
            "name": self.tag,
            "draft": self.draft,
            "prerelease": self.prerelease,
            "assets": assets,
        })
    }
}

struct State {
    /// Newest first, as GitHub lists them.
    releases: Vec<GhRelease>,
    page_size: usize,
}

/// The fake API for one repository; clones share the same releases.
#[derive(Clone)]
pub struct FakeGitHub {
    state: Arc<Mutex<State>>,
    base_url: String,
    repo: String,
}

impl FakeGitHub {
    /// Serves `repo` (`owner/name`) on `server` under `/github-api`.
    pub fn install(server: &TestServer, repo: &str) -> FakeGitHub {
        let gh = FakeGitHub {
            state: Arc::new(Mutex::new(State {
                releases: Vec::new(),
                page_size: 30,
            })),
            base_url: server.base_url(),
            repo: repo.to_string(),
        };
        let handler = gh.clone();
        server.handle(move |req| handler.respond(req));
        gh
    }

    /// `GITHUB_API_URL` for this fake.
    pub fn api_url(&self) -> String {
        format!("{}{API_PREFIX}", self.base_url)
    }

    /// The largest page the listing returns, whatever `per_page` asks (forces
    /// pagination with few releases).
    pub fn page_size(&self, n: usize) {
        self.lock().page_size = n.max(1);
    }

    /// Adds a release (as the newest) whose assets are the files of `dir`, which must
    /// lie under `served_root`; each asset gets a `digest` unless `with_digests` is
    /// false. Returns what was added.
    pub fn publish_dir(
        &self,
        tag: &str,
        served_root: &Path,
        dir: &Path,
        with_digests: bool,
    ) -> GhRelease {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .expect("read release dir")
            .flatten()
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let relative = dir
            .strip_prefix(served_root)
            .expect("release dir under the served root");
        let assets = names
            .into_iter()
            .map(|name| {
                let bytes = std::fs::read(dir.join(&name)).expect("read asset");
                let url_path = relative.join(&name);
                GhAsset {
                    browser_download_url: format!("{}/{}", self.base_url, url_path.display()),
                    size: bytes.len() as u64,
                    digest: with_digests.then(|| format!("sha256:{}", sha256_hex(&bytes))),
                    name,
                }
            })
            .collect();
        let release = GhRelease {
            tag: tag.to_string(),
            draft: false,
            prerelease: false,
            assets,
        };
        self.add(release.clone());
        release
    }

    /// Adds a release as the newest.
    pub fn add(&self, release: GhRelease) {
        self.lock().releases.insert(0, release);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn respond(&self, req: &Request) -> Option<Response> {
        let repo_prefix = format!("{API_PREFIX}/repos/{}/releases", self.repo);
        let rest = req.path.strip_prefix(&repo_prefix)?;
        let state = self.lock();
        match rest {
            "" | "/" => Some(self.list_page(&state, req)),
            "/latest" => Some(found(
                state.releases.iter().find(|r| !r.draft && !r.prerelease),
            )),
            _ => {
                let tag = rest.strip_prefix("/tags/")?;
                Some(found(state.releases.iter().find(|r| r.tag == tag)))
            }
        }
    }

    fn list_page(&self, state: &State, req: &Request) -> Response {
        let param = |name: &str| {
            req.query.as_deref().and_then(|q| {
                q.split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .find(|(k, _)| *k == name)
                    .and_then(|(_, v)| v.parse::<usize>().ok())
            })
        };
        let per_page = param("per_page").unwrap_or(30).clamp(1, state.page_size);
        let page = param("page").unwrap_or(1).max(1);
        let start = (page - 1) * per_page;
        let items: Vec<_> = state
            .releases
            .iter()
            .skip(start)
            .take(per_page)
            .map(GhRelease::to_json)
            .collect();
        let mut response = Response::json(&serde_json::Value::Array(items));
        if start + per_page < state.releases.len() {
            let next = format!(
                "{}{API_PREFIX}/repos/{}/releases?per_page={per_page}&page={}",
                self.base_url,
                self.repo,
                page + 1
            );
            response = response.header("Link", &format!("<{next}>; rel=\"next\""));
        }
        response
    }
}

fn found(release: Option<&GhRelease>) -> Response {
    match release {
        Some(r) => Response::json(&r.to_json()),
        None => Response::new(404)
            .header("Content-Type", "application/json")
            .body(r#"{"message":"Not Found"}"#),
    }
}
