//! `bitnet-install install` end to end: every kind of root, version
//! resolution, verification failures of the release itself (exit 5, nothing
//! changed, the earlier version still runs; the attack table's rows are in
//! `attacks.rs`), bad input, and a release made by hand with the standard tools.

use std::process::Command;

use crate::support::*;

#[test]
fn installs_from_https_and_runs_the_command() {
    let world = world_with(&["0.3.2"]);
    let out = install(&world, &["--json"]);
    out.assert_code(0);
    let json = out.json();
    assert_eq!(json["version"], "0.3.2");
    assert_eq!(json["asset"], format!("bitnet-0.3.2-{TARGET}.tar.gz"));
    assert_eq!(json["sha256"].as_str().unwrap().len(), 64);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
    let server = world.run_installed("bitnet-server", &[]);
    assert!(server.success(), "{server}");
    assert!(
        world.bin.join("bitnet-install").exists(),
        "the installer copies itself into the bin dir"
    );
    assert!(
        !world.bin.join("README.md").exists(),
        "only declared executables reach the bin dir"
    );
}

#[test]
fn installs_from_loopback_http_file_url_and_plain_directory() {
    let http = World::http();
    http.publish(&ReleaseBuilder::new("bitnet", "0.3.2").asset_standard(TARGET, None));
    http.publish_index("bitnet", &["0.3.2"]);
    install(&http, &[]).assert_code(0);
    installed_cli_says(&http, "bitnet-cli 0.3.2");

    for form in ["file", "dir"] {
        let world = world_with(&["0.3.2"]);
        let root = match form {
            "file" => format!("file://{}", world.root.display()),
            _ => world.root.display().to_string(),
        };
        world.run(&["install", "--from", &root]).assert_code(0);
        installed_cli_says(&world, "bitnet-cli 0.3.2");
    }
}

#[test]
fn the_dist_server_variable_is_a_root_too() {
    let world = world_with(&["0.3.2"]);
    let out = Output::run(
        world
            .cmd()
            .env("BITNET_DIST_SERVER", world.root_url())
            .arg("install"),
    );
    out.assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

#[test]
fn version_requirements_pick_the_newest_match_in_semver_order() {
    let versions = [
        "0.2.9",
        "0.3.0",
        "0.3.2",
        "0.3.10",
        "0.4.0-beta.1",
        "0.9.0",
        "0.10.0",
    ];
    let world = world_with(&versions);
    let cases = [
        (vec![], Some("0.10.0")),
        (vec!["--version", "0.3"], Some("0.3.10")),
        (vec!["--version", "0.3.2"], Some("0.3.2")),
        (vec!["--version", ">=0.2, <0.3"], Some("0.2.9")),
        (vec!["--version", "0.4"], None),
        (
            vec!["--channel", "beta", "--version", "0.4"],
            Some("0.4.0-beta.1"),
        ),
        (vec!["--version", "0.4.0-beta.1"], Some("0.4.0-beta.1")),
    ];
    for (args, want) in cases {
        let mut full = vec!["--dry-run", "--json"];
        full.extend(args.iter().copied());
        let out = install(&world, &full);
        match want {
            Some(version) => {
                out.assert_code(0);
                assert_eq!(out.json()["version"], version, "{args:?}");
            }
            None => {
                out.assert_code(3);
            }
        }
    }
    assert!(
        World::tree(&world.bin).is_empty(),
        "dry runs change nothing"
    );
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let world = world_with(&["0.3.2"]);
    let out = install(&world, &["--dry-run", "--json"]);
    out.assert_code(0);
    let json = out.json();
    assert_eq!(json["version"], "0.3.2");
    assert!(json["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/v0.3.2/bitnet-0.3.2-{TARGET}.tar.gz")));
    assert!(World::tree(&world.bin).is_empty());
    assert_eq!(
        world
            .server
            .count(&format!("/v0.3.2/bitnet-0.3.2-{TARGET}.tar.gz")),
        0
    );
}

#[test]
fn a_tampered_asset_is_refused() {
    let asset = format!("bitnet-0.3.2-{TARGET}.tar.gz");
    refused_upgrade(
        5,
        good_032().tamper_asset(&asset, b"not the signed bytes".to_vec()),
        |_| {},
    );
}

#[test]
fn tampered_checksums_are_refused() {
    refused_upgrade(
        5,
        good_032().tamper_sums(|s| s.replacen('a', "b", 1)),
        |_| {},
    );
}

#[test]
fn a_legacy_unhashed_signature_is_refused() {
    refused_upgrade(5, good_032().legacy_signature(), |_| {});
}

/// A static root's asset list is its signed SHA256SUMS: an asset left out of it
/// does not exist for the installer, so nothing fits this platform.
#[test]
fn an_asset_missing_from_the_checksums_is_never_chosen() {
    let asset = format!("bitnet-0.3.2-{TARGET}.tar.gz");
    refused_upgrade(
        3,
        good_032()
            .omit_from_sums(&asset)
            .asset_standard("aarch64-apple-darwin", None),
        |_| {},
    );
}

#[test]
fn an_index_signed_by_a_foreign_key_is_refused() {
    refused_upgrade(5, good_032(), |world| {
        let now = unix_now();
        write_index(
            &world.root,
            "bitnet",
            &["0.3.1", "0.3.2"],
            &TestKey::generate(),
            now,
            now + 3600,
        );
    });
}

#[test]
fn reinstalling_the_active_version_is_a_no_op_unless_forced() {
    let world = world_with(&["0.3.2"]);
    install(&world, &[]).assert_code(0);
    let asset = format!("/v0.3.2/bitnet-0.3.2-{TARGET}.tar.gz");
    let downloads = world.server.count(&asset);
    let out = install(&world, &["--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["status"], "already-installed");
    assert_eq!(
        world.server.count(&asset),
        downloads,
        "nothing downloaded again"
    );
    install(&world, &["--force"]).assert_code(0);
    assert_eq!(world.server.count(&asset), downloads + 1);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

#[test]
fn an_older_version_needs_allow_downgrade() {
    let world = world_with(&["0.3.1", "0.3.2"]);
    install(&world, &["--version", "0.3.1"]).assert_code(0);
    install(&world, &[]).assert_code(0);
    install(&world, &["--version", "0.3.1"]).assert_code(1);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
    let asset = format!("/v0.3.1/bitnet-0.3.1-{TARGET}.tar.gz");
    let downloads = world.server.count(&asset);
    install(&world, &["--version", "0.3.1", "--allow-downgrade"]).assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.1");
    assert_eq!(
        world.server.count(&asset),
        downloads,
        "an installed copy is switched to, not downloaded again"
    );
}

#[test]
fn bad_input_exits_2_and_no_match_exits_3() {
    let world = world_with(&["0.3.2"]);
    for args in [
        vec!["--version", "banana"],
        vec!["--target", "sparc-unknown-plan9"],
        vec!["--no-such-flag"],
        vec!["--public-key", "not-a-key"],
    ] {
        let out = install(&world, &args);
        out.assert_code(2);
        assert!(!out.stderr.is_empty(), "{args:?} says why");
    }
    install(&world, &["--version", "9.9"]).assert_code(3);
    let out = install(&world, &["--version", "banana", "--json"]);
    out.assert_code(2);
    assert_eq!(out.json()["error"]["code"], 2);
}

#[test]
fn an_unreachable_root_exits_4_naming_the_url() {
    let world = World::new();
    let out = world.run(&[
        "install",
        "--from",
        "https://127.0.0.1:9/bitnet",
        "--timeout",
        "2",
    ]);
    out.assert_code(4);
    assert!(out.stderr.contains("127.0.0.1:9"), "{out}");
}

#[test]
fn dash_capital_v_and_bare_version_print_the_installer_version() {
    let world = World::new();
    for flag in ["-V", "--version"] {
        let out = world.run(&[flag]);
        out.assert_code(0);
        assert!(out.stdout.starts_with("bitnet-install "));
    }
}

/// CONTRACT 2: a release made only with minisign, sha256sum, tar and zip.
#[test]
fn a_release_made_by_hand_with_standard_tools_installs() {
    let world = World::new();
    let keys = world.dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let (pk, sk) = (keys.join("k.pub"), keys.join("k.key"));
    run_tool(
        Command::new("minisign")
            .args(["-G", "-W", "-p"])
            .arg(&pk)
            .arg("-s")
            .arg(&sk),
    );

    let build = world.dir.path().join("build/bitnet-0.3.2");
    std::fs::create_dir_all(&build).unwrap();
    for tool in ["bitnet-cli", "bitnet-server"] {
        let path = build.join(tool);
        std::fs::write(&path, fake_exe(tool, "0.3.2")).unwrap();
        run_tool(Command::new("chmod").arg("755").arg(&path));
    }
    let release = world.root.join("v0.3.2");
    std::fs::create_dir_all(&release).unwrap();
    run_tool(
        Command::new("tar")
            .arg("-czf")
            .arg(release.join(format!("bitnet-0.3.2-{TARGET}.tar.gz")))
            .arg("-C")
            .arg(build.parent().unwrap())
            .arg("bitnet-0.3.2"),
    );
    run_tool(
        Command::new("zip")
            .arg("-qr")
            .arg(release.join("bitnet-0.3.2-x86_64-pc-windows-msvc.zip"))
            .arg("bitnet-0.3.2")
            .current_dir(build.parent().unwrap()),
    );
    run_tool(
        Command::new("sh")
            .arg("-c")
            .arg("sha256sum *.tar.gz *.zip > SHA256SUMS")
            .current_dir(&release),
    );
    run_tool(
        Command::new("minisign")
            .args(["-S", "-s"])
            .arg(&sk)
            .args([
                "-m",
                "SHA256SUMS",
                "-t",
                "timestamp:1763700000 file:SHA256SUMS product:bitnet version:0.3.2",
            ])
            .current_dir(&release),
    );
    let now = unix_now();
    std::fs::write(
        world.root.join("index.json"),
        r#"{"product": "bitnet", "releases": [{"version": "0.3.2"}]}"#,
    )
    .unwrap();
    run_tool(
        Command::new("minisign")
            .args(["-S", "-s"])
            .arg(&sk)
            .args(["-m", "index.json", "-t"])
            .arg(format!(
                "product:bitnet timestamp:{now} expires:{}",
                now + 3600
            ))
            .current_dir(&world.root),
    );

    let out = world.run(&[
        "install",
        "--from",
        world.root.to_str().unwrap(),
        "--public-key",
        pk.to_str().unwrap(),
    ]);
    out.assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

fn run_tool(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (install it: see scripts/test.sh)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unknown_flag_with_json_still_prints_the_error_object() {
    let world = World::new();
    let out = world.run(&["install", "--no-such-flag", "--json"]);
    out.assert_code(2);
    assert_eq!(out.json()["error"]["code"], 2);
}

#[test]
fn missing_signatures_are_verification_failures_and_a_missing_index_a_broken_source() {
    refused_upgrade(5, good_032(), |world| {
        std::fs::remove_file(world.root.join("v0.3.2/SHA256SUMS")).unwrap();
    });
    refused_upgrade(5, good_032(), |world| {
        std::fs::remove_file(world.root.join("index.json.minisig")).unwrap();
    });
    refused_upgrade(4, good_032(), |world| {
        std::fs::remove_file(world.root.join("index.json")).unwrap();
    });
}

/// A huge `--version` is not echoed back whole (issue 16, also seen).
#[test]
fn a_huge_version_requirement_is_shortened_in_the_error() {
    let world = world_with(&["0.3.2"]);
    let huge = "x".repeat(100 * 1024);
    let out = install(&world, &["--version", &huge]);
    out.assert_code(2);
    assert!(
        out.stderr.len() < 2000,
        "{} bytes of stderr",
        out.stderr.len()
    );
    assert!(
        out.stderr
            .contains(&format!("{}… (102400 bytes)", "x".repeat(64))),
        "{out}"
    );
}
