//! How a release asset is packed: `Format::read_name` tells it from the file name and
//! `Compression::decoder` opens the bytes. Selection, extraction and the publisher all
//! ask here, so a format that extraction cannot open is never chosen.

use std::fmt;
use std::io::{self, BufRead, Read};

use crate::error::{Error, Result};

/// A compression over a tar stream or over a single file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}

/// How an asset is packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A tar stream under a compression (`.tar.gz`, `.txz`, ...).
    Tar(Compression),
    Zip,
    /// One compressed executable (`tool.gz`): the file is its name without the suffix.
    Compressed(Compression),
    /// An executable as it is: no extension, `.exe` or `.AppImage`.
    Bare,
}

/// Why a name is nothing we install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotInstallable {
    /// A system package or installer (`.deb`, `.msi`, ...), with its suffix.
    Package(&'static str),
    /// A checksum, signature, text or metadata file.
    SideFile,
    /// An archive or file type no decoder here opens (`.7z`, `.rar`, ...).
    Unsupported(&'static str),
}

impl fmt::Display for NotInstallable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotInstallable::Package(ext) => write!(f, "a package ({ext}), not an archive"),
            NotInstallable::SideFile => f.write_str("a checksum, signature or metadata file"),
            NotInstallable::Unsupported(ext) => write!(f, "an unsupported file type ({ext})"),
        }
    }
}

use Compression::{Bzip2, Gzip, Xz, Zstd};

/// Checked before anything else: `.pkg.tar.zst` is an Arch Linux package, not a tarball.
const PACKAGES: &[&str] = &[
    ".deb",
    ".rpm",
    ".msi",
    ".pkg",
    ".dmg",
    ".apk",
    ".msix",
    ".appx",
    ".snap",
    ".flatpak",
    ".nupkg",
    ".whl",
    ".vsix",
    ".jar",
    ".pkg.tar.zst",
    ".pkg.tar.xz",
    ".ipa",
    ".xpi",
];

/// Checked before the formats: `x.tar.gz.sha256` is a checksum.
const SIDE_FILES: &[&str] = &[
    ".sha256",
    ".sha256sum",
    ".sha512",
    ".sha512sum",
    ".sha1",
    ".md5",
    ".sig",
    ".asc",
    ".minisig",
    ".pem",
    ".crt",
    ".cert",
    ".sbom",
    ".spdx",
    ".spdx.json",
    ".cdx.json",
    ".cyclonedx.json",
    ".intoto.jsonl",
    ".json",
    ".txt",
    ".yml",
    ".yaml",
    ".b3",
    ".bundle",
    ".pub",
    ".sh",
    ".ps1",
    ".md",
    ".d.ts",
    ".html",
    ".pdb",
    ".sum",
    ".zsync",
];

/// Whole names (lower case) of side files that carry no extension.
const SIDE_FILE_NAMES: &[&str] = &[
    "sha256sums",
    "sha512sums",
    "checksums",
    "license",
    "readme",
    "copying",
    "notice",
    "changelog",
];

/// Every suffix we can open, longest first where one ends another.
const FORMATS: &[(&str, Format)] = &[
    (".tar.gz", Format::Tar(Gzip)),
    (".tgz", Format::Tar(Gzip)),
    (".tar.xz", Format::Tar(Xz)),
    (".txz", Format::Tar(Xz)),
    (".tar.zst", Format::Tar(Zstd)),
    (".tzst", Format::Tar(Zstd)),
    (".tar.bz2", Format::Tar(Bzip2)),
    (".tbz2", Format::Tar(Bzip2)),
    (".tbz", Format::Tar(Bzip2)),
    (".zip", Format::Zip),
    (".gz", Format::Compressed(Gzip)),
    (".xz", Format::Compressed(Xz)),
    (".zst", Format::Compressed(Zstd)),
    (".bz2", Format::Compressed(Bzip2)),
    (".exe", Format::Bare),
    (".appimage", Format::Bare),
];

/// Archive and file types that look installable but that nothing here opens.
const UNSUPPORTED: &[&str] = &[
    ".7z",
    ".rar",
    ".tar",
    ".tar.lz",
    ".tar.lz4",
    ".tar.lzma",
    ".tar.z",
    ".lz",
    ".lz4",
    ".lzma",
    ".z",
    ".zipx",
    ".br",
    ".cab",
    ".iso",
    ".img",
    ".xar",
    ".cpio",
    ".a",
    ".so",
    ".dll",
    ".dylib",
    ".lib",
];

fn ends_with_ignore_case(name: &str, suffix: &str) -> bool {
    name.len() >= suffix.len()
        && name.is_char_boundary(name.len() - suffix.len())
        && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

impl Format {
    /// The format of the asset `name` and the name without the format's suffix, or
    /// why it is nothing to install. Case does not matter.
    pub fn read_name(name: &str) -> std::result::Result<(Format, &str), NotInstallable> {
        if let Some(ext) = PACKAGES.iter().find(|e| ends_with_ignore_case(name, e)) {
            return Err(NotInstallable::Package(ext));
        }
        let is_side_file = SIDE_FILES.iter().any(|e| ends_with_ignore_case(name, e))
            || SIDE_FILE_NAMES.iter().any(|n| name.eq_ignore_ascii_case(n));
        if is_side_file {
            return Err(NotInstallable::SideFile);
        }
        if let Some((ext, format)) = FORMATS.iter().find(|(e, _)| ends_with_ignore_case(name, e)) {
            return Ok((*format, &name[..name.len() - ext.len()]));
        }
        if let Some(ext) = UNSUPPORTED.iter().find(|e| ends_with_ignore_case(name, e)) {
            return Err(NotInstallable::Unsupported(ext));
        }
        Ok((Format::Bare, name))
    }

    /// The format of the asset `name`, if it is something we install.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::read_name(name).ok().map(|(format, _)| format)
    }

    /// `from_name` for an asset about to be unpacked: one that selection would never
    /// have chosen is refused with a clear error.
    pub fn of_asset(name: &str) -> Result<Format> {
        Format::read_name(name)
            .map(|(format, _)| format)
            .map_err(|why| {
                Error::other(
                    format!("{name} is {why}, which bitnet-install cannot unpack"),
                    "pick an asset that is a .tar.gz, .tar.xz, .tar.zst, .tar.bz2, .zip, a single compressed file or a bare executable.",
                )
            })
    }

    /// The usual suffix of an asset of this format for a target (`.exe` for a bare
    /// Windows executable): what the publisher names its assets with.
    pub fn suffix(self, windows: bool) -> &'static str {
        match self {
            Format::Tar(c) => c.tar_suffix(),
            Format::Zip => ".zip",
            Format::Compressed(c) => c.suffix(),
            Format::Bare if windows => ".exe",
            Format::Bare => "",
        }
    }

    /// Lower is better: the platform's usual archive (zip on Windows, tar.gz
    /// elsewhere), the other one, other tarballs, a single compressed file (a
    /// smaller download of the same bytes), then a bare executable.
    pub fn preference(self, os: &str) -> u32 {
        match (self, os == "windows") {
            (Format::Zip, true) | (Format::Tar(Gzip), false) => 0,
            (Format::Zip, false) | (Format::Tar(Gzip), true) => 1,
            (Format::Tar(_), _) => 2,
            (Format::Compressed(_), _) => 3,
            (Format::Bare, _) => 4,
        }
    }

    /// The name of the one file a `Compressed` asset holds, given the name it would
    /// have as an asset or as a command: the compression suffix is dropped.
    pub fn unpacked_name(self, name: &str) -> &str {
        match self {
            Format::Compressed(c) if ends_with_ignore_case(name, c.suffix()) => {
                &name[..name.len() - c.suffix().len()]
            }
            _ => name,
        }
    }
}

/// The largest xz dictionary accepted: `xz -9` uses 64 MiB; more is a memory bomb.
const XZ_MEMORY_LIMIT_KIB: u32 = 256 * 1024;

impl Compression {
    fn suffix(self) -> &'static str {
        match self {
            Gzip => ".gz",
            Xz => ".xz",
            Zstd => ".zst",
            Bzip2 => ".bz2",
        }
    }

    fn tar_suffix(self) -> &'static str {
        match self {
            Gzip => ".tar.gz",
            Xz => ".tar.xz",
            Zstd => ".tar.zst",
            Bzip2 => ".tar.bz2",
        }
    }

    /// A reader of the decompressed bytes. Concatenated streams (`pigz`, `pxz`,
    /// `pzstd`, `pbzip2`) are read to the end, not just the first one.
    pub fn decoder<'a, R: BufRead + 'a>(self, compressed: R) -> Box<dyn Read + 'a> {
        match self {
            Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(compressed)),
            Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
                compressed,
                true,
                XZ_MEMORY_LIMIT_KIB,
            )),
            Zstd => Box::new(ZstdFrames::new(compressed)),
            Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(compressed)),
        }
    }
}

/// Every zstd frame of a stream, skippable frames skipped (ruzstd's
/// `StreamingDecoder` reads only the first frame).
struct ZstdFrames<R> {
    source: R,
    frame: ruzstd::decoding::FrameDecoder,
    in_frame: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(source: R) -> Self {
        ZstdFrames {
            source,
            frame: ruzstd::decoding::FrameDecoder::new(),
            in_frame: false,
        }
    }

    /// Start the next frame; false at the end of the input.
    fn next_frame(&mut self) -> io::Result<bool> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        loop {
            if self.source.fill_buf()?.is_empty() {
                return Ok(false);
            }
            match self.frame.init(&mut self.source) {
                Ok(()) => return Ok(true),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let length = u64::from(length);
                    let skipped = io::copy(&mut (&mut self.source).take(length), &mut io::sink())?;
                    if skipped != length {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                }
                Err(e) => return Err(io::Error::other(e)),
            }
        }
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::BlockDecodingStrategy;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if !self.next_frame()? {
                    return Ok(0);
                }
                self.in_frame = true;
            }
            while self.frame.can_collect() == 0 && !self.frame.is_finished() {
                self.frame
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBlocks(1))
                    .map_err(io::Error::other)?;
            }
            match self.frame.read(buf)? {
                0 => self.in_frame = false,
                n => return Ok(n),
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    fn format(name: &str) -> Option<Format> {
        Format::from_name(name)
    }

    #[test]
    fn tarballs_of_every_compression_are_read_by_suffix() {
        let cases = [
            ("x.tar.gz", Gzip),
            ("x.TGZ", Gzip),
            ("x.tar.xz", Xz),
            ("x.txz", Xz),
            ("x.tar.zst", Zstd),
            ("x.tzst", Zstd),
            ("x.tar.bz2", Bzip2),
            ("x.tbz", Bzip2),
            ("x.tbz2", Bzip2),
        ];
        for (name, compression) in cases {
            assert_eq!(format(name), Some(Format::Tar(compression)), "{name}");
        }
        assert_eq!(format("tool-linux.zip"), Some(Format::Zip));
    }

    #[test]
    fn a_compressed_tarball_is_never_a_bare_executable() {
        for name in ["x.tar.xz", "x.tar.zst", "x.tar.bz2", "x.txz"] {
            assert_ne!(format(name), Some(Format::Bare), "{name}");
        }
    }

    #[test]
    fn single_compressed_files_keep_their_stem() {
        for (name, compression) in [
            ("tool-linux-amd64.gz", Gzip),
            ("tool-linux-amd64.xz", Xz),
            ("tool-linux-amd64.zst", Zstd),
            ("tool-linux-amd64.bz2", Bzip2),
        ] {
            assert_eq!(
                Format::read_name(name),
                Ok((Format::Compressed(compression), "tool-linux-amd64"))
            );
            let format = Format::Compressed(compression);
            assert_eq!(format.unpacked_name(name), "tool-linux-amd64");
            assert_eq!(format.unpacked_name("tool"), "tool");
        }
    }

    #[test]
    fn bare_executables_have_no_extension_or_exe() {
        for name in [
            "bitnet-install-0.1.0-x86_64-unknown-linux-musl",
            "tool.exe",
            "tool-x86_64.AppImage",
            "tool_v1.2",
        ] {
            assert_eq!(format(name), Some(Format::Bare), "{name}");
        }
        assert_eq!(Format::read_name("tool.EXE"), Ok((Format::Bare, "tool")));
    }

    #[test]
    fn packages_side_files_and_unknown_archives_are_not_installable() {
        for name in [
            "x.deb",
            "x.rpm",
            "x.msi",
            "x.pkg",
            "x.dmg",
            "x-1-x86_64.pkg.tar.zst",
        ] {
            assert!(
                matches!(Format::read_name(name), Err(NotInstallable::Package(_))),
                "{name}"
            );
        }
        for name in [
            "x.tar.gz.sha256",
            "x.sig",
            "x.minisig",
            "x.asc",
            "notes.txt",
            "x.json",
            "SHA256SUMS",
            "LICENSE",
        ] {
            assert_eq!(
                Format::read_name(name),
                Err(NotInstallable::SideFile),
                "{name}"
            );
        }
        for name in ["x.7z", "x.rar", "x.tar", "x.tar.lz", "x.lz4"] {
            assert!(
                matches!(Format::read_name(name), Err(NotInstallable::Unsupported(_))),
                "{name}"
            );
        }
        let err = Format::of_asset("x.7z").unwrap_err();
        assert!(err.to_string().contains("cannot unpack"), "{err}");
    }

    #[test]
    fn the_usual_archive_of_the_platform_is_preferred() {
        let linux = |f: Format| f.preference("linux");
        let windows = |f: Format| f.preference("windows");
        assert!(linux(Format::Tar(Gzip)) < linux(Format::Zip));
        assert!(linux(Format::Zip) < linux(Format::Tar(Xz)));
        assert!(linux(Format::Tar(Zstd)) < linux(Format::Compressed(Gzip)));
        assert!(linux(Format::Compressed(Gzip)) < linux(Format::Bare));
        assert!(windows(Format::Zip) < windows(Format::Tar(Gzip)));
    }

    #[test]
    fn every_suffix_reads_back_as_its_format() {
        let all = [Gzip, Xz, Zstd, Bzip2]
            .iter()
            .flat_map(|c| [Format::Tar(*c), Format::Compressed(*c)])
            .chain([Format::Zip]);
        for format in all {
            let name = format!("tool{}", format.suffix(false));
            assert_eq!(Format::read_name(&name), Ok((format, "tool")), "{name}");
        }
        assert_eq!(Format::Bare.suffix(true), ".exe");
        assert_eq!(Format::Bare.suffix(false), "");
    }

    fn decode(compression: Compression, bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        compression.decoder(bytes).read_to_end(&mut out)?;
        Ok(out)
    }

    /// `data` compressed the way a publisher would.
    pub(crate) fn compress(compression: Compression, data: &[u8]) -> Vec<u8> {
        match compression {
            Gzip => {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(data).unwrap();
                gz.finish().unwrap()
            }
            Xz => {
                let options = lzma_rust2::XzOptions::with_preset(1);
                let mut xz = lzma_rust2::XzWriter::new(Vec::new(), options).unwrap();
                xz.write_all(data).unwrap();
                xz.finish().unwrap()
            }
            Zstd => {
                ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
            }
            Bzip2 => {
                let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
                bz.write_all(data).unwrap();
                bz.finish().unwrap()
            }
        }
    }

    #[test]
    fn every_compression_round_trips_including_concatenated_streams() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        for compression in [Gzip, Xz, Zstd, Bzip2] {
            let once = compress(compression, &data);
            assert_eq!(decode(compression, &once).unwrap(), data, "{compression:?}");
            let twice = [once.clone(), compress(compression, b"tail")].concat();
            let expected = [data.as_slice(), b"tail"].concat();
            assert_eq!(
                decode(compression, &twice).unwrap(),
                expected,
                "{compression:?}"
            );
        }
    }

    #[test]
    fn zstd_skippable_frames_are_skipped() {
        let mut bytes = 0x184D_2A50u32.to_le_bytes().to_vec();
        bytes.extend(4u32.to_le_bytes());
        bytes.extend(b"meta");
        bytes.extend(compress(Zstd, b"payload"));
        assert_eq!(decode(Zstd, &bytes).unwrap(), b"payload");
    }

    #[test]
    fn truncated_or_garbage_streams_are_errors() {
        let data = vec![7u8; 100_000];
        for compression in [Gzip, Xz, Zstd, Bzip2] {
            let bytes = compress(compression, &data);
            let truncated = &bytes[..bytes.len() / 2];
            assert!(decode(compression, truncated).is_err(), "{compression:?}");
            assert!(
                decode(compression, b"not compressed at all").is_err(),
                "{compression:?}"
            );
        }
    }
}
