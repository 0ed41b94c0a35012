//! OS and architecture facts: what this process was built for, what the kernel or the
//! hardware is, what the userland is (a 32-bit userland on a 64-bit kernel), emulation
//! (Rosetta, x64 on Windows ARM64) and WSL. `decide` turns them into arch and emulation.

use std::path::Path;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OsFacts {
    /// "linux" | "macos" | "windows" (what this binary was built for).
    pub os: String,
    /// The architecture of this process: "x86_64" | "aarch64" | "x86" | "arm".
    pub process_arch: String,
    /// The kernel's (uname) or hardware's architecture, when known.
    pub machine_arch: Option<String>,
    /// Linux: the architecture of `/bin/sh`, i.e. of the userland.
    pub userland_arch: Option<String>,
    /// macOS: this process is translated by Rosetta (`sysctl.proc_translated`).
    pub rosetta_translated: bool,
    /// macOS: Rosetta is installed, so x86_64 builds run on Apple Silicon.
    pub rosetta_installed: bool,
    pub wsl: bool,
}

/// The decision over `OsFacts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsChoice {
    pub arch: String,
    pub emulation: Option<String>,
    /// macOS on Apple Silicon can run x86_64 builds.
    pub rosetta: bool,
}

/// Linux: the userland decides within the running process's family (a 32-bit
/// userland on a 64-bit kernel wants 32-bit builds); see `linux_arch`. macOS: a translated process is on Apple Silicon. Windows: an x64 or x86
/// process on an ARM64 machine is emulated, and native ARM64 builds are preferred.
pub fn decide(f: &OsFacts) -> OsChoice {
    let process = f.process_arch.clone();
    match f.os.as_str() {
        "linux" => OsChoice {
            arch: linux_arch(f),
            emulation: None,
            rosetta: false,
        },
        "macos" => {
            let apple_silicon = f.rosetta_translated
                || process == "aarch64"
                || f.machine_arch.as_deref() == Some("aarch64");
            OsChoice {
                arch: if apple_silicon {
                    "aarch64".into()
                } else {
                    process
                },
                emulation: f.rosetta_translated.then(|| "rosetta".to_string()),
                rosetta: apple_silicon && (f.rosetta_installed || f.rosetta_translated),
            }
        }
        "windows" if f.machine_arch.as_deref() == Some("aarch64") && process != "aarch64" => {
            OsChoice {
                arch: "aarch64".into(),
                emulation: Some(
                    if process == "x86" {
                        "x86-on-arm64"
                    } else {
                        "x64-on-arm64"
                    }
                    .to_string(),
                ),
                rosetta: false,
            }
        }
        "windows" => OsChoice {
            arch: f.machine_arch.clone().unwrap_or(process),
            emulation: None,
            rosetta: false,
        },
        _ => OsChoice {
            arch: process,
            emulation: None,
            rosetta: false,
        },
    }
}

/// The userland's architecture (`/bin/sh`) when it is of the running
/// process's family (x86 or Arm): then it tells the word size that runs here.
/// A userland of another family proves nothing about what runs: under
/// qemu-user an aarch64 installer sits beside the host's x86_64 `/bin/sh`, and
/// the builds that run are the process's own, so the process's arch decides.
fn linux_arch(f: &OsFacts) -> String {
    let family = |arch: &str| {
        match arch {
            "x86" | "x86_64" => "x86",
            "arm" | "aarch64" => "arm",
            other => other,
        }
        .to_string()
    };
    match &f.userland_arch {
        Some(userland) if family(userland) == family(&f.process_arch) => userland.clone(),
        _ => f.process_arch.clone(),
    }
}

/// Our architecture names from Rust's (`std::env::consts::ARCH`) and uname's.
pub fn normalize_arch(name: &str) -> Option<&'static str> {
    Some(match name {
        "x86_64" | "amd64" | "x64" => "x86_64",
        "aarch64" | "arm64" | "armv8l" => "aarch64",
        "x86" | "i386" | "i486" | "i586" | "i686" => "x86",
        "arm" | "armv7l" | "armv6l" | "armv7" => "arm",
        _ => return None,
    })
}

/// The architecture of an ELF executable from its header (class and `e_machine`).
pub fn elf_arch(header: &[u8]) -> Option<&'static str> {
    if header.len() < 20 || &header[..4] != b"\x7fELF" {
        return None;
    }
    let machine = if header[5] == 2 {
        u16::from_be_bytes([header[18], header[19]])
    } else {
        u16::from_le_bytes([header[18], header[19]])
    };
    match machine {
        3 => Some("x86"),
        62 => Some("x86_64"),
        40 => Some("arm"),
        183 => Some("aarch64"),
        _ => None,
    }
}

fn userland_arch(root: &Path) -> Option<String> {
    use std::io::Read;
    let mut header = [0u8; 20];
    let mut file = std::fs::File::open(root.join("bin/sh")).ok()?;
    file.read_exact(&mut header).ok()?;
    elf_arch(&header).map(str::to_string)
}

fn is_wsl(root: &Path, env: &crate::env::Env) -> bool {
    env.var("WSL_DISTRO_NAME").is_some()
        || std::fs::read_to_string(root.join("proc/sys/kernel/osrelease"))
            .is_ok_and(|r| r.to_ascii_lowercase().contains("microsoft"))
}

/// Reads the facts of this machine; files are read under `root` (`/` outside tests).
pub fn read(root: &Path, env: &crate::env::Env) -> OsFacts {
    // Rust's OS names are already ours ("linux", "macos", "windows").
    let os = std::env::consts::OS;
    let mut facts = OsFacts {
        os: os.to_string(),
        process_arch: normalize_arch(std::env::consts::ARCH)
            .unwrap_or(std::env::consts::ARCH)
            .to_string(),
        ..OsFacts::default()
    };
    if os == "linux" {
        facts.userland_arch = userland_arch(root);
        facts.machine_arch = uname_machine();
        facts.wsl = is_wsl(root, env);
    }
    read_native(&mut facts, root, env);
    facts
}

#[cfg(unix)]
fn uname_machine() -> Option<String> {
    // SAFETY: utsname is plain old data; uname fills it with NUL-terminated strings.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut uts) } != 0 {
        return None;
    }
    let machine = unsafe { std::ffi::CStr::from_ptr(uts.machine.as_ptr()) };
    normalize_arch(machine.to_str().ok()?).map(str::to_string)
}

#[cfg(not(unix))]
fn uname_machine() -> Option<String> {
    None
}

#[cfg(target_os = "macos")]
fn read_native(facts: &mut OsFacts, root: &Path, _env: &crate::env::Env) {
    facts.rosetta_translated = sysctl_int("sysctl.proc_translated") == Some(1);
    if sysctl_int("hw.optional.arm64") == Some(1) {
        facts.machine_arch = Some("aarch64".into());
    }
    facts.rosetta_installed = root
        .join("Library/Apple/usr/share/rosetta/rosetta")
        .exists()
        || root.join("usr/libexec/rosetta/oahd").exists();
}

#[cfg(target_os = "macos")]
fn sysctl_int(name: &str) -> Option<i32> {
    let name = std::ffi::CString::new(name).ok()?;
    let mut value: i32 = 0;
    let mut size = std::mem::size_of::<i32>();
    // SAFETY: value and size describe a valid i32 buffer; name is NUL-terminated.
    let rc = unsafe {
        libc::sysctlbyname(
            name.as_ptr(),
            (&mut value as *mut i32).cast(),
            &mut size,
            std::ptr::null_mut(),
            0,
        )
    };
    (rc == 0).then_some(value)
}

#[cfg(windows)]
fn read_native(facts: &mut OsFacts, _root: &Path, env: &crate::env::Env) {
    facts.machine_arch = windows_native_machine().or_else(|| {
        // PROCESSOR_IDENTIFIER names the hardware even in an emulated process.
        let id = env.var("PROCESSOR_IDENTIFIER")?.to_ascii_lowercase();
        id.starts_with("armv8").then(|| "aarch64".to_string())
    });
}

#[cfg(windows)]
fn windows_native_machine() -> Option<String> {
    #[link(name = "kernel32")]
    extern "system" {
        fn GetCurrentProcess() -> isize;
        fn IsWow64Process2(
            process: isize,
            process_machine: *mut u16,
            native_machine: *mut u16,
        ) -> i32;
    }
    let (mut process, mut native) = (0u16, 0u16);
    // SAFETY: both out-pointers are valid u16s; the pseudo-handle needs no closing.
    if unsafe { IsWow64Process2(GetCurrentProcess(), &mut process, &mut native) } == 0 {
        return None;
    }
    match native {
        0x8664 => Some("x86_64".into()),
        0xAA64 => Some("aarch64".into()),
        0x014c => Some("x86".into()),
        _ => None,
    }
}

#[cfg(not(any(target_os = "macos", windows)))]
fn read_native(_facts: &mut OsFacts, _root: &Path, _env: &crate::env::Env) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(os: &str, process: &str) -> OsFacts {
        OsFacts {
            os: os.into(),
            process_arch: process.into(),
            ..OsFacts::default()
        }
    }

    #[test]
    fn linux_32_bit_userland_on_64_bit_kernel_wants_32_bit_builds() {
        let mut f = facts("linux", "x86_64");
        f.machine_arch = Some("x86_64".into());
        f.userland_arch = Some("x86".into());
        assert_eq!(decide(&f).arch, "x86");
        let mut pi = facts("linux", "arm");
        pi.machine_arch = Some("aarch64".into());
        pi.userland_arch = Some("arm".into());
        assert_eq!(decide(&pi).arch, "arm");
    }

    #[test]
    fn under_qemu_user_the_process_arch_beats_a_foreign_userland() {
        let mut f = facts("linux", "aarch64");
        f.machine_arch = Some("aarch64".into());
        f.userland_arch = Some("x86_64".into());
        assert_eq!(decide(&f).arch, "aarch64");
        f.userland_arch = None;
        assert_eq!(decide(&f).arch, "aarch64");
    }

    #[test]
    fn macos_rosetta_is_apple_silicon() {
        let mut f = facts("macos", "x86_64");
        f.rosetta_translated = true;
        let c = decide(&f);
        assert_eq!(
            (c.arch.as_str(), c.emulation.as_deref(), c.rosetta),
            ("aarch64", Some("rosetta"), true)
        );
        let intel = decide(&facts("macos", "x86_64"));
        assert_eq!(
            (intel.arch.as_str(), intel.emulation, intel.rosetta),
            ("x86_64", None, false)
        );
        let mut native = facts("macos", "aarch64");
        assert!(!decide(&native).rosetta);
        native.rosetta_installed = true;
        assert!(decide(&native).rosetta);
    }

    #[test]
    fn windows_x64_on_arm64_is_emulation() {
        let mut f = facts("windows", "x86_64");
        f.machine_arch = Some("aarch64".into());
        let c = decide(&f);
        assert_eq!(
            (c.arch.as_str(), c.emulation.as_deref()),
            ("aarch64", Some("x64-on-arm64"))
        );
        let mut wow = facts("windows", "x86");
        wow.machine_arch = Some("x86_64".into());
        assert_eq!(decide(&wow).arch, "x86_64");
    }

    #[test]
    fn elf_headers_name_their_machine() {
        let mut h = [0u8; 20];
        h[..4].copy_from_slice(b"\x7fELF");
        h[5] = 1;
        h[18] = 62;
        assert_eq!(elf_arch(&h), Some("x86_64"));
        h[18] = 3;
        assert_eq!(elf_arch(&h), Some("x86"));
        assert_eq!(elf_arch(b"#!/bin/sh\n"), None);
    }

    #[test]
    fn wsl_is_seen_in_the_kernel_release() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("proc/sys/kernel")).unwrap();
        let env = crate::env::Env::fixed("/h", &[], 0);
        assert!(!is_wsl(root.path(), &env));
        std::fs::write(
            root.path().join("proc/sys/kernel/osrelease"),
            "5.15.153.1-microsoft-standard-WSL2\n",
        )
        .unwrap();
        assert!(is_wsl(root.path(), &env));
    }
}
