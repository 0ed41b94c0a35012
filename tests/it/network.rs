//! The network layer end to end against the fault-injecting server: retries
//! with backoff and `Retry-After`, resume with `Range`, servers that ignore
//! it, stalls, trickles, lying lengths, redirects, mirrors, conditional
//! requests, the download cache and a real proxy (tinyproxy).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

const TARGET: &str = "x86_64-unknown-linux-gnu";

/// Bytes that do not compress, so an archive holding them is as large.
pub(crate) fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A release whose archive is about `size` bytes (runnable commands plus noise).
pub(crate) fn big_release(version: &str, size: usize) -> ReleaseBuilder {
    let files: &[(&str, Vec<u8>, u32)] = &[
        ("bitnet-cli", fake_exe("bitnet-cli", version), 0o755),
        ("bitnet-server", fake_exe("bitnet-server", version), 0o755),
        ("model.bin", noise(size), 0o644),
    ];
    let name = format!("{}.tar.gz", asset_stem("bitnet", version, TARGET, None));
    ReleaseBuilder::new("bitnet", version).asset_raw(&name, tar_gz(files))
}

pub(crate) fn asset_path(version: &str) -> String {
    format!("/v{version}/bitnet-{version}-{TARGET}.tar.gz")
}

fn world_with(versions: &[&str]) -> World {
    let world = World::new();
    for v in versions {
        world.publish(&ReleaseBuilder::new("bitnet", v).asset_standard(TARGET, None));
    }
    world.publish_index("bitnet", versions);
    world
}

/// `install --from <root>` with fast retries and the extra arguments and
/// variables given.
fn install_with(world: &World, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut cmd = world.cmd();
    cmd.env("BITNET_RETRY_BASE_MS", "10")
        .args(["install", "--target", TARGET, "--from", &world.root_url()])
        .args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    Output::run(&mut cmd)
}

fn installed_cli_says(world: &World, expected: &str) {
    let out = world.run_installed("bitnet-cli", &[]);
    assert!(out.success(), "{out}");
    assert_eq!(out.stdout.trim(), expected);
}

fn nothing_installed(world: &World) {
    assert!(
        !world.bin.join("bitnet-cli").exists(),
        "nothing may be installed"
    );
}

#[test]
fn a_503_is_retried_after_the_time_retry_after_asks() {
    let world = world_with(&["0.3.2"]);
    let rule = world
        .server
        .fault("/index.json", Fault::unavailable(2))
        .times(1);
    let started = Instant::now();
    install_with(&world, &[], &[]).assert_code(0);
    assert_eq!(rule.fired(), 1);
    assert_eq!(world.server.count("/index.json"), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After: 2 was not honoured (backoff base is 10 ms)"
    );
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

#[test]
fn retry_after_is_capped() {
    let world = world_with(&["0.3.2"]);
    world
        .server
        .fault("/index.json", Fault::unavailable(3600))
        .times(1);
    let started = Instant::now();
    install_with(&world, &[], &[("BITNET_RETRY_MAX_WAIT", "1")]).assert_code(0);
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn persistent_5xx_gives_exit_4_with_the_url_and_last_error_after_bounded_attempts() {
    let world = world_with(&["0.3.2"]);
    world.server.fault("/index.json", Fault::status(502));
    let out = install_with(&world, &[], &[("BITNET_RETRIES", "3")]);
    out.assert_code(4);
    assert_eq!(world.server.count("/index.json"), 3, "exactly 3 attempts");
    assert!(
        out.stderr.contains(&world.server.url("/index.json")),
        "{out}"
    );
    assert!(out.stderr.contains("502"), "{out}");
    nothing_installed(&world);
}

#[test]
fn client_errors_other_than_408_and_429_are_not_retried() {
    let world = world_with(&["0.3.2"]);
    world.server.fault("/index.json", Fault::status(403));
    install_with(&world, &[], &[]).assert_code(4);
    assert_eq!(world.server.count("/index.json"), 1);

    let world = world_with(&["0.3.2"]);
    world
        .server
        .fault("/index.json", Fault::status(408))
        .times(1);
    install_with(&world, &[], &[]).assert_code(0);
    assert_eq!(world.server.count("/index.json"), 2, "408 is retried");
}

#[test]
fn a_transfer_dropped_at_half_resumes_with_range_and_moves_only_the_rest() {
    let world = World::new();
    let written = world.publish(&big_release("0.3.2", 2 << 20));
    world.publish_index("bitnet", &["0.3.2"]);
    let path = asset_path("0.3.2");
    let size = std::fs::metadata(world.root.join(&path[1..]))
        .unwrap()
        .len();
    world
        .server
        .fault(&path, Fault::DropAfter(size / 2))
        .times(1);
    let out = install_with(&world, &["--json"], &[]);
    out.assert_code(0);
    assert_eq!(
        out.json()["sha256"],
        written.sha256(&format!("bitnet-0.3.2-{TARGET}.tar.gz"))
    );
    let requests = world.server.requests_to(&path);
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].header("range"),
        Some(format!("bytes={}-", size / 2).as_str())
    );
    assert!(
        requests[1].header("if-range").is_some(),
        "the resume is guarded by the ETag"
    );
    assert_eq!(requests[1].status, 206);
    assert_eq!(
        world.server.bytes_sent(&path),
        size,
        "the resume moved only the remaining bytes"
    );
    eprintln!(
        "resume: {size} byte asset, {} + {} bytes sent",
        requests[0].body_bytes_sent, requests[1].body_bytes_sent
    );
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

#[test]
fn a_server_that_ignores_range_means_a_restart_from_zero() {
    let world = World::new();
    world.publish(&big_release("0.3.2", 1 << 20));
    world.publish_index("bitnet", &["0.3.2"]);
    let path = asset_path("0.3.2");
    let size = std::fs::metadata(world.root.join(&path[1..]))
        .unwrap()
        .len();
    world
        .server
        .fault(&path, Fault::DropAfter(size / 3))
        .times(1);
    world.server.fault(&path, Fault::IgnoreRange);
    install_with(&world, &[], &[]).assert_code(0);
    let requests = world.server.requests_to(&path);
    assert_eq!(requests.len(), 2);
    assert!(requests[1].header("range").is_some());
    assert_eq!(requests[1].status, 200);
    assert_eq!(world.server.bytes_sent(&path), size / 3 + size);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

#[test]
fn a_stalled_server_is_abandoned_after_the_read_timeout() {
    let world = world_with(&["0.3.2"]);
    let path = asset_path("0.3.2");
    world
        .server
        .fault(&path, Fault::Stall(Duration::from_secs(100)));
    let started = Instant::now();
    let out = install_with(&world, &["--timeout", "1"], &[("BITNET_RETRIES", "2")]);
    out.assert_code(4);
    assert!(started.elapsed() < Duration::from_secs(30), "{out}");
    assert!(out.stderr.contains("timed out"), "{out}");
    assert_eq!(world.server.count(&path), 2);
    nothing_installed(&world);
}

#[test]
fn the_timeout_variable_is_the_read_timeout_too() {
    let world = world_with(&["0.3.2"]);
    world
        .server
        .fault(&asset_path("0.3.2"), Fault::Stall(Duration::from_secs(100)));
    let started = Instant::now();
    install_with(
        &world,
        &[],
        &[("BITNET_TIMEOUT", "1"), ("BITNET_RETRIES", "1")],
    )
    .assert_code(4);
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_trickling_server_is_abandoned_below_the_minimum_rate() {
    let world = World::new();
    world.publish(&big_release("0.3.2", 1 << 20));
    world.publish_index("bitnet", &["0.3.2"]);
    let path = asset_path("0.3.2");
    world.server.fault(&path, Fault::Trickle(4000));
    let started = Instant::now();
    let out = install_with(
        &world,
        &["--timeout", "10"],
        &[
            ("BITNET_MIN_RATE", "100000"),
            ("BITNET_RATE_WINDOW", "1"),
            ("BITNET_RETRIES", "2"),
        ],
    );
    out.assert_code(4);
    assert!(out.stderr.contains("slower than 100000 bytes/s"), "{out}");
    assert!(started.elapsed() < Duration::from_secs(30));
    nothing_installed(&world);
}

#[test]
fn a_redirect_to_another_host_is_followed() {
    let world = world_with(&["0.3.2"]);
    let other = TestServer::https(world.root.clone());
    let path = asset_path("0.3.2");
    world.server.fault(&path, Fault::redirect_to_server(&other));
    install_with(&world, &[], &[]).assert_code(0);
    assert_eq!(world.server.requests_to(&path)[0].status, 302);
    assert_eq!(other.count(&path), 1);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

#[test]
fn a_content_length_that_lies_is_refused_and_nothing_installed() {
    let world = world_with(&["0.3.2"]);
    let path = asset_path("0.3.2");
    world.server.fault(&path, Fault::LengthDelta(5000));
    let started = Instant::now();
    let out = install_with(&world, &[], &[("BITNET_RETRIES", "2")]);
    assert!(matches!(out.code(), 4 | 5), "{out}");
    assert!(started.elapsed() < Duration::from_secs(30));
    nothing_installed(&world);

    let world = world_with(&["0.3.2"]);
    world.server.fault(&path, Fault::LengthDelta(-100));
    let out = install_with(&world, &[], &[]);
    out.assert_code(5);
    nothing_installed(&world);
}

/// A copy of `world`'s root served by a second server, with `edit` applied.
fn mirror(world: &World, edit: impl FnOnce(&Path)) -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&world.root, dir.path());
    edit(dir.path());
    let server = TestServer::https(dir.path().to_path_buf());
    (dir, server)
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_failing_first_mirror_is_skipped_and_the_message_names_the_one_that_served() {
    let world = world_with(&["0.3.2"]);
    let (_dir, bad) = mirror(&world, |_| {});
    bad.fault("*", Fault::status(503));
    let roots = format!("{},{}", bad.base_url(), world.root_url());
    let mut cmd = world.cmd();
    cmd.env("BITNET_RETRY_BASE_MS", "10")
        .env("BITNET_RETRIES", "2")
        .args(["install", "--target", TARGET, "--from", &roots]);
    let out = Output::run(&mut cmd);
    out.assert_code(0);
    assert!(
        out.stderr.contains(&format!(
            "using {} (earlier sources failed)",
            world.root_url()
        )),
        "{out}"
    );
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

#[test]
fn a_mirror_serving_a_bad_asset_is_replaced_by_the_next_one() {
    let world = world_with(&["0.3.2"]);
    let asset = asset_path("0.3.2");
    let (_dir, bad) = mirror(&world, |root| {
        std::fs::write(root.join(&asset[1..]), b"not the signed bytes").unwrap();
    });
    let out = Output::run(world.cmd().args([
        "install",
        "--target",
        TARGET,
        "--from",
        &bad.base_url(),
        "--from",
        &world.root_url(),
    ]));
    out.assert_code(0);
    assert_eq!(bad.count(&asset), 1);
    assert_eq!(world.server.count(&asset), 1);
    assert!(
        out.stderr.contains(&format!(
            "downloaded bitnet-0.3.2-{TARGET}.tar.gz from {}",
            world.root_url()
        )),
        "{out}"
    );
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

#[test]
fn update_check_against_an_unchanged_source_is_two_bodiless_requests() {
    let world = world_with(&["0.3.2"]);
    install_with(&world, &[], &[]).assert_code(0);
    world.server.clear_log();
    let root = world.root_url();
    world
        .run(&["update", "--check", "--from", &root])
        .assert_code(0);
    let requests = world.server.requests();
    let seen: Vec<(&str, u16, u64)> = requests
        .iter()
        .map(|r| (r.path.as_str(), r.status, r.body_bytes_sent))
        .collect();
    assert_eq!(
        seen,
        [("/index.json", 304, 0), ("/index.json.minisig", 304, 0)],
        "each request is conditional and moves no body"
    );

    // A new release is seen at once: the changed index gets a 200.
    world.publish(&ReleaseBuilder::new("bitnet", "0.3.3").asset_standard(TARGET, None));
    world.publish_index("bitnet", &["0.3.2", "0.3.3"]);
    world
        .run(&["update", "--check", "--from", &root])
        .assert_code(10);
}

fn cache_dir(world: &World) -> PathBuf {
    world.home.join(".cache/bitnet")
}

#[test]
fn the_cache_serves_offline_installs_and_use_of_a_removed_version() {
    let world = world_with(&["0.3.1", "0.3.2"]);
    install_with(&world, &["--version", "0.3.1"], &[]).assert_code(0);
    install_with(&world, &["--version", "0.3.2"], &[]).assert_code(0);
    assert!(cache_dir(&world)
        .join("bitnet/0.3.1/SHA256SUMS.minisig")
        .is_file());
    world.run(&["uninstall", "0.3.1"]).assert_code(0);
    world.server.clear_log();

    world.run(&["use", "0.3.1"]).assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.1");
    let out = world.run(&["list", "--remote", "--offline", "--json"]);
    out.assert_code(0);
    let listed: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, ["0.3.2", "0.3.1"]);
    world.run(&["uninstall", "0.3.2"]).assert_code(0);
    let root = world.root_url();
    install_with(&world, &["--offline", "--version", "0.3.2"], &[]).assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
    world
        .run(&["update", "--check", "--offline", "--from", &root])
        .assert_code(0);
    assert!(
        world.server.requests().is_empty(),
        "no request once offline or served from the cache: {:?}",
        world.server.requests()
    );
}

#[test]
fn a_cached_release_whose_signature_fails_is_not_used() {
    let world = world_with(&["0.3.1"]);
    install_with(&world, &[], &[]).assert_code(0);
    let sums = cache_dir(&world).join("bitnet/0.3.1/SHA256SUMS");
    let text = std::fs::read_to_string(&sums).unwrap();
    std::fs::write(&sums, text.replace("bitnet-0.3.1", "bitnet-0.3.1x")).unwrap();
    let out = install_with(&world, &["--offline", "--force"], &[]);
    out.assert_code(3);
    assert!(out.stderr.contains("ignoring cached bitnet 0.3.1"), "{out}");
}

#[test]
fn the_cache_is_bounded_and_cleaned() {
    let world = World::new();
    for v in ["0.3.1", "0.3.2"] {
        world.publish(&big_release(v, 200_000));
    }
    world.publish_index("bitnet", &["0.3.1", "0.3.2"]);
    let bound = [("BITNET_CACHE_MAX_BYTES", "300000")];
    install_with(&world, &["--version", "0.3.1"], &bound).assert_code(0);
    install_with(&world, &["--version", "0.3.2"], &bound).assert_code(0);
    assert!(!cache_dir(&world).join("bitnet/0.3.1").exists());
    assert!(cache_dir(&world).join("bitnet/0.3.2").exists());
    world.run(&["cache", "clean"]).assert_code(0);
    assert!(!cache_dir(&world).exists());
}

#[test]
fn plain_output_has_no_escape_codes() {
    let world = world_with(&["0.3.2"]);
    let out = install_with(&world, &["--verbose"], &[]);
    out.assert_code(0);
    assert!(!out.stderr.contains('\u{1b}'), "{out}");
    assert!(
        out.stderr.lines().count() > 1,
        "plain steps are printed: {out}"
    );
}

/// tinyproxy on a free loopback port, with basic authentication; killed on drop.
struct Proxy {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Proxy {
    fn start() -> Proxy {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.path().join("tinyproxy.log");
        let config = dir.path().join("tinyproxy.conf");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Connect\n\
                 PidFile \"{}\"\nMaxClients 20\nAllow 127.0.0.1\nBasicAuth user s3cret\n",
                log.display(),
                dir.path().join("pid").display()
            ),
        )
        .unwrap();
        let child = Command::new("tinyproxy")
            .args(["-d", "-c"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tinyproxy is installed");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tinyproxy did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Proxy {
            child,
            port,
            log,
            _dir: dir,
        }
    }

    fn url(&self, credentials: &str) -> String {
        format!("http://{credentials}@127.0.0.1:{}", self.port)
    }

    fn connects(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .matches("CONNECT")
            .count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn downloads_go_through_an_authenticating_proxy() {
    let proxy = Proxy::start();
    let world = world_with(&["0.3.2"]);
    let through = proxy.url("user:s3cret");
    install_with(&world, &[], &[("HTTPS_PROXY", &through)]).assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
    assert!(
        proxy.connects() >= 3,
        "index, signature, checksums and asset went through the proxy"
    );

    let world = world_with(&["0.3.2"]);
    let wrong = proxy.url("user:wrong");
    let out = install_with(
        &world,
        &[],
        &[("https_proxy", &wrong), ("BITNET_RETRIES", "1")],
    );
    out.assert_code(4);
    assert!(world.server.requests().is_empty(), "the proxy refused it");

    let before = proxy.connects();
    let world = world_with(&["0.3.2"]);
    install_with(
        &world,
        &[],
        &[("ALL_PROXY", &wrong), ("NO_PROXY", "127.0.0.1")],
    )
    .assert_code(0);
    assert_eq!(proxy.connects(), before, "NO_PROXY bypasses the proxy");
}

/// A file the signed index or checksums promise but the server lacks is a
/// broken source (exit 4, naming the URL), not a release that fails to match.
#[test]
fn a_404_for_a_promised_asset_is_a_network_failure_naming_the_url() {
    let world = World::new();
    world.publish(&ReleaseBuilder::new("bitnet", "0.3.2").asset_standard(TARGET, None));
    world.publish_index("bitnet", &["0.3.2"]);
    let asset = format!("/v0.3.2/bitnet-0.3.2-{TARGET}.tar.gz");
    world.server.fault(&asset, Fault::not_found());
    let out = world.run(&["install", "--from", &world.root_url()]);
    out.assert_code(4);
    assert!(out.stderr.contains(&asset), "{out}");
    assert_eq!(world.server.count(&asset), 1, "a 404 is not retried");
}

/// `SSL_CERT_FILE` often names a whole bundle: every certificate in it is
/// trusted, not only the first; a file with none is bad input.
#[test]
fn a_ca_bundle_is_read_whole_and_a_file_without_certificates_is_refused() {
    let world = World::new();
    world.publish(&ReleaseBuilder::new("bitnet", "0.3.2").asset_standard(TARGET, None));
    world.publish_index("bitnet", &["0.3.2"]);
    let other = rcgen::generate_simple_self_signed(vec!["elsewhere.invalid".into()]).unwrap();
    let test_ca = std::fs::read_to_string(world.ca_cert().unwrap()).unwrap();
    let bundle = world.dir.path().join("bundle.pem");
    std::fs::write(&bundle, format!("{}{test_ca}", other.cert.pem())).unwrap();
    let root = world.root_url();
    let out = Output::run(
        world
            .cmd()
            .env("SSL_CERT_FILE", &bundle)
            .args(["install", "--from", &root]),
    );
    out.assert_code(0);
    let junk = world.dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let out = Output::run(
        world
            .cmd()
            .env("SSL_CERT_FILE", &junk)
            .args(["install", "--from", &root, "--force"]),
    );
    out.assert_code(2);
}

/// What `--timeout` promises: a stalled server is tried 4 times, and the help
/// gives the bound (issue 16, also seen: ~12 s with `--timeout 2`).
#[test]
fn the_timeout_help_states_the_bound_and_a_stall_takes_four_attempts() {
    let help = World::new().run(&["install", "--help"]);
    assert!(help.stdout.contains("4 x SECONDS + 6 s"), "{help}");
    let world = world_with(&["0.3.2"]);
    let path = asset_path("0.3.2");
    world
        .server
        .fault(&path, Fault::Stall(Duration::from_secs(100)));
    install_with(&world, &["--timeout", "1"], &[]).assert_code(4);
    assert_eq!(world.server.count(&path), 4);
}
