//! Crash safety, with the binary built with `--features fault-injection`:
//! every checkpoint of an install is really reached, a SIGKILL at each one
//! leaves a working version behind and a rerun succeeds and clears the
//! leftovers, and a full disk or read-only prefix at each step before the
//! commit ends with exit 6 and a hint, with the prefix exactly as it was.

use bitnet_install::CHECKPOINTS;

use crate::lifecycle::{cli_version, publish, run, run_with};
use crate::support::*;

/// A world with 0.1.0 installed and 0.2.0 offered.
fn world_at_0_1() -> World {
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    run(&world, &["install"]).assert_code(0);
    publish(&world, &["0.2.0"], &["0.1.0", "0.2.0"]);
    world
}

/// Nothing a killed run could leave: temporary siblings, staging or download
/// directories, version directories no receipt names.
fn assert_no_leftovers(world: &World, context: &str) {
    for dir in [&world.prefix, &world.bin] {
        for name in World::tree(dir) {
            assert!(!name.ends_with(".tmp"), "{context}: leftover {name}");
        }
    }
    assert!(
        World::tree(&world.prefix.join("tmp")).is_empty(),
        "{context}: tmp/ not empty"
    );
    let receipts = World::tree(&world.prefix.join("receipts"));
    for version_dir in World::tree(&world.prefix.join("versions")) {
        if !version_dir.contains('/') {
            let named = receipts
                .iter()
                .filter_map(|r| std::fs::read_to_string(world.prefix.join("receipts").join(r)).ok())
                .any(|text| text.contains(&format!("\"dir\": \"{version_dir}\"")));
            assert!(named, "{context}: orphan version dir {version_dir}");
        }
    }
}

#[test]
fn an_update_reaches_every_checkpoint_in_order() {
    let world = world_at_0_1();
    let trace = world.tmp.join("trace");
    let trace_s = trace.display().to_string();
    run_with(&world, &["update"], &[("BITNET_FAULT_TRACE", &trace_s)]).assert_code(0);
    let reached: Vec<String> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(reached, CHECKPOINTS);
}

#[test]
fn a_kill_at_every_checkpoint_of_an_update_leaves_a_working_version() {
    for point in CHECKPOINTS {
        let world = world_at_0_1();
        let out = run_with(&world, &["update"], &[("BITNET_FAULT_CRASH_AT", point)]);
        assert_eq!(out.code(), -1, "{point}: the process was not killed\n{out}");
        let survivor = cli_version(&world);
        assert!(
            survivor == "bitnet-cli 0.1.0" || survivor == "bitnet-cli 0.2.0",
            "{point}: {survivor}"
        );
        let switched = CHECKPOINTS.iter().position(|p| p == point)
            >= CHECKPOINTS.iter().position(|p| *p == "current-switched");
        let expected = if switched {
            "bitnet-cli 0.2.0"
        } else {
            "bitnet-cli 0.1.0"
        };
        assert_eq!(survivor, expected, "{point}");
        let list = run(&world, &["list", "--json"]);
        list.assert_code(0);

        let rerun = run(&world, &["update", "--json"]);
        rerun.assert_code(0);
        assert_eq!(rerun.json()["version"], "0.2.0", "{point}");
        assert_eq!(cli_version(&world), "bitnet-cli 0.2.0", "{point}");
        run(&world, &["verify"]).assert_code(0);
        assert_no_leftovers(&world, point);
        run(&world, &["rollback"]).assert_code(0);
        assert_eq!(cli_version(&world), "bitnet-cli 0.1.0", "{point}: rollback");
    }
}

#[test]
fn a_kill_at_every_checkpoint_of_a_first_install_then_a_rerun_succeeds() {
    for point in CHECKPOINTS {
        let world = World::new();
        publish(&world, &["0.1.0"], &["0.1.0"]);
        let out = run_with(&world, &["install"], &[("BITNET_FAULT_CRASH_AT", point)]);
        assert_eq!(out.code(), -1, "{point}: the process was not killed\n{out}");
        run(&world, &["install"]).assert_code(0);
        assert_eq!(cli_version(&world), "bitnet-cli 0.1.0", "{point}");
        run(&world, &["verify"]).assert_code(0);
        assert_no_leftovers(&world, point);
    }
}

#[test]
fn a_kill_during_a_forced_reinstall_keeps_the_receipt_of_the_running_version() {
    for point in ["receipt-written", "executables-linked", "installer-copied"] {
        let world = world_at_0_1();
        let out = run_with(
            &world,
            &["install", "--version", "0.1.0", "--force"],
            &[("BITNET_FAULT_CRASH_AT", point)],
        );
        assert_eq!(out.code(), -1, "{point}\n{out}");
        assert_eq!(cli_version(&world), "bitnet-cli 0.1.0");
        // Any command that takes the lock clears up first.
        run(&world, &["use", "0.1.0"]).assert_code(0);
        run(&world, &["verify"]).assert_code(0);
        let list = run(&world, &["list", "--json"]);
        assert_eq!(list.json()[0]["active"], true, "{point}: {list}");
        assert_no_leftovers(&world, point);
        assert_eq!(cli_version(&world), "bitnet-cli 0.1.0");
    }
}

#[test]
fn a_full_disk_or_read_only_prefix_at_any_step_exits_6_and_changes_nothing() {
    let committed = CHECKPOINTS.iter().position(|p| *p == "committed").unwrap();
    for kind in ["full", "read-only"] {
        for point in &CHECKPOINTS[..committed] {
            let world = world_at_0_1();
            let before = snapshot(&world);
            let out = run_with(
                &world,
                &["update"],
                &[
                    ("BITNET_FAULT_FAIL_WRITE_AT", point),
                    ("BITNET_FAULT_WRITE_ERROR", kind),
                ],
            );
            out.assert_code(6);
            let hint = match kind {
                "full" => "free some disk space",
                _ => "read-only",
            };
            assert!(out.stderr.contains(hint), "{kind} at {point}: {out}");
            assert_eq!(snapshot(&world), before, "{kind} at {point}");
            assert_eq!(cli_version(&world), "bitnet-cli 0.1.0");
            run(&world, &["update"]).assert_code(0);
            assert_eq!(cli_version(&world), "bitnet-cli 0.2.0");
        }
    }
}
