//! Checks the test infrastructure itself: the server (files, ranges, ETags, every
//! fault kind, redirects, handlers, shutdown) with curl and reqwest as clients, and
//! the release builder against the real `minisign`, `sha256sum`, `tar` and `unzip`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// What curl saw: its exit code, the last response's status and headers, the body.
struct Curl {
    exit: i32,
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Curl {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

fn curl(server: &TestServer, url: &str, extra: &[&str]) -> Curl {
    let out = tempfile::tempdir().expect("curl temp dir");
    let headers = out.path().join("headers");
    let body = out.path().join("body");
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "20", "-D"])
        .arg(&headers)
        .arg("-o")
        .arg(&body)
        .args(extra)
        .arg(url);
    if let Some(ca) = server.ca_cert_path() {
        cmd.arg("--cacert").arg(ca);
    }
    let output = Output::run(&mut cmd);
    let headers = std::fs::read_to_string(&headers).unwrap_or_default();
    let last_block = headers
        .split("\r\n\r\n")
        .filter(|b| b.starts_with("HTTP/"))
        .last()
        .unwrap_or("")
        .to_string();
    let status = last_block
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Curl {
        exit: output.code(),
        status,
        headers: last_block,
        body: std::fs::read(&body).unwrap_or_default(),
    }
}

/// `len` bytes that differ at every offset modulo 251, so a wrong range shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn serve(root: &Path, path: &str, content: &[u8]) {
    let file = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(file.parent().expect("parent")).expect("create dirs");
    std::fs::write(file, content).expect("write served file");
}

fn https_with(path: &str, content: &[u8]) -> (tempfile::TempDir, TestServer) {
    let root = tempfile::tempdir().expect("root");
    serve(root.path(), path, content);
    let server = TestServer::https(root.path());
    (root, server)
}

#[test]
fn get_over_https_serves_the_file_and_records_the_request() {
    let content = pattern(5000);
    let (_root, server) = https_with("/v0.3.2/a.tar.gz", &content);
    let got = curl(&server, &server.url("/v0.3.2/a.tar.gz"), &[]);
    assert_eq!((got.exit, got.status), (0, 200));
    assert_eq!(got.body, content);
    assert!(got.header("etag").is_some());
    assert_eq!(server.count("/v0.3.2/a.tar.gz"), 1);
    assert_eq!(server.bytes_sent("/v0.3.2/a.tar.gz"), 5000);
    let requests = server.requests();
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].status, 200);
    assert!(requests[0]
        .header("User-Agent")
        .is_some_and(|ua| ua.starts_with("curl/")));
}

#[test]
fn certificate_is_valid_for_localhost_too() {
    let (_root, server) = https_with("/f", b"x");
    let got = curl(&server, &server.url_localhost("/f"), &[]);
    assert_eq!((got.exit, got.status, got.body), (0, 200, b"x".to_vec()));
}

#[test]
fn https_is_refused_without_the_test_ca() {
    let (_root, server) = https_with("/f", b"x");
    let output = Output::run(Command::new("curl").args(["-sS", &server.url("/f")]));
    assert_eq!(output.code(), 60, "{output}");
}

#[test]
fn reqwest_with_rustls_trusts_the_test_ca() {
    let (_root, server) = https_with("/f", b"hello");
    let ca = reqwest::Certificate::from_pem(TestServer::ca_pem().as_bytes()).expect("CA PEM");
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(ca)
        .build()
        .expect("client");
    let body = client
        .get(server.url("/f"))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.bytes())
        .expect("GET over rustls");
    assert_eq!(&body[..], b"hello");
}

#[test]
fn plain_http_mode_serves_files() {
    let root = tempfile::tempdir().expect("root");
    serve(root.path(), "/index.json", b"{}");
    let server = TestServer::http(root.path());
    assert!(server.url("/").starts_with("http://127.0.0.1:"));
    assert!(server.ca_cert_path().is_none());
    let got = curl(&server, &server.url("/index.json"), &[]);
    assert_eq!((got.exit, got.status), (0, 200));
    assert_eq!(
        got.header("content-type").as_deref(),
        Some("application/json")
    );
}

#[test]
fn head_sends_headers_but_no_body() {
    let (_root, server) = https_with("/f", &pattern(1234));
    let got = curl(&server, &server.url("/f"), &["-I"]);
    assert_eq!((got.exit, got.status), (0, 200));
    assert_eq!(got.header("content-length").as_deref(), Some("1234"));
    assert_eq!(server.requests()[0].method, "HEAD");
    assert_eq!(server.bytes_sent("/f"), 0);
}

#[test]
fn range_requests_get_partial_content() {
    let content = pattern(1000);
    let (_root, server) = https_with("/f", &content);
    let got = curl(&server, &server.url("/f"), &["-r", "100-"]);
    assert_eq!(got.status, 206);
    assert_eq!(
        got.header("content-range").as_deref(),
        Some("bytes 100-999/1000")
    );
    assert_eq!(got.body, &content[100..]);
    let bounded = curl(&server, &server.url("/f"), &["-r", "10-19"]);
    assert_eq!(
        (bounded.status, bounded.body),
        (206, content[10..20].to_vec())
    );
    let beyond = curl(&server, &server.url("/f"), &["-r", "1000-"]);
    assert_eq!(beyond.status, 416);
    assert_eq!(
        beyond.header("content-range").as_deref(),
        Some("bytes */1000")
    );
    assert_eq!(server.bytes_sent("/f"), 900 + 10);
}

#[test]
fn etags_give_304_and_guard_ranges() {
    let content = pattern(300);
    let (_root, server) = https_with("/f", &content);
    let etag = curl(&server, &server.url("/f"), &[])
        .header("etag")
        .expect("etag");
    let unchanged = curl(
        &server,
        &server.url("/f"),
        &["-H", &format!("If-None-Match: {etag}")],
    );
    assert_eq!((unchanged.status, unchanged.body.len()), (304, 0));
    let stale = curl(
        &server,
        &server.url("/f"),
        &["-H", "If-None-Match: \"old\""],
    );
    assert_eq!(stale.status, 200);

    let same = curl(
        &server,
        &server.url("/f"),
        &["-r", "100-", "-H", &format!("If-Range: {etag}")],
    );
    assert_eq!((same.status, same.body.len()), (206, 200));
    let changed = curl(
        &server,
        &server.url("/f"),
        &["-r", "100-", "-H", "If-Range: \"old\""],
    );
    assert_eq!((changed.status, changed.body), (200, content));
}

#[test]
fn missing_files_and_escapes_are_404() {
    let (root, server) = https_with("/v1/f", b"x");
    std::fs::write(root.path().join("../outside-root-secret"), b"s").ok();
    assert_eq!(curl(&server, &server.url("/nope"), &[]).status, 404);
    assert_eq!(curl(&server, &server.url("/v1"), &[]).status, 404);
    let escape = curl(
        &server,
        &server.url("/v1/../../outside-root-secret"),
        &["--path-as-is"],
    );
    assert_eq!(escape.status, 404);
    assert_eq!(server.count("/v1/../../outside-root-secret"), 1);
}

#[test]
fn status_fault_fires_the_given_number_of_times() {
    let (_root, server) = https_with("/v0.3.2/x.tar.gz", b"payload");
    let rule = server
        .fault("/v0.3.2/x.tar.gz", Fault::unavailable(1))
        .times(1);
    let first = curl(&server, &server.url("/v0.3.2/x.tar.gz"), &[]);
    assert_eq!(first.status, 503);
    assert_eq!(first.header("retry-after").as_deref(), Some("1"));
    let second = curl(&server, &server.url("/v0.3.2/x.tar.gz"), &[]);
    assert_eq!((second.status, second.body), (200, b"payload".to_vec()));
    assert_eq!(rule.fired(), 1);
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 200]);
}

#[test]
fn after_skips_the_first_requests() {
    let (_root, server) = https_with("/f", b"ok");
    server.fault("/f", Fault::not_found()).after(1).times(1);
    let statuses: Vec<u16> = (0..3)
        .map(|_| curl(&server, &server.url("/f"), &[]).status)
        .collect();
    assert_eq!(statuses, [200, 404, 200]);
}

#[test]
fn rate_limit_fault_carries_github_headers() {
    let (_root, server) = https_with("/f", b"ok");
    server.fault("*", Fault::rate_limited(429, 1_900_000_000));
    let got = curl(&server, &server.url("/f"), &[]);
    assert_eq!(got.status, 429);
    assert_eq!(got.header("x-ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(
        got.header("x-ratelimit-reset").as_deref(),
        Some("1900000000")
    );
    server.clear_faults();
    assert_eq!(curl(&server, &server.url("/f"), &[]).status, 200);
}

#[test]
fn prefix_patterns_match_only_their_subtree() {
    let root = tempfile::tempdir().expect("root");
    serve(root.path(), "/v1/a", b"a");
    serve(root.path(), "/v2/a", b"a");
    let server = TestServer::https(root.path());
    server.fault("/v1/*", Fault::status(500));
    assert_eq!(curl(&server, &server.url("/v1/a"), &[]).status, 500);
    assert_eq!(curl(&server, &server.url("/v2/a"), &[]).status, 200);
}

#[test]
fn drop_after_cuts_the_body_short() {
    let (_root, server) = https_with("/f", &pattern(10_000));
    server.fault("/f", Fault::DropAfter(1000)).times(1);
    let got = curl(&server, &server.url("/f"), &[]);
    assert_ne!(got.exit, 0, "curl must notice the cut");
    assert_eq!(got.body, pattern(1000));
    assert_eq!(server.bytes_sent("/f"), 1000);
    let again = curl(&server, &server.url("/f"), &[]);
    assert_eq!((again.exit, again.body.len()), (0, 10_000));
}

#[test]
fn ignore_range_sends_the_whole_file() {
    let content = pattern(1000);
    let (_root, server) = https_with("/f", &content);
    server.fault("/f", Fault::IgnoreRange);
    let got = curl(&server, &server.url("/f"), &["-r", "100-"]);
    assert_eq!((got.status, got.body), (200, content));
}

#[test]
fn stall_delays_the_body_and_trips_client_timeouts() {
    let (_root, server) = https_with("/f", b"late");
    server.fault("/f", Fault::Stall(Duration::from_millis(1500)));
    let start = Instant::now();
    let patient = curl(&server, &server.url("/f"), &[]);
    assert!(start.elapsed() >= Duration::from_millis(1400));
    assert_eq!((patient.exit, patient.body), (0, b"late".to_vec()));
    let hasty = curl(&server, &server.url("/f"), &["--max-time", "0.5"]);
    assert_eq!(hasty.exit, 28, "curl timeout expected");
}

#[test]
fn trickle_paces_the_body() {
    let content = pattern(2000);
    let (_root, server) = https_with("/f", &content);
    server.fault("/f", Fault::Trickle(4000));
    let start = Instant::now();
    let got = curl(&server, &server.url("/f"), &[]);
    assert!(start.elapsed() >= Duration::from_millis(400), "too fast");
    assert_eq!(got.body, content);
}

#[test]
fn content_length_can_lie_both_ways() {
    let content = pattern(1000);
    let (_root, server) = https_with("/f", &content);
    server.fault("/f", Fault::LengthDelta(100)).times(1);
    let longer = curl(&server, &server.url("/f"), &[]);
    assert_eq!(longer.header("content-length").as_deref(), Some("1100"));
    assert_eq!(
        longer.exit, 18,
        "curl: transfer closed with outstanding data"
    );
    assert_eq!(longer.body, content);

    server.fault("/f", Fault::LengthDelta(-100)).times(1);
    let shorter = curl(&server, &server.url("/f"), &[]);
    assert_eq!(shorter.header("content-length").as_deref(), Some("900"));
    assert_eq!(shorter.body, &content[..900]);
}

#[test]
fn redirect_to_another_server_keeps_the_target() {
    let (_root_a, a) = https_with("/placeholder", b"");
    let (_root_b, b) = https_with("/v1/f", b"from b");
    a.fault("/v1/*", Fault::redirect_to_server(&b));
    let got = curl(&a, &a.url("/v1/f?x=1"), &["-L"]);
    assert_eq!((got.status, got.body), (200, b"from b".to_vec()));
    assert_eq!((a.count("/v1/f"), b.count("/v1/f")), (1, 1));
    assert_eq!(a.requests()[0].status, 302);
    assert_eq!(b.requests()[0].query.as_deref(), Some("x=1"));

    a.fault("/elsewhere", Fault::Redirect(b.url("/v1/f")));
    let direct = curl(&a, &a.url("/elsewhere"), &[]);
    assert_eq!(direct.status, 302);
    assert_eq!(direct.header("location"), Some(b.url("/v1/f")));
}

#[test]
fn handlers_serve_a_fake_api_with_pagination_and_faults_still_apply() {
    let root = tempfile::tempdir().expect("root");
    let server = TestServer::https(root.path());
    let next = server.url("/repos/o/r/releases?page=2");
    server.handle(move |req| {
        (req.path == "/repos/o/r/releases").then(|| match req.query.as_deref() {
            Some("page=2") => Response::json(&serde_json::json!([{"tag_name": "v0.1.0"}])),
            _ => Response::json(&serde_json::json!([{"tag_name": "v0.2.0"}]))
                .header("Link", &format!("<{next}>; rel=\"next\"")),
        })
    });
    let first = curl(&server, &server.url("/repos/o/r/releases"), &[]);
    assert_eq!(first.status, 200);
    assert!(first.header("link").is_some_and(|l| l.contains("page=2")));
    let page1: serde_json::Value = serde_json::from_slice(&first.body).expect("JSON");
    assert_eq!(page1[0]["tag_name"], "v0.2.0");
    let second = curl(&server, &server.url("/repos/o/r/releases?page=2"), &[]);
    let page2: serde_json::Value = serde_json::from_slice(&second.body).expect("JSON");
    assert_eq!(page2[0]["tag_name"], "v0.1.0");

    server
        .fault("/repos/o/r/releases", Fault::rate_limited(403, 1))
        .times(1);
    assert_eq!(
        curl(&server, &server.url("/repos/o/r/releases"), &[]).status,
        403
    );
    assert_eq!(server.count("/repos/o/r/releases"), 3);
    assert_eq!(
        curl(&server, &server.url("/other"), &[]).status,
        404,
        "unhandled paths fall through to files"
    );
}

#[test]
fn dropping_the_server_does_not_wait_for_stalled_clients() {
    let (_root, server) = https_with("/f", b"never");
    server.fault("/f", Fault::Stall(Duration::from_secs(600)));
    let mut client = Command::new("curl")
        .args(["-sS", "--max-time", "60", "--cacert"])
        .arg(server.ca_cert_path().expect("CA"))
        .arg(server.url("/f"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn curl");
    let wait_start = Instant::now();
    while server.count("/f") == 0 && wait_start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(server.count("/f"), 1);
    let start = Instant::now();
    drop(server);
    assert!(start.elapsed() < Duration::from_secs(3), "drop hung");
    let status = client.wait().expect("curl exits");
    assert!(!status.success(), "the stalled transfer must fail");
}

fn run_in(dir: &Path, program: &str, args: &[&str]) -> Output {
    Output::run(Command::new(program).current_dir(dir).args(args))
}

const TARGET: &str = "x86_64-unknown-linux-gnu";

#[test]
fn release_verifies_with_minisign_and_sha256sum() {
    let root = tempfile::tempdir().expect("root");
    let key = TestKey::generate();
    let written = ReleaseBuilder::new("bitnet", "0.3.2")
        .asset_standard(TARGET, None)
        .asset_standard(TARGET, Some("avx2"))
        .asset_standard("x86_64-pc-windows-msvc", None)
        .asset_bare(TARGET, None, fake_exe("bitnet-install", "0.3.2"))
        .timestamp(1_763_700_000)
        .write_to(root.path(), &key);
    assert_eq!(written.dir, root.path().join("v0.3.2"));
    assert_eq!(written.assets.len(), 4);
    for name in [
        "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz",
        "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx2.tar.gz",
        "bitnet-0.3.2-x86_64-pc-windows-msvc.zip",
        "bitnet-0.3.2-x86_64-unknown-linux-gnu",
    ] {
        assert!(written.path(name).is_file(), "{name} missing");
    }
    let pubkey = key.public_base64();
    let verified = run_in(
        &written.dir,
        "minisign",
        &["-V", "-H", "-m", "SHA256SUMS", "-P", &pubkey],
    );
    verified.assert_code(0);
    assert!(
        verified.stdout.contains(
            "Trusted comment: timestamp:1763700000\tfile:SHA256SUMS\tproduct:bitnet\tversion:0.3.2"
        ),
        "{verified}"
    );
    run_in(&written.dir, "sha256sum", &["-c", "--strict", "SHA256SUMS"]).assert_code(0);
    assert_eq!(
        written.sha256("bitnet-0.3.2-x86_64-pc-windows-msvc.zip"),
        sha256_hex(
            &std::fs::read(written.path("bitnet-0.3.2-x86_64-pc-windows-msvc.zip")).expect("zip")
        )
    );
}

#[test]
fn public_key_file_and_key_id_match_minisign() {
    let dir = tempfile::tempdir().expect("dir");
    let key = TestKey::generate();
    key.write_pub_file(&dir.path().join("minisign.pub"));
    write_signed(&dir.path().join("data"), b"data", &key, "hello");
    let verified = run_in(
        dir.path(),
        "minisign",
        &["-V", "-m", "data", "-p", "minisign.pub"],
    );
    verified.assert_code(0);
    assert!(key.public_file_text().contains(&key.key_id()));
}

#[test]
fn legacy_signature_is_well_formed_but_not_prehashed() {
    let root = tempfile::tempdir().expect("root");
    let key = TestKey::generate();
    let written = ReleaseBuilder::new("bitnet", "0.3.2")
        .asset_standard(TARGET, None)
        .legacy_signature()
        .write_to(root.path(), &key);
    let signature_line = written.signature.lines().nth(1).expect("signature line");
    assert!(
        signature_line.starts_with("RW"),
        "legacy `Ed` base64 starts with RW"
    );
    let pubkey = key.public_base64();
    run_in(
        &written.dir,
        "minisign",
        &["-V", "-m", "SHA256SUMS", "-P", &pubkey],
    )
    .assert_code(0);
    let strict = run_in(
        &written.dir,
        "minisign",
        &["-V", "-H", "-m", "SHA256SUMS", "-P", &pubkey],
    );
    assert_ne!(strict.code(), 0, "{strict}");

    let prehashed = key.sign(b"x", "c");
    assert!(prehashed.lines().nth(1).expect("line").starts_with("RU"));
}

#[test]
fn release_knobs_break_exactly_what_they_say() {
    let root = tempfile::tempdir().expect("root");
    let key = TestKey::generate();
    let other = TestKey::generate();
    let pubkey = key.public_base64();
    let asset = "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz";

    let tampered = ReleaseBuilder::new("bitnet", "0.3.2")
        .asset_standard(TARGET, None)
        .tamper_asset(asset, b"evil".to_vec())
        .write_to(root.path(), &key);
    run_in(
        &tampered.dir,
        "minisign",
        &["-V", "-m", "SHA256SUMS", "-P", &pubkey],
    )
    .assert_code(0);
    assert_ne!(
        run_in(&tampered.dir, "sha256sum", &["-c", "SHA256SUMS"]).code(),
        0
    );

    let edited = ReleaseBuilder::new("bitnet", "0.3.3")
        .asset_standard(TARGET, None)
        .tamper_sums(|s| s.replace("0.3.3", "0.3.4"))
        .write_to(root.path(), &key);
    assert!(edited.sums.contains("0.3.4"));
    assert_ne!(
        run_in(
            &edited.dir,
            "minisign",
            &["-V", "-m", "SHA256SUMS", "-P", &pubkey]
        )
        .code(),
        0
    );

    let foreign = ReleaseBuilder::new("bitnet", "0.3.5")
        .asset_standard(TARGET, None)
        .signed_by(&other)
        .write_to(root.path(), &key);
    assert_ne!(
        run_in(
            &foreign.dir,
            "minisign",
            &["-V", "-m", "SHA256SUMS", "-P", &pubkey]
        )
        .code(),
        0
    );

    let wrong_comment = ReleaseBuilder::new("bitnet", "0.3.6")
        .asset_standard(TARGET, None)
        .trusted_comment("product:bitnet version:9.9.9")
        .omit_from_sums("bitnet-0.3.6-x86_64-unknown-linux-gnu.tar.gz")
        .extra_sums_line(&format!("{}  ghost.tar.gz", "0".repeat(64)))
        .write_to(root.path(), &key);
    let out = run_in(
        &wrong_comment.dir,
        "minisign",
        &["-V", "-m", "SHA256SUMS", "-P", &pubkey],
    );
    out.assert_code(0);
    assert!(out
        .stdout
        .contains("Trusted comment: product:bitnet version:9.9.9"));
    assert_eq!(
        wrong_comment.sums,
        format!("{}  ghost.tar.gz\n", "0".repeat(64))
    );

    let unsigned = ReleaseBuilder::new("bitnet", "0.3.7")
        .asset_standard(TARGET, None)
        .unsigned()
        .write_to(root.path(), &key);
    assert!(!unsigned.dir.join("SHA256SUMS.minisig").exists());
}

#[test]
fn archives_hold_runnable_fake_executables() {
    let dir = tempfile::tempdir().expect("dir");
    let release = ReleaseBuilder::new("bitnet", "0.4.0-beta.1")
        .asset_standard(TARGET, None)
        .asset_standard("aarch64-pc-windows-msvc", None);
    let written = release.write_to(dir.path(), &TestKey::generate());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("out dir");
    let tarball = written.path("bitnet-0.4.0-beta.1-x86_64-unknown-linux-gnu.tar.gz");
    Output::run(
        Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&out),
    )
    .assert_code(0);
    let ran = Output::run(&mut Command::new(out.join("bitnet-cli")));
    assert_eq!(ran.stdout, "bitnet-cli 0.4.0-beta.1\n", "{ran}");

    let zip = written.path("bitnet-0.4.0-beta.1-aarch64-pc-windows-msvc.zip");
    let listing = Output::run(Command::new("unzip").arg("-l").arg(&zip));
    listing.assert_code(0);
    assert!(listing.stdout.contains("bitnet-cli.exe"));
    assert!(listing.stdout.contains("bitnet-server.exe"));
}

#[test]
fn malicious_tar_entries_are_written_verbatim() {
    let bytes = tar_gz_entries(&[
        Entry::file("../escape", b"x".to_vec(), 0o755),
        Entry::file("/abs", b"x".to_vec(), 0o4755),
        Entry::symlink("link", "/etc/passwd"),
        Entry::hardlink("hard", "../outside"),
        Entry::fifo("pipe"),
        Entry::dir("d/"),
    ]);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("evil.tar.gz");
    std::fs::write(&file, bytes).expect("write");
    let listing = Output::run(Command::new("tar").arg("-tvzf").arg(&file));
    listing.assert_code(0);
    let text = listing.stdout;
    assert!(text.contains(" ../escape"), "{text}");
    assert!(
        text.contains(" /abs") && text.contains("rwsr-xr-x"),
        "{text}"
    );
    assert!(text.contains("link -> /etc/passwd"), "{text}");
    assert!(text.contains("hard link to"), "{text}");
    // GNU tar cleans link names when listing; the tar crate shows the raw header.
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(&file).expect("open"),
    ));
    let link_names: Vec<Vec<u8>> = archive
        .entries()
        .expect("entries")
        .filter_map(|e| Some(e.ok()?.header().link_name_bytes()?.into_owned()))
        .collect();
    assert!(link_names.contains(&b"../outside".to_vec()));
    assert!(
        text.lines()
            .any(|l| l.starts_with('p') && l.ends_with("pipe")),
        "{text}"
    );

    let zip = zip_entries(&[
        Entry::file("../zip-escape", b"x".to_vec(), 0o644),
        Entry::symlink("zlink", "/etc"),
    ]);
    std::fs::write(dir.path().join("evil.zip"), zip).expect("write zip");
    let zip_listing = Output::run(
        Command::new("unzip")
            .arg("-Z")
            .arg(dir.path().join("evil.zip")),
    );
    assert!(
        zip_listing.stdout.contains("../zip-escape"),
        "{zip_listing}"
    );
    assert!(zip_listing.stdout.contains("lrwx"), "{zip_listing}");
}

#[test]
fn index_is_signed_with_product_timestamp_and_expiry() {
    let root = tempfile::tempdir().expect("root");
    let key = TestKey::generate();
    let json = write_index(
        root.path(),
        "bitnet",
        &["0.3.2", "0.4.0-beta.1"],
        &key,
        100,
        200,
    );
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(parsed["product"], "bitnet");
    assert_eq!(parsed["releases"][1]["version"], "0.4.0-beta.1");
    let out = run_in(
        root.path(),
        "minisign",
        &["-V", "-H", "-m", "index.json", "-P", &key.public_base64()],
    );
    out.assert_code(0);
    assert!(out
        .stdout
        .contains("Trusted comment: product:bitnet timestamp:100 expires:200"));
}

#[test]
fn world_gives_the_binary_a_clean_hermetic_environment() {
    let world = World::new();
    let cmd = world.cmd();
    let envs: Vec<(String, String)> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?.to_string(), v?.to_str()?.to_string())))
        .collect();
    let get = |name: &str| envs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(get("BITNET_HOME"), Some(world.prefix.display().to_string()));
    assert_eq!(get("BITNET_BIN_DIR"), Some(world.bin.display().to_string()));
    assert_eq!(get("BITNET_PUBLIC_KEY"), Some(world.key.public_base64()));
    assert_eq!(get("BITNET_NO_MODIFY_PATH").as_deref(), Some("1"));
    assert_eq!(get("HOME"), Some(world.home.display().to_string()));
    let ca = get("SSL_CERT_FILE").expect("SSL_CERT_FILE");
    assert_eq!(
        std::fs::read_to_string(ca).expect("CA file"),
        TestServer::ca_pem()
    );
    assert!(get("GITHUB_API_URL").is_some_and(|u| u.starts_with(&world.root_url())));
}

#[test]
fn world_publishes_where_the_server_serves() {
    let world = World::new();
    let written =
        world.publish(&ReleaseBuilder::new("bitnet", "0.3.2").asset_standard(TARGET, None));
    world.publish_index("bitnet", &["0.3.2"]);
    let asset = "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz";
    let got = curl(
        &world.server,
        &format!("{}/v0.3.2/{asset}", world.root_url()),
        &[],
    );
    assert_eq!(got.body, std::fs::read(written.path(asset)).expect("asset"));
    let index = curl(
        &world.server,
        &format!("{}/index.json", world.root_url()),
        &[],
    );
    assert_eq!(index.status, 200);
    assert!(World::tree(&world.root).contains(&"v0.3.2/SHA256SUMS.minisig".to_string()));
}

#[test]
fn output_captures_code_streams_and_json() {
    let out =
        Output::run(Command::new("sh").args(["-c", "echo '{\"a\": 1}'; echo oops >&2; exit 5"]));
    out.assert_code(5);
    assert_eq!(out.json()["a"], 1);
    assert_eq!(out.stderr, "oops\n");
}

#[test]
fn fake_github_lists_releases_with_pagination_and_digests() {
    let world = World::new();
    let gh = world.github("microsoft/BitNet");
    for version in ["0.3.1", "0.3.2"] {
        let release = ReleaseBuilder::new("bitnet", version).asset_standard(TARGET, None);
        let written = world.publish(&release);
        let added: GhRelease =
            gh.publish_dir(&format!("v{version}"), &world.root, &written.dir, true);
        assert_eq!(added.assets.len(), 3, "tarball, SHA256SUMS, signature");
    }
    gh.page_size(1);
    let api = gh.api_url();
    let first = curl(
        &world.server,
        &format!("{api}/repos/microsoft/BitNet/releases"),
        &[],
    );
    let page1: serde_json::Value = serde_json::from_slice(&first.body).expect("JSON");
    assert_eq!(page1.as_array().map(Vec::len), Some(1));
    assert_eq!(page1[0]["tag_name"], "v0.3.2");
    let link = first.header("link").expect("Link header");
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .expect("next URL");
    let second = curl(&world.server, next, &[]);
    assert!(second.header("link").is_none(), "last page");
    let page2: serde_json::Value = serde_json::from_slice(&second.body).expect("JSON");
    assert_eq!(page2[0]["tag_name"], "v0.3.1");

    let asset = &page1[0]["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .find(|a| a["name"] == "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz")
        .expect("tarball listed")
        .clone();
    let url = asset["browser_download_url"].as_str().expect("url");
    let download = curl(&world.server, url, &[]);
    assert_eq!(
        asset["digest"].as_str(),
        Some(format!("sha256:{}", sha256_hex(&download.body)).as_str())
    );
    let names: Vec<&str> = page1[0]["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert!(names.contains(&"SHA256SUMS") && names.contains(&"SHA256SUMS.minisig"));

    let latest = curl(
        &world.server,
        &format!("{api}/repos/microsoft/BitNet/releases/latest"),
        &[],
    );
    let latest: serde_json::Value = serde_json::from_slice(&latest.body).expect("JSON");
    assert_eq!(latest["tag_name"], "v0.3.2");
    let missing = curl(
        &world.server,
        &format!("{api}/repos/microsoft/BitNet/releases/tags/v9"),
        &[],
    );
    assert_eq!(missing.status, 404);
}
