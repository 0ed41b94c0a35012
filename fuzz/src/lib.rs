//! Shared by the extraction fuzz targets: unpack bytes into a fresh temp dir and
//! check that nothing escaped it.

use std::path::Path;

use bitnet_install::archive::Format;
use bitnet_install::extract::{extract, Limits};

/// Small limits keep each run fast; the escape check is what matters.
fn limits() -> Limits {
    Limits {
        max_total_bytes: 4 << 20,
        max_entries: 256,
    }
}

/// Writes `data` as an archive of `kind` and extracts it into
/// `<tmp>/a/b/c/dest`, then asserts that the tree of `<tmp>` outside `dest` is
/// exactly what it was (so `../`, up to four levels, wrote nothing), and that
/// nothing inside `dest` is a link leading out of it or a setuid, setgid or
/// world-writable file.
pub fn extract_and_check(data: &[u8], kind: Format) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("a/b/c/dest");
    std::fs::create_dir_all(&dest).expect("create dest");
    let archive = tmp.path().join("a/archive");
    std::fs::write(&archive, data).expect("write archive");
    let before = tree_outside(tmp.path(), &dest);
    let _ = extract(&archive, kind, "bitnet-cli", &dest, &limits());
    assert_eq!(
        tree_outside(tmp.path(), &dest),
        before,
        "something landed outside dest"
    );
    check_inside(&dest, &dest);
}

/// Every path under `dir`, except what is under `skip`, sorted.
fn tree_outside(dir: &Path, skip: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("read dir").flatten() {
            let path = entry.path();
            out.push(path.display().to_string());
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir && path != skip {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

fn check_inside(dir: &Path, dest: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let canonical_dest = dest.canonicalize().expect("canonical dest");
    for entry in entries.flatten() {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        if meta.file_type().is_symlink() {
            if let Ok(resolved) = path.canonicalize() {
                assert!(
                    resolved.starts_with(&canonical_dest),
                    "{} points outside dest to {}",
                    path.display(),
                    resolved.display()
                );
            }
        } else if meta.is_dir() {
            check_inside(&path, dest);
        } else {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                meta.permissions().mode() & 0o6002,
                0,
                "{} is setuid/setgid or world-writable",
                path.display()
            );
        }
    }
}
