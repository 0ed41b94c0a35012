//! Rendering the package manifests of a sealed release (`bitnet-release packaging`):
//! the templates of `packaging/` filled with the release's URLs and the SHA-256
//! digests of its signed `SHA256SUMS`, plus ready-to-build Debian package trees.
//! The product archives feed Homebrew, Scoop, winget, Chocolatey, snap, AUR, Debian
//! and RPM; the static `bitnet-install` feeds the `FROM scratch` Docker image.

use std::fs;
use std::path::{Path, PathBuf};

use super::atomic::{self, Mode, Replace};
use super::date::Date;
use super::debian;
use super::manpage::man_page;
use super::npm;
use super::package::{asset_name, PackageFormat, PackageRequest};
use super::wheel;
use crate::archive::Format;
use crate::digest::Sha256;
use crate::error::{Error, IoContext, Result};
use crate::extract::{self, Limits};
use crate::verify::{self, Checksums, TrustedComment, TrustedKeys};

/// Where GitHub serves release assets: `<base>/<tag>/<asset>`.
pub const DEFAULT_BASE_URL: &str = "https://github.com/microsoft/BitNet/releases/download";

/// Where the product's source and documentation live.
pub(super) const HOMEPAGE: &str = "https://github.com/microsoft/BitNet";
/// The product's license, installed by the Debian, RPM and AUR packages.
pub(super) const LICENSE: &str = include_str!("../../packaging/LICENSE");
/// The installer's own product name; its releases are tagged `bitnet-install-v<V>`.
const INSTALLER_PRODUCT: &str = "bitnet-install";
/// The target of the static installer that the Docker image holds.
const INSTALLER_TARGET: &str = "x86_64-unknown-linux-gnu";
/// The executables of a product archive (CONTRACT 2.1), installed to `/usr/bin`,
/// with the one-line summary of their man pages.
pub(super) const COMMANDS: &[(&str, &str)] = &[
    (
        "bitnet-cli",
        "run 1-bit large language models from the command line",
    ),
    (
        "bitnet-server",
        "serve 1-bit large language models over HTTP",
    ),
];
/// Debian architectures and the release targets whose archives they repackage.
const DEB_ARCHES: &[(&str, &str)] = &[
    ("amd64", "x86_64-unknown-linux-gnu"),
    ("arm64", "aarch64-unknown-linux-gnu"),
];

/// One file of `packaging/`: where it is rendered to (placeholders allowed there too).
struct Template {
    source: &'static str,
    output: &'static str,
    text: &'static str,
}

macro_rules! template {
    ($source:literal => $output:literal) => {
        Template {
            source: $source,
            output: $output,
            text: include_str!(concat!("../../packaging/", $source)),
        }
    };
}

/// Manifests rendered from the product release.
const PRODUCT_TEMPLATES: &[Template] = &[
    template!("homebrew/bitnet.rb" => "homebrew/bitnet.rb"),
    template!("scoop/bitnet.json" => "scoop/bitnet.json"),
    template!("winget/Microsoft.BitNet.yaml"
        => "winget/manifests/m/Microsoft/BitNet/{{version}}/Microsoft.BitNet.yaml"),
    template!("winget/Microsoft.BitNet.installer.yaml"
        => "winget/manifests/m/Microsoft/BitNet/{{version}}/Microsoft.BitNet.installer.yaml"),
    template!("winget/Microsoft.BitNet.locale.en-US.yaml"
        => "winget/manifests/m/Microsoft/BitNet/{{version}}/Microsoft.BitNet.locale.en-US.yaml"),
    template!("chocolatey/bitnet.nuspec" => "chocolatey/bitnet.nuspec"),
    template!("chocolatey/tools/chocolateyinstall.ps1" => "chocolatey/tools/chocolateyinstall.ps1"),
    template!("snap/snapcraft.yaml" => "snap/snapcraft.yaml"),
    template!("aur/PKGBUILD" => "aur/PKGBUILD"),
    template!("aur/.SRCINFO" => "aur/.SRCINFO"),
    template!("LICENSE" => "aur/LICENSE"),
    template!("rpm/bitnet.spec" => "rpm/bitnet.spec"),
    template!("LICENSE" => "rpm/LICENSE"),
];

/// The control file of each Debian package tree.
const DEB_CONTROL: Template = template!("debian/control"
    => "deb/bitnet_{{deb_version}}-1_{{deb_arch}}/DEBIAN/control");

/// The Docker image, rendered from the installer's release.
const DOCKERFILE: Template = template!("docker/Dockerfile" => "docker/Dockerfile");

/// What to render.
#[derive(Clone, Debug)]
pub struct PackagingRequest {
    /// A sealed release of the product (`SHA256SUMS`, its signature, the assets).
    pub release_dir: PathBuf,
    /// A sealed release of `bitnet-install`, for the Docker image (skipped without it).
    pub installer_release_dir: Option<PathBuf>,
    /// When given, `SHA256SUMS` must verify against these keys before anything is read.
    pub trusted_keys: Option<TrustedKeys>,
    /// Assets are at `<base_url>/<tag>/<asset>`.
    pub base_url: String,
    /// An empty or missing directory to write into.
    pub out_dir: PathBuf,
}

/// What was written, and what was left out and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<String>,
}

/// Render every manifest of `packaging/` for the release in `request.release_dir`.
pub fn render_packaging(request: &PackagingRequest) -> Result<Rendered> {
    let base_url = base_url(&request.base_url)?;
    let keys = request.trusted_keys.as_ref();
    let release = SealedRelease::open(&request.release_dir, keys)?;
    let installer = match &request.installer_release_dir {
        Some(dir) => Some(SealedRelease::open(dir, keys)?.require_product(INSTALLER_PRODUCT)?),
        None => None,
    };

    // Everything is rendered in memory first, so a missing asset leaves no
    // half-written output behind.
    let context = Context {
        release: &release,
        installer: installer.as_ref(),
        base_url,
        deb: None,
    };
    let mut files = Vec::new();
    for template in PRODUCT_TEMPLATES {
        files.push(context.render_file(template)?);
    }
    // The RPM spec takes the man pages as plain sources: rpmbuild compresses them.
    let date = Date::from_unix(release.timestamp);
    for (command, summary) in COMMANDS {
        let page = man_page(command, summary, &release.version.to_string(), &date);
        files.push((PathBuf::from(format!("rpm/{command}.1")), page));
    }
    let mut debs = Vec::new();
    for &(deb_arch, target) in DEB_ARCHES {
        let asset = release.asset(&release.archive_name(target)?, DEB_CONTROL.source)?;
        let deb = Context {
            deb: Some((deb_arch, &asset)),
            ..context
        };
        let control = deb.render_file(&DEB_CONTROL)?;
        debs.push((control, asset));
    }
    let mut rendered = Rendered::default();
    let wheel_version = match wheel::pep440_version(&release.version) {
        Ok(version) => Some(version),
        Err(e) => {
            rendered.skipped.push(format!("pypi/: {e}"));
            None
        }
    };
    if installer.is_some() {
        files.push(context.render_file(&DOCKERFILE)?);
    } else {
        rendered.skipped.push(format!(
            "{}: give --installer-release with a sealed {INSTALLER_PRODUCT} release",
            DOCKERFILE.output
        ));
    }

    let out = &request.out_dir;
    prepare_out_dir(out)?;
    for (relative, text) in &files {
        rendered.files.push(write_file(out, relative, text)?);
    }
    for ((relative, control), asset) in &debs {
        let control = write_file(out, relative, control)?;
        let root = control.parent().and_then(Path::parent).ok_or_else(|| {
            Error::other(
                "the Debian control file has no package root",
                "render packaging/debian/control to <root>/DEBIAN/control.",
            )
        })?;
        debian::populate_deb_tree(&release, asset, root, out)?;
        rendered.files.push(root.to_path_buf());
    }
    rendered.files.extend(npm::write_packages(&release, out)?);
    if let Some(version) = &wheel_version {
        rendered
            .files
            .extend(wheel::write_wheels(&release, version, out)?);
    }
    Ok(rendered)
}

/// Writes `text` to `out/relative`, creating its directories (mode 0755).
pub(super) fn write_file(out: &Path, relative: &Path, text: &str) -> Result<PathBuf> {
    write_bytes_file(out, relative, text.as_bytes())
}

/// Writes `bytes` to `out/relative`, creating its directories (mode 0755).
pub(super) fn write_bytes_file(out: &Path, relative: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let path = out.join(relative);
    let parent = path.parent().unwrap_or(out);
    fs::create_dir_all(parent).at("create directory", parent)?;
    set_mode(parent, 0o755)?;
    atomic::write_bytes(&path, bytes)?;
    set_mode(&path, 0o644)?;
    Ok(path)
}

/// The base URL without its trailing slash. Its characters are limited to ones that
/// need no quoting in Ruby, JSON, YAML, XML, PowerShell or shell strings, so a
/// rendered manifest cannot be broken (or injected into) through it.
fn base_url(raw: &str) -> Result<&str> {
    let url = raw.trim_end_matches('/');
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    let chars_ok = url
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~:/%@+=,".contains(c));
    if scheme_ok && chars_ok && url.len() > "https://".len() {
        Ok(url)
    } else {
        Err(Error::usage(
            format!("invalid base URL {raw:?}"),
            "give an http(s) URL without quotes, spaces, `&` or `$`, such as https://github.com/microsoft/BitNet/releases/download.",
        ))
    }
}

fn prepare_out_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        let mut entries = fs::read_dir(dir).at("read directory", dir)?;
        if entries.next().is_some() {
            return Err(Error::usage(
                format!("{} is not empty", dir.display()),
                "render into a new or empty directory, so no stale manifest is left behind.",
            ));
        }
    }
    fs::create_dir_all(dir).at("create directory", dir)
}

/// A release directory whose `SHA256SUMS` names the assets and their digests, and
/// whose signature's trusted comment names the product and version.
pub(super) struct SealedRelease {
    dir: PathBuf,
    product: String,
    pub(super) version: semver::Version,
    /// When the release was sealed (Unix seconds, from the signature's trusted
    /// comment): dates what is rendered, so rendering twice gives the same bytes.
    pub(super) timestamp: u64,
    sums: Checksums,
}

/// An asset of a release whose bytes on disk matched `SHA256SUMS`.
pub(super) struct Asset {
    pub(super) name: String,
    sha256: String,
    pub(super) path: PathBuf,
}

impl SealedRelease {
    /// Reads `SHA256SUMS` and its signature (verifying it when `keys` are given) and
    /// checks every asset present in `dir` against it, so that nothing rendered can
    /// point at bytes other than the ones on disk.
    fn open(dir: &Path, keys: Option<&TrustedKeys>) -> Result<Self> {
        let sums_path = dir.join("SHA256SUMS");
        let signature_path = dir.join("SHA256SUMS.minisig");
        let not_sealed = |path: &Path| {
            Error::usage(
                format!("{} is missing", path.display()),
                "seal the release first: `bitnet-release seal <DIR> --product P --version V --key K`.",
            )
        };
        let sums_text = read_capped(&sums_path, verify::MAX_SUMS_BYTES, not_sealed)?;
        let signature = read_capped(&signature_path, verify::MAX_SIGNATURE_BYTES, not_sealed)?;
        let comment = match keys {
            Some(keys) => verify::verify_signature(
                sums_text.as_bytes(),
                &signature,
                keys,
                &sums_path.display().to_string(),
            )?,
            None => unverified_trusted_comment(&signature),
        };
        let (product, version, timestamp) = release_identity(&comment, &signature_path)?;
        let sums = Checksums::parse(&sums_text)?;
        for name in sums.names() {
            let path = dir.join(&name);
            if path.is_file() {
                let actual = Sha256::of_file(&path).at("read", &path)?;
                if let Some(expected) = sums.digest_of(&name) {
                    verify::require_digest(&name, "its signed checksum", expected, actual)?;
                }
            }
        }
        Ok(SealedRelease {
            dir: dir.to_path_buf(),
            product,
            version,
            timestamp,
            sums,
        })
    }

    fn require_product(self, product: &str) -> Result<Self> {
        if self.product == product {
            Ok(self)
        } else {
            Err(Error::usage(
                format!(
                    "{} is a release of {}, not of {product}",
                    self.dir.display(),
                    self.product
                ),
                "give the release directory of the installer itself.",
            ))
        }
    }

    /// `v<V>` for products, `bitnet-install-v<V>` for the installer (CONTRACT 2.4).
    fn tag(&self) -> String {
        if self.product == INSTALLER_PRODUCT {
            format!("{INSTALLER_PRODUCT}-v{}", self.version)
        } else {
            format!("v{}", self.version)
        }
    }

    /// The baseline archive of `target`: zip on Windows, tar.gz elsewhere.
    fn archive_name(&self, target: &str) -> Result<String> {
        self.asset_name(target, PackageFormat::default_for(target))
    }

    fn asset_name(&self, target: &str, format: PackageFormat) -> Result<String> {
        asset_name(&PackageRequest {
            product: self.product.clone(),
            version: self.version.to_string(),
            target: target.to_string(),
            variant: None,
            format,
        })
    }

    /// The baseline archive of `target` if the release lists it (it must then be
    /// present), for the channels that take whichever targets were built.
    pub(super) fn listed_archive(&self, target: &str) -> Result<Option<Asset>> {
        let name = self.archive_name(target)?;
        if self.sums.digest_of(&name).is_none() {
            return Ok(None);
        }
        self.asset(&name, "the Python wheels").map(Some)
    }

    /// The asset `name`, which must be listed and present (`needed_by` says which
    /// manifest wanted it).
    fn asset(&self, name: &str, needed_by: &str) -> Result<Asset> {
        let path = self.dir.join(name);
        match self.sums.digest_of(name) {
            Some(sha256) if path.is_file() => Ok(Asset {
                name: name.to_string(),
                sha256: sha256.to_string(),
                path,
            }),
            _ => Err(Error::usage(
                format!(
                    "the release in {} has no asset {name} (listed in SHA256SUMS), which {needed_by} needs",
                    self.dir.display()
                ),
                "build, package and seal every target that the package manifests name (see docs/RELEASING.md).",
            )),
        }
    }

    fn url(&self, base_url: &str, asset: &Asset) -> String {
        format!("{base_url}/{}/{}", self.tag(), asset.name)
    }
}

fn read_capped(path: &Path, cap: u64, missing: impl Fn(&Path) -> Error) -> Result<String> {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing(path)),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    if metadata.len() > cap {
        return Err(Error::verification(format!(
            "{} is larger than {cap} bytes",
            path.display()
        )));
    }
    fs::read_to_string(path).at("read", path)
}

/// The trusted comment as written, for a run without `--public-key`: the manifests
/// then carry the digests of `SHA256SUMS`, which every client checks anyway.
fn unverified_trusted_comment(signature: &str) -> TrustedComment {
    let text = signature
        .lines()
        .find_map(|line| line.strip_prefix("trusted comment:"))
        .unwrap_or("");
    TrustedComment::parse(text)
}

fn release_identity(
    comment: &TrustedComment,
    signature: &Path,
) -> Result<(String, semver::Version, u64)> {
    let product = comment.get("product");
    let version = comment
        .get("version")
        .and_then(|v| semver::Version::parse(v).ok());
    match (product, version, comment.number("timestamp")) {
        (Some(product), Some(version), Some(timestamp)) => {
            Ok((product.to_string(), version, timestamp))
        }
        _ => Err(Error::verification(format!(
            "the trusted comment of {} does not name a product, a semver version and a timestamp",
            signature.display()
        ))),
    }
}

/// Everything a placeholder can name while rendering one template.
#[derive(Clone, Copy)]
struct Context<'a> {
    release: &'a SealedRelease,
    installer: Option<&'a SealedRelease>,
    base_url: &'a str,
    /// The Debian architecture and the archive it repackages (control file only).
    deb: Option<(&'a str, &'a Asset)>,
}

impl Context<'_> {
    /// The output path (relative) and the text of `template`.
    fn render_file(&self, template: &Template) -> Result<(PathBuf, String)> {
        let path = PathBuf::from(self.render(template.output, template)?);
        Ok((path, self.render(template.text, template)?))
    }

    fn render(&self, text: &str, template: &Template) -> Result<String> {
        render(text, |key| self.value(key, template.source))
    }

    fn value(&self, key: &str, needed_by: &str) -> Result<String> {
        let release = self.release;
        let version = &release.version;
        Ok(match key.split_once(' ') {
            Some((field, target)) => {
                let asset = release.asset(&release.archive_name(target)?, needed_by)?;
                match field {
                    "url" => release.url(self.base_url, &asset),
                    "sha256" => asset.sha256,
                    "SHA256" => asset.sha256.to_ascii_uppercase(),
                    _ => return Err(unknown_placeholder(key, needed_by)),
                }
            }
            None => match key {
                "version" => version.to_string(),
                "deb_version" => deb_version(version),
                "rpm_version" => rpm_version(version),
                "rpm_date" => Date::from_unix(release.timestamp).rpm_changelog(),
                "pkgver" => pacman_pkgver(version),
                "license_sha256" => Sha256::of(LICENSE.as_bytes()).to_string(),
                "tag" => release.tag(),
                "base_url" => self.base_url.to_string(),
                "deb_arch" | "asset" => match self.deb {
                    Some((arch, _)) if key == "deb_arch" => arch.to_string(),
                    Some((_, asset)) => asset.name.clone(),
                    None => return Err(unknown_placeholder(key, needed_by)),
                },
                "installer_version" | "installer_url" | "installer_sha256" => {
                    self.installer_value(key, needed_by)?
                }
                _ => return Err(unknown_placeholder(key, needed_by)),
            },
        })
    }

    fn installer_value(&self, key: &str, needed_by: &str) -> Result<String> {
        let installer = self
            .installer
            .ok_or_else(|| unknown_placeholder(key, needed_by))?;
        let name = installer.asset_name(INSTALLER_TARGET, PackageFormat::Bare)?;
        let asset = installer.asset(&name, needed_by)?;
        Ok(match key {
            "installer_version" => installer.version.to_string(),
            "installer_url" => installer.url(self.base_url, &asset),
            _ => asset.sha256,
        })
    }
}

fn unknown_placeholder(key: &str, template: &str) -> Error {
    Error::other(
        format!("packaging/{template} uses an unknown placeholder {{{{{key}}}}}"),
        "fix the template: see the placeholders listed in docs/RELEASING.md.",
    )
}

/// Replaces every `{{ key }}` of `text` with `value(key)`.
fn render(text: &str, mut value: impl FnMut(&str) -> Result<String>) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let end = rest[start..].find("}}").ok_or_else(|| {
            Error::other(
                "a template has an unclosed {{ placeholder",
                "close it with }}.",
            )
        })?;
        out.push_str(&rest[..start]);
        out.push_str(&value(rest[start + 2..start + end].trim())?);
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Debian sorts `~` before everything, so `0.4.0~beta.1` precedes `0.4.0` as in semver.
pub(super) fn deb_version(version: &semver::Version) -> String {
    let mut out = format!("{}.{}.{}", version.major, version.minor, version.patch);
    if !version.pre.is_empty() {
        out.push('~');
        out.push_str(version.pre.as_str());
    }
    if !version.build.is_empty() {
        out.push('+');
        out.push_str(version.build.as_str());
    }
    out
}

/// RPM forbids `-` in Version and, like Debian, sorts `~` first.
fn rpm_version(version: &semver::Version) -> String {
    deb_version(version).replace('-', "_")
}

/// pacman forbids `-` in pkgver and sorts `0.4.0beta.1` before `0.4.0`; build
/// metadata has no place there (semver ignores it for ordering too).
fn pacman_pkgver(version: &semver::Version) -> String {
    format!(
        "{}.{}.{}{}",
        version.major,
        version.minor,
        version.patch,
        version.pre.as_str().replace('-', "_")
    )
}

pub(super) fn copy_with_mode(source: &Path, dest: &Path, mode: u32) -> Result<()> {
    let parent = dest.parent().unwrap_or(dest);
    fs::create_dir_all(parent).at("create directory", parent)?;
    let write_mode = if mode == 0o755 {
        Mode::Executable
    } else {
        Mode::Public
    };
    atomic::write_with(dest, write_mode, Replace::Refuse, |file| {
        std::io::copy(&mut fs::File::open(source)?, file).map(drop)
    })?;
    set_mode(dest, mode)
}

/// The files of the verified archive `asset`, unpacked into a temporary directory
/// under `scratch_parent` (removed when the returned guard drops).
pub(super) fn unpack(
    asset: &Asset,
    scratch_parent: &Path,
) -> Result<(tempfile::TempDir, Vec<PathBuf>)> {
    let scratch = tempfile::Builder::new()
        .prefix(".bitnet-unpack-")
        .tempdir_in(scratch_parent)
        .at("create a temporary directory in", scratch_parent)?;
    let kind = Format::of_asset(&asset.name)?;
    let extracted = extract::extract(
        &asset.path,
        kind,
        &asset.name,
        scratch.path(),
        &Limits::default(),
    )?;
    Ok((scratch, extracted.files))
}

/// The error for an archive that lacks one of the product's commands.
pub(super) fn missing_command(asset: &Asset, command: &str) -> Error {
    Error::usage(
        format!("{} holds no {command} at its root", asset.name),
        "package every command of the product: `bitnet-release package ... bitnet-cli bitnet-server`.",
    )
}

/// Package builders check modes (dpkg-deb wants 0755 for `DEBIAN`) and install
/// files with them, so they must not depend on the caller's umask.
pub(super) fn set_mode(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).at("set permissions of", path)
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn placeholders_are_replaced_and_unknown_ones_are_errors() {
        let value = |key: &str| match key {
            "version" => Ok("0.3.2".to_string()),
            "url x86_64-apple-darwin" => Ok("https://h/a.tar.gz".to_string()),
            _ => Err(unknown_placeholder(key, "t")),
        };
        let out = render(
            "v={{version}} u={{ url x86_64-apple-darwin }} #{bin}",
            value,
        )
        .unwrap();
        assert_eq!(out, "v=0.3.2 u=https://h/a.tar.gz #{bin}");
        assert!(render("{{nope}}", value).is_err());
        assert!(render("{{version", value).is_err());
    }

    #[test]
    fn pre_releases_sort_before_the_release_in_every_package_format() {
        let beta = version("0.4.0-beta.1");
        assert_eq!(deb_version(&beta), "0.4.0~beta.1");
        assert_eq!(rpm_version(&version("0.4.0-rc-1")), "0.4.0~rc_1");
        assert_eq!(pacman_pkgver(&beta), "0.4.0beta.1");
        assert_eq!(deb_version(&version("0.3.2")), "0.3.2");
        assert_eq!(pacman_pkgver(&version("0.3.2+build.5")), "0.3.2");
        assert_eq!(deb_version(&version("0.3.2+build.5")), "0.3.2+build.5");
    }

    #[test]
    fn base_urls_that_could_break_a_manifest_are_refused() {
        assert_eq!(
            base_url("https://example.com/dl/").unwrap(),
            "https://example.com/dl"
        );
        assert_eq!(base_url(DEFAULT_BASE_URL).unwrap(), DEFAULT_BASE_URL);
        for bad in [
            "ftp://example.com",
            "https://",
            "https://example.com/a b",
            "https://example.com/'x",
            "https://example.com/?a=1&b=2",
            "https://example.com/$(id)",
            "https://example.com/\"",
        ] {
            assert_eq!(base_url(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn every_template_uses_only_known_placeholders() {
        let templates = PRODUCT_TEMPLATES.iter().chain([&DEB_CONTROL, &DOCKERFILE]);
        for template in templates {
            for text in [template.text, template.output] {
                render(text, |key| {
                    let known = matches!(
                        key.split_once(' ').map_or(key, |(field, _)| field),
                        "url"
                            | "sha256"
                            | "SHA256"
                            | "version"
                            | "deb_version"
                            | "rpm_version"
                            | "rpm_date"
                            | "pkgver"
                            | "license_sha256"
                            | "tag"
                            | "base_url"
                            | "deb_arch"
                            | "asset"
                            | "installer_version"
                            | "installer_url"
                            | "installer_sha256"
                    );
                    if known {
                        Ok(String::new())
                    } else {
                        Err(unknown_placeholder(key, template.source))
                    }
                })
                .unwrap_or_else(|e| panic!("{}: {e}", template.source));
            }
        }
    }

    #[test]
    fn the_trusted_comment_is_read_from_an_unverified_signature() {
        let signature = "untrusted comment: x\nRW==\ntrusted comment: timestamp:1\tproduct:bitnet\tversion:0.3.2\nsig\n";
        let comment = unverified_trusted_comment(signature);
        let (product, version, timestamp) = release_identity(&comment, Path::new("s")).unwrap();
        assert_eq!(
            (product.as_str(), version.to_string().as_str(), timestamp),
            ("bitnet", "0.3.2", 1)
        );
        let bad = unverified_trusted_comment("trusted comment: product:bitnet version:latest");
        assert_eq!(
            release_identity(&bad, Path::new("s"))
                .unwrap_err()
                .exit_code(),
            5
        );
    }
}
