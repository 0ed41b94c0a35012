//! Builds releases the way a release engineer would (contract section 2): assets,
//! `SHA256SUMS`, `SHA256SUMS.minisig`, the signed `index.json`, with minisign keys
//! generated at test time, plus knobs to break each piece on purpose. Also builds
//! archives entry by entry, including malicious ones the `tar` crate would refuse.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use sha2::{Digest, Sha256};

/// Offsets in minisign's serialized secret key (`SecretKey::to_bytes`): algorithm,
/// KDF and checksum ids (2 bytes each), salt (32), opslimit and memlimit (8 each),
/// then the key id (8) and the Ed25519 secret key (seed 32 + public key 32).
const SK_KEYNUM: std::ops::Range<usize> = 54..62;
const SK_SECRET: std::ops::Range<usize> = 62..126;
const UNTRUSTED_COMMENT: &str = "signature from minisign secret key";

/// Now, in unix seconds.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A minisign key pair generated for one test.
#[derive(Clone)]
pub struct TestKey {
    pair: minisign::KeyPair,
}

impl TestKey {
    pub fn generate() -> TestKey {
        TestKey {
            pair: minisign::KeyPair::generate_unencrypted_keypair().expect("generate key pair"),
        }
    }

    /// The public key as `minisign -P` and `--public-key` take it.
    pub fn public_base64(&self) -> String {
        self.pair.pk.to_base64()
    }

    /// The key id as minisign prints it (16 upper-case hex digits).
    pub fn key_id(&self) -> String {
        let id = u64::from_le_bytes(self.keynum());
        format!("{id:016X}")
    }

    /// The content of a `minisign.pub` file.
    pub fn public_file_text(&self) -> String {
        self.pair.pk.to_box().expect("public key box").into_string()
    }

    pub fn write_pub_file(&self, path: &Path) {
        std::fs::write(path, self.public_file_text()).expect("write public key file");
    }

    /// A minisig (prehashed `ED` form, minisign's default) over `data`.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> String {
        minisign::sign(
            Some(&self.pair.pk),
            &self.pair.sk,
            data,
            Some(trusted_comment),
            Some(UNTRUSTED_COMMENT),
        )
        .expect("minisign sign")
        .into_string()
    }

    /// A minisig in the legacy `Ed` form (Ed25519 over the raw data), which the
    /// minisign crate no longer writes, so it is assembled by hand.
    pub fn sign_legacy(&self, data: &[u8], trusted_comment: &str) -> String {
        let signer = self.ed25519();
        let mut signature = b"Ed".to_vec();
        signature.extend_from_slice(&self.keynum());
        signature.extend_from_slice(signer.sign(data).as_ref());
        let mut sig_and_comment = signature[10..].to_vec();
        sig_and_comment.extend_from_slice(trusted_comment.as_bytes());
        let global = signer.sign(&sig_and_comment);
        let b64 = base64::engine::general_purpose::STANDARD;
        format!(
            "untrusted comment: {UNTRUSTED_COMMENT}\n{}\ntrusted comment: {trusted_comment}\n{}\n",
            b64.encode(&signature),
            b64.encode(global.as_ref()),
        )
    }

    fn keynum(&self) -> [u8; 8] {
        let mut id = [0u8; 8];
        id.copy_from_slice(self.pair.pk.keynum());
        id
    }

    fn ed25519(&self) -> ring::signature::Ed25519KeyPair {
        let sk = self.pair.sk.to_bytes();
        assert_eq!(
            sk[SK_KEYNUM].to_vec(),
            self.keynum().to_vec(),
            "minisign secret key layout changed"
        );
        let secret = &sk[SK_SECRET];
        ring::signature::Ed25519KeyPair::from_seed_and_public_key(&secret[..32], &secret[32..])
            .expect("Ed25519 key from minisign secret key")
    }
}

/// A POSIX shell script that prints `<name> <version>`: an installed command that can
/// be run and whose output shows which version is active.
pub fn fake_exe(name: &str, version: &str) -> Vec<u8> {
    format!("#!/bin/sh\necho \"{name} {version}\"\n").into_bytes()
}

/// One archive member, written without any path validation so that malicious
/// archives can be built too.
#[derive(Clone, Debug)]
pub enum Entry {
    File {
        path: String,
        data: Vec<u8>,
        mode: u32,
    },
    Dir {
        path: String,
    },
    Symlink {
        path: String,
        target: String,
    },
    Hardlink {
        path: String,
        target: String,
    },
    Fifo {
        path: String,
    },
    CharDevice {
        path: String,
    },
}

impl Entry {
    pub fn file(path: &str, data: impl Into<Vec<u8>>, mode: u32) -> Entry {
        Entry::File {
            path: path.to_string(),
            data: data.into(),
            mode,
        }
    }
    pub fn dir(path: &str) -> Entry {
        Entry::Dir {
            path: path.to_string(),
        }
    }
    pub fn symlink(path: &str, target: &str) -> Entry {
        Entry::Symlink {
            path: path.to_string(),
            target: target.to_string(),
        }
    }
    pub fn hardlink(path: &str, target: &str) -> Entry {
        Entry::Hardlink {
            path: path.to_string(),
            target: target.to_string(),
        }
    }
    pub fn fifo(path: &str) -> Entry {
        Entry::Fifo {
            path: path.to_string(),
        }
    }
    pub fn char_device(path: &str) -> Entry {
        Entry::CharDevice {
            path: path.to_string(),
        }
    }
}

/// `(path, content, mode)` triples as the asset builders take them.
pub type Files<'a> = &'a [(&'a str, Vec<u8>, u32)];

fn file_entries(files: Files) -> Vec<Entry> {
    files
        .iter()
        .map(|(path, data, mode)| Entry::file(path, data.clone(), *mode))
        .collect()
}

/// A gzip-compressed tar of regular files.
pub fn tar_gz(files: Files) -> Vec<u8> {
    tar_gz_entries(&file_entries(files))
}

/// A zip of regular files (deflated).
pub fn zip(files: Files) -> Vec<u8> {
    zip_entries(&file_entries(files))
}

/// A gzip-compressed tar of arbitrary entries; names go into the header verbatim
/// (absolute paths and `..` included), up to 100 bytes.
pub fn tar_gz_entries(entries: &[Entry]) -> Vec<u8> {
    super::compress::compress(super::compress::Compression::Gzip, &tar_entries(entries))
}

/// An uncompressed tar of arbitrary entries, written as `tar_gz_entries` writes them.
pub fn tar_entries(entries: &[Entry]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let (header, data) = tar_header(entry);
        builder.append(&header, data).expect("append tar entry");
    }
    builder.into_inner().expect("finish tar")
}

fn tar_header(entry: &Entry) -> (tar::Header, &[u8]) {
    use tar::EntryType;
    let mut header = tar::Header::new_gnu();
    let (path, kind, mode, link, data): (&str, EntryType, u32, Option<&str>, &[u8]) = match entry {
        Entry::File { path, data, mode } => (path, EntryType::Regular, *mode, None, data),
        Entry::Dir { path } => (path, EntryType::Directory, 0o755, None, &[]),
        Entry::Symlink { path, target } => (path, EntryType::Symlink, 0o777, Some(target), &[]),
        Entry::Hardlink { path, target } => (path, EntryType::Link, 0o644, Some(target), &[]),
        Entry::Fifo { path } => (path, EntryType::Fifo, 0o644, None, &[]),
        Entry::CharDevice { path } => (path, EntryType::Char, 0o644, None, &[]),
    };
    copy_name(&mut header.as_old_mut().name, path);
    if let Some(link) = link {
        copy_name(&mut header.as_old_mut().linkname, link);
    }
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_size(data.len() as u64);
    header.set_mtime(1_700_000_000);
    header.set_cksum();
    (header, data)
}

fn copy_name(field: &mut [u8; 100], name: &str) {
    assert!(
        name.len() < 100,
        "tar name too long for the test builder: {name}"
    );
    field.fill(0);
    field[..name.len()].copy_from_slice(name.as_bytes());
}

/// A zip of arbitrary entries (names verbatim). Zip has no hard links or special
/// files, so those entries panic.
pub fn zip_entries(entries: &[Entry]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for entry in entries {
        match entry {
            Entry::File { path, data, mode } => {
                writer
                    .start_file(path.as_str(), options.unix_permissions(*mode))
                    .expect("start zip entry");
                writer.write_all(data).expect("write zip entry");
            }
            Entry::Dir { path } => writer
                .add_directory(path.as_str(), options)
                .expect("zip directory"),
            Entry::Symlink { path, target } => writer
                .add_symlink(path.as_str(), target.as_str(), options)
                .expect("zip symlink"),
            other => panic!("zip cannot hold {other:?}"),
        }
    }
    writer.finish().expect("finish zip").into_inner()
}

/// `<P>-<V>-<target>[-<variant>]` (add the extension yourself).
pub fn asset_stem(product: &str, version: &str, target: &str, variant: Option<&str>) -> String {
    match variant {
        Some(v) => format!("{product}-{version}-{target}-{v}"),
        None => format!("{product}-{version}-{target}"),
    }
}

/// The trusted comment `minisign -S -t` would carry for a release.
pub fn release_trusted_comment(timestamp: u64, product: &str, version: &str) -> String {
    format!("timestamp:{timestamp}\tfile:SHA256SUMS\tproduct:{product}\tversion:{version}")
}

/// The trusted comment of an index signature.
pub fn index_trusted_comment(product: &str, timestamp: u64, expires: u64) -> String {
    format!("product:{product} timestamp:{timestamp} expires:{expires}")
}

/// `{"product": P, "releases": [{"version": V}, ...]}`.
pub fn index_json(product: &str, versions: &[&str]) -> String {
    let releases: Vec<_> = versions
        .iter()
        .map(|v| serde_json::json!({ "version": v }))
        .collect();
    serde_json::json!({ "product": product, "releases": releases }).to_string()
}

/// Writes `path` and `path.minisig` (signed by `key` with `trusted_comment`).
pub fn write_signed(path: &Path, data: &[u8], key: &TestKey, trusted_comment: &str) {
    std::fs::write(path, data).expect("write signed file");
    std::fs::write(minisig_path(path), key.sign(data, trusted_comment)).expect("write minisig");
}

fn minisig_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().expect("file name").to_os_string();
    name.push(".minisig");
    path.with_file_name(name)
}

/// Publishes `<root>/index.json` and its signature (trusted comment
/// `product:<P> timestamp:<t> expires:<e>`). Returns the JSON text.
pub fn write_index(
    root: &Path,
    product: &str,
    versions: &[&str],
    key: &TestKey,
    timestamp: u64,
    expires: u64,
) -> String {
    std::fs::create_dir_all(root).expect("create root");
    let json = index_json(product, versions);
    let comment = index_trusted_comment(product, timestamp, expires);
    write_signed(&root.join("index.json"), json.as_bytes(), key, &comment);
    json
}

type SumsEdit = Box<dyn Fn(&str) -> String>;

/// One release of a product, described by what it holds and how it is signed.
pub struct ReleaseBuilder {
    product: String,
    version: String,
    assets: Vec<(String, Vec<u8>)>,
    timestamp: u64,
    trusted_comment: Option<String>,
    signer: Option<TestKey>,
    legacy: bool,
    unsigned: bool,
    signature_text: Option<String>,
    omitted: Vec<String>,
    extra_sums_lines: Vec<String>,
    sums_edit: Option<SumsEdit>,
    tampered: Vec<(String, Vec<u8>)>,
}

/// A release as written on disk.
#[derive(Clone, Debug)]
pub struct Written {
    /// `<root>/v<V>`.
    pub dir: PathBuf,
    /// Asset names with the SHA-256 of the bytes listed in `SHA256SUMS` (before any
    /// tampering).
    pub assets: Vec<(String, String)>,
    /// `SHA256SUMS` as written (after any edit).
    pub sums: String,
    /// `SHA256SUMS.minisig` as written (empty if unsigned).
    pub signature: String,
    pub trusted_comment: String,
}

impl Written {
    /// The signed SHA-256 of an asset.
    pub fn sha256(&self, asset: &str) -> &str {
        self.assets
            .iter()
            .find(|(n, _)| n == asset)
            .map(|(_, h)| h.as_str())
            .unwrap_or_else(|| panic!("no asset {asset} in this release"))
    }

    pub fn path(&self, asset: &str) -> PathBuf {
        self.dir.join(asset)
    }
}

impl ReleaseBuilder {
    pub fn new(product: &str, version: &str) -> ReleaseBuilder {
        ReleaseBuilder {
            product: product.to_string(),
            version: version.to_string(),
            assets: Vec::new(),
            timestamp: unix_now(),
            trusted_comment: None,
            signer: None,
            legacy: false,
            unsigned: false,
            signature_text: None,
            omitted: Vec::new(),
            extra_sums_lines: Vec::new(),
            sums_edit: None,
            tampered: Vec::new(),
        }
    }

    pub fn product(&self) -> &str {
        &self.product
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// The names of the assets added so far.
    pub fn asset_names(&self) -> Vec<String> {
        self.assets.iter().map(|(n, _)| n.clone()).collect()
    }

    /// `<P>-<V>-<target>[-<variant>]` for this release.
    pub fn stem(&self, target: &str, variant: Option<&str>) -> String {
        asset_stem(&self.product, &self.version, target, variant)
    }

    /// `<P>-<V>-<target>[-<variant>].tar.gz` holding `files`.
    pub fn asset_tar_gz(self, target: &str, variant: Option<&str>, files: Files) -> Self {
        let name = format!("{}.tar.gz", self.stem(target, variant));
        self.asset_raw(&name, tar_gz(files))
    }

    /// `<P>-<V>-<target>[-<variant>].zip` holding `files`.
    pub fn asset_zip(self, target: &str, variant: Option<&str>, files: Files) -> Self {
        let name = format!("{}.zip", self.stem(target, variant));
        self.asset_raw(&name, zip(files))
    }

    /// A bare executable `<P>-<V>-<target>[-<variant>]` (`.exe` for Windows targets).
    pub fn asset_bare(self, target: &str, variant: Option<&str>, bytes: Vec<u8>) -> Self {
        let ext = if target.contains("windows") {
            ".exe"
        } else {
            ""
        };
        let name = format!("{}{ext}", self.stem(target, variant));
        self.asset_raw(&name, bytes)
    }

    /// Any file, under any name (e.g. a malicious archive).
    pub fn asset_raw(mut self, name: &str, bytes: Vec<u8>) -> Self {
        self.assets.push((name.to_string(), bytes));
        self
    }

    /// The usual product archive for a target: `bitnet-cli` and `bitnet-server` (fake
    /// executables printing `<name> <version>`) and a README, as `.zip` with `.exe`
    /// names for Windows targets and `.tar.gz` otherwise.
    pub fn asset_standard(self, target: &str, variant: Option<&str>) -> Self {
        let windows = target.contains("windows");
        let exe = |name: &str| {
            let file = if windows {
                format!("{name}.exe")
            } else {
                name.to_string()
            };
            (file, fake_exe(name, &self.version))
        };
        let (cli, cli_bytes) = exe("bitnet-cli");
        let (server, server_bytes) = exe("bitnet-server");
        let readme = format!("{} {}\n", self.product, self.version).into_bytes();
        let files: &[(&str, Vec<u8>, u32)] = &[
            (&cli, cli_bytes, 0o755),
            (&server, server_bytes, 0o755),
            ("README.md", readme, 0o644),
        ];
        if windows {
            self.asset_zip(target, variant, files)
        } else {
            self.asset_tar_gz(target, variant, files)
        }
    }

    /// The `timestamp:` of the default trusted comment.
    pub fn timestamp(mut self, unix: u64) -> Self {
        self.timestamp = unix;
        self
    }

    /// Replaces the whole trusted comment.
    pub fn trusted_comment(mut self, comment: &str) -> Self {
        self.trusted_comment = Some(comment.to_string());
        self
    }

    /// Signs with this key instead of the one given to `write_to`.
    pub fn signed_by(mut self, key: &TestKey) -> Self {
        self.signer = Some(key.clone());
        self
    }

    /// Signs in the legacy non-prehashed `Ed` form.
    pub fn legacy_signature(mut self) -> Self {
        self.legacy = true;
        self
    }

    /// Writes no `SHA256SUMS.minisig`.
    pub fn unsigned(mut self) -> Self {
        self.unsigned = true;
        self
    }

    /// Writes this text as `SHA256SUMS.minisig` instead of a real signature.
    pub fn signature_text(mut self, text: &str) -> Self {
        self.signature_text = Some(text.to_string());
        self
    }

    /// Leaves this asset out of `SHA256SUMS` (it is still published).
    pub fn omit_from_sums(mut self, asset: &str) -> Self {
        self.omitted.push(asset.to_string());
        self
    }

    /// Appends a line to `SHA256SUMS` before signing.
    pub fn extra_sums_line(mut self, line: &str) -> Self {
        self.extra_sums_lines.push(line.to_string());
        self
    }

    /// Rewrites `SHA256SUMS` after it was signed (the signature no longer matches).
    pub fn tamper_sums(mut self, edit: impl Fn(&str) -> String + 'static) -> Self {
        self.sums_edit = Some(Box::new(edit));
        self
    }

    /// Publishes these bytes for `asset` instead of the signed ones.
    pub fn tamper_asset(mut self, asset: &str, bytes: Vec<u8>) -> Self {
        self.tampered.push((asset.to_string(), bytes));
        self
    }

    /// The trusted comment this release will be signed with.
    pub fn effective_trusted_comment(&self) -> String {
        self.trusted_comment.clone().unwrap_or_else(|| {
            release_trusted_comment(self.timestamp, &self.product, &self.version)
        })
    }

    /// `SHA256SUMS` as signed: `<hex>  <name>` per listed asset.
    pub fn sums_text(&self) -> String {
        let mut text: String = self
            .assets
            .iter()
            .filter(|(name, _)| !self.omitted.contains(name))
            .map(|(name, bytes)| format!("{}  {name}\n", sha256_hex(bytes)))
            .collect();
        for line in &self.extra_sums_lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Lays the release out as `<root>/v<V>/{assets, SHA256SUMS, SHA256SUMS.minisig}`.
    pub fn write_to(&self, root: &Path, key: &TestKey) -> Written {
        let dir = root.join(format!("v{}", self.version));
        std::fs::create_dir_all(&dir).expect("create release dir");
        for (name, bytes) in &self.assets {
            let published = self
                .tampered
                .iter()
                .find(|(n, _)| n == name)
                .map_or(bytes, |(_, b)| b);
            std::fs::write(dir.join(name), published).expect("write asset");
        }
        let signed_sums = self.sums_text();
        let comment = self.effective_trusted_comment();
        let signer = self.signer.as_ref().unwrap_or(key);
        let signature = match (&self.signature_text, self.unsigned, self.legacy) {
            (Some(text), _, _) => text.clone(),
            (None, true, _) => String::new(),
            (None, false, true) => signer.sign_legacy(signed_sums.as_bytes(), &comment),
            (None, false, false) => signer.sign(signed_sums.as_bytes(), &comment),
        };
        let sums = match &self.sums_edit {
            Some(edit) => edit(&signed_sums),
            None => signed_sums,
        };
        std::fs::write(dir.join("SHA256SUMS"), &sums).expect("write SHA256SUMS");
        if !self.unsigned {
            std::fs::write(dir.join("SHA256SUMS.minisig"), &signature).expect("write minisig");
        }
        Written {
            dir,
            assets: self
                .assets
                .iter()
                .map(|(name, bytes)| (name.clone(), sha256_hex(bytes)))
                .collect(),
            sums,
            signature,
            trusted_comment: comment,
        }
    }
}
