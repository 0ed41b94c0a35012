//! `bitnet-install`: parse the command line, build the real `Env` and the
//! `Config`, run the command, and map any error to its exit code.

use std::process::ExitCode;

use bitnet_install::cli::{Cli, Command};
use bitnet_install::commands;
use bitnet_install::output::{self, Output};
use bitnet_install::{exit, Env, Error};

fn main() -> ExitCode {
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => return usage_error(&e),
    };
    let asked_version = match &cli.command {
        None => cli.install.release.version.as_deref(),
        Some(Command::Install(args) | Command::Update { args, .. }) => {
            args.release.version.as_deref()
        }
        Some(_) => None,
    };
    if cli.print_version || asked_version == Some("") {
        output::print_line(&format!("bitnet-install {}", env!("CARGO_PKG_VERSION")));
        return ExitCode::SUCCESS;
    }
    if let Some(Command::Completions { shell }) = &cli.command {
        output::print_bytes(&bitnet_install::cli::completion_script(*shell));
        return ExitCode::SUCCESS;
    }
    let env = Env::from_process();
    let wanted = cli.output();
    output::colour_choice(wanted.color, &env).write_global();
    let output = Output {
        json: wanted.json,
        quiet: wanted.quiet,
    };
    let code = commands::run_cli(&cli, &env, &output);
    ExitCode::from(finish(code, output) as u8)
}

/// A command line clap refused: its own message, or with `--json` the
/// contract's error object; exit 2 either way.
fn usage_error(e: &clap::Error) -> ExitCode {
    if std::env::args().any(|a| a == "--json") {
        let text = e.to_string();
        let line = text.lines().next().unwrap_or_default();
        let message = line.strip_prefix("error: ").unwrap_or(line);
        let error = Error::usage(
            message,
            "run `bitnet-install --help` for the accepted options.",
        );
        Output {
            json: true,
            quiet: true,
        }
        .error(&error);
    } else {
        let _ = e.print();
    }
    ExitCode::from(exit::USAGE as u8)
}

fn finish(result: Result<i32, Error>, output: Output) -> i32 {
    match result {
        Ok(code) => code,
        Err(e) => {
            output.error(&e);
            e.exit_code()
        }
    }
}
