//! `bitnet-install`: parse the command line, build the real `Env` and the
//! `Config`, run the command, and map any error to its exit code.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use bitnet_install::cli::{Cli, Command};
use bitnet_install::config::Config;
use bitnet_install::env::Env;
use bitnet_install::error::{exit, Error};
use bitnet_install::ops::{self, Context};
use bitnet_install::output::Output;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    if cli.options.print_version || cli.options.version.as_deref() == Some("") {
        println!("bitnet-install {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if let Some(Command::Completions { shell }) = &cli.command {
        clap_complete::generate(
            *shell,
            &mut Cli::command(),
            "bitnet-install",
            &mut std::io::stdout(),
        );
        return ExitCode::SUCCESS;
    }
    let env = Env::from_process();
    let output = Output {
        json: cli.options.json,
        quiet: cli.options.quiet,
    };
    let code = match Config::new(&cli.options, &env) {
        Ok(config) => {
            let ctx = Context::new(&config, &env);
            ops::run(cli.command.as_ref(), &ctx)
        }
        Err(e) => Err(e),
    };
    ExitCode::from(finish(code, output) as u8)
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
