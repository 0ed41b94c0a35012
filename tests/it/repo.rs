//! `install --repo OWNER/NAME` (CONTRACT 3) against the fake GitHub API, for
//! projects whose releases are laid out their own way: the asset chosen from
//! its name, the strongest evidence the release offers (a minisign signature
//! with `--public-key`, else GitHub's digest or a checksum file, else refused
//! unless `--allow-unverified`), tags that are not semver, and executables
//! found inside the archive.

use std::path::Path;

use crate::support::*;

const RG_REPO: &str = "BurntSushi/ripgrep";
const RG_ASSET: &str = "ripgrep-14.1.0-x86_64-unknown-linux-musl.tar.gz";

/// Writes `files` under `root/<dir>/` and describes them as a GitHub release
/// of `tag` would (digests when `digests`), without listing it anywhere yet.
fn release(
    world: &World,
    dir: &str,
    tag: &str,
    files: &[(&str, Vec<u8>)],
    digests: bool,
) -> GhRelease {
    let release_dir = world.root.join(dir);
    std::fs::create_dir_all(&release_dir).unwrap();
    for (name, bytes) in files {
        std::fs::write(release_dir.join(name), bytes).unwrap();
    }
    world
        .github("scratch/only")
        .publish_dir(tag, &world.root, &release_dir, digests)
}

/// `install --repo <repo>` with the built-in keys (the world sets a key by default).
fn install(world: &World, repo: &str, extra: &[&str]) -> Output {
    let mut cmd = world.cmd();
    cmd.env_remove("BITNET_PUBLIC_KEY")
        .env("BITNET_RETRY_BASE_MS", "10")
        .args(["install", "--repo", repo])
        .args(extra);
    Output::run(&mut cmd)
}

/// The same with `--public-key` set to the world's key.
fn install_with_key(world: &World, repo: &str, extra: &[&str]) -> Output {
    let key = world.key.public_base64();
    let mut args = vec!["--public-key", key.as_str()];
    args.extend_from_slice(extra);
    install(world, repo, &args)
}

fn rg_archive(version: &str) -> Vec<u8> {
    let top = format!("ripgrep-{version}-x86_64-unknown-linux-musl");
    tar_gz(&[
        (&format!("{top}/rg"), fake_exe("rg", version), 0o755),
        (&format!("{top}/README.md"), b"ripgrep".to_vec(), 0o644),
        (&format!("{top}/COPYING"), b"MIT".to_vec(), 0o644),
        (
            &format!("{top}/complete/rg.bash"),
            b"complete".to_vec(),
            0o644,
        ),
    ])
}

/// A ripgrep 14.1.0 release: the musl build this machine should get, its own
/// `.sha256`, a `.deb`, and builds for other systems.
fn rg_files(archive: Vec<u8>) -> Vec<(&'static str, Vec<u8>)> {
    let sha = format!("{}  {RG_ASSET}\n", sha256_hex(&archive));
    vec![
        (RG_ASSET, archive),
        (
            "ripgrep-14.1.0-x86_64-unknown-linux-musl.tar.gz.sha256",
            sha.into_bytes(),
        ),
        ("ripgrep_14.1.0-1_amd64.deb", b"deb".to_vec()),
        ("ripgrep-14.1.0-x86_64-apple-darwin.tar.gz", b"mac".to_vec()),
        (
            "ripgrep-14.1.0-aarch64-apple-darwin.tar.gz",
            b"mac".to_vec(),
        ),
        ("ripgrep-14.1.0-x86_64-pc-windows-msvc.zip", b"win".to_vec()),
    ]
}

/// Only what the user would see in the bin dir, sorted.
fn bin_names(world: &World) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(&world.bin)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn nothing_installed(world: &World) {
    assert!(!world.bin.join("rg").exists(), "rg was linked");
    assert!(
        !world.prefix.join("versions").exists()
            || std::fs::read_dir(world.prefix.join("versions"))
                .unwrap()
                .count()
                == 0,
        "a version directory was left"
    );
    assert!(!world.prefix.join("current").exists());
}

fn served(world: &World, dir: &str, asset: &str) -> usize {
    world.server.count(&format!("/{dir}/{asset}"))
}

#[test]
fn a_ripgrep_like_release_installs_rg_which_runs() {
    let world = World::new();
    let gh = world.github(RG_REPO);
    gh.add(release(
        &world,
        "rg-14.1.0",
        "14.1.0",
        &rg_files(rg_archive("14.1.0")),
        true,
    ));

    let out = install(&world, RG_REPO, &["--json"]);
    out.assert_code(0);
    let json = out.json();
    assert_eq!(json["version"], "14.1.0");
    assert_eq!(json["asset"], RG_ASSET);
    assert_eq!(json["product"], "ripgrep");
    assert_eq!(json["sha256"], sha256_hex(&rg_archive("14.1.0")));
    let rg = world.run_installed("rg", &[]);
    assert_eq!(rg.stdout.trim(), "rg 14.1.0", "{rg}");
    assert_eq!(bin_names(&world), ["bitnet-install", "rg"]);
    assert_eq!(served(&world, "rg-14.1.0", "ripgrep_14.1.0-1_amd64.deb"), 0);
    // The digest sufficed: the checksum file was not even fetched.
    assert_eq!(
        served(&world, "rg-14.1.0", &format!("{RG_ASSET}.sha256")),
        0
    );
    // Receipts, verify and list work as for bitnet's own releases.
    let mut verify = world.cmd();
    verify
        .env_remove("BITNET_PUBLIC_KEY")
        .args(["verify", "--json"]);
    Output::run(&mut verify).assert_code(0);
    let mut list = world.cmd();
    list.env_remove("BITNET_PUBLIC_KEY")
        .args(["list", "--json"]);
    let listed = Output::run(&mut list).assert_code(0).json();
    assert_eq!(listed[0]["version"], "14.1.0");
    assert_eq!(listed[0]["active"], true);
}

#[test]
fn a_checksum_file_is_the_evidence_without_digests_and_catches_tampering() {
    let world = World::new();
    let gh = world.github(RG_REPO);
    let archive = rg_archive("14.1.0");
    let mut files = rg_files(archive.clone());
    files.retain(|(name, _)| !name.ends_with(".sha256"));
    files.push((
        "SHA256SUMS",
        format!("{}  ./{RG_ASSET}\n", sha256_hex(&archive)).into_bytes(),
    ));
    gh.add(release(&world, "rg-14.1.0", "14.1.0", &files, false));

    let out = install(&world, RG_REPO, &["-v"]);
    out.assert_code(0);
    assert!(
        out.stderr.contains("host's checksum") && out.stderr.contains("SHA256SUMS"),
        "{out}"
    );
    assert_eq!(world.run_installed("rg", &[]).stdout.trim(), "rg 14.1.0");

    let tampered = World::new();
    let gh = tampered.github(RG_REPO);
    let mut files = rg_files(archive.clone());
    files.retain(|(name, _)| !name.ends_with(".sha256"));
    files[0].1 = rg_archive("6.6.6");
    files.push((
        "SHA256SUMS",
        format!("{}  {RG_ASSET}\n", sha256_hex(&archive)).into_bytes(),
    ));
    gh.add(release(&tampered, "rg-14.1.0", "14.1.0", &files, false));
    let out = install(&tampered, RG_REPO, &[]);
    out.assert_code(5);
    assert!(
        out.stderr.contains(RG_ASSET) && out.stderr.contains("does not match"),
        "{out}"
    );
    nothing_installed(&tampered);
}

#[test]
fn an_asset_own_sha256_file_is_used_when_there_is_no_digest() {
    let world = World::new();
    let gh = world.github(RG_REPO);
    gh.add(release(
        &world,
        "rg-14.1.0",
        "14.1.0",
        &rg_files(rg_archive("14.1.0")),
        false,
    ));
    install(&world, RG_REPO, &[]).assert_code(0);
    assert_eq!(
        served(&world, "rg-14.1.0", &format!("{RG_ASSET}.sha256")),
        1
    );
}

#[test]
fn a_release_without_evidence_is_refused_unless_allow_unverified() {
    let world = World::new();
    let gh = world.github(RG_REPO);
    let archive = rg_archive("14.1.0");
    let mut files = rg_files(archive.clone());
    files.retain(|(name, _)| !name.ends_with(".sha256"));
    gh.add(release(&world, "rg-14.1.0", "14.1.0", &files, false));

    let out = install(&world, RG_REPO, &[]);
    out.assert_code(5);
    assert!(out.stderr.contains("--allow-unverified"), "{out}");
    nothing_installed(&world);

    let out = install(&world, RG_REPO, &["--allow-unverified", "--json"]);
    out.assert_code(0);
    assert!(
        out.stderr.contains("warning:") && out.stderr.contains("unverified"),
        "{out}"
    );
    assert_eq!(out.json()["sha256"], sha256_hex(&archive));
    let receipt: serde_json::Value =
        serde_json::from_slice(&std::fs::read(world.prefix.join("receipts/14.1.0.json")).unwrap())
            .unwrap();
    assert_eq!(receipt["sha256"], sha256_hex(&archive));
    assert_eq!(world.run_installed("rg", &[]).stdout.trim(), "rg 14.1.0");
}

/// `SHA256SUMS` for the rg release, and its minisig by `key`.
fn signed_sums(key: &TestKey, archive: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let sums = format!("{}  {RG_ASSET}\n", sha256_hex(archive));
    let signature = key.sign(sums.as_bytes(), "timestamp:1700000000\tfile:SHA256SUMS");
    vec![
        ("SHA256SUMS", sums.into_bytes()),
        ("SHA256SUMS.minisig", signature.into_bytes()),
    ]
}

#[test]
fn public_key_requires_a_minisign_signature() {
    let world = World::new();
    let gh = world.github(RG_REPO);
    let archive = rg_archive("14.1.0");
    let mut files = rg_files(archive.clone());
    files.extend(signed_sums(&world.key, &archive));
    gh.add(release(&world, "rg-14.1.0", "14.1.0", &files, true));
    let out = install_with_key(&world, RG_REPO, &["-v"]);
    out.assert_code(0);
    assert!(
        out.stderr.contains("SHA256SUMS, signed with the given key"),
        "{out}"
    );
    assert_eq!(world.run_installed("rg", &[]).stdout.trim(), "rg 14.1.0");

    // GitHub's digest and the checksum files are there, but no signature.
    let unsigned = World::new();
    let gh = unsigned.github(RG_REPO);
    gh.add(release(
        &unsigned,
        "rg-14.1.0",
        "14.1.0",
        &rg_files(archive.clone()),
        true,
    ));
    let out = install_with_key(&unsigned, RG_REPO, &[]);
    out.assert_code(5);
    assert!(out.stderr.contains(&format!("{RG_ASSET}.minisig")), "{out}");
    nothing_installed(&unsigned);

    // Signed, but by another key.
    let stranger = World::new();
    let gh = stranger.github(RG_REPO);
    let mut files = rg_files(archive.clone());
    files.extend(signed_sums(&TestKey::generate(), &archive));
    gh.add(release(&stranger, "rg-14.1.0", "14.1.0", &files, true));
    let out = install_with_key(&stranger, RG_REPO, &[]);
    out.assert_code(5);
    assert!(out.stderr.contains("not trusted"), "{out}");
    nothing_installed(&stranger);
}

#[test]
fn public_key_accepts_a_signature_over_the_asset_itself_and_checks_it() {
    let world = World::new();
    let gh = world.github(RG_REPO);
    let archive = rg_archive("14.1.0");
    let mut files = rg_files(archive.clone());
    let signature = world.key.sign(&archive, "timestamp:1700000000");
    files.push((
        "ripgrep-14.1.0-x86_64-unknown-linux-musl.tar.gz.minisig",
        signature.into_bytes(),
    ));
    gh.add(release(&world, "rg-14.1.0", "14.1.0", &files, false));
    install_with_key(&world, RG_REPO, &[]).assert_code(0);
    assert_eq!(world.run_installed("rg", &[]).stdout.trim(), "rg 14.1.0");

    let forged = World::new();
    let gh = forged.github(RG_REPO);
    let mut files = rg_files(rg_archive("6.6.6"));
    let signature = forged.key.sign(&archive, "timestamp:1700000000");
    files.push((
        "ripgrep-14.1.0-x86_64-unknown-linux-musl.tar.gz.minisig",
        signature.into_bytes(),
    ));
    gh.add(release(&forged, "rg-14.1.0", "14.1.0", &files, false));
    let out = install_with_key(&forged, RG_REPO, &[]);
    out.assert_code(5);
    assert!(out.stderr.contains("does not verify"), "{out}");
    nothing_installed(&forged);
}

const LLAMA_REPO: &str = "ggml-org/llama.cpp";

/// A llama.cpp build: `build/bin/llama-cli` and a shared library, zipped.
fn llama_zip(build: &str) -> Vec<u8> {
    zip(&[
        ("build/bin/llama-cli", fake_exe("llama-cli", build), 0o755),
        ("build/bin/libggml.so", b"\x7fELF".to_vec(), 0o755),
        ("build/LICENSE", b"MIT".to_vec(), 0o644),
    ])
}

/// A llama.cpp-like release of `tag` with CPU and GPU variants for Linux.
fn llama_release(world: &World, tag: &str) -> GhRelease {
    let names = [
        format!("llama-{tag}-bin-ubuntu-noavx-x64.zip"),
        format!("llama-{tag}-bin-ubuntu-avx2-x64.zip"),
        format!("llama-{tag}-bin-ubuntu-avx512-x64.zip"),
        format!("llama-{tag}-bin-ubuntu-cuda-cu12.2.0-x64.zip"),
        format!("llama-{tag}-bin-macos-arm64.zip"),
        format!("llama-{tag}-bin-win-avx2-x64.zip"),
    ];
    let files: Vec<(&str, Vec<u8>)> = names
        .iter()
        .map(|n| (n.as_str(), llama_zip(&format!("{tag} {n}"))))
        .collect();
    release(world, tag, tag, &files, true)
}

#[test]
fn tags_that_are_not_semver_resolve_by_number_and_by_exact_tag() {
    let world = World::new();
    let gh = world.github(LLAMA_REPO);
    gh.add(llama_release(&world, "b3672"));
    gh.add(llama_release(&world, "b3700"));
    let mut pre = llama_release(&world, "b3800");
    pre.prerelease = true;
    gh.add(pre);

    let out = install(&world, LLAMA_REPO, &["--version", "b3672", "--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["version"], "3672.0.0");
    let cli = world.run_installed("llama-cli", &[]);
    assert!(cli.stdout.starts_with("llama-cli b3672 "), "{cli}");

    let out = install(&world, LLAMA_REPO, &["--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["version"], "3700.0.0");
    let cli = world.run_installed("llama-cli", &[]);
    assert!(cli.stdout.starts_with("llama-cli b3700 "), "{cli}");

    // GitHub's pre-release only on a channel that admits pre-releases.
    let out = install(
        &world,
        LLAMA_REPO,
        &["--channel", "beta", "--dry-run", "--json"],
    );
    out.assert_code(0);
    assert_eq!(out.json()["version"], "3800.0.0-pre");
    install(&world, LLAMA_REPO, &["--version", "b9999"]).assert_code(3);
}

/// The llama.cpp-like build a CPU with `features` runs best: the expectation is
/// derived from the facts the binary itself reports, never from this machine.
fn best_llama_build(features: &[&str]) -> &'static str {
    let has = |names: &[&str]| names.iter().all(|n| features.contains(n));
    if has(&["avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl"]) {
        "avx512"
    } else if has(&["avx", "avx2", "fma"]) {
        "avx2"
    } else {
        "noavx"
    }
}

/// Installs the llama-like release with `extra` and checks that `build` was
/// installed and that the library is not a command.
fn assert_llama_build_installed(world: &World, extra: &[&str], build: &str) {
    let mut args = vec!["--gpu", "none", "--json"];
    args.extend_from_slice(extra);
    let out = install(world, LLAMA_REPO, &args);
    out.assert_code(0);
    let expected = format!("llama-b3672-bin-ubuntu-{build}-x64.zip");
    assert_eq!(out.json()["asset"], expected.as_str());
    let cli = world.run_installed("llama-cli", &[]);
    assert_eq!(
        cli.stdout.trim(),
        format!("llama-cli b3672 {expected}"),
        "{cli}"
    );
    assert_eq!(bin_names(world), ["bitnet-install", "llama-cli"]);
}

#[test]
fn llama_like_variants_pick_the_build_the_detected_cpu_runs() {
    let world = World::new();
    let gh = world.github(LLAMA_REPO);
    gh.add(llama_release(&world, "b3672"));
    let detected = world.run(&["detect", "--json"]);
    detected.assert_code(0);
    let json = detected.json();
    let features: Vec<&str> = json["cpu_features"]
        .as_array()
        .expect("cpu_features")
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    assert_llama_build_installed(&world, &[], best_llama_build(&features));
}

#[test]
fn llama_like_variants_take_the_avx2_build_with_cpu_avx2() {
    let world = World::new();
    let gh = world.github(LLAMA_REPO);
    gh.add(llama_release(&world, "b3672"));
    assert_llama_build_installed(&world, &["--cpu", "avx2"], "avx2");
}

#[test]
fn a_bare_executable_is_named_after_the_repository() {
    let world = World::new();
    let gh = world.github("jqlang/jq");
    let exe = fake_exe("jq", "1.7.1");
    let sums = format!("{}  jq-linux-amd64\n", sha256_hex(&exe));
    let files = [
        ("jq-linux-amd64", exe.clone()),
        ("jq-linux-arm64", b"arm".to_vec()),
        ("jq-macos-arm64", b"mac".to_vec()),
        ("jq-windows-amd64.exe", b"win".to_vec()),
        ("sha256sum.txt", sums.into_bytes()),
    ];
    gh.add(release(&world, "jq-1.7.1", "jq-1.7.1", &files, false));
    let out = install(&world, "jqlang/jq", &["--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["version"], "1.7.1");
    assert_eq!(world.run_installed("jq", &[]).stdout.trim(), "jq 1.7.1");
}

#[test]
fn the_default_prefix_of_a_foreign_repo_is_its_own() {
    let world = World::new();
    let gh = world.github(RG_REPO);
    gh.add(release(
        &world,
        "rg-14.1.0",
        "14.1.0",
        &rg_files(rg_archive("14.1.0")),
        true,
    ));
    let mut cmd = world.cmd();
    cmd.env_remove("BITNET_PUBLIC_KEY")
        .env_remove("BITNET_HOME")
        .args(["install", "--repo", RG_REPO]);
    Output::run(&mut cmd).assert_code(0);
    let prefix = world
        .home
        .join(".local/share/bitnet/repos/BurntSushi/ripgrep");
    assert!(Path::new(&prefix.join("receipts/14.1.0.json")).is_file());
    assert_eq!(world.run_installed("rg", &[]).stdout.trim(), "rg 14.1.0");
}

#[test]
fn windows_on_arm_falls_back_to_the_x64_build_and_the_plan_says_so() {
    let world = World::new();
    let gh = world.github(RG_REPO);
    gh.add(release(
        &world,
        "14.1.0",
        "14.1.0",
        &rg_files(rg_archive("14.1.0")),
        true,
    ));
    let out = install(
        &world,
        RG_REPO,
        &["--target", "aarch64-pc-windows-msvc", "--dry-run", "--json"],
    );
    out.assert_code(0);
    let plan = out.json();
    assert_eq!(plan["asset"], "ripgrep-14.1.0-x86_64-pc-windows-msvc.zip");
    assert_eq!(plan["emulated"], true, "{out}");
    let native = install(&world, RG_REPO, &["--dry-run", "--json"]);
    native.assert_code(0);
    assert_eq!(native.json()["emulated"], false);

    let verbose = install(
        &world,
        RG_REPO,
        &["--target", "aarch64-pc-windows-msvc", "--dry-run", "-v"],
    );
    verbose.assert_code(0);
    assert!(verbose.stderr.contains("emulat"), "{verbose}");
}

// --- Archive formats (`archive::Format`) ---------------------------------------

/// An `acme/tool` 1.2.0 release whose only Linux x86_64 build is `linux_asset`,
/// next to a `.deb` and a macOS build of the same format, with GitHub digests.
fn tool_release(world: &World, linux_asset: &str, bytes: Vec<u8>, other_suffix: &str) {
    let files = [
        (linux_asset, bytes),
        ("tool_1.2.0_amd64.deb", b"deb".to_vec()),
        (
            &format!("tool-1.2.0-aarch64-apple-darwin{other_suffix}") as &str,
            b"mac".to_vec(),
        ),
    ];
    world
        .github("acme/tool")
        .add(release(world, "tool-1.2.0", "v1.2.0", &files, true));
}

/// A release whose best asset is a tarball under `compression` installs the
/// executable inside it (not the compressed file as the command), and it runs.
fn a_tarball_release_installs_its_executable(compression: Compression) {
    let world = World::new();
    let top = "tool-1.2.0-x86_64-unknown-linux-musl";
    let asset = format!("{top}{}", tarball_suffix(compression));
    let bytes = tarball(
        compression,
        &[
            Entry::dir(&format!("{top}/")),
            Entry::file(&format!("{top}/tool"), fake_exe("tool", "1.2.0"), 0o755),
            Entry::file(&format!("{top}/README.md"), b"tool".to_vec(), 0o644),
        ],
    );
    tool_release(&world, &asset, bytes, tarball_suffix(compression));
    let out = install(&world, "acme/tool", &["--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["asset"], asset.as_str(), "{out}");
    let tool = world.run_installed("tool", &[]);
    assert_eq!(tool.stdout.trim(), "tool 1.2.0", "{tool}");
    assert_eq!(bin_names(&world), ["bitnet-install", "tool"]);
}

#[test]
fn a_tar_xz_release_installs_the_extracted_executable() {
    a_tarball_release_installs_its_executable(Compression::Xz);
}

#[test]
fn a_tar_zst_release_installs_the_extracted_executable() {
    a_tarball_release_installs_its_executable(Compression::Zstd);
}

#[test]
fn a_tar_bz2_release_installs_the_extracted_executable() {
    a_tarball_release_installs_its_executable(Compression::Bzip2);
}

/// A single gzip-compressed executable is decompressed and installed under the
/// repository's name.
#[test]
fn a_single_file_gz_release_installs_the_decompressed_executable() {
    let world = World::new();
    let asset = format!("tool-linux-amd64{}", compressed_suffix(Compression::Gzip));
    let bytes = compress(Compression::Gzip, &fake_exe("tool", "1.2.0"));
    tool_release(&world, &asset, bytes, ".gz");
    let out = install(&world, "acme/tool", &["--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["asset"], asset.as_str(), "{out}");
    let tool = world.run_installed("tool", &[]);
    assert_eq!(tool.stdout.trim(), "tool 1.2.0", "{tool}");
    assert_eq!(bin_names(&world), ["bitnet-install", "tool"]);
}

/// Formats nothing here opens (`.7z`, a `.deb`, a plain `.tar`) are never chosen,
/// even when they are the only builds for this platform.
#[test]
fn a_format_nothing_can_open_is_never_selected() {
    let world = World::new();
    let files = [
        ("tool-1.2.0-x86_64-unknown-linux-musl.7z", b"7z".to_vec()),
        ("tool-1.2.0-x86_64-unknown-linux-gnu.tar", b"tar".to_vec()),
        ("tool_1.2.0_amd64.deb", b"deb".to_vec()),
    ];
    world
        .github("acme/tool")
        .add(release(&world, "tool-1.2.0", "v1.2.0", &files, true));
    let out = install(&world, "acme/tool", &[]);
    out.assert_code(3);
    assert!(out.stderr.contains("no installable assets"), "{out}");
    for (name, _) in &files {
        assert!(out.stderr.contains(name), "{name} is not listed\n{out}");
    }
    assert!(!world.bin.join("tool").exists(), "tool was linked");
    assert_eq!(served(&world, "tool-1.2.0", "tool_1.2.0_amd64.deb"), 0);
}

#[test]
fn an_asset_name_that_is_not_a_plain_file_name_is_never_chosen() {
    let world = World::new();
    let gh = world.github("acme/tool");
    let files = [
        (
            "../tool-1.2.0-x86_64-unknown-linux-musl.tar.gz",
            b"x".to_vec(),
        ),
        ("tool-1.2.0-aarch64-apple-darwin.tar.gz", b"mac".to_vec()),
    ];
    gh.add(release(&world, "v1.2.0", "v1.2.0", &files, true));
    let out = install(&world, "acme/tool", &["--allow-unverified"]);
    out.assert_code(3);
    assert!(out.stderr.contains("no asset of the release fits"), "{out}");
    assert!(!out.stderr.contains("SHA256SUMS"), "{out}");
    nothing_installed(&world);
}
