//! The output layer: results on stdout, as one JSON document with `--json` or
//! as short human lines otherwise; errors as `{"error": …}` or as a sentence and
//! a hint on stderr. Nothing else in the crate prints results.

use crate::error::Error;
use crate::report::Report;

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
            println!("{human}");
        }
    }

    /// Prints the JSON of a report with `--json`, nothing otherwise (a
    /// failing command's details, before its error).
    pub fn json_only(&self, report: &impl Report) {
        if self.json {
            match serde_json::to_string(report) {
                Ok(json) => println!("{json}"),
                Err(e) => eprintln!("error: {}", Error::internal(e)),
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
            println!("{value}");
        }
        eprintln!("error: {error}");
        if !error.hint().is_empty() {
            eprintln!("hint: {}", error.hint());
        }
    }
}
