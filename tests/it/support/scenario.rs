//! The usual end-to-end scenario: a world whose root offers standard releases,
//! an install through the binary, a file-by-file snapshot of what is installed,
//! and `refused_upgrade`, which checks that a bad release changes nothing.

use super::release::ReleaseBuilder;
use super::world::{Output, World};

/// The platform every scenario runs on (this machine).
pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// A world whose root offers `versions`, each a standard baseline build.
pub fn world_with(versions: &[&str]) -> World {
    let world = World::new();
    for v in versions {
        world.publish(&ReleaseBuilder::new("bitnet", v).asset_standard(TARGET, None));
    }
    world.publish_index("bitnet", versions);
    world
}

/// `bitnet-install install --from <root> <extra...>`.
pub fn install(world: &World, extra: &[&str]) -> Output {
    let root = world.root_url();
    let mut args = vec!["install", "--from", root.as_str()];
    args.extend_from_slice(extra);
    world.run(&args)
}

/// The installed `bitnet-cli` runs and prints `expected`.
pub fn installed_cli_says(world: &World, expected: &str) {
    let out = world.run_installed("bitnet-cli", &[]);
    assert!(out.success(), "{out}");
    assert_eq!(out.stdout.trim(), expected);
}

/// The prefix and bin dir exactly as they were, file by file (symbolic links by
/// their target), leaving out the lock file and the kept partial downloads (a
/// download the network cut short is kept for the next run to resume).
pub fn snapshot(world: &World) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in [&world.prefix, &world.bin] {
        for relative in World::tree(dir) {
            let path = dir.join(&relative);
            let content = match std::fs::read_link(&path) {
                Ok(target) => target.to_string_lossy().into_owned().into_bytes(),
                Err(_) => std::fs::read(&path).unwrap_or_default(),
            };
            files.push((format!("{}/{relative}", dir.display()), content));
        }
    }
    files.retain(|(name, _)| !name.ends_with("/.lock") && !name.contains("/tmp/partial"));
    files
}

/// The standard 0.3.2 release for `TARGET`.
pub fn good_032() -> ReleaseBuilder {
    ReleaseBuilder::new("bitnet", "0.3.2").asset_standard(TARGET, None)
}

/// Asserts that `out` failed with `code` (in its JSON error too), that the prefix
/// and bin dir equal `before`, and that `bitnet-cli` still prints `still`.
pub fn assert_refused(
    world: &World,
    out: &Output,
    code: i32,
    before: &[(String, Vec<u8>)],
    still: &str,
) {
    out.assert_code(code);
    let json = out.json();
    assert_eq!(json["error"]["code"], code, "{out}");
    assert!(!json["error"]["message"].as_str().unwrap_or("").is_empty());
    assert_eq!(snapshot(world), before, "a refused install changes nothing");
    installed_cli_says(world, still);
}

/// Installs 0.3.1, then offers a broken 0.3.2 and checks that installing it
/// fails with `code`, changes nothing, and leaves 0.3.1 running. `prepare` runs
/// after the broken release and the index are published (to break them further);
/// the world is returned for more checks.
pub fn refused_upgrade(code: i32, broken: ReleaseBuilder, prepare: impl FnOnce(&World)) -> World {
    let world = world_with(&["0.3.1"]);
    install(&world, &[]).assert_code(0);
    let before = snapshot(&world);
    world.publish(&broken);
    world.publish_index("bitnet", &["0.3.1", "0.3.2"]);
    prepare(&world);
    let out = install(&world, &["--version", "0.3.2", "--json"]);
    assert_refused(&world, &out, code, &before, "bitnet-cli 0.3.1");
    world
}
