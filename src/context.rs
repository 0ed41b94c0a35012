//! What every step of one run shares: the validated `Config`, the `Env`, the
//! one `Fetcher` (HTTP client, conditional-request store) and the progress
//! reporter. Built once per run by the command line or by the `Updater`.

use std::cell::Cell;

use crate::cache::Cache;
use crate::config::Config;
use crate::download::{ConditionalStore, Fetcher};
use crate::env::Env;
use crate::error::{IoContext, Result};
use crate::layout::Layout;
use crate::platform::{self, Platform};
use crate::progress::Progress;

pub struct Context<'a> {
    pub config: &'a Config,
    pub env: &'a Env,
    pub fetcher: Fetcher,
    pub progress: Progress,
    warned_about_key: Cell<bool>,
}

impl<'a> Context<'a> {
    pub fn new(config: &'a Config, env: &'a Env) -> Self {
        let progress = Progress::new(config.quiet, env.stderr_is_terminal, config.verbose);
        let conditional = ConditionalStore::new(config.layout.cache_dir.join("http"));
        Context {
            fetcher: Fetcher::new(config.http.clone(), config.offline, progress.clone())
                .with_conditional_store(conditional),
            progress,
            config,
            env,
            warned_about_key: Cell::new(false),
        }
    }

    pub fn layout(&self) -> &Layout {
        &self.config.layout
    }

    /// The download cache of verified releases.
    pub fn cache(&self) -> Cache {
        Cache::new(&self.config.layout.cache_dir, self.config.cache_max_bytes)
    }

    /// The platform to install for: detected, or the `--target` given, with
    /// the `--cpu`/`--gpu` preferences checked against it.
    pub fn platform(&self) -> Result<Platform> {
        let detected = platform::detect(self.env);
        let chosen = match &self.config.target {
            Some(triple) => platform::for_target(triple, &detected)?,
            None => detected,
        };
        platform::check_preferences(&chosen, &self.config.preferences)?;
        Ok(chosen)
    }

    /// Says once per run that the user's key replaces the built-in ones, the
    /// first time a signature is about to be checked with it.
    pub fn warn_if_key_overridden(&self) {
        // `-q` asks for errors only; an overridden key is the user's own choice.
        if self.config.keys.overridden && !self.config.quiet && !self.warned_about_key.replace(true)
        {
            self.progress.warn(
                "trusting the public key given with --public-key / BITNET_PUBLIC_KEY instead of the built-in keys",
            );
        }
    }

    /// Takes the prefix lock, telling the user when another process holds it,
    /// then clears what a killed run left behind.
    pub fn lock(&self) -> Result<crate::lock::PrefixLock> {
        let layout = self.layout();
        std::fs::create_dir_all(&layout.prefix).at("create", &layout.prefix)?;
        let held = crate::lock::acquire(&layout.lock_path(), self.config.lock_wait, |holder| {
            self.progress.info(&format!(
                "waiting for {holder} to finish with {}",
                layout.prefix.display()
            ));
        })?;
        crate::install::clean_leftovers(layout);
        crate::interrupt::scratch_in(layout.tmp_dir());
        Ok(held)
    }
}
