//! `update [--check]`: list the source once, compare its newest release on
//! the channel with the active version, and install it when it is newer.

use crate::context::Context;
use crate::error::{exit, Result};
use crate::install;
use crate::output::Output;
use crate::plan;
use crate::receipt::Receipt;
use crate::report::{InstallReport, InstallStatus, UpdateCheckReport};
use crate::state::State;
use crate::version::{self, Requirement};

pub fn run(ctx: &Context, out: &Output, check: bool) -> Result<i32> {
    let layout = ctx.layout();
    let _lock = (!check && !ctx.config.dry_run)
        .then(|| ctx.lock())
        .transpose()?;
    let mut state = State::load(&layout.state_path())?;
    let product = super::product(ctx);
    let active = install::active_version(layout).and_then(|v| version::parse_version(&v));
    let listing = plan::list(ctx, product.name, product.source, &state)?;
    let newest = listing
        .pick(&ctx.config.requirement, ctx.config.channel)?
        .offered
        .version
        .clone();
    let newer = plan::is_newer(&newest, active.as_ref());
    if check {
        out.report(&UpdateCheckReport {
            update_available: newer,
            active: active.as_ref().map(ToString::to_string),
            latest: newest.to_string(),
            product: product.name.to_string(),
        });
        return Ok(if newer {
            exit::UPDATE_AVAILABLE
        } else {
            exit::OK
        });
    }
    if let (Some(active), false) = (&active, newer) {
        let receipt = Receipt::read(&layout.receipt_path(&active.to_string()))?;
        out.report(&InstallReport::new(
            &receipt,
            InstallStatus::UpToDate,
            None,
            layout.prefix.clone(),
            layout.bin_dir.clone(),
        ));
        return Ok(exit::OK);
    }
    let requirement = Requirement::exact(&newest);
    let plan = plan::resolve(ctx, &product, &listing, &requirement)?;
    if ctx.config.dry_run {
        out.report(&plan.report(ctx));
        return Ok(exit::OK);
    }
    let report = plan.execute(ctx, &product, &mut state, InstallStatus::Updated)?;
    out.report(&report);
    Ok(exit::OK)
}
