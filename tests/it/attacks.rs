//! The attacks of SECURITY.md, one test (or a small group) per row, each through
//! the binary: install 0.3.1, offer something malicious, and check that the
//! installer refuses it, that nothing was installed or changed, and that 0.3.1
//! still runs. The anchors are The Update Framework's attacks on software
//! updaters and the RustSec advisories against archive extraction. The table in
//! SECURITY.md names these tests; `the_security_table_names_every_attack_test`
//! keeps the two in step.

use std::io::Write;
use std::path::Path;

use base64::Engine;

use crate::support::*;

fn asset_032() -> String {
    format!("bitnet-0.3.2-{TARGET}.tar.gz")
}

/// The standard executables of 0.3.2 plus `extra` entries, as a tar.gz release.
fn archive_032(extra: Vec<Entry>) -> ReleaseBuilder {
    let mut entries = vec![
        Entry::file("bitnet-cli", fake_exe("bitnet-cli", "0.3.2"), 0o755),
        Entry::file("bitnet-server", fake_exe("bitnet-server", "0.3.2"), 0o755),
    ];
    entries.extend(extra);
    ReleaseBuilder::new("bitnet", "0.3.2").asset_raw(&asset_032(), tar_gz_entries(&entries))
}

/// A validly signed 0.3.2 whose archive holds these entries must be refused.
fn refused_archive(entries: Vec<Entry>) -> World {
    refused_upgrade(5, archive_032(entries), |_| {})
}

/// `refused_upgrade` for a 0.3.2 release, also checking that the refusal names
/// the defence that fired (`reason`), not some later one.
fn refused_saying(release: ReleaseBuilder, reason: &str) {
    let world = world_with(&["0.3.1"]);
    install(&world, &[]).assert_code(0);
    let before = snapshot(&world);
    world.publish(&release);
    world.publish_index("bitnet", &["0.3.1", "0.3.2"]);
    let out = install(&world, &["--version", "0.3.2", "--json"]);
    assert!(out.stdout.contains(reason), "expected '{reason}'\n{out}");
    assert_refused(&world, &out, 5, &before, "bitnet-cli 0.3.1");
}

/// Nothing named `escape*` exists anywhere in the world outside the served root.
fn assert_no_escape(world: &World) {
    for relative in World::tree(world.dir.path()) {
        if relative.starts_with("root/") {
            continue;
        }
        assert!(
            !relative
                .rsplit('/')
                .next()
                .unwrap_or("")
                .starts_with("escape"),
            "{relative} was written"
        );
    }
}

fn edit_file(path: &Path, edit: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, edit(text)).unwrap();
}

fn sums_signature(world: &World) -> std::path::PathBuf {
    world.root.join("v0.3.2/SHA256SUMS.minisig")
}

// --- Arbitrary package -------------------------------------------------------

/// No signature at all is a release that is not there (404, exit 3); an empty
/// or garbage one is a verification failure.
#[test]
fn arbitrary_package_unsigned() {
    refused_upgrade(5, good_032().unsigned(), |_| {});
    refused_upgrade(5, good_032().signature_text(""), |_| {});
    refused_upgrade(
        5,
        good_032().signature_text("untrusted comment: x\nRWQ=\n"),
        |_| {},
    );
}

#[test]
fn arbitrary_package_bit_flipped_signature() {
    refused_upgrade(5, good_032(), |world| {
        edit_file(&sums_signature(world), |text| {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let b64 = base64::engine::general_purpose::STANDARD;
            let mut signature = b64.decode(&lines[1]).unwrap();
            signature[20] ^= 0x01;
            lines[1] = b64.encode(signature);
            lines.join("\n") + "\n"
        });
    });
}

#[test]
fn arbitrary_package_foreign_key() {
    refused_upgrade(5, good_032().signed_by(&TestKey::generate()), |_| {});
}

#[test]
fn arbitrary_package_edited_trusted_comment() {
    refused_upgrade(5, good_032(), |world| {
        edit_file(&sums_signature(world), |text| {
            assert!(text.contains("version:0.3.2"));
            text.replace("version:0.3.2", "version:0.3.2 note:edited")
        });
    });
}

// --- Mix-and-match -----------------------------------------------------------

/// The signed SHA256SUMS of 0.3.1 and its signature, verbatim (a real, valid
/// signature), served as 0.3.2's: refused because the comment names 0.3.1.
#[test]
fn mix_and_match_checksums_of_another_version() {
    let world = world_with(&["0.3.1"]);
    install(&world, &[]).assert_code(0);
    let before = snapshot(&world);
    world.publish(&good_032());
    world.publish_index("bitnet", &["0.3.1", "0.3.2"]);
    for file in ["SHA256SUMS", "SHA256SUMS.minisig"] {
        let old = world.root.join("v0.3.1").join(file);
        std::fs::copy(old, world.root.join("v0.3.2").join(file)).unwrap();
    }
    let out = install(&world, &["--version", "0.3.2", "--json"]);
    assert!(out.stdout.contains("for version '0.3.1'"), "{out}");
    assert_refused(&world, &out, 5, &before, "bitnet-cli 0.3.1");
}

#[test]
fn mix_and_match_checksums_of_another_product() {
    let comment = release_trusted_comment(unix_now(), "other-product", "0.3.2");
    refused_upgrade(5, good_032().trusted_comment(&comment), |_| {});
}

// --- Rollback ----------------------------------------------------------------

#[test]
fn rollback_to_an_older_signed_index() {
    let world = world_with(&["0.3.1"]);
    let now = unix_now();
    write_index(
        &world.root,
        "bitnet",
        &["0.3.1"],
        &world.key,
        now,
        now + 3600,
    );
    install(&world, &[]).assert_code(0);
    let before = snapshot(&world);
    world.publish(&good_032());
    write_index(
        &world.root,
        "bitnet",
        &["0.3.1", "0.3.2"],
        &world.key,
        now - 1000,
        now + 3600,
    );
    let out = install(&world, &["--version", "0.3.2", "--json"]);
    assert!(out.stdout.contains("rolled back"), "{out}");
    assert_refused(&world, &out, 5, &before, "bitnet-cli 0.3.1");
}

/// A freshly signed index that offers only an older version: neither `install`
/// nor `update` goes back to it.
#[test]
fn rollback_older_version_offered_as_latest() {
    let world = World::new();
    for v in ["0.3.0", "0.3.1"] {
        world.publish(&ReleaseBuilder::new("bitnet", v).asset_standard(TARGET, None));
    }
    world.publish_index("bitnet", &["0.3.0", "0.3.1"]);
    install(&world, &[]).assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.1");
    let before = snapshot(&world);
    let now = unix_now();
    write_index(
        &world.root,
        "bitnet",
        &["0.3.0"],
        &world.key,
        now + 1,
        now + 3600,
    );
    let root = world.root_url();
    for command in ["install", "update"] {
        let out = world.run(&[command, "--from", &root, "--json"]);
        out.assert_code(0);
        assert_eq!(out.json()["version"], "0.3.1", "{out}");
        assert_ne!(out.json()["status"], "installed", "{out}");
        assert_eq!(snapshot(&world), before, "{command} changed nothing");
        installed_cli_says(&world, "bitnet-cli 0.3.1");
    }
}

// --- Indefinite freeze -------------------------------------------------------

/// The clock is the real one: the index was signed with timestamps in the past.
#[test]
fn indefinite_freeze_expired_index() {
    refused_upgrade(5, good_032(), |world| {
        let now = unix_now();
        write_index(
            &world.root,
            "bitnet",
            &["0.3.1", "0.3.2"],
            &world.key,
            now - 7200,
            now - 1,
        );
    });
}

// --- Fast-forward and key rotation --------------------------------------------

/// A compromised key signs an index dated far in the future; the client accepts
/// it and records its high-water mark. The publisher rotates to a new key: while
/// the old key is still trusted the new index looks rolled back, and once the old
/// key is retired the mark it set no longer counts, so updates flow again.
#[test]
fn fast_forward_recovery_after_key_rotation() {
    let world = world_with(&["0.3.1"]);
    let (old, new) = (world.key.clone(), TestKey::generate());
    let far_future = unix_now() + 10 * 365 * 24 * 3600;
    write_index(
        &world.root,
        "bitnet",
        &["0.3.1"],
        &old,
        far_future,
        far_future + 3600,
    );
    install(&world, &[]).assert_code(0);

    good_032().write_to(&world.root, &new);
    let now = unix_now();
    write_index(
        &world.root,
        "bitnet",
        &["0.3.1", "0.3.2"],
        &new,
        now,
        now + 3600,
    );
    let run = |keys: String| {
        let root = world.root_url();
        Output::run(world.cmd().env("BITNET_PUBLIC_KEY", keys).args([
            "install",
            "--from",
            &root,
            "--version",
            "0.3.2",
            "--json",
        ]))
    };
    let before = snapshot(&world);
    let both = format!("{},{}", old.public_base64(), new.public_base64());
    let out = run(both);
    assert!(out.stdout.contains("rolled back"), "{out}");
    assert_refused(&world, &out, 5, &before, "bitnet-cli 0.3.1");

    run(new.public_base64()).assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

/// After a rotation the client trusts only the new key: a release signed by the
/// retired one is refused, and one signed by the new key installs.
#[test]
fn retired_key_is_refused() {
    let world = world_with(&["0.3.1"]);
    let (retired, current) = (world.key.clone(), TestKey::generate());
    install(&world, &[]).assert_code(0);
    good_032().write_to(&world.root, &retired);
    let now = unix_now();
    write_index(
        &world.root,
        "bitnet",
        &["0.3.1", "0.3.2"],
        &current,
        now,
        now + 3600,
    );
    let root = world.root_url();
    let run = || {
        Output::run(
            world
                .cmd()
                .env("BITNET_PUBLIC_KEY", current.public_base64())
                .args(["install", "--from", &root, "--version", "0.3.2", "--json"]),
        )
    };
    let before = snapshot(&world);
    let out = run();
    assert!(out.stdout.contains("not trusted"), "{out}");
    assert_refused(&world, &out, 5, &before, "bitnet-cli 0.3.1");

    good_032().write_to(&world.root, &current);
    run().assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}

// --- Endless data and slow retrieval -----------------------------------------

/// The server sends more body than its Content-Length announced: the client
/// stops at the announced size, so the extra bytes never reach the file.
#[test]
fn endless_data_body_longer_than_announced() {
    refused_upgrade(5, good_032(), |world| {
        world
            .server
            .fault(&format!("/v0.3.2/{}", asset_032()), Fault::LengthDelta(-64));
    });
}

#[test]
fn endless_data_huge_checksums_or_signature() {
    let line = format!("{}  filler\n", "0".repeat(64));
    let huge_sums = line.repeat(2 * 1024 * 1024 / line.len());
    let world = refused_upgrade(5, good_032(), |world| {
        std::fs::write(world.root.join("v0.3.2/SHA256SUMS"), &huge_sums).unwrap();
    });
    assert!(world.server.count("/v0.3.2/SHA256SUMS") > 0);
    refused_upgrade(5, good_032(), |world| {
        let huge = "untrusted comment: x\n".repeat(64 * 1024);
        std::fs::write(sums_signature(world), huge).unwrap();
    });
    refused_upgrade(5, good_032(), |world| {
        let huge_index = vec![b' '; 5 * 1024 * 1024];
        std::fs::write(world.root.join("index.json"), huge_index).unwrap();
    });
}

/// An asset served at 200 bytes a second, below the minimum rate averaged over
/// the (one second) timeout, is abandoned; it would otherwise take minutes.
#[test]
fn slow_retrieval_trickle() {
    let started = std::time::Instant::now();
    let noise: Vec<u8> = (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let release = archive_032(vec![Entry::file("noise.bin", noise, 0o644)]);
    let world = world_with(&["0.3.1"]);
    install(&world, &[]).assert_code(0);
    let before = snapshot(&world);
    world.publish(&release);
    world.publish_index("bitnet", &["0.3.1", "0.3.2"]);
    world
        .server
        .fault(&format!("/v0.3.2/{}", asset_032()), Fault::Trickle(200));
    let root = world.root_url();
    let out = Output::run(world.cmd().env("BITNET_RATE_WINDOW", "2").args([
        "install",
        "--from",
        &root,
        "--version",
        "0.3.2",
        "--json",
    ]));
    assert_refused(&world, &out, 4, &before, "bitnet-cli 0.3.1");
    assert!(out.stderr.contains("slower than"), "{out}");
    assert!(started.elapsed().as_secs() < 100, "gave up in time");
}

// --- Malicious mirror ---------------------------------------------------------

/// The first root serves an index signed by an attacker's key and a tampered
/// asset; the second is honest. The installer refuses the first and installs
/// the genuine release from the second; nothing of the first is downloaded.
#[test]
fn malicious_mirror_then_good_one() {
    let good = world_with(&["0.3.1", "0.3.2"]);
    let evil = World::new();
    let attacker = TestKey::generate();
    good_032()
        .tamper_asset(&asset_032(), b"malware".to_vec())
        .write_to(&evil.root, &attacker);
    let now = unix_now();
    write_index(&evil.root, "bitnet", &["0.3.2"], &attacker, now, now + 3600);
    let roots = format!("{},{}", evil.root_url(), good.root_url());
    let out = good.run(&["install", "--from", &roots, "--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["version"], "0.3.2");
    installed_cli_says(&good, "bitnet-cli 0.3.2");
    assert_eq!(evil.server.count(&format!("/v0.3.2/{}", asset_032())), 0);
}

// --- Archive contents ---------------------------------------------------------

/// Only the product's declared executables reach the bin dir, whatever else the
/// (validly signed) archive carries.
#[test]
fn extraneous_files_stay_out_of_the_bin_dir() {
    let world = world_with(&["0.3.1"]);
    install(&world, &[]).assert_code(0);
    world.publish(&archive_032(vec![
        Entry::file("sudo", fake_exe("sudo", "evil"), 0o755),
        Entry::file("ls", fake_exe("ls", "evil"), 0o755),
        Entry::file("lib/libevil.so", b"x".to_vec(), 0o755),
    ]));
    world.publish_index("bitnet", &["0.3.1", "0.3.2"]);
    install(&world, &["--version", "0.3.2"]).assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
    assert_eq!(
        World::tree(&world.bin),
        ["bitnet-cli", "bitnet-install", "bitnet-server"]
    );
}

#[test]
fn zip_slip_dotdot() {
    for name in ["../escape-1", "sub/../../escape-2", "./../../escape-3"] {
        let world = refused_archive(vec![Entry::file(name, b"x".to_vec(), 0o644)]);
        assert_no_escape(&world);
    }
}

/// The tarballs other than tar.gz go through the same extraction rules: a `../`
/// entry in a validly signed .tar.xz, .tar.zst or .tar.bz2 is refused.
#[test]
fn zip_slip_dotdot_in_every_tar_compression() {
    for compression in [Compression::Xz, Compression::Zstd, Compression::Bzip2] {
        let name = format!("bitnet-0.3.2-{TARGET}{}", tarball_suffix(compression));
        let entries = [
            Entry::file("bitnet-cli", fake_exe("bitnet-cli", "0.3.2"), 0o755),
            Entry::file("../escape-compressed", b"x".to_vec(), 0o644),
        ];
        let release =
            ReleaseBuilder::new("bitnet", "0.3.2").asset_raw(&name, tarball(compression, &entries));
        assert_no_escape(&refused_upgrade(5, release, |_| {}));
    }
}

/// `..\` is a separator on Windows, so it is treated as one everywhere, in tar
/// and in zip.
#[test]
fn zip_slip_windows_backslash() {
    let world = refused_archive(vec![Entry::file("..\\escape-tar", b"x".to_vec(), 0o644)]);
    assert_no_escape(&world);
    let name = format!("bitnet-0.3.2-{TARGET}.zip");
    let zip = zip_entries(&[
        Entry::file("bitnet-cli", fake_exe("bitnet-cli", "0.3.2"), 0o755),
        Entry::file("..\\..\\escape-zip", b"x".to_vec(), 0o644),
    ]);
    let world = refused_upgrade(
        5,
        ReleaseBuilder::new("bitnet", "0.3.2").asset_raw(&name, zip),
        |_| {},
    );
    assert_no_escape(&world);
}

#[test]
fn absolute_paths() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("escape-abs");
    let unix = target.to_str().unwrap().to_string();
    for name in [
        unix.as_str(),
        "C:\\escape-drive",
        "C:/escape-drive",
        "\\\\server\\escape-unc",
    ] {
        refused_archive(vec![Entry::file(name, b"x".to_vec(), 0o644)]);
    }
    assert!(!target.exists());
}

#[test]
fn symlink_escape_then_file_through_it() {
    let outside = tempfile::tempdir().unwrap();
    for target in ["..", "../..", "/", outside.path().to_str().unwrap()] {
        let world = refused_archive(vec![
            Entry::symlink("link", target),
            Entry::file("link/escape-through-link", b"x".to_vec(), 0o644),
        ]);
        assert_no_escape(&world);
    }
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

/// A link to a file outside, then a regular file of the same name: an
/// extractor that writes through the link overwrites the outside file.
#[test]
fn symlink_then_file_of_the_same_name() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "original").unwrap();
    refused_archive(vec![
        Entry::symlink("bitnet-helper", victim.to_str().unwrap()),
        Entry::file("bitnet-helper", b"overwritten".to_vec(), 0o644),
    ]);
    refused_archive(vec![
        Entry::symlink("inner", "bitnet-cli"),
        Entry::file("inner", b"overwritten".to_vec(), 0o644),
    ]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "original");
}

#[test]
fn hardlink_escape() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "original").unwrap();
    for target in [victim.to_str().unwrap(), "../../etc/passwd", "bitnet-cli"] {
        refused_archive(vec![Entry::hardlink("bitnet-helper", target)]);
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "original");
}

/// A PAX `size` record that disagrees with the ustar header's size: readers
/// that honour one or the other see different files (RUSTSEC-2025-0110/0111).
#[test]
fn pax_size_disagrees_with_ustar_size() {
    for pax_size in ["0", "4096"] {
        let hidden = b"#!/bin/sh\necho hidden\n";
        let mut tar = tar::Builder::new(Vec::new());
        let mut pax = tar::Header::new_ustar();
        let record = format!("size={pax_size}\n");
        let record = format!(
            "{} {record}",
            record.len() + 1 + (record.len() + 1).to_string().len()
        );
        pax.set_entry_type(tar::EntryType::XHeader);
        pax.set_size(record.len() as u64);
        pax.set_cksum();
        tar.append(&pax, record.as_bytes()).unwrap();
        let mut header = tar::Header::new_ustar();
        header.set_path("bitnet-cli").unwrap();
        header.set_mode(0o755);
        header.set_size(hidden.len() as u64);
        header.set_cksum();
        tar.append(&header, &hidden[..]).unwrap();
        let bytes = tar.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes).unwrap();
        let release =
            ReleaseBuilder::new("bitnet", "0.3.2").asset_raw(&asset_032(), gz.finish().unwrap());
        refused_saying(release, "PAX size record that disagrees");
    }
}

// --- Decompression bombs -----------------------------------------------------

/// A tar entry announcing 8 GiB (the gzip stream is zeros): refused at its
/// header, before a byte is written.
#[test]
fn bomb_gzip_of_zeros() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut header = tar::Header::new_gnu();
    header.set_path("bitnet-cli").unwrap();
    header.set_mode(0o755);
    header.set_size(8 << 30);
    header.set_cksum();
    gz.write_all(header.as_bytes()).unwrap();
    gz.write_all(&vec![0u8; 16 << 20]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 1 << 20);
    refused_saying(
        ReleaseBuilder::new("bitnet", "0.3.2").asset_raw(&asset_032(), bomb),
        "declares 8589934592 bytes",
    );
}

/// `bomb_gzip_of_zeros` under xz, zstd and bzip2: the same header check fires
/// whatever the compression.
#[test]
fn bomb_of_zeros_in_every_tar_compression() {
    let mut header = tar::Header::new_gnu();
    header.set_path("bitnet-cli").unwrap();
    header.set_mode(0o755);
    header.set_size(8 << 30);
    header.set_cksum();
    let tar = [header.as_bytes().as_slice(), &vec![0u8; 1 << 20]].concat();
    for compression in [Compression::Xz, Compression::Zstd, Compression::Bzip2] {
        let bomb = compress(compression, &tar);
        assert!(bomb.len() < 1 << 20, "{compression:?}");
        let name = format!("bitnet-0.3.2-{TARGET}{}", tarball_suffix(compression));
        refused_saying(
            ReleaseBuilder::new("bitnet", "0.3.2").asset_raw(&name, bomb),
            "declares 8589934592 bytes",
        );
    }
}

/// Two central-directory entries pointing at the same local data, the way
/// overlapping-entry zip bombs reuse one compressed block many times.
#[test]
fn bomb_zip_overlapping_entries() {
    let mut zip = zip_entries(&[
        Entry::file("bitnet-cli", fake_exe("bitnet-cli", "0.3.2"), 0o755),
        Entry::file("bitnet-srv", fake_exe("bitnet-cli", "0.3.2"), 0o755),
    ]);
    let central: Vec<usize> = zip
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == [b'P', b'K', 1, 2])
        .map(|(i, _)| i)
        .collect();
    assert_eq!(central.len(), 2);
    zip[central[1] + 42..central[1] + 46].copy_from_slice(&0u32.to_le_bytes());
    let name = format!("bitnet-0.3.2-{TARGET}.zip");
    refused_saying(
        ReleaseBuilder::new("bitnet", "0.3.2").asset_raw(&name, zip),
        "zip consistency check",
    );
}

/// A million empty directories (a few MB of gzip): refused once the entry
/// count passes the limit, long before the end.
#[test]
fn bomb_a_million_entries() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_mode(0o755);
    header.set_size(0);
    for i in 0..1_000_000u32 {
        header.set_path(format!("d{i}/")).unwrap();
        header.set_cksum();
        gz.write_all(header.as_bytes()).unwrap();
    }
    let bomb = gz.finish().unwrap();
    refused_saying(
        ReleaseBuilder::new("bitnet", "0.3.2").asset_raw(&asset_032(), bomb),
        "has more than 10000 entries",
    );
}

// --- Modes and local tampering ------------------------------------------------

#[cfg(unix)]
#[test]
fn setuid_and_world_writable_modes() {
    use std::os::unix::fs::PermissionsExt;
    let world = world_with(&["0.3.1"]);
    install(&world, &[]).assert_code(0);
    let entries = vec![
        Entry::file("bitnet-cli", fake_exe("bitnet-cli", "0.3.2"), 0o4777),
        Entry::file("bitnet-server", fake_exe("bitnet-server", "0.3.2"), 0o2777),
        Entry::file("README.md", b"x".to_vec(), 0o666),
    ];
    world.publish(
        &ReleaseBuilder::new("bitnet", "0.3.2").asset_raw(&asset_032(), tar_gz_entries(&entries)),
    );
    world.publish_index("bitnet", &["0.3.1", "0.3.2"]);
    install(&world, &["--version", "0.3.2"]).assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
    for relative in World::tree(&world.prefix.join("versions")) {
        let path = world.prefix.join("versions").join(&relative);
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = meta.permissions().mode() & 0o7777;
        assert_eq!(mode & 0o7002, 0, "{relative} has mode {mode:o}");
        if relative.ends_with("bitnet-cli") || relative.ends_with("bitnet-server") {
            assert_eq!(mode, 0o755, "{relative}");
        }
    }
}

/// A symbolic link planted where the installer writes its state or takes its
/// lock, pointing at a file of the user's: the file is never written through.
#[cfg(unix)]
#[test]
fn symlink_planted_at_state_or_lock_file() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    for planted in ["state.json", ".lock"] {
        let world = world_with(&["0.3.1"]);
        install(&world, &[]).assert_code(0);
        world.publish(&good_032());
        world.publish_index("bitnet", &["0.3.1", "0.3.2"]);
        std::fs::write(&victim, "{}").unwrap();
        let path = world.prefix.join(planted);
        let _ = std::fs::remove_file(&path);
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let out = install(&world, &["--version", "0.3.2"]);
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "{}",
            "{planted}: {out}"
        );
        if planted == "state.json" {
            out.assert_code(0);
            assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
        } else {
            out.assert_code(6);
            installed_cli_says(&world, "bitnet-cli 0.3.1");
        }
    }
}

/// While the genuine 0.3.2 trickles in, a local attacker renames another archive
/// over the download's path (between hashing and extraction). What gets
/// installed must be the bytes that were hashed: the swap is caught.
#[test]
fn file_swapped_between_verification_and_installation() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let world = world_with(&["0.3.1"]);
    install(&world, &[]).assert_code(0);
    let before = snapshot(&world);
    let padding: Vec<u8> = (0..6 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 7) as u8)
        .collect();
    world.publish(&archive_032(vec![Entry::file(
        "padding.bin",
        padding,
        0o644,
    )]));
    world.publish_index("bitnet", &["0.3.1", "0.3.2"]);
    world
        .server
        .fault(&format!("/v0.3.2/{}", asset_032()), Fault::Trickle(4096));

    let evil = tar_gz_entries(&[
        Entry::file("bitnet-cli", fake_exe("bitnet-cli", "evil"), 0o755),
        Entry::file("bitnet-server", fake_exe("bitnet-server", "evil"), 0o755),
    ]);
    let (tmp, swapped, done) = (
        world.prefix.join("tmp"),
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let watcher = {
        let (swapped, done) = (Arc::clone(&swapped), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) && !swapped.load(Ordering::SeqCst) {
                // The download streams into tmp/partial/<asset>.part (kept
                // for a resume), moved into a download directory once checked.
                for dir in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
                    let download = [asset_032(), format!("{}.part", asset_032())]
                        .map(|name| dir.path().join(name))
                        .into_iter()
                        .find(|path| path.exists());
                    if let Some(download) = download {
                        let decoy = dir.path().join("decoy");
                        std::fs::write(&decoy, &evil).unwrap();
                        std::fs::rename(&decoy, &download).unwrap();
                        swapped.store(true, Ordering::SeqCst);
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        })
    };
    let out = install(&world, &["--version", "0.3.2", "--json"]);
    done.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
    assert!(
        swapped.load(Ordering::SeqCst),
        "the test swapped the download"
    );
    assert!(out.stdout.contains("changed after"), "{out}");
    assert_refused(&world, &out, 5, &before, "bitnet-cli 0.3.1");
}

/// A plain-http host, `mirror.example`, reached through a local proxy that
/// serves `world`'s files: what an attacker on the path would answer.
fn plain_http_mirror(world: &World) -> TestServer {
    let proxy = TestServer::http(world.root.clone());
    let root = world.root.clone();
    proxy.handle(move |request| {
        let path = request.path.strip_prefix("http://mirror.example/")?;
        std::fs::read(root.join(path)).ok().map(Response::ok)
    });
    proxy
}

#[test]
fn downgrade_by_redirect_to_plain_http() {
    let asset = format!("/v0.3.2/{}", asset_032());
    for path in ["/index.json", asset.as_str()] {
        let world = world_with(&["0.3.2"]);
        let mirror = plain_http_mirror(&world);
        let downgrade = format!("http://mirror.example{path}");
        world.server.fault(path, Fault::Redirect(downgrade.clone()));
        let out = Output::run(world.cmd().env("HTTP_PROXY", mirror.base_url()).args([
            "install",
            "--from",
            &world.root_url(),
        ]));
        out.assert_code(4);
        assert!(out.stderr.contains(&downgrade), "{out}");
        assert!(mirror.requests().is_empty(), "nothing goes over plain http");
        assert!(!world.bin.join("bitnet-cli").exists(), "{out}");
    }
}

#[test]
fn github_token_sent_only_to_the_api_host_over_https() {
    type Start = fn(std::path::PathBuf) -> TestServer;
    let elsewhere: [Start; 2] = [
        |root| TestServer::https(root),
        |root| TestServer::http(root),
    ];
    for start in elsewhere {
        let world = World::new();
        let storage = start(world.root.clone());
        let written =
            world.publish(&ReleaseBuilder::new("bitnet", "0.3.2").asset_standard(TARGET, None));
        let mut release =
            world
                .github("scratch/only")
                .publish_dir("v0.3.2", &world.root, &written.dir, true);
        for asset in release.assets.iter_mut().filter(|a| a.name == asset_032()) {
            asset.browser_download_url = asset
                .browser_download_url
                .replace(&world.server.base_url(), &storage.base_url());
        }
        world.github("microsoft/BitNet").add(release);
        let out = Output::run(
            world
                .cmd()
                .env("GITHUB_TOKEN", "tok123")
                .args(["install", "--target", TARGET]),
        );
        out.assert_code(0);
        assert_eq!(
            storage.count(&format!("/v0.3.2/{}", asset_032())),
            1,
            "{out}"
        );
        for request in storage.requests() {
            assert_eq!(request.header("authorization"), None, "{}", request.target);
        }
        for request in world.server.requests() {
            assert_eq!(
                request.header("authorization"),
                Some("Bearer tok123"),
                "every file on the API host gets the token: {}",
                request.target
            );
        }
    }
}

#[test]
fn command_that_is_a_directory_or_missing() {
    let server = || Entry::file("bitnet-server", fake_exe("bitnet-server", "0.3.2"), 0o755);
    let as_directory = vec![
        Entry::dir("bitnet-cli"),
        Entry::file("bitnet-cli/readme.txt", "not a program", 0o644),
        server(),
    ];
    for entries in [as_directory, vec![server()]] {
        let release = ReleaseBuilder::new("bitnet", "0.3.2")
            .asset_raw(&asset_032(), tar_gz_entries(&entries));
        let world = refused_upgrade(5, release, |_| {});
        let out = world.run(&["install", "--from", &world.root_url(), "--version", "0.3.2"]);
        assert!(out.stderr.contains("bitnet-cli"), "{out}");
    }
}

#[test]
fn trusted_comment_version_not_spelled_exactly() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for comment in [
        release_trusted_comment(now, "bitnet", "v0.3.2"),
        format!(
            "{} version:0.3.2",
            release_trusted_comment(now, "bitnet", "0.3.1")
        ),
    ] {
        refused_upgrade(5, good_032(), |world| {
            let sums = world.root.join("v0.3.2/SHA256SUMS");
            let bytes = std::fs::read(&sums).unwrap();
            write_signed(&sums, &bytes, &world.key, &comment);
        });
    }
}

#[test]
fn rollback_to_an_older_signed_index_after_uninstall_all() {
    let world = world_with(&["0.3.1"]);
    install(&world, &[]).assert_code(0);
    world.run(&["uninstall", "--all"]).assert_code(0);
    let now = unix_now();
    world.publish(&good_032());
    write_index(
        &world.root,
        "bitnet",
        &["0.3.1", "0.3.2"],
        &world.key,
        now - 1000,
        now + 3600,
    );
    let out = install(&world, &["--json"]);
    out.assert_code(5);
    assert!(out.stdout.contains("rolled back"), "{out}");
    assert!(!world.bin.join("bitnet-cli").exists(), "{out}");

    world.run(&["self", "uninstall"]).assert_code(0);
    assert!(
        !world.prefix.join("state.json").exists(),
        "self uninstall forgets everything"
    );
}

/// A partial download kept for the next run is re-hashed from disk with the
/// rest: bytes changed while it waited fail the signed checksum and are
/// dropped, not installed and not resumed again.
#[cfg(unix)]
#[test]
fn kept_partial_download_tampered_between_runs() {
    use crate::network_signals::*;
    let (world, _, size) = slow_world();
    install(&world, &["--version", "0.3.1"]).assert_code(0);
    let before = snapshot_without_partial(&world);
    let child = start_slow_install(&world);
    let (_, kept) = stop_at_half(&world, child, size, libc::SIGKILL);
    let partial = partial_file(&world, "0.3.2");
    let mut bytes = std::fs::read(&partial).unwrap();
    bytes[kept as usize / 2] ^= 0xff;
    std::fs::write(&partial, bytes).unwrap();
    world.server.clear_faults();
    let out = install(&world, &["--version", "0.3.2", "--json"]);
    out.assert_code(5);
    assert!(
        out.stderr.contains("does not match") || out.stdout.contains("does not match"),
        "{out}"
    );
    assert!(
        !partial.exists(),
        "bytes that failed their check are not kept"
    );
    assert_eq!(snapshot_without_partial(&world), before);
    installed_cli_says(&world, "bitnet-cli 0.3.1");
    install(&world, &["--version", "0.3.2"]).assert_code(0);
    installed_cli_says(&world, "bitnet-cli 0.3.2");
}
