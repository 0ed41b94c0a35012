//! The raw command line of `bitnet-install` (CONTRACT 3), as clap derive types.
//! No validation here beyond clap's own: `config` turns this into a `Config`.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::Options;

#[derive(Debug, Parser)]
#[command(
    name = "bitnet-install",
    about = "Install, update and remove BitNet from signed releases.",
    disable_version_flag = true,
    args_conflicts_with_subcommands = false
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub options: Options,
}

impl Cli {
    /// The process's arguments and variables. An empty variable counts as
    /// unset (as the contract's variables always have); clap alone would pass
    /// `BITNET_VERSION=` on as a bare `--version`.
    pub fn parse_args() -> Result<Cli, clap::Error> {
        let command = Cli::command().mut_args(|arg| match arg.get_env() {
            Some(name) if std::env::var_os(name).is_some_and(|v| v.is_empty()) => {
                arg.env(None::<&'static str>)
            }
            _ => arg,
        });
        Cli::from_arg_matches(&command.try_get_matches()?)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install BitNet (the default command).
    Install,
    /// Move to the newest release of the channel.
    Update {
        /// Only report: exit 10 when an update is available, 0 when up to date.
        #[arg(long)]
        check: bool,
    },
    /// List installed versions (or, with --remote, what the source offers).
    List {
        /// List the versions the release source offers instead.
        #[arg(long)]
        remote: bool,
    },
    /// Make an installed version the active one.
    Use {
        /// An installed version, such as 0.3.2.
        version: String,
    },
    /// Go back to the previously active version.
    Rollback,
    /// Remove one version, or everything with --all.
    Uninstall {
        /// The installed version to remove (not the active one).
        version: Option<String>,
        /// Remove every version, the links in the bin dir and the PATH entry.
        #[arg(long, conflicts_with = "version")]
        all: bool,
    },
    /// Re-hash installed files against their receipts.
    Verify,
    /// Print the platform and the asset that would be picked.
    Detect,
    /// Manage the installer itself.
    #[command(name = "self", subcommand)]
    SelfCmd(SelfCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell to write the script for.
        shell: clap_complete::Shell,
    },
    /// Manage the download cache.
    #[command(subcommand)]
    Cache(CacheCommand),
}

#[derive(Debug, Subcommand)]
pub enum SelfCommand {
    /// Replace this executable with the newest installer.
    Update {
        /// Only report: exit 10 when a newer installer exists, 0 when up to date.
        #[arg(long)]
        check: bool,
    },
    /// Put back the installer that the last `self update` replaced.
    Rollback,
    /// Remove everything this tool installed, then the tool itself.
    Uninstall,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Remove every cached download.
    Clean,
}
