//! `rollback`: back to the previously active version.

use crate::context::Context;
use crate::error::{exit, Error, Result};
use crate::output::Output;
use crate::plan;
use crate::state::State;

pub fn run(ctx: &Context, out: &Output) -> Result<i32> {
    let _lock = ctx.lock()?;
    let state = State::load(&ctx.layout().state_path())?;
    let previous = state.previous.ok_or_else(|| {
        Error::no_match(
            "there is no previous version to roll back to",
            "list installed versions with `bitnet-install list`.",
        )
    })?;
    let receipt = super::find_installed(ctx, &format!("={previous}"))?;
    out.report(&plan::activate(ctx, &receipt)?);
    Ok(exit::OK)
}
