//! The platform: facts read from the OS by thin readers (`os`, `cpu`, `libc`, `gpu`),
//! turned into one `Platform` by pure functions, so every OS's logic is unit-tested
//! here with fake facts. `select` then picks an asset for the `Platform`.

pub mod cpu;
pub mod gpu;
pub mod libc;
pub mod os;
pub mod target;

use std::path::Path;

use crate::error::{Error, Result};

pub use cpu::CpuFacts;
pub use gpu::GpuFacts;
pub use libc::LibcFacts;
pub use os::OsFacts;

/// What this machine is and runs, as `detect --json` prints it.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct Platform {
    /// "linux" | "macos" | "windows"
    pub os: String,
    /// "x86_64" | "aarch64" | "x86" | "arm": the native architecture (Apple Silicon under Rosetta is "aarch64").
    pub arch: String,
    /// The primary triple, e.g. "x86_64-unknown-linux-gnu".
    pub target: String,
    /// Every triple this machine runs, best first (the primary one first).
    pub targets: Vec<String>,
    /// "gnu" | "musl" (Linux only).
    pub libc: Option<String>,
    /// The system's glibc version, e.g. "2.36".
    pub libc_version: Option<String>,
    /// Feature names as `std::arch` spells them: x86 ones for x86 builds, plus "neon" on aarch64.
    pub cpu_features: Vec<String>,
    /// "x86-64-v1" .. "x86-64-v4" when x86 builds run here.
    pub cpu_level: Option<String>,
    /// The NVIDIA driver version, e.g. "550.54.14".
    pub gpu_driver: Option<String>,
    /// The highest CUDA version the driver supports, e.g. "12.4".
    pub cuda: Option<String>,
    /// "rosetta" | "x64-on-arm64" | "x86-on-arm64"
    pub emulation: Option<String>,
    pub wsl: bool,
}

/// `--cpu`: caps (or raises) the CPU level used to pick a variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum CpuChoice {
    Auto,
    Baseline,
    Avx2,
    Avx512,
    Neon,
}

/// `--gpu`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum GpuChoice {
    Auto,
    None,
    Cuda,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preferences {
    pub cpu: CpuChoice,
    pub gpu: GpuChoice,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            cpu: CpuChoice::Auto,
            gpu: GpuChoice::Auto,
        }
    }
}

impl CpuChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            CpuChoice::Auto => "auto",
            CpuChoice::Baseline => "baseline",
            CpuChoice::Avx2 => "avx2",
            CpuChoice::Avx512 => "avx512",
            CpuChoice::Neon => "neon",
        }
    }
}

/// All the facts `Platform` is decided from.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub os: OsFacts,
    pub cpu: CpuFacts,
    pub libc: LibcFacts,
    pub gpu: GpuFacts,
}

/// Reads the facts of this machine with files under `root` (`/` outside tests).
pub fn read_facts(root: &Path, env: &crate::env::Env) -> Facts {
    let os = os::read(root, env);
    let on_linux = os.os == "linux";
    Facts {
        cpu: cpu::read(env),
        libc: if on_linux {
            libc::read(root)
        } else {
            LibcFacts::default()
        },
        gpu: if os.os == "macos" {
            GpuFacts::default()
        } else {
            gpu::read(root)
        },
        os,
    }
}

/// This machine.
pub fn detect(env: &crate::env::Env) -> Platform {
    decide(&read_facts(Path::new("/"), env))
}

/// The pure decision: facts → `Platform`.
pub fn decide(facts: &Facts) -> Platform {
    let os_choice = os::decide(&facts.os);
    let os = facts.os.os.clone();
    let libc_choice = (os == "linux").then(|| libc::decide(&facts.libc));
    let targets = target::compatible_targets(&target::RunFacts {
        os: &os,
        arch: &os_choice.arch,
        libcs: libc_choice
            .as_ref()
            .map(|c| c.usable.clone())
            .unwrap_or_default(),
        rosetta: os_choice.rosetta,
    });
    let mut cpu_features: Vec<String> = facts.cpu.features.iter().cloned().collect();
    // NEON is part of the aarch64 baseline; a Rosetta process cannot see it.
    if os_choice.arch == "aarch64" && !cpu_features.iter().any(|f| f == "neon") {
        cpu_features.push("neon".into());
    }
    let runs_x86_64 = targets.iter().any(|t| t.starts_with("x86_64"));
    Platform {
        target: targets
            .first()
            .cloned()
            .unwrap_or_else(|| format!("{}-unknown-{}", os_choice.arch, os)),
        targets,
        libc: libc_choice
            .as_ref()
            .and_then(|c| c.libc)
            .map(str::to_string),
        libc_version: libc_choice.and_then(|c| c.version),
        cpu_level: runs_x86_64.then(|| format!("x86-64-v{}", cpu::x86_64_level(&facts.cpu))),
        cpu_features,
        gpu_driver: facts.gpu.driver_version.clone(),
        cuda: gpu::cuda_version(&facts.gpu),
        emulation: os_choice.emulation,
        wsl: facts.os.wsl,
        arch: os_choice.arch,
        os,
    }
}

impl Platform {
    /// The CPU facts back from the feature names.
    pub fn cpu(&self) -> CpuFacts {
        CpuFacts {
            features: self.cpu_features.iter().cloned().collect(),
        }
    }

    /// Whether a gnu build made against glibc `required` runs here.
    pub fn glibc_satisfies(&self, required: &str) -> bool {
        libc::glibc_satisfies(self.libc_version.as_deref(), required)
    }

    /// The major CUDA version the driver supports.
    pub fn cuda_major(&self) -> Option<u32> {
        self.cuda.as_deref().and_then(gpu::cuda_major)
    }
}

/// `--target`: exactly that triple; CPU features are kept only for an architecture this
/// machine runs, the GPU only for the same OS and architecture.
pub fn for_target(triple: &str, detected: &Platform) -> Result<Platform> {
    let parts = target::parse_target(triple)
        .filter(|_| target::KNOWN_TARGETS.contains(&triple))
        .ok_or_else(|| {
            Error::usage(
                format!("unknown target '{triple}'"),
                format!("use one of: {}.", target::KNOWN_TARGETS.join(", ")),
            )
        })?;
    let arch = parts.arch.to_string();
    let runs_arch = |a: &str| {
        detected
            .targets
            .iter()
            .any(|t| target::parse_target(t).is_some_and(|p| p.arch == a))
    };
    let keep_cpu = arch == detected.arch
        || runs_arch(&arch)
        || (arch == "universal" && detected.os == "macos");
    let cpu_features: Vec<String> = if keep_cpu {
        detected.cpu_features.clone()
    } else if arch == "aarch64" {
        vec!["neon".into()]
    } else {
        Vec::new()
    };
    let same_machine = parts.os == detected.os && arch == detected.arch;
    let cpu_level = (arch == "x86_64").then(|| {
        let level = if keep_cpu {
            cpu::x86_64_level(&detected.cpu())
        } else {
            1
        };
        format!("x86-64-v{level}")
    });
    Ok(Platform {
        os: parts.os.to_string(),
        target: triple.to_string(),
        targets: target::explicit_targets(triple),
        libc: (parts.os == "linux").then(|| parts.env.unwrap_or("gnu").to_string()),
        libc_version: (parts.os == detected.os && parts.env == Some("gnu"))
            .then(|| detected.libc_version.clone())
            .flatten(),
        cpu_features,
        cpu_level,
        gpu_driver: same_machine.then(|| detected.gpu_driver.clone()).flatten(),
        cuda: same_machine.then(|| detected.cuda.clone()).flatten(),
        emulation: None,
        wsl: parts.os == "linux" && detected.wsl,
        arch,
    })
}

/// Refuses `--cpu`/`--gpu` values the platform cannot have.
pub fn check_preferences(p: &Platform, prefs: &Preferences) -> Result<()> {
    let runs = |a: &str| {
        p.arch == a
            || p.targets
                .iter()
                .any(|t| target::parse_target(t).is_some_and(|t| t.arch == a))
    };
    let needed_arch = match prefs.cpu {
        CpuChoice::Avx2 | CpuChoice::Avx512 => Some("x86_64"),
        CpuChoice::Neon => Some("aarch64"),
        CpuChoice::Auto | CpuChoice::Baseline => None,
    };
    if let Some(arch) = needed_arch.filter(|a| !runs(a)) {
        let accepted = if p.arch == "aarch64" {
            "auto, baseline, neon"
        } else if p.arch == "x86_64" {
            "auto, baseline, avx2, avx512"
        } else {
            "auto, baseline"
        };
        return Err(Error::usage(
            format!(
                "--cpu {} needs an {arch} target, but {} is {}",
                prefs.cpu.as_str(),
                p.target,
                p.arch
            ),
            format!("for {} use --cpu with one of: {accepted}.", p.target),
        ));
    }
    if prefs.gpu == GpuChoice::Cuda && p.os == "macos" {
        return Err(Error::usage(
            format!("--gpu cuda is not available on {}", p.target),
            "for macOS use --gpu with one of: auto, none.",
        ));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const HASWELL: &[&str] = &[
        "sse3",
        "ssse3",
        "sse4.1",
        "sse4.2",
        "popcnt",
        "cmpxchg16b",
        "avx",
        "avx2",
        "fma",
        "f16c",
        "bmi1",
        "bmi2",
        "lzcnt",
        "movbe",
        "xsave",
    ];

    pub fn skylake_x() -> Vec<&'static str> {
        let mut v = HASWELL.to_vec();
        v.extend([
            "avx512f",
            "avx512bw",
            "avx512cd",
            "avx512dq",
            "avx512vl",
            "avx512vnni",
        ]);
        v
    }

    fn os(os: &str, arch: &str) -> OsFacts {
        OsFacts {
            os: os.into(),
            process_arch: arch.into(),
            ..OsFacts::default()
        }
    }

    pub fn linux_gnu(glibc: &str, cpu: &[&str], cuda: Option<&str>) -> Platform {
        decide(&Facts {
            os: os("linux", "x86_64"),
            cpu: CpuFacts::from_names(cpu),
            libc: LibcFacts {
                glibc: true,
                glibc_version: Some(glibc.into()),
                musl: false,
            },
            gpu: GpuFacts {
                driver_version: cuda.map(|_| "550.54.14".into()),
                smi_cuda_version: cuda.map(str::to_string),
            },
        })
    }

    pub fn linux_musl() -> Platform {
        decide(&Facts {
            os: os("linux", "x86_64"),
            cpu: CpuFacts::from_names(HASWELL),
            libc: LibcFacts {
                glibc: false,
                glibc_version: None,
                musl: true,
            },
            gpu: GpuFacts::default(),
        })
    }

    pub fn linux_aarch64(cuda: Option<&str>) -> Platform {
        decide(&Facts {
            os: os("linux", "aarch64"),
            cpu: CpuFacts::from_names(&["neon", "dotprod"]),
            libc: LibcFacts {
                glibc: true,
                glibc_version: Some("2.35".into()),
                musl: false,
            },
            gpu: GpuFacts {
                driver_version: None,
                smi_cuda_version: cuda.map(str::to_string),
            },
        })
    }

    pub fn macos_intel() -> Platform {
        decide(&Facts {
            os: os("macos", "x86_64"),
            cpu: CpuFacts::from_names(HASWELL),
            ..Facts::default()
        })
    }

    pub fn macos_arm(rosetta_installed: bool) -> Platform {
        let mut f = os("macos", "aarch64");
        f.rosetta_installed = rosetta_installed;
        decide(&Facts {
            os: f,
            cpu: CpuFacts::from_names(&["neon", "dotprod", "i8mm"]),
            ..Facts::default()
        })
    }

    pub fn macos_rosetta() -> Platform {
        let mut f = os("macos", "x86_64");
        f.rosetta_translated = true;
        f.rosetta_installed = true;
        decide(&Facts {
            os: f,
            cpu: CpuFacts::from_names(&HASWELL[..6]),
            ..Facts::default()
        })
    }

    pub fn windows_x64(cpu: &[&str], cuda: Option<&str>) -> Platform {
        decide(&Facts {
            os: os("windows", "x86_64"),
            cpu: CpuFacts::from_names(cpu),
            gpu: GpuFacts {
                driver_version: None,
                smi_cuda_version: cuda.map(str::to_string),
            },
            ..Facts::default()
        })
    }

    pub fn windows_arm64_emulated() -> Platform {
        let mut f = os("windows", "x86_64");
        f.machine_arch = Some("aarch64".into());
        decide(&Facts {
            os: f,
            cpu: CpuFacts::from_names(&HASWELL[..6]),
            ..Facts::default()
        })
    }

    #[test]
    fn linux_gnu_platform() {
        let p = linux_gnu("2.36", &skylake_x(), None);
        assert_eq!(p.target, "x86_64-unknown-linux-gnu");
        assert_eq!(
            p.targets,
            ["x86_64-unknown-linux-gnu", "x86_64-unknown-linux-musl"]
        );
        assert_eq!(p.libc.as_deref(), Some("gnu"));
        assert_eq!(p.libc_version.as_deref(), Some("2.36"));
        assert_eq!(p.cpu_level.as_deref(), Some("x86-64-v4"));
        assert_eq!(p.cuda, None);
        assert!(p.glibc_satisfies("2.28") && !p.glibc_satisfies("2.39"));
    }

    #[test]
    fn linux_musl_platform() {
        let p = linux_musl();
        assert_eq!(p.target, "x86_64-unknown-linux-musl");
        assert_eq!(p.targets.len(), 1);
        assert_eq!(p.libc.as_deref(), Some("musl"));
    }

    #[test]
    fn aarch64_linux_has_neon_and_no_x86_level() {
        let p = linux_aarch64(Some("12.2"));
        assert_eq!(p.target, "aarch64-unknown-linux-gnu");
        assert!(p.cpu_features.contains(&"neon".to_string()));
        assert_eq!(p.cpu_level, None);
        assert_eq!(p.cuda_major(), Some(12));
    }

    #[test]
    fn macos_platforms() {
        assert_eq!(
            macos_intel().targets,
            ["x86_64-apple-darwin", "universal-apple-darwin"]
        );
        assert_eq!(
            macos_arm(false).targets,
            ["aarch64-apple-darwin", "universal-apple-darwin"]
        );
        assert_eq!(macos_arm(false).cpu_level, None);
        let r = macos_rosetta();
        assert_eq!(
            (r.arch.as_str(), r.target.as_str()),
            ("aarch64", "aarch64-apple-darwin")
        );
        assert_eq!(r.emulation.as_deref(), Some("rosetta"));
        assert!(r.cpu_features.contains(&"neon".to_string()));
        assert_eq!(r.cpu_level.as_deref(), Some("x86-64-v2"));
        assert_eq!(r.libc, None);
    }

    #[test]
    fn windows_platforms() {
        let p = windows_x64(HASWELL, Some("12.4"));
        assert_eq!(p.target, "x86_64-pc-windows-msvc");
        assert_eq!(p.targets[1], "x86_64-pc-windows-gnu");
        let a = windows_arm64_emulated();
        assert_eq!(a.target, "aarch64-pc-windows-msvc");
        assert_eq!(a.emulation.as_deref(), Some("x64-on-arm64"));
        assert_eq!(a.targets[1], "x86_64-pc-windows-msvc");
    }

    #[test]
    fn for_target_accepts_known_triples_only() {
        let host = linux_gnu("2.36", &skylake_x(), Some("12.4"));
        let e = for_target("x86_64-linux", &host).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint().contains("aarch64-apple-darwin"));
        let musl = for_target("x86_64-unknown-linux-musl", &host).unwrap();
        assert_eq!(musl.targets, ["x86_64-unknown-linux-musl"]);
        assert_eq!(musl.cpu_features, host.cpu_features);
        assert_eq!(musl.libc.as_deref(), Some("musl"));
        assert_eq!(musl.cuda.as_deref(), Some("12.4"));
        let arm = for_target("aarch64-apple-darwin", &host).unwrap();
        assert_eq!((arm.os.as_str(), arm.arch.as_str()), ("macos", "aarch64"));
        assert_eq!(arm.cpu_features, ["neon"]);
        assert_eq!((arm.cuda, arm.libc), (None, None));
    }

    #[test]
    fn for_target_keeps_x86_features_under_rosetta() {
        let host = macos_rosetta();
        let intel = for_target("x86_64-apple-darwin", &host).unwrap();
        assert!(intel.cpu_features.contains(&"sse4.2".to_string()));
        assert_eq!(intel.cpu_level.as_deref(), Some("x86-64-v2"));
    }

    #[test]
    fn cpu_preferences_must_fit_the_architecture() {
        let prefs = |cpu| Preferences {
            cpu,
            gpu: GpuChoice::Auto,
        };
        let arm = linux_aarch64(None);
        let e = check_preferences(&arm, &prefs(CpuChoice::Avx512)).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint().contains("auto, baseline, neon"), "{}", e.hint());
        assert!(check_preferences(&arm, &prefs(CpuChoice::Neon)).is_ok());
        let x86 = linux_gnu("2.36", HASWELL, None);
        assert!(check_preferences(&x86, &prefs(CpuChoice::Neon)).is_err());
        assert!(check_preferences(&x86, &prefs(CpuChoice::Avx512)).is_ok());
        let gpu = Preferences {
            cpu: CpuChoice::Auto,
            gpu: GpuChoice::Cuda,
        };
        assert_eq!(
            check_preferences(&macos_arm(true), &gpu)
                .unwrap_err()
                .exit_code(),
            2
        );
    }

    #[test]
    fn real_detection_on_this_machine() {
        let env = crate::env::Env::fixed("/h", &[], 0);
        let p = detect(&env);
        assert_eq!(p.os, std::env::consts::OS);
        assert_eq!(p.target, p.targets[0]);
        if cfg!(all(
            target_arch = "x86_64",
            target_os = "linux",
            target_env = "gnu"
        )) {
            assert_eq!(p.arch, "x86_64");
            assert_eq!(p.libc.as_deref(), Some("gnu"));
        }
        // The CPU is whatever this machine has: only its reading is checked,
        // against the processor itself.
        assert_eq!(p.cpu(), cpu::read(&env));
    }
}
