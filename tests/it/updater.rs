//! The installer's own updates (`self update`) and the embeddable `Updater`.

use std::path::PathBuf;

use bitnet_install::{Env, Updater};

use crate::support::*;

const TARGET: &str = "x86_64-unknown-linux-gnu";
const RUNNING: &str = env!("CARGO_PKG_VERSION");

/// A release of the installer itself under `root/installer/`, whose bare
/// asset is a script standing in for the new binary.
fn publish_installer(
    world: &World,
    version: &str,
    tweak: impl FnOnce(ReleaseBuilder) -> ReleaseBuilder,
) -> String {
    let root = world.root.join("installer");
    let release = ReleaseBuilder::new("bitnet-install", version).asset_bare(
        TARGET,
        None,
        fake_exe("bitnet-install", version),
    );
    tweak(release).write_to(&root, &world.key);
    let now = unix_now();
    write_index(
        &root,
        "bitnet-install",
        &[RUNNING, version],
        &world.key,
        now,
        now + 3600,
    );
    format!("{}/installer", world.root_url())
}

/// A copy of the binary under test that `self update` may replace.
fn installer_copy(world: &World) -> PathBuf {
    let dir = world.dir.path().join("installer-bin");
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("bitnet-install");
    std::fs::copy(env!("CARGO_BIN_EXE_bitnet-install"), &copy).unwrap();
    copy
}

fn run_copy(world: &World, copy: &PathBuf, args: &[&str]) -> Output {
    let template = world.cmd();
    let mut cmd = std::process::Command::new(copy);
    cmd.env_clear()
        .current_dir(&world.home)
        .stdin(std::process::Stdio::null());
    for (name, value) in template.get_envs() {
        if let Some(value) = value {
            cmd.env(name, value);
        }
    }
    Output::run(cmd.args(args))
}

#[test]
fn self_update_check_reports_10_then_replaces_the_running_copy() {
    let world = World::new();
    let root = publish_installer(&world, "99.0.0", |r| r);
    let copy = installer_copy(&world);
    run_copy(
        &world,
        &copy,
        &["self", "update", "--check", "--update-root", &root],
    )
    .assert_code(10);
    let out = run_copy(
        &world,
        &copy,
        &["self", "update", "--update-root", &root, "--json"],
    );
    out.assert_code(0);
    assert_eq!(out.json()["version"], "99.0.0");
    let replaced = Output::run(&mut std::process::Command::new(&copy));
    assert_eq!(replaced.stdout.trim(), "bitnet-install 99.0.0");
    let kept = world
        .prefix
        .join("installer")
        .join(format!("bitnet-install-{RUNNING}"));
    assert!(kept.exists(), "the previous copy is kept for rollback");
}

#[test]
fn self_update_check_is_0_when_up_to_date() {
    let world = World::new();
    let root = world.root.join("installer");
    std::fs::create_dir_all(&root).unwrap();
    let now = unix_now();
    ReleaseBuilder::new("bitnet-install", RUNNING)
        .asset_bare(TARGET, None, fake_exe("bitnet-install", RUNNING))
        .write_to(&root, &world.key);
    write_index(
        &root,
        "bitnet-install",
        &[RUNNING],
        &world.key,
        now,
        now + 3600,
    );
    let copy = installer_copy(&world);
    let url = format!("{}/installer", world.root_url());
    run_copy(
        &world,
        &copy,
        &["self", "update", "--check", "--update-root", &url],
    )
    .assert_code(0);
}

#[test]
fn a_bad_signature_leaves_the_executable_byte_for_byte_unchanged() {
    let world = World::new();
    let root = publish_installer(&world, "99.0.0", |r| r.signed_by(&TestKey::generate()));
    let copy = installer_copy(&world);
    let before = std::fs::read(&copy).unwrap();
    run_copy(&world, &copy, &["self", "update", "--update-root", &root]).assert_code(5);
    assert!(
        std::fs::read(&copy).unwrap() == before,
        "the executable is unchanged"
    );
}

fn updater_env(world: &World, now: u64) -> Env {
    let ca = world.ca_cert().unwrap();
    let key = world.key.public_base64();
    Env::fixed(
        &world.home,
        &[
            ("SSL_CERT_FILE", ca.to_str().unwrap()),
            ("BITNET_PUBLIC_KEY", key.as_str()),
            ("BITNET_HOME", world.prefix.to_str().unwrap()),
            ("BITNET_BIN_DIR", world.bin.to_str().unwrap()),
        ],
        now,
    )
}

#[test]
fn the_library_updater_checks_throttles_and_updates() {
    let world = World::new();
    world.publish(&ReleaseBuilder::new("bitnet", "0.3.1").asset_standard(TARGET, None));
    world.publish_index("bitnet", &["0.3.1"]);
    world
        .run(&["install", "--from", &world.root_url()])
        .assert_code(0);
    world.publish(&ReleaseBuilder::new("bitnet", "0.3.2").asset_standard(TARGET, None));
    world.publish_index("bitnet", &["0.3.1", "0.3.2"]);

    let now = unix_now();
    let updater = |at: u64| {
        Updater::new()
            .from(&world.root_url())
            .env(updater_env(&world, at))
            .build()
            .unwrap()
    };
    assert_eq!(
        updater(now)
            .check()
            .unwrap()
            .map(|v| v.to_string())
            .as_deref(),
        Some("0.3.2")
    );

    world.server.clear_log();
    assert!(updater(now).check_throttled().unwrap().is_some());
    let first = world.server.count("/index.json");
    assert_eq!(first, 1, "the first throttled check asks the source");
    assert!(updater(now + 60).check_throttled().unwrap().is_some());
    assert_eq!(
        world.server.count("/index.json"),
        first,
        "a check within a day is answered from memory"
    );
    assert!(updater(now + 2 * 86_400)
        .check_throttled()
        .unwrap()
        .is_some());
    assert_eq!(
        world.server.count("/index.json"),
        first + 1,
        "a day later it asks again"
    );

    let active = updater(now).update().unwrap();
    assert_eq!(active.map(|v| v.to_string()).as_deref(), Some("0.3.2"));
    let out = world.run_installed("bitnet-cli", &[]);
    assert_eq!(out.stdout.trim(), "bitnet-cli 0.3.2");
    assert_eq!(updater(now).check().unwrap(), None);
}

#[test]
fn self_rollback_puts_back_the_kept_installer_and_keeps_the_running_one() {
    let world = World::new();
    let copy = installer_copy(&world);
    let kept_dir = world.prefix.join("installer");
    std::fs::create_dir_all(&kept_dir).unwrap();
    let older = kept_dir.join("bitnet-install-0.0.9");
    std::fs::write(&older, fake_exe("bitnet-install", "0.0.9")).unwrap();
    let out = run_copy(&world, &copy, &["self", "rollback", "--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["version"], "0.0.9");
    let now_running = Output::run(&mut std::process::Command::new(&copy));
    assert_eq!(now_running.stdout.trim(), "bitnet-install 0.0.9");
    let kept = kept_dir.join(format!("bitnet-install-{RUNNING}"));
    assert!(
        kept.exists(),
        "the replaced installer is kept, so the rollback can be undone"
    );
    assert!(!older.exists());
}

#[test]
fn self_rollback_without_a_kept_copy_is_no_match() {
    let world = World::new();
    let copy = installer_copy(&world);
    run_copy(&world, &copy, &["self", "rollback"]).assert_code(3);
}
