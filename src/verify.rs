//! Verification of what a source serves, before anything is parsed or opened:
//! minisign signatures against trusted keys (prehashed `ED` form only), the
//! trusted comment bound to product and version, `SHA256SUMS` parsing, and the
//! comparison of downloaded bytes' digest with the one the evidence gives.

use std::collections::BTreeMap;

use crate::digest::Sha256;
use crate::error::{Error, Result};
use minisign_verify::{PublicKey, Signature};

/// Size caps for the small signed documents; a source cannot make us read more.
pub const MAX_SUMS_BYTES: u64 = 1024 * 1024;
pub const MAX_SIGNATURE_BYTES: u64 = 4096;
pub const MAX_INDEX_BYTES: u64 = 4 * 1024 * 1024;

/// The project's release keys: a current and a backup key, so that a key can be
/// rotated without breaking installed clients. A release build may compile in
/// its own list through `BITNET_RELEASE_PUBLIC_KEYS` (comma-separated base64).
const BUILT_IN_KEYS: &[&str] = &[
    "RWRqvhlSObz3WFQv8eTzIqzfb/nHhUIo446aIzF6dqy72WEIc9jDGdwP",
    "RWR8/pH74HXF/0fC93FMCsGuVngL/Yxi0ygtC3aK/jJ8k5dHvMCqL7fZ",
];

/// The keys this run trusts, each with its base64 text, which names it (for
/// example in the per-key index high-water marks of the state file).
#[derive(Clone, Debug)]
pub struct TrustedKeys {
    keys: Vec<(String, PublicKey)>,
    /// True when the user replaced the built-in keys (`--public-key`).
    pub overridden: bool,
}

impl TrustedKeys {
    pub fn built_in() -> Self {
        let compiled: Vec<&str> = match option_env!("BITNET_RELEASE_PUBLIC_KEYS") {
            Some(list) => list.split(',').map(str::trim).collect(),
            None => BUILT_IN_KEYS.to_vec(),
        };
        TrustedKeys {
            keys: compiled.iter().filter_map(|k| named_key(k)).collect(),
            overridden: false,
        }
    }

    /// Keys given by the user, replacing the built-in ones: one base64 key, several
    /// separated by commas (a rotation: the new key and the one still in use), the
    /// contents of a minisign `.pub` file, or a path to a file holding one or more
    /// keys, one a line (`read_file` reads the path).
    pub fn from_user(value: &str, read_file: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let inline = value.contains('\n')
            || value
                .split(',')
                .all(|part| looks_like_base64_key(part) || part.trim().is_empty())
                && value.split(',').any(looks_like_base64_key);
        let text = if inline {
            value.replace(',', "\n")
        } else {
            read_file(value).ok_or_else(|| {
                Error::usage(
                    format!(
                        "the public key '{value}' is neither a minisign key nor a readable file"
                    ),
                    "pass the base64 key (RW...) or the path of a minisign .pub file.",
                )
            })?
        };
        let keys = parse_public_keys(&text).ok_or_else(|| {
            Error::usage(
                "the public key given is not a valid minisign public key".to_string(),
                "pass the base64 key (RW...) or the path of a minisign .pub file.",
            )
        })?;
        Ok(TrustedKeys {
            keys,
            overridden: true,
        })
    }

    /// The base64 text of each trusted key.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|(id, _)| id.as_str()).collect()
    }
}

fn named_key(base64: &str) -> Option<(String, PublicKey)> {
    let base64 = base64.trim();
    PublicKey::from_base64(base64)
        .ok()
        .map(|key| (base64.to_string(), key))
}

fn looks_like_base64_key(s: &str) -> bool {
    PublicKey::from_base64(s.trim()).is_ok()
}

/// Every key line of `text`: bare base64 keys or `.pub` files' text (comment
/// lines are skipped). Any other non-empty line makes the whole text invalid, so
/// a typo cannot silently drop a key; `None` when no key is found.
fn parse_public_keys(text: &str) -> Option<Vec<(String, PublicKey)>> {
    let keys: Option<Vec<_>> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .map(named_key)
        .collect();
    keys.filter(|k| !k.is_empty())
}

/// Checks a minisign signature of `data` made by one of `keys`; returns the
/// trusted comment, which is only meaningful once the signature verified.
pub fn verify_signature(
    data: &[u8],
    signature_text: &str,
    keys: &TrustedKeys,
    what: &str,
) -> Result<TrustedComment> {
    verify_signature_by(data, signature_text, keys, what).map(|(comment, _)| comment)
}

/// `verify_signature`, also returning the id (base64 text) of the key that signed.
pub fn verify_signature_by(
    data: &[u8],
    signature_text: &str,
    keys: &TrustedKeys,
    what: &str,
) -> Result<(TrustedComment, String)> {
    let signature = Signature::decode(signature_text)
        .map_err(|_| Error::verification(format!("the signature of {what} is malformed")))?;
    let mut last = None;
    for (id, key) in &keys.keys {
        match key.verify(data, &signature, false) {
            Ok(()) => {
                return Ok((
                    TrustedComment::parse(signature.trusted_comment()),
                    id.clone(),
                ))
            }
            Err(e) => last = Some(e),
        }
    }
    let message = match last {
        Some(minisign_verify::Error::UnexpectedAlgorithm)
        | Some(minisign_verify::Error::UnsupportedLegacyMode) => {
            format!(
                "the signature of {what} uses minisign's legacy unhashed form, which is refused"
            )
        }
        Some(minisign_verify::Error::UnexpectedKeyId) | None => {
            format!("{what} is signed by a key that is not trusted")
        }
        Some(_) => format!("the signature of {what} does not verify"),
    };
    Err(Error::verification(message))
}

/// Checks a minisign signature over a file, read in chunks through the handle
/// it was hashed through, so that a large release asset is never held in
/// memory whole. Only the prehashed form is accepted, as for
/// `verify_signature`.
pub fn verify_file_signature(
    hashed: &mut crate::hashed::HashedFile,
    signature_text: &str,
    keys: &TrustedKeys,
    what: &str,
) -> Result<()> {
    use std::io::Read;
    let signature = Signature::decode(signature_text)
        .map_err(|_| Error::verification(format!("the signature of {what} is malformed")))?;
    let mut last = None;
    for (_, key) in &keys.keys {
        let mut verifier = match key.verify_stream(&signature) {
            Ok(verifier) => verifier,
            Err(e) => {
                last = Some(e);
                continue;
            }
        };
        let path = hashed.path().to_path_buf();
        let file = hashed.rewound()?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| Error::io("read", &path, e))?;
            if n == 0 {
                break;
            }
            verifier.update(&buf[..n]);
        }
        match verifier.finalize() {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    let message = match last {
        Some(minisign_verify::Error::UnsupportedLegacyMode) => format!(
            "the signature of {what} uses minisign's legacy unhashed form, which is refused"
        ),
        Some(minisign_verify::Error::UnexpectedKeyId) | None => {
            format!("{what} is signed by a key that is not trusted")
        }
        Some(_) => format!("the signature of {what} does not verify"),
    };
    Err(Error::verification(message))
}

/// The `key:value` tokens of a trusted comment; bare words are ignored. A key
/// given twice has no value: which one was meant is not for us to guess.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrustedComment {
    pairs: BTreeMap<String, Option<String>>,
}

impl TrustedComment {
    pub fn parse(text: &str) -> Self {
        let mut pairs = BTreeMap::new();
        for (key, value) in text
            .split_whitespace()
            .filter_map(|token| token.split_once(':'))
            .filter(|(k, _)| !k.is_empty())
        {
            pairs
                .entry(key.to_string())
                .and_modify(|v| *v = None)
                .or_insert_with(|| Some(value.to_string()));
        }
        TrustedComment { pairs }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.get(key)?.as_deref()
    }

    pub fn number(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(|v| v.parse().ok())
    }

    /// A release signature is only valid for the product and exact version it names.
    pub fn require_release(&self, product: &str, version: &semver::Version) -> Result<()> {
        let named_product = self.get("product");
        if named_product != Some(product) {
            return Err(Error::verification(format!(
                "the signed checksums are for product '{}', not '{product}'",
                named_product.unwrap_or("(none)")
            )));
        }
        // Exactly the version's own spelling: `v0.3.2` binds nothing.
        if self.get("version") != Some(version.to_string().as_str()) {
            return Err(Error::verification(format!(
                "the signed checksums are for version '{}', not {version}",
                self.get("version").unwrap_or("(none)")
            )));
        }
        Ok(())
    }
}

/// The parsed `SHA256SUMS`: file name → digest.
#[derive(Clone, Debug, Default)]
pub struct Checksums {
    entries: BTreeMap<String, Sha256>,
}

impl Checksums {
    /// Parses `sha256sum` output (`<hex>  <name>` or `<hex> *<name>`). Malformed
    /// lines and duplicate names with different digests are refused: the file is
    /// signed, so anything odd in it is the publisher's mistake or an attack.
    pub fn parse(text: &str) -> Result<Self> {
        let mut entries = BTreeMap::new();
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let (digest, name) = parse_sums_line(line).ok_or_else(|| {
                Error::verification(format!("line {} of SHA256SUMS is malformed", number + 1))
            })?;
            if let Some(previous) = entries.insert(name.to_string(), digest) {
                if previous != digest {
                    return Err(Error::verification(format!(
                        "SHA256SUMS lists '{name}' twice with different digests"
                    )));
                }
            }
        }
        Ok(Checksums { entries })
    }

    pub fn digest_of(&self, name: &str) -> Option<Sha256> {
        self.entries.get(name).copied()
    }

    pub fn names(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }
}

/// One line of `sha256sum` output: `<64 hex><two spaces or " *"><name>`, a
/// CRLF ending and a leading `./` tolerated; `(digest, name)`, or
/// `None` for anything else, including a name with a path separator. The one
/// parser of the format: the publisher reads its sums with it too.
pub(crate) fn parse_sums_line(line: &str) -> Option<(Sha256, &str)> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let digest = Sha256::from_hex(line.get(..64)?)?;
    let rest = line.get(64..)?;
    let name = rest
        .strip_prefix("  ")
        .or_else(|| rest.strip_prefix(" *"))?;
    let name = name.strip_prefix("./").unwrap_or(name);
    if name.is_empty() || name.contains(['/', '\\']) {
        return None;
    }
    Some((digest, name))
}

/// Compares the downloaded bytes' digest with the one `against` gives.
pub fn require_digest(
    asset: &str,
    against: &'static str,
    expected: Sha256,
    actual: Sha256,
) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::HashMismatch {
            asset: asset.to_string(),
            against,
            expected,
            actual,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn sums_accept_both_sha256sum_forms() {
        let text = format!("{DIGEST}  a.tar.gz\n{DIGEST} *b.zip\r\n\n");
        let sums = Checksums::parse(&text).unwrap();
        let digest = Sha256::from_hex(DIGEST);
        assert_eq!(sums.digest_of("a.tar.gz"), digest);
        assert_eq!(sums.digest_of("b.zip"), digest);
        assert_eq!(sums.names(), vec!["a.tar.gz", "b.zip"]);
    }

    #[test]
    fn sums_refuse_malformed_lines_and_paths() {
        for bad in [
            "xyz  a.tar.gz",
            &format!("{DIGEST} a.tar.gz"),
            &format!("{DIGEST}  ../a.tar.gz"),
            &format!("{DIGEST}  dir/a"),
            &format!("{}  a", &DIGEST[..63]),
        ] {
            assert_eq!(Checksums::parse(bad).unwrap_err().exit_code(), 5, "{bad}");
        }
    }

    #[test]
    fn sums_refuse_conflicting_duplicates() {
        let other = DIGEST.replace('e', "f");
        let text = format!("{DIGEST}  a\n{other}  a\n");
        assert!(Checksums::parse(&text).is_err());
    }

    #[test]
    fn trusted_comment_tokens() {
        let tc = TrustedComment::parse(
            "timestamp:1763700000\tfile:SHA256SUMS\tproduct:bitnet version:0.3.2 hashed",
        );
        assert_eq!(tc.get("product"), Some("bitnet"));
        assert_eq!(tc.number("timestamp"), Some(1763700000));
        assert!(tc
            .require_release("bitnet", &semver::Version::parse("0.3.2").unwrap())
            .is_ok());
        assert_eq!(
            tc.require_release("bitnet", &semver::Version::parse("0.3.1").unwrap())
                .unwrap_err()
                .exit_code(),
            5
        );
        assert!(tc
            .require_release("other", &semver::Version::parse("0.3.2").unwrap())
            .is_err());
    }

    #[test]
    fn only_one_exactly_spelled_version_binds() {
        let version = semver::Version::parse("0.3.2").unwrap();
        for comment in [
            "product:bitnet version:v0.3.2",
            "product:bitnet version:0.3.1 version:0.3.2",
            "product:bitnet product:other version:0.3.2",
        ] {
            let tc = TrustedComment::parse(comment);
            assert!(tc.require_release("bitnet", &version).is_err(), "{comment}");
        }
    }

    #[test]
    fn a_comment_without_version_binds_nothing() {
        let tc = TrustedComment::parse("timestamp:1 product:bitnet");
        assert!(tc
            .require_release("bitnet", &semver::Version::parse("0.3.2").unwrap())
            .is_err());
    }

    #[test]
    fn built_in_keys_parse() {
        assert_eq!(TrustedKeys::built_in().keys.len(), 2);
    }

    #[test]
    fn user_keys_from_text_file_or_garbage() {
        let key = BUILT_IN_KEYS[0];
        assert!(TrustedKeys::from_user(key, |_| None).is_ok());
        let file = format!("untrusted comment: minisign public key\n{key}\n");
        assert!(TrustedKeys::from_user("/k.pub", |_| Some(file.clone())).is_ok());
        assert_eq!(
            TrustedKeys::from_user("/missing", |_| None)
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            TrustedKeys::from_user("RWnotakey", |_| Some("junk".into()))
                .unwrap_err()
                .exit_code(),
            2
        );
    }

    #[test]
    fn several_user_keys_inline_or_in_a_file() {
        let both = format!("{}, {}", BUILT_IN_KEYS[0], BUILT_IN_KEYS[1]);
        assert_eq!(
            TrustedKeys::from_user(&both, |_| None).unwrap().ids(),
            BUILT_IN_KEYS
        );
        let file = format!(
            "untrusted comment: new\n{}\nuntrusted comment: old\n{}\n",
            BUILT_IN_KEYS[1], BUILT_IN_KEYS[0]
        );
        let keys = TrustedKeys::from_user("/keys", |_| Some(file.clone())).unwrap();
        assert_eq!(keys.ids(), [BUILT_IN_KEYS[1], BUILT_IN_KEYS[0]]);
        let typo = format!("{}\nRWnot-a-key\n", BUILT_IN_KEYS[0]);
        assert!(TrustedKeys::from_user("/keys", |_| Some(typo.clone())).is_err());
    }
}
