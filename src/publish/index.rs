//! The signed index of a static root (CONTRACT 2.3): the list of sealed releases
//! under `<root>/v<V>/`, newest first, signed with a trusted comment that carries
//! its timestamp and expiry so installers can refuse frozen or rolled-back mirrors.

use std::fs;
use std::path::Path;

use serde::Serialize;

use super::atomic;
use super::keys::SigningKey;
use super::names;
use crate::error::{Error, IoContext, Result};

const INDEX: &str = "index.json";
const RELEASE_SIGNATURE: &str = "SHA256SUMS.minisig";

#[derive(Serialize)]
struct Index<'a> {
    product: &'a str,
    releases: Vec<IndexRelease>,
}

#[derive(Serialize)]
struct IndexRelease {
    version: String,
}

/// Write `<root>/index.json` listing every sealed release under `root`, and its
/// signature `<root>/index.json.minisig`, valid from `now` for `expires_in_secs`.
pub fn write_index(
    root: &Path,
    product: &str,
    key_path: &Path,
    now: u64,
    expires_in_secs: u64,
) -> Result<()> {
    let product = names::product(product)?;
    if expires_in_secs == 0 {
        return Err(zero_duration());
    }
    let expires = now.checked_add(expires_in_secs).ok_or_else(|| {
        Error::usage(
            format!("an expiry {expires_in_secs} seconds from now is out of range"),
            "choose a shorter --expires-in, such as `30d`.",
        )
    })?;
    let key = SigningKey::load(key_path)?;

    let versions = sealed_versions(root, product)?;
    let index = Index {
        product,
        releases: versions
            .iter()
            .map(|v| IndexRelease {
                version: v.to_string(),
            })
            .collect(),
    };
    let mut json = serde_json::to_string_pretty(&index).map_err(|e| {
        Error::other(
            format!("could not encode the index: {e}"),
            "report this bug.",
        )
    })?;
    json.push('\n');
    let signature = key.sign(
        json.as_bytes(),
        &index_trusted_comment(product, now, expires),
    )?;

    atomic::write_bytes(&root.join(INDEX), json.as_bytes())?;
    atomic::write_bytes(&root.join(format!("{INDEX}.minisig")), signature.as_bytes())
}

/// The trusted comment of an index signature.
pub fn index_trusted_comment(product: &str, now: u64, expires: u64) -> String {
    format!("product:{product}\ttimestamp:{now}\texpires:{expires}")
}

/// Parse `30d`, `12h`, `90m`, `3600s` or bare seconds into seconds.
pub fn parse_duration(text: &str) -> Result<u64> {
    let invalid = || {
        Error::usage(
            format!("invalid duration {text:?}"),
            "write a whole number followed by d, h, m or s (such as `30d` or `12h`), or a number of seconds.",
        )
    };
    let (digits, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let seconds_per_unit: u64 = match unit {
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return Err(invalid()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let seconds = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(seconds_per_unit))
        .ok_or_else(invalid)?;
    if seconds == 0 {
        return Err(zero_duration());
    }
    Ok(seconds)
}

fn zero_duration() -> Error {
    Error::usage(
        "an index that expires immediately would be refused by every installer",
        "give a positive --expires-in, such as `30d`.",
    )
}

/// The versions of the `v<V>/` directories under `root` that hold a release
/// signature, newest first. A signature whose trusted comment names another product
/// or version is refused: listing it would publish a release no installer accepts.
fn sealed_versions(root: &Path, product: &str) -> Result<Vec<semver::Version>> {
    let mut versions = Vec::new();
    for entry in fs::read_dir(root).at("read directory", root)? {
        let entry = entry.at("read directory", root)?;
        let Some(version) = release_dir_version(&entry.file_name().to_string_lossy()) else {
            continue;
        };
        let signature_path = entry.path().join(RELEASE_SIGNATURE);
        if !entry.path().is_dir() || !signature_path.is_file() {
            continue;
        }
        check_release_signature(&signature_path, product, &version)?;
        versions.push(version);
    }
    if versions.is_empty() {
        return Err(Error::usage(
            format!(
                "{} holds no sealed release (no v<VERSION>/{RELEASE_SIGNATURE})",
                root.display()
            ),
            "seal each release directory first with `bitnet-release seal`.",
        ));
    }
    versions.sort_by(|a, b| b.cmp(a));
    Ok(versions)
}

fn release_dir_version(dir_name: &str) -> Option<semver::Version> {
    semver::Version::parse(dir_name.strip_prefix('v')?).ok()
}

fn check_release_signature(path: &Path, product: &str, version: &semver::Version) -> Result<()> {
    let text = fs::read_to_string(path).at("read", path)?;
    let signature = minisign_verify::Signature::decode(&text).map_err(|e| {
        Error::verification_with_hint(
            format!("{} is not a minisign signature: {e}", path.display()),
            "re-seal that release with `bitnet-release seal`.",
        )
    })?;
    let comment = signature.trusted_comment();
    let tokens: Vec<&str> = comment.split_whitespace().collect();
    let wanted = [format!("product:{product}"), format!("version:{version}")];
    if let Some(missing) = wanted.iter().find(|w| !tokens.contains(&w.as_str())) {
        return Err(Error::verification_with_hint(
            format!(
                "{} does not carry {missing} in its trusted comment ({comment:?})",
                path.display()
            ),
            "re-seal that release with `bitnet-release seal` and the right --product and --version.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_days_hours_minutes_seconds_and_bare_seconds() {
        assert_eq!(parse_duration("30d").unwrap(), 30 * 86_400);
        assert_eq!(parse_duration("12h").unwrap(), 12 * 3_600);
        assert_eq!(parse_duration("90m").unwrap(), 5_400);
        assert_eq!(parse_duration("3600s").unwrap(), 3_600);
        assert_eq!(parse_duration("86400").unwrap(), 86_400);
    }

    #[test]
    fn malformed_zero_or_overflowing_durations_are_usage_errors() {
        for bad in [
            "",
            "d",
            "30w",
            "-5",
            "+5",
            "1.5h",
            "30 d",
            "0",
            "0d",
            "99999999999999999999d",
        ] {
            let err = parse_duration(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn the_index_comment_carries_product_timestamp_and_expiry() {
        assert_eq!(
            index_trusted_comment("bitnet", 1763700000, 1766292000),
            "product:bitnet\ttimestamp:1763700000\texpires:1766292000"
        );
    }

    #[test]
    fn only_v_semver_directories_count_as_release_directories() {
        assert_eq!(
            release_dir_version("v0.4.0-beta.1").unwrap().to_string(),
            "0.4.0-beta.1"
        );
        assert!(release_dir_version("vendor").is_none());
        assert!(release_dir_version("0.3.2").is_none());
    }
}
