//! The questions of issue 18 through a real pseudo-terminal: on a terminal,
//! `uninstall --all`, `self uninstall` and the first PATH change ask; `n`
//! changes nothing, `y` proceeds, `-y` and the absence of a terminal do not ask.

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::lifecycle::publish;
use crate::support::*;

/// What a run on a terminal left: its exit status, everything written to the
/// terminal (stderr and the echo of what was typed), and stdout.
struct TerminalRun {
    status: ExitStatus,
    terminal: String,
    stdout: String,
}

/// Runs `cmd` with stdin and stderr on a new pseudo-terminal whose input
/// already holds `typed`, as a person would type it; stdout stays a pipe.
fn run_on_terminal(mut cmd: Command, typed: &str) -> TerminalRun {
    let (mut master, slave) = open_pty();
    cmd.stdin(slave.try_clone().expect("dup pty"))
        .stderr(slave)
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn on the pty");
    // The parent's copies of the terminal's slave end live in `cmd`: once
    // they are closed, reading the master ends when the child exits.
    drop(cmd);
    master.write_all(typed.as_bytes()).expect("type");
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        // Linux answers EIO once no slave is open: the end of the text.
        while let Ok(n @ 1..) = master.read(&mut buf) {
            seen.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&seen).replace("\r\n", "\n")
    });
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut stdout)
        .expect("read stdout");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the command waited for an answer that never came");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    TerminalRun {
        status,
        terminal: reader.join().expect("pty reader"),
        stdout,
    }
}

fn open_pty() -> (std::fs::File, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two new descriptors, owned from here on.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            // macOS declares these two `*mut`, Linux `*const`: null_mut fits both.
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors are open and owned by nobody else.
    unsafe {
        (
            std::fs::File::from_raw_fd(master),
            OwnedFd::from_raw_fd(slave),
        )
    }
}

/// The world's binary (`--from` its root where it reads one), PATH edits allowed.
fn command(world: &World, args: &[&str]) -> Command {
    let mut cmd = world.cmd();
    cmd.env_remove("BITNET_NO_MODIFY_PATH").args(args);
    if crate::lifecycle::reads_a_source(args) {
        cmd.args(["--from", world.root_url().as_str()]);
    }
    cmd
}

fn installed_world() -> World {
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    Output::run(&mut command(&world, &["install"])).assert_code(0);
    world
}

fn everything(world: &World) -> (Vec<String>, Vec<String>, Vec<String>) {
    (
        World::tree(&world.prefix),
        World::tree(&world.bin),
        World::tree(&world.home),
    )
}

#[test]
fn uninstall_all_asks_and_no_keeps_everything() {
    let world = installed_world();
    let before = everything(&world);
    let run = run_on_terminal(command(&world, &["uninstall", "--all"]), "n\n");
    assert!(run.status.success(), "{}", run.terminal);
    assert!(
        run.terminal.contains("Continue? [y/N]") && run.terminal.contains("nothing was removed"),
        "{}",
        run.terminal
    );
    assert!(run.terminal.contains(&world.prefix.display().to_string()));
    assert_eq!(everything(&world), before, "{}", run.terminal);

    // Enter alone is the default: no.
    let run = run_on_terminal(command(&world, &["uninstall", "--all"]), "\n");
    assert!(run.status.success());
    assert_eq!(everything(&world), before, "{}", run.terminal);

    let run = run_on_terminal(command(&world, &["uninstall", "--all"]), "y\n");
    assert!(run.status.success(), "{}", run.terminal);
    assert!(!world.bin.join("bitnet-cli").exists(), "{}", run.terminal);
    assert!(!world.home.join(".profile").exists(), "{}", run.stdout);
}

#[test]
fn yes_or_no_terminal_means_nothing_asks() {
    let world = installed_world();
    let run = run_on_terminal(command(&world, &["uninstall", "--all", "-y"]), "");
    assert!(run.status.success(), "{}", run.terminal);
    assert!(!run.terminal.contains("Continue?"), "{}", run.terminal);
    assert!(!world.bin.join("bitnet-cli").exists());

    let world = installed_world();
    let out = Output::run(&mut command(&world, &["uninstall", "--all"]));
    out.assert_code(0);
    assert!(!out.stderr.contains("Continue?"), "{out}");
    assert!(!world.bin.join("bitnet-cli").exists());
}

#[test]
fn self_uninstall_asks_first() {
    let world = installed_world();
    let before = everything(&world);
    let run = run_on_terminal(command(&world, &["self", "uninstall"]), "no\n");
    assert!(run.status.success(), "{}", run.terminal);
    assert!(
        run.terminal.contains("removes bitnet-install"),
        "{}",
        run.terminal
    );
    assert_eq!(everything(&world), before);

    let run = run_on_terminal(command(&world, &["self", "uninstall"]), "y\n");
    assert!(run.status.success(), "{}", run.terminal);
    assert!(
        !world.bin.join("bitnet-install").exists(),
        "{}",
        run.terminal
    );
}

#[test]
fn the_first_path_change_asks_and_no_leaves_the_profiles_alone() {
    let world = World::new();
    publish(&world, &["0.1.0", "0.2.0"], &["0.1.0", "0.2.0"]);
    let run = run_on_terminal(command(&world, &["install", "--version", "0.1.0"]), "n\n");
    assert!(run.status.success(), "{}", run.terminal);
    assert!(
        run.terminal.contains("Modify PATH? [Y/n]") && run.terminal.contains(".profile"),
        "{}",
        run.terminal
    );
    assert!(world.bin.join("bitnet-cli").exists(), "installed anyway");
    assert!(!world.home.join(".profile").exists(), "{}", run.terminal);

    // Enter alone is yes; once PATH is set up, nothing asks again.
    let run = run_on_terminal(command(&world, &["install", "--version", "0.2.0"]), "\n");
    assert!(run.status.success(), "{}", run.terminal);
    let profile = std::fs::read_to_string(world.home.join(".profile")).expect("profile written");
    assert!(profile.contains("bitnet"), "{profile}");
    let run = run_on_terminal(command(&world, &["install", "--force"]), "");
    assert!(run.status.success(), "{}", run.terminal);
    assert!(!run.terminal.contains("Modify PATH?"), "{}", run.terminal);
}

#[test]
fn without_a_terminal_the_path_is_changed_without_asking() {
    let world = World::new();
    publish(&world, &["0.1.0"], &["0.1.0"]);
    let out = Output::run(&mut command(&world, &["install"]));
    out.assert_code(0);
    assert!(!out.stderr.contains("Modify PATH?"), "{out}");
    assert!(world.home.join(".profile").exists(), "{out}");
}
