//! The command line's conventions (issue 18): did-you-mean, `env` in help,
//! value completion, error wording, all through the real binary.

use crate::support::world::World;

#[test]
fn a_misspelt_flag_suggests_the_real_one() {
    let world = World::new();
    let out = world.run(&["install", "--frm", "/tmp"]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("a similar argument exists: '--from'"),
        "no suggestion:\n{out}"
    );
}

#[test]
fn help_names_the_environment_variables() {
    let world = World::new();
    let mut cmd = world.cmd();
    cmd.env_remove("BITNET_HOME").args(["install", "--help"]);
    let out = crate::support::world::Output::run(&mut cmd);
    out.assert_code(0);
    for shown in [
        "[env: BITNET_VERSION=]",
        "[env: BITNET_DIST_SERVER=]",
        "[env: BITNET_HOME=]",
        "[env: BITNET_TIMEOUT=]",
    ] {
        assert!(out.stdout.contains(shown), "{shown} missing:\n{out}");
    }
    assert!(
        !out.stdout.contains(&world.key.public_base64()),
        "the key's value is shown:\n{out}"
    );
}

#[test]
fn a_variable_counts_as_its_flag() {
    let world = World::new();
    let mut cmd = world.cmd();
    cmd.env("BITNET_CHANNEL", "weekly").arg("detect");
    let out = crate::support::world::Output::run(&mut cmd);
    out.assert_code(2);
    assert!(out.stderr.contains("weekly"), "{out}");
}

#[test]
fn an_empty_variable_counts_as_unset() {
    let world = World::new();
    let mut cmd = world.cmd();
    cmd.env("BITNET_VERSION", "")
        .env("BITNET_CHANNEL", "")
        .arg("list");
    let out = crate::support::world::Output::run(&mut cmd);
    out.assert_code(0);
    assert!(!out.stdout.contains("bitnet-install "), "{out}");
}

#[test]
fn enumerations_are_checked_by_clap_with_their_values() {
    let world = World::new();
    let out = world.run(&["detect", "--cpu", "sse9"]);
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("[possible values: auto, baseline, avx2, avx512, neon]"),
        "{out}"
    );
    let out = world.run(&["install", "--help"]);
    for values in [
        "[possible values: stable, beta, nightly]",
        "[possible values: auto, none, cuda]",
        "[possible values: auto, always, never]",
    ] {
        assert!(out.stdout.contains(values), "{values} missing:\n{out}");
    }
}

#[test]
fn every_flag_has_help_in_plain_words() {
    let world = World::new();
    for (page, wanted) in [
        (
            vec!["list", "--help"],
            "List the versions the release source offers",
        ),
        (vec!["uninstall", "--help"], "Remove every version"),
        (
            vec!["self", "update", "--help"],
            "exit 10 when a newer installer exists",
        ),
        (
            vec!["install", "--help"],
            "local directory instead of GitHub",
        ),
    ] {
        let out = world.run(&page);
        out.assert_code(0);
        assert!(out.stdout.contains(wanted), "{page:?}:\n{out}");
        assert!(!out.stdout.contains("CONTRACT"), "{page:?}:\n{out}");
    }
}

#[test]
fn a_missing_local_root_is_bad_input_naming_the_path() {
    let world = World::new();
    let out = world.run(&["install", "--from", "/nonexistent/dir"]);
    out.assert_code(2);
    assert!(out.stderr.contains("/nonexistent/dir"), "{out}");
    assert!(!out.stderr.to_lowercase().contains("proxy"), "{out}");
}

/// `.invalid` never resolves (RFC 6761): the lookup fails at once, here or on
/// any resolver, without reaching a host.
#[test]
fn a_failed_name_lookup_reads_as_one_plain_sentence() {
    let world = World::new();
    let mut cmd = world.cmd();
    cmd.env("BITNET_RETRIES", "1")
        .args(["install", "--from", "https://bitnet-test.invalid"]);
    let out = crate::support::world::Output::run(&mut cmd);
    assert_ne!(out.code(), 0, "{out}");
    assert!(
        out.stderr.contains(
            "the host name could not be resolved (no DNS answer for it) (after 1 attempt)"
        ),
        "{out}"
    );
    assert!(!out.stderr.contains("Query {"), "{out}");
}

#[test]
fn each_command_lists_only_the_options_it_uses() {
    let world = World::new();
    let help = |args: &[&str]| {
        let out = world.run(args);
        out.assert_code(0);
        out.stdout
    };
    let completions = help(&["completions", "--help"]);
    for absent in [
        "--cpu",
        "--gpu",
        "--dry-run",
        "--from",
        "--prefix",
        "--json",
    ] {
        assert!(!completions.contains(absent), "{absent}:\n{completions}");
    }
    let list = help(&["list", "--help"]);
    assert!(list.contains("--remote") && list.contains("--from") && list.contains("--prefix"));
    for absent in ["--cpu", "--dry-run", "--force", "--update-root"] {
        assert!(!list.contains(absent), "{absent}:\n{list}");
    }
    let uninstall = help(&["uninstall", "--help"]);
    assert!(uninstall.contains("--yes") && uninstall.contains("--repo"));
    assert!(!uninstall.contains("--from"), "{uninstall}");
    let self_update = help(&["self", "update", "--help"]);
    assert!(
        self_update.contains("[env: BITNET_UPDATE_ROOT=]"),
        "{self_update}"
    );
    assert!(!self_update.contains("--cpu"), "{self_update}");
    // The default command keeps every install option, grouped.
    for page in [help(&["--help"]), help(&["install", "--help"])] {
        for wanted in [
            "--cpu",
            "--dry-run",
            "--from",
            "--prefix",
            "Platform:",
            "Output:",
        ] {
            assert!(page.contains(wanted), "{wanted}:\n{page}");
        }
    }
}

#[test]
fn an_install_option_before_another_command_is_refused_and_output_options_count() {
    let world = World::new();
    let out = world.run(&["--cpu", "avx2", "list"]);
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("--cpu is an option of install, not of `list`"),
        "{out}"
    );
    let out = world.run(&["--json", "list"]);
    out.assert_code(0);
    assert!(out.stdout.trim_start().starts_with('['), "{out}");
    let out = world.run(&["list", "--cpu", "avx2"]);
    out.assert_code(2);
}

#[test]
fn color_is_a_value_enum_with_its_values_checked() {
    let world = World::new();
    let out = world.run(&["list", "--color", "sometimes"]);
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("[possible values: auto, always, never]"),
        "{out}"
    );
}
