//! The signing key: generating an unencrypted minisign key pair (CI signs without a
//! prompt), loading the secret key, and producing `ED` (prehashed) signatures.

use std::fs;
use std::path::{Path, PathBuf};

use minisign::{PublicKey, SecretKey, SecretKeyBox};

use super::atomic::{self, Mode, Replace};
use super::names;
use crate::error::{Error, IoContext, Result};

const SECRET_KEY_COMMENT: &str = "bitnet-release secret key (unencrypted: keep it secret)";
const SIGNATURE_COMMENT: &str = "signature from bitnet-release secret key";

/// The files `keygen` wrote, and the public key to paste into the installer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyFiles {
    pub secret_key: PathBuf,
    pub public_key: PathBuf,
    /// The second line of the `.pub` file, as `minisign -P` takes it.
    pub public_key_base64: String,
}

/// Generate a key pair as `<dir>/<name>.key` and `<dir>/<name>.pub`, refusing to
/// replace either file unless `force`.
pub fn keygen(dir: &Path, name: &str, force: bool) -> Result<KeyFiles> {
    let name = names::key_name(name)?;
    let secret_path = dir.join(format!("{name}.key"));
    let public_path = dir.join(format!("{name}.pub"));
    if !force {
        refuse_existing(&secret_path)?;
        refuse_existing(&public_path)?;
    }
    fs::create_dir_all(dir).at("create directory", dir)?;

    let pair = minisign::KeyPair::generate_unencrypted_keypair()
        .map_err(|e| Error::other(format!("could not generate a key pair: {e}"), "try again."))?;
    let secret_text = pair
        .sk
        .to_box(Some(SECRET_KEY_COMMENT))
        .map_err(|e| {
            Error::other(
                format!("could not encode the secret key: {e}"),
                "try again.",
            )
        })?
        .into_string();
    let public_text = pair
        .pk
        .to_box()
        .map_err(|e| {
            Error::other(
                format!("could not encode the public key: {e}"),
                "try again.",
            )
        })?
        .into_string();

    let replace = if force {
        Replace::Allow
    } else {
        Replace::Refuse
    };
    atomic::write_with(&secret_path, Mode::Secret, replace, |f| {
        std::io::Write::write_all(f, secret_text.as_bytes())
    })?;
    atomic::write_with(&public_path, Mode::Public, replace, |f| {
        std::io::Write::write_all(f, public_text.as_bytes())
    })?;
    Ok(KeyFiles {
        secret_key: secret_path,
        public_key: public_path,
        public_key_base64: pair.pk.to_base64(),
    })
}

fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(Error::usage(
            format!("{} already exists", path.display()),
            "pass --force to replace the key (releases signed with the old key will no longer verify against it), or choose another --name.",
        ));
    }
    Ok(())
}

/// A loaded secret key and the public key that belongs to it.
pub(super) struct SigningKey {
    secret: SecretKey,
    public: PublicKey,
}

impl SigningKey {
    /// Load an unencrypted minisign secret key file.
    pub(super) fn load(path: &Path) -> Result<Self> {
        let text = fs::read_to_string(path).map_err(|e| {
            Error::local(
                "read the secret key",
                path,
                e.to_string(),
                "give the .key file written by `bitnet-release keygen` with --key.",
            )
        })?;
        let secret = SecretKey::from_unencrypted_box(
            SecretKeyBox::from_string(&text).map_err(|e| not_a_secret_key(path, &e.to_string()))?,
        )
        .map_err(|e| not_a_secret_key(path, &e.to_string()))?;
        let public = PublicKey::from_secret_key(&secret)
            .map_err(|e| not_a_secret_key(path, &e.to_string()))?;
        Ok(SigningKey { secret, public })
    }

    /// A minisign `ED` signature of `data` carrying `trusted_comment`, as the text of a
    /// `.minisig` file.
    pub(super) fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String> {
        let signature = minisign::sign(
            Some(&self.public),
            &self.secret,
            data,
            Some(trusted_comment),
            Some(SIGNATURE_COMMENT),
        )
        .map_err(|e| {
            Error::other(
                format!("could not sign: {e}"),
                "check the secret key and try again.",
            )
        })?;
        Ok(signature.into_string())
    }
}

fn not_a_secret_key(path: &Path, reason: &str) -> Error {
    Error::usage(
        format!("{} is not an unencrypted minisign secret key: {reason}", path.display()),
        "give the .key file written by `bitnet-release keygen` (password-protected keys cannot sign unattended).",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_writes_a_pair_whose_public_key_matches_the_secret_key() {
        let dir = tempfile::tempdir().unwrap();
        let files = keygen(dir.path(), "bitnet", false).unwrap();
        assert_eq!(files.secret_key, dir.path().join("bitnet.key"));
        assert_eq!(files.public_key, dir.path().join("bitnet.pub"));
        let public_text = fs::read_to_string(&files.public_key).unwrap();
        let lines: Vec<&str> = public_text.lines().collect();
        assert!(lines[0].starts_with("untrusted comment: "), "{public_text}");
        assert_eq!(lines[1], files.public_key_base64);
        let key = SigningKey::load(&files.secret_key).unwrap();
        assert_eq!(key.public.to_base64(), files.public_key_base64);
    }

    #[test]
    fn keygen_refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let first = keygen(dir.path(), "bitnet", false).unwrap();
        let err = keygen(dir.path(), "bitnet", false).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.hint().contains("--force"));
        let public_after = fs::read_to_string(&first.public_key).unwrap();
        assert!(public_after.contains(&first.public_key_base64));

        let second = keygen(dir.path(), "bitnet", true).unwrap();
        assert_ne!(second.public_key_base64, first.public_key_base64);
    }

    #[test]
    fn loading_something_that_is_not_a_key_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bitnet.key");
        fs::write(&path, "untrusted comment: x\nnot base64\n").unwrap();
        assert_eq!(SigningKey::load(&path).err().unwrap().exit_code(), 2);
        let missing = dir.path().join("missing.key");
        assert_eq!(SigningKey::load(&missing).err().unwrap().exit_code(), 6);
    }
}
