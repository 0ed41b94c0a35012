//! The seam to the outside world: environment variables, the home directory, the
//! current executable, the clock and whether stdin and stderr are terminals
//! (colour, and whether a question can be asked: see `prompt`). Everything
//! else receives an `Env` and never reads `std::env` itself, so tests build one
//! with a temporary HOME and fixed values and run in parallel.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug)]
pub struct Env {
    vars: BTreeMap<String, String>,
    pub home: Option<PathBuf>,
    pub current_exe: Option<PathBuf>,
    /// Seconds since the Unix epoch; fixed in tests so expiry is deterministic.
    pub now: u64,
    pub stderr_is_terminal: bool,
    pub stdin_is_terminal: bool,
}

impl Env {
    /// The real process environment.
    pub fn from_process() -> Self {
        use std::io::IsTerminal;
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            home: std::env::home_dir(),
            current_exe: std::env::current_exe().ok(),
            now: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            stderr_is_terminal: std::io::stderr().is_terminal(),
            stdin_is_terminal: std::io::stdin().is_terminal(),
        }
    }

    /// An environment made of the given variables only, for tests and embedders.
    pub fn fixed(home: impl Into<PathBuf>, vars: &[(&str, &str)], now: u64) -> Self {
        Env {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: Some(home.into()),
            current_exe: None,
            now,
            stderr_is_terminal: false,
            stdin_is_terminal: false,
        }
    }

    /// A variable's value; empty values count as unset, as shells treat them.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The first set variable among `names`.
    pub fn first_var(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.var(n))
    }

    /// A boolean flag variable: set to anything but `0`/`false`/`no`.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.var(name), Some(v) if !matches!(v.to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off"))
    }

    /// Whether someone can answer a question: stdin and stderr both terminals
    /// (rustup's rule; `curl | sh` gets one only through install.sh's `</dev/tty`).
    pub fn is_interactive(&self) -> bool {
        self.stdin_is_terminal && self.stderr_is_terminal
    }

    pub fn set_var(&mut self, name: &str, value: &str) {
        self.vars.insert(name.to_string(), value.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_variables_count_as_unset() {
        let env = Env::fixed("/h", &[("A", ""), ("B", "x")], 0);
        assert_eq!(env.var("A"), None);
        assert_eq!(env.first_var(&["A", "B"]), Some("x"));
    }

    #[test]
    fn flags_accept_the_usual_spellings() {
        let env = Env::fixed("/h", &[("Y", "1"), ("N", "false"), ("Z", "0")], 0);
        assert!(env.flag("Y"));
        assert!(!env.flag("N"));
        assert!(!env.flag("Z"));
        assert!(!env.flag("MISSING"));
    }
}
