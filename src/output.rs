//! The output layer: results on stdout, as one JSON document with `--json` or
//! as short human lines otherwise; errors, warnings and hints on stderr, styled
//! like cargo's when colour is on. Nothing else in the crate writes to stdout.
//!
//! A closed stdout is success (ripgrep's rule): whoever stopped reading has what
//! they wanted, so `bitnet-install list | head -0` exits 0 instead of dying on
//! the write. Colour is decided once, by `main`, from `--color` and the
//! environment (`colour_choice`), and installed as anstream's process-wide choice;
//! until then (a library embedder) nothing is styled.

use std::io::{self, Write};
use std::path::Path;

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Effects, Style};

use crate::env::Env;
use crate::error::Error;
use crate::report::Report;

/// cargo's styles for the labels of stderr lines.
const ERROR: Style = AnsiColor::BrightRed.on_default().effects(Effects::BOLD);
const WARNING: Style = AnsiColor::BrightYellow.on_default().effects(Effects::BOLD);
const HINT: Style = AnsiColor::BrightCyan.on_default().effects(Effects::BOLD);

#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
}

impl Output {
    /// Prints a command's result: its JSON with `--json`, its human line
    /// otherwise.
    pub fn report(&self, report: &impl Report) {
        if self.json {
            self.json_only(report);
            return;
        }
        let human = report.human();
        if !self.quiet && !human.is_empty() {
            print_line(&human);
        }
    }

    /// Prints the JSON of a report with `--json`, nothing otherwise (a
    /// failing command's details, before its error).
    pub fn json_only(&self, report: &impl Report) {
        if self.json {
            match serde_json::to_string(report) {
                Ok(json) => print_line(&json),
                Err(e) => labelled_line(ERROR, "error", &Error::internal(e).to_string()),
            }
        }
    }

    pub fn error(&self, error: &Error) {
        if self.json {
            let value = serde_json::json!({
                "error": {
                    "code": error.exit_code(),
                    "message": error.to_string(),
                    "hint": error.hint(),
                }
            });
            // The error's exit code stands even if nobody reads stdout.
            let _ = write_stdout(format!("{value}\n").as_bytes());
        }
        labelled_line(ERROR, "error", &error.to_string());
        if !error.hint().is_empty() {
            labelled_line(HINT, "hint", error.hint());
        }
    }
}

/// `--color`: when stderr gets styles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

/// `--color` (`auto` when absent) with the environment, as cargo and anstream decide: `always`/`never` win;
/// otherwise `NO_COLOR` (any non-empty value) turns colour off, then
/// `CLICOLOR_FORCE` (not `0`) turns it on, then `CLICOLOR=0` off, and else
/// stderr must be a terminal that is not `TERM=dumb`. Only stderr is styled.
pub fn colour_choice(flag: Option<ColorWhen>, env: &Env) -> ColorChoice {
    let on = match flag.unwrap_or_default() {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        _ if env.var("NO_COLOR").is_some() => false,
        _ if env.var("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
        _ if env.var("CLICOLOR") == Some("0") => false,
        _ => env.stderr_is_terminal && env.var("TERM") != Some("dumb"),
    };
    if on {
        ColorChoice::Always
    } else {
        ColorChoice::Never
    }
}

/// Whether stderr gets styles: the choice `main` installed.
pub fn stderr_is_styled() -> bool {
    matches!(
        ColorChoice::global(),
        ColorChoice::Always | ColorChoice::AlwaysAnsi
    )
}

/// A result line on stdout.
pub fn print_line(text: &str) {
    print_bytes(format!("{text}\n").as_bytes());
}

/// Bytes on stdout (a completion script, a line). A closed pipe ends the
/// process with exit 0; any other failure is reported and ends it with its
/// exit code, since the result the user asked for was not delivered.
pub fn print_bytes(bytes: &[u8]) {
    if let Err(e) = write_stdout(bytes) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        let error = Error::io("write to", Path::new("standard output"), e);
        Output {
            json: false,
            quiet: true,
        }
        .error(&error);
        std::process::exit(error.exit_code());
    }
}

fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()
}

/// A plain line on stderr (a progress step). Failing to write it is ignored:
/// there is nowhere left to say so, and the command's work goes on.
pub fn eprint_line(text: &str) {
    let _ = writeln!(stderr(), "{text}");
}

/// `warning: …` on stderr.
pub fn warning(text: &str) {
    labelled_line(WARNING, "warning", text);
}

fn labelled_line(style: Style, label: &str, text: &str) {
    let _ = writeln!(stderr(), "{style}{label}:{style:#} {text}");
}

/// Stderr with the installed colour choice: escapes pass or are stripped.
fn stderr() -> AutoStream<io::Stderr> {
    AutoStream::new(io::stderr(), ColorChoice::global())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(flag: Option<ColorWhen>, vars: &[(&str, &str)], terminal: bool) -> ColorChoice {
        let mut env = Env::fixed("/h", vars, 0);
        env.stderr_is_terminal = terminal;
        colour_choice(flag, &env)
    }

    #[test]
    fn the_flag_beats_the_environment() {
        use ColorChoice::{Always, Never};
        assert_eq!(
            choice(Some(ColorWhen::Always), &[("NO_COLOR", "1")], false),
            Always
        );
        assert_eq!(
            choice(Some(ColorWhen::Never), &[("CLICOLOR_FORCE", "1")], true),
            Never
        );
    }

    #[test]
    fn auto_follows_no_color_clicolor_and_the_terminal() {
        use ColorChoice::{Always, Never};
        for flag in [None, Some(ColorWhen::Auto)] {
            assert_eq!(choice(flag, &[], true), Always);
            assert_eq!(choice(flag, &[], false), Never);
            assert_eq!(choice(flag, &[("NO_COLOR", "1")], true), Never);
            // The NO_COLOR spec: an empty value does not count.
            assert_eq!(choice(flag, &[("NO_COLOR", "")], true), Always);
            assert_eq!(choice(flag, &[("CLICOLOR_FORCE", "1")], false), Always);
            assert_eq!(choice(flag, &[("CLICOLOR_FORCE", "0")], false), Never);
            assert_eq!(
                choice(flag, &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], true),
                Never
            );
            assert_eq!(choice(flag, &[("CLICOLOR", "0")], true), Never);
            assert_eq!(choice(flag, &[("TERM", "dumb")], true), Never);
        }
    }
}
