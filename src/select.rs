//! Release + platform → the asset to install, with the reason every other asset was
//! passed over (`install --dry-run -v` prints them). `select_asset` reads our own names
//! (CONTRACT 2.1); `foreign::select_foreign_asset` reads other projects' names.

mod foreign;

pub use foreign::select_foreign_asset;

use crate::archive::Format;
use crate::error::{Error, Result};
use crate::platform::{cpu, target, CpuChoice, GpuChoice, Platform, Preferences};

/// One asset of the release and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub asset: String,
    /// True for the chosen asset only.
    pub accepted: bool,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Selection {
    pub asset: String,
    pub target: String,
    pub variant: Option<String>,
    /// Every asset of the release, the chosen one included, in the release's order.
    pub candidates: Vec<Candidate>,
    /// The chosen build runs by emulation (Rosetta 2, Windows' x64 emulation on ARM64):
    /// the release has no native build that fits (CONTRACT 2.5).
    pub emulated: bool,
    /// What a person should know about the choice: why it is emulated, or that
    /// `--gpu cuda` found no CUDA build and took the best CPU build.
    pub notes: Vec<String>,
}

impl Selection {
    /// Marks the choice as emulated when the chosen build's architecture is not the
    /// platform's own, and says why.
    fn note_emulation(mut self, build_arch: &str, p: &Platform) -> Selection {
        if target::is_emulated(build_arch, &p.arch) {
            let how = if p.os == "macos" {
                "Rosetta 2"
            } else {
                "Windows' x64 emulation"
            };
            self.emulated = true;
            self.notes.push(format!(
                "no {} build for {} fits, so the {build_arch} build {} runs under {how}",
                p.arch, p.os, self.asset
            ));
        }
        self
    }
}

/// `--gpu cuda` on a release without any CUDA build for the platform: choose again as
/// if no GPU were wanted, and say so. A release that has CUDA builds that do not fit
/// (an old driver) keeps the exit-3 answer.
fn without_cuda_fallback(
    first: Result<Selection>,
    prefs: &Preferences,
    has_cuda_build: bool,
    p: &Platform,
    again: impl FnOnce(&Preferences) -> Result<Selection>,
) -> Result<Selection> {
    match first {
        Err(e) if prefs.gpu == GpuChoice::Cuda && !has_cuda_build => {
            let cpu_only = Preferences {
                gpu: GpuChoice::None,
                ..*prefs
            };
            let mut sel = again(&cpu_only).map_err(|_| e)?;
            sel.notes.push(format!(
                "the release has no CUDA build for {}, so the best CPU build was chosen (--gpu cuda)",
                p.target
            ));
            Ok(sel)
        }
        other => other,
    }
}

/// A build variant: what a build needs beyond its target's baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Variant {
    Baseline,
    Avx,
    Avx2,
    Avx512,
    /// x86-64 psABI level 2-4 (`x86_64_v3`).
    Level(u8),
    Neon,
    /// `cuda12`; `None` when the name says only "cuda".
    Cuda(Option<u32>),
}

impl Variant {
    /// Our own variant names (CONTRACT 2.1).
    fn parse_ours(s: &str) -> Option<Variant> {
        Some(match s {
            "baseline" => Variant::Baseline,
            "avx2" => Variant::Avx2,
            "avx512" => Variant::Avx512,
            "neon" => Variant::Neon,
            _ => Variant::Cuda(Some(s.strip_prefix("cuda")?.parse().ok()?)),
        })
    }

    pub(crate) fn name(self) -> String {
        match self {
            Variant::Baseline => "baseline".into(),
            Variant::Avx => "avx".into(),
            Variant::Avx2 => "avx2".into(),
            Variant::Avx512 => "avx512".into(),
            Variant::Level(n) => format!("x86-64-v{n}"),
            Variant::Neon => "neon".into(),
            Variant::Cuda(Some(n)) => format!("cuda{n}"),
            Variant::Cuda(None) => "cuda".into(),
        }
    }

    /// Lower is better: GPU builds first (newest CUDA first), then the most demanding
    /// CPU build that runs, then the baseline.
    pub(crate) fn rank(variant: Option<Variant>) -> u32 {
        match variant {
            Some(Variant::Cuda(n)) => 100 - n.unwrap_or(0).min(99),
            Some(Variant::Avx512) | Some(Variant::Level(4)) => 110,
            Some(Variant::Avx2) | Some(Variant::Level(3)) | Some(Variant::Neon) => 120,
            Some(Variant::Avx) | Some(Variant::Level(_)) => 130,
            Some(Variant::Baseline) | None => 140,
        }
    }
}

/// Whether a build of `variant` for architecture `arch` fits; `Err` says why not.
pub(crate) fn variant_fits(
    variant: Option<Variant>,
    arch: &str,
    p: &Platform,
    prefs: &Preferences,
) -> Result<(), String> {
    let is_cuda = matches!(variant, Some(Variant::Cuda(_)));
    if prefs.gpu == GpuChoice::Cuda && !is_cuda {
        return Err("not a CUDA build (--gpu cuda)".into());
    }
    let Some(variant) = variant else {
        return Ok(());
    };
    let cpu = p.cpu();
    let level = cpu::x86_64_level(&cpu);
    let x86 = |auto_ok: bool, by_choice: &[CpuChoice]| -> Result<(), String> {
        if arch != "x86_64" && arch != "x86" {
            return Err(format!("{} is an x86 variant", variant.name()));
        }
        match prefs.cpu {
            CpuChoice::Auto if auto_ok => Ok(()),
            CpuChoice::Auto => Err(format!("needs {}", variant.name())),
            choice if by_choice.contains(&choice) => Ok(()),
            choice => Err(format!("excluded by --cpu {}", choice.as_str())),
        }
    };
    use CpuChoice::{Avx2 as C2, Avx512 as C512};
    match variant {
        Variant::Baseline => Ok(()),
        Variant::Avx512 => x86(cpu::runs_avx512(&cpu), &[C512]),
        Variant::Level(4) => x86(level >= 4, &[C512]),
        Variant::Avx2 => x86(cpu::runs_avx2(&cpu), &[C2, C512]),
        Variant::Level(n) => x86(level >= n, &[C2, C512]),
        Variant::Avx => x86(cpu.has("avx"), &[C2, C512]),
        Variant::Neon if arch != "aarch64" => Err("neon is an aarch64 variant".into()),
        Variant::Neon if prefs.cpu == CpuChoice::Baseline => {
            Err("excluded by --cpu baseline".into())
        }
        Variant::Neon => Ok(()),
        Variant::Cuda(needed) => cuda_fits(needed, p, prefs.gpu),
    }
}

/// The variant this platform would take from a release that offers every
/// variant: what `detect` reports before any release is looked at. `None` is
/// the baseline build.
pub fn preferred_variant(p: &Platform, prefs: &Preferences) -> Option<String> {
    let cuda = p.cuda_major().map(|n| Variant::Cuda(Some(n)));
    cuda.into_iter()
        .chain([Variant::Avx512, Variant::Avx2, Variant::Neon])
        .find(|v| variant_fits(Some(*v), &p.arch, p, prefs).is_ok())
        .map(Variant::name)
}

fn cuda_fits(needed: Option<u32>, p: &Platform, gpu: GpuChoice) -> Result<(), String> {
    let needs = needed.map_or("CUDA".to_string(), |n| format!("CUDA {n}"));
    match (gpu, p.cuda.as_deref(), p.cuda_major()) {
        (GpuChoice::None, _, _) => Err("excluded by --gpu none".into()),
        (_, Some(_), Some(have)) if needed.is_none_or(|n| have >= n) => Ok(()),
        (_, Some(version), _) => Err(format!("needs {needs}, the driver supports CUDA {version}")),
        (GpuChoice::Cuda, None, _) => Ok(()),
        (_, None, _) => Err(format!("needs {needs}, no NVIDIA driver found")),
    }
}

/// One of our assets, parsed.
struct OurAsset {
    target: String,
    variant: Option<Variant>,
    format: Format,
}

/// `<P>-<V>-<target>[-<variant>].<ext>` with P and V known.
fn parse_our_asset(product: &str, version: &str, name: &str) -> Option<OurAsset> {
    let rest = name
        .strip_prefix(product)?
        .strip_prefix('-')?
        .strip_prefix(version)?
        .strip_prefix('-')?;
    let (format, stem) = Format::read_name(rest).ok()?;
    if stem.contains('.') {
        return None;
    }
    // No target triple ends in a variant name, so a known variant suffix is one.
    let (target, variant) = match stem
        .rsplit_once('-')
        .and_then(|(t, v)| Some((t, Variant::parse_ours(v)?)))
    {
        Some((t, v)) => (t, Some(v)),
        None => (stem, None),
    };
    target::parse_target(target)?;
    Some(OurAsset {
        target: target.to_string(),
        variant,
        format,
    })
}

/// Our release format (CONTRACT 2.1). `SHA256SUMS`, signatures and names not of that
/// form are listed as rejected, never chosen.
pub fn select_asset(
    product: &str,
    version: &str,
    assets: &[String],
    platform: &Platform,
    prefs: &Preferences,
) -> Result<Selection> {
    select_asset_with(product, version, assets, platform, prefs, None)
}

/// `select_asset` for a release that says which glibc its gnu builds need
/// (`min_glibc`, e.g. "2.28"): on an older glibc they are passed over for musl ones.
pub fn select_asset_with(
    product: &str,
    version: &str,
    assets: &[String],
    platform: &Platform,
    prefs: &Preferences,
    min_glibc: Option<&str>,
) -> Result<Selection> {
    let first = select_ours(product, version, assets, platform, prefs, min_glibc);
    let has_cuda_build = assets.iter().any(|name| {
        parse_our_asset(product, version, name).is_some_and(|a| {
            matches!(a.variant, Some(Variant::Cuda(_))) && platform.targets.contains(&a.target)
        })
    });
    without_cuda_fallback(first, prefs, has_cuda_build, platform, |prefs| {
        select_ours(product, version, assets, platform, prefs, min_glibc)
    })
}

fn select_ours(
    product: &str,
    version: &str,
    assets: &[String],
    platform: &Platform,
    prefs: &Preferences,
    min_glibc: Option<&str>,
) -> Result<Selection> {
    let mut ranked: Vec<(usize, (usize, u32, u32))> = Vec::new();
    let mut reasons: Vec<Result<(), String>> = Vec::new();
    let mut parsed: Vec<Option<OurAsset>> = Vec::new();
    for (i, name) in assets.iter().enumerate() {
        let asset = parse_our_asset(product, version, name);
        let verdict = match &asset {
            None => Err(format!("not a {product} {version} asset")),
            Some(a) => judge_ours(a, platform, prefs, min_glibc),
        };
        if let (Ok(target_rank), Some(a)) = (&verdict, &asset) {
            ranked.push((
                i,
                (
                    *target_rank,
                    Variant::rank(a.variant),
                    a.format.preference(&platform.os),
                ),
            ));
        }
        reasons.push(verdict.map(|_| ()));
        parsed.push(asset);
    }
    let best = ranked.iter().min_by_key(|(_, key)| *key).map(|(i, _)| *i);
    let Some(best) = best else {
        return Err(no_fit(
            &format!("{product} {version}"),
            assets,
            &reasons,
            platform,
            |i| parsed[i].is_some(),
        ));
    };
    let chosen = parsed[best]
        .as_ref()
        .ok_or_else(|| Error::internal("the chosen asset was not parsed"))?;
    let arch = target::parse_target(&chosen.target).map_or("", |t| t.arch);
    Ok(Selection {
        asset: assets[best].clone(),
        target: chosen.target.clone(),
        variant: chosen.variant.map(Variant::name),
        candidates: explain(assets, &reasons, best),
        emulated: false,
        notes: Vec::new(),
    }
    .note_emulation(arch, platform))
}

/// The rank of the asset's target among the platform's, or why it does not fit.
fn judge_ours(
    a: &OurAsset,
    p: &Platform,
    prefs: &Preferences,
    min_glibc: Option<&str>,
) -> Result<usize, String> {
    let rank = p
        .targets
        .iter()
        .position(|t| *t == a.target)
        .ok_or_else(|| format!("target {}", a.target))?;
    if let Some(required) = min_glibc.filter(|_| a.target.ends_with("-gnu")) {
        if !p.glibc_satisfies(required) {
            return Err(format!(
                "needs glibc {required}, the system has {}",
                p.libc_version.as_deref().unwrap_or("?")
            ));
        }
    }
    let arch = target::parse_target(&a.target).map_or("", |t| t.arch);
    variant_fits(a.variant, arch, p, prefs)?;
    Ok(rank)
}

/// Every asset with its verdict; fitting ones that lost say what beat them.
pub(crate) fn explain(
    assets: &[String],
    reasons: &[Result<(), String>],
    best: usize,
) -> Vec<Candidate> {
    assets
        .iter()
        .zip(reasons)
        .enumerate()
        .map(|(i, (asset, verdict))| Candidate {
            asset: asset.clone(),
            accepted: i == best,
            reason: match verdict {
                _ if i == best => "chosen: the best fit for this platform".into(),
                Ok(()) => format!("fits, but {} is preferred", assets[best]),
                Err(why) => why.clone(),
            },
        })
        .collect()
}

/// The exit-3 error: what the release offers and why each was rejected.
pub(crate) fn no_fit(
    release: &str,
    assets: &[String],
    reasons: &[Result<(), String>],
    p: &Platform,
    is_candidate: impl Fn(usize) -> bool,
) -> Error {
    let listed: Vec<String> = assets
        .iter()
        .zip(reasons)
        .enumerate()
        .filter(|(i, _)| is_candidate(*i))
        .map(|(_, (a, r))| format!("{a} ({})", r.as_ref().err().map_or("fits", String::as_str)))
        .collect();
    let offers = if listed.is_empty() {
        format!(
            "it has no installable assets ({})",
            if assets.is_empty() {
                "none at all".into()
            } else {
                assets.join(", ")
            }
        )
    } else {
        listed.join(", ")
    };
    Error::no_match(
        format!("no asset of {release} fits {}: {offers}", p.target),
        "choose another version, or override detection with --target, --cpu or --gpu; `install --dry-run -v` lists every candidate.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::tests::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn prefs(cpu: CpuChoice, gpu: GpuChoice) -> Preferences {
        Preferences { cpu, gpu }
    }

    const AUTO: Preferences = Preferences {
        cpu: CpuChoice::Auto,
        gpu: GpuChoice::Auto,
    };

    fn release() -> Vec<String> {
        names(&[
            "SHA256SUMS",
            "SHA256SUMS.minisig",
            "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz",
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx2.tar.gz",
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx512.tar.gz",
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-cuda12.tar.gz",
            "bitnet-0.3.2-x86_64-unknown-linux-musl.tar.gz",
            "bitnet-0.3.2-aarch64-unknown-linux-gnu.tar.gz",
            "bitnet-0.3.2-aarch64-unknown-linux-gnu-neon.tar.gz",
            "bitnet-0.3.2-aarch64-unknown-linux-gnu-cuda12.tar.gz",
            "bitnet-0.3.2-x86_64-apple-darwin.tar.gz",
            "bitnet-0.3.2-aarch64-apple-darwin.tar.gz",
            "bitnet-0.3.2-x86_64-pc-windows-msvc.zip",
            "bitnet-0.3.2-x86_64-pc-windows-msvc-avx2.zip",
            "bitnet-0.3.2-x86_64-pc-windows-msvc-cuda12.zip",
            "bitnet-0.3.2-aarch64-pc-windows-msvc.zip",
        ])
    }

    fn pick(p: &Platform, prefs: &Preferences) -> String {
        select_asset("bitnet", "0.3.2", &release(), p, prefs)
            .unwrap()
            .asset
    }

    #[test]
    fn parses_our_names() {
        let a = parse_our_asset(
            "bitnet-cli",
            "0.4.0-beta.1",
            "bitnet-cli-0.4.0-beta.1-x86_64-unknown-linux-gnu-cuda12.tar.gz",
        )
        .unwrap();
        assert_eq!(
            (a.target.as_str(), a.variant, a.format),
            (
                "x86_64-unknown-linux-gnu",
                Some(Variant::Cuda(Some(12))),
                Format::Tar(crate::archive::Compression::Gzip)
            )
        );
        let bare = parse_our_asset(
            "bitnet-install",
            "1.0.0",
            "bitnet-install-1.0.0-x86_64-pc-windows-msvc.exe",
        )
        .unwrap();
        assert_eq!((bare.variant, bare.format), (None, Format::Bare));
        assert!(parse_our_asset(
            "bitnet",
            "0.3.2",
            "bitnet-0.3.2-x86_64-unknown-linux-gnu.7z"
        )
        .is_none());
        assert!(parse_our_asset(
            "bitnet",
            "0.3.2",
            "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz.minisig"
        )
        .is_none());
        assert!(parse_our_asset(
            "bitnet",
            "0.3.2",
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-sse9.tar.gz"
        )
        .is_none());
        assert!(parse_our_asset(
            "bitnet",
            "0.3.2",
            "bitnet-0.3.20-x86_64-unknown-linux-gnu.tar.gz"
        )
        .is_none());
    }

    #[test]
    fn linux_gnu_takes_the_best_cpu_variant() {
        assert_eq!(
            pick(&linux_gnu("2.36", &skylake_x(), None), &AUTO),
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx512.tar.gz"
        );
        assert_eq!(
            pick(&linux_gnu("2.36", HASWELL, None), &AUTO),
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx2.tar.gz"
        );
        assert_eq!(
            pick(&linux_gnu("2.36", &HASWELL[..6], None), &AUTO),
            "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz"
        );
    }

    #[test]
    fn cpu_choice_caps_the_variant() {
        let p = linux_gnu("2.36", &skylake_x(), None);
        assert_eq!(
            pick(&p, &prefs(CpuChoice::Avx2, GpuChoice::Auto)),
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx2.tar.gz"
        );
        assert_eq!(
            pick(&p, &prefs(CpuChoice::Baseline, GpuChoice::Auto)),
            "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz"
        );
        // --cpu avx512 overrides detection on a CPU without it.
        let old = linux_gnu("2.36", &HASWELL[..6], None);
        assert_eq!(
            pick(&old, &prefs(CpuChoice::Avx512, GpuChoice::Auto)),
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx512.tar.gz"
        );
    }

    #[test]
    fn cuda_only_when_the_driver_supports_it() {
        let with = linux_gnu("2.36", &skylake_x(), Some("12.4"));
        assert_eq!(
            pick(&with, &AUTO),
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-cuda12.tar.gz"
        );
        assert_eq!(
            pick(&with, &prefs(CpuChoice::Auto, GpuChoice::None)),
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx512.tar.gz"
        );
        let old_driver = linux_gnu("2.36", &skylake_x(), Some("11.8"));
        let sel = select_asset("bitnet", "0.3.2", &release(), &old_driver, &AUTO).unwrap();
        assert_eq!(
            sel.asset,
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx512.tar.gz"
        );
        let cuda = sel
            .candidates
            .iter()
            .find(|c| c.asset.ends_with("gnu-cuda12.tar.gz"))
            .unwrap();
        assert_eq!(cuda.reason, "needs CUDA 12, the driver supports CUDA 11.8");
        assert!(!cuda.accepted);
        let none = linux_gnu("2.36", &skylake_x(), None);
        assert_eq!(
            pick(&none, &prefs(CpuChoice::Auto, GpuChoice::Cuda)),
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-cuda12.tar.gz"
        );
        let e = select_asset(
            "bitnet",
            "0.3.2",
            &release(),
            &old_driver,
            &prefs(CpuChoice::Auto, GpuChoice::Cuda),
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn aarch64_linux_prefers_neon_and_cuda() {
        assert_eq!(
            pick(&linux_aarch64(None), &AUTO),
            "bitnet-0.3.2-aarch64-unknown-linux-gnu-neon.tar.gz"
        );
        assert_eq!(
            pick(&linux_aarch64(Some("12.2")), &AUTO),
            "bitnet-0.3.2-aarch64-unknown-linux-gnu-cuda12.tar.gz"
        );
        assert_eq!(
            pick(
                &linux_aarch64(None),
                &prefs(CpuChoice::Baseline, GpuChoice::Auto)
            ),
            "bitnet-0.3.2-aarch64-unknown-linux-gnu.tar.gz"
        );
    }

    #[test]
    fn musl_system_takes_musl_and_old_glibc_falls_back_to_musl() {
        assert_eq!(
            pick(&linux_musl(), &AUTO),
            "bitnet-0.3.2-x86_64-unknown-linux-musl.tar.gz"
        );
        let old = linux_gnu("2.17", HASWELL, None);
        let sel =
            select_asset_with("bitnet", "0.3.2", &release(), &old, &AUTO, Some("2.28")).unwrap();
        assert_eq!(sel.asset, "bitnet-0.3.2-x86_64-unknown-linux-musl.tar.gz");
        let gnu = sel
            .candidates
            .iter()
            .find(|c| c.asset.ends_with("gnu-avx2.tar.gz"))
            .unwrap();
        assert_eq!(gnu.reason, "needs glibc 2.28, the system has 2.17");
        // Without the release saying so, gnu builds are assumed to work on glibc.
        assert_eq!(
            pick(&old, &AUTO),
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx2.tar.gz"
        );
    }

    #[test]
    fn macos_native_rosetta_and_fallback() {
        assert_eq!(
            pick(&macos_intel(), &AUTO),
            "bitnet-0.3.2-x86_64-apple-darwin.tar.gz"
        );
        assert_eq!(
            pick(&macos_arm(false), &AUTO),
            "bitnet-0.3.2-aarch64-apple-darwin.tar.gz"
        );
        assert_eq!(
            pick(&macos_rosetta(), &AUTO),
            "bitnet-0.3.2-aarch64-apple-darwin.tar.gz"
        );
        let intel_only = names(&["bitnet-0.3.2-x86_64-apple-darwin.tar.gz"]);
        let sel = select_asset("bitnet", "0.3.2", &intel_only, &macos_arm(true), &AUTO).unwrap();
        assert_eq!(sel.target, "x86_64-apple-darwin");
        let e = select_asset("bitnet", "0.3.2", &intel_only, &macos_arm(false), &AUTO).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(
            e.to_string()
                .contains("x86_64-apple-darwin.tar.gz (target x86_64-apple-darwin)"),
            "{e}"
        );
    }

    #[test]
    fn windows_x64_arm64_and_gnu_fallback() {
        assert_eq!(
            pick(&windows_x64(HASWELL, None), &AUTO),
            "bitnet-0.3.2-x86_64-pc-windows-msvc-avx2.zip"
        );
        assert_eq!(
            pick(&windows_x64(HASWELL, Some("12.4")), &AUTO),
            "bitnet-0.3.2-x86_64-pc-windows-msvc-cuda12.zip"
        );
        assert_eq!(
            pick(&windows_arm64_emulated(), &AUTO),
            "bitnet-0.3.2-aarch64-pc-windows-msvc.zip"
        );
        let no_arm = names(&[
            "bitnet-0.3.2-x86_64-pc-windows-msvc.zip",
            "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz",
        ]);
        let sel =
            select_asset("bitnet", "0.3.2", &no_arm, &windows_arm64_emulated(), &AUTO).unwrap();
        assert_eq!(sel.asset, "bitnet-0.3.2-x86_64-pc-windows-msvc.zip");
        let gnu_only = names(&["bitnet-0.3.2-x86_64-pc-windows-gnu.zip"]);
        assert_eq!(
            select_asset(
                "bitnet",
                "0.3.2",
                &gnu_only,
                &windows_x64(HASWELL, None),
                &AUTO
            )
            .unwrap()
            .target,
            "x86_64-pc-windows-gnu"
        );
    }

    #[test]
    fn explanation_covers_every_asset() {
        let sel = select_asset(
            "bitnet",
            "0.3.2",
            &release(),
            &linux_gnu("2.36", HASWELL, None),
            &AUTO,
        )
        .unwrap();
        assert_eq!(sel.candidates.len(), release().len());
        assert_eq!(sel.candidates.iter().filter(|c| c.accepted).count(), 1);
        assert_eq!(sel.variant.as_deref(), Some("avx2"));
        let reason = |suffix: &str| {
            sel.candidates
                .iter()
                .find(|c| c.asset.ends_with(suffix))
                .unwrap()
                .reason
                .clone()
        };
        assert_eq!(reason("SHA256SUMS"), "not a bitnet 0.3.2 asset");
        assert_eq!(reason("gnu-avx512.tar.gz"), "needs avx512");
        assert_eq!(
            reason("aarch64-apple-darwin.tar.gz"),
            "target aarch64-apple-darwin"
        );
        assert!(reason("musl.tar.gz").starts_with("fits, but"));
    }

    #[test]
    fn no_fit_lists_what_the_release_offers() {
        let assets = names(&[
            "SHA256SUMS",
            "bitnet-0.3.2-aarch64-apple-darwin.tar.gz",
            "bitnet-0.3.2-x86_64-unknown-linux-gnu-avx512.tar.gz",
        ]);
        let e = select_asset(
            "bitnet",
            "0.3.2",
            &assets,
            &linux_gnu("2.36", HASWELL, None),
            &AUTO,
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert_eq!(
            e.to_string(),
            "no asset of bitnet 0.3.2 fits x86_64-unknown-linux-gnu: bitnet-0.3.2-aarch64-apple-darwin.tar.gz (target aarch64-apple-darwin), bitnet-0.3.2-x86_64-unknown-linux-gnu-avx512.tar.gz (needs avx512)"
        );
    }

    #[test]
    fn explicit_target_selects_exactly_that_target() {
        let host = linux_gnu("2.36", &skylake_x(), None);
        let musl = crate::platform::for_target("x86_64-unknown-linux-musl", &host).unwrap();
        assert_eq!(
            pick(&musl, &AUTO),
            "bitnet-0.3.2-x86_64-unknown-linux-musl.tar.gz"
        );
        let arm = crate::platform::for_target("aarch64-unknown-linux-gnu", &host).unwrap();
        assert_eq!(
            pick(&arm, &AUTO),
            "bitnet-0.3.2-aarch64-unknown-linux-gnu-neon.tar.gz"
        );
    }
}
