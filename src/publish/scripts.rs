//! The bootstrap scripts `install.sh` and `install.ps1`: the templates in
//! `scripts/` filled in for one release of `bitnet-install` itself. Each rendered
//! script carries the installer's version, the https:// directory it downloads
//! from (GitHub's `<base>/bitnet-install-v<V>` or a mirror's `<root>/v<V>`, CONTRACT
//! 2.4), and the SHA-256 of every installer build (read from the release's
//! `SHA256SUMS`), so it runs only the exact bytes that were published.

use std::fs;
use std::path::{Path, PathBuf};

use super::atomic;
use crate::error::{Error, IoContext, Result};
use crate::verify::parse_sums_line;

const INSTALL_SH: &str = include_str!("../../scripts/install.sh");
const INSTALL_PS1: &str = include_str!("../../scripts/install.ps1");

const VERSION_PLACEHOLDER: &str = "@VERSION@";
const DOWNLOAD_DIR_PLACEHOLDER: &str = "@DOWNLOAD_DIR@";
/// Sits in a comment line of each template, so the template stays valid code; the
/// whole line is replaced by the table's rows.
const TABLE_PLACEHOLDER: &str = "@SHA256_TABLE@";

const INSTALLER: &str = "bitnet-install";
const SUMS: &str = "SHA256SUMS";
/// `SHA256SUMS` of a release is a few lines; anything much larger is not one.
const SUMS_CAP: u64 = 1 << 20;

/// First components of the target triples an installer can be built for; they tell
/// where the version ends in `bitnet-install-<V>-<target>` when the version is
/// not known from the directory name (a pre-release version has dashes too).
const ARCHES: &[&str] = &[
    "x86_64",
    "aarch64",
    "i686",
    "i586",
    "armv7",
    "arm",
    "riscv64gc",
    "powerpc64le",
    "s390x",
    "loongarch64",
];

/// One installer build: its target triple and the SHA-256 listed for it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Build {
    target: String,
    sha256: String,
}

/// What the scripts pin: the installer's version and its builds.
#[derive(Debug, PartialEq, Eq)]
struct InstallerRelease {
    version: String,
    builds: Vec<Build>,
}

/// Where the rendered scripts fetch the installer when `BITNET_UPDATE_ROOT` is unset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// GitHub Releases: `<base>/bitnet-install-v<V>/<asset>`, where `<base>` is
    /// like `https://github.com/microsoft/BitNet/releases/download`.
    GitHub(String),
    /// A static mirror: `<root>/v<V>/<asset>`, the layout `BITNET_UPDATE_ROOT` names.
    Mirror(String),
}

impl Origin {
    /// The https:// directory holding the builds of installer `version`.
    fn download_dir(&self, version: &str) -> Result<String> {
        Ok(match self {
            Origin::GitHub(base) => format!("{}/{INSTALLER}-v{version}", https_root(base)?),
            Origin::Mirror(root) => format!("{}/v{version}", https_root(root)?),
        })
    }
}

/// Render `install.sh` and `install.ps1` into `out_dir` for the installer release
/// in `installer_release_dir` (a `v<V>` directory of product `bitnet-install`),
/// downloading from `origin` (`https://` only). Returns both paths.
pub fn render(
    installer_release_dir: &Path,
    origin: &Origin,
    out_dir: &Path,
) -> Result<(PathBuf, PathBuf)> {
    let release = read_installer_release(installer_release_dir)?;
    let dir = origin.download_dir(&release.version)?;
    fs::create_dir_all(out_dir).at("create directory", out_dir)?;
    let sh_path = out_dir.join("install.sh");
    let ps1_path = out_dir.join("install.ps1");
    atomic::write_bytes(&sh_path, render_sh(&release, &dir).as_bytes())?;
    atomic::write_bytes(&ps1_path, render_ps1(&release, &dir).as_bytes())?;
    Ok((sh_path, ps1_path))
}

/// The root URL without trailing slashes, refusing anything but `https://` and any
/// character that could end the quoted string it is pasted into.
fn https_root(root_url: &str) -> Result<String> {
    let root = root_url.trim_end_matches('/');
    let host = root.strip_prefix("https://").unwrap_or("");
    if host.is_empty() {
        return Err(Error::usage(
            format!("the installer root {root_url:?} is not an https:// URL"),
            "give --root or --base-url as https://HOST/PATH: the bootstrap scripts download only over https.",
        ));
    }
    if let Some(bad) = root
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "'\"`$\\".contains(*c))
    {
        return Err(Error::usage(
            format!("the installer root {root_url:?} contains {bad:?}"),
            "percent-encode that character in --root or --base-url.",
        ));
    }
    Ok(root.to_string())
}

fn read_installer_release(dir: &Path) -> Result<InstallerRelease> {
    let sums_path = dir.join(SUMS);
    let sums = read_capped(&sums_path)?;
    let dir_version = dir
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| name.strip_prefix('v'))
        .filter(|v| semver::Version::parse(v).is_ok());

    let mut version: Option<String> = dir_version.map(str::to_string);
    let mut builds = Vec::new();
    for (number, line) in sums.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (sha256, name) =
            parse_sums_line(line).ok_or_else(|| malformed_sums(&sums_path, number + 1))?;
        let Some((asset_version, target)) = installer_asset(name, version.as_deref()) else {
            continue;
        };
        match &version {
            Some(known) if *known != asset_version => {
                return Err(Error::usage(
                    format!(
                        "{} lists bitnet-install {asset_version} and {known}",
                        sums_path.display()
                    ),
                    "render the scripts from the SHA256SUMS of a single installer release.",
                ));
            }
            Some(_) => {}
            None => version = Some(asset_version),
        }
        builds.push(Build {
            target,
            sha256: sha256.to_string(),
        });
    }
    match version {
        Some(version) if !builds.is_empty() => Ok(InstallerRelease { version, builds }),
        _ => Err(Error::usage(
            format!(
                "{} lists no installer asset (bitnet-install-<VERSION>-<TARGET>[.exe])",
                sums_path.display()
            ),
            "give --release the v<VERSION> directory of a sealed bitnet-install release.",
        )),
    }
}

fn read_capped(path: &Path) -> Result<String> {
    let size = fs::metadata(path).at("read", path)?.len();
    if size > SUMS_CAP {
        return Err(Error::usage(
            format!(
                "{} is {size} bytes, too large for SHA256SUMS",
                path.display()
            ),
            "give --release the v<VERSION> directory of a sealed bitnet-install release.",
        ));
    }
    fs::read_to_string(path).at("read", path)
}

fn malformed_sums(path: &Path, line: usize) -> Error {
    Error::usage(
        format!(
            "{} line {line} is not `<sha256>  <file name>`",
            path.display()
        ),
        "seal the release again with `bitnet-release seal`.",
    )
}

/// `(version, target)` of `bitnet-install-<V>-<target>[.exe]`, or `None` for any
/// other file. The known version, when the name carries it, settles where the
/// version ends; otherwise the target's architecture does.
fn installer_asset(name: &str, known_version: Option<&str>) -> Option<(String, String)> {
    let rest = name.strip_prefix(INSTALLER)?.strip_prefix('-')?;
    let rest = rest.strip_suffix(".exe").unwrap_or(rest);
    let with_known = known_version.and_then(|version| {
        let target = rest.strip_prefix(version)?.strip_prefix('-')?;
        is_target(target).then_some((version, target))
    });
    let (version, target) = with_known.or_else(|| split_version_target(rest))?;
    let windows = target.contains("windows");
    let exe_matches = name.ends_with(".exe") == windows;
    (exe_matches && is_target(target)).then(|| (version.to_string(), target.to_string()))
}

fn split_version_target(rest: &str) -> Option<(&str, &str)> {
    rest.match_indices('-').find_map(|(at, _)| {
        let (version, target) = (&rest[..at], &rest[at + 1..]);
        (semver::Version::parse(version).is_ok() && is_target(target)).then_some((version, target))
    })
}

fn is_target(target: &str) -> bool {
    let mut parts = target.split('-');
    let arch_known = parts.next().is_some_and(|arch| ARCHES.contains(&arch));
    arch_known
        && target.split('-').count() >= 3
        && target
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn render_sh(release: &InstallerRelease, download_dir: &str) -> String {
    let rows = unix_builds(release)
        .map(|b| format!("{}) echo '{}' ;;", b.target, b.sha256))
        .collect::<Vec<_>>();
    fill(INSTALL_SH, release, download_dir, &rows)
}

fn render_ps1(release: &InstallerRelease, download_dir: &str) -> String {
    let rows = release
        .builds
        .iter()
        .filter(|b| b.target.contains("windows"))
        .map(|b| format!("'{}' = '{}'", b.target, b.sha256))
        .collect::<Vec<_>>();
    fill(INSTALL_PS1, release, download_dir, &rows)
}

fn unix_builds(release: &InstallerRelease) -> impl Iterator<Item = &Build> {
    release
        .builds
        .iter()
        .filter(|b| !b.target.contains("windows"))
}

/// Replaces the scalar placeholders, then the table line by `rows` at its indentation.
fn fill(template: &str, release: &InstallerRelease, download_dir: &str, rows: &[String]) -> String {
    let mut out = String::with_capacity(template.len() + rows.len() * 100);
    for line in template.split_inclusive('\n') {
        if line.contains(TABLE_PLACEHOLDER) {
            let indent = &line[..line.len() - line.trim_start().len()];
            for row in rows {
                out.push_str(indent);
                out.push_str(row);
                out.push('\n');
            }
        } else {
            out.push_str(
                &line
                    .replace(VERSION_PLACEHOLDER, &release.version)
                    .replace(DOWNLOAD_DIR_PLACEHOLDER, download_dir),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINUX_SHA: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const MAC_SHA: &str = "2222222222222222222222222222222222222222222222222222222222222222";
    const WIN_SHA: &str = "3333333333333333333333333333333333333333333333333333333333333333";

    fn release_dir(dir_name: &str, version: &str) -> tempfile::TempDir {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join(dir_name);
        fs::create_dir(&dir).unwrap();
        let sums = format!(
            "{LINUX_SHA}  bitnet-install-{version}-x86_64-unknown-linux-gnu\n\
             {MAC_SHA} *bitnet-install-{version}-aarch64-apple-darwin\n\
             {WIN_SHA}  bitnet-install-{version}-x86_64-pc-windows-msvc.exe\n\
             4444444444444444444444444444444444444444444444444444444444444444  README.md\n"
        );
        fs::write(dir.join(SUMS), sums).unwrap();
        temp
    }

    fn placeholders_left(text: &str) -> Vec<String> {
        // Every piece between two consecutive `@` could be a placeholder's name.
        let pieces: Vec<&str> = text.split('@').collect();
        let between = &pieces[1..pieces.len().saturating_sub(1).max(1)];
        between
            .iter()
            .filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .map(|p| format!("@{p}@"))
            .collect()
    }

    #[test]
    fn the_templates_hold_every_placeholder() {
        for template in [INSTALL_SH, INSTALL_PS1] {
            for placeholder in [
                VERSION_PLACEHOLDER,
                DOWNLOAD_DIR_PLACEHOLDER,
                TABLE_PLACEHOLDER,
            ] {
                assert!(template.contains(placeholder), "{placeholder} missing");
            }
            assert!(placeholders_left(template).contains(&VERSION_PLACEHOLDER.to_string()));
        }
    }

    #[test]
    fn render_pins_each_build_hash_in_the_script_of_its_os() {
        let temp = release_dir("v0.5.0", "0.5.0");
        let out = temp.path().join("out");
        let mirror = Origin::Mirror("https://dl.example.com/bitnet-install/".into());
        let (sh, ps1) = render(&temp.path().join("v0.5.0"), &mirror, &out).unwrap();
        let sh = fs::read_to_string(sh).unwrap();
        let ps1 = fs::read_to_string(ps1).unwrap();

        assert!(sh.contains(&format!("x86_64-unknown-linux-gnu) echo '{LINUX_SHA}' ;;")));
        assert!(sh.contains(&format!("aarch64-apple-darwin) echo '{MAC_SHA}' ;;")));
        assert!(!sh.contains(WIN_SHA));
        assert!(ps1.contains(&format!("'x86_64-pc-windows-msvc' = '{WIN_SHA}'")));
        assert!(!ps1.contains(LINUX_SHA) && !ps1.contains(MAC_SHA));
        for text in [&sh, &ps1] {
            assert!(text.contains("'0.5.0'"));
            assert!(text.contains("'https://dl.example.com/bitnet-install/v0.5.0'"));
            assert!(!text.contains("4444"), "a non-installer file was pinned");
            assert_eq!(placeholders_left(text), Vec::<String>::new());
        }
    }

    #[test]
    fn the_github_origin_downloads_from_the_installer_tag_and_a_mirror_from_v_version() {
        let github =
            Origin::GitHub("https://github.com/microsoft/BitNet/releases/download/".into());
        assert_eq!(
            github.download_dir("0.5.0").unwrap(),
            "https://github.com/microsoft/BitNet/releases/download/bitnet-install-v0.5.0"
        );
        let mirror = Origin::Mirror("https://dl.example.com/i".into());
        assert_eq!(
            mirror.download_dir("0.5.0").unwrap(),
            "https://dl.example.com/i/v0.5.0"
        );
        let plain = Origin::GitHub("http://github.com/x".into());
        assert_eq!(plain.download_dir("0.5.0").unwrap_err().exit_code(), 2);
    }

    #[test]
    fn the_version_comes_from_asset_names_when_the_directory_is_not_named_after_it() {
        let temp = release_dir("installer", "0.5.0-beta.1");
        let release = read_installer_release(&temp.path().join("installer")).unwrap();
        assert_eq!(release.version, "0.5.0-beta.1");
        let targets: Vec<_> = release.builds.iter().map(|b| b.target.as_str()).collect();
        assert_eq!(
            targets,
            [
                "x86_64-unknown-linux-gnu",
                "aarch64-apple-darwin",
                "x86_64-pc-windows-msvc"
            ]
        );
    }

    #[test]
    fn a_release_without_installer_assets_is_refused_with_exit_2() {
        let temp = tempfile::tempdir().unwrap();
        let product_sums = format!(
            "{LINUX_SHA}  bitnet-0.5.0-x86_64-unknown-linux-gnu.tar.gz\n\
             {WIN_SHA}  bitnet-0.5.0-x86_64-pc-windows-msvc.zip\n"
        );
        fs::write(temp.path().join(SUMS), product_sums).unwrap();
        let origin = Origin::Mirror("https://dl.example.com".into());
        let err = render(temp.path(), &origin, temp.path()).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(err.to_string().contains("no installer asset"), "{err}");
        assert!(!temp.path().join("install.sh").exists());
    }

    #[test]
    fn mixed_versions_and_malformed_lines_are_refused() {
        let temp = tempfile::tempdir().unwrap();
        let mixed = format!(
            "{LINUX_SHA}  bitnet-install-0.5.0-x86_64-unknown-linux-gnu\n\
             {MAC_SHA}  bitnet-install-0.6.0-aarch64-apple-darwin\n"
        );
        fs::write(temp.path().join(SUMS), mixed).unwrap();
        assert_eq!(
            read_installer_release(temp.path()).unwrap_err().exit_code(),
            2
        );

        fs::write(temp.path().join(SUMS), "not a checksum line\n").unwrap();
        let err = read_installer_release(temp.path()).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn only_https_roots_without_quote_characters_are_accepted() {
        assert_eq!(https_root("https://h/x///").unwrap(), "https://h/x");
        for bad in [
            "http://h/x",
            "https://",
            "file:///srv",
            "/srv/root",
            "https://h/it's",
            "https://h/$(id)",
            "https://h/a b",
        ] {
            assert_eq!(https_root(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn installer_asset_names_must_match_the_exe_convention_of_their_target() {
        assert_eq!(
            installer_asset("bitnet-install-1.0.0-x86_64-pc-windows-msvc.exe", None),
            Some(("1.0.0".into(), "x86_64-pc-windows-msvc".into()))
        );
        assert_eq!(
            installer_asset("bitnet-install-1.0.0-x86_64-pc-windows-msvc", None),
            None
        );
        assert_eq!(
            installer_asset("bitnet-install-1.0.0-x86_64-unknown-linux-gnu.exe", None),
            None
        );
        assert_eq!(
            installer_asset("bitnet-install-1.0.0-x86_64-unknown-linux-gnu.tar.gz", None),
            None
        );
        assert_eq!(
            installer_asset("bitnet-1.0.0-x86_64-unknown-linux-gnu", Some("1.0.0")),
            None
        );
        assert_eq!(
            installer_asset(
                "bitnet-install-1.0.0-aarch64-aarch64-apple-darwin",
                Some("1.0.0-aarch64")
            ),
            Some(("1.0.0-aarch64".into(), "aarch64-apple-darwin".into()))
        );
    }
}
