//! Sealing a release directory: `SHA256SUMS` over its assets, exactly as `sha256sum`
//! prints it, and `SHA256SUMS.minisig` whose trusted comment binds the signature to
//! the product and version (CONTRACT 2.2).

use std::fs;
use std::path::Path;

use crate::digest::Sha256;

use super::atomic;
use super::keys::SigningKey;
use super::names;
use crate::error::{Error, IoContext, Result};

const SUMS: &str = "SHA256SUMS";
const SIGNATURE_SUFFIX: &str = ".minisig";

/// Write `<dir>/SHA256SUMS` over every regular file of `dir` (except the checksums
/// and signatures themselves), then sign it with the key at `key_path`.
pub fn seal(dir: &Path, product: &str, version: &str, key_path: &Path, now: u64) -> Result<()> {
    let product = names::product(product)?;
    let version = names::version(version)?;
    let key = SigningKey::load(key_path)?;

    let assets = release_assets(dir)?;
    let mut sums = String::new();
    for name in &assets {
        let path = dir.join(name);
        sums.push_str(&sha256sums_line(
            &Sha256::of_file(&path).at("read", &path)?,
            name,
        ));
    }
    let signature = key.sign(
        sums.as_bytes(),
        &release_trusted_comment(product, &version.to_string(), now),
    )?;

    atomic::write_bytes(&dir.join(SUMS), sums.as_bytes())?;
    atomic::write_bytes(
        &dir.join(format!("{SUMS}{SIGNATURE_SUFFIX}")),
        signature.as_bytes(),
    )
}

/// One line of `sha256sum` output: lowercase hex, two spaces (text mode), the name.
pub fn sha256sums_line(digest: &Sha256, name: &str) -> String {
    format!("{digest}  {name}\n")
}

/// The trusted comment of a release signature, as `minisign -S -t` would write it.
pub fn release_trusted_comment(product: &str, version: &str, now: u64) -> String {
    format!("timestamp:{now}\tfile:{SUMS}\tproduct:{product}\tversion:{version}")
}

/// The names of the files to checksum, sorted, refusing names that `sha256sum`
/// would escape (so every line stays in the plain format of the contract).
fn release_assets(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).at("read directory", dir)? {
        let entry = entry.at("read directory", dir)?;
        if !entry.file_type().at("inspect", &entry.path())?.is_file() {
            continue;
        }
        let name = entry
            .file_name()
            .into_string()
            .map_err(|raw| unsealable_name(dir, &raw.to_string_lossy(), "it is not valid UTF-8"))?;
        if name == SUMS || name.ends_with(SIGNATURE_SUFFIX) {
            continue;
        }
        if name.contains(['\n', '\r', '\\']) {
            return Err(unsealable_name(dir, &name, "sha256sum would escape it"));
        }
        names.push(name);
    }
    if names.is_empty() {
        return Err(Error::usage(
            format!("{} holds no files to seal", dir.display()),
            "put the release assets there first, for example with `bitnet-release package --out <DIR>`.",
        ));
    }
    names.sort();
    Ok(names)
}

fn unsealable_name(dir: &Path, name: &str, why: &str) -> Error {
    Error::usage(
        format!("cannot seal {name:?} in {}: {why}", dir.display()),
        "rename the file to a plain asset name such as `bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz`.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sums_line_is_lowercase_hex_two_spaces_and_the_name() {
        let digest = Sha256::of(b"abc");
        assert_eq!(
            sha256sums_line(&digest, "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz\n"
        );
    }

    #[test]
    fn the_release_comment_is_tab_separated_and_names_product_and_version() {
        assert_eq!(
            release_trusted_comment("bitnet", "0.3.2", 1763700000),
            "timestamp:1763700000\tfile:SHA256SUMS\tproduct:bitnet\tversion:0.3.2"
        );
    }

    #[test]
    fn assets_are_sorted_and_exclude_sums_signatures_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.zip",
            "a.tar.gz",
            "SHA256SUMS",
            "SHA256SUMS.minisig",
            "x.minisig",
        ] {
            fs::write(dir.path().join(name), name).unwrap();
        }
        fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(
            release_assets(dir.path()).unwrap(),
            vec!["a.tar.gz", "b.zip"]
        );
    }

    #[test]
    fn an_empty_directory_or_an_escaped_name_cannot_be_sealed() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(release_assets(dir.path()).unwrap_err().exit_code(), 2);
        fs::write(dir.path().join("odd\\name"), "x").unwrap();
        assert_eq!(release_assets(dir.path()).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn seal_validates_product_and_version_before_touching_anything() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.tar.gz"), "a").unwrap();
        let key = dir.path().join("missing.key");
        assert_eq!(
            seal(dir.path(), "bit net", "0.3.2", &key, 1)
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            seal(dir.path(), "bitnet", "v0.3.2", &key, 1)
                .unwrap_err()
                .exit_code(),
            2
        );
        assert!(!dir.path().join(SUMS).exists());
    }
}
