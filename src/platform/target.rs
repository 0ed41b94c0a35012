//! Target triples: the ones `--target` accepts, what each says about OS, architecture
//! and libc, and the ordered list of targets a platform can run (best first).

/// Every triple `--target` accepts. `universal-apple-darwin` is cargo-dist's fat binary.
pub const KNOWN_TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-gnu",
    "aarch64-unknown-linux-musl",
    "i686-unknown-linux-gnu",
    "i686-unknown-linux-musl",
    "armv7-unknown-linux-gnueabihf",
    "armv7-unknown-linux-musleabihf",
    "arm-unknown-linux-gnueabihf",
    "arm-unknown-linux-musleabihf",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "universal-apple-darwin",
    "x86_64-pc-windows-msvc",
    "x86_64-pc-windows-gnu",
    "aarch64-pc-windows-msvc",
    "i686-pc-windows-msvc",
    "i686-pc-windows-gnu",
];

/// What a triple says, in the vocabulary of `Platform`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetParts {
    pub arch: &'static str,
    pub os: &'static str,
    /// `gnu`/`musl` on Linux, `msvc`/`gnu` on Windows, `None` on macOS.
    pub env: Option<&'static str>,
}

/// Splits any triple-shaped string (not only the known ones, so a release's
/// `riscv64gc-unknown-linux-gnu` can be named in a rejection); `None` if it is not one.
pub fn parse_target(triple: &str) -> Option<TargetParts> {
    let parts: Vec<&str> = triple.split('-').collect();
    if parts.len() < 3 {
        return None;
    }
    let arch = match parts[0] {
        "x86_64" => "x86_64",
        "aarch64" | "arm64" => "aarch64",
        "i686" | "i586" | "i386" => "x86",
        a if a.starts_with("armv7") || a == "arm" || a.starts_with("armv6") => "arm",
        "universal" => "universal",
        "riscv64gc" | "riscv64" => "riscv64",
        "powerpc64le" => "powerpc64le",
        "s390x" => "s390x",
        "loongarch64" => "loongarch64",
        _ => return None,
    };
    let rest = &parts[1..];
    let (os, env) = if rest.contains(&"linux") {
        let last = rest.last().copied().unwrap_or_default();
        let env = if last.starts_with("musl") {
            "musl"
        } else if last.starts_with("gnu") {
            "gnu"
        } else {
            return None;
        };
        ("linux", Some(env))
    } else if rest.contains(&"darwin") {
        ("macos", None)
    } else if rest.contains(&"windows") {
        let env = match rest.last().copied() {
            Some("msvc") => "msvc",
            Some("gnu") | Some("gnullvm") => "gnu",
            _ => return None,
        };
        ("windows", Some(env))
    } else if rest.contains(&"freebsd") {
        ("freebsd", None)
    } else {
        return None;
    };
    Some(TargetParts { arch, os, env })
}

/// The primary triple for Linux on `arch` with `libc` ("gnu" or "musl").
fn linux_targets(arch: &str, libcs: &[&str]) -> Vec<String> {
    let stems: &[&str] = match arch {
        "x86_64" => &["x86_64-unknown-linux-"],
        "aarch64" => &["aarch64-unknown-linux-"],
        "x86" => &["i686-unknown-linux-"],
        "arm" => &["armv7-unknown-linux-", "arm-unknown-linux-"],
        _ => &[],
    };
    let suffix = if arch == "arm" { "eabihf" } else { "" };
    stems
        .iter()
        .flat_map(|stem| {
            libcs
                .iter()
                .map(move |libc| format!("{stem}{libc}{suffix}"))
        })
        .collect()
}

/// The facts that decide which targets run here; built by `Platform` assembly.
#[derive(Clone, Debug, Default)]
pub struct RunFacts<'a> {
    pub os: &'a str,
    pub arch: &'a str,
    /// Linux: the usable libcs in preference order (`["gnu","musl"]`, `["musl"]`).
    pub libcs: Vec<&'a str>,
    /// macOS on Apple Silicon: x86_64 builds run (Rosetta is installed or we run under it).
    pub rosetta: bool,
}

/// The targets this machine runs, best first: native before emulated, gnu before
/// musl (musl is static and runs anywhere), msvc before gnu on Windows.
pub fn compatible_targets(facts: &RunFacts) -> Vec<String> {
    match facts.os {
        "linux" => linux_targets(facts.arch, &facts.libcs),
        "macos" => {
            let mut t = Vec::new();
            match facts.arch {
                "aarch64" => {
                    t.push("aarch64-apple-darwin".to_string());
                    t.push("universal-apple-darwin".to_string());
                    if facts.rosetta {
                        t.push("x86_64-apple-darwin".to_string());
                    }
                }
                _ => {
                    t.push("x86_64-apple-darwin".to_string());
                    t.push("universal-apple-darwin".to_string());
                }
            }
            t
        }
        "windows" => {
            // Windows runs 32-bit x86 everywhere (WOW64), and x64 on ARM64 (Windows 11).
            let arches: &[&str] = match facts.arch {
                "aarch64" => &["aarch64", "x86_64", "i686"],
                "x86_64" => &["x86_64", "i686"],
                _ => &["i686"],
            };
            arches
                .iter()
                .flat_map(|a| {
                    let mut v = vec![format!("{a}-pc-windows-msvc")];
                    if *a != "aarch64" {
                        v.push(format!("{a}-pc-windows-gnu"));
                    }
                    v
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The targets an explicit `--target` stands for, best first: the triple itself, then
/// the builds it runs by emulation (CONTRACT 2.5). Naming `aarch64-apple-darwin` says
/// Rosetta 2 may be used, and Windows 11 on ARM64 runs x64 (and x86) builds; every
/// other triple stands for itself alone (plus universal builds on macOS).
pub fn explicit_targets(triple: &str) -> Vec<String> {
    match parse_target(triple) {
        Some(TargetParts {
            os: os @ ("macos" | "windows"),
            arch: "aarch64",
            ..
        }) => compatible_targets(&RunFacts {
            os,
            arch: "aarch64",
            libcs: Vec::new(),
            rosetta: true,
        }),
        Some(TargetParts { os: "macos", .. }) if triple != "universal-apple-darwin" => {
            vec![triple.to_string(), "universal-apple-darwin".to_string()]
        }
        _ => vec![triple.to_string()],
    }
}

/// Whether a build for `build_arch` runs on `native_arch` only by emulation (Rosetta 2,
/// Windows' x64/x86 emulation on ARM64). x86 on x86_64 and universal builds are native.
pub fn is_emulated(build_arch: &str, native_arch: &str) -> bool {
    build_arch != native_arch
        && build_arch != "universal"
        && !(build_arch == "x86" && native_arch == "x86_64")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_targets_all_parse() {
        for t in KNOWN_TARGETS {
            assert!(parse_target(t).is_some(), "{t}");
        }
        let p = parse_target("armv7-unknown-linux-musleabihf").unwrap();
        assert_eq!((p.arch, p.os, p.env), ("arm", "linux", Some("musl")));
        let p = parse_target("riscv64gc-unknown-linux-gnu").unwrap();
        assert_eq!(p.arch, "riscv64");
        assert!(parse_target("linux-amd64").is_none());
        assert!(parse_target("x86_64-unknown-linux-gnu-sse9").is_none());
    }

    #[test]
    fn glibc_linux_prefers_gnu_then_musl() {
        let f = RunFacts {
            os: "linux",
            arch: "x86_64",
            libcs: vec!["gnu", "musl"],
            rosetta: false,
        };
        assert_eq!(
            compatible_targets(&f),
            ["x86_64-unknown-linux-gnu", "x86_64-unknown-linux-musl"]
        );
    }

    #[test]
    fn apple_silicon_takes_intel_builds_only_with_rosetta() {
        let mut f = RunFacts {
            os: "macos",
            arch: "aarch64",
            libcs: vec![],
            rosetta: false,
        };
        assert!(!compatible_targets(&f).contains(&"x86_64-apple-darwin".to_string()));
        f.rosetta = true;
        assert_eq!(
            compatible_targets(&f).last().unwrap(),
            "x86_64-apple-darwin"
        );
        assert_eq!(compatible_targets(&f)[0], "aarch64-apple-darwin");
    }

    #[test]
    fn windows_arm64_falls_back_to_x64_then_x86() {
        let f = RunFacts {
            os: "windows",
            arch: "aarch64",
            libcs: vec![],
            rosetta: false,
        };
        assert_eq!(
            compatible_targets(&f),
            [
                "aarch64-pc-windows-msvc",
                "x86_64-pc-windows-msvc",
                "x86_64-pc-windows-gnu",
                "i686-pc-windows-msvc",
                "i686-pc-windows-gnu"
            ]
        );
    }

    #[test]
    fn explicit_targets_include_the_emulated_ones() {
        assert_eq!(
            explicit_targets("aarch64-apple-darwin"),
            [
                "aarch64-apple-darwin",
                "universal-apple-darwin",
                "x86_64-apple-darwin"
            ]
        );
        assert_eq!(
            explicit_targets("x86_64-apple-darwin"),
            ["x86_64-apple-darwin", "universal-apple-darwin"]
        );
        assert_eq!(
            explicit_targets("aarch64-pc-windows-msvc")[1],
            "x86_64-pc-windows-msvc"
        );
        assert_eq!(
            explicit_targets("x86_64-unknown-linux-musl"),
            ["x86_64-unknown-linux-musl"]
        );
        assert!(is_emulated("x86_64", "aarch64"));
        assert!(!is_emulated("x86", "x86_64"));
        assert!(!is_emulated("universal", "aarch64"));
    }
}
