//! Questions before destructive or PATH-changing steps, as rustup asks them:
//! only when someone can answer (stdin and stderr both terminals, see
//! `Env::is_interactive`) and `-y` was not given. Without a terminal (CI,
//! `curl | sh` with no /dev/tty) the answer is yes, so scripts never hang.

use std::io::{self, BufRead, Write};

use crate::env::Env;
use crate::error::{Error, Result};

/// What Enter alone means, shown as `[Y/n]` or `[y/N]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAnswer {
    Yes,
    No,
}

/// Whether a question is put at all: not with `-y`, not without a terminal.
pub fn should_ask(env: &Env, assume_yes: bool) -> bool {
    !assume_yes && env.is_interactive()
}

/// Shows `what` (the changes about to be made), asks `question` on stderr and
/// reads the answer from stdin; yes without asking when `should_ask` is false.
pub fn confirm(
    env: &Env,
    assume_yes: bool,
    what: &str,
    question: &str,
    default: DefaultAnswer,
) -> Result<bool> {
    if !should_ask(env, assume_yes) {
        return Ok(true);
    }
    ask(
        &mut io::stdin().lock(),
        &mut io::stderr(),
        what,
        question,
        default,
    )
    .map_err(|e| {
        Error::io(
            "read the answer from",
            std::path::Path::new("the terminal"),
            e,
        )
    })
}

/// The conversation itself: repeats the question until the answer is a yes, a
/// no or empty (the default); the end of input counts as the default too.
fn ask(
    input: &mut impl BufRead,
    output: &mut impl Write,
    what: &str,
    question: &str,
    default: DefaultAnswer,
) -> io::Result<bool> {
    let choices = match default {
        DefaultAnswer::Yes => "[Y/n]",
        DefaultAnswer::No => "[y/N]",
    };
    writeln!(output, "{what}")?;
    loop {
        write!(output, "{question} {choices} ")?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(output)?;
            return Ok(default == DefaultAnswer::Yes);
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "" => return Ok(default == DefaultAnswer::Yes),
            "y" | "yes" => return Ok(true),
            "n" | "no" => return Ok(false),
            _ => writeln!(output, "Please answer y or n.")?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(typed: &str, default: DefaultAnswer) -> (bool, String) {
        let mut shown = Vec::new();
        let yes = ask(
            &mut typed.as_bytes(),
            &mut shown,
            "changes",
            "Continue?",
            default,
        )
        .unwrap();
        (yes, String::from_utf8(shown).unwrap())
    }

    #[test]
    fn enter_takes_the_default_and_says_which_it_is() {
        assert_eq!(
            answer("\n", DefaultAnswer::Yes),
            (true, "changes\nContinue? [Y/n] ".into())
        );
        assert_eq!(
            answer("\n", DefaultAnswer::No),
            (false, "changes\nContinue? [y/N] ".into())
        );
        assert!(!answer("", DefaultAnswer::No).0);
    }

    #[test]
    fn yes_and_no_in_any_case_and_anything_else_asks_again() {
        assert!(answer("Y\n", DefaultAnswer::No).0);
        assert!(answer("yes\n", DefaultAnswer::No).0);
        assert!(!answer("N\n", DefaultAnswer::Yes).0);
        let (yes, shown) = answer("maybe\nn\n", DefaultAnswer::Yes);
        assert!(!yes);
        assert_eq!(shown.matches("Continue?").count(), 2, "{shown}");
        assert!(shown.contains("Please answer y or n."));
    }

    #[test]
    fn only_a_terminal_without_yes_is_asked() {
        let mut env = Env::fixed("/h", &[], 0);
        assert!(!should_ask(&env, false), "no terminal: nothing asks");
        env.stdin_is_terminal = true;
        assert!(!should_ask(&env, false), "stderr is not a terminal");
        env.stderr_is_terminal = true;
        assert!(should_ask(&env, false));
        assert!(!should_ask(&env, true), "-y answers yes");
        env.stdin_is_terminal = false;
        assert!(!should_ask(&env, false), "stdin is not a terminal");
    }
}
