//! `--repo`: choosing from other projects' asset names the way a careful person would.
//! Each name is split into tokens and read for OS, architecture, libc, CPU variant and
//! GPU back end in the spellings in real use; packages, installers, checksums,
//! signatures, SBOMs, debug symbols and source archives are never chosen. The rules
//! are checked against real release listings in `tests/data/asset-corpus/`.

use super::{explain, no_fit, variant_fits, Selection, Variant};
use crate::archive::Format;
use crate::error::Result;
use crate::platform::{libc, target, GpuChoice, Platform, Preferences};

/// What a name is, before any platform matters.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// Something extraction opens: an archive, a compressed or a bare executable.
    Installable(Format),
    /// Linux only, and only when nothing else fits.
    AppImage,
    /// Never installed; the reason says what it is.
    Never(String),
}

/// What a name says.
#[derive(Clone, Debug, Default)]
struct Reading {
    os: Option<&'static str>,
    arch: Option<&'static str>,
    /// Linux: gnu | musl; Windows: msvc | gnu | llvm.
    env: Option<&'static str>,
    min_glibc: Option<String>,
    /// The CPU variant (`avx2`, `x86_64_v3`, `noavx`).
    variant: Option<Variant>,
    /// A CUDA build, with the CUDA major when the name gives it.
    cuda: Option<Option<u32>>,
    /// The name says `gnu`/`musl`/`glibc` itself (`jwtui-aarch64-gnu`): a Linux build.
    libc_word: bool,
    /// A GPU back end other than CUDA (rocm, vulkan, metal, ...).
    other_gpu: Option<String>,
    /// Words we do not know; a build with extra words is some special flavour.
    unknown: Vec<String>,
}

/// Splits off the extension and says what kind of file the name is.
fn kind_of(lower: &str) -> (Kind, &str) {
    let (format, stem) = match Format::read_name(lower) {
        Ok(read) => read,
        Err(why) => return (Kind::Never(why.to_string()), lower),
    };
    if lower.ends_with(".appimage") {
        return (Kind::AppImage, stem);
    }
    if format != Format::Bare || lower.ends_with(".exe") {
        return (Kind::Installable(format), stem);
    }
    match lower.rsplit_once('.') {
        // A dot followed by letters only is a file type we do not know (.foo), unless
        // the letters are a word of the name (`tool.linux.amd64`).
        Some((_, ext))
            if !ext.is_empty()
                && ext.chars().all(|c| c.is_ascii_alphabetic())
                && classify(ext).is_none() =>
        {
            (
                Kind::Never(format!("an unsupported file type (.{ext})")),
                lower,
            )
        }
        _ => (Kind::Installable(Format::Bare), lower),
    }
}

/// The meaning of one token.
enum Word {
    Os(&'static str),
    Arch(&'static str),
    OsArch(&'static str, &'static str),
    OsEnv(&'static str, &'static str),
    Env(&'static str),
    EnvArch(&'static str, &'static str),
    Cpu(Variant),
    Cuda(Option<u32>),
    OtherGpu,
    Side(&'static str),
    Neutral,
}

fn classify(t: &str) -> Option<Word> {
    use Word::*;
    Some(match t {
        "linux" | "lin" | "ubuntu" | "debian" | "manylinux" => Os("linux"),
        "musllinux" => OsEnv("linux", "musl"),
        "darwin" | "macos" | "osx" | "mac" | "macosx" | "apple" => Os("macos"),
        "windows" | "win" | "win32" | "mingw" | "mingw32" | "mingw64" => {
            if t.starts_with("mingw") {
                Env("gnu")
            } else {
                Os("windows")
            }
        }
        "freebsd" | "openbsd" | "netbsd" | "dragonfly" | "android" | "ios" | "illumos"
        | "solaris" | "wasm" | "wasi" | "wasm32" | "emscripten" | "aix" | "plan9" | "haiku" => {
            Os("other")
        }
        "linux64" => OsArch("linux", "x86_64"),
        "linux32" => OsArch("linux", "x86"),
        "win64" => OsArch("windows", "x86_64"),
        "osx64" => OsArch("macos", "x86_64"),
        "x86_64" | "amd64" | "x64" | "64bit" | "intel" => Arch("x86_64"),
        "aarch64" | "arm64" | "armv8" | "armv8a" | "arm64e" => Arch("aarch64"),
        "i686" | "i386" | "i586" | "386" | "x86" | "ia32" | "32bit" => Arch("x86"),
        "armv7" | "armv7l" | "armv7a" | "armhf" | "arm" | "armv6" | "armv6l" | "armel"
        | "arm32" | "armv6hf" => Arch("arm"),
        "universal" | "universal2" => Arch("universal"),
        "riscv64" | "riscv64gc" | "ppc64le" | "ppc64" | "powerpc64le" | "powerpc64" | "s390x"
        | "mips" | "mipsel" | "mips64" | "mips64el" | "loongarch64" | "sparc64" | "powerpc" => {
            Arch("other")
        }
        "gnu" | "glibc" => Env("gnu"),
        "musl" | "static" => Env("musl"),
        "gnueabihf" => EnvArch("gnu", "arm"),
        "musleabihf" | "musleabi" => EnvArch("musl", "arm"),
        "msvc" => Env("msvc"),
        "llvm" | "gnullvm" => Env("llvm"),
        "avx512" | "avx512f" => Cpu(Variant::Avx512),
        "avx2" => Cpu(Variant::Avx2),
        "avx" => Cpu(Variant::Avx),
        "noavx" | "baseline" | "compat" => Cpu(Variant::Baseline),
        "cuda" | "cublas" | "cudnn" | "gpu" | "nvidia" => Cuda(None),
        "rocm" | "hip" | "hipblas" | "vulkan" | "sycl" | "kompute" | "opencl" | "clblast"
        | "metal" | "directml" | "dml" | "npu" | "jetson" | "tensorrt" | "oneapi" | "openvino"
        | "mps" => OtherGpu,
        "cudart" => Side("CUDA runtime libraries only, not the program"),
        "src" | "source" | "sources" | "vendor" | "vendored" => Side("a source archive"),
        "debug" | "dbg" | "dbgsym" | "symbols" | "dsym" | "profile" | "debuginfo" => {
            Side("debug symbols or a profiling build")
        }
        "checksums" | "sha256sums" | "sha256sum" | "checksum" | "sbom" => {
            Side("a checksum, signature or metadata file")
        }
        "setup" | "installer" | "install" => Side("an installer"),
        "xcframework" | "framework" => Side("an Apple framework bundle, not a program"),
        "unknown" | "pc" | "bin" | "cpu" | "openblas" | "blas" | "cli" | "portable" | "release"
        | "installonly" => Neutral,
        _ => {
            if let Some(digits) = t
                .strip_prefix("cu")
                .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            {
                // cu12, cu118 (11.8), cu124 (12.4)
                return Some(Cuda(
                    digits
                        .get(..2.min(digits.len()))
                        .and_then(|d| d.parse().ok()),
                ));
            }
            if let Some(n) = t.strip_prefix("cuda").and_then(|d| d.parse().ok()) {
                return Some(Cuda(Some(n)));
            }
            if t.starts_with("jetpack") || t.starts_with("rocm") || t.starts_with("vulkan") {
                return Some(OtherGpu);
            }
            return None;
        }
    })
}

/// Lower-case tokens; `x86_64`/`x86-64` and `64-bit` are kept whole.
fn tokens(stem: &str) -> Vec<String> {
    let joined = stem
        .replace("x86_64", "x86@64")
        .replace("x86-64", "x86@64")
        .replace("aarch_64", "aarch64")
        .replace("arm_64", "arm64")
        .replace("install_only", "installonly")
        .replace("64-bit", "64bit")
        .replace("32-bit", "32bit");
    joined
        .split(['-', '_', '.', ' ', '+', '(', ')'])
        .filter(|t| !t.is_empty())
        .map(|t| t.replace("x86@64", "x86_64"))
        .collect()
}

fn is_numeric(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
}

/// Reads OS, architecture, libc and variant from the tokens of one name.
fn read_tokens(tokens: &[String]) -> std::result::Result<Reading, String> {
    let mut r = Reading::default();
    for (i, t) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).map(String::as_str).unwrap_or("");
        match classify(t) {
            Some(Word::Os(os)) => {
                if os == "linux" && t == "manylinux" && next == "2" {
                    r.min_glibc = tokens.get(i + 2).map(|m| format!("2.{m}"));
                }
                // The first OS named wins, but a non-desktop one (android) always does:
                // "aarch64-linux-android" is not for Linux.
                r.os = if os == "other" {
                    Some(os)
                } else {
                    r.os.or(Some(os))
                };
            }
            Some(Word::OsArch(os, arch)) => {
                r.os = r.os.or(Some(os));
                r.arch = r.arch.or(Some(arch));
            }
            Some(Word::OsEnv(os, env)) => {
                r.os = r.os.or(Some(os));
                r.env = Some(env);
            }
            Some(Word::Arch(arch)) => {
                if arch == "x86_64" && matches!(next, "v2" | "v3" | "v4") {
                    r.variant = next[1..].parse().ok().map(Variant::Level);
                }
                // "intel" only means x86_64 when no other architecture is named.
                r.arch = if t == "intel" {
                    r.arch.or(Some(arch))
                } else {
                    Some(arch)
                };
            }
            Some(Word::Env(env)) => {
                r.env = Some(env);
                r.libc_word |= matches!(t.as_str(), "gnu" | "glibc" | "musl");
            }
            Some(Word::EnvArch(env, arch)) => {
                r.env = Some(env);
                r.arch = r.arch.or(Some(arch));
            }
            Some(Word::Cpu(v)) => r.variant = Some(v),
            Some(Word::Cuda(n)) => {
                let n = n.or_else(|| {
                    is_numeric(next)
                        .then(|| next.parse().ok())
                        .flatten()
                        .filter(|n| (8..=20).contains(n))
                });
                if !matches!(r.cuda, Some(Some(_))) {
                    r.cuda = Some(n);
                }
            }
            Some(Word::OtherGpu) => r.other_gpu = Some(t.clone()),
            Some(Word::Side(why)) => return Err(why.to_string()),
            Some(Word::Neutral) => {}
            None => {
                if let Some(v) = t.strip_prefix("glibc").filter(|v| is_numeric(v)) {
                    r.min_glibc = Some(format!("{v}.{next}"));
                    r.env = Some("gnu");
                    r.libc_word = true;
                } else if !t.chars().any(|c| c.is_ascii_digit()) && t.len() > 1 {
                    r.unknown.push(t.clone());
                }
            }
        }
    }
    if r.os == Some("windows") && r.arch.is_none() && tokens.iter().any(|t| t == "win32") {
        r.arch = Some("x86");
    }
    if r.os.is_none() && r.libc_word {
        r.os = Some("linux");
    }
    Ok(r)
}

/// One asset that fits, and how good a fit it is (lower is better).
struct Fit {
    /// AppImage last, then the wanted tool's own name, architecture (native before
    /// emulated), libc, GPU build, CPU variant, unknown words, format, name length.
    key: (u8, u8, usize, u32, u32, u32, usize, u32, usize),
    target: String,
    arch: &'static str,
    variant: Option<String>,
}

/// The architectures this platform runs, best first (from its ordered targets).
fn arch_order(p: &Platform) -> Vec<&'static str> {
    let mut order: Vec<&'static str> = Vec::new();
    for t in &p.targets {
        if let Some(parts) = target::parse_target(t) {
            if !order.contains(&parts.arch) {
                order.push(parts.arch);
            }
        }
    }
    order
}

/// Rank of a Linux build's libc: gnu, then unspecified, then musl/static on glibc
/// systems; musl/static, then unspecified on musl (gnu builds need glibc).
/// Rank of a Windows build's toolchain: the target's own first (msvc, or gnu for
/// `*-windows-gnu`), then a name that does not say, then the other.
fn windows_env_rank(env: Option<&str>, p: &Platform) -> u32 {
    let own = if p.target.ends_with("-gnu") {
        "gnu"
    } else {
        "msvc"
    };
    match env {
        Some(e) if e == own => 0,
        None | Some("llvm") => 1,
        Some(_) => 2,
    }
}

fn linux_env_rank(
    env: Option<&str>,
    p: &Platform,
    min_glibc: Option<&str>,
) -> std::result::Result<u32, String> {
    let has_gnu = p.targets.iter().any(|t| t.contains("-linux-gnu"));
    match env {
        Some("gnu") if !has_gnu => Err("needs glibc, which this system lacks".into()),
        Some("gnu") => match min_glibc {
            Some(v) if !libc::glibc_satisfies(p.libc_version.as_deref(), v) => Err(format!(
                "needs glibc {v}, the system has {}",
                p.libc_version.as_deref().unwrap_or("?")
            )),
            _ => Ok(0),
        },
        Some(_) => Ok(if has_gnu { 2 } else { 0 }),
        None => Ok(1),
    }
}

/// What the release says around one name: the project's own words, the one OS all
/// OS-naming assets share, and whether the plain build has a baseline sibling.
struct Context<'a> {
    common_words: &'a [String],
    sole_os: Option<&'static str>,
    implied_avx2: bool,
    /// The executable wanted (`--bin`, or the repository's name), lower-case.
    wanted: &'a str,
    /// The release names no 64-bit x86 build otherwise, so its `x86` builds are x86_64
    /// (opengrep's `manylinux_x86`).
    x86_means_64: bool,
}

fn judge(
    name: &str,
    cx: &Context,
    p: &Platform,
    prefs: &Preferences,
) -> std::result::Result<Fit, String> {
    let lower = name.to_ascii_lowercase();
    let (kind, stem) = kind_of(&lower);
    if let Kind::Never(why) = kind {
        return Err(why);
    }
    let r = read_tokens(&tokens(stem))?;
    let implied_os = match kind {
        Kind::Installable(Format::Bare) if lower.ends_with(".exe") => Some("windows"),
        Kind::AppImage => Some("linux"),
        // whisper.cpp names only "Win32" in one asset and leaves "bin-x64" bare.
        _ => cx.sole_os,
    };
    let os = r.os.or(implied_os).ok_or("names no operating system")?;
    if os != p.os {
        return Err(format!("for {os}"));
    }
    if kind == Kind::AppImage && os != "linux" {
        return Err("an AppImage".into());
    }
    // No architecture named: macOS builds of that kind are universal, others x86_64.
    let arch = match r.arch {
        Some("x86") if cx.x86_means_64 => "x86_64",
        Some(arch) => arch,
        None if os == "macos" => "universal",
        None => "x86_64",
    };
    let order = arch_order(p);
    let arch_rank = order
        .iter()
        .position(|a| *a == arch)
        .ok_or_else(|| format!("for {arch}"))?;
    let env_rank = match os {
        "linux" => linux_env_rank(r.env, p, r.min_glibc.as_deref())?,
        "windows" => windows_env_rank(r.env, p),
        _ => 0,
    };
    if let Some(gpu) = r
        .other_gpu
        .as_deref()
        .filter(|g| !(*g == "metal" && os == "macos"))
    {
        return Err(format!(
            "uses the {gpu} GPU back end (only CUDA is chosen automatically)"
        ));
    }
    let variant = r
        .variant
        .or((cx.implied_avx2 && arch == "x86_64").then_some(Variant::Avx2));
    let variant_arch = if arch == "universal" {
        p.arch.as_str()
    } else {
        arch
    };
    let cuda = r.cuda.map(Variant::Cuda);
    // A CUDA build runs on the CPU too: it must fit both (`avx-cuda-12-0`).
    variant_fits(cuda, variant_arch, p, prefs)?;
    if variant.is_some() {
        let cpu_part = Preferences {
            gpu: GpuChoice::Auto,
            ..*prefs
        };
        variant_fits(variant, variant_arch, p, &cpu_part)?;
    }
    let extras = r
        .unknown
        .iter()
        .filter(|u| !cx.common_words.contains(u))
        .count();
    let ext_rank = match &kind {
        Kind::Installable(format) => format.preference(os),
        _ => 5,
    };
    let gpu_rank = cuda.map_or(u32::MAX, |c| Variant::rank(Some(c)));
    Ok(Fit {
        key: (
            u8::from(kind == Kind::AppImage),
            u8::from(!names_tool(&lower, cx.wanted)),
            arch_rank,
            env_rank,
            gpu_rank,
            Variant::rank(variant),
            extras,
            ext_rank,
            name.len(),
        ),
        target: canonical_target(os, arch, r.env),
        arch,
        variant: match (variant, cuda) {
            (Some(v), Some(c)) => Some(format!("{}+{}", v.name(), c.name())),
            (v, c) => c.or(v).map(Variant::name),
        },
    })
}

/// Whether the name starts with the wanted tool's name followed by a version or a
/// platform word (`kubectx_v0.9.5_linux`), not by another word (`kubectx-extras`).
fn names_tool(lower: &str, wanted: &str) -> bool {
    let Some(rest) = lower.strip_prefix(wanted) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(['-', '_', '.']) else {
        return rest.is_empty();
    };
    let next = tokens(rest).into_iter().next().unwrap_or_default();
    next.chars().any(|c| c.is_ascii_digit()) || classify(&next).is_some()
}

fn canonical_target(os: &str, arch: &str, env: Option<&str>) -> String {
    let arch = match arch {
        "x86" => "i686",
        "arm" => "armv7",
        a => a,
    };
    match os {
        "linux" => {
            let env = env.unwrap_or("gnu");
            let eabi = if arch == "armv7" { "eabihf" } else { "" };
            format!("{arch}-unknown-linux-{env}{eabi}")
        }
        "macos" => format!("{arch}-apple-darwin"),
        _ => format!(
            "{arch}-pc-windows-{}",
            if env == Some("gnu") { "gnu" } else { "msvc" }
        ),
    }
}

/// The readings of every name that could be installed.
fn installable_readings(assets: &[String]) -> Vec<Reading> {
    assets
        .iter()
        .filter_map(|a| {
            let lower = a.to_ascii_lowercase();
            let (kind, stem) = kind_of(&lower);
            if matches!(kind, Kind::Never(_)) {
                return None;
            }
            read_tokens(&tokens(stem)).ok()
        })
        .collect()
}

/// Unknown words that every installable-looking name carries (the project's name).
fn common_unknown_words(readings: &[Reading]) -> Vec<String> {
    let Some(first) = readings.first() else {
        return Vec::new();
    };
    first
        .unknown
        .iter()
        .filter(|w| readings.iter().all(|r| r.unknown.contains(w)))
        .cloned()
        .collect()
}

/// The OS, when every name that names one names the same.
fn sole_os(readings: &[Reading]) -> Option<&'static str> {
    let mut named = readings.iter().filter_map(|r| r.os);
    let first = named.next()?;
    named.all(|os| os == first).then_some(first)
}

/// Whether a plain x86_64 build has an explicit baseline sibling for the same OS and
/// libc, which makes the plain one the optimised build (bun: plain needs AVX2).
fn has_baseline_sibling(name: &str, assets: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
    let (_, stem) = kind_of(&lower);
    let Ok(me) = read_tokens(&tokens(stem)) else {
        return false;
    };
    if me.variant.is_some() {
        return false;
    }
    assets.iter().any(|other| {
        let lower = other.to_ascii_lowercase();
        let (kind, stem) = kind_of(&lower);
        !matches!(kind, Kind::Never(_))
            && read_tokens(&tokens(stem)).is_ok_and(|o| {
                o.variant == Some(Variant::Baseline)
                    && o.os == me.os
                    && o.arch == me.arch
                    && o.env == me.env
            })
    })
}

/// Whether the release has a CUDA build for this platform's OS and architectures
/// (then `--gpu cuda` never falls back to a CPU build).
fn has_cuda_build(readings: &[Reading], p: &Platform) -> bool {
    let arches = arch_order(p);
    readings.iter().any(|r| {
        r.cuda.is_some()
            && r.os == Some(p.os.as_str())
            && arches.contains(&r.arch.unwrap_or("x86_64"))
    })
}

/// Foreign projects (`--repo`): choose from arbitrary asset names. `wanted` is the
/// executable wanted (`--bin`, or the repository's name): a release that ships several
/// tools gives that one.
pub fn select_foreign_asset(
    assets: &[String],
    wanted: &str,
    platform: &Platform,
    prefs: &Preferences,
) -> Result<Selection> {
    let readings = installable_readings(assets);
    let first = select_among(assets, &readings, wanted, platform, prefs);
    super::without_cuda_fallback(
        first,
        prefs,
        has_cuda_build(&readings, platform),
        platform,
        |prefs| select_among(assets, &readings, wanted, platform, prefs),
    )
}

fn select_among(
    assets: &[String],
    readings: &[Reading],
    wanted: &str,
    platform: &Platform,
    prefs: &Preferences,
) -> Result<Selection> {
    let common_words = common_unknown_words(readings);
    let sole_os = sole_os(readings);
    let wanted = wanted.to_ascii_lowercase();
    let x86_means_64 = !readings.iter().any(|r| r.arch == Some("x86_64"))
        && readings.iter().any(|r| r.arch == Some("aarch64"));
    let verdicts: Vec<std::result::Result<Fit, String>> = assets
        .iter()
        .map(|a| {
            let cx = Context {
                common_words: &common_words,
                sole_os,
                implied_avx2: has_baseline_sibling(a, assets),
                wanted: &wanted,
                x86_means_64,
            };
            judge(a, &cx, platform, prefs)
        })
        .collect();
    let best = verdicts
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.as_ref().ok().map(|f| (i, f)))
        .min_by_key(|(i, f)| (f.key, assets[*i].clone()))
        .map(|(i, _)| i);
    let reasons: Vec<std::result::Result<(), String>> = verdicts
        .iter()
        .map(|v| v.as_ref().map(|_| ()).map_err(Clone::clone))
        .collect();
    let Some(best) = best else {
        let installable = |i: usize| {
            let lower = assets[i].to_ascii_lowercase();
            !matches!(kind_of(&lower).0, Kind::Never(_))
        };
        return Err(no_fit(
            "the release",
            assets,
            &reasons,
            platform,
            installable,
        ));
    };
    let (target, arch, variant) = match &verdicts[best] {
        Ok(fit) => (fit.target.clone(), fit.arch, fit.variant.clone()),
        Err(_) => (platform.target.clone(), "", None),
    };
    Ok(Selection {
        asset: assets[best].clone(),
        target,
        variant,
        candidates: explain(assets, &reasons, best),
        emulated: false,
        notes: Vec::new(),
    }
    .note_emulation(arch, platform))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::tests::*;
    use crate::platform::{CpuChoice, GpuChoice};

    const AUTO: Preferences = Preferences {
        cpu: CpuChoice::Auto,
        gpu: GpuChoice::Auto,
    };

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// The fake platforms the corpus names its expectations by.
    fn corpus_platform(name: &str) -> Platform {
        match name {
            "linux-x86_64" => linux_gnu("2.36", HASWELL, None),
            "linux-x86_64-v2" => linux_gnu("2.36", &HASWELL[..6], None),
            "linux-x86_64-avx512" => linux_gnu("2.36", &skylake_x(), None),
            "linux-x86_64-cuda12" => linux_gnu("2.36", &skylake_x(), Some("12.4")),
            "linux-musl-x86_64" => linux_musl(),
            "linux-aarch64" => linux_aarch64(None),
            "macos-x86_64" => macos_intel(),
            "macos-aarch64" => macos_arm(true),
            "windows-x86_64" => windows_x64(HASWELL, None),
            "windows-x86_64-avx512" => windows_x64(&skylake_x(), None),
            "windows-x86_64-v2" => windows_x64(&HASWELL[..6], None),
            "windows-x86_64-cuda12" => windows_x64(&skylake_x(), Some("12.4")),
            "windows-aarch64" => windows_arm64_emulated(),
            // A target triple: `--target` given on an x86_64 Linux (Haswell) host.
            triple => crate::platform::for_target(triple, &linux_gnu("2.36", HASWELL, None))
                .unwrap_or_else(|_| panic!("corpus names an unknown platform {triple}")),
        }
    }

    #[test]
    fn corpus_of_real_release_listings() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/asset-corpus");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let (mut projects, mut checks, mut failures, mut known) = (0, 0, Vec::new(), 0);
        for file in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "json"))
        {
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
            let assets: Vec<String> = serde_json::from_value(doc["assets"].clone()).unwrap();
            let project = doc["project"].as_str().unwrap();
            let wanted = doc["bin"]
                .as_str()
                .unwrap_or_else(|| project.rsplit('/').next().unwrap())
                .to_string();
            projects += 1;
            for (platform, expected) in doc["expect"].as_object().unwrap() {
                checks += 1;
                // A case the reading cannot settle from names alone, with the reason.
                if doc["known_disagreements"].get(platform).is_some() {
                    known += 1;
                    continue;
                }
                let got = select_foreign_asset(&assets, &wanted, &corpus_platform(platform), &AUTO);
                let got = match got {
                    Ok(sel) => Some(sel.asset),
                    Err(e) => {
                        assert_eq!(e.exit_code(), 3);
                        None
                    }
                };
                if got.as_deref() != expected.as_str() {
                    failures.push(format!(
                        "{} on {platform}: expected {expected}, got {got:?}",
                        doc["project"]
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {checks} corpus choices wrong:\n{}",
            failures.len(),
            failures.join("\n")
        );
        eprintln!(
            "asset corpus: {projects} projects, {checks} checks, {} agree, {known} known disagreements",
            checks - known
        );
        assert!(
            projects >= 80 && checks >= 350,
            "corpus too small: {projects} projects, {checks} choices"
        );
    }

    #[test]
    fn tokens_keep_x86_64_whole() {
        assert_eq!(tokens("foo-x86-64-linux"), ["foo", "x86_64", "linux"]);
        assert_eq!(
            tokens("llama-b3672-bin-win-cuda-cu12.2.0-x64"),
            ["llama", "b3672", "bin", "win", "cuda", "cu12", "2", "0", "x64"]
        );
    }

    #[test]
    fn side_files_and_packages_are_never_chosen() {
        for name in [
            "tool_1.0_amd64.deb",
            "tool-1.0.x86_64.rpm",
            "tool-x86_64-unknown-linux-gnu.tar.gz.sha256",
            "tool-linux-amd64.tar.gz.sig",
            "checksums.txt",
            "tool-1.0-src.tar.gz",
            "tool-x86_64-unknown-linux-gnu-debug.tar.gz",
            "tool.spdx.json",
            "ToolSetup.exe",
            "tool-linux-amd64.7z",
        ] {
            let e = select_foreign_asset(
                &names(&[name]),
                "tool",
                &linux_gnu("2.36", HASWELL, None),
                &AUTO,
            )
            .unwrap_err();
            assert_eq!(e.exit_code(), 3, "{name}");
        }
    }

    #[test]
    fn appimage_only_as_a_last_resort_on_linux() {
        let p = linux_gnu("2.36", HASWELL, None);
        let both = names(&["Tool-x86_64.AppImage", "tool-linux-x86_64.tar.gz"]);
        assert_eq!(
            select_foreign_asset(&both, "tool", &p, &AUTO)
                .unwrap()
                .asset,
            "tool-linux-x86_64.tar.gz"
        );
        let only = names(&["Tool-x86_64.AppImage"]);
        assert_eq!(
            select_foreign_asset(&only, "tool", &p, &AUTO)
                .unwrap()
                .asset,
            "Tool-x86_64.AppImage"
        );
    }

    #[test]
    fn archives_beat_bare_executables_only_when_both_exist() {
        let p = linux_gnu("2.36", HASWELL, None);
        let bare = names(&["jq-linux64", "jq-osx-amd64", "jq-win64.exe"]);
        assert_eq!(
            select_foreign_asset(&bare, "tool", &p, &AUTO)
                .unwrap()
                .asset,
            "jq-linux64"
        );
        let both = names(&["tool-linux-amd64", "tool-linux-amd64.tar.gz"]);
        assert_eq!(
            select_foreign_asset(&both, "tool", &p, &AUTO)
                .unwrap()
                .asset,
            "tool-linux-amd64.tar.gz"
        );
    }

    #[test]
    fn old_glibc_prefers_musl_when_the_name_says_the_glibc() {
        let assets = names(&[
            "tool-linux-x86_64-glibc2.28.tar.gz",
            "tool-linux-x86_64-musl.tar.gz",
        ]);
        let old = linux_gnu("2.17", HASWELL, None);
        assert_eq!(
            select_foreign_asset(&assets, "tool", &old, &AUTO)
                .unwrap()
                .asset,
            "tool-linux-x86_64-musl.tar.gz"
        );
        let new = linux_gnu("2.36", HASWELL, None);
        assert_eq!(
            select_foreign_asset(&assets, "tool", &new, &AUTO)
                .unwrap()
                .asset,
            "tool-linux-x86_64-glibc2.28.tar.gz"
        );
    }

    /// `--target TRIPLE` on an x86_64 Linux host (Haswell, no GPU).
    fn target(triple: &str) -> Platform {
        crate::platform::for_target(triple, &linux_gnu("2.36", HASWELL, None)).unwrap()
    }

    fn choose(assets: &[&str], wanted: &str, p: &Platform, prefs: &Preferences) -> Selection {
        select_foreign_asset(&names(assets), wanted, p, prefs).unwrap()
    }

    fn corpus_assets(file: &str) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/asset-corpus")
            .join(file);
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        serde_json::from_value(doc["assets"].clone()).unwrap()
    }

    /// Cause 1: Windows 11 on ARM64 runs x64 builds, Rosetta 2 runs x86_64 ones.
    #[test]
    fn emulated_builds_when_no_native_one_exists() {
        let ripgrep = corpus_assets("ripgrep.json");
        let sel = select_foreign_asset(
            &ripgrep,
            "ripgrep",
            &target("aarch64-pc-windows-msvc"),
            &AUTO,
        )
        .unwrap();
        assert_eq!(sel.asset, "ripgrep-15.1.0-x86_64-pc-windows-msvc.zip");
        assert!(sel.emulated);
        assert!(
            sel.notes[0].contains("Windows' x64 emulation"),
            "{:?}",
            sel.notes
        );
        // xsv's Homebrew formula names its two macOS builds.
        let xsv = [
            "xsv-0.10.3-x86_64-apple-darwin.tar.gz",
            "xsv-0.10.3-i686-apple-darwin.tar.gz",
        ];
        let sel = choose(&xsv, "xsv", &target("aarch64-apple-darwin"), &AUTO);
        assert_eq!(sel.asset, "xsv-0.10.3-x86_64-apple-darwin.tar.gz");
        assert!(sel.emulated && sel.notes[0].contains("Rosetta 2"));
        // The native build still wins, and it is not emulated.
        let sel = select_foreign_asset(&ripgrep, "ripgrep", &target("aarch64-apple-darwin"), &AUTO)
            .unwrap();
        assert_eq!(sel.asset, "ripgrep-15.1.0-aarch64-apple-darwin.tar.gz");
        assert!(!sel.emulated && sel.notes.is_empty());
    }

    /// Cause 2: universal and arch-less macOS builds are chosen for both Macs.
    #[test]
    fn universal_macos_builds_are_chosen() {
        for triple in ["aarch64-apple-darwin", "x86_64-apple-darwin"] {
            for name in [
                "duckdb_cli-osx-universal.zip",
                "goreleaser_Darwin_all.tar.gz",
                "minisign-0.12-macos.zip",
                "gvproxy-darwin",
            ] {
                let sel = choose(&[name], "tool", &target(triple), &AUTO);
                assert_eq!(sel.asset, name);
                assert!(!sel.emulated, "{name} on {triple}");
            }
        }
    }

    /// Cause 3: one compressed executable is an archive of one file.
    #[test]
    fn single_file_compressed_executables_are_read() {
        let p = target("x86_64-unknown-linux-gnu");
        for name in [
            "tree-sitter-linux-x64.gz",
            "lefthook_2.1.11_Linux_x86_64.gz",
            "restic_0.19.1_linux_amd64.bz2",
        ] {
            assert_eq!(choose(&[name], "tool", &p, &AUTO).asset, name);
            assert!(matches!(
                kind_of(&name.to_ascii_lowercase()).0,
                Kind::Installable(Format::Compressed(_))
            ));
        }
        // The archive beats the compressed single file, which beats the bare one.
        let both = [
            "tree-sitter-linux-x64",
            "tree-sitter-linux-x64.gz",
            "tree-sitter-linux-x64.tar.gz",
        ];
        assert_eq!(
            choose(&both, "tree-sitter", &p, &AUTO).asset,
            "tree-sitter-linux-x64.tar.gz"
        );
        assert_eq!(
            choose(&both[..2], "tree-sitter", &p, &AUTO).asset,
            "tree-sitter-linux-x64.gz"
        );
    }

    /// Cause 4: python-build-standalone's `install_only` is the build to install.
    #[test]
    fn install_only_is_not_an_installer() {
        // hatch's distribution table and the example.
        let pbs = [
            "cpython-3.13.1+20241206-aarch64-unknown-linux-gnu-install_only_stripped.tar.gz",
            "cpython-3.13.1+20241206-aarch64-unknown-linux-gnu-freethreaded+noopt-full.tar.zst",
            "cpython-3.12.1+20240107-x86_64_v3-unknown-linux-gnu-install_only.tar.gz",
            "cpython-3.12.1+20240107-x86_64_v4-unknown-linux-gnu-install_only.tar.gz",
            "cpython-3.12.1+20240107-x86_64-unknown-linux-gnu-install_only.tar.gz",
        ];
        let sel = choose(
            &pbs,
            "python-build-standalone",
            &target("x86_64-unknown-linux-gnu"),
            &AUTO,
        );
        assert_eq!(sel.asset, pbs[2]);
        assert_eq!(sel.variant.as_deref(), Some("x86-64-v3"));
        assert_eq!(
            choose(
                &pbs,
                "python-build-standalone",
                &target("aarch64-unknown-linux-gnu"),
                &AUTO
            )
            .asset,
            pbs[0]
        );
    }

    /// Cause 5: kubectx ships kubens too; the repository's own tool (or `--bin`) wins.
    #[test]
    fn the_wanted_tool_beats_its_siblings() {
        let kubectx = [
            "kubectx_v0.9.1_linux_x86_64.tar.gz",
            "kubens_v0.9.1_linux_x86_64.tar.gz",
        ];
        let p = target("x86_64-unknown-linux-gnu");
        assert_eq!(choose(&kubectx, "kubectx", &p, &AUTO).asset, kubectx[0]);
        assert_eq!(choose(&kubectx, "kubens", &p, &AUTO).asset, kubectx[1]);
        assert!(names_tool("kubectx_v0.9.1_linux_x86_64.tar.gz", "kubectx"));
        assert!(!names_tool("bat-extras-linux.tar.gz", "bat"));
    }

    /// Cause 6: a CUDA build must fit the CPU level too; no CUDA build for the
    /// platform means the best CPU build, with a note.
    #[test]
    fn cuda_builds_fit_the_cpu_level() {
        // cortex.llamacpp's Windows engines (janhq/jan download.bat names them).
        let engines: Vec<String> = [
            "noavx-cuda-12-0",
            "noavx-cuda-11-7",
            "avx2-cuda-12-0",
            "avx2-cuda-11-7",
            "avx-cuda-12-0",
            "noavx",
            "avx",
            "avx2",
            "avx512",
            "vulkan",
        ]
        .iter()
        .map(|v| format!("cortex.llamacpp-0.1.34-windows-amd64-{v}.tar.gz"))
        .collect();
        let gpu = windows_x64(HASWELL, Some("12.4"));
        let with = |cpu| Preferences {
            cpu,
            gpu: GpuChoice::Cuda,
        };
        let pick = |prefs: &Preferences| {
            select_foreign_asset(&engines, "cortex.llamacpp", &gpu, prefs)
                .unwrap()
                .asset
        };
        assert!(pick(&with(CpuChoice::Avx2)).ends_with("-avx2-cuda-12-0.tar.gz"));
        assert!(pick(&with(CpuChoice::Baseline)).ends_with("-noavx-cuda-12-0.tar.gz"));
        assert!(pick(&AUTO).ends_with("-avx2-cuda-12-0.tar.gz"));
        // llama.cpp b10621 has CUDA builds for Windows only.
        let llama = corpus_assets("llama.cpp-b10621.json");
        let sel = select_foreign_asset(
            &llama,
            "llama.cpp",
            &target("x86_64-unknown-linux-gnu"),
            &with(CpuChoice::Auto),
        )
        .unwrap();
        assert_eq!(sel.asset, "llama-b10621-bin-ubuntu-x64.tar.gz");
        assert!(sel.notes[0].contains("no CUDA build"), "{:?}", sel.notes);
        // An old driver with CUDA builds on offer stays a refusal.
        let old = windows_x64(HASWELL, Some("10.2"));
        let e = select_foreign_asset(&engines, "cortex.llamacpp", &old, &with(CpuChoice::Auto))
            .unwrap_err();
        assert_eq!(e.exit_code(), 3);
    }

    /// Raspberry Pi's pico-sdk-tools shorten Linux to `lin`, as others shorten to `win` and `mac`.
    #[test]
    fn lin_is_linux() {
        let tools = [
            "pico-sdk-tools-2.2.0-aarch64-lin.tar.gz",
            "pico-sdk-tools-2.2.0-mac.zip",
            "pico-sdk-tools-2.2.0-x86_64-lin.tar.gz",
        ];
        let pick = |triple: &str| choose(&tools, "pioasm", &target(triple), &AUTO).asset;
        assert_eq!(
            pick("x86_64-unknown-linux-gnu"),
            "pico-sdk-tools-2.2.0-x86_64-lin.tar.gz"
        );
        assert_eq!(
            pick("aarch64-unknown-linux-gnu"),
            "pico-sdk-tools-2.2.0-aarch64-lin.tar.gz"
        );
        assert_eq!(pick("aarch64-apple-darwin"), "pico-sdk-tools-2.2.0-mac.zip");
    }

    /// git-town writes 64-bit ARM as `arm_64` (and Intel as `intel_64`): not 32-bit ARM.
    #[test]
    fn arm_64_is_aarch64() {
        let mac = [
            "git-town_macos_arm_64.tar.gz",
            "git-town_macos_intel_64.tar.gz",
        ];
        let pick = |triple: &str| choose(&mac, "git-town", &target(triple), &AUTO);
        let arm = pick("aarch64-apple-darwin");
        assert_eq!(arm.asset, "git-town_macos_arm_64.tar.gz");
        assert!(!arm.emulated);
        assert_eq!(
            pick("x86_64-apple-darwin").asset,
            "git-town_macos_intel_64.tar.gz"
        );
    }

    /// Cause 7: protobuf's `aarch_64`.
    #[test]
    fn aarch_64_is_aarch64() {
        // rules_proto's table of protoc 23.0 assets.
        let protoc: Vec<String> = [
            "linux-aarch_64",
            "linux-ppcle_64",
            "linux-s390_64",
            "linux-x86_32",
            "linux-x86_64",
            "osx-aarch_64",
            "osx-universal_binary",
            "osx-x86_64",
            "win32",
            "win64",
        ]
        .iter()
        .map(|k| format!("protoc-23.0-{k}.zip"))
        .collect();
        let pick = |triple: &str| {
            select_foreign_asset(&protoc, "protobuf", &target(triple), &AUTO)
                .unwrap()
                .asset
        };
        assert_eq!(
            pick("aarch64-unknown-linux-gnu"),
            "protoc-23.0-linux-aarch_64.zip"
        );
        assert_eq!(pick("aarch64-apple-darwin"), "protoc-23.0-osx-aarch_64.zip");
        assert_eq!(pick("x86_64-apple-darwin"), "protoc-23.0-osx-x86_64.zip");
        assert_eq!(
            pick("x86_64-unknown-linux-gnu"),
            "protoc-23.0-linux-x86_64.zip"
        );
        assert_eq!(pick("aarch64-pc-windows-msvc"), "protoc-23.0-win64.zip");
    }

    /// Cause 8: `gnu`/`musl` without an OS word is Linux.
    #[test]
    fn a_libc_word_means_linux() {
        // kdash's release (its docs and Scoop manifest name the others).
        let kdash = [
            "kdash-aarch64-gnu.tar.gz",
            "kdash-linux.tar.gz",
            "kdash-macos.tar.gz",
            "kdash-windows.tar.gz",
        ];
        let sel = choose(&kdash, "kdash", &target("aarch64-unknown-linux-gnu"), &AUTO);
        assert_eq!(sel.asset, "kdash-aarch64-gnu.tar.gz");
        assert_eq!(sel.target, "aarch64-unknown-linux-gnu");
        assert_eq!(
            choose(
                &["jwtui-aarch64-gnu.tar.gz"],
                "jwtui",
                &target("aarch64-unknown-linux-gnu"),
                &AUTO
            )
            .asset,
            "jwtui-aarch64-gnu.tar.gz"
        );
    }

    /// Cause 9: Python's platform words, and `x86` in a release with no other 64-bit x86.
    #[test]
    fn musllinux_and_manylinux() {
        let opengrep = ["opengrep_manylinux_x86", "opengrep_musllinux_aarch64"];
        let sel = choose(
            &opengrep,
            "opengrep",
            &target("aarch64-unknown-linux-musl"),
            &AUTO,
        );
        assert_eq!(sel.asset, "opengrep_musllinux_aarch64");
        assert_eq!(sel.target, "aarch64-unknown-linux-musl");
        assert_eq!(
            choose(
                &opengrep,
                "opengrep",
                &target("x86_64-unknown-linux-gnu"),
                &AUTO
            )
            .asset,
            "opengrep_manylinux_x86"
        );
    }
}
