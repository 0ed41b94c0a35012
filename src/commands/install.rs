//! `install` (the default command): resolve the plan, print it with
//! `--dry-run`, otherwise apply it.

use crate::context::Context;
use crate::error::{exit, Result};
use crate::output::Output;
use crate::plan;
use crate::report::InstallStatus;
use crate::state::State;

pub fn run(ctx: &Context, out: &Output) -> Result<i32> {
    let _lock = (!ctx.config.dry_run).then(|| ctx.lock()).transpose()?;
    let mut state = State::load(&ctx.layout().state_path())?;
    let product = super::product(ctx);
    let listing = plan::list(ctx, product.name, product.source, &state)?;
    let plan = plan::resolve(ctx, &product, &listing, &ctx.config.requirement)?;
    if ctx.config.dry_run {
        out.report(&plan.report(ctx));
        return Ok(exit::OK);
    }
    let report = plan.apply(ctx, &product, &mut state, InstallStatus::Installed)?;
    out.report(&report);
    Ok(exit::OK)
}
