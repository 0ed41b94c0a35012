//! The output layer: results on stdout, as one JSON document with `--json` or
//! as short human lines otherwise; errors as `{"error": …}` or as a sentence and
//! a hint on stderr. Nothing else in the crate prints results.

use serde_json::Value;

use crate::error::Error;

#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
}

impl Output {
    /// Prints a command's result: `value` with `--json`, `human` otherwise.
    pub fn result(&self, value: Value, human: &str) {
        if self.json {
            println!("{value}");
        } else if !self.quiet && !human.is_empty() {
            println!("{human}");
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
            println!("{value}");
        }
        eprintln!("error: {error}");
        if !error.hint().is_empty() {
            eprintln!("hint: {}", error.hint());
        }
    }
}
