//! What a signal (SIGINT, SIGTERM, SIGHUP; Ctrl-C or Ctrl-Break on Windows)
//! does to a run. Outside a transaction nothing in the prefix needs undoing,
//! so the run stops at once, without waiting for a blocked read: the scratch
//! directories under `<prefix>/tmp` are removed (the kept partial download
//! stays, for the next run to resume), the error is printed and the process
//! exits with 130. While a transaction is open (`Hold`), the signal waits
//! until it is committed or undone. Only the CLI installs the handler; a
//! program embedding the updater keeps its own signals.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// What the handler needs to know about the run.
struct Run {
    /// `<prefix>/tmp`, once the prefix lock is held.
    scratch: Option<PathBuf>,
    /// Open transactions.
    holds: u32,
    /// A signal arrived while a transaction was open.
    pending: bool,
    /// Prints the error (the output layer knows `--json`).
    report: Option<Box<dyn Fn() + Send>>,
}

static RUN: Mutex<Run> = Mutex::new(Run {
    scratch: None,
    holds: 0,
    pending: false,
    report: None,
});

fn run() -> MutexGuard<'static, Run> {
    RUN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the handler; `report` prints the interruption as an error.
#[cfg(feature = "cli")]
pub fn handle_signals(report: impl Fn() + Send + 'static) {
    run().report = Some(Box::new(report));
    // Failing to install it (a handler already set by a host) leaves the
    // default behaviour, which the next run's clean-up copes with.
    let _ = ctrlc::set_handler(|| {
        let mut run = run();
        if run.holds > 0 {
            run.pending = true;
        } else {
            stop(run);
        }
    });
}

/// The prefix's scratch space, removed when a signal stops the run; set once
/// the prefix lock is held, so nothing in it belongs to another run.
pub fn scratch_in(tmp: PathBuf) {
    run().scratch = Some(tmp);
}

/// Holds signals back while alive: a transaction owns one, so a signal
/// never leaves it half done.
pub struct Hold(());

pub fn hold() -> Hold {
    run().holds += 1;
    Hold(())
}

impl Drop for Hold {
    fn drop(&mut self) {
        let mut run = run();
        run.holds -= 1;
        if run.holds == 0 && run.pending {
            stop(run);
        }
    }
}

fn stop(run: MutexGuard<'static, Run>) -> ! {
    if let Some(tmp) = &run.scratch {
        remove_scratch(tmp);
    }
    if let Some(report) = &run.report {
        report();
    }
    std::process::exit(crate::error::exit::INTERRUPTED)
}

/// Removes the staging and download directories under `tmp`, keeping the
/// partial downloads that the next run resumes.
pub fn remove_scratch(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name() == crate::layout::PARTIAL_DIR {
            continue;
        }
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}
