//! Packaging built files into one release asset named `<P>-<V>-<target>[-<variant>]`
//! (CONTRACT 2.1): a tar.gz or zip with the files at its root, or a bare executable.
//! Archives are reproducible: fixed timestamps and owners, entries sorted by name.

use std::fs::{self, File};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};

use super::atomic::{self, Mode, Replace};
use super::names;
use crate::archive::{Compression, Format};
use crate::chunked_gzip;
use crate::error::{Error, IoContext, Result};

/// What kind of asset to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageFormat {
    TarGz,
    Zip,
    /// A single executable, copied as the asset itself (how bitnet-install ships).
    Bare,
}

impl PackageFormat {
    /// The `archive::Format` this writes, which names the asset and unpacks it.
    pub fn archive_format(self) -> Format {
        match self {
            PackageFormat::TarGz => Format::Tar(Compression::Gzip),
            PackageFormat::Zip => Format::Zip,
            PackageFormat::Bare => Format::Bare,
        }
    }

    /// zip for Windows targets, tar.gz for the others.
    pub fn default_for(target: &str) -> Self {
        if is_windows(target) {
            PackageFormat::Zip
        } else {
            PackageFormat::TarGz
        }
    }
}

/// One asset to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageRequest {
    pub product: String,
    pub version: String,
    pub target: String,
    pub variant: Option<String>,
    pub format: PackageFormat,
}

/// The file name of the asset `request` describes.
pub fn asset_name(request: &PackageRequest) -> Result<String> {
    let product = names::product(&request.product)?;
    let version = names::version(&request.version)?;
    let target = names::target(&request.target)?;
    let mut name = format!("{product}-{version}-{target}");
    if let Some(variant) = &request.variant {
        name.push('-');
        name.push_str(names::variant(variant)?);
    }
    name.push_str(request.format.archive_format().suffix(is_windows(target)));
    Ok(name)
}

/// Build the asset from `files` into `out_dir` and return its path.
pub fn package(request: &PackageRequest, files: &[PathBuf], out_dir: &Path) -> Result<PathBuf> {
    let name = asset_name(request)?;
    let entries = entries(files)?;
    if request.format == PackageFormat::Bare && entries.len() != 1 {
        return Err(Error::usage(
            format!(
                "a bare asset is one executable, but {} files were given",
                entries.len()
            ),
            "give exactly one file with --bare, or drop --bare to build an archive.",
        ));
    }
    fs::create_dir_all(out_dir).at("create directory", out_dir)?;
    let path = out_dir.join(name);
    match request.format {
        PackageFormat::TarGz => atomic::write_with(&path, Mode::Public, Replace::Allow, |f| {
            write_tar_gz(f, &entries, out_dir)
        })?,
        PackageFormat::Zip => atomic::write_with(&path, Mode::Public, Replace::Allow, |f| {
            write_zip(f, &entries)
        })?,
        PackageFormat::Bare => atomic::write_with(&path, Mode::Executable, Replace::Allow, |f| {
            io::copy(&mut File::open(&entries[0].source)?, f).map(drop)
        })?,
    }
    Ok(path)
}

/// A file to put in the archive, under its own base name.
struct Entry {
    source: PathBuf,
    name: String,
    executable: bool,
}

/// The entries for `files`, sorted by name; two files with the same base name, or
/// anything that is not a regular file, are refused.
fn entries(files: &[PathBuf]) -> Result<Vec<Entry>> {
    if files.is_empty() {
        return Err(Error::usage(
            "no files to package",
            "list the built executables (and any README or LICENSE) after the options.",
        ));
    }
    let mut entries = Vec::with_capacity(files.len());
    for source in files {
        let metadata = fs::metadata(source).at("read", source)?;
        if !metadata.is_file() {
            return Err(Error::usage(
                format!("{} is not a regular file", source.display()),
                "package files only; an archive holds its files at its root.",
            ));
        }
        let name = source
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| {
                Error::usage(
                    format!("{} has no UTF-8 file name", source.display()),
                    "rename the file to a plain name.",
                )
            })?
            .to_string();
        entries.push(Entry {
            executable: is_executable(&name, &metadata),
            source: source.clone(),
            name,
        });
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(pair) = entries.windows(2).find(|pair| pair[0].name == pair[1].name) {
        return Err(Error::usage(
            format!("two files are named {:?}", pair[0].name),
            "an archive holds its files at its root, so their names must differ.",
        ));
    }
    Ok(entries)
}

fn is_executable(name: &str, metadata: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = name;
        metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        name.ends_with(".exe")
    }
}

fn entry_mode(entry: &Entry) -> u32 {
    if entry.executable {
        0o755
    } else {
        0o644
    }
}

fn is_windows(target: &str) -> bool {
    target.contains("-windows")
}

/// A tar of `entries`, as a chunked gzip (`chunked_gzip`): any gzip reader
/// reads it, and bitnet-install inflates it on every core. The tar is built
/// uncompressed in `scratch_dir` first, because the gzip header lists the
/// chunks' sizes.
fn write_tar_gz(out: &mut File, entries: &[Entry], scratch_dir: &Path) -> io::Result<()> {
    let mut tar = tar::Builder::new(tempfile::tempfile_in(scratch_dir)?);
    for entry in entries {
        let mut file = File::open(&entry.source)?;
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(file.metadata()?.len());
        header.set_mode(entry_mode(entry));
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        tar.append_data(&mut header, &entry.name, &mut file)?;
    }
    let mut plain = tar.into_inner()?;
    plain.rewind()?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    chunked_gzip::write(out, &mut plain, threads)?;
    out.flush()
}

fn write_zip(out: &mut File, entries: &[Entry]) -> io::Result<()> {
    let mut zip = zip::ZipWriter::new(out);
    for entry in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(entry_mode(entry));
        zip.start_file(entry.name.as_str(), options)
            .map_err(io::Error::other)?;
        io::copy(&mut File::open(&entry.source)?, &mut zip)?;
    }
    zip.finish().map_err(io::Error::other)?.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str, variant: Option<&str>, format: PackageFormat) -> PackageRequest {
        PackageRequest {
            product: "bitnet".into(),
            version: "0.3.2".into(),
            target: target.into(),
            variant: variant.map(Into::into),
            format,
        }
    }

    #[test]
    fn asset_names_follow_the_contract() {
        let cases = [
            (
                request("x86_64-unknown-linux-gnu", None, PackageFormat::TarGz),
                "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz",
            ),
            (
                request(
                    "x86_64-unknown-linux-gnu",
                    Some("avx2"),
                    PackageFormat::TarGz,
                ),
                "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx2.tar.gz",
            ),
            (
                request("x86_64-pc-windows-msvc", Some("cuda12"), PackageFormat::Zip),
                "bitnet-0.3.2-x86_64-pc-windows-msvc-cuda12.zip",
            ),
            (
                request("x86_64-pc-windows-msvc", None, PackageFormat::Bare),
                "bitnet-0.3.2-x86_64-pc-windows-msvc.exe",
            ),
            (
                request("aarch64-apple-darwin", None, PackageFormat::Bare),
                "bitnet-0.3.2-aarch64-apple-darwin",
            ),
        ];
        for (request, expected) in cases {
            assert_eq!(asset_name(&request).unwrap(), expected);
            assert_eq!(
                Format::from_name(expected),
                Some(request.format.archive_format()),
                "extraction reads {expected} as what was written"
            );
        }
    }

    #[test]
    fn tarballs_are_chunked_gzip_that_a_single_member_reader_reads_whole() {
        let dir = tempfile::tempdir().unwrap();
        // Large enough for several chunks.
        let tool: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(dir.path().join("tool"), &tool).unwrap();
        let tar = request("x86_64-unknown-linux-gnu", None, PackageFormat::TarGz);
        let path = package(&tar, &[dir.path().join("tool")], &dir.path().join("out")).unwrap();
        let bytes = fs::read(path).unwrap();
        let index = chunked_gzip::ChunkIndex::parse(&bytes).expect("a chunk index");
        assert!(index.compressed.len() > 1);
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        let mut entry = archive.entries().unwrap().next().unwrap().unwrap();
        let mut unpacked = Vec::new();
        io::Read::read_to_end(&mut entry, &mut unpacked).unwrap();
        assert_eq!(unpacked, tool);
    }

    #[test]
    fn windows_targets_default_to_zip() {
        assert_eq!(
            PackageFormat::default_for("aarch64-pc-windows-msvc"),
            PackageFormat::Zip
        );
        assert_eq!(
            PackageFormat::default_for("x86_64-pc-windows-gnu"),
            PackageFormat::Zip
        );
        assert_eq!(
            PackageFormat::default_for("x86_64-unknown-linux-musl"),
            PackageFormat::TarGz
        );
    }

    #[test]
    fn duplicate_names_and_bare_with_two_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("a")).unwrap();
        fs::write(dir.path().join("a/tool"), "1").unwrap();
        fs::write(dir.path().join("tool"), "2").unwrap();
        fs::write(dir.path().join("other"), "3").unwrap();
        let out = dir.path().join("out");
        let tar = request("x86_64-unknown-linux-gnu", None, PackageFormat::TarGz);
        let dup = [dir.path().join("a/tool"), dir.path().join("tool")];
        assert_eq!(package(&tar, &dup, &out).unwrap_err().exit_code(), 2);
        let bare = request("x86_64-unknown-linux-gnu", None, PackageFormat::Bare);
        let two = [dir.path().join("tool"), dir.path().join("other")];
        assert_eq!(package(&bare, &two, &out).unwrap_err().exit_code(), 2);
        assert_eq!(package(&bare, &[], &out).unwrap_err().exit_code(), 2);
        assert!(!out.exists());
    }

    #[test]
    fn archives_do_not_depend_on_the_source_files_timestamps() {
        let dir = tempfile::tempdir().unwrap();
        let files = [dir.path().join("bitnet-cli")];
        fs::write(&files[0], "binary").unwrap();
        for format in [PackageFormat::TarGz, PackageFormat::Zip] {
            let req = request("x86_64-unknown-linux-gnu", None, format);
            let first = fs::read(package(&req, &files, &dir.path().join("one")).unwrap()).unwrap();
            let later = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
            let file = File::options().write(true).open(&files[0]).unwrap();
            file.set_modified(later).unwrap();
            let second = fs::read(package(&req, &files, &dir.path().join("two")).unwrap()).unwrap();
            assert_eq!(first, second, "{format:?}");
        }
    }
}
