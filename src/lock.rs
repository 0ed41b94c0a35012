//! One advisory lock per prefix, so two installers never interleave their
//! changes. A second process waits, saying who holds the lock, and gives up
//! with exit 6 after a timeout. The lock file is opened without following
//! symbolic links, so a planted link cannot redirect it.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, IoContext, Result};

/// Held until dropped.
pub struct PrefixLock {
    _file: File,
}

pub fn acquire(path: &Path, wait: Duration, on_wait: impl FnOnce(&str)) -> Result<PrefixLock> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).at("create", parent)?;
    }
    let mut file = open_no_follow(path)?;
    let started = Instant::now();
    let mut on_wait = Some(on_wait);
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                let holder = read_holder(&mut file);
                if let Some(say) = on_wait.take() {
                    say(&holder);
                }
                if started.elapsed() >= wait {
                    return Err(Error::local(
                        "lock",
                        path,
                        format!(
                            "another bitnet-install ({holder}) is still working on this prefix"
                        ),
                        "wait for it to finish, or stop it, then try again.",
                    ));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(TryLockError::Error(e)) => return Err(Error::io("lock", path, e)),
        }
    }
    record_holder(&mut file);
    Ok(PrefixLock { _file: file })
}

fn open_no_follow(path: &Path) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW).mode(0o644);
    }
    options.open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            Error::local(
                "open",
                path,
                "the lock file is a symbolic link",
                "remove that link; something planted it where the installer keeps its lock.",
            )
        } else {
            Error::io("open", path, e)
        }
    })
}

fn read_holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file
        .rewind()
        .and_then(|_| file.take(200).read_to_string(&mut text));
    match text.trim() {
        "" => "another process".to_string(),
        holder => holder.to_string(),
    }
}

/// Best effort: the holder's pid helps the user find it, but the lock itself
/// is what protects the prefix.
fn record_holder(file: &mut File) {
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "pid {}", std::process::id());
    let _ = file.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_times_out_with_exit_6_naming_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let _held = acquire(&path, Duration::from_secs(1), |_| {}).unwrap();
        let mut seen = String::new();
        let err = match acquire(&path, Duration::from_millis(300), |h| seen = h.to_string()) {
            Err(e) => e,
            Ok(_) => panic!("second lock was granted"),
        };
        assert_eq!(err.exit_code(), 6);
        assert!(seen.contains(&std::process::id().to_string()), "{seen}");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        let path = dir.path().join(".lock");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let err = acquire(&path, Duration::from_millis(10), |_| {})
            .err()
            .unwrap();
        assert_eq!(err.exit_code(), 6);
        assert!(!target.exists());
    }
}
