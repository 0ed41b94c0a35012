//! Validation of the names a publisher types: they end up in file names and in
//! signed trusted comments, where a space or a slash would change their meaning.

use crate::error::{Error, Result};

/// A product name: non-empty, no whitespace, no path separator.
pub(super) fn product(product: &str) -> Result<&str> {
    if is_plain_word(product) {
        Ok(product)
    } else {
        Err(Error::usage(
            format!("invalid product name {product:?}"),
            "use a non-empty name without whitespace or slashes, such as `bitnet`.",
        ))
    }
}

/// A semver 2.0 version, returned in its canonical spelling.
pub(super) fn version(version: &str) -> Result<semver::Version> {
    semver::Version::parse(version).map_err(|e| {
        Error::usage(
            format!("invalid version {version:?}: {e}"),
            "give a semver version without the leading `v`, such as `0.3.2` or `0.4.0-beta.1`.",
        )
    })
}

/// A Rust target triple as it appears in asset names.
pub(super) fn target(target: &str) -> Result<&str> {
    let ok = target.contains('-')
        && target
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(target)
    } else {
        Err(Error::usage(
            format!("invalid target {target:?}"),
            "give a Rust target triple, such as `x86_64-unknown-linux-gnu`.",
        ))
    }
}

/// A build variant: one lowercase alphanumeric word, so the asset name stays parseable.
pub(super) fn variant(variant: &str) -> Result<&str> {
    let ok = !variant.is_empty()
        && variant
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if ok {
        Ok(variant)
    } else {
        Err(Error::usage(
            format!("invalid variant {variant:?}"),
            "use one lowercase word without dashes, such as `avx2`, `neon` or `cuda12`.",
        ))
    }
}

/// The base name of a key pair (`NAME.key`, `NAME.pub`).
pub(super) fn key_name(name: &str) -> Result<&str> {
    if is_plain_word(name) && !name.starts_with('.') {
        Ok(name)
    } else {
        Err(Error::usage(
            format!("invalid key name {name:?}"),
            "use a plain file name without whitespace or slashes, such as `bitnet`.",
        ))
    }
}

fn is_plain_word(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/' || c == '\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_with_whitespace_or_slashes_are_refused() {
        assert!(product("bitnet").is_ok());
        for bad in ["", "bit net", "bit\tnet", "a/b", "a\\b"] {
            assert_eq!(product(bad).unwrap_err().exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn versions_must_be_semver_without_a_v() {
        assert_eq!(version("0.4.0-beta.1").unwrap().to_string(), "0.4.0-beta.1");
        for bad in ["v0.3.2", "0.3", "latest", ""] {
            assert_eq!(version(bad).unwrap_err().exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn targets_and_variants_keep_asset_names_parseable() {
        assert!(target("x86_64-pc-windows-msvc").is_ok());
        assert!(target("linux").is_err());
        assert!(target("x86_64 linux-gnu").is_err());
        assert!(variant("cuda12").is_ok());
        assert!(variant("cuda-12").is_err());
        assert!(variant("AVX2").is_err());
    }

    #[test]
    fn key_names_are_plain_file_names() {
        assert!(key_name("bitnet").is_ok());
        assert!(key_name("../bitnet").is_err());
        assert!(key_name(".hidden").is_err());
    }
}
