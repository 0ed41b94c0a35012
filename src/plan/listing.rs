//! The versions a source offers, listed once per command: static roots tried
//! in order (a root that fails is skipped for the next), GitHub Releases, or
//! with `--offline` the local roots or the download cache.

use semver::Version;

use crate::config::SourceSpec;
use crate::context::Context;
use crate::download::Location;
use crate::error::{Error, Result};
use crate::source::{self, index, Offered, Root};
use crate::state::State;
use crate::version::{self, Channel, Requirement};

/// A version offered by one source, with where it came from.
#[derive(Clone, Debug)]
pub struct OfferedAt {
    pub offered: Offered,
    /// The root or repository, as the user would name it.
    pub source: String,
    /// The signed index timestamp to record for the root, when it has one.
    pub index_mark: Option<(String, u64)>,
}

/// Everything a source offers for one product.
#[derive(Clone, Debug)]
pub struct Listing {
    pub product: String,
    pub offered: Vec<OfferedAt>,
}

impl Listing {
    /// The newest offered version that satisfies `requirement` on `channel`.
    pub fn pick(&self, requirement: &Requirement, channel: Channel) -> Result<&OfferedAt> {
        let best = version::resolve(
            requirement,
            channel,
            self.offered.iter().map(|o| &o.offered.version),
        )
        .ok_or_else(|| Error::NoMatchingVersion {
            product: self.product.clone(),
            requirement: requirement.describe(),
            offered: self.versions().iter().map(Version::to_string).collect(),
        })?;
        self.offered
            .iter()
            .find(|o| &o.offered.version == best)
            .ok_or_else(|| Error::internal("the resolved version is not in the listing"))
    }

    /// The offered versions, newest first, each once.
    pub fn versions(&self) -> Vec<Version> {
        let mut versions: Vec<Version> = self
            .offered
            .iter()
            .map(|o| o.offered.version.clone())
            .collect();
        versions.sort_by(|a, b| b.cmp(a));
        versions.dedup();
        versions
    }
}

/// Lists what `source` offers for `product`, verified (signed index, or the
/// GitHub listing); with `--offline`, the local roots or the cache.
pub fn list(ctx: &Context, product: &str, source: &SourceSpec, state: &State) -> Result<Listing> {
    ctx.warn_if_key_overridden();
    if ctx.fetcher.is_offline() {
        return list_offline(ctx, product, source, state);
    }
    let offered = match source {
        SourceSpec::GitHub(gh) => gh
            .list(&ctx.fetcher)?
            .into_iter()
            .map(|offered| OfferedAt {
                offered,
                source: format!("https://github.com/{}", gh.repo),
                index_mark: None,
            })
            .collect(),
        SourceSpec::Roots(roots) => offered_by_roots(ctx, product, roots, state)?,
    };
    Ok(Listing {
        product: product.to_string(),
        offered,
    })
}

/// The cached releases of `product` whose signed checksums still verify with
/// the trusted keys; the others are skipped with a warning.
pub fn list_cache(ctx: &Context, product: &str) -> Result<Listing> {
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
    Ok(Listing {
        product: product.to_string(),
        offered: usable,
    })
}

/// `--offline`: the local roots given, or else the download cache.
fn list_offline(
    ctx: &Context,
    product: &str,
    source: &SourceSpec,
    state: &State,
) -> Result<Listing> {
    if let SourceSpec::Roots(roots) = source {
        let local: Vec<Root> = roots
            .iter()
            .filter(|r| matches!(r.location, Location::Local(_)))
            .cloned()
            .collect();
        if !local.is_empty() {
            return Ok(Listing {
                product: product.to_string(),
                offered: offered_by_roots(ctx, product, &local, state)?,
            });
        }
    }
    list_cache(ctx, product)
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

/// Runs `attempt` on each root in turn until one succeeds; failures another
/// source may avoid move on to the next root, and the last error is returned
/// when every root failed.
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
            Err(e) if !e.another_source_may_help() => return Err(e),
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
