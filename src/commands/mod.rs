//! The commands of `bitnet-install`, one small module each: build the
//! request, get a `Plan` (or read the installed state), print a typed report
//! through the output layer, return the exit code.

mod cache;
mod detect;
mod install;
mod list;
mod rollback;
mod self_cmd;
mod uninstall;
mod update;
mod use_version;
mod verify;

use crate::cli::{CacheCommand, Cli, Command, SelfCommand};
use crate::config::{Config, PRODUCT, PRODUCT_EXECUTABLES};
use crate::context::Context;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::output::Output;
use crate::plan::{Kind, Product};
use crate::receipt::{self, Receipt};
use crate::version::{self, Channel, Requirement};

/// Validates the options into a `Config` and runs the command.
pub fn run_cli(cli: &Cli, env: &Env, out: &Output) -> Result<i32> {
    let report = *out;
    crate::interrupt::handle_signals(move || report.error(&Error::Interrupted));
    let config = Config::new(&cli.options(), env)?;
    let ctx = Context::new(&config, env);
    run(cli.command.as_ref(), &ctx, out)
}

/// Runs one command; `completions` is printed by `main` before a `Config`
/// exists.
fn run(command: Option<&Command>, ctx: &Context, out: &Output) -> Result<i32> {
    match command {
        None | Some(Command::Install(_)) => install::run(ctx, out),
        Some(Command::Update { check, .. }) => update::run(ctx, out, *check),
        Some(Command::List { remote, .. }) => list::run(ctx, out, *remote),
        Some(Command::Use { version, .. }) => use_version::run(ctx, out, version),
        Some(Command::Rollback(_)) => rollback::run(ctx, out),
        Some(Command::Uninstall { version, all, .. }) => {
            uninstall::run(ctx, out, version.as_deref().filter(|_| !*all))
        }
        Some(Command::Verify(_)) => verify::run(ctx, out),
        Some(Command::Detect { .. }) => detect::run(ctx, out),
        Some(Command::SelfCmd(SelfCommand::Update { check, .. })) => {
            self_cmd::update(ctx, out, *check)
        }
        Some(Command::SelfCmd(SelfCommand::Rollback(_))) => self_cmd::rollback(ctx, out),
        Some(Command::SelfCmd(SelfCommand::Uninstall(_))) => self_cmd::uninstall(ctx, out),
        Some(Command::Cache(CacheCommand::Clean(_))) => cache::clean(ctx, out),
        Some(Command::Completions { .. }) => {
            Err(Error::internal("completions reached the command layer"))
        }
    }
}

/// The product the command line names: BitNet, or with `--repo` another
/// project's releases.
fn product<'a>(ctx: &'a Context) -> Product<'a> {
    let foreign = ctx.config.foreign_repo;
    Product {
        name: if foreign {
            &ctx.config.product
        } else {
            PRODUCT
        },
        executables: if foreign { &[] } else { PRODUCT_EXECUTABLES },
        source: &ctx.config.source,
        kind: if foreign { Kind::Foreign } else { Kind::Signed },
    }
}

/// The newest installed version matching `requested` (`0.3` matches 0.3.x).
fn find_installed(ctx: &Context, requested: &str) -> Result<Receipt> {
    let requirement = Requirement::parse(requested)?;
    let receipts = receipt::read_all(&ctx.layout().receipts_dir())?;
    let matching = receipts
        .iter()
        .filter(|r| {
            version::parse_version(&r.origin.version)
                .is_some_and(|v| requirement.matches(&v, Channel::Nightly))
        })
        .max_by_key(|r| version::parse_version(&r.origin.version));
    matching.cloned().ok_or_else(|| {
        let installed: Vec<&str> = receipts.iter().map(|r| r.origin.version.as_str()).collect();
        Error::no_match(
            format!(
                "version '{requested}' is not installed (installed: {})",
                if installed.is_empty() {
                    "none".to_string()
                } else {
                    installed.join(", ")
                }
            ),
            "install it first with `bitnet-install install --version VERSION`.",
        )
    })
}
