//! The Debian package trees of `bitnet-release packaging`, clean under
//! `lintian --pedantic`: the commands of the verified release archive in `/usr/bin`,
//! its other files as documentation, and what Debian policy asks of every binary
//! package: a machine-readable `copyright`, a `changelog.Debian.gz` and a man page
//! per command (the control file is rendered from `packaging/debian/control`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use flate2::{Compression, GzBuilder};

use super::date::Date;
use super::manpage::man_page;
use super::packaging::{
    copy_with_mode, deb_version, missing_command, set_mode, unpack, write_file, Asset,
    SealedRelease, COMMANDS, HOMEPAGE, LICENSE,
};
use crate::error::{IoContext, Result};

/// The maintainer named in the control file, the changelog and the copyright file.
const MAINTAINER: &str = "BitNet maintainers <bitnet@microsoft.com>";
/// The one lintian tag that does not apply to a package built outside Debian, with
/// its reason (lintian prints the comment as the override's justification).
const LINTIAN_OVERRIDES: &str = "\
# Built from a release archive, not uploaded to Debian: each package has one
# changelog entry and there is no Debian bug (ITP) for it to close.
bitnet: initial-upload-closes-no-bugs
";

/// Fills the Debian package tree at `root` (whose `DEBIAN/control` is written) from
/// the verified archive, then adds the copyright, changelog and man pages.
pub(super) fn populate_deb_tree(
    release: &SealedRelease,
    asset: &Asset,
    root: &Path,
    scratch_parent: &Path,
) -> Result<()> {
    place_archive_files(asset, root, scratch_parent)?;
    let doc = root.join("usr/share/doc/bitnet");
    let date = Date::from_unix(release.timestamp);
    write_file(&doc, Path::new("copyright"), &copyright(date.year))?;
    let changelog = changelog(release, asset);
    write_gzip(&doc.join("changelog.Debian.gz"), changelog.as_bytes())?;
    write_file(
        root,
        Path::new("usr/share/lintian/overrides/bitnet"),
        LINTIAN_OVERRIDES,
    )?;
    for (command, summary) in COMMANDS {
        let page = man_page(command, summary, &release.version.to_string(), &date);
        let path = root.join(format!("usr/share/man/man1/{command}.1.gz"));
        write_gzip(&path, page.as_bytes())?;
    }
    set_dir_modes(root)
}

/// The commands go to `/usr/bin`, other files to the documentation directory, except
/// license files: Debian keeps the license in `copyright` only.
fn place_archive_files(asset: &Asset, root: &Path, scratch_parent: &Path) -> Result<()> {
    let (scratch, files) = unpack(asset, scratch_parent)?;
    let mut placed: BTreeMap<&str, bool> = COMMANDS.iter().map(|(c, _)| (*c, false)).collect();
    for relative in &files {
        let source = scratch.path().join(relative);
        let name = relative.to_str().unwrap_or_default();
        let (dest, mode) = match placed.get_mut(name) {
            Some(seen) => {
                *seen = true;
                (root.join("usr/bin").join(relative), 0o755)
            }
            None if is_license_file(name) => continue,
            None => (root.join("usr/share/doc/bitnet").join(relative), 0o644),
        };
        copy_with_mode(&source, &dest, mode)?;
    }
    if let Some((missing, _)) = placed.iter().find(|(_, seen)| !**seen) {
        return Err(missing_command(asset, missing));
    }
    Ok(())
}

fn is_license_file(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.starts_with("LICENSE") || upper.starts_with("COPYING")
}

/// The copyright file in the machine-readable format (DEP-5), with the license text
/// of `packaging/LICENSE` after its title and copyright lines. The notice is dated
/// with the year the release was published (`packaging/LICENSE` has no year).
fn copyright(year: i64) -> String {
    let holder = LICENSE
        .lines()
        .find_map(|line| line.strip_prefix("Copyright (c) "))
        .unwrap_or("Microsoft Corporation.");
    let body = LICENSE
        .lines()
        .skip_while(|line| !line.starts_with("Copyright"))
        .skip(1)
        .skip_while(|line| line.is_empty())
        .map(|line| {
            if line.is_empty() {
                " .\n".to_string()
            } else {
                format!(" {line}\n")
            }
        })
        .collect::<String>();
    format!(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
         Upstream-Name: BitNet\n\
         Upstream-Contact: {MAINTAINER}\n\
         Source: {HOMEPAGE}\n\
         \n\
         Files: *\n\
         Copyright: {year} {}\n\
         License: MIT\n\
         \n\
         License: MIT\n{body}",
        holder.trim_end_matches('.')
    )
}

/// One entry: this package is the signed release archive, repackaged. Dated by the
/// release's signature, so rendering twice gives the same bytes.
fn changelog(release: &SealedRelease, asset: &Asset) -> String {
    format!(
        "bitnet ({}-1) unstable; urgency=medium\n\
         \n  * Repackaged from the signed release archive\n    {}.\n\
         \n -- {MAINTAINER}  {}\n",
        deb_version(&release.version),
        asset.name,
        Date::from_unix(release.timestamp).rfc2822(),
    )
}

/// Debian wants documentation gzipped at the best level, without a timestamp.
fn write_gzip(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut encoder = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::best());
    encoder.write_all(bytes).at("compress", path)?;
    let compressed = encoder.finish().at("compress", path)?;
    let parent = path.parent().unwrap_or(path);
    std::fs::create_dir_all(parent).at("create directory", parent)?;
    super::atomic::write_bytes(path, &compressed)?;
    set_mode(path, 0o644)
}

/// dpkg installs directories with the modes of the package tree, so they must be
/// 0755 whatever the umask was when the tree was made.
fn set_dir_modes(dir: &Path) -> Result<()> {
    set_mode(dir, 0o755)?;
    for entry in std::fs::read_dir(dir).at("read directory", dir)? {
        let path = entry.at("read directory", dir)?.path();
        if path.is_dir() {
            set_dir_modes(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copyright_file_carries_the_whole_license_indented() {
        let text = copyright(2025);
        assert!(
            text.contains("\nCopyright: 2025 Microsoft Corporation\n"),
            "{text}"
        );
        assert!(text.contains("\n Permission is hereby granted"), "{text}");
        assert!(text.contains("\n .\n THE SOFTWARE IS PROVIDED"), "{text}");
        assert!(text.ends_with(" SOFTWARE.\n"), "{text}");
    }
}
