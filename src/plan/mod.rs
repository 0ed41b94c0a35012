//! Plan first, then execute. Every command that installs asks one question
//! first — what would I install, from where, verified how? — and gets a `Plan`
//! back: `install --dry-run` prints it, `update --check` compares it with what
//! is active, `install`, `update`, `self update` and the `Updater` execute it.
//!
//! `listing` lists what a source offers (once per command); `resolve` picks the
//! version, opens the release, chooses the asset and finds its `Evidence`;
//! `execute` downloads, checks and installs.

mod execute;
mod listing;

use semver::Version;

pub use execute::activate;
pub use listing::{list, list_cache, Listing, OfferedAt};

use crate::config::SourceSpec;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::report::PlanReport;
use crate::select::{self, Candidate, Selection};
use crate::source::{self, foreign, Evidence, RemoteAsset};
use crate::version::Requirement;

/// What a product's releases look like to the installer.
#[derive(Clone, Copy, Debug)]
pub struct Product<'a> {
    pub name: &'a str,
    /// The executables that reach the bin dir; empty for another project's
    /// release, whose executables are found after extraction.
    pub executables: &'a [&'a str],
    pub source: &'a SourceSpec,
    pub kind: Kind,
}

/// Whose release format the product follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// CONTRACT 2: signed `SHA256SUMS`, asset names `<P>-<V>-<target>[-<variant>]`.
    Signed,
    /// `--repo`: another project's GitHub release, chosen by asset name.
    Foreign,
}

/// The answer to "what would I install, from where, verified how?".
#[derive(Clone, Debug)]
pub struct Plan {
    pub product: String,
    pub version: Version,
    pub asset: RemoteAsset,
    pub selection: Selection,
    pub evidence: Evidence,
    pub platform: Platform,
    /// The root or repository the release came from.
    pub source: String,
    /// The signed index timestamp to record for the root once installed.
    pub index_mark: Option<(String, u64)>,
    pub executables: Vec<String>,
}

impl Plan {
    /// Why each candidate asset was taken or passed over.
    pub fn reasons(&self) -> &[Candidate] {
        &self.selection.candidates
    }

    pub fn report(&self, ctx: &Context) -> PlanReport {
        PlanReport {
            dry_run: true,
            product: self.product.clone(),
            version: self.version.to_string(),
            asset: self.asset.name.clone(),
            url: self.asset.location.display(),
            sha256: self.evidence.sha256(),
            evidence: self.evidence.kind(),
            target: self.selection.target.clone(),
            variant: self.selection.variant.clone(),
            emulated: self.selection.emulated,
            notes: self.selection.notes.clone(),
            source: self.source.clone(),
            prefix: ctx.layout().prefix.clone(),
            bin_dir: ctx.layout().bin_dir.clone(),
        }
    }
}

/// True when `candidate` should replace `active`: there is no active version,
/// or the candidate is newer. The one rule `update`, `self update` and the
/// `Updater` share.
pub fn is_newer(candidate: &Version, active: Option<&Version>) -> bool {
    active.is_none_or(|active| candidate > active)
}

/// Picks the version of `listing` that `requirement` asks for, opens that
/// release, chooses the asset for the platform and finds what vouches for it.
pub fn resolve(
    ctx: &Context,
    product: &Product,
    listing: &Listing,
    requirement: &Requirement,
) -> Result<Plan> {
    let platform = ctx.platform()?;
    let chosen = listing.pick(requirement, ctx.config.channel)?;
    ctx.progress.step(&format!(
        "resolved {} {} from {}",
        product.name, chosen.offered.version, chosen.source
    ));
    let (selection, asset, evidence) = match product.kind {
        Kind::Signed => resolve_signed(ctx, product, chosen, &platform)?,
        Kind::Foreign => resolve_foreign(ctx, chosen, &platform)?,
    };
    asset.plain_name()?;
    if ctx.progress.is_verbose() {
        for candidate in &selection.candidates {
            let mark = if candidate.accepted { "+" } else { "-" };
            ctx.progress.step(&format!(
                "  {mark} {}: {}",
                candidate.asset, candidate.reason
            ));
        }
    }
    for note in &selection.notes {
        ctx.progress.info(note);
    }
    Ok(Plan {
        product: product.name.to_string(),
        version: chosen.offered.version.clone(),
        asset,
        selection,
        evidence,
        platform,
        source: chosen.source.clone(),
        index_mark: chosen.index_mark.clone(),
        executables: product.executables.iter().map(|s| s.to_string()).collect(),
    })
}

/// Our releases: the signed `SHA256SUMS` lists the assets and vouches for them.
fn resolve_signed(
    ctx: &Context,
    product: &Product,
    chosen: &OfferedAt,
    platform: &Platform,
) -> Result<(Selection, RemoteAsset, Evidence)> {
    let release = source::open_release(
        &ctx.fetcher,
        product.name,
        &chosen.offered,
        &ctx.config.keys,
    )?;
    let names: Vec<String> = release.assets.iter().map(|a| a.name.clone()).collect();
    let selection = select::select_asset(
        product.name,
        &release.version.to_string(),
        &names,
        platform,
        &ctx.config.preferences,
    )?;
    let not_listed = || {
        Error::verification(format!(
            "{} is not listed in the signed SHA256SUMS",
            selection.asset
        ))
    };
    let asset = release
        .asset(&selection.asset)
        .cloned()
        .ok_or_else(not_listed)?;
    let sha256 = release
        .checksums
        .digest_of(&asset.name)
        .ok_or_else(not_listed)?;
    let evidence = Evidence::SignedSums {
        sha256,
        release: Box::new(release),
    };
    Ok((selection, asset, evidence))
}

/// `--repo`: the asset is chosen from every listed name, then the strongest
/// evidence the release offers for it is found (`source::foreign`).
fn resolve_foreign(
    ctx: &Context,
    chosen: &OfferedAt,
    platform: &Platform,
) -> Result<(Selection, RemoteAsset, Evidence)> {
    if let Some(tag) = source::github::tag_of(&chosen.offered) {
        ctx.progress.step(&format!("release tag {tag}"));
    }
    let listed = chosen.offered.assets.clone().unwrap_or_default();
    let names: Vec<String> = listed.iter().map(|a| a.name.clone()).collect();
    let selection =
        select::select_foreign_asset(&names, &ctx.config.bin, platform, &ctx.config.preferences)?;
    let asset = listed
        .iter()
        .find(|a| a.name == selection.asset)
        .cloned()
        .ok_or_else(|| Error::internal(format!("{} is not in the release", selection.asset)))?;
    let keys = ctx.config.keys.overridden.then_some(&ctx.config.keys);
    let evidence = foreign::gather(
        &ctx.fetcher,
        &listed,
        &asset.name,
        keys,
        ctx.config.allow_unverified,
    )?;
    if matches!(evidence, Evidence::Unverified) {
        ctx.progress.warn(&format!(
            "{} has no checksum or signature; installing it unverified because of --allow-unverified",
            asset.name
        ));
    } else {
        ctx.progress.step(&evidence.describe());
    }
    Ok((selection, asset, evidence))
}
