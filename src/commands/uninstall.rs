//! `uninstall [<VERSION>|--all]`: one version (the active one hands over to
//! the previous or newest other), or everything the installer made.

use crate::context::Context;
use crate::error::{exit, Result};
use crate::install;
use crate::output::Output;
use crate::prompt::{self, DefaultAnswer};
use crate::receipt::{self, Receipt};
use crate::report::UninstallReport;
use crate::state::State;
use crate::version;

pub fn run(ctx: &Context, out: &Output, requested: Option<&str>) -> Result<i32> {
    if requested.is_none() && !everything_confirmed(ctx)? {
        ctx.progress.info("nothing was removed");
        return Ok(exit::OK);
    }
    let _lock = ctx.lock()?;
    let Some(requested) = requested else {
        return uninstall_everything(ctx, out);
    };
    let receipt = super::find_installed(ctx, requested)?;
    let layout = ctx.layout();
    let mut switched_to = None;
    if install::active_version(layout).as_deref() == Some(receipt.origin.version.as_str()) {
        let Some(replacement) = replacement_for(ctx, &receipt)? else {
            // The last installed version: removing it is removing BitNet.
            return uninstall_everything(ctx, out);
        };
        let mut tx = install::Transaction::default();
        install::switch_current(layout, &replacement.dir, &mut tx)?;
        let mut state = State::load(&layout.state_path())?;
        state.previous = None;
        tx.keep_copy(&layout.state_path())?;
        state.save(&layout.state_path())?;
        tx.commit();
        switched_to = Some(replacement.origin.version);
    }
    crate::uninstall::remove_version(layout, &receipt)?;
    out.report(&UninstallReport {
        removed: vec![receipt.origin.version.clone()],
        active: switched_to,
        product: receipt.origin.product.clone(),
        everything: false,
    });
    Ok(exit::OK)
}

/// `uninstall` with no version, `uninstall --all`, or of the last version.
fn uninstall_everything(ctx: &Context, out: &Output) -> Result<i32> {
    let removed = crate::uninstall::remove_everything(ctx.config, ctx.env, &ctx.progress)?;
    out.report(&UninstallReport {
        removed,
        active: None,
        product: ctx.config.product.clone(),
        everything: true,
    });
    Ok(exit::OK)
}

/// rustup's question before `self uninstall`, for `uninstall --all` (Enter
/// means no).
fn everything_confirmed(ctx: &Context) -> Result<bool> {
    let layout = ctx.layout();
    prompt::confirm(
        ctx.env,
        ctx.config.assume_yes,
        &format!(
            "This removes every installed version of {} in {}, its commands in {} and the PATH lines bitnet-install added.",
            ctx.config.product,
            layout.prefix.display(),
            layout.bin_dir.display()
        ),
        "Continue?",
        DefaultAnswer::No,
    )
}

/// The version to activate when the active one is uninstalled: the previous
/// one if it is still installed, else the newest other one.
fn replacement_for(ctx: &Context, leaving: &Receipt) -> Result<Option<Receipt>> {
    let layout = ctx.layout();
    let previous = State::load(&layout.state_path())?.previous;
    let others: Vec<Receipt> = receipt::read_all(&layout.receipts_dir())?
        .into_iter()
        .filter(|r| {
            r.origin.version != leaving.origin.version
                && layout.versions_dir().join(&r.dir).is_dir()
        })
        .collect();
    let preferred = others
        .iter()
        .find(|r| Some(&r.origin.version) == previous.as_ref())
        .cloned();
    Ok(preferred.or_else(|| {
        others
            .into_iter()
            .max_by_key(|r| version::parse_version(&r.origin.version))
    }))
}
