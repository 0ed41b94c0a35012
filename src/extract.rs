//! Safe extraction of a verified release asset (tar.gz, zip or a bare executable)
//! into a private, empty staging directory: the archive rules of CONTRACT 2.1/2.2.
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
//!   reads by itself (long names, PAX records) cannot grow without bound.
//!
//! On error, files may remain inside `dest` (the caller deletes it), never outside.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::error::{Error, IoContext, Result};

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

/// How a release asset is packed, as told by its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    TarGz,
    Zip,
    Bare,
}

impl ArchiveKind {
    pub fn from_asset_name(name: &str) -> ArchiveKind {
        let name = name.to_ascii_lowercase();
        if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            ArchiveKind::TarGz
        } else if name.ends_with(".zip") {
            ArchiveKind::Zip
        } else {
            ArchiveKind::Bare
        }
    }
}

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
}

/// Unpack `archive` into the existing empty directory `dest`. A `Bare` asset is
/// copied to `dest/<bare_name>` with mode 0755.
pub fn extract(
    archive: &Path,
    kind: ArchiveKind,
    bare_name: &str,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted> {
    let mut staging = Staging::new(archive, dest, limits);
    match kind {
        ArchiveKind::TarGz => unpack_tar_gz(archive, &mut staging)?,
        ArchiveKind::Zip => unpack_zip(archive, &mut staging)?,
        ArchiveKind::Bare => copy_bare(archive, bare_name, &mut staging)?,
    }
    staging.finish()
}

fn unpack_tar_gz(archive: &Path, staging: &mut Staging) -> Result<()> {
    let file = File::open(archive).at("open", archive)?;
    let gz = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(BUF_SIZE, file));
    let cap = staging.limits.max_total_bytes.saturating_add(
        staging
            .limits
            .max_entries
            .saturating_add(1)
            .saturating_mul(STREAM_OVERHEAD_PER_ENTRY),
    );
    let stream = CappedStream {
        inner: gz,
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

fn unpack_zip(archive: &Path, staging: &mut Staging) -> Result<()> {
    let file = File::open(archive).at("open", archive)?;
    let mut zip = zip::ZipArchive::new(BufReader::with_capacity(BUF_SIZE, file))
        .map_err(|e| staging.corrupt("", io::Error::other(e)))?;
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

fn copy_bare(archive: &Path, bare_name: &str, staging: &mut Staging) -> Result<()> {
    if normalise_entry_name(bare_name).map(|parts| parts.len()) != Ok(1) {
        return Err(staging.refuse(bare_name, "is not a plain file name"));
    }
    staging.count_entry()?;
    let file = File::open(archive).at("open", archive)?;
    staging.add_file(
        bare_name,
        true,
        &mut BufReader::with_capacity(BUF_SIZE, file),
    )
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
    files: Vec<Vec<String>>,
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
            Error::verification(format!(
                "Refusing archive {}: entry '{name}' {rule}.",
                self.archive_name
            ))
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
        self.copy_within_budget(name, data, &mut out, &path)?;
        set_mode(&out, mode).at("set permissions of", &path)?;
        self.files.push(parts);
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

    /// Copy `data` into `out`, counting the bytes actually read against the total
    /// limit so that no header's claim matters.
    fn copy_within_budget(
        &mut self,
        name: &str,
        data: &mut dyn Read,
        out: &mut File,
        path: &Path,
    ) -> Result<()> {
        loop {
            let n = match data.read(&mut self.buf) {
                Ok(0) => return Ok(()),
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
        let mut files: Vec<PathBuf> = self
            .files
            .iter()
            .map(|parts| parts.iter().collect())
            .collect();
        files.sort();
        Ok(Extracted { files })
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
        for parts in &mut self.files {
            parts.remove(0);
        }
        for (parts, _) in &mut self.links {
            parts.remove(0);
        }
        Ok(())
    }
}

/// The components of an entry name, or the rule it breaks. `/` and `\` both
/// separate components; `.` and empty components vanish.
fn normalise_entry_name(name: &str) -> std::result::Result<Vec<String>, &'static str> {
    if name.contains('\0') {
        return Err("contains a NUL byte");
    }
    if name.starts_with(['/', '\\']) {
        return Err("is an absolute path");
    }
    if name.contains(':') {
        return Err("contains ':' (a Windows drive letter or stream name)");
    }
    let mut parts = Vec::new();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err("contains a '..' component"),
            _ if part.chars().all(|c| c == '.' || c == ' ') => {
                return Err("has a component of only dots and spaces, which Windows reads as '..'")
            }
            _ => parts.push(part.to_owned()),
        }
    }
    Ok(parts)
}

/// The target to create for a symlink at `link`, or the rule it breaks. Only
/// leading `..` components are allowed: the link's ancestors are all real
/// directories, so climbing them stays lexical, while a `..` after a name could
/// climb out of another symlink's target.
fn normalise_link_target(
    link: &[String],
    target: &str,
) -> std::result::Result<String, &'static str> {
    if target.is_empty() {
        return Err("is a symbolic link with an empty target");
    }
    if target.contains('\0') {
        return Err("is a symbolic link whose target contains a NUL byte");
    }
    if target.starts_with(['/', '\\']) || target.contains(':') {
        return Err("is a symbolic link to an absolute path");
    }
    let mut ups = 0;
    let mut rest: Vec<&str> = Vec::new();
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if rest.is_empty() => ups += 1,
            ".." => return Err("is a symbolic link whose target climbs back up after a name"),
            _ if part.chars().all(|c| c == '.' || c == ' ') => {
                return Err(
                    "is a symbolic link whose target has a component of only dots and spaces",
                )
            }
            _ => rest.push(part),
        }
    }
    if ups >= link.len() {
        return Err("is a symbolic link pointing outside the archive");
    }
    let mut parts = vec![".."; ups];
    parts.extend(rest);
    Ok(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}

/// Caps a decompressed stream, remembering that the cap was hit so the error can
/// say so rather than "corrupt".
struct CappedStream<R> {
    inner: R,
    remaining: u64,
    hit: Rc<Cell<bool>>,
}

impl<R: Read> Read for CappedStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.hit.set(true);
            return Err(io::Error::other(
                "decompressed archive exceeds its size cap",
            ));
        }
        let max = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn create_new_file(path: &Path, mode: u32) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

#[cfg(not(unix))]
fn create_new_file(path: &Path, _mode: u32) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Set the exact mode on the open file, whatever the umask did.
#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn create_dir_0755(path: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new()
        .mode(0o755)
        .create(path)
        .at("create directory", path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).at("set permissions of", path)
}

#[cfg(not(unix))]
fn create_dir_0755(path: &Path) -> Result<()> {
    fs::create_dir(path).at("create directory", path)
}

#[cfg(unix)]
fn create_symlink(target: &str, path: &Path) -> Result<()> {
    std::os::unix::fs::symlink(target, path).at("create symbolic link", path)
}

#[cfg(not(unix))]
fn create_symlink(_target: &str, path: &Path) -> Result<()> {
    Err(Error::local(
        "create symbolic link",
        path,
        "archives with symbolic links are not supported on this platform",
        "ask the publisher for an archive without symbolic links.",
    ))
}
