//! The raw command line of `bitnet-install` (CONTRACT 3), as clap derive types.
//! No validation here beyond clap's own: `config` turns this into a `Config`.

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::{
    ChangeArgs, LocationArgs, NetworkArgs, Options, OutputArgs, PlatformArgs, ReleaseArgs,
};

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

    /// `install`'s options, for `bitnet-install [OPTIONS]` (install is the
    /// default command); before another command only the output ones count.
    #[command(flatten)]
    pub install: InstallArgs,

    /// Print the installer's own version.
    #[arg(short = 'V')]
    pub print_version: bool,
}

/// The output options, the only ones that may come before a command.
const BEFORE_A_COMMAND: &[&str] = &["yes", "quiet", "verbose", "json", "color", "print_version"];

impl Cli {
    /// The process's arguments and variables. An empty variable counts as
    /// unset (as the contract's variables always have); clap alone would pass
    /// `BITNET_VERSION=` on as a bare `--version`.
    pub fn parse_args() -> Result<Cli, clap::Error> {
        let mut command = without_empty_variables(Cli::command());
        let matches = command.try_get_matches_from_mut(std::env::args_os())?;
        if let Some((name, _)) = matches.subcommand() {
            let misplaced = command
                .get_arguments()
                .filter(|arg| !BEFORE_A_COMMAND.contains(&arg.get_id().as_str()))
                .find(|arg| {
                    matches.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine)
                })
                .and_then(|arg| arg.get_long().map(|long| format!("--{long}")));
            if let Some(flag) = misplaced {
                let message = format!(
                    "{flag} is an option of install, not of `{name}`; if `{name}` takes it, put it after the command: `bitnet-install {name} {flag} ...`"
                );
                return Err(command.error(ErrorKind::ArgumentConflict, message));
            }
        }
        Cli::from_arg_matches(&matches)
    }

    /// The options of the command being run, as `Config` takes them.
    pub fn options(&self) -> Options {
        let mut options = match &self.command {
            None => self.install.options(),
            Some(command) => command.options(),
        };
        options.output = options.output.or(&self.install.output);
        options
    }

    /// The output options of the command being run (before a `Config` exists).
    pub fn output(&self) -> OutputArgs {
        self.options().output
    }
}

/// The completion script for `shell`. clap_complete's bash generator names a
/// hyphenated binary's nested commands two ways (`bitnet__install__subcmd__self`
/// where it reads the words typed, `bitnet__subcmd__install__subcmd__self`
/// where it completes them), so nothing past the first word completed; the
/// second spelling is made the first.
pub fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "bitnet-install", &mut script);
    if shell != clap_complete::Shell::Bash {
        return script;
    }
    String::from_utf8_lossy(&script)
        .replace(
            "bitnet__subcmd__install__subcmd__",
            "bitnet__install__subcmd__",
        )
        .into_bytes()
}

/// `command` and its subcommands with the variables that are set but empty
/// taken off their options.
fn without_empty_variables(command: clap::Command) -> clap::Command {
    command
        .mut_args(|arg| match arg.get_env() {
            Some(name) if std::env::var_os(name).is_some_and(|v| v.is_empty()) => {
                arg.env(None::<&'static str>)
            }
            _ => arg,
        })
        .mut_subcommands(without_empty_variables)
}

/// Everything install and update take.
#[derive(Debug, Default, Clone, Args)]
pub struct InstallArgs {
    #[command(flatten, next_help_heading = "Release")]
    pub release: ReleaseArgs,
    #[command(flatten, next_help_heading = "Platform")]
    pub platform: PlatformArgs,
    #[command(flatten, next_help_heading = "Installation")]
    pub location: LocationArgs,
    #[command(flatten, next_help_heading = "Changes")]
    pub change: ChangeArgs,
    #[command(flatten, next_help_heading = "Network")]
    pub network: NetworkArgs,
    #[command(flatten, next_help_heading = "Output")]
    pub output: OutputArgs,
}

impl InstallArgs {
    fn options(&self) -> Options {
        Options {
            release: self.release.clone(),
            network: self.network.clone(),
            platform: self.platform.clone(),
            location: self.location.clone(),
            change: self.change.clone(),
            output: self.output.clone(),
            update_root: None,
        }
    }
}

/// The commands that read or change what is installed, and nothing else.
#[derive(Debug, Clone, Args)]
pub struct LocalArgs {
    #[command(flatten, next_help_heading = "Installation")]
    pub location: LocationArgs,
    #[command(flatten, next_help_heading = "Output")]
    pub output: OutputArgs,
}

impl LocalArgs {
    fn options(&self) -> Options {
        Options {
            location: self.location.clone(),
            output: self.output.clone(),
            ..Options::default()
        }
    }
}

/// What the source offers: `list --remote` and `detect`.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    #[command(flatten, next_help_heading = "Release")]
    pub release: ReleaseArgs,
    #[command(flatten, next_help_heading = "Network")]
    pub network: NetworkArgs,
    #[command(flatten)]
    pub local: LocalArgs,
}

impl SourceArgs {
    fn options(&self) -> Options {
        Options {
            release: self.release.clone(),
            network: self.network.clone(),
            ..self.local.options()
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install BitNet (the default command).
    Install(InstallArgs),
    /// Move to the newest release of the channel.
    Update {
        /// Only report: exit 10 when an update is available, 0 when up to date.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        args: InstallArgs,
    },
    /// List installed versions (or, with --remote, what the source offers).
    List {
        /// List the versions the release source offers instead.
        #[arg(long)]
        remote: bool,
        #[command(flatten)]
        args: SourceArgs,
    },
    /// Make an installed version the active one (a removed one comes back
    /// from the download cache, verified again).
    Use {
        /// An installed version, such as 0.3.2.
        version: String,
        #[command(flatten, next_help_heading = "Platform")]
        platform: PlatformArgs,
        #[command(flatten, next_help_heading = "Changes")]
        change: ChangeArgs,
        #[command(flatten, next_help_heading = "Network")]
        network: NetworkArgs,
        #[command(flatten)]
        args: LocalArgs,
    },
    /// Go back to the previously active version.
    Rollback(LocalArgs),
    /// Remove one version, or everything with --all.
    Uninstall {
        /// The installed version to remove (not the active one).
        version: Option<String>,
        /// Remove every version, the links in the bin dir and the PATH entry.
        #[arg(long, conflicts_with = "version")]
        all: bool,
        #[command(flatten)]
        args: LocalArgs,
    },
    /// Re-hash installed files against their receipts.
    Verify(LocalArgs),
    /// Print the platform and the asset that would be picked.
    Detect {
        #[command(flatten, next_help_heading = "Platform")]
        platform: PlatformArgs,
        #[command(flatten)]
        args: SourceArgs,
    },
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

impl Command {
    fn options(&self) -> Options {
        match self {
            Command::Install(args) | Command::Update { args, .. } => args.options(),
            Command::List { args, .. } => args.options(),
            Command::Detect { platform, args } => Options {
                platform: platform.clone(),
                ..args.options()
            },
            Command::Use {
                platform,
                change,
                network,
                args,
                ..
            } => Options {
                platform: platform.clone(),
                change: change.clone(),
                network: network.clone(),
                ..args.options()
            },
            Command::Rollback(args)
            | Command::Uninstall { args, .. }
            | Command::Verify(args)
            | Command::SelfCmd(SelfCommand::Rollback(args) | SelfCommand::Uninstall(args))
            | Command::Cache(CacheCommand::Clean(args)) => args.options(),
            Command::SelfCmd(SelfCommand::Update {
                update_root,
                network,
                args,
                ..
            }) => Options {
                update_root: update_root.clone(),
                network: network.clone(),
                ..args.options()
            },
            Command::Completions { .. } => Options::default(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum SelfCommand {
    /// Replace this executable with the newest installer.
    Update {
        /// Only report: exit 10 when a newer installer exists, 0 when up to date.
        #[arg(long)]
        check: bool,
        /// A mirror of the installer's own releases (a web server or directory).
        #[arg(long, env = "BITNET_UPDATE_ROOT", value_name = "ROOT")]
        update_root: Option<String>,
        #[command(flatten, next_help_heading = "Network")]
        network: NetworkArgs,
        #[command(flatten)]
        args: LocalArgs,
    },
    /// Put back the installer that the last `self update` replaced.
    Rollback(LocalArgs),
    /// Remove everything this tool installed, then the tool itself.
    Uninstall(LocalArgs),
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Remove every cached download.
    Clean(LocalArgs),
}
