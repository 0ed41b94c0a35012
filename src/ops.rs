//! The commands, orchestrated from the pipeline's steps: find a release,
//! verify it, pick and download its asset, install it, and the lifecycle
//! commands around that. Each returns the exit code; results go through
//! `output`, progress through `progress`.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::cache::Cache;
use crate::cli::{CacheCommand, Command, SelfCommand};
use crate::config::{Config, SourceSpec, PRODUCT, PRODUCT_EXECUTABLES};
use crate::download::{Fetcher, Location};
use crate::env::Env;
use crate::error::{exit, Error, IoContext, Result};
use crate::install::{self, Verified};
use crate::layout::Layout;
use crate::output::Output;
use crate::platform::{self, Platform};
use crate::progress::Progress;
use crate::receipt::{self, Receipt};
use crate::select::{self, Selection};
use crate::source::foreign::{self, Evidence};
use crate::source::{self, index, Offered, Root, VerifiedRelease};
use crate::state::State;
use crate::version::{self, Requirement};

/// Everything a command needs, built once.
pub struct Context<'a> {
    pub config: &'a Config,
    pub env: &'a Env,
    pub fetcher: Fetcher,
    pub progress: Progress,
    pub output: Output,
    warned_about_key: std::cell::Cell<bool>,
}

impl<'a> Context<'a> {
    pub fn new(config: &'a Config, env: &'a Env) -> Self {
        let progress = Progress::new(config.quiet, env.stderr_is_terminal, config.verbose);
        Context {
            fetcher: Fetcher::new(config.http.clone(), config.offline, progress.clone())
                .with_conditional_store(
                    Cache::new(&config.layout.cache_dir, config.cache_max_bytes)
                        .conditional_store(),
                ),
            progress,
            output: Output {
                json: config.json,
                quiet: config.quiet,
            },
            config,
            env,
            warned_about_key: std::cell::Cell::new(false),
        }
    }

    /// Says once per run that the user's key replaces the built-in ones, the
    /// first time a signature is about to be checked with it.
    fn warn_if_key_overridden(&self) {
        if self.config.keys.overridden && !self.warned_about_key.replace(true) {
            self.progress
                .warn("trusting the public key given with --public-key / BITNET_PUBLIC_KEY instead of the built-in keys");
        }
    }

    fn layout(&self) -> &Layout {
        &self.config.layout
    }

    /// The download cache of verified releases.
    pub fn cache(&self) -> Cache {
        Cache::new(&self.config.layout.cache_dir, self.config.cache_max_bytes)
    }

    fn platform(&self) -> Result<Platform> {
        let detected = platform::detect(self.env);
        let chosen = match &self.config.target {
            Some(triple) => platform::for_target(triple, &detected)?,
            None => detected,
        };
        platform::check_preferences(&chosen, &self.config.preferences)?;
        Ok(chosen)
    }
}

pub fn run(command: Option<&Command>, ctx: &Context) -> Result<i32> {
    match command {
        None | Some(Command::Install) => install_command(ctx),
        Some(Command::Update { check }) => update_command(ctx, *check),
        Some(Command::List { remote }) => list_command(ctx, *remote),
        Some(Command::Use { version }) => use_command(ctx, version),
        Some(Command::Rollback) => rollback_command(ctx),
        Some(Command::Uninstall { version, all }) => {
            uninstall_command(ctx, version.as_deref(), *all)
        }
        Some(Command::Verify) => verify_command(ctx),
        Some(Command::Detect) => detect_command(ctx),
        Some(Command::SelfCmd(SelfCommand::Update { check })) => {
            crate::self_update::update(ctx, *check)
        }
        Some(Command::SelfCmd(SelfCommand::Rollback)) => crate::self_update::rollback(ctx),
        Some(Command::SelfCmd(SelfCommand::Uninstall)) => crate::self_update::uninstall(ctx),
        Some(Command::Completions { .. }) => unreachable!("completions are printed by main"),
        Some(Command::Cache(CacheCommand::Clean)) => cache_clean_command(ctx),
    }
}

/// What a product's releases look like to the installer.
pub struct Product<'a> {
    pub name: &'a str,
    pub executables: &'a [&'a str],
    pub source: &'a SourceSpec,
}

pub fn bitnet(config: &Config) -> Product<'_> {
    Product {
        name: &config.product,
        executables: if config.foreign_repo {
            &[]
        } else {
            PRODUCT_EXECUTABLES
        },
        source: &config.source,
    }
}

/// A release resolved, verified and with its asset chosen.
pub struct Resolved {
    pub release: VerifiedRelease,
    pub selection: Selection,
    pub platform: Platform,
    pub source_text: String,
    /// The signed index timestamp to record for this root.
    pub index_mark: Option<(String, u64)>,
    /// `--repo`: what vouches for the asset (see `source::foreign`).
    pub evidence: Option<Evidence>,
}

/// A version offered by one source, with where it came from.
pub struct OfferedAt {
    pub offered: Offered,
    pub source: String,
    /// The signed index timestamp to record for the root, when it has one.
    pub index_mark: Option<(String, u64)>,
}

/// The versions a source offers (verified), tried root by root: a root that
/// fails is skipped for the next one.
pub fn offered_versions(
    ctx: &Context,
    product: &str,
    source: &SourceSpec,
    state: &State,
) -> Result<Vec<OfferedAt>> {
    ctx.warn_if_key_overridden();
    if ctx.fetcher.is_offline() {
        return offered_offline(ctx, product, source, state);
    }
    match source {
        SourceSpec::GitHub(gh) => {
            let offered = gh.list(&ctx.fetcher)?;
            Ok(offered
                .into_iter()
                .map(|offered| OfferedAt {
                    offered,
                    source: format!("https://github.com/{}", gh.repo),
                    index_mark: None,
                })
                .collect())
        }
        SourceSpec::Roots(roots) => offered_by_roots(ctx, product, roots, state),
    }
}

fn offered_by_roots(
    ctx: &Context,
    product: &str,
    roots: &[Root],
    state: &State,
) -> Result<Vec<OfferedAt>> {
    try_roots(ctx, roots, |root| {
        let view = index::read_index(
            &ctx.fetcher,
            root,
            product,
            &ctx.config.keys,
            state.high_water(&root.text, &ctx.config.keys.ids()),
            ctx.env.now,
        )?;
        Ok(view
            .offered
            .into_iter()
            .map(|offered| OfferedAt {
                offered,
                source: root.text.clone(),
                index_mark: Some((State::mark_name(&root.text, &view.signer), view.timestamp)),
            })
            .collect())
    })
}

/// `--offline`: the local roots given, or else the download cache.
fn offered_offline(
    ctx: &Context,
    product: &str,
    source: &SourceSpec,
    state: &State,
) -> Result<Vec<OfferedAt>> {
    if let SourceSpec::Roots(roots) = source {
        let local: Vec<Root> = roots
            .iter()
            .filter(|r| matches!(r.location, Location::Local(_)))
            .cloned()
            .collect();
        if !local.is_empty() {
            return offered_by_roots(ctx, product, &local, state);
        }
    }
    offered_by_cache(ctx, product)
}

/// The cached releases of `product` whose signed checksums still verify with
/// the trusted keys; the others are skipped with a warning.
fn offered_by_cache(ctx: &Context, product: &str) -> Result<Vec<OfferedAt>> {
    let cache = ctx.cache();
    let source = format!("the download cache ({})", cache.dir().display());
    let mut usable = Vec::new();
    for offered in cache.offered(product) {
        match source::open_release(&ctx.fetcher, product, &offered, &ctx.config.keys) {
            Ok(_) => usable.push(OfferedAt {
                offered,
                source: source.clone(),
                index_mark: None,
            }),
            Err(e) => ctx.progress.warn(&format!(
                "ignoring cached {product} {}: {e}",
                offered.version
            )),
        }
    }
    if usable.is_empty() {
        return Err(Error::no_match(
            format!("no verified release of {product} is in {source}"),
            "run once without --offline so that a release is downloaded and cached.",
        ));
    }
    Ok(usable)
}

/// Runs `attempt` on each root in turn until one succeeds; network and
/// verification failures move on to the next root, and the last error is
/// returned when every root failed.
fn try_roots<T>(
    ctx: &Context,
    roots: &[Root],
    mut attempt: impl FnMut(&Root) -> Result<T>,
) -> Result<T> {
    let mut last = None;
    for (i, root) in roots.iter().enumerate() {
        match attempt(root) {
            Ok(value) => {
                if i > 0 {
                    ctx.progress
                        .info(&format!("using {} (earlier sources failed)", root.text));
                }
                return Ok(value);
            }
            Err(e @ Error::Usage { .. }) => return Err(e),
            Err(e) => {
                if i + 1 < roots.len() {
                    ctx.progress.warn(&format!(
                        "{} failed: {e}; trying the next source",
                        root.text
                    ));
                }
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::usage(
            "no source was given",
            "pass --from with a URL or directory.",
        )
    }))
}

/// The newest offered version that satisfies `requirement` on the channel.
fn pick_version<'o>(
    ctx: &Context,
    product: &str,
    requirement: &Requirement,
    offered: &'o [OfferedAt],
) -> Result<&'o OfferedAt> {
    let best = version::resolve(
        requirement,
        ctx.config.channel,
        offered.iter().map(|o| &o.offered.version),
    );
    let best =
        best.ok_or_else(|| {
            let mut listed: Vec<String> = offered
                .iter()
                .map(|o| o.offered.version.to_string())
                .collect();
            listed.sort();
            listed.dedup();
            Error::no_match(
            format!(
                "no release of {product} matches '{}' (offered: {})",
                requirement.describe(),
                if listed.is_empty() { "none".to_string() } else { listed.join(", ") }
            ),
            "ask for one of the offered versions, or use --channel beta/nightly for pre-releases.",
        )
        })?;
    Ok(offered
        .iter()
        .find(|o| &o.offered.version == best)
        .expect("the resolved version comes from the offered list"))
}

/// Resolves the requirement against the product's source, verifies the
/// release's checksums and chooses the asset for this platform.
pub fn resolve(
    ctx: &Context,
    product: &Product,
    requirement: &Requirement,
    state: &State,
) -> Result<Resolved> {
    let platform = ctx.platform()?;
    let offered = offered_versions(ctx, product.name, product.source, state)?;
    resolve_among(ctx, product, requirement, &offered, platform)
}

/// `resolve` once the offered versions are known.
fn resolve_among(
    ctx: &Context,
    product: &Product,
    requirement: &Requirement,
    offered: &[OfferedAt],
    platform: Platform,
) -> Result<Resolved> {
    let chosen = pick_version(ctx, product.name, requirement, offered)?;
    ctx.progress.step(&format!(
        "resolved {} {} from {}",
        product.name, chosen.offered.version, chosen.source
    ));
    if ctx.config.foreign_repo {
        return resolve_foreign(ctx, product, chosen, platform);
    }
    let release = source::open_release(
        &ctx.fetcher,
        product.name,
        &chosen.offered,
        &ctx.config.keys,
    )?;
    let names: Vec<String> = release.assets.iter().map(|a| a.name.clone()).collect();
    let selection = if ctx.config.foreign_repo {
        select::select_foreign_asset(&names, &ctx.config.bin, &platform, &ctx.config.preferences)?
    } else {
        select::select_asset(
            product.name,
            &release.version.to_string(),
            &names,
            &platform,
            &ctx.config.preferences,
        )?
    };
    show_candidates(ctx, &selection);
    Ok(Resolved {
        release,
        selection,
        platform,
        source_text: chosen.source.clone(),
        index_mark: chosen.index_mark.clone(),
        evidence: None,
    })
}

fn show_candidates(ctx: &Context, selection: &Selection) {
    if ctx.progress.is_verbose() {
        for candidate in &selection.candidates {
            let mark = if candidate.accepted { "+" } else { "-" };
            eprintln!("  {mark} {}: {}", candidate.asset, candidate.reason);
        }
    }
    for note in &selection.notes {
        ctx.progress.info(note);
    }
}

/// `--repo`: the asset is chosen from every listed name, then the strongest
/// evidence the release offers for it is found (`source::foreign`).
fn resolve_foreign(
    ctx: &Context,
    product: &Product,
    chosen: &OfferedAt,
    platform: Platform,
) -> Result<Resolved> {
    if let Some(tag) = source::github::tag_of(&chosen.offered) {
        ctx.progress.step(&format!("release tag {tag}"));
    }
    let listed = chosen.offered.assets.clone().unwrap_or_default();
    let names: Vec<String> = listed.iter().map(|a| a.name.clone()).collect();
    let selection =
        select::select_foreign_asset(&names, &ctx.config.bin, &platform, &ctx.config.preferences)?;
    show_candidates(ctx, &selection);
    let keys = ctx.config.keys.overridden.then_some(&ctx.config.keys);
    let evidence = foreign::gather(
        &ctx.fetcher,
        &listed,
        &selection.asset,
        keys,
        ctx.config.allow_unverified,
    )?;
    if evidence == Evidence::Unverified {
        ctx.progress.warn(&format!(
            "{} has no checksum or signature; installing it unverified because of --allow-unverified",
            selection.asset
        ));
    } else {
        ctx.progress.step(&evidence.describe());
    }
    let release = foreign::release(
        product.name,
        &chosen.offered,
        listed,
        &selection.asset,
        &evidence,
    )?;
    Ok(Resolved {
        release,
        selection,
        platform,
        source_text: chosen.source.clone(),
        index_mark: None,
        evidence: Some(evidence),
    })
}

/// Downloads the chosen asset into the prefix's temp area and checks it
/// against the signed checksum (and the host's digest when it publishes one).
/// A verified copy in the cache is used instead of the network; a mirror that
/// fails is replaced by the next one that offers the same release.
pub fn download_verified(
    ctx: &Context,
    resolved: &Resolved,
    source: &SourceSpec,
    work: &Path,
) -> Result<(PathBuf, String)> {
    let name = &resolved.selection.asset;
    if let Some(evidence) = &resolved.evidence {
        return download_foreign_asset(ctx, resolved, evidence, source, work);
    }
    let first = download_release_asset(ctx, &resolved.release, name, source, work);
    match (first, source) {
        (Err(e), SourceSpec::Roots(roots)) if roots.len() > 1 && mirror_may_help(&e) => {
            download_from_other_mirrors(ctx, resolved, roots, work, e)
        }
        (result, _) => result,
    }
}

/// Failures that another copy of the same release could avoid.
fn mirror_may_help(e: &Error) -> bool {
    matches!(
        e,
        Error::Network { .. } | Error::Verification { .. } | Error::NoMatch { .. }
    )
}

/// Tries the roots after the one that failed, each opened and verified anew.
fn download_from_other_mirrors(
    ctx: &Context,
    resolved: &Resolved,
    roots: &[Root],
    work: &Path,
    first_error: Error,
) -> Result<(PathBuf, String)> {
    let name = &resolved.selection.asset;
    let mut last = first_error;
    for root in roots.iter().filter(|r| r.text != resolved.source_text) {
        ctx.progress.warn(&format!(
            "{} failed: {last}; trying {}",
            resolved.source_text, root.text
        ));
        let offered = Offered {
            version: resolved.release.version.clone(),
            base: root
                .location
                .join(&format!("v{}", resolved.release.version)),
            assets: None,
        };
        let attempt = source::open_release(
            &ctx.fetcher,
            &resolved.release.product,
            &offered,
            &ctx.config.keys,
        )
        .and_then(|release| {
            let _ = std::fs::remove_file(work.join(name));
            download_release_asset(ctx, &release, name, &SourceSpec::Roots(Vec::new()), work)
        });
        match attempt {
            Ok(done) => {
                ctx.progress
                    .info(&format!("downloaded {name} from {}", root.text));
                return Ok(done);
            }
            Err(e) if mirror_may_help(&e) => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// One release's asset: from the cache when a copy there still hashes to the
/// signed checksum (unless `--force`), otherwise downloaded, verified, then
/// cached.
fn download_release_asset(
    ctx: &Context,
    release: &VerifiedRelease,
    name: &str,
    source: &SourceSpec,
    work: &Path,
) -> Result<(PathBuf, String)> {
    let asset = release.asset(name).ok_or_else(|| {
        Error::verification(format!("{name} is not listed in the signed SHA256SUMS"))
    })?;
    let expected = release.checksums.digest_of(name).ok_or_else(|| {
        Error::verification(format!("{name} is not listed in the signed SHA256SUMS"))
    })?;
    let dest = work.join(name);
    let cache = ctx.cache();
    // `--force` is the way to repair an install: it fetches afresh.
    let cached = (!ctx.config.force)
        .then(|| cache.verified_asset(&release.product, &release.version, name, expected))
        .flatten();
    if let Some(cached) = cached {
        ctx.progress
            .step(&format!("using the cached {}", cached.display()));
        std::fs::copy(&cached, &dest).at("copy from the cache", &dest)?;
        return Ok((dest, expected.to_string()));
    }
    let downloaded = fetch_asset(ctx, asset, source, &dest)?;
    crate::verify::require_digest(name, expected, &downloaded.sha256)?;
    if let Some(host) = &asset.host_digest {
        crate::verify::require_digest(name, host, &downloaded.sha256)?;
    }
    if matches!(asset.location, Location::Remote(_)) {
        if let Err(e) = cache.store(release, name, &dest) {
            ctx.progress.warn(&format!("could not cache {name}: {e}"));
        }
    }
    Ok((dest, downloaded.sha256))
}

/// Streams one asset into `dest`, hashing it, with the source's token (GitHub
/// drops it on a redirect to another host) and the size it announced as a cap.
fn fetch_asset(
    ctx: &Context,
    asset: &crate::source::RemoteAsset,
    source: &SourceSpec,
    dest: &Path,
) -> Result<crate::download::Downloaded> {
    let headers: Vec<(&str, String)> = match source {
        SourceSpec::GitHub(gh) => gh
            .token
            .iter()
            .map(|t| ("authorization", format!("Bearer {t}")))
            .collect(),
        SourceSpec::Roots(_) => Vec::new(),
    };
    let cap = asset
        .size
        .unwrap_or(crate::download::DEFAULT_MAX_ASSET_BYTES);
    ctx.progress
        .step(&format!("downloading {}", asset.location.display()));
    ctx.fetcher
        .fetch_to_file(&asset.location, &headers, dest, cap, &asset.name)
}

/// `--repo`: downloads the chosen asset and checks it against its evidence.
/// Not cached: the cache holds only releases our signed checksums cover.
fn download_foreign_asset(
    ctx: &Context,
    resolved: &Resolved,
    evidence: &Evidence,
    source: &SourceSpec,
    work: &Path,
) -> Result<(PathBuf, String)> {
    let name = &resolved.selection.asset;
    let asset = resolved
        .release
        .asset(name)
        .ok_or_else(|| Error::internal(format!("the chosen asset {name} is not in the release")))?;
    let dest = work.join(name);
    let downloaded = fetch_asset(ctx, asset, source, &dest)?;
    foreign::check_download(&dest, asset, &downloaded.sha256, evidence, &ctx.config.keys)?;
    Ok((dest, downloaded.sha256))
}

fn install_command(ctx: &Context) -> Result<i32> {
    let layout = ctx.layout();
    let _lock = (!ctx.config.dry_run).then(|| lock(ctx)).transpose()?;
    let mut state = State::load(&layout.state_path())?;
    let product = bitnet(ctx.config);
    let resolved = resolve(ctx, &product, &ctx.config.requirement, &state)?;
    if ctx.config.dry_run {
        return print_plan(ctx, &resolved);
    }
    let active = install::active_version(layout);
    if let Some(done) = already_installed(ctx, &resolved, active.as_deref())? {
        return Ok(done);
    }
    install_resolved(ctx, &resolved, &mut state, "installed")
}

/// Nothing to do when the version is already active; a downgrade needs
/// `--allow-downgrade`.
fn already_installed(
    ctx: &Context,
    resolved: &Resolved,
    active: Option<&str>,
) -> Result<Option<i32>> {
    let version = &resolved.release.version;
    let Some(active) = active.and_then(version::parse_version) else {
        return Ok(None);
    };
    if &active == version && !ctx.config.force {
        let receipt = Receipt::read(&ctx.layout().receipt_path(&version.to_string()))?;
        report_install(ctx, &receipt, None, "already-installed");
        return Ok(Some(exit::OK));
    }
    if version < &active && !ctx.config.allow_downgrade {
        if ctx.config.requirement == Requirement::Latest {
            ctx.progress.warn(&format!(
                "the source offers {version} at most, older than the active {active}; nothing was changed"
            ));
            let receipt = Receipt::read(&ctx.layout().receipt_path(&active.to_string()))?;
            report_install(ctx, &receipt, None, "already-installed");
            return Ok(Some(exit::OK));
        }
        return Err(Error::other(
            format!("{version} is older than the active version {active}"),
            "pass --allow-downgrade to install an older version, or use `bitnet-install use` for one that is installed.",
        ));
    }
    if let Some(receipt) = installed_copy_of(ctx, resolved).filter(|_| !ctx.config.force) {
        return activate(ctx, &receipt).map(Some);
    }
    Ok(None)
}

/// The receipt of an installed, inactive copy of exactly the chosen asset:
/// installing it again only needs the switch, not a download.
fn installed_copy_of(ctx: &Context, resolved: &Resolved) -> Option<Receipt> {
    let layout = ctx.layout();
    let receipt =
        Receipt::read(&layout.receipt_path(&resolved.release.version.to_string())).ok()?;
    let same_asset = receipt.asset == resolved.selection.asset
        && resolved.release.checksums.digest_of(&receipt.asset) == Some(receipt.sha256.as_str());
    (same_asset && layout.versions_dir().join(&receipt.dir).is_dir()).then_some(receipt)
}

/// Downloads, verifies and installs a resolved release, then records state.
fn install_resolved(
    ctx: &Context,
    resolved: &Resolved,
    state: &mut State,
    status: &str,
) -> Result<i32> {
    let layout = ctx.layout();
    let work = install::private_temp_dir(layout, "download-")?;
    let (archive, sha256) = download_verified(ctx, resolved, &ctx.config.source, work.path())?;
    crate::faults::checkpoint("downloaded").at("download into", work.path())?;
    let verified = Verified {
        product: resolved.release.product.clone(),
        version: resolved.release.version.to_string(),
        target: resolved.selection.target.clone(),
        variant: resolved.selection.variant.clone(),
        asset: resolved.selection.asset.clone(),
        sha256,
        source: resolved.source_text.clone(),
        archive,
        // A foreign release declares none: they are found after extraction.
        executables: bitnet(ctx.config)
            .executables
            .iter()
            .map(|s| s.to_string())
            .collect(),
        installed_at: ctx.env.now,
    };
    let self_exe = ctx.env.current_exe.as_deref();
    let mut installed = install::install(layout, &verified, self_exe)?;
    if let Some((root, mark)) = &resolved.index_mark {
        state.record_index(root, *mark);
    }
    let previous = installed.previous.clone();
    if previous.as_deref() != Some(installed.receipt.version.as_str()) {
        state.previous = previous.clone().or(state.previous.take());
    }
    // The state is saved inside the transaction: if that write or the switch
    // fails, both are undone and the earlier version stays active.
    installed.save_state(state, &layout.state_path())?;
    installed.switch(layout)?;
    let receipt = installed.receipt.clone();
    installed.commit();
    // The new version is in place; what follows is housekeeping whose failure
    // must not turn a successful install into an error.
    if let Err(e) = prune(ctx, state) {
        ctx.progress
            .warn(&format!("could not remove old versions: {e}"));
    }
    let _ = crate::faults::checkpoint("pruned");
    if let Err(e) = crate::shell_path::after_install(ctx.config, ctx.env, &ctx.progress) {
        ctx.progress
            .warn(&format!("could not put the commands on PATH: {e}"));
    }
    report_install(ctx, &receipt, previous.as_deref(), status);
    Ok(exit::OK)
}

/// Keeps the `keep` most recently installed versions, and never the active or
/// the previous one, which `rollback` needs.
fn prune(ctx: &Context, state: &State) -> Result<()> {
    let layout = ctx.layout();
    let active = install::active_version(layout);
    let mut receipts = receipt::read_all(&layout.receipts_dir())?;
    // Newest first; versions installed in the same second go by semver.
    receipts
        .sort_by_key(|r| std::cmp::Reverse((r.installed_at, version::parse_version(&r.version))));
    let protected = |r: &Receipt| {
        Some(&r.version) == active.as_ref() || Some(&r.version) == state.previous.as_ref()
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
            .step(&format!("removing old version {}", receipt.version));
        crate::uninstall::remove_version(layout, receipt)?;
    }
    Ok(())
}

fn report_install(ctx: &Context, receipt: &Receipt, previous: Option<&str>, status: &str) {
    let value = json!({
        "status": status,
        "product": receipt.product,
        "version": receipt.version,
        "asset": receipt.asset,
        "sha256": receipt.sha256,
        "target": receipt.target,
        "variant": receipt.variant,
        "previous": previous,
        "prefix": ctx.layout().prefix,
        "bin_dir": ctx.layout().bin_dir,
    });
    let human = match status {
        "already-installed" => format!(
            "{} {} is already installed and active",
            receipt.product, receipt.version
        ),
        _ => format!(
            "{} {} {status} ({}); commands are in {}",
            receipt.product,
            receipt.version,
            receipt.asset,
            ctx.layout().bin_dir.display()
        ),
    };
    ctx.output.result(value, &human);
}

fn print_plan(ctx: &Context, resolved: &Resolved) -> Result<i32> {
    let asset = resolved.release.asset(&resolved.selection.asset);
    let url = asset.map(|a| a.location.display()).unwrap_or_default();
    let value = json!({
        "dry_run": true,
        "product": resolved.release.product,
        "version": resolved.release.version.to_string(),
        "asset": resolved.selection.asset,
        "url": url,
        "sha256": resolved.release.checksums.digest_of(&resolved.selection.asset),
        "target": resolved.selection.target,
        "variant": resolved.selection.variant,
        "emulated": resolved.selection.emulated,
        "notes": resolved.selection.notes,
        "source": resolved.source_text,
        "prefix": ctx.layout().prefix,
        "bin_dir": ctx.layout().bin_dir,
    });
    let human = format!(
        "would install {} {} from {url}\ninto {} (commands in {}); nothing was changed",
        resolved.release.product,
        resolved.release.version,
        ctx.layout().prefix.display(),
        ctx.layout().bin_dir.display()
    );
    ctx.output.result(value, &human);
    Ok(exit::OK)
}

fn update_command(ctx: &Context, check: bool) -> Result<i32> {
    let layout = ctx.layout();
    let _lock = (!check && !ctx.config.dry_run)
        .then(|| lock(ctx))
        .transpose()?;
    let mut state = State::load(&layout.state_path())?;
    let product = bitnet(ctx.config);
    let active = install::active_version(layout).and_then(|v| version::parse_version(&v));
    let offered = offered_versions(ctx, PRODUCT, product.source, &state)?;
    let newest = pick_version(ctx, PRODUCT, &ctx.config.requirement, &offered)?;
    let newer = active.as_ref().is_none_or(|a| &newest.offered.version > a);
    if check {
        let value = json!({
            "update_available": newer,
            "active": active.as_ref().map(|v| v.to_string()),
            "latest": newest.offered.version.to_string(),
        });
        let human = match (&active, newer) {
            (Some(a), false) => format!("{PRODUCT} {a} is up to date"),
            _ => format!("an update is available: {}", newest.offered.version),
        };
        ctx.output.result(value, &human);
        return Ok(if newer {
            exit::UPDATE_AVAILABLE
        } else {
            exit::OK
        });
    }
    if !newer {
        let active = active
            .expect("not newer implies an active version")
            .to_string();
        let receipt = Receipt::read(&layout.receipt_path(&active))?;
        report_install(ctx, &receipt, None, "up-to-date");
        return Ok(exit::OK);
    }
    let requirement = Requirement::parse(&format!("={}", newest.offered.version))?;
    let resolved = resolve(ctx, &product, &requirement, &state)?;
    if ctx.config.dry_run {
        return print_plan(ctx, &resolved);
    }
    install_resolved(ctx, &resolved, &mut state, "updated")
}

fn list_command(ctx: &Context, remote: bool) -> Result<i32> {
    let layout = ctx.layout();
    let receipts = receipt::read_all(&layout.receipts_dir())?;
    let active = install::active_version(layout);
    if remote {
        let state = State::load(&layout.state_path())?;
        let mut offered = offered_versions(ctx, PRODUCT, &ctx.config.source, &state)?;
        offered.sort_by(|a, b| b.offered.version.cmp(&a.offered.version));
        offered.dedup_by(|a, b| a.offered.version == b.offered.version);
        let rows: Vec<_> = offered
            .iter()
            .map(|o| {
                let v = o.offered.version.to_string();
                json!({
                    "version": v,
                    "installed": receipts.iter().any(|r| r.version == v),
                    "active": active.as_deref() == Some(v.as_str()),
                })
            })
            .collect();
        let human: Vec<String> = offered
            .iter()
            .map(|o| o.offered.version.to_string())
            .collect();
        ctx.output.result(json!(rows), &human.join("\n"));
        return Ok(exit::OK);
    }
    let rows: Vec<_> = receipts
        .iter()
        .rev()
        .map(|r| {
            json!({
                "version": r.version,
                "active": active.as_deref() == Some(r.version.as_str()),
                "target": r.target,
                "variant": r.variant,
                "asset": r.asset,
                "installed_at": r.installed_at,
            })
        })
        .collect();
    let human: Vec<String> = receipts
        .iter()
        .rev()
        .map(|r| {
            let mark = if active.as_deref() == Some(r.version.as_str()) {
                " (active)"
            } else {
                ""
            };
            format!("{}{mark}", r.version)
        })
        .collect();
    let human = if human.is_empty() {
        "no versions are installed".to_string()
    } else {
        human.join("\n")
    };
    ctx.output.result(json!(rows), &human);
    Ok(exit::OK)
}

fn use_command(ctx: &Context, requested: &str) -> Result<i32> {
    let _lock = lock(ctx)?;
    match find_installed(ctx, requested) {
        Ok(receipt) => activate(ctx, &receipt),
        Err(e @ Error::NoMatch { .. }) => install_from_cache(ctx, requested).map_err(|_| e),
        Err(e) => Err(e),
    }
}

/// Reinstalls a version that is no longer installed from its verified copy
/// in the download cache, without the network.
fn install_from_cache(ctx: &Context, requested: &str) -> Result<i32> {
    let requirement = Requirement::parse(requested)?;
    let product = bitnet(ctx.config);
    let platform = ctx.platform()?;
    let offered = offered_by_cache(ctx, PRODUCT)?;
    let resolved = resolve_among(ctx, &product, &requirement, &offered, platform)?;
    let mut state = State::load(&ctx.layout().state_path())?;
    install_resolved(ctx, &resolved, &mut state, "installed")
}

/// Makes an installed version active and remembers the one it replaces.
fn activate(ctx: &Context, receipt: &Receipt) -> Result<i32> {
    let layout = ctx.layout();
    let dir = layout.versions_dir().join(&receipt.dir);
    if !dir.is_dir() {
        if let Ok(code) = install_from_cache(ctx, &format!("={}", receipt.version)) {
            return Ok(code);
        }
        return Err(Error::local(
            "find",
            &dir,
            format!("the files of {} are missing", receipt.version),
            format!(
                "reinstall it with `bitnet-install install --version ={} --force`.",
                receipt.version
            ),
        ));
    }
    let previous = install::active_version(layout);
    if previous.as_deref() != Some(receipt.version.as_str()) {
        let mut tx = install::Transaction::default();
        install::switch_current(layout, &receipt.dir, &mut tx)?;
        let mut state = State::load(&layout.state_path())?;
        state.previous = previous.clone();
        tx.keep_copy(&layout.state_path())?;
        state.save(&layout.state_path())?;
        tx.commit();
    }
    let value = json!({"version": receipt.version, "previous": previous, "asset": receipt.asset, "sha256": receipt.sha256});
    ctx.output.result(
        value,
        &format!("{} {} is now active", receipt.product, receipt.version),
    );
    Ok(exit::OK)
}

/// The newest installed version matching `requested` (`0.3` matches 0.3.x).
fn find_installed(ctx: &Context, requested: &str) -> Result<Receipt> {
    let requirement = Requirement::parse(requested)?;
    let receipts = receipt::read_all(&ctx.layout().receipts_dir())?;
    let matching = receipts
        .iter()
        .filter(|r| {
            version::parse_version(&r.version)
                .is_some_and(|v| requirement.matches(&v, crate::version::Channel::Nightly))
        })
        .max_by_key(|r| version::parse_version(&r.version));
    matching.cloned().ok_or_else(|| {
        let installed: Vec<&str> = receipts.iter().map(|r| r.version.as_str()).collect();
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

fn rollback_command(ctx: &Context) -> Result<i32> {
    let _lock = lock(ctx)?;
    let state = State::load(&ctx.layout().state_path())?;
    let previous = state.previous.ok_or_else(|| {
        Error::no_match(
            "there is no previous version to roll back to",
            "list installed versions with `bitnet-install list`.",
        )
    })?;
    let receipt = find_installed(ctx, &format!("={previous}"))?;
    activate(ctx, &receipt)
}

fn uninstall_command(ctx: &Context, requested: Option<&str>, all: bool) -> Result<i32> {
    let _lock = lock(ctx)?;
    let Some(requested) = requested.filter(|_| !all) else {
        return uninstall_everything(ctx);
    };
    let receipt = find_installed(ctx, requested)?;
    let layout = ctx.layout();
    let mut switched_to = None;
    if install::active_version(layout).as_deref() == Some(receipt.version.as_str()) {
        let Some(replacement) = replacement_for(ctx, &receipt)? else {
            // The last installed version: removing it is removing BitNet.
            return uninstall_everything(ctx);
        };
        let mut tx = install::Transaction::default();
        install::switch_current(layout, &replacement.dir, &mut tx)?;
        let mut state = State::load(&layout.state_path())?;
        state.previous = None;
        tx.keep_copy(&layout.state_path())?;
        state.save(&layout.state_path())?;
        tx.commit();
        switched_to = Some(replacement.version);
    }
    crate::uninstall::remove_version(layout, &receipt)?;
    let human = match &switched_to {
        Some(v) => format!(
            "removed {} {}; {v} is now active",
            receipt.product, receipt.version
        ),
        None => format!("removed {} {}", receipt.product, receipt.version),
    };
    ctx.output.result(
        json!({"removed": [receipt.version], "active": switched_to}),
        &human,
    );
    Ok(exit::OK)
}

/// `uninstall` with no version, `uninstall --all`, or of the last version.
fn uninstall_everything(ctx: &Context) -> Result<i32> {
    let removed = crate::uninstall::remove_everything(ctx.config, ctx.env, &ctx.progress)?;
    ctx.output.result(
        json!({"removed": removed, "active": null}),
        "removed every installed version, links, PATH edits, cache and state",
    );
    Ok(exit::OK)
}

/// The version to activate when the active one is uninstalled: the previous
/// one if it is still installed, else the newest other one.
fn replacement_for(ctx: &Context, leaving: &Receipt) -> Result<Option<Receipt>> {
    let layout = ctx.layout();
    let previous = State::load(&layout.state_path())?.previous;
    let others: Vec<Receipt> = receipt::read_all(&layout.receipts_dir())?
        .into_iter()
        .filter(|r| r.version != leaving.version && layout.versions_dir().join(&r.dir).is_dir())
        .collect();
    let preferred = others
        .iter()
        .find(|r| Some(&r.version) == previous.as_ref())
        .cloned();
    Ok(preferred.or_else(|| {
        others
            .into_iter()
            .max_by_key(|r| version::parse_version(&r.version))
    }))
}

fn verify_command(ctx: &Context) -> Result<i32> {
    let layout = ctx.layout();
    let receipts = receipt::read_all(&layout.receipts_dir())?;
    let mut problems = Vec::new();
    for receipt in &receipts {
        let dir = layout.versions_dir().join(&receipt.dir);
        for file in &receipt.files {
            let path = dir.join(&file.path);
            match crate::verify::sha256_file(&path) {
                Ok(digest) if digest == file.sha256 => {}
                Ok(_) => problems
                    .push(json!({"version": receipt.version, "path": path, "problem": "changed"})),
                Err(_) => problems
                    .push(json!({"version": receipt.version, "path": path, "problem": "missing"})),
            }
        }
    }
    let checked: usize = receipts.iter().map(|r| r.files.len()).sum();
    let value = json!({"checked": checked, "versions": receipts.len(), "problems": problems});
    if problems.is_empty() {
        ctx.output.result(
            value,
            &format!(
                "{checked} files of {} versions match their receipts",
                receipts.len()
            ),
        );
        return Ok(exit::OK);
    }
    let listed: Vec<String> = problems
        .iter()
        .map(|p| {
            format!(
                "{} ({})",
                p["path"].as_str().unwrap_or(""),
                p["problem"].as_str().unwrap_or("")
            )
        })
        .collect();
    if ctx.config.json {
        ctx.output.result(value, "");
    }
    Err(Error::verification_with_hint(
        format!(
            "{} installed files differ from their receipts: {}",
            problems.len(),
            listed.join(", ")
        ),
        "reinstall the affected version with `bitnet-install install --version =VERSION --force`.",
    ))
}

fn detect_command(ctx: &Context) -> Result<i32> {
    let platform = ctx.platform()?;
    let state = State::load(&ctx.layout().state_path()).unwrap_or_default();
    let wants_source = matches!(ctx.config.source, SourceSpec::Roots(_)) || ctx.config.foreign_repo;
    let picked = if wants_source {
        match resolve(ctx, &bitnet(ctx.config), &ctx.config.requirement, &state) {
            Ok(resolved) => Some(resolved.selection),
            Err(e) => {
                ctx.progress
                    .warn(&format!("could not pick an asset from the source: {e}"));
                None
            }
        }
    } else {
        None
    };
    let variant = match &picked {
        Some(selection) => selection.variant.clone(),
        None => select::preferred_variant(&platform, &ctx.config.preferences),
    };
    let mut value = serde_json::to_value(&platform).map_err(Error::internal)?;
    value["variant"] = json!(variant.as_deref().unwrap_or("baseline"));
    value["asset"] = json!(picked.as_ref().map(|s| s.asset.clone()));
    let human = format!(
        "os: {}\narch: {}\ntarget: {}\nlibc: {}{}\ncpu features: {}\ncpu level: {}\ncuda: {}\nvariant: {}{}",
        platform.os,
        platform.arch,
        platform.target,
        platform.libc.as_deref().unwrap_or("-"),
        platform.libc_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default(),
        platform.cpu_features.join(" "),
        platform.cpu_level.as_deref().unwrap_or("-"),
        platform.cuda.as_deref().unwrap_or("none"),
        variant.as_deref().unwrap_or("baseline"),
        picked.map(|s| format!("\nasset: {}", s.asset)).unwrap_or_default(),
    );
    ctx.output.result(value, &human);
    Ok(exit::OK)
}

fn cache_clean_command(ctx: &Context) -> Result<i32> {
    let cache = &ctx.layout().cache_dir;
    match std::fs::remove_dir_all(cache) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("remove", cache, e)),
    }
    ctx.output.result(
        json!({"removed": cache}),
        &format!("removed {}", cache.display()),
    );
    Ok(exit::OK)
}

/// Takes the prefix lock, telling the user when another process holds it.
pub fn lock(ctx: &Context) -> Result<crate::lock::PrefixLock> {
    let layout = ctx.layout();
    std::fs::create_dir_all(&layout.prefix).at("create", &layout.prefix)?;
    let held = crate::lock::acquire(&layout.lock_path(), ctx.config.lock_wait, |holder| {
        ctx.progress.info(&format!(
            "waiting for {holder} to finish with {}",
            layout.prefix.display()
        ));
    })?;
    install::clean_leftovers(layout);
    Ok(held)
}
