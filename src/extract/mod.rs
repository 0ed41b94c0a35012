//! Safe extraction of a verified release asset (a tarball, a zip, a single compressed
//! file or a bare executable; see `archive::Format`) into a private, empty staging
//! directory: the archive rules of CONTRACT 2.1/2.2, the same for every format.
//!
//! The asset has already matched a signed checksum, so anything odd inside it is
//! treated as tampering (exit 5) and the whole archive is refused. The defences:
//! - every entry name is normalised by our own rules (`\` is a separator too), never
//!   by the archive library's sanitiser;
//! - a table of every path seen refuses duplicates and anything under a file or a
//!   symbolic link;
//! - symbolic links are created only at the very end, after every file is written,
//!   so no write can pass through one; output files are opened with O_EXCL and
//!   directories are checked with `symlink_metadata` before use;
//! - the bytes actually written (not what a header claims) count against the size
//!   limit, and the tar stream as a whole is capped so that headers the tar crate
//!   reads by itself (long names, PAX records) cannot grow without bound; a single
//!   compressed file counts its decompressed bytes against the same limit.
//!
//! On error, files may remain inside `dest` (the caller deletes it), never outside.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::archive::Format;
use crate::digest::{Hasher, Sha256};
use crate::error::{Error, IoContext, Result};

mod fs_ops;
mod names;
mod parallel;
mod pipeline;
mod stream;
#[cfg(test)]
mod test_data;
mod verified;

use fs_ops::{create_dir_0755, create_new_file, create_symlink, set_mode};
use names::{normalise_entry_name, normalise_link_target};
use pipeline::Pipeline;
use stream::{chunk_index, decompress, payload, CappedStream, Payload};
pub use verified::extract_verified;

/// Read and write in large chunks: release assets are hundreds of megabytes.
const BUF_SIZE: usize = 256 * 1024;
/// Room per entry for tar headers, padding, PAX records and long names, on top of
/// the file data, when capping the whole decompressed tar stream.
const STREAM_OVERHEAD_PER_ENTRY: u64 = 4096;
/// Longest symlink target read from a zip entry's data.
const MAX_LINK_TARGET: u64 = 4096;

const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;
const S_IFDIR: u32 = 0o040000;
const S_IFLNK: u32 = 0o120000;

/// Decompression-bomb limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of file data written, all entries together.
    pub max_total_bytes: u64,
    /// Entries of every kind, directories included.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: 4 << 30,
            max_entries: 10_000,
        }
    }
}

/// What was unpacked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// Every regular file written, relative to `dest` (after stripping a top-level
    /// directory), sorted.
    pub files: Vec<PathBuf>,
    /// The SHA-256 of each file's bytes as they were written, computed while
    /// writing them (the receipt's hashes need no second read).
    pub sha256: HashMap<PathBuf, Sha256>,
}

/// Unpack `archive` into the existing empty directory `dest`. A `Bare` asset is
/// copied to `dest/<bare_name>` with mode 0755, a `Compressed` one decompressed to
/// the same place (`bare_name` without the compression suffix).
pub fn extract(
    archive: &Path,
    format: Format,
    bare_name: &str,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted> {
    let file = File::open(archive).at("open", archive)?;
    extract_open(file, archive, format, bare_name, dest, limits)
}

fn extract_open<R: Read + io::Seek>(
    file: R,
    archive: &Path,
    format: Format,
    bare_name: &str,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted> {
    if !matches!(format, Format::Zip) {
        return extract_stream(file, archive, format, bare_name, dest, limits);
    }
    let mut staging = Staging::new(archive, dest, limits);
    unpack_zip(BufReader::with_capacity(BUF_SIZE, file), &mut staging)?;
    staging.finish()
}

/// Every format but zip, read front to back once: decompressed on this
/// thread (a chunked gzip on several) while `Pipeline` writes the files on
/// another.
fn extract_stream<R: Read>(
    input: R,
    archive: &Path,
    format: Format,
    bare_name: &str,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted> {
    let mut reader = BufReader::with_capacity(BUF_SIZE, input);
    let mut pipeline = Pipeline::start(payload(format, bare_name)?, archive, dest, limits)?;
    match chunk_index(format, &mut reader) {
        Some(index) => {
            reader.consume(index.header_len);
            parallel::feed(&mut reader, &index, &mut pipeline);
        }
        None => pipeline.feed(&mut decompress(format, reader)),
    }
    pipeline.finish()
}

/// Writes what a decompressed stream holds into `dest`.
fn unpack_payload(
    mut decompressed: impl Read,
    payload: &Payload,
    archive: &Path,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted> {
    let mut staging = Staging::new(archive, dest, limits);
    match payload {
        Payload::Tar => unpack_tar(decompressed, &mut staging)?,
        Payload::File(name) => copy_bare(&mut decompressed, name, &mut staging)?,
    }
    staging.finish()
}

fn unpack_tar(decompressed: impl Read, staging: &mut Staging) -> Result<()> {
    let cap = staging.limits.max_total_bytes.saturating_add(
        staging
            .limits
            .max_entries
            .saturating_add(1)
            .saturating_mul(STREAM_OVERHEAD_PER_ENTRY),
    );
    let stream = CappedStream {
        inner: decompressed,
        remaining: cap,
        hit: Rc::clone(&staging.stream_cap_hit),
    };
    let mut tar = tar::Archive::new(stream);
    let entries = tar.entries().map_err(|e| staging.corrupt("", e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| staging.corrupt("", e))?;
        unpack_tar_entry(&mut entry, staging)?;
    }
    Ok(())
}

fn unpack_tar_entry<R: Read>(entry: &mut tar::Entry<R>, staging: &mut Staging) -> Result<()> {
    let raw_name = entry.path_bytes().into_owned();
    let shown = String::from_utf8_lossy(&raw_name).into_owned();
    staging.count_entry()?;
    let Ok(name) = std::str::from_utf8(&raw_name) else {
        return Err(staging.refuse(&shown, "has a name that is not valid UTF-8"));
    };
    check_tar_header_agreement(entry, staging, name)?;

    use tar::EntryType as T;
    match entry.header().entry_type() {
        T::Regular if name.ends_with('/') && entry.size() == 0 => staging.add_dir(name),
        T::Regular => {
            let mode = entry
                .header()
                .mode()
                .map_err(|e| staging.corrupt(name, e))?;
            staging.check_declared_size(name, entry.size())?;
            staging.add_file(name, mode & 0o111 != 0, entry)
        }
        T::Directory => staging.add_dir(name),
        T::Symlink => {
            let target = entry.link_name_bytes().map(|t| t.into_owned());
            let target = target
                .ok_or_else(|| staging.refuse(name, "is a symbolic link without a target"))?;
            let target = String::from_utf8(target).map_err(|_| {
                staging.refuse(name, "is a symbolic link whose target is not valid UTF-8")
            })?;
            staging.add_symlink(name, &target)
        }
        T::XGlobalHeader => check_global_header(entry, staging, name),
        T::Link => Err(staging.refuse(name, "is a hard link")),
        T::Char | T::Block | T::Fifo => Err(staging.refuse(name, "is a device or FIFO")),
        other => Err(staging.refuse(
            name,
            &format!(
                "has the unsupported entry type '{}'",
                other.as_byte().escape_ascii()
            ),
        )),
    }
}

/// Refuse entries that different tar readers would unpack differently: a PAX
/// `size` record that disagrees with the header's own size (a file-smuggling
/// trick), and PAX-encoded GNU sparse files.
fn check_tar_header_agreement<R: Read>(
    entry: &mut tar::Entry<R>,
    staging: &Staging,
    name: &str,
) -> Result<()> {
    // A GNU sparse entry's sizes differ by design; it is refused by its type.
    if entry.header().entry_type() == tar::EntryType::GNUSparse {
        return Ok(());
    }
    let header_size = entry
        .header()
        .entry_size()
        .map_err(|e| staging.corrupt(name, e))?;
    if header_size != entry.size() {
        return Err(staging.refuse(
            name,
            "has a PAX size record that disagrees with its header size",
        ));
    }
    if entry.header().entry_type() == tar::EntryType::XGlobalHeader {
        return Ok(());
    }
    let pax = entry
        .pax_extensions()
        .map_err(|e| staging.corrupt(name, e))?;
    for record in pax.into_iter().flatten() {
        let record = record.map_err(|e| staging.corrupt(name, e))?;
        if record.key_bytes().starts_with(b"GNU.sparse") {
            return Err(staging.refuse(name, "is a GNU sparse file"));
        }
    }
    Ok(())
}

/// `git archive` writes a global PAX header holding only the commit id as a
/// comment; anything else in one would change how other readers see the archive.
fn check_global_header<R: Read>(
    entry: &mut tar::Entry<R>,
    staging: &Staging,
    name: &str,
) -> Result<()> {
    let pax = entry
        .pax_extensions()
        .map_err(|e| staging.corrupt(name, e))?;
    for record in pax.into_iter().flatten() {
        let record = record.map_err(|e| staging.corrupt(name, e))?;
        if record.key_bytes() != b"comment" {
            return Err(staging.refuse(
                name,
                "is a PAX global header with records other than a comment",
            ));
        }
    }
    Ok(())
}

fn unpack_zip<R: Read + io::Seek>(file: BufReader<R>, staging: &mut Staging) -> Result<()> {
    let mut zip =
        zip::ZipArchive::new(file).map_err(|e| staging.corrupt("", io::Error::other(e)))?;
    if zip.len() as u64 > staging.limits.max_entries {
        return Err(staging.too_many_entries());
    }
    // Duplicate names, overlapping entries (the classic zip bomb), local headers
    // disagreeing with the central directory, and hidden local headers.
    zip.validate_header_consistency()
        .map_err(|e| staging.refuse("", &format!("fails the zip consistency check ({e})")))?;
    for index in 0..zip.len() {
        unpack_zip_entry(&mut zip, index, staging)?;
    }
    Ok(())
}

fn unpack_zip_entry<R: Read + io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    index: usize,
    staging: &mut Staging,
) -> Result<()> {
    staging.count_entry()?;
    let meta = zip
        .by_index_data(index)
        .map_err(|e| staging.corrupt("", io::Error::other(e)))?;
    let name = meta
        .name()
        .map_err(|e| staging.corrupt("", io::Error::other(e)))?
        .into_owned();
    if meta.encrypted() {
        return Err(staging.refuse(&name, "is encrypted"));
    }
    let mode = meta.unix_mode().unwrap_or(0);
    let is_dir_name = meta.is_dir();
    drop(meta);

    let mut reader = zip
        .by_index(index)
        .map_err(|e| staging.corrupt(&name, io::Error::other(e)))?;
    match mode & S_IFMT {
        S_IFDIR => staging.add_dir(&name),
        0 | S_IFREG if is_dir_name => staging.add_dir(&name),
        0 | S_IFREG => staging.add_file(&name, mode & 0o111 != 0, &mut reader),
        S_IFLNK => {
            let mut target = Vec::new();
            (&mut reader)
                .take(MAX_LINK_TARGET + 1)
                .read_to_end(&mut target)
                .map_err(|e| staging.corrupt(&name, e))?;
            if target.len() as u64 > MAX_LINK_TARGET {
                return Err(staging.refuse(&name, "is a symbolic link with an overlong target"));
            }
            let target = String::from_utf8(target).map_err(|_| {
                staging.refuse(&name, "is a symbolic link whose target is not valid UTF-8")
            })?;
            staging.add_symlink(&name, &target)
        }
        _ => Err(staging.refuse(&name, "is a device, FIFO or socket")),
    }
}

fn copy_bare(data: &mut dyn Read, bare_name: &str, staging: &mut Staging) -> Result<()> {
    if normalise_entry_name(bare_name).map(|parts| parts.len()) != Ok(1) {
        return Err(staging.refuse(bare_name, "is not a plain file name"));
    }
    staging.count_entry()?;
    staging.add_file(bare_name, true, data)
}

/// What the path table knows about one normalised path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    /// A directory created because an entry lies under it.
    ImplicitDir,
    /// A directory the archive lists itself.
    Dir,
    File,
    Symlink,
}

/// The state of one extraction into `dest`.
struct Staging<'a> {
    archive_name: String,
    dest: &'a Path,
    limits: &'a Limits,
    entries: u64,
    bytes_written: u64,
    /// Every path seen, as its components joined with `/`.
    nodes: HashMap<String, Node>,
    files: Vec<(Vec<String>, Sha256)>,
    /// Symlinks to create once everything else is written: path and raw target.
    links: Vec<(Vec<String>, String)>,
    stream_cap_hit: Rc<Cell<bool>>,
    buf: Vec<u8>,
}

impl<'a> Staging<'a> {
    fn new(archive: &Path, dest: &'a Path, limits: &'a Limits) -> Self {
        let archive_name = archive.file_name().map_or_else(
            || archive.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Staging {
            archive_name,
            dest,
            limits,
            entries: 0,
            bytes_written: 0,
            nodes: HashMap::new(),
            files: Vec::new(),
            links: Vec::new(),
            stream_cap_hit: Rc::new(Cell::new(false)),
            buf: vec![0; BUF_SIZE],
        }
    }

    /// The archive is unsafe: `rule` completes "entry '<name>' ...".
    fn refuse(&self, name: &str, rule: &str) -> Error {
        if name.is_empty() {
            Error::verification(format!(
                "Refusing archive {}: it {rule}.",
                self.archive_name
            ))
        } else {
            Error::UnsafeEntry {
                archive: self.archive_name.clone(),
                entry: name.to_string(),
                rule: rule.to_string(),
            }
        }
    }

    /// The archive could not be read; it was verified, so this means tampering or a bug.
    fn corrupt(&self, name: &str, err: io::Error) -> Error {
        if self.stream_cap_hit.get() {
            return self.refuse(
                "",
                &format!(
                    "unpacks to more than {} bytes of headers and data",
                    self.limits.max_total_bytes
                ),
            );
        }
        if name.is_empty() {
            Error::verification(format!("Archive {} is corrupt: {err}.", self.archive_name))
        } else {
            Error::verification(format!(
                "Archive {} is corrupt at entry '{name}': {err}.",
                self.archive_name
            ))
        }
    }

    fn too_many_entries(&self) -> Error {
        self.refuse(
            "",
            &format!("has more than {} entries", self.limits.max_entries),
        )
    }

    fn count_entry(&mut self) -> Result<()> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(self.too_many_entries());
        }
        Ok(())
    }

    /// Record `name` in the path table as `node`, refusing unsafe names,
    /// duplicates, and anything under a file or a symlink. `None` is the archive's
    /// root directory itself (`./`), which needs nothing done.
    fn admit(&mut self, name: &str, node: Node) -> Result<Option<Vec<String>>> {
        let parts = normalise_entry_name(name).map_err(|rule| self.refuse(name, rule))?;
        if parts.is_empty() {
            return match node {
                Node::Dir => Ok(None),
                _ => Err(self.refuse(name, "has an empty path")),
            };
        }
        let mut key = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                key.push('/');
            }
            key.push_str(part);
            let is_last = i + 1 == parts.len();
            match (self.nodes.get(key.as_str()).copied(), is_last) {
                (Some(Node::Symlink), false) => {
                    return Err(self.refuse(name, &format!("lies under the symbolic link '{key}'")))
                }
                (Some(Node::File), false) => {
                    return Err(self.refuse(name, &format!("lies under the file '{key}'")))
                }
                (Some(Node::Dir | Node::ImplicitDir), false) => {}
                (None, false) => {
                    self.nodes.insert(key.clone(), Node::ImplicitDir);
                }
                (None, true) | (Some(Node::ImplicitDir), true) if node == Node::Dir => {
                    self.nodes.insert(key.clone(), node);
                }
                (None, true) => {
                    self.nodes.insert(key.clone(), node);
                }
                (Some(_), true) => return Err(self.refuse(name, "appears twice in the archive")),
            }
        }
        Ok(Some(parts))
    }

    fn add_dir(&mut self, name: &str) -> Result<()> {
        if let Some(parts) = self.admit(name, Node::Dir)? {
            self.make_dirs(name, &parts)?;
        }
        Ok(())
    }

    fn add_file(&mut self, name: &str, executable: bool, data: &mut dyn Read) -> Result<()> {
        let parts = self
            .admit(name, Node::File)?
            .ok_or_else(|| self.refuse(name, "has an empty path"))?;
        self.make_dirs(name, &parts[..parts.len() - 1])?;
        let path = self.path_of(&parts);
        let mode = if executable { 0o755 } else { 0o644 };
        let mut out = create_new_file(&path, mode).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => self.refuse(
                name,
                "collides with another entry (names differing only in case?)",
            ),
            _ => Error::io("create", &path, e),
        })?;
        let sha256 = self.copy_within_budget(name, data, &mut out, &path)?;
        set_mode(&out, mode).at("set permissions of", &path)?;
        self.files.push((parts, sha256));
        Ok(())
    }

    fn add_symlink(&mut self, name: &str, target: &str) -> Result<()> {
        let parts = self
            .admit(name, Node::Symlink)?
            .ok_or_else(|| self.refuse(name, "has an empty path"))?;
        normalise_link_target(&parts, target).map_err(|rule| self.refuse(name, rule))?;
        self.make_dirs(name, &parts[..parts.len() - 1])?;
        self.links.push((parts, target.to_owned()));
        Ok(())
    }

    fn path_of(&self, parts: &[String]) -> PathBuf {
        let mut path = self.dest.to_path_buf();
        path.extend(parts);
        path
    }

    /// Create each directory of `parts` that is missing, never following a
    /// symlink: an existing non-directory there means the archive collides with
    /// itself (for example through case-insensitive names).
    fn make_dirs(&self, name: &str, parts: &[String]) -> Result<()> {
        let mut path = self.dest.to_path_buf();
        for part in parts {
            path.push(part);
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_dir() => {}
                Ok(_) => {
                    return Err(self.refuse(
                        name,
                        "collides with another entry (names differing only in case?)",
                    ))
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => create_dir_0755(&path)?,
                Err(e) => return Err(Error::io("inspect", &path, e)),
            }
        }
        Ok(())
    }

    /// A tar header's size is exact (it frames the stream), so an entry that
    /// declares more than the budget left is refused before a byte of it is
    /// written: a gzip-of-zeros bomb does not get to fill the disk up to the limit.
    fn check_declared_size(&self, name: &str, size: u64) -> Result<()> {
        if self.bytes_written.saturating_add(size) > self.limits.max_total_bytes {
            return Err(self.refuse(
                name,
                &format!(
                    "declares {size} bytes, past the unpacked size limit of {} bytes",
                    self.limits.max_total_bytes
                ),
            ));
        }
        Ok(())
    }

    /// Copy `data` into `out`, counting the bytes actually read against the total
    /// limit so that no header's claim matters, and hashing what is written.
    fn copy_within_budget(
        &mut self,
        name: &str,
        data: &mut dyn Read,
        out: &mut File,
        path: &Path,
    ) -> Result<Sha256> {
        let mut hasher = Hasher::default();
        loop {
            let n = match data.read(&mut self.buf) {
                Ok(0) => return Ok(hasher.finish()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.corrupt(name, e)),
            };
            self.bytes_written += n as u64;
            if self.bytes_written > self.limits.max_total_bytes {
                return Err(self.refuse(
                    name,
                    &format!(
                        "takes the unpacked size past the limit of {} bytes",
                        self.limits.max_total_bytes
                    ),
                ));
            }
            out.write_all(&self.buf[..n]).at("write", path)?;
            hasher.update(&self.buf[..n]);
        }
    }

    /// Strip a single top-level directory, create the symlinks, and report.
    fn finish(mut self) -> Result<Extracted> {
        if let Some(top) = self.top_dir_to_strip() {
            self.strip_top_dir(&top)?;
        }
        for (parts, target) in &self.links {
            let name = parts.join("/");
            let target =
                normalise_link_target(parts, target).map_err(|rule| self.refuse(&name, rule))?;
            create_symlink(&target, &self.path_of(parts))?;
        }
        let sha256: HashMap<PathBuf, Sha256> = self
            .files
            .iter()
            .map(|(parts, sha256)| (parts.iter().collect(), *sha256))
            .collect();
        let mut files: Vec<PathBuf> = sha256.keys().cloned().collect();
        files.sort();
        Ok(Extracted { files, sha256 })
    }

    /// The one directory that every entry lies under, if there is one.
    fn top_dir_to_strip(&self) -> Option<String> {
        let first_component = |key: &str| key.split('/').next().unwrap_or_default().to_owned();
        let top = first_component(self.nodes.keys().next()?);
        let is_dir = matches!(self.nodes.get(&top), Some(Node::Dir | Node::ImplicitDir));
        let all_under = self.nodes.keys().all(|key| first_component(key) == top);
        (is_dir && all_under && self.nodes.len() > 1).then_some(top)
    }

    /// Move the contents of `dest/top` up into `dest`. `top` is first renamed
    /// aside so that a child with the same name as `top` can move up too.
    fn strip_top_dir(&mut self, top: &str) -> Result<()> {
        let children: HashSet<&str> = self
            .nodes
            .keys()
            .filter_map(|key| key.split_once('/').map(|(_, rest)| rest))
            .filter(|rest| !rest.contains('/'))
            .collect();
        let aside = (0u32..)
            .map(|n| format!(".strip-{n}"))
            .find(|n| n != top && !children.contains(n.as_str()))
            .unwrap_or_default();
        let aside = self.dest.join(aside);
        let top_path = self.dest.join(top);
        fs::rename(&top_path, &aside).at("rename", &top_path)?;
        for child in fs::read_dir(&aside).at("read", &aside)? {
            let child = child.at("read", &aside)?;
            let from = child.path();
            fs::rename(&from, self.dest.join(child.file_name())).at("move", &from)?;
        }
        fs::remove_dir(&aside).at("remove", &aside)?;
        for (parts, _) in &mut self.files {
            parts.remove(0);
        }
        for (parts, _) in &mut self.links {
            parts.remove(0);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::Compression;
    use crate::hashed::HashedFile;
    use std::io::Cursor;
    use tar::EntryType;
    use zip::write::SimpleFileOptions;

    /// A temporary root holding the archive and `stage/dest`, so that anything
    /// escaping `dest` (by `..`, an absolute path into the root, or a symlink)
    /// lands somewhere the test can see.
    struct Sandbox {
        _tmp: tempfile::TempDir,
        root: PathBuf,
        dest: PathBuf,
        archive: PathBuf,
    }

    impl Sandbox {
        fn new(archive_name: &str, bytes: &[u8]) -> Sandbox {
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path().canonicalize().unwrap();
            let dest = root.join("stage").join("dest");
            fs::create_dir_all(&dest).unwrap();
            let archive = root.join(archive_name);
            fs::write(&archive, bytes).unwrap();
            Sandbox {
                _tmp: tmp,
                root,
                dest,
                archive,
            }
        }

        fn extract_with(&self, format: Format, limits: &Limits) -> Result<Extracted> {
            extract(&self.archive, format, "bitnet-install", &self.dest, limits)
        }

        fn extract(&self, format: Format) -> Result<Extracted> {
            self.extract_with(format, &Limits::default())
        }

        /// Most archive rules are shown on a tar.gz, the usual format.
        fn extract_tar_gz(&self) -> Result<Extracted> {
            self.extract(Format::Tar(Compression::Gzip))
        }

        /// Everything under the root except the inside of `dest`.
        fn outside_dest(&self) -> Vec<String> {
            let mut found = Vec::new();
            let mut pending = vec![self.root.clone()];
            while let Some(dir) = pending.pop() {
                for child in fs::read_dir(&dir).unwrap() {
                    let path = child.unwrap().path();
                    let rel = path.strip_prefix(&self.root).unwrap();
                    found.push(rel.to_string_lossy().into_owned());
                    let is_dir = fs::symlink_metadata(&path).unwrap().is_dir();
                    if is_dir && path != self.dest {
                        pending.push(path);
                    }
                }
            }
            found.sort();
            found
        }

        fn assert_nothing_outside_dest(&self) {
            let name = self.archive.file_name().unwrap().to_string_lossy();
            let mut expected = vec![
                name.into_owned(),
                "stage".to_owned(),
                "stage/dest".to_owned(),
            ];
            expected.sort();
            assert_eq!(self.outside_dest(), expected);
        }

        /// The archive was refused as unsafe (exit 5) for the reason `why`, and
        /// nothing was written outside `dest`.
        fn assert_refused(&self, result: Result<Extracted>, why: &str) {
            match result {
                Ok(extracted) => {
                    panic!("extraction should have failed, wrote {:?}", extracted.files)
                }
                Err(err) => {
                    assert_eq!(err.exit_code(), 5, "{err}");
                    assert!(
                        err.to_string().contains(why),
                        "'{err}' does not say '{why}'"
                    );
                }
            }
            self.assert_nothing_outside_dest();
        }

        fn read(&self, rel: &str) -> Vec<u8> {
            fs::read(self.dest.join(rel)).unwrap()
        }
    }

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    /// One tar entry, its name written into the header byte for byte so that the
    /// tar crate's own path checks cannot stop a malicious name.
    struct TarEntry {
        name: String,
        kind: EntryType,
        mode: u32,
        link: String,
        data: Vec<u8>,
    }

    fn entry(name: &str, kind: EntryType, mode: u32, data: &[u8]) -> TarEntry {
        TarEntry {
            name: name.to_owned(),
            kind,
            mode,
            link: String::new(),
            data: data.to_vec(),
        }
    }

    fn file(name: &str, data: &[u8]) -> TarEntry {
        entry(name, EntryType::Regular, 0o644, data)
    }

    fn exe(name: &str, data: &[u8]) -> TarEntry {
        entry(name, EntryType::Regular, 0o755, data)
    }

    fn dir(name: &str) -> TarEntry {
        entry(name, EntryType::Directory, 0o755, b"")
    }

    fn link(name: &str, kind: EntryType, target: &str) -> TarEntry {
        TarEntry {
            link: target.to_owned(),
            ..entry(name, kind, 0o777, b"")
        }
    }

    fn raw_header(entry: &TarEntry) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        let old = header.as_old_mut();
        old.name[..entry.name.len()].copy_from_slice(entry.name.as_bytes());
        old.linkname[..entry.link.len()].copy_from_slice(entry.link.as_bytes());
        header.set_entry_type(entry.kind);
        header.set_mode(entry.mode);
        header.set_size(entry.data.len() as u64);
        header.set_mtime(0);
        header.set_cksum();
        header
    }

    fn tar_gz_with(write: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        write(&mut builder);
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        gz.finish().unwrap()
    }

    /// A tar of `entries` under `compression`.
    fn tarball(compression: Compression, entries: &[TarEntry]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for entry in entries {
            builder
                .append(&raw_header(entry), entry.data.as_slice())
                .unwrap();
        }
        crate::archive::tests::compress(compression, &builder.into_inner().unwrap())
    }

    fn tar_gz(entries: &[TarEntry]) -> Vec<u8> {
        tarball(Compression::Gzip, entries)
    }

    fn tar_sandbox(entries: &[TarEntry]) -> Sandbox {
        Sandbox::new(
            "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz",
            &tar_gz(entries),
        )
    }

    fn zip_bytes(
        write: impl FnOnce(&mut zip::ZipWriter<Cursor<Vec<u8>>>) -> zip::result::ZipResult<()>,
    ) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        write(&mut writer).unwrap();
        writer.finish().unwrap().into_inner()
    }

    fn zip_with_file(name: &str, data: &[u8]) -> Vec<u8> {
        zip_bytes(|zip| {
            zip.start_file(name, SimpleFileOptions::default())?;
            zip.write_all(data)?;
            Ok(())
        })
    }

    fn zip_sandbox(bytes: &[u8]) -> Sandbox {
        Sandbox::new("bitnet-0.3.2-x86_64-pc-windows-msvc.zip", bytes)
    }

    fn paths(extracted: &Extracted) -> Vec<String> {
        extracted
            .files
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn default_limits_are_4_gib_and_10000_entries() {
        let limits = Limits::default();
        assert_eq!(limits.max_total_bytes, 4 * 1024 * 1024 * 1024);
        assert_eq!(limits.max_entries, 10_000);
    }

    #[test]
    fn entry_names_normalise_with_both_separators() {
        assert_eq!(
            normalise_entry_name("./a//b\\c/."),
            Ok(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(normalise_entry_name("./"), Ok(vec![]));
        for bad in [
            "/x",
            "\\x",
            "\\\\srv\\x",
            "C:x",
            "a/../b",
            "a\\..\\b",
            "a/. ./b",
            "a\0b",
        ] {
            assert!(normalise_entry_name(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn link_targets_may_only_climb_first_and_stay_inside() {
        let link: Vec<String> = vec!["a".into(), "b".into(), "l".into()];
        assert_eq!(
            normalise_link_target(&link, "../../x/./y"),
            Ok("../../x/y".into())
        );
        assert_eq!(normalise_link_target(&link, "."), Ok(".".into()));
        for bad in ["../../../x", "/etc", "C:\\x", "x/../y", "..\\..\\..\\x", ""] {
            assert!(
                normalise_link_target(&link, bad).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn tar_gz_with_one_top_dir_is_stripped() {
        let sandbox = tar_sandbox(&[
            dir("bitnet-0.3.2/"),
            exe("bitnet-0.3.2/bitnet-cli", b"cli"),
            file("bitnet-0.3.2/README.md", b"readme"),
            dir("bitnet-0.3.2/docs/"),
            file("bitnet-0.3.2/docs/guide.txt", b"guide"),
        ]);
        let extracted = sandbox.extract_tar_gz().unwrap();
        assert_eq!(
            paths(&extracted),
            ["README.md", "bitnet-cli", "docs/guide.txt"]
        );
        assert_eq!(sandbox.read("bitnet-cli"), b"cli");
        assert_eq!(sandbox.read("docs/guide.txt"), b"guide");
        assert!(!sandbox.dest.join("bitnet-0.3.2").exists());
        assert_eq!(mode_of(&sandbox.dest.join("bitnet-cli")), 0o755);
        assert_eq!(mode_of(&sandbox.dest.join("README.md")), 0o644);
        assert_eq!(mode_of(&sandbox.dest.join("docs")), 0o755);
        sandbox.assert_nothing_outside_dest();
    }

    #[test]
    fn tar_gz_without_a_single_top_dir_keeps_paths() {
        let sandbox = tar_sandbox(&[
            dir("./"),
            exe("./bitnet-cli", b"cli"),
            file("./README.md", b"readme"),
            file("./docs/guide.txt", b"guide"),
        ]);
        let extracted = sandbox.extract_tar_gz().unwrap();
        assert_eq!(
            paths(&extracted),
            ["README.md", "bitnet-cli", "docs/guide.txt"]
        );
        assert_eq!(sandbox.read("README.md"), b"readme");
    }

    #[test]
    fn a_lone_file_at_the_root_is_not_mistaken_for_a_top_dir() {
        let sandbox = tar_sandbox(&[exe("bitnet-cli", b"cli")]);
        let extracted = sandbox.extract_tar_gz().unwrap();
        assert_eq!(paths(&extracted), ["bitnet-cli"]);
    }

    #[test]
    fn top_dir_holding_a_namesake_child_is_stripped() {
        let sandbox = tar_sandbox(&[exe("bitnet/bitnet", b"cli"), file("bitnet/.strip-0", b"x")]);
        let extracted = sandbox.extract_tar_gz().unwrap();
        assert_eq!(paths(&extracted), [".strip-0", "bitnet"]);
        assert_eq!(sandbox.read("bitnet"), b"cli");
    }

    #[cfg(unix)]
    #[test]
    fn zip_with_top_dir_is_stripped_and_modes_kept() {
        let bytes = zip_bytes(|zip| {
            let exe = SimpleFileOptions::default().unix_permissions(0o755);
            zip.add_directory("bitnet-0.3.2/", SimpleFileOptions::default())?;
            zip.start_file("bitnet-0.3.2/bitnet-cli", exe)?;
            zip.write_all(&vec![7u8; 300_000])?;
            zip.start_file(
                "bitnet-0.3.2/LICENSE",
                SimpleFileOptions::default().unix_permissions(0o600),
            )?;
            zip.write_all(b"MIT")?;
            Ok(())
        });
        let sandbox = zip_sandbox(&bytes);
        let extracted = sandbox.extract(Format::Zip).unwrap();
        assert_eq!(paths(&extracted), ["LICENSE", "bitnet-cli"]);
        assert_eq!(sandbox.read("bitnet-cli"), vec![7u8; 300_000]);
        assert_eq!(mode_of(&sandbox.dest.join("bitnet-cli")), 0o755);
        assert_eq!(mode_of(&sandbox.dest.join("LICENSE")), 0o644);
    }

    #[cfg(unix)]
    #[test]
    fn bare_asset_is_copied_executable() {
        let sandbox = Sandbox::new(
            "bitnet-install-0.3.2-x86_64-unknown-linux-gnu",
            b"\x7fELF binary",
        );
        let extracted = sandbox.extract(Format::Bare).unwrap();
        assert_eq!(paths(&extracted), ["bitnet-install"]);
        assert_eq!(sandbox.read("bitnet-install"), b"\x7fELF binary");
        assert_eq!(mode_of(&sandbox.dest.join("bitnet-install")), 0o755);
    }

    #[test]
    fn bare_name_must_be_a_plain_file_name() {
        let sandbox = Sandbox::new("asset", b"x");
        let result = extract(
            &sandbox.archive,
            Format::Bare,
            "../x",
            &sandbox.dest,
            &Limits::default(),
        );
        sandbox.assert_refused(result, "not a plain file name");
    }

    #[test]
    fn bare_asset_over_the_size_limit_is_refused() {
        let sandbox = Sandbox::new("asset", &[1u8; 2000]);
        let limits = Limits {
            max_total_bytes: 1000,
            max_entries: 10,
        };
        sandbox.assert_refused(
            sandbox.extract_with(Format::Bare, &limits),
            "limit of 1000 bytes",
        );
    }

    #[test]
    fn tar_absolute_path_is_refused() {
        let sandbox = tar_sandbox(&[]);
        let absolute = format!("{}/escaped", sandbox.root.display());
        fs::write(&sandbox.archive, tar_gz(&[file(&absolute, b"x")])).unwrap();
        sandbox.assert_refused(sandbox.extract_tar_gz(), "absolute path");
    }

    #[test]
    fn tar_dotdot_path_is_refused() {
        let sandbox = tar_sandbox(&[file("ok", b"x"), file("../../escaped", b"x")]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "'..'");
    }

    #[test]
    fn tar_backslash_dotdot_path_is_refused() {
        let sandbox = tar_sandbox(&[file("..\\..\\escaped", b"x")]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "'..'");
    }

    #[test]
    fn tar_windows_drive_and_unc_paths_are_refused() {
        for name in ["C:\\escaped", "C:/escaped", "c:escaped"] {
            let sandbox = tar_sandbox(&[file(name, b"x")]);
            sandbox.assert_refused(sandbox.extract_tar_gz(), "drive letter");
        }
        let sandbox = tar_sandbox(&[file("\\\\server\\share\\x", b"x")]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "absolute path");
    }

    #[test]
    fn tar_hard_link_is_refused() {
        let sandbox = tar_sandbox(&[file("a", b"x"), link("b", EntryType::Link, "a")]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "hard link");
    }

    #[test]
    fn tar_fifo_and_devices_are_refused() {
        for kind in [EntryType::Fifo, EntryType::Char, EntryType::Block] {
            let sandbox = tar_sandbox(&[entry("dev", kind, 0o644, b"")]);
            sandbox.assert_refused(sandbox.extract_tar_gz(), "device or FIFO");
        }
    }

    #[test]
    fn tar_unknown_entry_types_are_refused() {
        let sandbox = tar_sandbox(&[entry("c", EntryType::Continuous, 0o644, b"x")]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "unsupported entry type '7'");
    }

    #[test]
    fn tar_symlink_pointing_outside_is_refused() {
        for target in ["../escaped", "/etc", "sub/../../x", "..\\x"] {
            let sandbox = tar_sandbox(&[link("evil", EntryType::Symlink, target)]);
            sandbox.assert_refused(sandbox.extract_tar_gz(), "symbolic link");
        }
    }

    #[test]
    fn tar_file_through_a_symlink_is_refused() {
        let sandbox = tar_sandbox(&[
            dir("real/"),
            link("inner", EntryType::Symlink, "real"),
            file("inner/x", b"x"),
        ]);
        sandbox.assert_refused(
            sandbox.extract_tar_gz(),
            "lies under the symbolic link 'inner'",
        );
    }

    #[test]
    fn tar_escaping_symlink_then_file_through_it_is_refused() {
        let sandbox = tar_sandbox(&[
            link("evil", EntryType::Symlink, "../.."),
            file("evil/escaped", b"x"),
        ]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "symbolic link");
    }

    #[test]
    fn tar_file_replacing_a_symlink_is_refused() {
        let sandbox = tar_sandbox(&[
            file("target.txt", b"t"),
            link("link", EntryType::Symlink, "target.txt"),
            file("link", b"x"),
        ]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "appears twice");
    }

    #[test]
    fn tar_duplicate_file_is_refused() {
        let sandbox = tar_sandbox(&[file("a", b"1"), file("./a", b"2")]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "appears twice");
    }

    #[test]
    fn tar_file_under_a_file_is_refused() {
        let sandbox = tar_sandbox(&[file("a", b"1"), file("a/b", b"2")]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "lies under the file 'a'");
    }

    #[test]
    fn tar_symlink_chain_climbing_through_another_link_is_refused() {
        // sub/up -> .. is the root, so sub/esc -> up/.. would be the root's parent,
        // although lexically (sub/up/..) it looks like sub.
        let sandbox = tar_sandbox(&[
            link("sub/up", EntryType::Symlink, ".."),
            link("sub/esc", EntryType::Symlink, "up/.."),
        ]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "climbs back up");
    }

    #[test]
    fn tar_symlink_that_escapes_only_after_stripping_is_refused() {
        let sandbox = tar_sandbox(&[
            file("pkg/file", b"x"),
            link("pkg/link", EntryType::Symlink, "../pkg/file"),
        ]);
        sandbox.assert_refused(sandbox.extract_tar_gz(), "pointing outside the archive");
    }

    #[cfg(unix)]
    #[test]
    fn tar_symlink_inside_the_tree_is_recreated() {
        let sandbox = tar_sandbox(&[
            exe("pkg/lib/real", b"real"),
            link("pkg/bin/tool", EntryType::Symlink, "../lib/real"),
        ]);
        let extracted = sandbox.extract_tar_gz().unwrap();
        assert_eq!(paths(&extracted), ["lib/real"]);
        let tool = sandbox.dest.join("bin/tool");
        assert_eq!(fs::read_link(&tool).unwrap(), Path::new("../lib/real"));
        assert_eq!(fs::read(&tool).unwrap(), b"real");
        sandbox.assert_nothing_outside_dest();
    }

    #[cfg(unix)]
    #[test]
    fn tar_special_modes_are_normalised() {
        let sandbox = tar_sandbox(&[
            entry("setuid", EntryType::Regular, 0o4777, b"x"),
            entry("setgid", EntryType::Regular, 0o2644, b"x"),
            entry("writable", EntryType::Regular, 0o666, b"x"),
            entry("sticky/", EntryType::Directory, 0o1777, b""),
        ]);
        sandbox.extract_tar_gz().unwrap();
        assert_eq!(mode_of(&sandbox.dest.join("setuid")), 0o755);
        assert_eq!(mode_of(&sandbox.dest.join("setgid")), 0o644);
        assert_eq!(mode_of(&sandbox.dest.join("writable")), 0o644);
        assert_eq!(mode_of(&sandbox.dest.join("sticky")), 0o755);
    }

    fn small_limits() -> Limits {
        Limits {
            max_total_bytes: 64 * 1024,
            max_entries: 10,
        }
    }

    #[test]
    fn gzip_of_zeros_bomb_is_stopped_at_the_limit() {
        let sandbox = tar_sandbox(&[file("zeros", &vec![0u8; 1 << 20])]);
        assert!(fs::metadata(&sandbox.archive).unwrap().len() < 64 * 1024);
        let result = sandbox.extract_with(Format::Tar(Compression::Gzip), &small_limits());
        sandbox.assert_refused(result, "limit of 65536 bytes");
        let written = fs::metadata(sandbox.dest.join("zeros")).map_or(0, |m| m.len());
        assert!(written <= 64 * 1024, "{written} bytes written");
    }

    #[test]
    fn a_tar_entry_declaring_more_than_the_limit_is_refused_before_writing() {
        let sandbox = tar_sandbox(&[file("big", &vec![0u8; 128 * 1024])]);
        let result = sandbox.extract_with(Format::Tar(Compression::Gzip), &small_limits());
        sandbox.assert_refused(result, "declares 131072 bytes");
        assert!(!sandbox.dest.join("big").exists(), "nothing written");
    }

    #[test]
    fn extract_verified_unpacks_the_hashed_handle_and_refuses_a_replaced_file() {
        let sandbox = tar_sandbox(&[file("a", b"x")]);
        let limits = Limits::default();
        let gz = Format::Tar(Compression::Gzip);
        let mut hashed = HashedFile::open(&sandbox.archive).unwrap();
        extract_verified(&mut hashed, gz, "a", &sandbox.dest, &limits).unwrap();
        assert_eq!(sandbox.read("a"), b"x");
        fs::remove_file(sandbox.dest.join("a")).unwrap();

        let decoy = sandbox.archive.with_extension("decoy");
        fs::write(&decoy, tar_gz(&[file("evil", b"y")])).unwrap();
        fs::rename(&decoy, &sandbox.archive).unwrap();
        let err = extract_verified(&mut hashed, gz, "a", &sandbox.dest, &limits).unwrap_err();
        assert_eq!(err.exit_code(), 5);
        assert!(
            err.to_string().contains("changed after it was verified"),
            "{err}"
        );
        assert_eq!(
            fs::read_dir(&sandbox.dest).unwrap().count(),
            0,
            "nothing is left"
        );
    }

    #[test]
    fn total_size_counts_every_file() {
        let chunk = vec![1u8; 40 * 1024];
        let sandbox = tar_sandbox(&[file("a", &chunk), file("b", &chunk)]);
        let result = sandbox.extract_with(Format::Tar(Compression::Gzip), &small_limits());
        sandbox.assert_refused(
            result,
            "entry 'b' declares 40960 bytes, past the unpacked size limit",
        );
    }

    #[test]
    fn too_many_entries_are_refused_and_the_limit_itself_is_fine() {
        let entries: Vec<TarEntry> = (0..10).map(|i| dir(&format!("d{i}/"))).collect();
        let sandbox = tar_sandbox(&entries);
        sandbox
            .extract_with(Format::Tar(Compression::Gzip), &small_limits())
            .unwrap();

        let entries: Vec<TarEntry> = (0..11).map(|i| dir(&format!("d{i}/"))).collect();
        let sandbox = tar_sandbox(&entries);
        let result = sandbox.extract_with(Format::Tar(Compression::Gzip), &small_limits());
        sandbox.assert_refused(result, "more than 10 entries");
    }

    #[test]
    fn oversized_long_name_header_hits_the_stream_cap() {
        let long_name = vec![b'a'; 1 << 20];
        let bytes = tar_gz_with(|builder| {
            let mut header = tar::Header::new_gnu();
            header.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
            header.set_entry_type(EntryType::GNULongName);
            header.set_size(long_name.len() as u64);
            header.set_cksum();
            builder.append(&header, long_name.as_slice()).unwrap();
            builder
                .append(&raw_header(&file("short", b"x")), &b"x"[..])
                .unwrap();
        });
        let sandbox = tar_sandbox(&[]);
        fs::write(&sandbox.archive, bytes).unwrap();
        let result = sandbox.extract_with(Format::Tar(Compression::Gzip), &small_limits());
        sandbox.assert_refused(result, "unpacks to more than 65536 bytes");
    }

    fn tar_with_pax_size(pax_size: &str, data: &[u8]) -> Vec<u8> {
        tar_gz_with(|builder| {
            builder
                .append_pax_extensions([("size", pax_size.as_bytes())])
                .unwrap();
            builder
                .append(&raw_header(&file("payload", data)), data)
                .unwrap();
            builder
                .append(&raw_header(&file("after", b"after")), &b"after"[..])
                .unwrap();
        })
    }

    #[test]
    fn pax_size_larger_than_header_size_is_refused() {
        let sandbox = tar_sandbox(&[]);
        fs::write(&sandbox.archive, tar_with_pax_size("2048", b"0123456789")).unwrap();
        sandbox.assert_refused(sandbox.extract_tar_gz(), "PAX size record that disagrees");
    }

    #[test]
    fn pax_size_smaller_than_header_size_is_refused() {
        let sandbox = tar_sandbox(&[]);
        fs::write(&sandbox.archive, tar_with_pax_size("5", b"0123456789")).unwrap();
        sandbox.assert_refused(sandbox.extract_tar_gz(), "PAX size record that disagrees");
    }

    #[test]
    fn pax_size_agreeing_with_header_writes_exactly_the_data() {
        let sandbox = tar_sandbox(&[]);
        fs::write(&sandbox.archive, tar_with_pax_size("10", b"0123456789")).unwrap();
        let extracted = sandbox.extract_tar_gz().unwrap();
        assert_eq!(paths(&extracted), ["after", "payload"]);
        assert_eq!(sandbox.read("payload"), b"0123456789");
        assert_eq!(sandbox.read("after"), b"after");
    }

    #[test]
    fn git_archive_global_header_is_skipped_but_others_refused() {
        let archive = |key: &str| {
            tar_gz_with(|builder| {
                let value = "0123456789abcdef0123456789abcdef01234567";
                // The length prefix counts itself: 2 digits, a space, `=` and `\n`.
                let record = format!("{} {key}={value}\n", key.len() + value.len() + 5);
                let mut header = raw_header(&entry(
                    "pax_global_header",
                    EntryType::XGlobalHeader,
                    0o644,
                    b"",
                ));
                header.set_size(record.len() as u64);
                header.set_cksum();
                builder.append(&header, record.as_bytes()).unwrap();
                builder
                    .append(&raw_header(&exe("bitnet-cli", b"cli")), &b"cli"[..])
                    .unwrap();
            })
        };
        let sandbox = tar_sandbox(&[]);
        fs::write(&sandbox.archive, archive("comment")).unwrap();
        assert_eq!(paths(&sandbox.extract_tar_gz().unwrap()), ["bitnet-cli"]);

        let sandbox = tar_sandbox(&[]);
        fs::write(&sandbox.archive, archive("path")).unwrap();
        sandbox.assert_refused(sandbox.extract_tar_gz(), "PAX global header");
    }

    #[test]
    fn corrupt_gzip_is_a_verification_failure() {
        let mut bytes = tar_gz(&[file("a", &vec![5u8; 100_000])]);
        let middle = bytes.len() / 2;
        bytes.truncate(middle);
        let sandbox = tar_sandbox(&[]);
        fs::write(&sandbox.archive, bytes).unwrap();
        sandbox.assert_refused(sandbox.extract_tar_gz(), "corrupt");
    }

    #[test]
    fn zip_unsafe_names_are_refused() {
        let cases = [
            ("../escaped", "'..'"),
            ("..\\escaped", "'..'"),
            ("a/../../escaped", "'..'"),
            ("C:\\escaped", "drive letter"),
            ("C:/escaped", "drive letter"),
            ("\\\\server\\share\\x", "absolute path"),
        ];
        for (name, why) in cases {
            let sandbox = zip_sandbox(&zip_with_file(name, b"x"));
            sandbox.assert_refused(sandbox.extract(Format::Zip), why);
        }
        let sandbox = zip_sandbox(&[]);
        let absolute = format!("{}/escaped", sandbox.root.display());
        fs::write(&sandbox.archive, zip_with_file(&absolute, b"x")).unwrap();
        sandbox.assert_refused(sandbox.extract(Format::Zip), "absolute path");
    }

    #[test]
    fn zip_names_equal_after_normalisation_are_refused() {
        let bytes = zip_bytes(|zip| {
            zip.start_file("a/b", SimpleFileOptions::default())?;
            zip.write_all(b"1")?;
            zip.start_file("a\\b", SimpleFileOptions::default())?;
            zip.write_all(b"2")?;
            Ok(())
        });
        let sandbox = zip_sandbox(&bytes);
        sandbox.assert_refused(sandbox.extract(Format::Zip), "appears twice");
    }

    /// Two stored entries `aaaa` and `bbbb`, for byte-level tampering.
    fn two_entry_zip() -> Vec<u8> {
        zip_bytes(|zip| {
            let stored =
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            zip.start_file("aaaa", stored)?;
            zip.write_all(b"first")?;
            zip.start_file("bbbb", stored)?;
            zip.write_all(b"second")?;
            Ok(())
        })
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
        haystack
            .windows(needle.len())
            .enumerate()
            .filter(|(_, w)| *w == needle)
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn zip_duplicate_names_are_refused() {
        let mut bytes = two_entry_zip();
        for at in find(&bytes, b"bbbb") {
            bytes[at..at + 4].copy_from_slice(b"aaaa");
        }
        let sandbox = zip_sandbox(&bytes);
        sandbox.assert_refused(sandbox.extract(Format::Zip), "duplicate file names");
    }

    #[test]
    fn zip_overlapping_entries_are_refused() {
        // Point the second central directory entry at the first local header, the
        // way overlapping-entry zip bombs reuse one compressed block many times.
        let mut bytes = two_entry_zip();
        let central = find(&bytes, &[b'P', b'K', 1, 2]);
        assert_eq!(central.len(), 2);
        let offset_field = central[1] + 42;
        bytes[offset_field..offset_field + 4].copy_from_slice(&0u32.to_le_bytes());
        let sandbox = zip_sandbox(&bytes);
        sandbox.assert_refused(sandbox.extract(Format::Zip), "zip consistency check");
    }

    #[test]
    fn zip_encrypted_entry_is_refused() {
        use zip::unstable::write::FileOptionsExt;
        let bytes = zip_bytes(|zip| {
            let options = SimpleFileOptions::default().with_deprecated_encryption(b"secret")?;
            zip.start_file("bitnet-cli", options)?;
            zip.write_all(b"cli")?;
            Ok(())
        });
        let sandbox = zip_sandbox(&bytes);
        sandbox.assert_refused(sandbox.extract(Format::Zip), "is encrypted");
    }

    #[test]
    fn zip_fifo_and_devices_are_refused() {
        for file_type in [0o010000, 0o020000, 0o060000, 0o140000] {
            let bytes = zip_bytes(|zip| {
                let options = SimpleFileOptions::default()
                    .system(zip::System::Unix)
                    .external_attributes((file_type | 0o644) << 16);
                zip.start_file("dev", options)?;
                Ok(())
            });
            let sandbox = zip_sandbox(&bytes);
            sandbox.assert_refused(sandbox.extract(Format::Zip), "device, FIFO or socket");
        }
    }

    #[test]
    fn zip_symlink_outside_and_file_through_symlink_are_refused() {
        let bytes =
            zip_bytes(|zip| zip.add_symlink("evil", "../../escaped", SimpleFileOptions::default()));
        let sandbox = zip_sandbox(&bytes);
        sandbox.assert_refused(sandbox.extract(Format::Zip), "pointing outside the archive");

        let bytes = zip_bytes(|zip| {
            zip.add_directory("real/", SimpleFileOptions::default())?;
            zip.add_symlink("inner", "real", SimpleFileOptions::default())?;
            zip.start_file("inner/x", SimpleFileOptions::default())?;
            zip.write_all(b"x")?;
            Ok(())
        });
        let sandbox = zip_sandbox(&bytes);
        sandbox.assert_refused(
            sandbox.extract(Format::Zip),
            "lies under the symbolic link 'inner'",
        );
    }

    #[test]
    fn zip_total_size_limit_counts_decompressed_bytes() {
        let sandbox = zip_sandbox(&zip_with_file("zeros", &vec![0u8; 1 << 20]));
        assert!(fs::metadata(&sandbox.archive).unwrap().len() < 64 * 1024);
        let result = sandbox.extract_with(Format::Zip, &small_limits());
        sandbox.assert_refused(result, "limit of 65536 bytes");
    }

    #[test]
    fn zip_too_many_entries_are_refused() {
        let bytes = zip_bytes(|zip| {
            for i in 0..11 {
                zip.add_directory(format!("d{i}/"), SimpleFileOptions::default())?;
            }
            Ok(())
        });
        let sandbox = zip_sandbox(&bytes);
        let result = sandbox.extract_with(Format::Zip, &small_limits());
        sandbox.assert_refused(result, "more than 10 entries");
    }

    const COMPRESSIONS: [Compression; 4] = [
        Compression::Gzip,
        Compression::Xz,
        Compression::Zstd,
        Compression::Bzip2,
    ];

    fn tarball_sandbox(compression: Compression, entries: &[TarEntry]) -> Sandbox {
        let name = format!("tool{}", Format::Tar(compression).suffix(false));
        Sandbox::new(&name, &tarball(compression, entries))
    }

    #[cfg(unix)]
    #[test]
    fn every_tar_compression_unpacks_with_modes_normalised() {
        for compression in COMPRESSIONS {
            let sandbox = tarball_sandbox(
                compression,
                &[
                    entry("pkg/bin/tool", EntryType::Regular, 0o4777, b"tool"),
                    file("pkg/README", b"read me"),
                ],
            );
            let extracted = sandbox.extract(Format::Tar(compression)).unwrap();
            assert_eq!(paths(&extracted), ["README", "bin/tool"], "{compression:?}");
            assert_eq!(sandbox.read("bin/tool"), b"tool");
            assert_eq!(mode_of(&sandbox.dest.join("bin/tool")), 0o755);
            assert_eq!(mode_of(&sandbox.dest.join("README")), 0o644);
            sandbox.assert_nothing_outside_dest();
        }
    }

    #[test]
    fn every_tar_compression_refuses_the_same_unsafe_entries() {
        let cases = [
            (file("../escaped", b"x"), "'..'"),
            (file("/tmp/escaped", b"x"), "absolute path"),
            (link("hard", EntryType::Link, "target"), "hard link"),
            (entry("dev", EntryType::Char, 0o644, b""), "device or FIFO"),
            (entry("fifo", EntryType::Fifo, 0o644, b""), "device or FIFO"),
            (
                link("evil", EntryType::Symlink, "../../escaped"),
                "pointing outside the archive",
            ),
        ];
        for compression in COMPRESSIONS {
            for (bad, why) in &cases {
                let entries = [file("ok", b"ok"), clone_entry(bad)];
                let sandbox = tarball_sandbox(compression, &entries);
                let result = sandbox.extract(Format::Tar(compression));
                sandbox.assert_refused(result, why);
            }
        }
    }

    fn clone_entry(e: &TarEntry) -> TarEntry {
        TarEntry {
            link: e.link.clone(),
            ..entry(&e.name, e.kind, e.mode, &e.data)
        }
    }

    #[test]
    fn every_tar_compression_stops_a_bomb_at_the_limit() {
        for compression in COMPRESSIONS {
            let sandbox = tarball_sandbox(compression, &[file("zeros", &vec![0u8; 1 << 20])]);
            assert!(fs::metadata(&sandbox.archive).unwrap().len() < 64 * 1024);
            let result = sandbox.extract_with(Format::Tar(compression), &small_limits());
            sandbox.assert_refused(result, "past the unpacked size limit");
            assert!(!sandbox.dest.join("zeros").exists(), "{compression:?}");
        }
    }

    #[test]
    fn every_tar_compression_reports_a_truncated_stream_as_corrupt() {
        for compression in COMPRESSIONS {
            let mut bytes = tarball(compression, &[file("a", &vec![5u8; 100_000])]);
            bytes.truncate(bytes.len() / 2);
            let sandbox = tarball_sandbox(compression, &[]);
            fs::write(&sandbox.archive, bytes).unwrap();
            sandbox.assert_refused(sandbox.extract(Format::Tar(compression)), "corrupt");
        }
    }

    fn single_file_sandbox(compression: Compression, data: &[u8]) -> Sandbox {
        let name = format!(
            "tool-linux-amd64{}",
            Format::Compressed(compression).suffix(false)
        );
        let bytes = crate::archive::tests::compress(compression, data);
        Sandbox::new(&name, &bytes)
    }

    #[cfg(unix)]
    #[test]
    fn a_single_compressed_file_is_decompressed_to_the_executable() {
        for compression in COMPRESSIONS {
            let sandbox = single_file_sandbox(compression, b"#!/bin/sh\necho tool\n");
            let extracted = sandbox.extract(Format::Compressed(compression)).unwrap();
            assert_eq!(paths(&extracted), ["bitnet-install"], "{compression:?}");
            assert_eq!(sandbox.read("bitnet-install"), b"#!/bin/sh\necho tool\n");
            assert_eq!(mode_of(&sandbox.dest.join("bitnet-install")), 0o755);
            sandbox.assert_nothing_outside_dest();
        }
    }

    #[test]
    fn a_single_compressed_file_named_after_the_asset_loses_its_suffix() {
        let sandbox = single_file_sandbox(Compression::Xz, b"tool");
        let format = Format::Compressed(Compression::Xz);
        let extracted = extract(
            &sandbox.archive,
            format,
            "tool-linux-amd64.xz",
            &sandbox.dest,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(paths(&extracted), ["tool-linux-amd64"]);
    }

    #[test]
    fn a_single_compressed_file_bomb_is_stopped_at_the_limit() {
        for compression in COMPRESSIONS {
            let sandbox = single_file_sandbox(compression, &vec![0u8; 1 << 20]);
            assert!(fs::metadata(&sandbox.archive).unwrap().len() < 64 * 1024);
            let result = sandbox.extract_with(Format::Compressed(compression), &small_limits());
            sandbox.assert_refused(result, "limit of 65536 bytes");
            let written = fs::metadata(sandbox.dest.join("bitnet-install")).map_or(0, |m| m.len());
            assert!(
                written <= 64 * 1024,
                "{compression:?}: {written} bytes written"
            );
        }
    }

    #[test]
    fn a_corrupt_single_compressed_file_is_a_verification_failure() {
        for compression in COMPRESSIONS {
            let sandbox = single_file_sandbox(compression, b"");
            fs::write(&sandbox.archive, b"these bytes are not compressed").unwrap();
            let result = sandbox.extract(Format::Compressed(compression));
            sandbox.assert_refused(result, "corrupt");
        }
    }

    /// The bug this format table fixed: a `.tar.xz` was read as a bare executable
    /// and the compressed bytes were installed as the command.
    #[test]
    fn a_tar_xz_asset_is_unpacked_not_copied_as_the_command() {
        let sandbox = tarball_sandbox(Compression::Xz, &[exe("tool", b"tool")]);
        let name = sandbox.archive.file_name().unwrap().to_str().unwrap();
        let format = Format::of_asset(name).unwrap();
        assert_eq!(format, Format::Tar(Compression::Xz));
        let extracted = sandbox.extract(format).unwrap();
        assert_eq!(paths(&extracted), ["tool"]);
        assert_eq!(sandbox.read("tool"), b"tool");
        assert!(!sandbox.dest.join("bitnet-install").exists());
    }

    #[test]
    fn extract_verified_refuses_every_format_grown_after_it_was_hashed() {
        let mut sandboxes: Vec<(Sandbox, Format)> = COMPRESSIONS
            .into_iter()
            .map(|c| (single_file_sandbox(c, b"tool"), Format::Compressed(c)))
            .collect();
        sandboxes.push((zip_sandbox(&zip_with_file("t", b"tool")), Format::Zip));
        for (sandbox, format) in sandboxes {
            let mut hashed = HashedFile::open(&sandbox.archive).unwrap();
            let mut archive = fs::OpenOptions::new()
                .append(true)
                .open(&sandbox.archive)
                .unwrap();
            io::Write::write_all(&mut archive, b"appended").unwrap();
            let err = extract_verified(&mut hashed, format, "t", &sandbox.dest, &Limits::default())
                .unwrap_err();
            assert_eq!(err.exit_code(), 5, "{format:?}");
            assert!(!sandbox.dest.join("t").exists(), "{format:?}");
        }
    }
}
