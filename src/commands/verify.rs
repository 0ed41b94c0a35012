//! `verify`: re-hash every installed file against its receipt.

use crate::context::Context;
use crate::digest::Sha256;
use crate::error::{exit, Error, Result};
use crate::output::Output;
use crate::receipt;
use crate::report::{Problem, VerifyReport};

pub fn run(ctx: &Context, out: &Output) -> Result<i32> {
    let layout = ctx.layout();
    let receipts = receipt::read_all(&layout.receipts_dir())?;
    let mut problems = Vec::new();
    for receipt in &receipts {
        let dir = layout.versions_dir().join(&receipt.dir);
        for file in &receipt.files {
            let path = dir.join(&file.path);
            let problem = match Sha256::of_file(&path) {
                Ok(digest) if digest == file.sha256 => continue,
                Ok(_) => "changed",
                Err(_) => "missing",
            };
            problems.push(Problem {
                version: receipt.origin.version.clone(),
                path,
                problem,
            });
        }
    }
    let report = VerifyReport {
        checked: receipts.iter().map(|r| r.files.len()).sum(),
        versions: receipts.len(),
        problems,
    };
    if report.problems.is_empty() {
        out.report(&report);
        return Ok(exit::OK);
    }
    let listed: Vec<String> = report
        .problems
        .iter()
        .map(|p| format!("{} ({})", p.path.display(), p.problem))
        .collect();
    out.json_only(&report);
    Err(Error::verification_with_hint(
        format!(
            "{} installed files differ from their receipts: {}",
            report.problems.len(),
            listed.join(", ")
        ),
        "reinstall the affected version with `bitnet-install install --version =VERSION --force`.",
    ))
}
