//! Which C library the system has (glibc and its version, musl), read from the files
//! of the dynamic loader under a root directory, and which Linux builds that admits.
//!
//! The system's glibc is read from `libc.so.6` itself (its `libc-X.Y.so` symlink name
//! on old systems, else the "release version X.Y" banner inside it), not from
//! `gnu_get_libc_version()`: a statically linked installer would report the glibc it
//! was built with. That call is only a fallback, for a dynamically linked gnu build.

use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LibcFacts {
    /// A glibc `libc.so.6` was found.
    pub glibc: bool,
    /// Its version, e.g. "2.36", when it could be read.
    pub glibc_version: Option<String>,
    /// A musl loader (`/lib/ld-musl-*.so.1`) was found.
    pub musl: bool,
}

/// The libc decision: what to report and which Linux builds to try, best first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibcChoice {
    pub libc: Option<&'static str>,
    pub version: Option<String>,
    pub usable: Vec<&'static str>,
}

/// gnu builds need glibc; musl builds are static and run everywhere, so they are the
/// fallback on glibc systems and the only choice on musl or when no glibc was found.
pub fn decide(facts: &LibcFacts) -> LibcChoice {
    if facts.glibc {
        LibcChoice {
            libc: Some("gnu"),
            version: facts.glibc_version.clone(),
            usable: vec!["gnu", "musl"],
        }
    } else {
        LibcChoice {
            libc: facts.musl.then_some("musl"),
            version: None,
            usable: vec!["musl"],
        }
    }
}

/// Whether a gnu build made against glibc `required` runs on a system with `have`
/// (unknown system version: assume it does, as the issue asks).
pub fn glibc_satisfies(have: Option<&str>, required: &str) -> bool {
    match (have.and_then(parse_version), parse_version(required)) {
        (Some(have), Some(required)) => have >= required,
        _ => true,
    }
}

fn parse_version(v: &str) -> Option<(u32, u32)> {
    let mut parts = v.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    Some((major, minor))
}

/// The directories where distributions keep `libc.so.6` and the loaders.
fn library_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for base in ["lib", "lib64", "usr/lib", "usr/lib64", "lib32"] {
        let dir = root.join(base);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            // Debian's multiarch directories: lib/x86_64-linux-gnu and friends.
            dirs.extend(
                entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_name().to_string_lossy().contains("-linux-gnu"))
                    .map(|e| e.path()),
            );
        }
        dirs.push(dir);
    }
    dirs
}

/// Reads the libc facts of the system rooted at `root` (`/` for this machine).
pub fn read(root: &Path) -> LibcFacts {
    let libc_so = library_dirs(root)
        .into_iter()
        .map(|d| d.join("libc.so.6"))
        .find(|p| p.exists());
    let glibc_version = libc_so
        .as_deref()
        .and_then(glibc_version_of)
        .or_else(process_glibc_version);
    LibcFacts {
        glibc: libc_so.is_some(),
        glibc_version: libc_so.as_ref().and(glibc_version),
        musl: has_musl_loader(&root.join("lib")),
    }
}

fn has_musl_loader(lib: &Path) -> bool {
    std::fs::read_dir(lib).is_ok_and(|entries| {
        entries.filter_map(|e| e.ok()).any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("ld-musl-") && name.ends_with(".so.1")
        })
    })
}

/// The version of the glibc at `libc_so`: old glibc links `libc.so.6 -> libc-2.31.so`,
/// every glibc carries "release version 2.36." in its banner string.
pub fn glibc_version_of(libc_so: &Path) -> Option<String> {
    if let Ok(target) = std::fs::read_link(libc_so) {
        let name = target.file_name()?.to_string_lossy().into_owned();
        if let Some(v) = name
            .strip_prefix("libc-")
            .and_then(|n| n.strip_suffix(".so"))
        {
            return Some(v.to_string());
        }
    }
    version_after_banner(std::fs::File::open(libc_so).ok()?)
}

/// The banner is 1.7 MB into a 1.9 MB `libc.so.6`: read in chunks into one
/// buffer and searched with memchr's `memmem`, the file costs half a
/// millisecond instead of three (read whole and searched window by window).
fn version_after_banner(mut file: impl Read) -> Option<String> {
    const NEEDLE: &[u8] = b"release version ";
    // The needle and the longest version after it; each chunk starts with
    // the previous one's last OVERLAP bytes, so a banner cut by a read is
    // found whole in the next chunk.
    const OVERLAP: usize = NEEDLE.len() + 16;
    let finder = memchr::memmem::Finder::new(NEEDLE);
    let mut buf = vec![0u8; 64 * 1024];
    let mut kept = 0;
    loop {
        let n = file.read(&mut buf[kept..]).ok()?;
        let end = kept + n;
        let whole = finder
            .find(&buf[..end])
            .filter(|&at| n == 0 || at + OVERLAP <= end);
        if let Some(at) = whole {
            return version_at(&buf[at + NEEDLE.len()..end]);
        }
        if n == 0 {
            return None;
        }
        kept = OVERLAP.min(end);
        buf.copy_within(end - kept..end, 0);
    }
}

fn version_at(bytes: &[u8]) -> Option<String> {
    let version: String = bytes
        .iter()
        .take(16)
        .map(|&b| b as char)
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let version = version.trim_end_matches('.');
    parse_version(version).map(|_| version.to_string())
}

/// The glibc this process runs on; only meaningful when dynamically linked.
#[cfg(all(
    target_os = "linux",
    target_env = "gnu",
    not(target_feature = "crt-static")
))]
fn process_glibc_version() -> Option<String> {
    // SAFETY: gnu_get_libc_version returns a pointer to a static NUL-terminated string.
    let v = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) };
    v.to_str().ok().map(str::to_string)
}

#[cfg(not(all(
    target_os = "linux",
    target_env = "gnu",
    not(target_feature = "crt-static")
)))]
fn process_glibc_version() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sysroot() -> tempfile::TempDir {
        tempfile::tempdir().expect("temp dir")
    }

    #[test]
    fn reads_glibc_version_from_the_banner_in_a_multiarch_dir() {
        let root = sysroot();
        let dir = root.path().join("lib/x86_64-linux-gnu");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("libc.so.6"),
            b"\x7fELF...GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36.\n",
        )
        .unwrap();
        let facts = read(root.path());
        assert_eq!(
            facts,
            LibcFacts {
                glibc: true,
                glibc_version: Some("2.36".into()),
                musl: false
            }
        );
    }

    #[test]
    fn finds_a_banner_cut_by_any_read_and_nothing_in_a_file_without_one() {
        let banner = b"stable release version 2.36.\n";
        for at in (64 * 1024 - 40)..(64 * 1024 + 4) {
            let mut bytes = vec![0u8; at];
            bytes.extend_from_slice(banner);
            bytes.extend_from_slice(&[0u8; 100]);
            let version = version_after_banner(std::io::Cursor::new(&bytes));
            assert_eq!(version.as_deref(), Some("2.36"), "banner at {at}");
        }
        let at_the_very_end = [&[0u8; 70_000][..], b"release version 2.17"].concat();
        assert_eq!(
            version_after_banner(std::io::Cursor::new(at_the_very_end)).as_deref(),
            Some("2.17")
        );
        assert_eq!(
            version_after_banner(std::io::Cursor::new(vec![7u8; 200_000])),
            None
        );
    }

    #[cfg(unix)]
    #[test]
    fn reads_old_glibc_version_from_the_symlink_name() {
        let root = sysroot();
        let dir = root.path().join("lib64");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("libc-2.17.so"), b"no banner").unwrap();
        std::os::unix::fs::symlink("libc-2.17.so", dir.join("libc.so.6")).unwrap();
        assert_eq!(read(root.path()).glibc_version.as_deref(), Some("2.17"));
    }

    #[test]
    fn finds_musl_by_its_loader() {
        let root = sysroot();
        std::fs::create_dir_all(root.path().join("lib")).unwrap();
        std::fs::write(root.path().join("lib/ld-musl-x86_64.so.1"), b"").unwrap();
        let facts = read(root.path());
        assert!(facts.musl && !facts.glibc);
        assert_eq!(decide(&facts).usable, ["musl"]);
        assert_eq!(decide(&facts).libc, Some("musl"));
    }

    #[test]
    fn no_libc_found_falls_back_to_musl_builds() {
        let root = sysroot();
        let choice = decide(&read(root.path()));
        assert_eq!(choice.libc, None);
        assert_eq!(choice.usable, ["musl"]);
    }

    #[test]
    fn glibc_versions_compare_numerically() {
        assert!(glibc_satisfies(Some("2.36"), "2.28"));
        assert!(!glibc_satisfies(Some("2.17"), "2.28"));
        assert!(glibc_satisfies(Some("2.10"), "2.9"));
        assert!(glibc_satisfies(None, "2.28"));
    }

    #[test]
    fn this_machine_has_a_readable_glibc() {
        if Path::new("/lib/x86_64-linux-gnu/libc.so.6").exists() {
            let facts = read(Path::new("/"));
            assert!(facts.glibc);
            assert!(facts.glibc_version.is_some_and(|v| v.starts_with("2.")));
        }
    }
}
