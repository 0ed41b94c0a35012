//! Signals during a slow download (CONTRACT 3, issue 16 item 4): the run
//! stops with exit 130, removes its staging, leaves the previous installation
//! as it was and keeps the partial download; the next run (also after a
//! `kill -9`) resumes it with `Range` + `If-Range`, hashing the kept bytes
//! from disk, and restarts from zero when the server will not resume.

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::network::{asset_path, big_release};
use crate::support::*;

const TARGET: &str = "x86_64-unknown-linux-gnu";
const ASSET_SIZE: usize = 2 << 20;

fn asset_name(version: &str) -> String {
    format!("bitnet-{version}-{TARGET}.tar.gz")
}

pub(crate) fn partial_file(world: &World, version: &str) -> PathBuf {
    world
        .prefix
        .join("tmp/partial")
        .join(format!("{}.part", asset_name(version)))
}

/// `install --version 0.3.2` with the asset trickling at 1 MB/s.
pub(crate) fn start_slow_install(world: &World) -> Child {
    world
        .server
        .fault(&asset_path("0.3.2"), Fault::Trickle(1 << 20));
    world
        .cmd()
        .args(["install", "--target", TARGET, "--from", &world.root_url()])
        .args(["--version", "0.3.2", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the installer")
}

/// Waits until about half the asset is on disk, then sends `signal`;
/// returns the exit status and how many bytes were kept.
pub(crate) fn stop_at_half(
    world: &World,
    mut child: Child,
    size: u64,
    signal: i32,
) -> (Output, u64) {
    let partial = partial_file(world, "0.3.2");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&partial).map_or(0, |m| m.len()) < size / 2 {
        assert!(Instant::now() < deadline, "the download never got half way");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the installer ended early"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: kill has no memory-safety preconditions.
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
    let done = child.wait_with_output().unwrap();
    let out = Output {
        status: done.status,
        stdout: String::from_utf8_lossy(&done.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&done.stderr).into_owned(),
    };
    let kept = std::fs::metadata(&partial).map_or(0, |m| m.len());
    (out, kept)
}

/// The second run asks for the rest only, gets it, and installs the right bytes.
fn rerun_fetches_only_the_rest(world: &World, written: &Written, size: u64, kept: u64) {
    assert!(kept > 0 && kept < size, "kept {kept} of {size}");
    world.server.clear_faults();
    world.server.clear_log();
    let out = world.run(&[
        "install",
        "--target",
        TARGET,
        "--from",
        &world.root_url(),
        "--version",
        "0.3.2",
        "--json",
    ]);
    out.assert_code(0);
    assert_eq!(out.json()["sha256"], written.sha256(&asset_name("0.3.2")));
    let path = asset_path("0.3.2");
    let requests = world.server.requests_to(&path);
    assert_eq!(requests.len(), 1, "{out}");
    assert_eq!(
        requests[0].header("range"),
        Some(format!("bytes={kept}-").as_str())
    );
    assert!(requests[0].header("if-range").is_some());
    assert_eq!(requests[0].status, 206);
    assert_eq!(world.server.bytes_sent(&path), size - kept);
    eprintln!(
        "resumed across processes: {kept} bytes kept, {} fetched of {size}",
        size - kept
    );
    let run = world.run_installed("bitnet-cli", &[]);
    assert_eq!(run.stdout.trim(), "bitnet-cli 0.3.2", "{run}");
    assert!(
        !partial_file(world, "0.3.2").exists(),
        "taken once installed"
    );
}

pub(crate) fn slow_world() -> (World, Written, u64) {
    let world = World::new();
    world.publish(&ReleaseBuilder::new("bitnet", "0.3.1").asset_standard(TARGET, None));
    let written = world.publish(&big_release("0.3.2", ASSET_SIZE));
    world.publish_index("bitnet", &["0.3.1", "0.3.2"]);
    let size = std::fs::metadata(world.root.join(&asset_path("0.3.2")[1..]))
        .unwrap()
        .len();
    (world, written, size)
}

/// The prefix and bin dir, without the kept partial download.
pub(crate) fn snapshot_without_partial(world: &World) -> Vec<(String, Vec<u8>)> {
    let mut files = snapshot(world);
    files.retain(|(name, _)| !name.contains("/tmp"));
    files
}

#[test]
fn sigint_at_half_stops_cleanly_and_the_next_run_fetches_only_the_rest() {
    let (world, written, size) = slow_world();
    install(&world, &["--version", "0.3.1"]).assert_code(0);
    let before = snapshot_without_partial(&world);
    let child = start_slow_install(&world);
    let (out, kept) = stop_at_half(&world, child, size, libc::SIGINT);
    out.assert_code(130);
    assert_eq!(out.json()["error"]["code"], 130, "{out}");
    assert_eq!(snapshot_without_partial(&world), before, "nothing changed");
    let tmp = World::tree(&world.prefix.join("tmp"));
    let name = asset_name("0.3.2");
    assert_eq!(
        tmp,
        [
            "partial".to_string(),
            format!("partial/{name}.part"),
            format!("partial/{name}.part.json"),
        ],
        "staging removed, the partial download and its sidecar kept"
    );
    let sidecar =
        std::fs::read_to_string(world.prefix.join(format!("tmp/partial/{name}.part.json")))
            .unwrap();
    assert!(sidecar.contains(&asset_path("0.3.2")), "{sidecar}");
    assert!(sidecar.contains(written.sha256(&name)), "{sidecar}");
    let run = world.run_installed("bitnet-cli", &[]);
    assert_eq!(run.stdout.trim(), "bitnet-cli 0.3.1");
    rerun_fetches_only_the_rest(&world, &written, size, kept);
}

#[test]
fn sigterm_and_sighup_stop_a_download_the_same_way() {
    for signal in [libc::SIGTERM, libc::SIGHUP] {
        let (world, _, size) = slow_world();
        let child = start_slow_install(&world);
        let (out, kept) = stop_at_half(&world, child, size, signal);
        out.assert_code(130);
        assert!(kept >= size / 2);
        assert_eq!(World::tree(&world.prefix.join("tmp")).len(), 3, "{out}");
    }
}

#[test]
fn sigkill_at_half_then_the_next_run_fetches_only_the_rest() {
    let (world, written, size) = slow_world();
    let child = start_slow_install(&world);
    let (out, kept) = stop_at_half(&world, child, size, libc::SIGKILL);
    assert_eq!(out.code(), -1, "killed: {out}");
    rerun_fetches_only_the_rest(&world, &written, size, kept);
    let leftovers = World::tree(&world.prefix.join("tmp"));
    assert!(
        leftovers.iter().all(|f| f == "partial"),
        "the killed run's staging is gone: {leftovers:?}"
    );
}

#[test]
fn a_server_that_will_not_resume_means_a_restart_from_zero() {
    let (world, written, size) = slow_world();
    let child = start_slow_install(&world);
    let (_, kept) = stop_at_half(&world, child, size, libc::SIGKILL);
    assert!(kept > 0);
    world.server.clear_faults();
    world.server.clear_log();
    let path = asset_path("0.3.2");
    world.server.fault(&path, Fault::IgnoreRange);
    let out = install(&world, &["--version", "0.3.2", "--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["sha256"], written.sha256(&asset_name("0.3.2")));
    let requests = world.server.requests_to(&path);
    assert_eq!(requests.len(), 1);
    assert!(requests[0].header("range").is_some());
    assert_eq!(requests[0].status, 200);
    assert_eq!(world.server.bytes_sent(&path), size);
}
