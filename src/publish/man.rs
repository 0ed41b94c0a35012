//! Man pages (section 1) for both binaries, rendered by clap_mangen from the
//! same clap definitions as `--help`, so the two never disagree.

use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};

/// Writes `<name>.1` into `out` for each command; returns the paths written.
pub fn write_pages(out: &Path, commands: Vec<clap::Command>) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).at("create", out)?;
    commands
        .into_iter()
        .map(|command| {
            let path = out.join(format!("{}.1", command.get_name()));
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| Error::io("render", &path, e))?;
            crate::atomic::write_file(&path, &page)?;
            Ok(path)
        })
        .collect()
}
