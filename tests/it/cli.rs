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

/// `COMPREPLY` in a real bash after sourcing the generated script, for the
/// words typed so far (the last one being completed).
fn bash_completes(script: &std::path::Path, words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\n\
         COMP_WORDS=({})\n\
         COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}\n\
         _bitnet__install bitnet-install \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         echo \"${{COMPREPLY[*]}}\"",
        script.display(),
        quoted.join(" ")
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash is installed");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn completion_script(world: &World, shell: &str) -> std::path::PathBuf {
    let out = world.run(&["completions", shell]);
    out.assert_code(0);
    let path = world.tmp.join(format!("completion.{shell}"));
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

#[test]
fn bash_completes_nested_commands_options_and_values() {
    let world = World::new();
    let script = completion_script(&world, "bash");
    let words = |typed: &[&str]| -> Vec<String> {
        bash_completes(&script, typed)
            .split_whitespace()
            .map(String::from)
            .collect()
    };
    let after_self = words(&["bitnet-install", "self", ""]);
    for wanted in ["update", "rollback", "uninstall"] {
        assert!(after_self.contains(&wanted.to_string()), "{after_self:?}");
    }
    assert_eq!(
        words(&["bitnet-install", "install", "--chan"]),
        ["--channel"]
    );
    for typed in [
        &["bitnet-install", "--cpu", ""][..],
        &["bitnet-install", "install", "--cpu", ""],
        &["bitnet-install", "detect", "--cpu", ""],
    ] {
        assert_eq!(
            words(typed),
            ["auto", "baseline", "avx2", "avx512", "neon"],
            "{typed:?}"
        );
    }
    assert_eq!(
        words(&["bitnet-install", "list", "--color", ""]),
        ["auto", "always", "never"]
    );
    assert!(words(&["bitnet-install", "completions", "--c"]).is_empty());
}

/// zsh (installed by scripts/test.sh) loads the script and defines the
/// completion function, which offers the values of the enumerations.
#[test]
fn zsh_loads_the_completion_script() {
    let world = World::new();
    let script = completion_script(&world, "zsh");
    let program = format!(
        "autoload -U compinit; compinit -u -d '{}/zcompdump'; source '{}'; whence -w _bitnet-install; functions _bitnet-install",
        world.tmp.display(),
        script.display()
    );
    let out = std::process::Command::new("zsh")
        .args(["-f", "-c", &program])
        .output()
        .expect("zsh is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(text.starts_with("_bitnet-install: function"), "{text}");
    assert!(text.contains("auto baseline avx2 avx512 neon"), "{text}");
}

#[test]
fn man_pages_render_for_both_binaries() {
    let world = World::new();
    let out = crate::support::world::Output::run(
        std::process::Command::new(env!("CARGO_BIN_EXE_bitnet-release"))
            .args(["man", "--out"])
            .arg(&world.tmp),
    );
    out.assert_code(0);
    for (page, wanted) in [
        ("bitnet-install.1", "completions"),
        ("bitnet-release.1", "keygen"),
    ] {
        let path = world.tmp.join(page);
        let roff = std::fs::read_to_string(&path).unwrap();
        assert!(roff.starts_with(".ie \\n(.g .ds Aq"), "{roff}");
        assert!(roff.contains(".TH "), "{roff}");
        let rendered = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww"])
            .arg(&path)
            .output()
            .expect("groff is installed");
        assert!(rendered.status.success(), "{rendered:?}");
        assert!(
            rendered.stderr.is_empty(),
            "groff warns: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(text.contains("NAME") && text.contains(wanted), "{text}");
    }
}
