//! Python wheels of a product release (`bitnet-release packaging` → `pypi/`): one
//! platform wheel per target, holding the product's commands in
//! `bitnet-<V>.data/scripts/`, which pip installs into the `bin/` (`Scripts\`) of
//! the environment, on its PATH: the way ruff and uv ship their Rust binaries.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::packaging::{
    missing_command, unpack, write_bytes_file, SealedRelease, COMMANDS, HOMEPAGE, LICENSE,
};
use crate::error::{Error, IoContext, Result};

/// The wheel platform tag of each target. The Linux glibc builds take the oldest
/// glibc that current toolchains target (manylinux2014, glibc 2.17), as ruff does.
const PLATFORM_TAGS: &[(&str, &str)] = &[
    (
        "x86_64-unknown-linux-gnu",
        "manylinux_2_17_x86_64.manylinux2014_x86_64",
    ),
    (
        "aarch64-unknown-linux-gnu",
        "manylinux_2_17_aarch64.manylinux2014_aarch64",
    ),
    ("x86_64-unknown-linux-musl", "musllinux_1_2_x86_64"),
    ("aarch64-unknown-linux-musl", "musllinux_1_2_aarch64"),
    ("x86_64-apple-darwin", "macosx_10_12_x86_64"),
    ("aarch64-apple-darwin", "macosx_11_0_arm64"),
    ("x86_64-pc-windows-msvc", "win_amd64"),
    ("aarch64-pc-windows-msvc", "win_arm64"),
];

/// The distribution's name on PyPI.
const NAME: &str = "bitnet";

/// Writes a wheel of `version` (PEP 440) to `out/pypi/` for every target of
/// `PLATFORM_TAGS` whose archive the release lists.
pub(super) fn write_wheels(
    release: &SealedRelease,
    version: &str,
    out: &Path,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (target, platform) in PLATFORM_TAGS {
        let Some(asset) = release.listed_archive(target)? else {
            continue;
        };
        let (scratch, files) = unpack(&asset, out)?;
        let mut scripts = Vec::new();
        for (command, _) in COMMANDS {
            let file = files
                .iter()
                .find(|f| f.file_stem().and_then(|s| s.to_str()) == Some(command))
                .ok_or_else(|| missing_command(&asset, command))?;
            let bytes = std::fs::read(scratch.path().join(file)).at("read", file)?;
            let name = file.to_string_lossy().into_owned();
            scripts.push((name, bytes));
        }
        let wheel = wheel_bytes(version, platform, &scripts)?;
        let name = format!("{NAME}-{version}-py3-none-{platform}.whl");
        written.push(write_bytes_file(
            out,
            &Path::new("pypi").join(name),
            &wheel,
        )?);
    }
    Ok(written)
}

/// PEP 440 spells semver's `-alpha.1`, `-beta.1`, `-rc.1` as `a1`, `b1`, `rc1`;
/// other pre-releases and build metadata have no place on PyPI.
pub(super) fn pep440_version(version: &semver::Version) -> Result<String> {
    let release = format!("{}.{}.{}", version.major, version.minor, version.patch);
    let unsupported = || {
        Error::usage(
            format!("version {version} has no PEP 440 form for the Python wheels"),
            "use a release version or an alpha.N, beta.N or rc.N pre-release.",
        )
    };
    if !version.build.is_empty() {
        return Err(unsupported());
    }
    if version.pre.is_empty() {
        return Ok(release);
    }
    let (kind, number) = version
        .pre
        .as_str()
        .split_once('.')
        .ok_or_else(unsupported)?;
    let kind = match kind {
        "alpha" | "a" => "a",
        "beta" | "b" => "b",
        "rc" => "rc",
        _ => return Err(unsupported()),
    };
    let number: u64 = number.parse().map_err(|_| unsupported())?;
    Ok(format!("{release}{kind}{number}"))
}

/// The wheel: the scripts (mode 0755), METADATA, WHEEL, the license, and RECORD
/// with each file's urlsafe-base64 SHA-256 and size.
fn wheel_bytes(version: &str, platform: &str, scripts: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let data = format!("{NAME}-{version}.data/scripts");
    let info = format!("{NAME}-{version}.dist-info");
    let mut files: Vec<(String, Vec<u8>, u32)> = scripts
        .iter()
        .map(|(name, bytes)| (format!("{data}/{name}"), bytes.clone(), 0o755))
        .collect();
    files.push((
        format!("{info}/METADATA"),
        metadata(version).into_bytes(),
        0o644,
    ));
    let wheel = format!(
        "Wheel-Version: 1.0\nGenerator: bitnet-release\nRoot-Is-Purelib: false\n{}",
        platform
            .split('.')
            .map(|tag| format!("Tag: py3-none-{tag}\n"))
            .collect::<String>()
    );
    files.push((format!("{info}/WHEEL"), wheel.into_bytes(), 0o644));
    files.push((
        format!("{info}/LICENSE"),
        LICENSE.as_bytes().to_vec(),
        0o644,
    ));
    let mut record: String = files
        .iter()
        .map(|(name, bytes, _)| {
            let digest = urlsafe_base64(&Sha256::digest(bytes));
            format!("{name},sha256={digest},{}\n", bytes.len())
        })
        .collect();
    record.push_str(&format!("{info}/RECORD,,\n"));
    files.push((format!("{info}/RECORD"), record.into_bytes(), 0o644));

    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let zip_error = |e: zip::result::ZipError| {
        Error::other(
            format!("could not write the {platform} wheel: {e}"),
            "this is a bug in bitnet-release.",
        )
    };
    for (name, bytes, mode) in &files {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(*mode);
        zip.start_file(name.as_str(), options).map_err(zip_error)?;
        zip.write_all(bytes).map_err(|e| zip_error(e.into()))?;
    }
    Ok(zip.finish().map_err(zip_error)?.into_inner())
}

/// Core metadata 2.1 with a Markdown description, which `twine check` renders.
fn metadata(version: &str) -> String {
    format!(
        "Metadata-Version: 2.1\n\
         Name: {NAME}\n\
         Version: {version}\n\
         Summary: Inference framework for 1-bit LLMs (bitnet-cli and bitnet-server)\n\
         Home-page: {HOMEPAGE}\n\
         License: MIT\n\
         Project-URL: Source, {HOMEPAGE}\n\
         Classifier: License :: OSI Approved :: MIT License\n\
         Description-Content-Type: text/markdown\n\
         \n\
         # BitNet\n\
         \n\
         Installs BitNet's command-line tools into the environment: `bitnet-cli` runs\n\
         1-bit models and `bitnet-server` serves them over HTTP. See {HOMEPAGE}.\n"
    )
}

/// Base64 with the URL-safe alphabet and no padding, as wheel RECORDs want.
fn urlsafe_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_pre_releases_map_to_pep440_or_are_refused() {
        let v = |text: &str| pep440_version(&semver::Version::parse(text).unwrap());
        assert_eq!(v("0.3.2").unwrap(), "0.3.2");
        assert_eq!(v("0.4.0-beta.1").unwrap(), "0.4.0b1");
        assert_eq!(v("1.0.0-alpha.2").unwrap(), "1.0.0a2");
        assert_eq!(v("1.0.0-rc.10").unwrap(), "1.0.0rc10");
        for bad in ["1.0.0-nightly.1", "1.0.0-beta", "1.0.0+build.5"] {
            assert_eq!(v(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn urlsafe_base64_has_no_padding_and_the_url_alphabet() {
        assert_eq!(urlsafe_base64(b""), "");
        assert_eq!(urlsafe_base64(b"f"), "Zg");
        assert_eq!(urlsafe_base64(b"fo"), "Zm8");
        assert_eq!(urlsafe_base64(b"foo"), "Zm9v");
        assert_eq!(urlsafe_base64(&[0xfb, 0xff]), "-_8");
        // The RECORD digest of an empty file, as pip computes it.
        assert_eq!(
            urlsafe_base64(&Sha256::digest(b"")),
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
    }
}
