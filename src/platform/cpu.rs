//! CPU facts (the feature flags the running process may use) and the decisions over
//! them: the x86-64 micro-architecture level and whether a build variant runs.

use std::collections::BTreeSet;

use crate::env::Env;

/// Feature names as `std::arch` spells them (`sse4.2`, `avx512f`, `neon`, `dotprod`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CpuFacts {
    pub features: BTreeSet<String>,
}

impl CpuFacts {
    pub fn from_names(names: &[&str]) -> Self {
        CpuFacts {
            features: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.features.contains(name)
    }

    fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.has(n))
    }
}

const X86_64_V2: &[&str] = &["cmpxchg16b", "popcnt", "sse3", "ssse3", "sse4.1", "sse4.2"];
const X86_64_V3: &[&str] = &[
    "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "lzcnt", "movbe", "xsave",
];
const X86_64_V4: &[&str] = &["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"];

/// The x86-64 psABI level (1-4) the features reach; each level includes the ones below.
pub fn x86_64_level(cpu: &CpuFacts) -> u8 {
    let mut level = 1;
    for required in [X86_64_V2, X86_64_V3, X86_64_V4] {
        if !cpu.has_all(required) {
            break;
        }
        level += 1;
    }
    level
}

/// What an `avx2` build needs: AVX2 with FMA (every AVX2 build of an ML runtime uses both).
pub fn runs_avx2(cpu: &CpuFacts) -> bool {
    cpu.has_all(&["avx", "avx2", "fma"])
}

/// What an `avx512` build needs: the AVX-512 subsets every such build uses (F, BW, VL).
pub fn runs_avx512(cpu: &CpuFacts) -> bool {
    runs_avx2(cpu) && cpu.has_all(&["avx512f", "avx512bw", "avx512vl"])
}

/// The features this process can use, read with `std::arch` run-time detection.
#[cfg(not(feature = "fault-injection"))]
pub fn read(_env: &Env) -> CpuFacts {
    read_processor()
}

/// The features this process can use; with the test-only `fault-injection`
/// feature, `BITNET_FAKE_CPU_FEATURES=avx2,fma,…` replaces them, so the whole
/// suite can run as on a CPU with or without AVX-512 whatever the machine has.
#[cfg(feature = "fault-injection")]
pub fn read(env: &Env) -> CpuFacts {
    match env.var(FAKE_FEATURES_VAR) {
        Some(list) => {
            let names: Vec<&str> = list
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect();
            CpuFacts::from_names(&names)
        }
        None => read_processor(),
    }
}

/// The test seam's variable (read only with the `fault-injection` feature).
#[cfg(feature = "fault-injection")]
pub const FAKE_FEATURES_VAR: &str = "BITNET_FAKE_CPU_FEATURES";

/// Run-time detection through `std::arch`.
fn read_processor() -> CpuFacts {
    let mut names: Vec<&str> = Vec::new();
    read_arch_features(&mut names);
    CpuFacts::from_names(&names)
}

#[cfg(target_arch = "x86_64")]
fn read_arch_features(names: &mut Vec<&'static str>) {
    macro_rules! probe {
        ($($f:tt),*) => { $( if std::arch::is_x86_feature_detected!($f) { names.push($f); } )* };
    }
    probe!(
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
        "avx512f",
        "avx512bw",
        "avx512cd",
        "avx512dq",
        "avx512vl",
        "avx512vnni"
    );
}

#[cfg(target_arch = "aarch64")]
fn read_arch_features(names: &mut Vec<&'static str>) {
    macro_rules! probe {
        ($($f:tt),*) => { $( if std::arch::is_aarch64_feature_detected!($f) { names.push($f); } )* };
    }
    probe!("neon", "dotprod", "i8mm", "sve");
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn read_arch_features(_names: &mut Vec<&'static str>) {}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::platform::tests::HASWELL;

    #[test]
    fn levels_follow_the_psabi_sets() {
        assert_eq!(x86_64_level(&CpuFacts::default()), 1);
        assert_eq!(x86_64_level(&CpuFacts::from_names(&HASWELL[..6])), 2);
        assert_eq!(x86_64_level(&CpuFacts::from_names(HASWELL)), 3);
        let mut skylake_x = HASWELL.to_vec();
        skylake_x.extend(["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]);
        assert_eq!(x86_64_level(&CpuFacts::from_names(&skylake_x)), 4);
        // AVX-512 without the lower levels does not make level 4.
        assert_eq!(
            x86_64_level(&CpuFacts::from_names(&["avx512f", "avx512bw"])),
            1
        );
    }

    #[test]
    fn variants_need_their_features() {
        let haswell = CpuFacts::from_names(HASWELL);
        assert!(runs_avx2(&haswell));
        assert!(!runs_avx512(&haswell));
        assert!(!runs_avx2(&CpuFacts::from_names(&["avx", "avx2"])));
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn real_detection_agrees_with_proc_cpuinfo() {
        let Ok(info) = std::fs::read_to_string("/proc/cpuinfo") else {
            return;
        };
        let Some(flags) = info.lines().find(|l| l.starts_with("flags")) else {
            return;
        };
        let flags: BTreeSet<&str> = flags.split_whitespace().collect();
        let cpu = read_processor();
        for (ours, kernel) in [
            ("avx2", "avx2"),
            ("avx512f", "avx512f"),
            ("sse4.2", "sse4_2"),
            ("fma", "fma"),
        ] {
            assert_eq!(cpu.has(ours), flags.contains(kernel), "{ours}");
        }
    }

    #[cfg(feature = "fault-injection")]
    #[test]
    fn the_fake_feature_list_replaces_the_processor() {
        let env = Env::fixed("/h", &[(FAKE_FEATURES_VAR, "avx2, fma,,avx512f")], 0);
        assert_eq!(
            read(&env),
            CpuFacts::from_names(&["avx2", "fma", "avx512f"])
        );
        let unset = Env::fixed("/h", &[], 0);
        assert_eq!(read(&unset), read_processor());
    }
}
