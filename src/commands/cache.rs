//! `cache clean`: remove every cached download.

use crate::context::Context;
use crate::error::{exit, Error, Result};
use crate::output::Output;
use crate::report::CacheCleanReport;

pub fn clean(ctx: &Context, out: &Output) -> Result<i32> {
    let cache = &ctx.layout().cache_dir;
    match std::fs::remove_dir_all(cache) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("remove", cache, e)),
    }
    out.report(&CacheCleanReport {
        removed: cache.clone(),
    });
    Ok(exit::OK)
}
