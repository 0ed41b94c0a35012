//! The embeddable updater: the few calls another program (for example
//! `bitnet-cli`) needs to offer `self update` with the same resolution,
//! verification and atomic switch as `bitnet-install update`, plus a throttled
//! check for "a new version is available" notices. It builds the same `Config`
//! the command line does (from `config::Options`, without clap) and runs the
//! same `plan`, so there is one code path.
//!
//! ```no_run
//! use bitnet_install::Updater;
//!
//! # fn main() -> Result<(), bitnet_install::Error> {
//! let updater = Updater::new()
//!     .from("https://downloads.example.org/bitnet")
//!     .build()?;
//! if let Some(newer) = updater.check()? {
//!     println!("updating to {newer}");
//!     updater.update()?;
//! }
//! # Ok(())
//! # }
//! ```

use std::path::PathBuf;

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::config::{Config, Options, PRODUCT, PRODUCT_EXECUTABLES};
use crate::context::Context;
use crate::env::Env;
use crate::error::Result;
use crate::install;
use crate::plan::{self, Kind, Product};
use crate::report::InstallStatus;
use crate::state::State;
use crate::version::{self, Channel, Requirement};

/// How long a throttled check trusts its last answer.
pub const CHECK_INTERVAL_SECS: u64 = 24 * 60 * 60;

/// Builds an `Updater`; every setting defaults to what `bitnet-install` would use
/// (environment variables included).
#[derive(Default)]
pub struct UpdaterBuilder {
    options: Options,
    env: Option<Env>,
}

impl UpdaterBuilder {
    /// A static root (CONTRACT 2.3) instead of GitHub Releases.
    pub fn from(mut self, root: &str) -> Self {
        self.options.release.from.push(root.to_string());
        self
    }

    /// A version requirement such as `0.3` (default: latest of the channel).
    pub fn version(mut self, requirement: &str) -> Self {
        self.options.release.version = Some(requirement.to_string());
        self
    }

    pub fn channel(mut self, channel: Channel) -> Self {
        self.options.release.channel = Some(channel);
        self
    }

    pub fn prefix(mut self, prefix: impl Into<PathBuf>) -> Self {
        self.options.location.prefix = Some(prefix.into());
        self
    }

    pub fn bin_dir(mut self, bin_dir: impl Into<PathBuf>) -> Self {
        self.options.location.bin_dir = Some(bin_dir.into());
        self
    }

    /// Trust this minisign key instead of the built-in ones.
    pub fn public_key(mut self, key: &str) -> Self {
        self.options.network.public_key = Some(key.to_string());
        self
    }

    /// Replaces the process environment (tests, or a host program that manages
    /// its own settings).
    pub fn env(mut self, env: Env) -> Self {
        self.env = Some(env);
        self
    }

    pub fn build(self) -> Result<Updater> {
        let env = self.env.unwrap_or_else(Env::from_process);
        let mut options = self.options;
        options.fill_from_env(&env)?;
        options.output.quiet = true;
        options.output.yes = true;
        options.change.no_modify_path = true;
        let config = Config::new(&options, &env)?;
        Ok(Updater { config, env })
    }
}

pub struct Updater {
    config: Config,
    env: Env,
}

/// What a throttled check remembers between runs.
#[derive(Debug, Default, Serialize, Deserialize)]
struct LastCheck {
    checked_at: u64,
    newer: Option<String>,
}

impl Updater {
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> UpdaterBuilder {
        UpdaterBuilder::default()
    }

    /// The active version, if any.
    pub fn active(&self) -> Option<Version> {
        install::active_version(&self.config.layout).and_then(|v| version::parse_version(&v))
    }

    /// The newest release newer than the active version, if there is one.
    /// Reads only the signed index (or the release listing); downloads no asset.
    pub fn check(&self) -> Result<Option<Version>> {
        let ctx = Context::new(&self.config, &self.env);
        Ok(self.newest(&ctx)?.map(|(newest, _)| newest))
    }

    /// The newest offered version when it is newer than the active one, with
    /// the listing it came from.
    fn newest(&self, ctx: &Context) -> Result<Option<(Version, plan::Listing)>> {
        let state = State::load(&self.config.layout.state_path())?;
        let listing = plan::list(ctx, PRODUCT, &self.config.source, &state)?;
        let newest = listing
            .pick(&self.config.requirement, self.config.channel)?
            .offered
            .version
            .clone();
        let active = self.active();
        Ok(plan::is_newer(&newest, active.as_ref()).then_some((newest, listing)))
    }

    /// Like `check`, but asks the source at most once per `CHECK_INTERVAL_SECS`
    /// (judged by the `Env`'s clock) and otherwise repeats the last answer. For
    /// "a new version is available" notices at start-up.
    pub fn check_throttled(&self) -> Result<Option<Version>> {
        let path = self.config.layout.prefix.join("last-check.json");
        let last: LastCheck = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        let fresh =
            self.env.now >= last.checked_at && self.env.now - last.checked_at < CHECK_INTERVAL_SECS;
        if fresh {
            let remembered = last.newer.as_deref().and_then(version::parse_version);
            return Ok(remembered.filter(|n| self.active().is_none_or(|a| n > &a)));
        }
        let newer = self.check()?;
        let record = LastCheck {
            checked_at: self.env.now,
            newer: newer.as_ref().map(Version::to_string),
        };
        if let Ok(json) = serde_json::to_vec(&record) {
            let _ = std::fs::create_dir_all(&self.config.layout.prefix);
            let _ = crate::atomic::write_file(&path, &json);
        }
        Ok(newer)
    }

    /// Installs the newest release newer than the active one (verified exactly
    /// as `bitnet-install update` does) and makes it active. Returns the version
    /// now active.
    pub fn update(&self) -> Result<Option<Version>> {
        let ctx = Context::new(&self.config, &self.env);
        if let Some((newest, listing)) = self.newest(&ctx)? {
            let _lock = ctx.lock()?;
            let product = Product {
                name: PRODUCT,
                executables: PRODUCT_EXECUTABLES,
                source: &self.config.source,
                kind: Kind::Signed,
            };
            let plan = plan::resolve(&ctx, &product, &listing, &Requirement::exact(&newest))?;
            let mut state = State::load(&self.config.layout.state_path())?;
            plan.execute(&ctx, &product, &mut state, InstallStatus::Updated)?;
        }
        Ok(self.active())
    }
}
