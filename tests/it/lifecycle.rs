//! The lifecycle commands end to end: `update [--check]`, `list [--remote]`,
//! `use`, `rollback`, `uninstall <VERSION> | --all`, `verify`, pruning, PATH
//! edits checked with real shells, the prefix lock and concurrent installs.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::*;

const TARGET: &str = "x86_64-unknown-linux-gnu";

/// Publishes `versions` (standard builds) and an index offering all of `offered`.
pub fn publish(world: &World, versions: &[&str], offered: &[&str]) {
    for v in versions {
        world.publish(&ReleaseBuilder::new("bitnet", v).asset_standard(TARGET, None));
    }
    world.publish_index("bitnet", offered);
}

/// Runs `args`, with `--from` the world's root for the commands that read a source.
pub fn run_with(world: &World, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    let root = world.root_url();
    let mut cmd = world.cmd();
    cmd.args(args);
    if reads_a_source(args) {
        cmd.args(["--from", root.as_str()]);
    }
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    Output::run(&mut cmd)
}

/// Whether the command takes `--from` (the others refuse it).
pub fn reads_a_source(args: &[&str]) -> bool {
    match args.first() {
        None => true,
        Some(first) => {
            first.starts_with('-') || ["install", "update", "list", "detect"].contains(first)
        }
    }
}

pub fn run(world: &World, args: &[&str]) -> Output {
    run_with(world, args, &[])
}

pub fn cli_version(world: &World) -> String {
    let out = world.run_installed("bitnet-cli", &[]);
    assert!(out.success(), "{out}");
    out.stdout.trim().to_string()
}

/// A world with 0.1.0 installed and 0.2.0 offered too.
fn updated_world() -> World {
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    run(&world, &["install"]).assert_code(0);
    publish(&world, &["0.2.0"], &["0.1.0", "0.2.0"]);
    world
}

fn asset_requests(world: &World) -> Vec<String> {
    world
        .server
        .requests()
        .into_iter()
        .map(|r| r.path.clone())
        .filter(|p| p.ends_with(".tar.gz"))
        .collect()
}

#[test]
fn update_check_exits_10_then_0_and_downloads_nothing() {
    let world = updated_world();
    world.server.clear_log();
    let out = run(&world, &["update", "--check", "--json"]);
    out.assert_code(10);
    assert_eq!(out.json()["latest"], "0.2.0");
    assert_eq!(out.json()["active"], "0.1.0");
    assert!(
        asset_requests(&world).is_empty(),
        "--check downloaded an asset"
    );
    assert_eq!(cli_version(&world), "bitnet-cli 0.1.0");

    let out = run(&world, &["update", "--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["version"], "0.2.0");
    assert_eq!(out.json()["previous"], "0.1.0");
    assert_eq!(cli_version(&world), "bitnet-cli 0.2.0");

    world.server.clear_log();
    run(&world, &["update", "--check"]).assert_code(0);
    let out = run(&world, &["update", "--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["status"], "up-to-date");
    assert!(
        asset_requests(&world).is_empty(),
        "a no-op update downloaded {:?}",
        asset_requests(&world)
    );
}

#[test]
fn update_takes_the_newest_release_of_the_channel() {
    let world = updated_world();
    publish(
        &world,
        &["0.3.0-beta.1"],
        &["0.1.0", "0.2.0", "0.3.0-beta.1"],
    );
    run(&world, &["update"]).assert_code(0);
    assert_eq!(cli_version(&world), "bitnet-cli 0.2.0");
    run(&world, &["update", "--channel", "beta"]).assert_code(0);
    assert_eq!(cli_version(&world), "bitnet-cli 0.3.0-beta.1");
    run(&world, &["update", "--check"]).assert_code(0);
}

#[test]
fn list_shows_installed_and_remote_versions() {
    let world = World::new();
    let out = run(&world, &["list", "--json"]);
    out.assert_code(0);
    assert_eq!(out.json(), serde_json::json!([]));
    let world = updated_world();
    run(&world, &["update"]).assert_code(0);
    let out = run(&world, &["list", "--json"]);
    out.assert_code(0);
    let rows = out.json();
    let versions: Vec<(&str, bool)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["version"].as_str().unwrap(),
                r["active"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(versions, [("0.2.0", true), ("0.1.0", false)]);
    let human = run(&world, &["list"]);
    assert!(human.stdout.contains("0.2.0 (active)"), "{human}");

    publish(&world, &["0.3.0"], &["0.1.0", "0.2.0", "0.3.0"]);
    let out = run(&world, &["list", "--remote", "--json"]);
    out.assert_code(0);
    let remote: Vec<(String, bool)> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["version"].as_str().unwrap().to_string(),
                r["installed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        remote,
        [
            ("0.3.0".to_string(), false),
            ("0.2.0".to_string(), true),
            ("0.1.0".to_string(), true)
        ]
    );
}

#[test]
fn use_and_rollback_switch_between_installed_versions() {
    let world = updated_world();
    run(&world, &["update"]).assert_code(0);
    let out = run(&world, &["use", "0.1.0", "--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["previous"], "0.2.0");
    assert_eq!(cli_version(&world), "bitnet-cli 0.1.0");
    run(&world, &["rollback"]).assert_code(0);
    assert_eq!(cli_version(&world), "bitnet-cli 0.2.0");
    run(&world, &["rollback"]).assert_code(0);
    assert_eq!(cli_version(&world), "bitnet-cli 0.1.0");
    let out = run(&world, &["use", "0.9.0"]);
    out.assert_code(3);
    assert!(out.stderr.contains("0.1.0, 0.2.0"), "{out}");
    assert_eq!(cli_version(&world), "bitnet-cli 0.1.0");
    run(&world, &["verify"]).assert_code(0);
}

/// A run killed after switching `current` but before re-making the bin-dir
/// entries (on Windows, files of one version) leaves them stale; `use` of
/// the active version, or installing it again, re-makes them.
#[test]
fn use_or_install_of_the_active_version_repairs_its_bin_dir_entries() {
    let world = updated_world();
    let cli = world.bin.join("bitnet-cli");
    for repair in [
        &["use", "0.1.0"][..],
        &["install", "--version", "0.1.0"][..],
    ] {
        std::fs::remove_file(&cli).unwrap();
        run(&world, repair).assert_code(0);
        assert_eq!(cli_version(&world), "bitnet-cli 0.1.0", "after {repair:?}");
    }
}

#[test]
fn rollback_without_a_previous_version_is_no_match() {
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    run(&world, &["install"]).assert_code(0);
    run(&world, &["rollback"]).assert_code(3);
    assert_eq!(cli_version(&world), "bitnet-cli 0.1.0");
}

#[test]
fn uninstall_of_a_version_removes_only_what_its_receipt_lists() {
    let world = updated_world();
    run(&world, &["update"]).assert_code(0);
    let old = world.prefix.join("versions/0.1.0");
    std::fs::write(old.join("my-notes.txt"), b"mine").unwrap();
    run(&world, &["uninstall", "0.1.0"]).assert_code(0);
    assert_eq!(World::tree(&old), ["my-notes.txt"]);
    assert!(!world.prefix.join("receipts/0.1.0.json").exists());
    assert_eq!(cli_version(&world), "bitnet-cli 0.2.0");
    run(&world, &["verify"]).assert_code(0);
    run(&world, &["uninstall", "0.1.0"]).assert_code(3);
}

#[test]
fn uninstalling_the_active_version_activates_another_or_removes_bitnet() {
    let world = updated_world();
    run(&world, &["update"]).assert_code(0);
    let out = run(&world, &["uninstall", "0.2.0", "--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["active"], "0.1.0");
    assert_eq!(cli_version(&world), "bitnet-cli 0.1.0");
    run(&world, &["uninstall", "0.1.0"]).assert_code(0);
    assert!(
        !world.bin.join("bitnet-cli").exists(),
        "the last version takes its links along"
    );
    let listed = run(&world, &["list", "--json"]);
    assert_eq!(listed.json(), serde_json::json!([]));
}

#[test]
fn uninstall_with_no_version_removes_bitnet() {
    let world = updated_world();
    run(&world, &["uninstall"]).assert_code(0);
    assert!(!world.bin.join("bitnet-cli").exists());
    assert!(!world.prefix.join("receipts").exists());
}

#[test]
fn verify_lists_changed_and_missing_files_with_exit_5() {
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    run(&world, &["install"]).assert_code(0);
    run(&world, &["verify"]).assert_code(0);
    let dir = world.prefix.join("versions/0.1.0");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("bitnet-cli"))
        .unwrap();
    f.write_all(b"# tampered\n").unwrap();
    std::fs::remove_file(dir.join("README.md")).unwrap();
    let out = run(&world, &["verify"]);
    out.assert_code(5);
    assert!(out.stderr.contains("bitnet-cli (changed)"), "{out}");
    assert!(out.stderr.contains("README.md (missing)"), "{out}");
    assert!(!out.stderr.contains("bitnet-server"), "{out}");
    let out = run(&world, &["verify", "--json"]);
    out.assert_code(5);
    assert!(
        out.stdout.contains("\"problem\": \"changed\"") || out.stdout.contains("\"changed\""),
        "{out}"
    );
}

#[test]
fn prune_keeps_the_n_most_recent_versions() {
    let world = World::new();
    let all = ["0.1.0", "0.2.0", "0.3.0", "0.4.0"];
    publish(&world, &all, &all);
    for v in all {
        run_with(
            &world,
            &["install", "--version", v],
            &[("BITNET_KEEP", "2")],
        )
        .assert_code(0);
    }
    let mut receipts = World::tree(&world.prefix.join("receipts"));
    receipts.sort();
    assert_eq!(receipts, ["0.3.0.json", "0.4.0.json"]);
    assert_eq!(
        World::tree(&world.prefix.join("versions"))
            .iter()
            .filter(|p| !p.contains('/'))
            .count(),
        2
    );

    let world = World::new();
    publish(&world, &all, &all);
    for v in all {
        run(&world, &["install", "--version", v]).assert_code(0);
    }
    let receipts = World::tree(&world.prefix.join("receipts"));
    assert_eq!(
        receipts,
        ["0.2.0.json", "0.3.0.json", "0.4.0.json"],
        "default keeps 3"
    );
    run(&world, &["rollback"]).assert_code(0);
    assert_eq!(cli_version(&world), "bitnet-cli 0.3.0");
}

/// A command that runs with `BITNET_NO_MODIFY_PATH` removed.
fn path_world() -> World {
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    world
}

fn install_modifying_path(world: &World, extra_env: &[(&str, &str)], args: &[&str]) -> Output {
    let root = world.root_url();
    let mut cmd = world.cmd();
    cmd.env_remove("BITNET_NO_MODIFY_PATH")
        .args(["install", "--from", root.as_str()])
        .args(args);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    Output::run(&mut cmd)
}

/// PATH as a shell sees it after reading the user's startup files and then
/// running `script`.
fn shell_path(world: &World, shell_args: &[&str], zdotdir: Option<&Path>, script: &str) -> String {
    let mut cmd = Command::new(shell_args[0]);
    cmd.args(&shell_args[1..])
        .arg(format!("{script} printf %s \"$PATH\""))
        .env_clear()
        .env("HOME", &world.home)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .stdin(Stdio::null());
    if let Some(z) = zdotdir {
        cmd.env("ZDOTDIR", z);
    }
    let out = Output::run(&mut cmd);
    assert!(out.success(), "{out}");
    out.stdout
}

fn count_entries(path: &str, dir: &Path) -> usize {
    std::env::split_paths(path).filter(|p| p == dir).count()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn path_edits_work_in_bash_zsh_and_fish_and_are_idempotent() {
    let world = path_world();
    let zdot = world.home.join("zdot");
    std::fs::create_dir_all(&zdot).unwrap();
    std::fs::create_dir_all(world.home.join(".config/fish")).unwrap();
    std::fs::write(world.home.join(".bashrc"), "alias ll='ls -l'\n").unwrap();
    std::fs::write(world.home.join(".bash_profile"), "export EDITOR=vi\n").unwrap();
    let zdot_s = zdot.display().to_string();
    let env = [("ZDOTDIR", zdot_s.as_str())];
    install_modifying_path(&world, &env, &[]).assert_code(0);
    install_modifying_path(&world, &env, &["--force"]).assert_code(0);

    let env_script = world.prefix.join("env");
    let line = format!(". '{}' # added by bitnet-install", env_script.display());
    for profile in [
        world.home.join(".profile"),
        world.home.join(".bashrc"),
        world.home.join(".bash_profile"),
        zdot.join(".zshenv"),
    ] {
        let text = read(&profile);
        assert_eq!(
            text.matches(&line).count(),
            1,
            "{}:\n{text}",
            profile.display()
        );
    }
    assert!(read(&world.home.join(".bashrc")).starts_with("alias ll='ls -l'\n"));

    let zshenv = zdot.join(".zshenv").display().to_string();
    let resource_all = ". \"$HOME/.profile\"; . \"$HOME/.bashrc\"; . \"$HOME/.bash_profile\";";
    let resource_zsh = format!(". '{zshenv}'; . '{zshenv}';");
    for (shell, zd, again) in [
        (&["bash", "-lc"][..], None, resource_all),
        (&["bash", "-ic"][..], None, resource_all),
        (&["dash", "-lc"][..], None, resource_all),
        (
            &["zsh", "-c"][..],
            Some(zdot.as_path()),
            resource_zsh.as_str(),
        ),
    ] {
        let path = shell_path(&world, shell, zd, "");
        assert_eq!(count_entries(&path, &world.bin), 1, "{shell:?}: {path}");
        assert!(
            path.starts_with(&world.bin.display().to_string()),
            "{shell:?}: {path}"
        );
        let path = shell_path(&world, shell, zd, again);
        assert_eq!(
            count_entries(&path, &world.bin),
            1,
            "{shell:?} re-sourced: {path}"
        );
    }

    let fish_conf = world.home.join(".config/fish/conf.d/bitnet.fish");
    let fish_env = world.prefix.join("env.fish");
    assert_eq!(
        read(&fish_conf),
        format!(
            "source '{}' # added by bitnet-install\n",
            fish_env.display()
        )
    );
    let bin = world.bin.display();
    assert_eq!(
        read(&fish_env),
        format!("# bitnet-install: put the BitNet commands on PATH once.\nif not contains '{bin}' $PATH\n    set -gx PATH '{bin}' $PATH\nend\n")
    );
}

#[test]
fn no_modify_path_leaves_profiles_alone() {
    let world = path_world();
    std::fs::write(world.home.join(".bashrc"), "x\n").unwrap();
    let root = world.root_url();
    let out = Output::run(world.cmd().env_remove("BITNET_NO_MODIFY_PATH").args([
        "install",
        "--no-modify-path",
        "--from",
        root.as_str(),
    ]));
    out.assert_code(0);
    assert_eq!(read(&world.home.join(".bashrc")), "x\n");
    assert!(!world.home.join(".profile").exists());
    assert!(!world.prefix.join("env").exists());
}

#[test]
fn github_path_gets_the_bin_dir_once() {
    let world = path_world();
    let gh = world.tmp.join("github_path");
    std::fs::write(&gh, "/already/there\n").unwrap();
    let gh_s = gh.display().to_string();
    install_modifying_path(&world, &[("GITHUB_PATH", &gh_s)], &[]).assert_code(0);
    install_modifying_path(&world, &[("GITHUB_PATH", &gh_s)], &["--force"]).assert_code(0);
    assert_eq!(
        read(&gh),
        format!("/already/there\n{}\n", world.bin.display())
    );
}

#[cfg(unix)]
#[test]
fn uninstall_all_takes_back_exactly_what_was_added() {
    let world = path_world();
    let bashrc_before = "alias ll='ls -l'\n# my own bitnet-install notes\n";
    std::fs::write(world.home.join(".bashrc"), bashrc_before).unwrap();
    std::fs::create_dir_all(world.home.join(".config/fish")).unwrap();
    std::fs::write(world.bin.join("my-tool"), b"#!/bin/sh\n").unwrap();
    std::os::unix::fs::symlink("/usr/bin/env", world.bin.join("my-link")).unwrap();
    std::fs::write(world.prefix.join("my-notes.txt"), b"mine").unwrap();
    let cache = world.home.join(".cache/bitnet");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("x"), b"cached").unwrap();
    let cache_s = cache.display().to_string();
    let env = [("BITNET_CACHE_DIR", cache_s.as_str())];
    install_modifying_path(&world, &env, &[]).assert_code(0);
    assert!(world.home.join(".profile").exists());
    assert_ne!(read(&world.home.join(".bashrc")), bashrc_before);

    let mut cmd = world.cmd();
    cmd.env_remove("BITNET_NO_MODIFY_PATH")
        .env("BITNET_CACHE_DIR", &cache)
        .args(["uninstall", "--all"]);
    Output::run(&mut cmd).assert_code(0);

    assert_eq!(read(&world.home.join(".bashrc")), bashrc_before);
    assert!(
        !world.home.join(".profile").exists(),
        "the profile it created is gone"
    );
    assert!(!world.home.join(".config/fish/conf.d/bitnet.fish").exists());
    assert!(
        !world.home.join(".config/fish/conf.d").exists(),
        "the conf.d it created for bitnet.fish is gone"
    );
    assert!(world.home.join(".config/fish").is_dir());
    // Only the rollback high-water marks outlive `uninstall --all`.
    assert_eq!(World::tree(&world.prefix), ["my-notes.txt", "state.json"]);
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(world.prefix.join("state.json")).unwrap()).unwrap();
    assert_eq!(state["previous"], serde_json::Value::Null, "{state}");
    assert!(
        !state["index_high_water"].as_object().unwrap().is_empty(),
        "{state}"
    );
    let mut bin = World::tree(&world.bin);
    bin.retain(|n| n != "bitnet-install");
    assert_eq!(bin, ["my-link", "my-tool"]);
    assert!(!world.bin.join("bitnet-cli").exists());
}

/// Holds the prefix lock from this process, as another installer would.
fn hold_lock(world: &World) -> File {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(world.prefix.join(".lock"))
        .unwrap();
    file.try_lock().unwrap();
    (&file).write_all(b"pid 4242").unwrap();
    file
}

#[test]
fn a_held_lock_makes_writers_wait_then_exit_6_but_readers_run() {
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    run(&world, &["install"]).assert_code(0);
    publish(&world, &["0.2.0"], &["0.1.0", "0.2.0"]);
    let held = hold_lock(&world);
    let quick = [("BITNET_LOCK_TIMEOUT", "1")];
    for args in [
        &["update"][..],
        &["use", "0.1.0"],
        &["install", "--version", "0.2.0"],
        &["uninstall", "--all"],
    ] {
        let out = run_with(&world, args, &quick);
        out.assert_code(6);
        assert!(
            out.stderr.contains("waiting for pid 4242"),
            "{args:?}: {out}"
        );
        assert!(out.stderr.contains("pid 4242"), "{out}");
    }
    for args in [
        &["list"][..],
        &["verify"],
        &["update", "--check"],
        &["list", "--remote"],
    ] {
        let out = run_with(&world, args, &quick);
        assert!(out.code() == 0 || out.code() == 10, "{args:?}: {out}");
    }
    drop(held);
    run_with(&world, &["update"], &quick).assert_code(0);
    assert_eq!(cli_version(&world), "bitnet-cli 0.2.0");
}

#[test]
fn a_waiting_writer_proceeds_when_the_lock_is_released() {
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    let held = hold_lock(&world);
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        drop(held);
    });
    let out = run(&world, &["install"]);
    releaser.join().unwrap();
    out.assert_code(0);
    assert!(out.stderr.contains("waiting for pid 4242"), "{out}");
    assert_eq!(cli_version(&world), "bitnet-cli 0.1.0");
}

#[test]
fn two_concurrent_installs_end_in_one_consistent_state() {
    let world = World::new();
    publish(&world, &["0.1.0", "0.2.0"], &["0.1.0", "0.2.0"]);
    let root = world.root_url();
    for round in [["0.1.0", "0.1.0"], ["0.1.0", "0.2.0"]] {
        let children: Vec<_> = round
            .iter()
            .map(|v| {
                let mut cmd = world.cmd();
                cmd.args([
                    "install",
                    "--allow-downgrade",
                    "--from",
                    root.as_str(),
                    "--version",
                    v,
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
                cmd.spawn().unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{round:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        run(&world, &["verify"]).assert_code(0);
        let listed = run(&world, &["list", "--json"]).json();
        let active: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["active"] == true)
            .filter_map(|v| v["version"].as_str())
            .collect();
        assert_eq!(active.len(), 1, "{listed}");
        assert!(round.contains(&active[0]), "{listed}");
        assert_eq!(cli_version(&world), format!("bitnet-cli {}", active[0]));
        assert!(World::tree(&world.prefix.join("tmp")).is_empty());
    }
}

#[test]
fn another_bitnet_cli_earlier_on_path_is_reported() {
    let world = path_world();
    let other: PathBuf = world.dir.path().join("other-bin");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("bitnet-cli"), b"#!/bin/sh\n").unwrap();
    let path = format!("{}:{}", other.display(), world.path_env());
    let out = run_with(&world, &["install"], &[("PATH", &path)]);
    out.assert_code(0);
    assert!(out.stderr.contains("comes earlier on PATH"), "{out}");
    assert!(
        out.stderr
            .contains(&other.join("bitnet-cli").display().to_string()),
        "{out}"
    );
    let out = run_with(
        &world,
        &["install", "--force"],
        &[("PATH", &world.path_env())],
    );
    assert!(!out.stderr.contains("comes earlier on PATH"), "{out}");
}

/// With HOME unset and no passwd entry (a uid nobody declared), the advice
/// "give --prefix and --bin-dir" works as given: the cache follows the prefix.
#[cfg(unix)]
#[test]
fn with_no_home_prefix_and_bin_dir_are_enough() {
    use std::os::unix::process::CommandExt;
    // Only root can run a process as a uid with no passwd entry.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root to run as a uid with no passwd entry");
        return;
    }
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    const NOBODY_KNOWN: u32 = 54_321;
    let chown = Command::new("chown")
        .args(["-R", &NOBODY_KNOWN.to_string()])
        .arg(world.dir.path())
        .status()
        .unwrap();
    assert!(chown.success());
    let mut cmd = world.cmd();
    cmd.env_remove("HOME")
        .env_remove("BITNET_HOME")
        .env_remove("BITNET_BIN_DIR")
        .uid(NOBODY_KNOWN)
        .args(["install", "--from"])
        .arg(&world.root)
        .arg("--prefix")
        .arg(&world.prefix)
        .arg("--bin-dir")
        .arg(&world.bin)
        .arg("--no-modify-path");
    let out = Output::run(&mut cmd);
    out.assert_code(0);
    assert!(world.bin.join("bitnet-cli").exists(), "{out}");
}

/// zsh reads no `.profile`: with zsh installed and a `.zshrc`, the PATH line
/// goes into `.zshenv` even when `$SHELL` names another shell.
#[test]
fn zsh_users_get_zshenv_whatever_shell_says() {
    let world = path_world();
    std::fs::write(world.home.join(".zshrc"), "setopt autocd\n").unwrap();
    install_modifying_path(&world, &[("SHELL", "/bin/bash")], &[]).assert_code(0);
    let zshenv = std::fs::read_to_string(world.home.join(".zshenv")).unwrap_or_default();
    assert!(
        zshenv.contains(&world.prefix.join("env").display().to_string()),
        "{zshenv:?}"
    );
    assert_eq!(read(&world.home.join(".zshrc")), "setopt autocd\n");
}

#[test]
fn quiet_prints_no_key_override_warning() {
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    let out = run(&world, &["install", "-q"]);
    out.assert_code(0);
    assert_eq!(out.stderr, "", "{out}");
    let loud = run(&world, &["install", "--force"]);
    assert!(loud.stderr.contains("trusting the public key"), "{loud}");
}

/// Dotfile managers (stow, chezmoi, yadm) link `~/.bashrc` into a repository:
/// the PATH line goes into the linked file, the link stays a link, and after
/// `uninstall --all` the file holds exactly what it held (issue 16 item 8).
#[cfg(unix)]
#[test]
fn symlinked_dotfiles_are_edited_through_the_link_and_restored() {
    let world = path_world();
    let dotfiles = world.home.join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let before = "alias ll='ls -l'\nexport EDITOR=vi\n";
    std::fs::write(dotfiles.join("bashrc"), before).unwrap();
    std::os::unix::fs::symlink("dotfiles/bashrc", world.home.join(".bashrc")).unwrap();
    std::os::unix::fs::symlink(dotfiles.join("profile"), world.home.join(".profile")).unwrap();
    let is_link = |name: &str| {
        std::fs::symlink_metadata(world.home.join(name))
            .unwrap()
            .file_type()
            .is_symlink()
    };

    install_modifying_path(&world, &[], &[]).assert_code(0);
    assert!(
        is_link(".bashrc") && is_link(".profile"),
        "links stay links"
    );
    assert!(read(&dotfiles.join("bashrc")).starts_with(before));
    assert!(read(&dotfiles.join("bashrc")).contains("bitnet-install"));
    assert!(read(&dotfiles.join("profile")).contains("bitnet-install"));
    let path = shell_path(&world, &["bash", "-i", "-c"], None, "");
    assert_eq!(count_entries(&path, &world.bin), 1, "{path}");

    let mut cmd = world.cmd();
    cmd.env_remove("BITNET_NO_MODIFY_PATH")
        .args(["uninstall", "--all"]);
    Output::run(&mut cmd).assert_code(0);
    assert!(is_link(".bashrc"), "the link survives uninstall");
    assert_eq!(read(&dotfiles.join("bashrc")), before);
    assert!(
        !dotfiles.join("profile").exists(),
        "the profile it created behind the link is gone"
    );
}
