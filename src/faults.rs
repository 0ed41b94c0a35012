//! Fault injection for the crash-safety tests. `checkpoint` marks a step of an
//! install; built without the `fault-injection` feature it does nothing. With
//! the feature, `BITNET_FAULT_CRASH_AT=<name>` kills the process with SIGKILL
//! at that checkpoint (as `kill -9` would), `BITNET_FAULT_FAIL_WRITE_AT=<name>`
//! makes it return a "no space left" error (or "read-only file system" with
//! `BITNET_FAULT_WRITE_ERROR=read-only`), and `BITNET_FAULT_TRACE=<file>`
//! appends each checkpoint reached to that file, so the tests can check that
//! every name in `CHECKPOINTS` is really on the path of an install.

/// Every checkpoint of an install or update, in the order they are reached.
/// Those before `committed` may fail; the ones after it only crash, because
/// by then the new version is in place.
#[cfg(any(test, feature = "fault-injection"))]
pub const CHECKPOINTS: &[&str] = &[
    "downloaded",
    "extracted",
    "version-dir-moved",
    "receipt-temp-written",
    "receipt-written",
    "executables-linked",
    "installer-copied",
    "state-temp-written",
    "state-saved",
    "current-switched",
    "committed",
    "pruned",
];

/// Marks a step; see the module documentation.
#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn checkpoint(_name: &str) -> std::io::Result<()> {
    Ok(())
}

/// Marks a step; see the module documentation.
#[cfg(feature = "fault-injection")]
pub fn checkpoint(name: &str) -> std::io::Result<()> {
    if let Some(trace) = std::env::var_os("BITNET_FAULT_TRACE") {
        use std::io::Write;
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(trace)
        {
            let _ = writeln!(file, "{name}");
        }
    }
    if std::env::var("BITNET_FAULT_CRASH_AT").is_ok_and(|at| at == name) {
        // SAFETY: getpid and kill have no memory-safety preconditions.
        #[cfg(unix)]
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        // Windows has no SIGKILL: abort ends the process at once, as a kill would.
        std::process::abort();
    }
    if std::env::var("BITNET_FAULT_FAIL_WRITE_AT").is_ok_and(|at| at == name) {
        let kind = match std::env::var("BITNET_FAULT_WRITE_ERROR").as_deref() {
            Ok("read-only") => std::io::ErrorKind::ReadOnlyFilesystem,
            _ => std::io::ErrorKind::StorageFull,
        };
        return Err(std::io::Error::new(
            kind,
            format!("injected write failure at {name}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_are_unique_and_committed_is_among_them() {
        let mut names = CHECKPOINTS.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), CHECKPOINTS.len());
        assert!(CHECKPOINTS.contains(&"committed"));
    }

    #[test]
    fn an_unnamed_checkpoint_passes() {
        assert!(checkpoint("no-such-checkpoint-is-ever-armed").is_ok());
    }
}
