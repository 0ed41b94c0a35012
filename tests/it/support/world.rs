//! A hermetic world for one end-to-end test: a temp dir with `root/` (served),
//! `home/`, `prefix/`, `bin/` and `tmp/`, a fresh signing key, a running server, and
//! the binary under test with a clean environment pointing at all of them.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::github::{FakeGitHub, API_PREFIX};
use super::release::{unix_now, write_index, ReleaseBuilder, TestKey, Written};
use super::server::TestServer;

/// How long a run of the binary may take before the test fails instead of hanging.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);
/// Default lifetime of an index signature written by `publish_index`.
const INDEX_LIFETIME: u64 = 30 * 24 * 3600;
/// The CPU-facts test seam of a `fault-injection` build.
const FAKE_CPU_FEATURES: &str = "BITNET_FAKE_CPU_FEATURES";

/// Everything a test needs; the server is declared first so it stops before the
/// directory it serves is removed.
pub struct World {
    pub server: TestServer,
    pub key: TestKey,
    pub root: PathBuf,
    pub home: PathBuf,
    pub prefix: PathBuf,
    pub bin: PathBuf,
    pub tmp: PathBuf,
    pub dir: tempfile::TempDir,
}

impl World {
    /// A world served over HTTPS (the test CA in `SSL_CERT_FILE`).
    pub fn new() -> World {
        World::build(TestServer::https)
    }

    /// A world served over plain HTTP on loopback.
    pub fn http() -> World {
        World::build(TestServer::http)
    }

    fn build(start: fn(PathBuf) -> TestServer) -> World {
        let dir = tempfile::tempdir().expect("world temp dir");
        let sub = |name: &str| {
            let path = dir.path().join(name);
            std::fs::create_dir_all(&path).expect("create world dir");
            path
        };
        let (root, home, prefix, bin, tmp) = (
            sub("root"),
            sub("home"),
            sub("prefix"),
            sub("bin"),
            sub("tmp"),
        );
        World {
            server: start(root.clone()),
            key: TestKey::generate(),
            root,
            home,
            prefix,
            bin,
            tmp,
            dir,
        }
    }

    /// The URL of `root/` (what `--from` takes), no trailing slash.
    pub fn root_url(&self) -> String {
        self.server.base_url()
    }

    /// The test CA file (HTTPS worlds only).
    pub fn ca_cert(&self) -> Option<PathBuf> {
        self.server.ca_cert_path()
    }

    /// `PATH` given to the binary: the bin dir first, then the system directories
    /// (so `/bin/sh` scripts run).
    pub fn path_env(&self) -> String {
        format!("{}:/usr/local/bin:/usr/bin:/bin", self.bin.display())
    }

    /// The binary under test with a clean environment: `HOME`, `PATH`, `TMPDIR`,
    /// `BITNET_HOME`=prefix, `BITNET_BIN_DIR`=bin, `BITNET_PUBLIC_KEY`=the world's key,
    /// `BITNET_NO_MODIFY_PATH=1`, `NO_COLOR=1`, `SSL_CERT_FILE`=test CA (HTTPS), and
    /// `GITHUB_API_URL` pointing at this server's `/github-api` so nothing can reach
    /// the real GitHub. Stdin is null so a prompt cannot hang the test.
    /// `BITNET_FAKE_CPU_FEATURES` is passed through from the test's own
    /// environment, so the suite can run as on another CPU (a binary built with
    /// the `fault-injection` feature reads it instead of the processor).
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bitnet-install"));
        cmd.env_clear()
            .current_dir(&self.home)
            .stdin(Stdio::null())
            .env("HOME", &self.home)
            .env("PATH", self.path_env())
            .env("TMPDIR", &self.tmp)
            .env("BITNET_HOME", &self.prefix)
            .env("BITNET_BIN_DIR", &self.bin)
            .env("BITNET_PUBLIC_KEY", self.key.public_base64())
            .env("BITNET_NO_MODIFY_PATH", "1")
            .env("NO_COLOR", "1")
            .env("GITHUB_API_URL", self.server.url(API_PREFIX));
        if let Some(ca) = self.ca_cert() {
            cmd.env("SSL_CERT_FILE", ca);
        }
        if let Some(features) = std::env::var_os(FAKE_CPU_FEATURES) {
            cmd.env(FAKE_CPU_FEATURES, features);
        }
        cmd
    }

    /// Runs the binary with `args` and captures its output.
    pub fn run(&self, args: &[&str]) -> Output {
        Output::run(self.cmd().args(args))
    }

    /// Runs an installed command from the bin dir (e.g. `bitnet-cli`).
    pub fn run_installed(&self, name: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new(self.bin.join(name));
        cmd.env_clear()
            .env("HOME", &self.home)
            .env("PATH", self.path_env())
            .args(args);
        Output::run(&mut cmd)
    }

    /// A fake GitHub API for `repo` on this world's server (at `GITHUB_API_URL`).
    pub fn github(&self, repo: &str) -> FakeGitHub {
        FakeGitHub::install(&self.server, repo)
    }

    /// Writes a release under `root/` signed with the world's key.
    pub fn publish(&self, release: &ReleaseBuilder) -> Written {
        release.write_to(&self.root, &self.key)
    }

    /// Writes `root/index.json` for `versions`, timestamped now, valid for 30 days.
    pub fn publish_index(&self, product: &str, versions: &[&str]) -> String {
        let now = unix_now();
        write_index(
            &self.root,
            product,
            versions,
            &self.key,
            now,
            now + INDEX_LIFETIME,
        )
    }

    /// Every file under `dir`, relative, sorted (to compare trees before and after).
    pub fn tree(dir: &Path) -> Vec<String> {
        let mut files = Vec::new();
        collect(dir, dir, &mut files);
        files.sort();
        files
    }
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let relative = path.strip_prefix(base).unwrap_or(&path);
        out.push(relative.display().to_string());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            collect(base, &path, out);
        }
    }
}

/// The outcome of running a process.
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Runs `cmd` to completion (killing it after two minutes), capturing both streams.
    pub fn run(cmd: &mut Command) -> Output {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
        let stdout = drain(child.stdout.take().expect("piped stdout"));
        let stderr = drain(child.stderr.take().expect("piped stderr"));
        let deadline = Instant::now() + RUN_TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for child") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{cmd:?} still running after {RUN_TIMEOUT:?}; stderr so far:\n{}",
                    stderr.join().unwrap_or_default()
                );
            }
            thread::sleep(Duration::from_millis(10));
        };
        Output {
            status,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        }
    }

    /// The exit code, or -1 if the process was killed by a signal.
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or(-1)
    }

    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// Panics (showing both streams) unless the exit code is `code`.
    pub fn assert_code(&self, code: i32) -> &Output {
        assert_eq!(self.code(), code, "unexpected exit code\n{self}");
        self
    }

    /// stdout parsed as JSON; panics (showing both streams) if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{self}"))
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
