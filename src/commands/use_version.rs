//! `use <VERSION>`: make an installed version active; a version no longer
//! installed comes back from its verified copy in the download cache.

use crate::context::Context;
use crate::error::{exit, Error, Result};
use crate::output::Output;
use crate::plan;
use crate::report::InstallStatus;
use crate::state::State;
use crate::version::Requirement;

pub fn run(ctx: &Context, out: &Output, requested: &str) -> Result<i32> {
    let _lock = ctx.lock()?;
    let receipt = match super::find_installed(ctx, requested) {
        Ok(receipt) => receipt,
        Err(e @ Error::NoMatch { .. }) => {
            return install_from_cache(ctx, out, requested).map_err(|_| e)
        }
        Err(e) => return Err(e),
    };
    // Its files were removed (by hand, or a failed disk): the cache may hold
    // the verified asset; otherwise `activate` says what is missing.
    if !ctx.layout().versions_dir().join(&receipt.dir).is_dir() {
        let exact = format!("={}", receipt.origin.version);
        if let Ok(code) = install_from_cache(ctx, out, &exact) {
            return Ok(code);
        }
    }
    out.report(&plan::activate(ctx, &receipt)?);
    Ok(exit::OK)
}

/// Reinstalls a version that is no longer installed from its verified copy
/// in the download cache, without the network.
fn install_from_cache(ctx: &Context, out: &Output, requested: &str) -> Result<i32> {
    let requirement = Requirement::parse(requested)?;
    let product = super::product(ctx);
    let listing = plan::list_cache(ctx, product.name)?;
    let plan = plan::resolve(ctx, &product, &listing, &requirement)?;
    let mut state = State::load(&ctx.layout().state_path())?;
    let report = plan.execute(ctx, &product, &mut state, InstallStatus::Installed)?;
    out.report(&report);
    Ok(exit::OK)
}
