//! Arguments plus environment into one validated `Config`. Flags win over their
//! environment variables (CONTRACT 3): clap reads each contract variable through
//! the option's `env` (so `--help` names it), the `Updater` through
//! `Options::fill_from_env`; `Config::new` reads only the tuning variables
//! below. Every bad value is refused here, before
//! any work starts, with exit 2 and a hint.
//!
//! Network and cache tuning, by environment variable only (tests shorten them
//! so that faults play out in seconds):
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `BITNET_TIMEOUT` | 30 | connect and read-idle timeout, seconds (`--timeout`) |
//! | `BITNET_RETRIES` | 4 | attempts per request, the first included |
//! | `BITNET_RETRY_BASE_MS` | 500 | first backoff; doubles per attempt, plus jitter |
//! | `BITNET_RETRY_MAX_WAIT` | 30 | longest wait between attempts, `Retry-After` included, seconds |
//! | `BITNET_MIN_RATE` | 1024 | bytes/s a download must average over the window |
//! | `BITNET_RATE_WINDOW` | 30 | that window, seconds |
//! | `BITNET_CACHE_MAX_BYTES` | 2 GiB | size bound of the download cache |

use std::path::PathBuf;
use std::time::Duration;

use crate::env::Env;
use crate::error::{Error, Result};
use crate::http::{HttpOptions, Proxies, Token};
use crate::layout::{self, Layout};
use crate::output::ColorWhen;
use crate::platform::{CpuChoice, GpuChoice, Preferences};
use crate::source::github::{self, GitHub};
use crate::source::Root;
use crate::verify::TrustedKeys;
use crate::version::{Channel, Requirement};

pub const PRODUCT: &str = "bitnet";
pub const INSTALLER: &str = "bitnet-install";
/// The executables a bitnet release provides; only these reach the bin dir.
pub const PRODUCT_EXECUTABLES: &[&str] = &["bitnet-cli", "bitnet-server"];

/// The options of CONTRACT 3 as given, before validation, in the groups that
/// each command takes (`cli` flattens into a command only the groups that mean
/// something to it); the `Updater` fills them in directly.
#[derive(Debug, Default, Clone)]
pub struct Options {
    pub release: ReleaseArgs,
    pub network: NetworkArgs,
    pub platform: PlatformArgs,
    pub location: LocationArgs,
    pub change: ChangeArgs,
    pub output: OutputArgs,
    /// `self update` only: a mirror of the installer's own releases.
    pub update_root: Option<String>,
}

/// Which release: version, channel and where releases come from.
#[derive(Debug, Default, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct ReleaseArgs {
    /// The version to install: latest, 0.3 (newest 0.3.x), 0.3.2, or a semver
    /// requirement such as ^0.3. With no value: print the installer's own version.
    #[cfg_attr(feature = "cli", arg(long = "version", env = "BITNET_VERSION", num_args = 0..=1, default_missing_value = "", value_name = "REQ"))]
    pub version: Option<String>,

    /// Which pre-releases `latest` may pick.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "BITNET_CHANNEL",
            value_name = "CHANNEL",
            ignore_case = true
        )
    )]
    pub channel: Option<Channel>,

    /// Install from this web server or local directory instead of GitHub: a
    /// mirror of the published releases. Repeat it or separate with commas to
    /// give several, tried in order.
    #[cfg_attr(
        feature = "cli",
        arg(long = "from", env = "BITNET_DIST_SERVER", value_name = "ROOT")
    )]
    pub from: Vec<String>,

    /// With --repo: the program you want, when a release holds several tools
    /// (default: the repository's name).
    #[cfg_attr(feature = "cli", arg(long = "bin", value_name = "NAME"))]
    pub bin: Option<String>,
}

/// How downloads are made and checked.
#[derive(Debug, Default, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct NetworkArgs {
    /// Trust this minisign public key (base64 or a .pub file) instead of the built-in ones.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "BITNET_PUBLIC_KEY",
            hide_env_values = true,
            value_name = "KEY|FILE"
        )
    )]
    pub public_key: Option<String>,

    /// An extra trusted root certificate (PEM).
    #[cfg_attr(feature = "cli", arg(long, env = "SSL_CERT_FILE", value_name = "FILE"))]
    pub ca_cert: Option<PathBuf>,

    /// Connect and read-idle timeout in seconds, per attempt: a stalled server is given up after at most 4 x SECONDS + 6 s (4 attempts)
    #[cfg_attr(
        feature = "cli",
        arg(long, env = "BITNET_TIMEOUT", value_name = "SECONDS")
    )]
    pub timeout: Option<u64>,

    /// Use only the download cache and local roots.
    #[cfg_attr(feature = "cli", arg(long))]
    pub offline: bool,
}

/// The platform, when detection should be overridden.
#[derive(Debug, Default, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct PlatformArgs {
    /// Override the detected target triple.
    #[cfg_attr(feature = "cli", arg(long, value_name = "TRIPLE"))]
    pub target: Option<String>,

    /// Override CPU detection.
    #[cfg_attr(feature = "cli", arg(long, value_name = "CPU", ignore_case = true))]
    pub cpu: Option<CpuChoice>,

    /// Override GPU detection.
    #[cfg_attr(feature = "cli", arg(long, value_name = "GPU", ignore_case = true))]
    pub gpu: Option<GpuChoice>,
}

/// Which installation: the product and where it lives.
#[derive(Debug, Default, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct LocationArgs {
    /// Another GitHub repository (OWNER/NAME) instead of BitNet; its
    /// installation is kept apart from BitNet's.
    #[cfg_attr(feature = "cli", arg(long, value_name = "OWNER/NAME"))]
    pub repo: Option<String>,

    /// Where versions, receipts and state live.
    #[cfg_attr(feature = "cli", arg(long, env = "BITNET_HOME", value_name = "DIR"))]
    pub prefix: Option<PathBuf>,

    /// Where the commands are linked.
    #[cfg_attr(feature = "cli", arg(long, env = "BITNET_BIN_DIR", value_name = "DIR"))]
    pub bin_dir: Option<PathBuf>,
}

/// What an install or update may change.
#[derive(Debug, Default, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct ChangeArgs {
    /// Do not touch shell profiles or the registry.
    #[cfg_attr(feature = "cli", arg(long, env = "BITNET_NO_MODIFY_PATH", value_parser = clap::builder::FalseyValueParser::new()))]
    pub no_modify_path: bool,

    /// Allow going to an older version.
    #[cfg_attr(feature = "cli", arg(long))]
    pub allow_downgrade: bool,

    /// Reinstall a version that is already installed.
    #[cfg_attr(feature = "cli", arg(long))]
    pub force: bool,

    /// With --repo: install a release that offers nothing to verify it with.
    #[cfg_attr(feature = "cli", arg(long))]
    pub allow_unverified: bool,

    /// Resolve the release and pick the asset, print the plan, change nothing.
    #[cfg_attr(feature = "cli", arg(long))]
    pub dry_run: bool,
}

/// What is printed, and whether to ask.
#[derive(Debug, Default, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct OutputArgs {
    /// Answer yes to every question (without a terminal nothing is asked).
    #[cfg_attr(feature = "cli", arg(short = 'y', long))]
    pub yes: bool,

    /// Print only errors.
    #[cfg_attr(feature = "cli", arg(short = 'q', long))]
    pub quiet: bool,

    /// Explain each step.
    #[cfg_attr(feature = "cli", arg(short = 'v', long))]
    pub verbose: bool,

    /// Print machine-readable JSON on stdout.
    #[cfg_attr(feature = "cli", arg(long))]
    pub json: bool,

    /// When to use colour (NO_COLOR turns it off under auto).
    #[cfg_attr(feature = "cli", arg(long, value_name = "WHEN"))]
    pub color: Option<ColorWhen>,
}

impl OutputArgs {
    /// These options given before a command count for it too (`-q list`).
    pub fn or(self, before: &OutputArgs) -> OutputArgs {
        OutputArgs {
            yes: self.yes || before.yes,
            quiet: self.quiet || before.quiet,
            verbose: self.verbose || before.verbose,
            json: self.json || before.json,
            color: self.color.or(before.color),
        }
    }
}

impl Options {
    /// Fills every option left unset from its contract variable in `env`. Clap
    /// does this for the command line (`env = ...` above); the `Updater`, which
    /// has no clap, calls this so a host program's variables still count.
    pub fn fill_from_env(&mut self, env: &Env) -> Result<()> {
        let text = |name: &str| env.var(name).filter(|v| !v.is_empty()).map(String::from);
        let release = &mut self.release;
        release.version = release.version.take().or_else(|| text("BITNET_VERSION"));
        if let (None, Some(name)) = (release.channel, text("BITNET_CHANNEL")) {
            release.channel = Some(Channel::parse(&name)?);
        }
        if release.from.is_empty() {
            release.from = text("BITNET_DIST_SERVER").into_iter().collect();
        }
        self.update_root = self
            .update_root
            .take()
            .or_else(|| text("BITNET_UPDATE_ROOT"));
        let location = &mut self.location;
        location.prefix = location
            .prefix
            .take()
            .or_else(|| text("BITNET_HOME").map(PathBuf::from));
        location.bin_dir = location
            .bin_dir
            .take()
            .or_else(|| text("BITNET_BIN_DIR").map(PathBuf::from));
        self.change.no_modify_path |= env.flag("BITNET_NO_MODIFY_PATH");
        let network = &mut self.network;
        network.public_key = network
            .public_key
            .take()
            .or_else(|| text("BITNET_PUBLIC_KEY"));
        network.ca_cert = network
            .ca_cert
            .take()
            .or_else(|| text("SSL_CERT_FILE").map(PathBuf::from));
        if network.timeout.is_none() {
            network.timeout = parse_number(env, "BITNET_TIMEOUT")?;
        }
        Ok(())
    }
}

/// Where a product's releases come from.
#[derive(Clone, Debug)]
pub enum SourceSpec {
    /// Static roots, tried in order.
    Roots(Vec<Root>),
    GitHub(GitHub),
}

impl SourceSpec {
    pub fn describe(&self) -> String {
        match self {
            SourceSpec::Roots(roots) => roots
                .iter()
                .map(|r| r.text.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            SourceSpec::GitHub(gh) => format!("GitHub {}", gh.repo),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// `bitnet`, or with `--repo` the repository's NAME.
    pub product: String,
    pub requirement: Requirement,
    pub channel: Channel,
    pub source: SourceSpec,
    /// The installer's own releases.
    pub update_source: SourceSpec,
    /// `--bin`, or with `--repo` the repository's NAME: the tool whose assets are wanted.
    pub bin: String,
    /// True with `--repo`: asset names are another project's, not CONTRACT 2.1.
    pub foreign_repo: bool,
    pub target: Option<String>,
    pub preferences: Preferences,
    pub layout: Layout,
    pub modify_path: bool,
    pub keys: TrustedKeys,
    pub http: HttpOptions,
    pub offline: bool,
    pub allow_downgrade: bool,
    pub force: bool,
    pub allow_unverified: bool,
    pub dry_run: bool,
    /// `-y`: every question (see `prompt`) is answered yes.
    pub assume_yes: bool,
    pub json: bool,
    pub quiet: bool,
    pub verbose: bool,
    pub lock_wait: Duration,
    /// How many versions to keep installed (the active one included).
    pub keep: usize,
    /// The download cache is trimmed to this size, oldest release first.
    pub cache_max_bytes: u64,
}

/// The default bound of the download cache.
pub const DEFAULT_CACHE_MAX_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The OS this binary runs on, in the names `platform` uses.
pub fn host_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "macos",
        "windows" => "windows",
        _ => "linux",
    }
}

impl Config {
    pub fn new(options: &Options, env: &Env) -> Result<Config> {
        let os = host_os();
        let channel = options.release.channel.unwrap_or_default();
        let github_api = env
            .var("GITHUB_API_URL")
            .unwrap_or(github::DEFAULT_API)
            .to_string();
        let token = env
            .first_var(&["GITHUB_TOKEN", "GH_TOKEN"])
            .map(String::from);
        let repo = match &options.location.repo {
            Some(r) => Some(parse_repo(r)?),
            None => None,
        };
        let version_text = options.release.version.as_deref().unwrap_or("latest");
        // A foreign project's tags need not be semver (`b3672`, `jq-1.6`).
        let requirement = if repo.is_some() {
            Requirement::parse_or_tag(version_text)?
        } else {
            Requirement::parse(version_text)?
        };
        let roots = parse_roots(&options.release.from)?;
        let source = match (roots.is_empty(), &repo) {
            (false, Some(_)) => {
                return Err(Error::usage(
                    "--from and --repo cannot be used together",
                    "give either a static root with --from or a GitHub repository with --repo.",
                ))
            }
            (false, None) => SourceSpec::Roots(roots),
            (true, _) => SourceSpec::GitHub(GitHub {
                api: github_api.clone(),
                repo: repo
                    .clone()
                    .unwrap_or_else(|| github::DEFAULT_REPO.to_string()),
                tag_prefix: if repo.is_some() {
                    String::new()
                } else {
                    "v".into()
                },
                lenient_tags: repo.is_some(),
                exact_tag: requirement
                    .exact_tag()
                    .map(|(tag, version)| (tag.to_string(), version.clone())),
            }),
        };
        let update_roots = parse_roots(options.update_root.as_slice())?;
        let update_source = if update_roots.is_empty() {
            SourceSpec::GitHub(GitHub {
                api: github_api.clone(),
                repo: github::DEFAULT_REPO.to_string(),
                tag_prefix: format!("{INSTALLER}-v"),
                lenient_tags: false,
                exact_tag: None,
            })
        } else {
            SourceSpec::Roots(update_roots)
        };
        let preferences = Preferences {
            cpu: options.platform.cpu.unwrap_or(CpuChoice::Auto),
            gpu: options.platform.gpu.unwrap_or(GpuChoice::Auto),
        };
        let keys = match options.network.public_key.as_deref() {
            Some(value) => TrustedKeys::from_user(value, |p| std::fs::read_to_string(p).ok())?,
            None => TrustedKeys::built_in(),
        };
        let prefix = pick_dir(&options.location.prefix, || {
            let default = layout::default_prefix(os, env)?;
            Ok(match &repo {
                Some(repo) => foreign_prefix(&default, repo),
                None => default,
            })
        })?;
        let layout = Layout {
            bin_dir: pick_dir(&options.location.bin_dir, || {
                layout::default_bin_dir(os, env)
            })?,
            cache_dir: match env.var("BITNET_CACHE_DIR") {
                Some(dir) => absolute(PathBuf::from(dir)),
                // With no home the cache follows the prefix, so that `--prefix`
                // and `--bin-dir` are enough, as the no-home hint says.
                None => layout::default_cache_dir(os, env).or_else(|e| match env.home {
                    None => Ok(prefix.join("cache")),
                    Some(_) => Err(e),
                })?,
            },
            prefix,
        };
        let timeout = options.network.timeout.unwrap_or(30);
        if timeout == 0 {
            return Err(Error::usage(
                "the timeout must be at least one second",
                "pass --timeout 30, for example.",
            ));
        }
        let http = HttpOptions {
            ca_cert: options.network.ca_cert.clone(),
            timeout: Duration::from_secs(timeout),
            proxies: Proxies::from_env(env),
            token: token.map(|value| Token {
                value,
                api: github_api.clone(),
            }),
            ..tuned_http_options(env)?
        };
        Ok(Config {
            product: match &repo {
                Some(repo) => repo_name(repo).to_string(),
                None => PRODUCT.to_string(),
            },
            requirement,
            channel,
            source,
            update_source,
            bin: match (&options.release.bin, &repo) {
                (Some(bin), _) => bin.clone(),
                (None, Some(repo)) => repo_name(repo).to_string(),
                (None, None) => PRODUCT.to_string(),
            },
            foreign_repo: repo.is_some(),
            target: options.platform.target.clone(),
            preferences,
            layout,
            modify_path: !options.change.no_modify_path,
            keys,
            http,
            offline: options.network.offline,
            allow_downgrade: options.change.allow_downgrade,
            force: options.change.force,
            allow_unverified: options.change.allow_unverified,
            dry_run: options.change.dry_run,
            assume_yes: options.output.yes,
            json: options.output.json,
            quiet: options.output.quiet || options.output.json,
            verbose: options.output.verbose,
            lock_wait: Duration::from_secs(parse_number(env, "BITNET_LOCK_TIMEOUT")?.unwrap_or(60)),
            keep: parse_number(env, "BITNET_KEEP")?.unwrap_or(3).max(1) as usize,
            cache_max_bytes: parse_number(env, "BITNET_CACHE_MAX_BYTES")?
                .unwrap_or(DEFAULT_CACHE_MAX_BYTES),
        })
    }
}

/// Retry and transfer-rate settings from their variables (see the table above).
fn tuned_http_options(env: &Env) -> Result<HttpOptions> {
    let default = HttpOptions::default();
    let seconds = |name: &str, fallback: Duration| -> Result<Duration> {
        Ok(parse_number(env, name)?.map_or(fallback, Duration::from_secs))
    };
    Ok(HttpOptions {
        attempts: parse_number(env, "BITNET_RETRIES")?
            .map_or(default.attempts, |n| n.clamp(1, 100) as u32),
        retry_base: parse_number(env, "BITNET_RETRY_BASE_MS")?
            .map_or(default.retry_base, Duration::from_millis),
        max_backoff: seconds("BITNET_RETRY_MAX_WAIT", default.max_backoff)?,
        min_bytes_per_sec: parse_number(env, "BITNET_MIN_RATE")?
            .unwrap_or(default.min_bytes_per_sec),
        rate_window: seconds("BITNET_RATE_WINDOW", default.rate_window)?
            .max(Duration::from_secs(1)),
        ..default
    })
}

fn parse_roots(texts: &[String]) -> Result<Vec<Root>> {
    texts
        .iter()
        .flat_map(|t| t.split(','))
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            Root::parse(t)
                .map(absolute_root)
                .and_then(existing_local_root)
        })
        .collect()
}

/// A local root that is not a directory is a mistyped path: bad input, said
/// before any work starts rather than as a failed download.
fn existing_local_root(root: Root) -> Result<Root> {
    match &root.location {
        crate::download::Location::Local(path) if !path.is_dir() => Err(Error::usage(
            format!("there is no directory at {}", path.display()),
            "check the path given to --from (or BITNET_DIST_SERVER, --update-root, BITNET_UPDATE_ROOT), or give an https:// address.",
        )),
        _ => Ok(root),
    }
}

/// Local roots are made absolute so their high-water mark does not depend on
/// the working directory.
fn absolute_root(mut root: Root) -> Root {
    if let crate::download::Location::Local(path) = &root.location {
        let path = absolute(path.clone());
        root.text = path.display().to_string();
        root.location = crate::download::Location::Local(path);
    }
    root
}

fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}

fn parse_repo(text: &str) -> Result<String> {
    let valid = text.split('/').count() == 2
        && text.split('/').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        });
    if valid {
        Ok(text.to_string())
    } else {
        Err(Error::usage(
            format!("'{text}' is not a GitHub repository name"),
            "use the OWNER/NAME form, e.g. microsoft/BitNet.",
        ))
    }
}

/// A foreign project's own prefix under the default one, so that its versions,
/// receipts and state never mix with bitnet's: `<default>/repos/<owner>/<name>`.
fn foreign_prefix(default: &std::path::Path, repo: &str) -> PathBuf {
    let (owner, name) = repo.split_once('/').unwrap_or(("", repo));
    default.join("repos").join(owner).join(name)
}

/// `NAME` of `OWNER/NAME` (already validated by `parse_repo`).
fn repo_name(repo: &str) -> &str {
    repo.rsplit('/').next().unwrap_or(repo)
}

fn pick_dir(flag: &Option<PathBuf>, default: impl FnOnce() -> Result<PathBuf>) -> Result<PathBuf> {
    Ok(absolute(match flag {
        Some(dir) => dir.clone(),
        None => default()?,
    }))
}

fn parse_number(env: &Env, name: &str) -> Result<Option<u64>> {
    env.var(name)
        .map(|v| {
            v.trim().parse::<u64>().map_err(|_| {
                Error::usage(
                    format!("{name}={v} is not a whole number"),
                    format!("set {name} to a number of seconds or items, or unset it."),
                )
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn config(args: &[&str], vars: &[(&str, &str)]) -> Result<Config> {
        let mut argv = vec!["bitnet-install"];
        argv.extend_from_slice(args);
        let cli = crate::cli::Cli::try_parse_from(argv).expect("arguments parse");
        let env = Env::fixed("/home/u", vars, 0);
        let mut options = cli.options();
        options.fill_from_env(&env)?;
        Config::new(&options, &env)
    }

    #[test]
    fn flags_win_over_variables() {
        let c = config(
            &["--version", "0.3", "--prefix", "/p"],
            &[("BITNET_VERSION", "0.2"), ("BITNET_HOME", "/q")],
        )
        .unwrap();
        assert_eq!(c.requirement, Requirement::parse("0.3").unwrap());
        assert_eq!(c.layout.prefix, PathBuf::from("/p"));
        let c = config(&[], &[("BITNET_VERSION", "0.2"), ("BITNET_HOME", "/q")]).unwrap();
        assert_eq!(c.requirement, Requirement::parse("0.2").unwrap());
        assert_eq!(c.layout.prefix, PathBuf::from("/q"));
    }

    #[test]
    fn mirrors_split_on_commas_and_repeat() {
        let local = std::env::temp_dir().display().to_string();
        let c = config(
            &["--from", "https://a/r,https://b/r", "--from", &local],
            &[],
        )
        .unwrap();
        match c.source {
            SourceSpec::Roots(roots) => assert_eq!(roots.len(), 3),
            SourceSpec::GitHub(_) => panic!("expected roots"),
        }
    }

    #[test]
    fn no_from_means_github_with_the_product_tag_prefix() {
        let c = config(
            &[],
            &[("GITHUB_API_URL", "https://127.0.0.1:1"), ("GH_TOKEN", "t")],
        )
        .unwrap();
        match (&c.source, &c.update_source) {
            (SourceSpec::GitHub(p), SourceSpec::GitHub(i)) => {
                assert_eq!(p.api, "https://127.0.0.1:1");

                assert_eq!(p.tag_prefix, "v");
                assert_eq!(i.tag_prefix, "bitnet-install-v");
            }
            _ => panic!("expected GitHub sources"),
        }
        let token = c.http.token.as_ref().unwrap();
        assert_eq!(
            (token.value.as_str(), token.api.as_str()),
            ("t", "https://127.0.0.1:1")
        );
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for (args, vars) in [
            (vec!["--version", "banana"], vec![]),
            (vec![], vec![("BITNET_CHANNEL", "weekly")]),
            (vec!["--from", "ftp://x"], vec![]),
            (vec!["--repo", "no-slash"], vec![]),
            (vec!["--public-key", "/nonexistent.pub"], vec![]),
            (vec![], vec![("BITNET_TIMEOUT", "soon")]),
            (vec!["--timeout", "0"], vec![]),
            (vec![], vec![("BITNET_MIN_RATE", "fast")]),
            (vec![], vec![("BITNET_RETRIES", "-1")]),
        ] {
            let err = config(&args, &vars).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?} {vars:?}");
        }
    }

    #[test]
    fn network_knobs_come_from_variables() {
        let c = config(
            &["--timeout", "7"],
            &[
                ("BITNET_RETRIES", "2"),
                ("BITNET_RETRY_BASE_MS", "10"),
                ("BITNET_RETRY_MAX_WAIT", "3"),
                ("BITNET_MIN_RATE", "5000"),
                ("BITNET_RATE_WINDOW", "2"),
                ("BITNET_CACHE_MAX_BYTES", "1000"),
            ],
        )
        .unwrap();
        assert_eq!(c.http.timeout, Duration::from_secs(7));
        assert_eq!(c.http.attempts, 2);
        assert_eq!(c.http.retry_base, Duration::from_millis(10));
        assert_eq!(c.http.max_backoff, Duration::from_secs(3));
        assert_eq!(c.http.min_bytes_per_sec, 5000);
        assert_eq!(c.http.rate_window, Duration::from_secs(2));
        assert_eq!(c.cache_max_bytes, 1000);
        assert_eq!(
            config(&[], &[]).unwrap().cache_max_bytes,
            DEFAULT_CACHE_MAX_BYTES
        );
    }

    #[test]
    fn no_modify_path_from_flag_or_variable() {
        assert!(config(&[], &[]).unwrap().modify_path);
        assert!(!config(&["--no-modify-path"], &[]).unwrap().modify_path);
        assert!(
            !config(&[], &[("BITNET_NO_MODIFY_PATH", "1")])
                .unwrap()
                .modify_path
        );
    }

    #[test]
    fn a_foreign_repo_gets_its_own_prefix_unless_one_is_given() {
        let c = config(&["--repo", "BurntSushi/ripgrep"], &[]).unwrap();
        assert_eq!(
            c.layout.prefix,
            PathBuf::from("/home/u/.local/share/bitnet/repos/BurntSushi/ripgrep")
        );
        assert_eq!(c.product, "ripgrep");
        let c = config(&["--repo", "BurntSushi/ripgrep", "--prefix", "/p"], &[]).unwrap();
        assert_eq!(c.layout.prefix, PathBuf::from("/p"));
        let c = config(&["--repo", "a/b"], &[("BITNET_HOME", "/q")]).unwrap();
        assert_eq!(c.layout.prefix, PathBuf::from("/q"));
        let c = config(&[], &[]).unwrap();
        assert_eq!(
            c.layout.prefix,
            PathBuf::from("/home/u/.local/share/bitnet")
        );
        assert_eq!(c.product, "bitnet");
    }

    #[test]
    fn a_foreign_repo_takes_tags_as_versions() {
        let c = config(&["--repo", "ggml-org/llama.cpp", "--version", "b3672"], &[]).unwrap();
        match &c.source {
            SourceSpec::GitHub(gh) => {
                assert!(gh.lenient_tags);
                assert_eq!(gh.tag_prefix, "");
                assert_eq!(
                    gh.exact_tag,
                    Some(("b3672".to_string(), semver::Version::new(3672, 0, 0)))
                );
            }
            SourceSpec::Roots(_) => panic!("expected GitHub"),
        }
        assert_eq!(
            config(&["--version", "b3672"], &[])
                .unwrap_err()
                .exit_code(),
            2
        );
    }
}
