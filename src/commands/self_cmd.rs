//! `self update [--check]`, `self rollback`, `self uninstall`: the installer's
//! own lifecycle (`self_update` does the work).

use crate::context::Context;
use crate::error::{exit, Result};
use crate::output::Output;
use crate::prompt::{self, DefaultAnswer};
use crate::self_update::{self, SelfUpdate};

pub fn update(ctx: &Context, out: &Output, check: bool) -> Result<i32> {
    let outcome = self_update::update(ctx, check)?;
    match &outcome {
        SelfUpdate::Checked(report) => out.report(report),
        SelfUpdate::Replaced(report) => out.report(report),
    }
    Ok(outcome.exit_code())
}

pub fn rollback(ctx: &Context, out: &Output) -> Result<i32> {
    out.report(&self_update::rollback(ctx)?);
    Ok(exit::OK)
}

pub fn uninstall(ctx: &Context, out: &Output) -> Result<i32> {
    let layout = ctx.layout();
    let confirmed = prompt::confirm(
        ctx.env,
        ctx.config.assume_yes,
        &format!(
            "This removes bitnet-install, every version of BitNet in {}, the commands in {} and the PATH lines bitnet-install added.",
            layout.prefix.display(),
            layout.bin_dir.display()
        ),
        "Continue?",
        DefaultAnswer::No,
    )?;
    if !confirmed {
        ctx.progress.info("nothing was removed");
        return Ok(exit::OK);
    }
    out.report(&self_update::uninstall(ctx)?);
    Ok(exit::OK)
}
