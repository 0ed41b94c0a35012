//! End-to-end checks of what `bitnet-release` writes, run through the real tools a
//! user or a mirror would use (`minisign`, `sha256sum`, `tar`, `unzip`) and through
//! `minisign-verify`, the crate the installer verifies with. A missing tool fails
//! the test with a message saying which Debian package to install.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::*;

const NOW: u64 = 1_763_700_000;

/// Run `program` in `dir`; a missing program fails the test with a clear message.
fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `{program}` ({e}): these tests need it installed (apt-get install minisign coreutils tar unzip)")
        })
}

fn run_ok(dir: &Path, program: &str, args: &[&str]) -> String {
    let output = run(dir, program, args);
    assert!(
        output.status.success(),
        "`{program} {}` failed in {}:\nstdout: {}\nstderr: {}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fake executable with mode 0755, and a README with mode 0644.
fn fake_build(dir: &Path, executables: &[&str]) -> Vec<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    fs::create_dir_all(dir).unwrap();
    let mut files = Vec::new();
    for name in executables {
        let path = dir.join(name);
        fs::write(&path, format!("#!/bin/sh\necho {name}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        files.push(path);
    }
    let readme = dir.join("README.md");
    fs::write(&readme, "# BitNet\n").unwrap();
    fs::set_permissions(&readme, fs::Permissions::from_mode(0o644)).unwrap();
    files.push(readme);
    files
}

fn request(version: &str, target: &str, format: PackageFormat) -> PackageRequest {
    PackageRequest {
        product: "bitnet".into(),
        version: version.into(),
        target: target.into(),
        variant: None,
        format,
    }
}

/// Build, package and seal `bitnet` `version` into `release_dir` with `key`.
fn sealed_release(work: &Path, release_dir: &Path, version: &str, key: &Path) {
    let files = fake_build(
        &work.join(format!("build-{version}")),
        &["bitnet-cli", "bitnet-server"],
    );
    let linux = request(version, "x86_64-unknown-linux-gnu", PackageFormat::TarGz);
    package(&linux, &files, release_dir).unwrap();
    seal(release_dir, "bitnet", version, key, NOW).unwrap();
}

fn verify_with_crate(public_key: &Path, data: &Path, signature: &Path) -> String {
    let public_key = minisign_verify::PublicKey::from_file(public_key).unwrap();
    let signature = minisign_verify::Signature::from_file(signature).unwrap();
    public_key
        .verify(&fs::read(data).unwrap(), &signature, false)
        .unwrap();
    signature.trusted_comment().to_string()
}

#[test]
fn a_sealed_release_verifies_with_minisign_sha256sum_and_minisign_verify() {
    let work = tempfile::tempdir().unwrap();
    let keys = keygen(&work.path().join("keys"), "bitnet", false).unwrap();
    let release = work.path().join("v0.3.2");
    let files = fake_build(&work.path().join("build"), &["bitnet-cli", "bitnet-server"]);
    let linux = request("0.3.2", "x86_64-unknown-linux-gnu", PackageFormat::TarGz);
    let windows = request("0.3.2", "x86_64-pc-windows-msvc", PackageFormat::Zip);
    package(&linux, &files, &release).unwrap();
    package(&windows, &files, &release).unwrap();
    seal(&release, "bitnet", "0.3.2", &keys.secret_key, NOW).unwrap();

    let sums = fs::read_to_string(release.join("SHA256SUMS")).unwrap();
    let names: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    assert_eq!(
        names,
        [
            "bitnet-0.3.2-x86_64-pc-windows-msvc.zip",
            "bitnet-0.3.2-x86_64-unknown-linux-gnu.tar.gz"
        ]
    );

    let public_key = keys.public_key.to_str().unwrap();
    let minisign_out = run_ok(
        &release,
        "minisign",
        &["-Vm", "SHA256SUMS", "-p", public_key],
    );
    let expected_comment = "timestamp:1763700000\tfile:SHA256SUMS\tproduct:bitnet\tversion:0.3.2";
    assert!(minisign_out.contains(expected_comment), "{minisign_out}");
    run_ok(&release, "sha256sum", &["-c", "SHA256SUMS"]);

    let comment = verify_with_crate(
        &keys.public_key,
        &release.join("SHA256SUMS"),
        &release.join("SHA256SUMS.minisig"),
    );
    assert_eq!(comment, expected_comment);
    let signature_text = fs::read_to_string(release.join("SHA256SUMS.minisig")).unwrap();
    let signature = minisign_verify::Signature::decode(&signature_text).unwrap();
    let public = minisign_verify::PublicKey::from_base64(&keys.public_key_base64).unwrap();
    let mut tampered = fs::read(release.join("SHA256SUMS")).unwrap();
    tampered[0] ^= 1;
    assert!(public.verify(&tampered, &signature, false).is_err());

    fs::write(
        release.join("bitnet-0.3.2-x86_64-pc-windows-msvc.zip"),
        "tampered",
    )
    .unwrap();
    assert!(!run(&release, "sha256sum", &["-c", "SHA256SUMS"])
        .status
        .success());
}

#[test]
fn the_index_lists_sealed_releases_newest_first_and_verifies_with_minisign() {
    let work = tempfile::tempdir().unwrap();
    let keys = keygen(work.path(), "bitnet", false).unwrap();
    let root = work.path().join("root");
    for version in ["0.3.2", "0.10.0", "0.4.0-beta.1"] {
        sealed_release(
            work.path(),
            &root.join(format!("v{version}")),
            version,
            &keys.secret_key,
        );
    }
    fs::create_dir_all(root.join("v9.9.9")).unwrap();
    fs::create_dir_all(root.join("vendor")).unwrap();
    fs::write(root.join("vendor/SHA256SUMS.minisig"), "not a release").unwrap();

    write_index(
        &root,
        "bitnet",
        &keys.secret_key,
        NOW,
        parse_duration("30d").unwrap(),
    )
    .unwrap();

    let index: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join("index.json")).unwrap()).unwrap();
    assert_eq!(
        index,
        serde_json::json!({"product": "bitnet", "releases": [
            {"version": "0.10.0"}, {"version": "0.4.0-beta.1"}, {"version": "0.3.2"}
        ]})
    );
    let public_key = keys.public_key.to_str().unwrap();
    let expected_comment = "product:bitnet\ttimestamp:1763700000\texpires:1766292000";
    let minisign_out = run_ok(&root, "minisign", &["-Vm", "index.json", "-p", public_key]);
    assert!(minisign_out.contains(expected_comment), "{minisign_out}");
    let comment = verify_with_crate(
        &keys.public_key,
        &root.join("index.json"),
        &root.join("index.json.minisig"),
    );
    assert_eq!(comment, expected_comment);
}

#[test]
fn the_index_refuses_a_release_sealed_for_another_version() {
    let work = tempfile::tempdir().unwrap();
    let keys = keygen(work.path(), "bitnet", false).unwrap();
    let root = work.path().join("root");
    let release = root.join("v0.3.2");
    sealed_release(work.path(), &release, "0.3.2", &keys.secret_key);
    seal(&release, "bitnet", "0.3.3", &keys.secret_key, NOW).unwrap();

    let err = write_index(&root, "bitnet", &keys.secret_key, NOW, 60).unwrap_err();
    assert_eq!(err.exit_code(), 5);
    assert!(err.to_string().contains("version:0.3.2"), "{err}");
    assert!(!root.join("index.json").exists());
}

#[test]
fn tar_and_unzip_list_the_packaged_files_at_the_root_with_their_modes() {
    let work = tempfile::tempdir().unwrap();
    let files = fake_build(&work.path().join("build"), &["bitnet-cli", "bitnet-server"]);
    let out = work.path().join("out");

    let linux = request("0.3.2", "aarch64-unknown-linux-gnu", PackageFormat::TarGz);
    let tarball = package(&linux, &files, &out).unwrap();
    assert_eq!(
        tarball,
        out.join("bitnet-0.3.2-aarch64-unknown-linux-gnu.tar.gz")
    );
    let tarball = tarball.to_str().unwrap();
    assert_eq!(
        run_ok(&out, "tar", &["-tzf", tarball]),
        "README.md\nbitnet-cli\nbitnet-server\n"
    );
    let verbose = run_ok(&out, "tar", &["--numeric-owner", "-tvzf", tarball]);
    let listed: Vec<(&str, &str)> = verbose
        .lines()
        .map(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            (fields[0], fields[3])
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("-rw-r--r--", "1970-01-01"),
            ("-rwxr-xr-x", "1970-01-01"),
            ("-rwxr-xr-x", "1970-01-01")
        ]
    );

    let windows = request(
        "0.3.2",
        "x86_64-pc-windows-msvc",
        PackageFormat::default_for("x86_64-pc-windows-msvc"),
    );
    let zip = package(&windows, &files, &out).unwrap();
    let zip = zip.to_str().unwrap();
    let listing = run_ok(&out, "unzip", &["-Z1", zip]);
    assert_eq!(listing, "README.md\nbitnet-cli\nbitnet-server\n");
    let long = run_ok(&out, "unzip", &["-l", zip]);
    for name in ["README.md", "bitnet-cli", "bitnet-server"] {
        assert!(
            long.lines().any(|l| l.ends_with(&format!(" {name}"))),
            "{long}"
        );
    }
    let modes = run_ok(&out, "unzip", &["-Z", zip]);
    let mode_of = |name: &str| {
        modes
            .lines()
            .find(|l| l.ends_with(&format!(" {name}")))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_else(|| panic!("{name} missing from:\n{modes}"))
            .to_string()
    };
    assert_eq!(mode_of("bitnet-cli"), "-rwxr-xr-x");
    assert_eq!(mode_of("README.md"), "-rw-r--r--");

    let extracted = work.path().join("extracted");
    fs::create_dir(&extracted).unwrap();
    run_ok(&extracted, "tar", &["-xzf", tarball]);
    assert_eq!(run_ok(&extracted, "sh", &["./bitnet-cli"]), "bitnet-cli\n");
}

#[test]
fn a_bare_executable_keeps_its_bytes_and_gets_mode_0755() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().unwrap();
    let files = fake_build(&work.path().join("build"), &["bitnet-install"]);
    let out = work.path().join("out");
    let mut bare = request("0.1.0", "x86_64-unknown-linux-musl", PackageFormat::Bare);
    bare.product = "bitnet-install".into();
    let asset = package(&bare, &files[..1], &out).unwrap();
    assert_eq!(
        asset,
        out.join("bitnet-install-0.1.0-x86_64-unknown-linux-musl")
    );
    assert_eq!(fs::read(&asset).unwrap(), fs::read(&files[0]).unwrap());
    assert_eq!(
        fs::metadata(&asset).unwrap().permissions().mode() & 0o777,
        0o755
    );
}

#[test]
fn the_minisign_tool_can_sign_with_a_generated_secret_key() {
    let work = tempfile::tempdir().unwrap();
    let keys = keygen(work.path(), "bitnet", false).unwrap();
    fs::write(work.path().join("data"), "hello").unwrap();
    let secret = keys.secret_key.to_str().unwrap();
    let public = keys.public_key.to_str().unwrap();
    run_ok(
        work.path(),
        "minisign",
        &["-S", "-s", secret, "-m", "data", "-t", "product:bitnet"],
    );
    let out = run_ok(work.path(), "minisign", &["-Vm", "data", "-p", public]);
    assert!(out.contains("product:bitnet"), "{out}");
}
