//! Carrying a plan out: download the asset (or take a verified copy from the
//! cache, or another mirror when one fails), check it against the plan's
//! evidence, install it in one transaction, record the state, then prune old
//! versions and put the commands on PATH. Also `activate`, the switch to an
//! installed version that `use`, `rollback` and a repeated install share.

use std::path::Path;

use super::{Plan, Product};
use crate::config::SourceSpec;
use crate::context::Context;
use crate::download::{Location, Partial, DEFAULT_MAX_ASSET_BYTES};
use crate::error::{Error, IoContext, Result};
use crate::hashed::HashedFile;
use crate::install::{self, Verified};
use crate::receipt::{self, Origin, Receipt};
use crate::report::{InstallReport, InstallStatus, SwitchReport};
use crate::source::{self, Evidence, Offered, RemoteAsset, Root};
use crate::state::State;
use crate::version::{self, Requirement};

impl Plan {
    /// Downloads the asset into `work` and checks it against the evidence; a
    /// verified copy in the cache is used instead of the network (unless
    /// `--force`), and a mirror that fails is replaced by the next one that
    /// offers the same release. What comes back is held open through the
    /// handle it was hashed through: read it there, not from its path.
    pub fn download(&self, ctx: &Context, product: &Product, work: &Path) -> Result<HashedFile> {
        let Evidence::SignedSums { release, .. } = &self.evidence else {
            return self.fetch_checked(ctx, &self.asset, &self.evidence, work);
        };
        if let Some(cached) = self.cached_copy(ctx) {
            return Ok(cached);
        }
        let first = self.fetch_checked(ctx, &self.asset, &self.evidence, work);
        let downloaded = match (first, product.source) {
            (Err(e), SourceSpec::Roots(roots))
                if roots.len() > 1 && e.another_source_may_help() =>
            {
                self.download_from_other_mirrors(ctx, product, roots, work, e)?
            }
            (result, _) => result?,
        };
        if matches!(self.asset.location, Location::Remote(_)) {
            // The cache links the file by its path: that must still be it.
            downloaded.require_unchanged()?;
            let phase = ctx.progress.phase("cache");
            let stored = ctx
                .cache()
                .store(release, &self.asset.name, downloaded.path());
            phase.end();
            if let Err(e) = stored {
                ctx.progress
                    .warn(&format!("could not cache {}: {e}", self.asset.name));
            }
        }
        Ok(downloaded)
    }

    /// The cached copy of a signed release's asset, when it still hashes to
    /// the signed checksum, held open through the handle it was hashed
    /// through. `--force` is the way to repair an install: it fetches afresh.
    fn cached_copy(&self, ctx: &Context) -> Option<HashedFile> {
        let sha256 = self.evidence.sha256().filter(|_| !ctx.config.force)?;
        let cached =
            ctx.cache()
                .verified_asset(&self.product, &self.version, &self.asset.name, sha256)?;
        ctx.progress
            .step(&format!("using the cached {}", cached.path().display()));
        Some(cached)
    }

    /// Streams one asset into `work`, hashing it, then checks it against
    /// `evidence`. The size the source announced is the cap.
    fn fetch_checked(
        &self,
        ctx: &Context,
        asset: &RemoteAsset,
        evidence: &Evidence,
        work: &Path,
    ) -> Result<HashedFile> {
        let dest = work.join(&asset.name);
        let cap = asset.size.unwrap_or(DEFAULT_MAX_ASSET_BYTES);
        ctx.progress
            .step(&format!("downloading {}", asset.location.display()));
        let phase = ctx.progress.phase("download+hash");
        let fetched = match &asset.location {
            Location::Remote(url) => {
                let partial_dir = ctx.layout().partial_dir();
                let partial = Partial::new(&partial_dir, &asset.name, url, evidence.sha256());
                let mut fetched = ctx.fetcher.fetch_partial(&partial, cap, &asset.name)?;
                phase.end();
                let phase = ctx.progress.phase("verification");
                let checked = evidence.check(asset, &mut fetched, &ctx.config.keys);
                phase.end();
                if let Err(e) = checked {
                    // Closed first: Windows keeps an open file's directory.
                    drop(fetched);
                    partial.discard();
                    return Err(e);
                }
                partial.take_into(&dest)?;
                fetched.moved_to(&dest)
            }
            Location::Local(_) => {
                let mut fetched =
                    ctx.fetcher
                        .fetch_to_file(&asset.location, &[], &dest, cap, &asset.name)?;
                phase.end();
                let phase = ctx.progress.phase("verification");
                evidence.check(asset, &mut fetched, &ctx.config.keys)?;
                phase.end();
                fetched
            }
        };
        Ok(fetched)
    }

    /// Tries the roots after the one that failed, each opened and verified
    /// anew: a mirror's copy is trusted only through its own signed checksums.
    fn download_from_other_mirrors(
        &self,
        ctx: &Context,
        product: &Product,
        roots: &[Root],
        work: &Path,
        first_error: Error,
    ) -> Result<HashedFile> {
        let name = &self.asset.name;
        let mut last = first_error;
        for root in roots.iter().filter(|r| r.text != self.source) {
            ctx.progress.warn(&format!(
                "{} failed: {last}; trying {}",
                self.source, root.text
            ));
            let offered = Offered {
                version: self.version.clone(),
                base: root.location.join(&format!("v{}", self.version)),
                assets: None,
            };
            let attempt =
                source::open_release(&ctx.fetcher, product.name, &offered, &ctx.config.keys)
                    .and_then(|release| {
                        let asset = release.asset(name).cloned().ok_or_else(|| {
                            Error::verification(format!(
                                "{name} is not listed in the signed SHA256SUMS of {}",
                                root.text
                            ))
                        })?;
                        let sha256 = release
                            .checksums
                            .digest_of(name)
                            .ok_or_else(|| Error::internal("a listed asset has no checksum"))?;
                        let evidence = Evidence::SignedSums {
                            sha256,
                            release: Box::new(release),
                        };
                        let _ = std::fs::remove_file(work.join(name));
                        self.fetch_checked(ctx, &asset, &evidence, work)
                    });
            match attempt {
                Ok(done) => {
                    ctx.progress
                        .info(&format!("downloaded {name} from {}", root.text));
                    return Ok(done);
                }
                Err(e) if e.another_source_may_help() => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    /// What the plan changes given what is installed: nothing when the version
    /// is already active (unless `--force`), a refusal for a downgrade without
    /// `--allow-downgrade`, a switch when an inactive copy of exactly this
    /// asset is installed, else a download and install.
    pub fn apply(
        &self,
        ctx: &Context,
        product: &Product,
        state: &mut State,
        status: InstallStatus,
    ) -> Result<InstallReport> {
        let layout = ctx.layout();
        let active = install::active_version(layout).and_then(|v| version::parse_version(&v));
        let Some(active) = active else {
            return self.execute(ctx, product, state, status);
        };
        if active == self.version && !ctx.config.force {
            return already_active(ctx, &active);
        }
        if self.version < active && !ctx.config.allow_downgrade {
            if ctx.config.requirement == Requirement::Latest {
                ctx.progress.warn(&format!(
                    "the source offers {} at most, older than the active {active}; nothing was changed",
                    self.version
                ));
                return already_active(ctx, &active);
            }
            return Err(Error::other(
                format!("{} is older than the active version {active}", self.version),
                "pass --allow-downgrade to install an older version, or use `bitnet-install use` for one that is installed.",
            ));
        }
        if let Some(receipt) = self.installed_copy(ctx).filter(|_| !ctx.config.force) {
            let switched = activate(ctx, &receipt)?;
            return Ok(InstallReport::new(
                &receipt,
                status,
                switched.previous,
                layout.prefix.clone(),
                layout.bin_dir.clone(),
            ));
        }
        self.execute(ctx, product, state, status)
    }

    /// The receipt of an installed, inactive copy of exactly the chosen asset:
    /// installing it again only needs the switch, not a download.
    fn installed_copy(&self, ctx: &Context) -> Option<Receipt> {
        let layout = ctx.layout();
        let receipt = Receipt::read(&layout.receipt_path(&self.version.to_string())).ok()?;
        let same_asset = receipt.origin.asset == self.asset.name
            && self.evidence.sha256() == Some(receipt.origin.sha256);
        (same_asset && layout.versions_dir().join(&receipt.dir).is_dir()).then_some(receipt)
    }

    /// Downloads, verifies and installs the plan, then records the state.
    pub fn execute(
        &self,
        ctx: &Context,
        product: &Product,
        state: &mut State,
        status: InstallStatus,
    ) -> Result<InstallReport> {
        let layout = ctx.layout();
        let work = install::private_temp_dir(layout, "download-")?;
        let mut downloaded = self.download(ctx, product, work.path())?;
        crate::faults::checkpoint("downloaded").at("download into", work.path())?;
        let verified = Verified {
            origin: Origin {
                product: self.product.clone(),
                version: self.version.to_string(),
                target: self.selection.target.clone(),
                variant: self.selection.variant.clone(),
                asset: self.asset.name.clone(),
                sha256: downloaded.sha256(),
                source: self.source.clone(),
            },
            executables: self.executables.clone(),
            installed_at: ctx.env.now,
        };
        let self_exe = ctx.env.current_exe.as_deref();
        let mut installed =
            install::install(layout, &verified, &mut downloaded, self_exe, &ctx.progress)?;
        let phase = ctx.progress.phase("install");
        if let Some((root, mark)) = &self.index_mark {
            state.record_index(root, *mark);
        }
        let previous = installed.previous.clone();
        if previous.as_deref() != Some(installed.receipt.origin.version.as_str()) {
            state.previous = previous.clone().or(state.previous.take());
        }
        // The state is saved inside the transaction: if that write or the
        // switch fails, both are undone and the earlier version stays active.
        installed.save_state(state, &layout.state_path())?;
        installed.switch(layout)?;
        let receipt = installed.receipt.clone();
        installed.commit();
        phase.end();
        // The new version is in place; what follows is housekeeping whose
        // failure must not turn a successful install into an error.
        if let Err(e) = prune(ctx, state) {
            ctx.progress
                .warn(&format!("could not remove old versions: {e}"));
        }
        let _ = crate::faults::checkpoint("pruned");
        if let Err(e) = crate::shell_path::after_install(ctx.config, ctx.env, &ctx.progress) {
            ctx.progress
                .warn(&format!("could not put the commands on PATH: {e}"));
        }
        Ok(InstallReport::new(
            &receipt,
            status,
            previous,
            layout.prefix.clone(),
            layout.bin_dir.clone(),
        ))
    }
}

fn already_active(ctx: &Context, active: &semver::Version) -> Result<InstallReport> {
    let layout = ctx.layout();
    let receipt = Receipt::read(&layout.receipt_path(&active.to_string()))?;
    install::relink_active(layout, &receipt)?;
    Ok(InstallReport::new(
        &receipt,
        InstallStatus::AlreadyInstalled,
        None,
        layout.prefix.clone(),
        layout.bin_dir.clone(),
    ))
}

/// Makes an installed version active and remembers the one it replaces.
pub fn activate(ctx: &Context, receipt: &Receipt) -> Result<SwitchReport> {
    let layout = ctx.layout();
    let version = &receipt.origin.version;
    let dir = layout.versions_dir().join(&receipt.dir);
    if !dir.is_dir() {
        return Err(Error::local(
            "find",
            &dir,
            format!("the files of {version} are missing"),
            format!("reinstall it with `bitnet-install install --version ={version} --force`."),
        ));
    }
    let previous = install::active_version(layout);
    if previous.as_deref() != Some(version.as_str()) {
        let mut tx = install::Transaction::default();
        install::switch_current(layout, &receipt.dir, &mut tx)?;
        let mut state = State::load(&layout.state_path())?;
        state.previous = previous.clone();
        tx.keep_copy(&layout.state_path())?;
        state.save(&layout.state_path())?;
        tx.commit();
    } else {
        install::relink_active(layout, receipt)?;
    }
    Ok(SwitchReport {
        version: version.clone(),
        previous,
        asset: receipt.origin.asset.clone(),
        sha256: receipt.origin.sha256,
        product: receipt.origin.product.clone(),
    })
}

/// Keeps the `keep` most recently installed versions, and never the active or
/// the previous one, which `rollback` needs.
fn prune(ctx: &Context, state: &State) -> Result<()> {
    let layout = ctx.layout();
    let active = install::active_version(layout);
    let mut receipts = receipt::read_all(&layout.receipts_dir())?;
    // Newest first; versions installed in the same second go by semver.
    receipts.sort_by_key(|r| {
        std::cmp::Reverse((r.installed_at, version::parse_version(&r.origin.version)))
    });
    let protected = |r: &Receipt| {
        let v = Some(&r.origin.version);
        v == active.as_ref() || v == state.previous.as_ref()
    };
    let mut kept = receipts.iter().filter(|r| protected(r)).count();
    for receipt in &receipts {
        if protected(receipt) {
            continue;
        }
        if kept < ctx.config.keep {
            kept += 1;
            continue;
        }
        ctx.progress
            .step(&format!("removing old version {}", receipt.origin.version));
        crate::uninstall::remove_version(layout, receipt)?;
    }
    Ok(())
}
