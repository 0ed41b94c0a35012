//! `list [--remote]`: the installed versions from their receipts, or what
//! the source offers.

use crate::context::Context;
use crate::error::{exit, Result};
use crate::install;
use crate::output::Output;
use crate::plan;
use crate::receipt;
use crate::report::{InstalledRow, ListReport, OfferedRow, RemoteListReport};
use crate::state::State;

pub fn run(ctx: &Context, out: &Output, remote: bool) -> Result<i32> {
    let layout = ctx.layout();
    let receipts = receipt::read_all(&layout.receipts_dir())?;
    let active = install::active_version(layout);
    let is_active = |v: &str| active.as_deref() == Some(v);
    if remote {
        let state = State::load(&layout.state_path())?;
        let product = super::product(ctx);
        let listing = plan::list(ctx, product.name, product.source, &state)?;
        let rows = listing
            .versions()
            .iter()
            .map(|v| {
                let v = v.to_string();
                OfferedRow {
                    installed: receipts.iter().any(|r| r.origin.version == v),
                    active: is_active(&v),
                    version: v,
                }
            })
            .collect();
        out.report(&RemoteListReport(rows));
        return Ok(exit::OK);
    }
    let rows = receipts
        .iter()
        .rev()
        .map(|r| InstalledRow {
            version: r.origin.version.clone(),
            active: is_active(&r.origin.version),
            target: r.origin.target.clone(),
            variant: r.origin.variant.clone(),
            asset: r.origin.asset.clone(),
            installed_at: r.installed_at,
        })
        .collect();
    out.report(&ListReport(rows));
    Ok(exit::OK)
}
