//! `self update [--check]`, `self rollback`, `self uninstall`: the installer's
//! own lifecycle (`self_update` does the work).

use crate::context::Context;
use crate::error::{exit, Result};
use crate::output::Output;
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
    out.report(&self_update::uninstall(ctx)?);
    Ok(exit::OK)
}
