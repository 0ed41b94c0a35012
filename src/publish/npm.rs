//! npm packages of a product release (`bitnet-release packaging` → `npm/`), the
//! esbuild/biome pattern: one package per target holding the commands, marked with
//! `os`/`cpu`/`libc` so npm installs only the matching one, and the `bitnet`
//! package, which lists them all in `optionalDependencies` and whose small
//! launcher runs the command of the installed one. `npm pack` and `npm publish`
//! each directory (the platform packages first).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::packaging::{
    copy_with_mode, missing_command, unpack, write_file, SealedRelease, COMMANDS, HOMEPAGE, LICENSE,
};
use crate::error::Result;

/// The npm `os`, `cpu` and `libc` of each target (the package name's suffix).
const PLATFORMS: &[(&str, &str, &str, Option<&str>)] = &[
    ("x86_64-unknown-linux-gnu", "linux", "x64", Some("glibc")),
    ("aarch64-unknown-linux-gnu", "linux", "arm64", Some("glibc")),
    ("x86_64-unknown-linux-musl", "linux", "x64", Some("musl")),
    ("aarch64-unknown-linux-musl", "linux", "arm64", Some("musl")),
    ("x86_64-apple-darwin", "darwin", "x64", None),
    ("aarch64-apple-darwin", "darwin", "arm64", None),
    ("x86_64-pc-windows-msvc", "win32", "x64", None),
    ("aarch64-pc-windows-msvc", "win32", "arm64", None),
];

/// Finds the platform package installed next to this one and runs its command
/// with the same arguments, standard streams and exit status.
const LAUNCHER: &str = r#"#!/usr/bin/env node
"use strict";
// Written by `bitnet-release packaging`: runs a command of the bitnet platform
// package that npm installed for this machine (see optionalDependencies).
const { spawnSync } = require("node:child_process");
const { platforms } = require("./platforms.json");

module.exports = function launch(command) {
  const exe = process.platform === "win32" ? `${command}.exe` : command;
  for (const name of platforms) {
    let path;
    try {
      path = require.resolve(`${name}/bin/${exe}`);
    } catch {
      continue;
    }
    const run = spawnSync(path, process.argv.slice(2), { stdio: "inherit" });
    if (run.error) throw run.error;
    process.exit(run.status ?? 1);
  }
  console.error(
    `bitnet: no build for ${process.platform}/${process.arch} is installed. ` +
      "Reinstall without --no-optional, or use bitnet-install."
  );
  process.exit(1);
};
"#;

/// Writes `npm/bitnet/` and `npm/<platform package>/` for every listed archive.
pub(super) fn write_packages(release: &SealedRelease, out: &Path) -> Result<Vec<PathBuf>> {
    let version = release.version.to_string();
    let root = out.join("npm");
    let mut written = Vec::new();
    let mut platforms = Vec::new();
    for (target, os, cpu, libc) in PLATFORMS {
        let Some(asset) = release.listed_archive(target)? else {
            continue;
        };
        let name = match libc {
            Some(libc) => format!("bitnet-{os}-{cpu}-{libc}"),
            None => format!("bitnet-{os}-{cpu}"),
        };
        let dir = root.join(&name);
        let (scratch, files) = unpack(&asset, out)?;
        for (command, _) in COMMANDS {
            let file = files
                .iter()
                .find(|f| f.file_stem().and_then(|s| s.to_str()) == Some(command))
                .ok_or_else(|| missing_command(&asset, command))?;
            copy_with_mode(
                &scratch.path().join(file),
                &dir.join("bin").join(file),
                0o755,
            )?;
        }
        let mut manifest = json!({
            "name": name,
            "version": version,
            "description": format!("The {target} build of bitnet-cli and bitnet-server."),
            "homepage": HOMEPAGE,
            "license": "MIT",
            "os": [os],
            "cpu": [cpu],
            "preferUnplugged": true,
        });
        if let Some(libc) = libc {
            manifest["libc"] = json!([libc]);
        }
        written.push(write_json(&dir, &manifest)?);
        write_file(&dir, Path::new("LICENSE"), LICENSE)?;
        platforms.push(name);
    }

    let dir = root.join("bitnet");
    let optional: serde_json::Map<String, serde_json::Value> = platforms
        .iter()
        .map(|name| (name.clone(), json!(version)))
        .collect();
    let bin: serde_json::Map<String, serde_json::Value> = COMMANDS
        .iter()
        .map(|(command, _)| (command.to_string(), json!(format!("bin/{command}.js"))))
        .collect();
    let manifest = json!({
        "name": "bitnet",
        "version": version,
        "description": "Inference framework for 1-bit LLMs (bitnet-cli and bitnet-server)",
        "homepage": HOMEPAGE,
        "license": "MIT",
        "bin": bin,
        "optionalDependencies": optional,
    });
    written.push(write_json(&dir, &manifest)?);
    write_file(&dir, Path::new("LICENSE"), LICENSE)?;
    write_file(&dir, Path::new("launch.js"), LAUNCHER)?;
    let list = json!({ "platforms": platforms });
    write_file(&dir, Path::new("platforms.json"), &format!("{list:#}\n"))?;
    for (command, _) in COMMANDS {
        let script = format!(
            "#!/usr/bin/env node\n\"use strict\";\nrequire(\"../launch.js\")(\"{command}\");\n"
        );
        let path = write_file(
            &dir,
            &Path::new("bin").join(format!("{command}.js")),
            &script,
        )?;
        super::packaging::set_mode(&path, 0o755)?;
    }
    Ok(written)
}

fn write_json(dir: &Path, value: &serde_json::Value) -> Result<PathBuf> {
    write_file(dir, Path::new("package.json"), &format!("{value:#}\n"))
}
