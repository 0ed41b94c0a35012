//! What the user sees while work happens, always on stderr: an indicatif bar
//! (bytes, rate, ETA) when stderr is a terminal, plain one-line steps when it is
//! not, and nothing with `--quiet` or `--json`. No escape codes reach logs.
//! Lines go through the output layer, which styles them when colour is on; the
//! bar spans the terminal's width and carries no colour.

#[cfg(feature = "cli")]
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Without the command line (the lean `updater` library) nothing is drawn:
/// no value of this type exists, so every bar is `None`.
#[cfg(not(feature = "cli"))]
#[derive(Debug)]
enum ProgressBar {}

#[cfg(not(feature = "cli"))]
impl ProgressBar {
    fn set_length(&self, _: u64) {
        match *self {}
    }
    fn inc(&self, _: u64) {
        match *self {}
    }
    fn reset(&self) {
        match *self {}
    }
    fn finish_and_clear(&self) {
        match *self {}
    }
}

use crate::output;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Quiet,
    Plain,
    Terminal,
}

#[derive(Clone, Debug)]
pub struct Progress {
    mode: Mode,
    verbose: bool,
}

impl Progress {
    pub fn new(quiet: bool, stderr_is_terminal: bool, verbose: bool) -> Self {
        let mode = match (quiet, stderr_is_terminal) {
            (true, _) => Mode::Quiet,
            (false, true) if cfg!(feature = "cli") => Mode::Terminal,
            (false, _) => Mode::Plain,
        };
        Progress { mode, verbose }
    }

    pub fn quiet() -> Self {
        Progress {
            mode: Mode::Quiet,
            verbose: false,
        }
    }

    pub fn is_verbose(&self) -> bool {
        self.verbose && self.mode != Mode::Quiet
    }

    /// A one-line message about what happens next.
    pub fn step(&self, message: &str) {
        if self.mode != Mode::Quiet && self.verbose {
            output::eprint_line(message);
        }
    }

    /// A message that is always worth a line unless quiet.
    pub fn info(&self, message: &str) {
        if self.mode != Mode::Quiet {
            output::eprint_line(message);
        }
    }

    /// A warning: shown even when quiet, since it is about trust or safety.
    pub fn warn(&self, message: &str) {
        output::warning(message);
    }

    /// Starts timing one phase of the work; `Phase::end` prints how long it
    /// took with `-v`, so that slow phases can be found without a profiler.
    pub fn phase(&self, name: &'static str) -> Phase {
        Phase {
            name,
            started: std::time::Instant::now(),
            shown: self.is_verbose(),
        }
    }

    pub fn bar(&self, label: &str) -> Bar {
        match self.mode {
            #[cfg(feature = "cli")]
            Mode::Terminal => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg} {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_message(label.to_string());
                Bar(Some(bar))
            }
            Mode::Plain => {
                if self.verbose {
                    output::eprint_line(&format!("downloading {label}"));
                }
                Bar(None)
            }
            _ => Bar(None),
        }
    }
}

impl Progress {
    /// A spinner while a listing or small document is fetched; cleared when
    /// dropped. Only on a terminal.
    #[cfg(feature = "cli")]
    pub fn spinner(&self, label: &str) -> Spinner {
        if self.mode != Mode::Terminal {
            return Spinner(None);
        }
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        spinner.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        spinner.set_message(label.to_string());
        spinner.enable_steady_tick(std::time::Duration::from_millis(100));
        Spinner(Some(spinner))
    }

    #[cfg(not(feature = "cli"))]
    pub fn spinner(&self, _label: &str) -> Spinner {
        Spinner(None)
    }
}

/// One timed phase (download, verification, extraction, ...).
pub struct Phase {
    name: &'static str,
    started: std::time::Instant,
    shown: bool,
}

impl Phase {
    pub fn end(self) {
        if self.shown {
            let ms = self.started.elapsed().as_secs_f64() * 1000.0;
            output::eprint_line(&format!("phase {}: {ms:.1} ms", self.name));
        }
    }
}

/// A listing's spinner; a no-op when there is no terminal.
pub struct Spinner(Option<ProgressBar>);

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(spinner) = &self.0 {
            spinner.finish_and_clear();
        }
    }
}

/// A download's bar; a no-op when there is no terminal.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    pub fn set_total(&self, total: u64) {
        if let Some(bar) = &self.0 {
            bar.set_length(total);
        }
    }

    pub fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    pub fn reset(&self) {
        if let Some(bar) = &self.0 {
            bar.reset();
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
