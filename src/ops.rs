//! The commands, orchestrated from the pipeline's steps: find a release,
//! verify it, pick and download its asset, install it, and the lifecycle
//! commands around that. Each returns the exit code; results go through
//! `output`, progress through `progress`.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::cli::{CacheCommand, Command, SelfCommand};
use crate::config::{Config, SourceSpec, PRODUCT, PRODUCT_EXECUTABLES};
use crate::download::Fetcher;
use crate::env::Env;
use crate::error::{exit, Error, IoContext, Result};
use crate::install::{self, Verified};
use crate::layout::Layout;
use crate::output::Output;
use crate::platform::{self, Platform};
use crate::progress::Progress;
use crate::receipt::{self, Receipt};
use crate::select::{self, Selection};
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
            fetcher: Fetcher::new(config.http.clone(), config.offline, progress.clone()),
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
        name: PRODUCT,
        executables: PRODUCT_EXECUTABLES,
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
        SourceSpec::Roots(roots) => try_roots(ctx, roots, |root| {
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
        }),
    }
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
    let chosen = pick_version(ctx, product.name, requirement, &offered)?;
    ctx.progress.step(&format!(
        "resolved {} {} from {}",
        product.name, chosen.offered.version, chosen.source
    ));
    let release = source::open_release(
        &ctx.fetcher,
        product.name,
        &chosen.offered,
        &ctx.config.keys,
    )?;
    let names: Vec<String> = release.assets.iter().map(|a| a.name.clone()).collect();
    let selection = if ctx.config.foreign_repo {
        select::select_foreign_asset(&names, &platform, &ctx.config.preferences)?
    } else {
        select::select_asset(
            product.name,
            &release.version.to_string(),
            &names,
            &platform,
            &ctx.config.preferences,
        )?
    };
    if ctx.progress.is_verbose() {
        for candidate in &selection.candidates {
            let mark = if candidate.accepted { "+" } else { "-" };
            eprintln!("  {mark} {}: {}", candidate.asset, candidate.reason);
        }
    }
    Ok(Resolved {
        release,
        selection,
        platform,
        source_text: chosen.source.clone(),
        index_mark: chosen.index_mark.clone(),
    })
}

/// Downloads the chosen asset into the prefix's temp area and checks it
/// against the signed checksum (and the host's digest when it publishes one).
pub fn download_verified(
    ctx: &Context,
    resolved: &Resolved,
    source: &SourceSpec,
    work: &Path,
) -> Result<(PathBuf, String)> {
    let name = &resolved.selection.asset;
    let asset = resolved.release.asset(name).ok_or_else(|| {
        Error::verification(format!("{name} is not listed in the signed SHA256SUMS"))
    })?;
    let expected = resolved.release.checksums.digest_of(name).ok_or_else(|| {
        Error::verification(format!("{name} is not listed in the signed SHA256SUMS"))
    })?;
    let dest = work.join(name);
    let headers = match source {
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
    let downloaded = ctx
        .fetcher
        .fetch_to_file(&asset.location, &headers, &dest, cap, name)?;
    crate::verify::require_digest(name, expected, &downloaded.sha256)?;
    if let Some(host) = &asset.host_digest {
        crate::verify::require_digest(name, host, &downloaded.sha256)?;
    }
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
    Ok(None)
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
    let verified = Verified {
        product: PRODUCT.to_string(),
        version: resolved.release.version.to_string(),
        target: resolved.selection.target.clone(),
        variant: resolved.selection.variant.clone(),
        asset: resolved.selection.asset.clone(),
        sha256,
        source: resolved.source_text.clone(),
        archive,
        executables: PRODUCT_EXECUTABLES.iter().map(|s| s.to_string()).collect(),
        installed_at: ctx.env.now,
    };
    let self_exe = ctx.env.current_exe.as_deref();
    let (receipt, previous) = install::install(layout, &verified, self_exe)?;
    if let Some((root, mark)) = &resolved.index_mark {
        state.record_index(root, *mark);
    }
    if previous.as_deref() != Some(receipt.version.as_str()) {
        state.previous = previous.clone().or(state.previous.take());
    }
    state.save(&layout.state_path())?;
    prune(ctx, state)?;
    crate::shell_path::after_install(ctx.config, ctx.env, &ctx.progress)?;
    report_install(ctx, &receipt, previous.as_deref(), status);
    Ok(exit::OK)
}

/// Keeps the `keep` most recently installed versions, and never the active or
/// the previous one, which `rollback` needs.
fn prune(ctx: &Context, state: &State) -> Result<()> {
    let layout = ctx.layout();
    let active = install::active_version(layout);
    let mut receipts = receipt::read_all(&layout.receipts_dir())?;
    receipts.sort_by_key(|r| std::cmp::Reverse(r.installed_at));
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

/// Removes what a killed run left in the prefix's `tmp/`; only called with
/// the lock held, so no other run is using it.
fn clean_leftovers(layout: &Layout) {
    if let Ok(entries) = std::fs::read_dir(layout.tmp_dir()) {
        for entry in entries.flatten() {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
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
    let receipt = find_installed(ctx, requested)?;
    activate(ctx, &receipt)
}

/// Makes an installed version active and remembers the one it replaces.
fn activate(ctx: &Context, receipt: &Receipt) -> Result<i32> {
    let layout = ctx.layout();
    let dir = layout.versions_dir().join(&receipt.dir);
    if !dir.is_dir() {
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
    if all {
        let removed = crate::uninstall::remove_everything(ctx.config, ctx.env, &ctx.progress)?;
        ctx.output.result(
            json!({"removed": removed}),
            "removed every installed version, links, PATH edits, cache and state",
        );
        return Ok(exit::OK);
    }
    let requested = requested.ok_or_else(|| {
        Error::usage(
            "name the version to uninstall, or pass --all",
            "for example: bitnet-install uninstall 0.3.1",
        )
    })?;
    let receipt = find_installed(ctx, requested)?;
    let active = install::active_version(ctx.layout());
    if active.as_deref() == Some(receipt.version.as_str()) {
        return Err(Error::other(
            format!("{} is the active version", receipt.version),
            "switch to another version with `bitnet-install use` first, or remove everything with `uninstall --all`.",
        ));
    }
    crate::uninstall::remove_version(ctx.layout(), &receipt)?;
    ctx.output.result(
        json!({"removed": [receipt.version]}),
        &format!("removed {} {}", receipt.product, receipt.version),
    );
    Ok(exit::OK)
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
    let mut value = serde_json::to_value(&platform).map_err(|e| Error::other(e.to_string(), ""))?;
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
    clean_leftovers(layout);
    Ok(held)
}
