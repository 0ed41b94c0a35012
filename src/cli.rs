//! The raw command line of `bitnet-install` (CONTRACT 3), as clap derive types.
//! No validation here beyond clap's own: `config` turns this into a `Config`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
        #[arg(long)]
        remote: bool,
    },
    /// Make an installed version the active one.
    Use { version: String },
    /// Go back to the previously active version.
    Rollback,
    /// Remove one version, or everything with --all.
    Uninstall {
        version: Option<String>,
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
    Completions { shell: clap_complete::Shell },
    /// Manage the download cache.
    #[command(subcommand)]
    Cache(CacheCommand),
}

#[derive(Debug, Subcommand)]
pub enum SelfCommand {
    /// Replace this executable with the newest installer.
    Update {
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

#[derive(Debug, Default, Args)]
pub struct Options {
    /// Print the installer's own version (with no value), or choose the version
    /// to install: latest, 0.3, 0.3.2, or a semver requirement.
    #[arg(long = "version", global = true, num_args = 0..=1, default_missing_value = "", value_name = "REQ")]
    pub version: Option<String>,

    /// Print the installer's own version.
    #[arg(short = 'V', global = true)]
    pub print_version: bool,

    /// Which pre-releases `latest` may pick: stable, beta, nightly.
    #[arg(long, global = true, value_name = "CHANNEL")]
    pub channel: Option<String>,

    /// A static host or directory laid out as in CONTRACT 2.3 (repeat or
    /// separate with commas to give mirrors, tried in order).
    #[arg(long = "from", global = true, value_name = "ROOT")]
    pub from: Vec<String>,

    /// The same, for the installer's own releases (`self update`).
    #[arg(long, global = true, value_name = "ROOT")]
    pub update_root: Option<String>,

    /// Another GitHub repository (OWNER/NAME).
    #[arg(long, global = true, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// With --repo: the program you want, when a release holds several tools
    /// (default: the repository's name).
    #[arg(long = "bin", global = true, value_name = "NAME")]
    pub bin: Option<String>,

    /// Override the detected target triple.
    #[arg(long, global = true, value_name = "TRIPLE")]
    pub target: Option<String>,

    /// Override CPU detection: auto, baseline, avx2, avx512, neon.
    #[arg(long, global = true, value_name = "CPU")]
    pub cpu: Option<String>,

    /// Override GPU detection: auto, none, cuda.
    #[arg(long, global = true, value_name = "GPU")]
    pub gpu: Option<String>,

    /// Where versions, receipts and state live.
    #[arg(long, global = true, value_name = "DIR")]
    pub prefix: Option<PathBuf>,

    /// Where the commands are linked.
    #[arg(long, global = true, value_name = "DIR")]
    pub bin_dir: Option<PathBuf>,

    /// Do not touch shell profiles or the registry.
    #[arg(long, global = true)]
    pub no_modify_path: bool,

    /// Trust this minisign public key (base64 or a .pub file) instead of the built-in ones.
    #[arg(long, global = true, value_name = "KEY|FILE")]
    pub public_key: Option<String>,

    /// An extra trusted root certificate (PEM).
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// Connect and read-idle timeout in seconds.
    #[arg(long, global = true, value_name = "SECONDS")]
    pub timeout: Option<u64>,

    /// Use only the download cache and local roots.
    #[arg(long, global = true)]
    pub offline: bool,

    /// Allow going to an older version.
    #[arg(long, global = true)]
    pub allow_downgrade: bool,

    /// Reinstall a version that is already installed.
    #[arg(long, global = true)]
    pub force: bool,

    /// With --repo: install a release that offers nothing to verify it with.
    #[arg(long, global = true)]
    pub allow_unverified: bool,

    /// Resolve the release and pick the asset, print the plan, change nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Answer yes to every question.
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Print only errors.
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,

    /// Explain each step.
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,

    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,

    /// When to use colour: auto, always, never.
    #[arg(long, global = true, value_name = "WHEN")]
    pub color: Option<String>,
}
