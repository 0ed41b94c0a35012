//! Snapshots of what users read (issue 12): every help page, `detect`, `list`,
//! an install plan, and one message per error class, each with `--json` where
//! it has one. Temp paths, ports, digests and versions of the moment are
//! redacted. The snapshots are committed files under tests/it/snapshots/; after
//! a deliberate change of wording, regenerate them with
//! `INSTA_UPDATE=always cargo nextest run --features fault-injection -E 'test(/snap::/)'`
//! (or `cargo insta review`) and read the diff before committing it.

use crate::lifecycle::publish;
use crate::support::*;

const TARGET: &str = "x86_64-unknown-linux-gnu";

/// What changes from run to run, redacted: the world's temp dir here, ports,
/// digests, timestamps, sizes, the libc version and the installer's own
/// version by the filters.
fn redacted(world: &World, text: &str) -> (insta::Settings, String) {
    let text = text.replace(&world.dir.path().display().to_string(), "[WORLD]");
    let mut settings = insta::Settings::clone_current();
    for (pattern, with) in [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        // The test server's CA lives in its own temp dir.
        (r"SSL_CERT_FILE=[^\]]*", "SSL_CERT_FILE=[CA]"),
        (r"\b[0-9a-f]{64}\b", "[SHA256]"),
        // The C library's version is this machine's (only its kind is faked).
        (r"(gnu|musl) \d+\.\d+", "$1 [LIBC-VERSION]"),
        (r"\b1[0-9]{9}\b", "[UNIX-TIME]"),
        (r"\b\d+(\.\d+)? ?(KiB|MiB|B)\b", "[SIZE]"),
        (env!("CARGO_PKG_VERSION"), "[INSTALLER-VERSION]"),
    ] {
        settings.add_filter(pattern, with);
    }
    (settings, text)
}

/// Runs `args`, checks the exit code, and snapshots stdout and stderr.
fn check(world: &World, name: &str, args: &[&str], env: &[(&str, &str)], code: i32) {
    let mut cmd = world.cmd();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = Output::run(&mut cmd);
    out.assert_code(code);
    let shown = format!(
        "$ bitnet-install {}\nexit {code}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.stdout,
        out.stderr
    );
    let (settings, text) = redacted(world, &shown);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn snap_help_pages() {
    let world = World::new();
    for page in [
        "",
        "install",
        "update",
        "list",
        "use",
        "rollback",
        "uninstall",
        "verify",
        "detect",
        "self",
        "self update",
        "self rollback",
        "self uninstall",
        "completions",
        "cache",
        "cache clean",
    ] {
        let mut args: Vec<&str> = page.split_whitespace().collect();
        args.push("--help");
        let name = format!("help_{}", page.replace(' ', "_"));
        check(&world, &name, &args, &[], 0);
    }
}

#[cfg(feature = "fault-injection")]
#[test]
fn snap_detect_with_faked_facts() {
    let world = World::new();
    let facts = [("BITNET_FAKE_CPU_FEATURES", "sse2,avx,avx2,fma")];
    let args = ["detect", "--target", TARGET, "--gpu", "none"];
    check(&world, "detect", &args, &facts, 0);
    let mut json = args.to_vec();
    json.push("--json");
    check(&world, "detect_json", &json, &facts, 0);
}

#[test]
fn snap_list_and_plan() {
    let world = World::new();
    publish(&world, &["0.3.1", "0.3.2"], &["0.3.1", "0.3.2"]);
    let root = world.root_url();
    let from = ["--from", root.as_str(), "--target", TARGET];
    let with = |args: &[&'static str]| [args, &from[..]].concat();
    check(
        &world,
        "plan",
        &with(&["install", "--dry-run", "--version", "0.3.1"]),
        &[],
        0,
    );
    check(
        &world,
        "plan_json",
        &with(&["install", "--dry-run", "--json", "--version", "0.3.1"]),
        &[],
        0,
    );
    check(
        &world,
        "install",
        &with(&["install", "--version", "0.3.1"]),
        &[],
        0,
    );
    check(&world, "list", &["list"], &[], 0);
    check(&world, "list_json", &["list", "--json"], &[], 0);
    check(
        &world,
        "list_remote",
        &["list", "--remote", "--from", &root],
        &[],
        0,
    );
}

#[test]
fn snap_one_error_of_each_class() {
    let world = World::new();
    publish(&world, &["0.3.2"], &["0.3.2"]);
    let root = world.root_url();
    let source = ["--from", root.as_str(), "--target", TARGET];
    let with = |args: &[&'static str]| [args, &source[..]].concat();
    check(
        &world,
        "error_2_bad_input",
        &with(&["install", "--version", "banana"]),
        &[],
        2,
    );
    check(
        &world,
        "error_2_unknown_flag",
        &["install", "--frm", "x"],
        &[],
        2,
    );
    check(
        &world,
        "error_3_no_match",
        &with(&["install", "--version", "9.9"]),
        &[],
        3,
    );
    check(
        &world,
        "error_4_network",
        &[
            "install",
            "--from",
            "https://127.0.0.1:9",
            "--target",
            TARGET,
        ],
        &[("BITNET_RETRIES", "1")],
        4,
    );
    let stranger = TestKey::generate();
    check(
        &world,
        "error_5_verification",
        &with(&["install"]),
        &[("BITNET_PUBLIC_KEY", stranger.public_base64().as_str())],
        5,
    );
    let file = world.tmp.join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    check(
        &world,
        "error_6_local",
        &with(&["install"]),
        &[("BITNET_HOME", file.join("prefix").to_str().unwrap())],
        6,
    );
    check(
        &world,
        "error_json",
        &with(&["install", "--json", "--version", "9.9"]),
        &[],
        3,
    );
}
