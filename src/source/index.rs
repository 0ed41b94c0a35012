//! Static roots (CONTRACT 2.3): `index.json` and its signature, refused when the
//! signature does not verify, when it has expired (a frozen mirror), or when it
//! is older than an index already accepted for this root (a rolled-back mirror).

use serde::Deserialize;

use super::{Offered, Root};
use crate::download::Fetcher;
use crate::error::{Error, Result};
use crate::verify::{self, TrustedKeys};

/// The versions a verified index offers, and its signed timestamp, which the
/// caller records as the root's new high-water mark.
#[derive(Debug)]
pub struct IndexView {
    pub offered: Vec<Offered>,
    pub timestamp: u64,
    /// The id of the key that signed it (its high-water mark is kept per key).
    pub signer: String,
}

#[derive(Deserialize)]
struct IndexFile {
    product: String,
    releases: Vec<IndexRelease>,
}

#[derive(Deserialize)]
struct IndexRelease {
    version: String,
}

/// Reads and verifies `<root>/index.json`. `high_water` is the newest index
/// timestamp already accepted for this root under a still-trusted key, `now` the current time.
pub fn read_index(
    fetcher: &Fetcher,
    root: &Root,
    product: &str,
    keys: &TrustedKeys,
    high_water: Option<u64>,
    now: u64,
) -> Result<IndexView> {
    let data = fetcher.fetch_small(&root.location.join("index.json"), verify::MAX_INDEX_BYTES)?;
    let signature = super::required_evidence(
        fetcher.fetch_small(
            &root.location.join("index.json.minisig"),
            verify::MAX_SIGNATURE_BYTES,
        ),
        "index.json.minisig",
    )?;
    let signature = String::from_utf8(signature)
        .map_err(|_| Error::verification("index.json.minisig is not text"))?;
    let (comment, signer) = verify::verify_signature_by(&data, &signature, keys, "index.json")?;
    check_index_comment(&comment, &root.text, product, high_water, now)?;
    let offered = parse_index_versions(&data, product)?
        .into_iter()
        .map(|version| Offered {
            base: root.location.join(&format!("v{version}")),
            version,
            assets: None,
        })
        .collect();
    Ok(IndexView {
        offered,
        timestamp: comment.number("timestamp").unwrap_or(0),
        signer,
    })
}

/// The versions a signed `index.json` lists for `product`; entries that are not
/// semver are skipped. Public so the fuzz target can reach it.
pub fn parse_index_versions(data: &[u8], product: &str) -> Result<Vec<semver::Version>> {
    // from_str, not from_slice: serde_json skips ignored fields of a byte slice
    // without checking their UTF-8 (found by fuzzing), and JSON is UTF-8.
    let text = std::str::from_utf8(data)
        .map_err(|e| Error::verification(format!("the signed index.json is not UTF-8 ({e})")))?;
    let index: IndexFile = serde_json::from_str(text)
        .map_err(|e| Error::verification(format!("the signed index.json is not valid ({e})")))?;
    if index.product != product {
        return Err(Error::verification(format!(
            "the index is for product '{}', not '{product}'",
            index.product
        )));
    }
    Ok(index
        .releases
        .iter()
        .filter_map(|r| crate::version::parse_version(&r.version))
        .collect())
}

/// Checks the index signature's trusted comment: product, expiry against `now`,
/// and timestamp against the root's high-water mark. Public for the fuzz target.
pub fn check_index_comment(
    comment: &verify::TrustedComment,
    root: &str,
    product: &str,
    high_water: Option<u64>,
    now: u64,
) -> Result<()> {
    if comment.get("product") != Some(product) {
        return Err(Error::verification(format!(
            "the signed index is for product '{}', not '{product}'",
            comment.get("product").unwrap_or("(none)")
        )));
    }
    let expires = comment.number("expires").ok_or_else(|| {
        Error::verification(
            "the signed index carries no expiry, so a frozen mirror could not be detected",
        )
    })?;
    if expires <= now {
        return Err(Error::IndexExpired {
            root: root.to_string(),
            expired_at: expires,
            now,
        });
    }
    let timestamp = comment
        .number("timestamp")
        .ok_or_else(|| Error::verification("the signed index carries no timestamp"))?;
    if let Some(seen) = high_water {
        if timestamp < seen {
            return Err(Error::RolledBack {
                root: root.to_string(),
                seen,
                offered: timestamp,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::TrustedComment;

    fn comment(text: &str) -> TrustedComment {
        TrustedComment::parse(text)
    }

    #[test]
    fn an_index_must_be_utf8_even_in_ignored_fields() {
        let bad =
            b"{\"product\": \"bitnet\", \"releases\": [{\"version\": \"0.3.2\", \"x\xff\": 1}]}";
        assert_eq!(
            parse_index_versions(bad, "bitnet").unwrap_err().exit_code(),
            5
        );
        let good = br#"{"product": "bitnet", "releases": [{"version": "0.3.2", "x": 1}]}"#;
        assert_eq!(parse_index_versions(good, "bitnet").unwrap().len(), 1);
    }

    #[test]
    fn a_fresh_index_passes() {
        assert!(check_index_comment(
            &comment("product:bitnet timestamp:100 expires:200"),
            "https://m",
            "bitnet",
            Some(100),
            150
        )
        .is_ok());
    }

    #[test]
    fn expired_rolled_back_and_foreign_indexes_fail_with_exit_5() {
        let cases = [
            (
                "product:bitnet timestamp:100 expires:200",
                "bitnet",
                None,
                200,
            ),
            (
                "product:bitnet timestamp:99 expires:200",
                "bitnet",
                Some(100),
                150,
            ),
            (
                "product:other timestamp:100 expires:200",
                "bitnet",
                None,
                150,
            ),
            ("product:bitnet timestamp:100", "bitnet", None, 150),
            ("product:bitnet expires:200", "bitnet", None, 150),
        ];
        for (text, product, seen, now) in cases {
            let err =
                check_index_comment(&comment(text), "https://m", product, seen, now).unwrap_err();
            assert_eq!(err.exit_code(), 5, "{text}");
        }
    }

    #[test]
    fn expiry_and_rollback_carry_their_facts() {
        let expired = comment("product:bitnet timestamp:100 expires:200");
        assert!(matches!(
            check_index_comment(&expired, "https://m", "bitnet", None, 250),
            Err(Error::IndexExpired {
                expired_at: 200,
                now: 250,
                ..
            })
        ));
        let old = comment("product:bitnet timestamp:99 expires:200");
        assert!(matches!(
            check_index_comment(&old, "https://m", "bitnet", Some(100), 150),
            Err(Error::RolledBack {
                seen: 100,
                offered: 99,
                ..
            })
        ));
    }
}
