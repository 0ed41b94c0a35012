//! The output layer end to end: a closed stdout is success, and colour follows
//! `--color`, `NO_COLOR` and `CLICOLOR_FORCE` (stderr is never a terminal here).

use std::process::{Command, Stdio};

use crate::support::*;

const ESC: char = '\u{1b}';

/// A world with 0.3.2 installed, so `list` has a line to print.
fn installed_world() -> World {
    let world = world_with(&["0.3.2"]);
    install(&world, &["--version", "0.3.2"]).assert_code(0);
    world
}

/// Runs `cmd` with a stdout whose reading end is closed before it starts, as
/// `| head -0` does once `head` has exited: every write gets EPIPE.
fn run_with_closed_stdout(cmd: &mut Command) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    cmd.stdin(Stdio::null())
        .stdout(writer)
        .output()
        .expect("run the binary")
}

#[test]
fn a_closed_stdout_ends_list_quietly_with_success() {
    let world = installed_world();
    for args in [&["list"][..], &["list", "--json"], &["--version"]] {
        let out = run_with_closed_stdout(world.cmd().args(args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

/// The acceptance command itself. `head -0` may exit before or after the write,
/// so this is the user's view; the test above is the one that cannot race.
#[test]
fn list_piped_into_head_0_exits_0() {
    let world = installed_world();
    let mut piped = Command::new("sh");
    // The binary's own status, written to the captured stdout through fd 3.
    piped
        .arg("-c")
        .arg("exec 3>&1; { \"$0\" list; echo $? >&3; } | head -0")
        .arg(env!("CARGO_BIN_EXE_bitnet-install"))
        .env_clear();
    for (name, value) in world.cmd().get_envs() {
        if let Some(value) = value {
            piped.env(name, value);
        }
    }
    let out = Output::run(&mut piped);
    assert!(out.success(), "{out}");
    assert_eq!(out.stdout.trim(), "0", "{out}");
}

/// The stderr of two runs with `extra` arguments and environment: a dry run
/// that warns (the world's key overrides the built-in ones), then `use` of a
/// version that is not installed, which fails with an error and a hint.
fn warning_and_error(extra: &[&str], env: &[(&str, &str)], remove_no_color: bool) -> Output {
    let world = world_with(&["0.3.2"]);
    let root = world.root_url();
    let run = |args: &[&str]| {
        let mut cmd = world.cmd();
        if remove_no_color {
            cmd.env_remove("NO_COLOR");
        }
        cmd.envs(env.iter().copied()).args(args).args(extra);
        Output::run(&mut cmd)
    };
    let warned = run(&["install", "--from", &root, "--dry-run"]);
    assert!(warned.success(), "{warned}");
    let failed = run(&["use", "9.9.9"]);
    assert!(!failed.success(), "{failed}");
    let out = Output {
        status: failed.status,
        stdout: warned.stdout + &failed.stdout,
        stderr: warned.stderr + &failed.stderr,
    };
    for label in ["warning:", "error:", "hint:"] {
        assert!(out.stderr.contains(label), "{label}{out}");
    }
    out
}

/// Whether the `label:` on some stderr line is preceded by an escape sequence.
fn label_is_styled(stderr: &str, label: &str) -> bool {
    stderr.lines().any(|line| {
        line.starts_with(ESC)
            && line.contains(&format!("{label}:"))
            && line.find(ESC) < line.find(label)
    })
}

#[test]
fn color_always_styles_errors_warnings_and_hints_even_with_no_color() {
    // World sets NO_COLOR=1: the flag beats it.
    let out = warning_and_error(&["--color", "always"], &[], false);
    for label in ["warning", "error", "hint"] {
        assert!(label_is_styled(&out.stderr, label), "{label}: {out}");
    }
}

#[test]
fn clicolor_force_styles_and_no_color_beats_it() {
    let forced = warning_and_error(&[], &[("CLICOLOR_FORCE", "1")], true);
    assert!(label_is_styled(&forced.stderr, "error"), "{forced}");
    let out = warning_and_error(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], true);
    assert!(!out.stderr.contains(ESC), "{out}");
}

#[test]
fn color_never_and_a_pipe_have_no_escapes() {
    let never = warning_and_error(&["--color", "never"], &[("CLICOLOR_FORCE", "1")], true);
    assert!(!never.stderr.contains(ESC), "{never}");
    let auto = warning_and_error(&["--color", "auto"], &[], true);
    assert!(!auto.stderr.contains(ESC), "{auto}");
    assert!(!auto.stdout.contains(ESC), "{auto}");
}
