//! `detect`: the platform as detected (or overridden), the variant it gets,
//! and with a source (`--from`, `--repo`) the asset that would be picked.

use crate::config::SourceSpec;
use crate::context::Context;
use crate::error::{exit, Result};
use crate::output::Output;
use crate::plan;
use crate::report::DetectReport;
use crate::select;
use crate::state::State;

pub fn run(ctx: &Context, out: &Output) -> Result<i32> {
    let platform = ctx.platform()?;
    let wants_source = matches!(ctx.config.source, SourceSpec::Roots(_)) || ctx.config.foreign_repo;
    let picked = if wants_source {
        let state = State::load(&ctx.layout().state_path()).unwrap_or_default();
        let product = super::product(ctx);
        let resolved = plan::list(ctx, product.name, product.source, &state)
            .and_then(|listing| plan::resolve(ctx, &product, &listing, &ctx.config.requirement));
        match resolved {
            Ok(plan) => Some(plan.selection),
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
    out.report(&DetectReport {
        platform,
        variant: variant.unwrap_or_else(|| "baseline".to_string()),
        asset: picked.map(|s| s.asset),
        source_given: wants_source,
    });
    Ok(exit::OK)
}
