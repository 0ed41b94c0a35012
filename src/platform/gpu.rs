//! NVIDIA GPU facts: the driver version (from `/proc/driver/nvidia/version`) and the
//! CUDA version it supports (from `nvidia-smi`'s header, else the driver table).
//! No driver means no GPU; the decision is `cuda_version`.

use std::path::Path;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GpuFacts {
    /// e.g. "550.54.14".
    pub driver_version: Option<String>,
    /// What `nvidia-smi` printed as "CUDA Version: 12.4".
    pub smi_cuda_version: Option<String>,
}

/// The minimum Linux driver of each CUDA release (NVIDIA's CUDA toolkit release notes).
const DRIVER_TABLE: &[((u32, u32), &str)] = &[
    ((580, 65), "13.0"),
    ((575, 51), "12.9"),
    ((570, 26), "12.8"),
    ((560, 28), "12.6"),
    ((555, 42), "12.5"),
    ((550, 54), "12.4"),
    ((545, 23), "12.3"),
    ((535, 54), "12.2"),
    ((530, 30), "12.1"),
    ((525, 60), "12.0"),
    ((520, 61), "11.8"),
    ((515, 43), "11.7"),
    ((510, 39), "11.6"),
    ((495, 29), "11.5"),
    ((470, 42), "11.4"),
    ((465, 19), "11.3"),
    ((460, 27), "11.2"),
    ((455, 23), "11.1"),
    ((450, 36), "11.0"),
    ((440, 33), "10.2"),
    ((418, 39), "10.1"),
    ((410, 48), "10.0"),
];

/// The highest CUDA version the driver supports: what `nvidia-smi` says, else the table.
pub fn cuda_version(facts: &GpuFacts) -> Option<String> {
    if let Some(v) = &facts.smi_cuda_version {
        return Some(v.clone());
    }
    let driver = facts.driver_version.as_deref()?;
    let mut parts = driver.split('.').map(|p| p.parse::<u32>().ok());
    let have = (parts.next()??, parts.next().flatten().unwrap_or(0));
    DRIVER_TABLE
        .iter()
        .find(|(min, _)| have >= *min)
        .map(|(_, cuda)| cuda.to_string())
}

/// The major of a CUDA version string ("12.4" → 12).
pub fn cuda_major(version: &str) -> Option<u32> {
    version.split('.').next()?.parse().ok()
}

/// "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024"
pub fn parse_proc_version(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.starts_with("NVRM version:"))?;
    line.split_whitespace()
        .find(|w| w.contains('.') && w.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .map(str::to_string)
}

/// "| NVIDIA-SMI 550.54.14   Driver Version: 550.54.14   CUDA Version: 12.4 |"
pub fn parse_smi_cuda(text: &str) -> Option<String> {
    let rest = &text[text.find("CUDA Version:")? + "CUDA Version:".len()..];
    let v: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    cuda_major(&v).map(|_| v)
}

/// Reads the driver under `root`, then asks `nvidia-smi` only when a driver is there
/// (on Windows, where there is no proc file, always).
pub fn read(root: &Path) -> GpuFacts {
    let driver_version = std::fs::read_to_string(root.join("proc/driver/nvidia/version"))
        .ok()
        .and_then(|t| parse_proc_version(&t));
    let smi_cuda_version = if driver_version.is_some() || cfg!(windows) {
        run_nvidia_smi().and_then(|out| parse_smi_cuda(&out))
    } else {
        None
    };
    GpuFacts {
        driver_version,
        smi_cuda_version,
    }
}

fn run_nvidia_smi() -> Option<String> {
    let out = std::process::Command::new("nvidia-smi")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_driver_proc_file() {
        let text = "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.14  Release Build  (dvs-builder@U16)  Thu Feb 22 01:25:25 UTC 2024\nGCC version:  gcc version 12.2.0\n";
        assert_eq!(parse_proc_version(text).as_deref(), Some("550.54.14"));
    }

    #[test]
    fn parses_nvidia_smi_header() {
        let text = "| NVIDIA-SMI 550.54.14              Driver Version: 550.54.14      CUDA Version: 12.4     |";
        assert_eq!(parse_smi_cuda(text).as_deref(), Some("12.4"));
        assert_eq!(parse_smi_cuda("no gpu"), None);
    }

    #[test]
    fn smi_wins_over_the_driver_table() {
        let facts = GpuFacts {
            driver_version: Some("550.54.14".into()),
            smi_cuda_version: Some("12.5".into()),
        };
        assert_eq!(cuda_version(&facts).as_deref(), Some("12.5"));
    }

    #[test]
    fn driver_table_maps_to_the_newest_supported_cuda() {
        let at = |d: &str| {
            cuda_version(&GpuFacts {
                driver_version: Some(d.into()),
                smi_cuda_version: None,
            })
        };
        assert_eq!(at("550.54.14").as_deref(), Some("12.4"));
        assert_eq!(at("535.183.01").as_deref(), Some("12.2"));
        assert_eq!(at("470.256.02").as_deref(), Some("11.4"));
        assert_eq!(at("390.157"), None);
        assert_eq!(cuda_version(&GpuFacts::default()), None);
    }

    #[test]
    fn absent_driver_means_no_gpu() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(read(root.path()), GpuFacts::default());
    }
}
