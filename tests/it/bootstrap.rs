//! The bootstrap scripts end to end: `install.sh` rendered for a local installer
//! release, served over HTTPS in both layouts of CONTRACT 2.4 (a GitHub-shaped
//! tree whose downloads redirect to an object store, and a `v<V>/` mirror), piped
//! into each POSIX shell as `curl | sh -s -- ...` would, with only the tools it
//! needs on `PATH`. The "installer" is a fake shell script that records how it was
//! run. `install.ps1` is checked by parsing only.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use bitnet_install::publish::scripts::{self, Origin};

use crate::support::*;

const INSTALLER_VERSION: &str = "0.5.0";
/// github.com's path for release downloads: `<this>/<tag>/<asset>`.
const GITHUB_DOWNLOAD: &str = "/microsoft/BitNet/releases/download";
/// Where the fake github.com redirects downloads, as the real one does to its
/// object store.
const OBJECT_STORE: &str = "/objects";

/// Records `$0`, each argument, and the first line of stdin (if any) to
/// `$FAKE_INSTALLER_RECORD`, using shell builtins only.
const FAKE_INSTALLER: &str = r#"#!/bin/sh
{
    printf 'exe:%s\n' "$0"
    for arg in "$@"; do
        printf 'arg:%s\n' "$arg"
    done
    if IFS= read -r line; then
        printf 'stdin:%s\n' "$line"
    fi
} >"$FAKE_INSTALLER_RECORD"
echo "fake-installer $*"
"#;

/// The tools `install.sh` runs besides its downloader (`printf` for posh, which
/// has no builtin one).
const BASE_TOOLS: &[&str] = &[
    "uname",
    "mkdir",
    "mktemp",
    "chmod",
    "rm",
    "sha256sum",
    "printf",
];

/// The installer target `install.sh` picks on this machine.
fn host_target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-gnu",
        ("linux", "aarch64") => "aarch64-unknown-linux-gnu",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        other => panic!("no installer target for {other:?}"),
    }
}

/// Finds a program in the system directories (the tests' own `PATH` is restricted).
fn system_program(name: &str) -> PathBuf {
    ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{name} is not installed (apt-get install it)"))
}

/// The six shells as `curl ... | <shell> -s -- args` runs them: program and the
/// arguments that come before the script's own. posh has no `-s` (it says
/// "unknown option"), so it reads the same pipe as `/dev/stdin`.
fn shells() -> Vec<(&'static str, PathBuf, Vec<&'static str>)> {
    vec![
        ("dash", system_program("dash"), vec!["-s", "--"]),
        ("bash", system_program("bash"), vec!["-s", "--"]),
        (
            "busybox ash",
            system_program("busybox"),
            vec!["sh", "-s", "--"],
        ),
        (
            "zsh",
            system_program("zsh"),
            vec!["--emulate", "sh", "-s", "--"],
        ),
        ("ksh", system_program("ksh"), vec!["-s", "--"]),
        ("posh", system_program("posh"), vec!["/dev/stdin"]),
    ]
}

/// A world serving one installer release, the rendered scripts, and a private
/// `PATH` directory per tool set.
struct Bootstrap {
    world: World,
    written: Written,
    install_sh: PathBuf,
    install_ps1: PathBuf,
    record: PathBuf,
    wgetrc: PathBuf,
}

impl Bootstrap {
    /// The default layout: the scripts download from a GitHub-shaped tree.
    fn new() -> Bootstrap {
        let world = World::new();
        let written = publish_github_shaped(&world);
        let origin = Origin::GitHub(format!("{}{GITHUB_DOWNLOAD}", world.root_url()));
        Bootstrap::rendered_for(world, written, &origin)
    }

    /// The mirror layout: `<root>/v<V>/`, rendered as the scripts' own origin.
    fn mirror() -> Bootstrap {
        let world = World::new();
        let written = world.publish(&installer_release());
        let origin = Origin::Mirror(world.root_url());
        Bootstrap::rendered_for(world, written, &origin)
    }

    /// Renders the scripts for `written` with `origin` as their built-in source.
    fn rendered_for(world: World, written: Written, origin: &Origin) -> Bootstrap {
        let out = world.dir.path().join("scripts");
        let (install_sh, install_ps1) =
            scripts::render(&written.dir, origin, &out).expect("render the scripts");
        let ca = world.ca_cert().expect("an HTTPS world has a CA file");
        let wgetrc = world.dir.path().join("wgetrc");
        fs::write(&wgetrc, format!("ca_certificate = {}\n", ca.display())).unwrap();
        let record = world.dir.path().join("installer-record");
        Bootstrap {
            world,
            written,
            install_sh,
            install_ps1,
            record,
            wgetrc,
        }
    }

    /// A directory of symlinks to `tools` only, to be the whole `PATH`.
    fn tool_dir(&self, name: &str, tools: &[&str]) -> PathBuf {
        let dir = self.world.dir.path().join(format!("path-{name}"));
        fs::create_dir_all(&dir).unwrap();
        for tool in tools {
            let link = dir.join(tool);
            if !link.exists() {
                std::os::unix::fs::symlink(system_program(tool), link).unwrap();
            }
        }
        dir
    }

    fn tools_with(&self, downloader: &str) -> PathBuf {
        let mut tools = BASE_TOOLS.to_vec();
        tools.push(downloader);
        self.tool_dir(downloader, &tools)
    }

    /// `shell pre_args args` with the rendered `install.sh` on its stdin
    /// (a pipe, as from curl), a clean environment and `PATH` = `path`.
    fn command(&self, shell: &Path, pre_args: &[&str], path: &Path, args: &[&str]) -> Command {
        let (reader, mut writer) = std::io::pipe().expect("pipe");
        // The script fits in the pipe's buffer, so it can be written before the shell
        // starts. A trailing comment stays unread in the pipe while `main` runs under
        // shells that read their script line by line (bash), so an installer that
        // inherited the script's stdin would read it.
        let mut piped = fs::read(&self.install_sh).unwrap();
        piped.extend_from_slice(b"# bytes after main\n");
        writer
            .write_all(&piped)
            .expect("write the script into the pipe");
        drop(writer);
        let mut cmd = Command::new(shell);
        cmd.args(pre_args)
            .args(args)
            .env_clear()
            .current_dir(&self.world.home)
            .stdin(reader)
            .env("HOME", &self.world.home)
            .env("TMPDIR", &self.world.tmp)
            .env("PATH", path)
            .env("CURL_CA_BUNDLE", self.world.ca_cert().unwrap())
            .env("WGETRC", &self.wgetrc)
            .env("FAKE_INSTALLER_RECORD", &self.record);
        cmd
    }

    fn run(&self, shell: &Path, pre_args: &[&str], path: &Path, args: &[&str]) -> Output {
        let _ = fs::remove_file(&self.record);
        Output::run(&mut self.command(shell, pre_args, path, args))
    }

    fn run_dash(&self, path: &Path, env: &[(&str, &str)]) -> Output {
        let _ = fs::remove_file(&self.record);
        let mut cmd = self.command(
            &system_program("dash"),
            &["-s", "--"],
            path,
            &["--version", "0.3"],
        );
        cmd.envs(env.iter().copied());
        Output::run(&mut cmd)
    }

    /// The lines the fake installer recorded, or `None` if it did not run.
    fn recorded(&self) -> Option<Vec<String>> {
        let text = fs::read_to_string(&self.record).ok()?;
        Some(text.lines().map(str::to_string).collect())
    }

    /// Asserts the fake installer ran as `bitnet-install install --version 0.3`
    /// from a temporary directory under `expected_parent` that is gone now.
    fn assert_installer_ran(&self, out: &Output, label: &str, expected_parent: &Path) {
        assert!(out.success(), "{label}: {out}");
        assert!(
            out.stdout.contains("fake-installer install --version 0.3"),
            "{label}: {out}"
        );
        let lines = self
            .recorded()
            .unwrap_or_else(|| panic!("{label}: the installer did not run\n{out}"));
        let exe = lines[0]
            .strip_prefix("exe:")
            .unwrap_or_else(|| panic!("{label}: {lines:?}"));
        assert_eq!(
            lines[1..],
            ["arg:install", "arg:--version", "arg:0.3"],
            "{label}: arguments, or stdin leaked to the installer"
        );
        let exe = Path::new(exe);
        assert_eq!(exe.file_name().unwrap(), "bitnet-install", "{label}");
        let temp_dir = exe.parent().unwrap();
        assert_eq!(temp_dir.parent().unwrap(), expected_parent, "{label}");
        assert!(
            !temp_dir.exists(),
            "{label}: {} is left",
            temp_dir.display()
        );
        assert_eq!(
            World::tree(&self.world.tmp),
            Vec::<String>::new(),
            "{label}"
        );
    }

    fn server_requests(&self) -> usize {
        self.world.server.requests().len()
    }

    /// The server path the installer build is finally fetched from.
    fn installer_asset_path(&self) -> String {
        let relative = self
            .written
            .path(&installer_asset())
            .strip_prefix(&self.world.root)
            .expect("published under the served root")
            .to_path_buf();
        format!("/{}", relative.display())
    }
}

fn installer_release() -> ReleaseBuilder {
    ReleaseBuilder::new("bitnet-install", INSTALLER_VERSION)
        .asset_bare(host_target(), None, FAKE_INSTALLER.as_bytes().to_vec())
        .asset_bare("x86_64-pc-windows-msvc", None, b"MZ fake".to_vec())
}

fn installer_asset() -> String {
    format!("bitnet-install-{INSTALLER_VERSION}-{}", host_target())
}

/// Publishes the installer release under `/objects/bitnet-install-v<V>/` and makes
/// `/microsoft/BitNet/releases/download/<tag>/<asset>` answer 302 to it, as
/// github.com does. Only the tag of the installer (CONTRACT 2.4) exists.
fn publish_github_shaped(world: &World) -> Written {
    let staged = installer_release().write_to(&world.dir.path().join("staging"), &world.key);
    let tag_dir = world
        .root
        .join(OBJECT_STORE.trim_start_matches('/'))
        .join(format!("bitnet-install-v{INSTALLER_VERSION}"));
    fs::create_dir_all(tag_dir.parent().unwrap()).unwrap();
    fs::rename(&staged.dir, &tag_dir).unwrap();
    world.server.handle(|request| {
        let rest = request.path.strip_prefix(GITHUB_DOWNLOAD)?;
        Some(Response::redirect(&format!("{OBJECT_STORE}{rest}")))
    });
    Written {
        dir: tag_dir,
        ..staged
    }
}

#[test]
fn install_sh_runs_the_pinned_installer_in_every_posix_shell_with_curl_and_with_wget() {
    for (layout, boot) in [
        ("github", Bootstrap::new()),
        ("mirror", Bootstrap::mirror()),
    ] {
        for downloader in ["curl", "wget"] {
            let path = boot.tools_with(downloader);
            for (name, shell, pre_args) in shells() {
                let label = format!("{layout}: {name} with {downloader}");
                let out = boot.run(&shell, &pre_args, &path, &["--version", "0.3"]);
                boot.assert_installer_ran(&out, &label, &boot.world.tmp);
            }
        }
        let downloads = boot.world.server.count(&boot.installer_asset_path());
        assert_eq!(downloads, 12, "{layout}: one download per run");
    }
}

#[test]
fn the_github_layout_asks_for_the_installer_tag_and_follows_the_download_redirect() {
    let boot = Bootstrap::new();
    let out = boot.run_dash(&boot.tools_with("curl"), &[]);
    boot.assert_installer_ran(&out, "github", &boot.world.tmp);
    let asked: Vec<String> = boot
        .world
        .server
        .requests()
        .into_iter()
        .map(|r| r.path.clone())
        .collect();
    let tag = format!("bitnet-install-v{INSTALLER_VERSION}");
    assert_eq!(
        asked,
        [
            format!("{GITHUB_DOWNLOAD}/{tag}/{}", installer_asset()),
            format!("{OBJECT_STORE}/{tag}/{}", installer_asset()),
        ]
    );
}

#[test]
fn a_redirect_to_plain_http_is_refused_with_curl_and_with_wget() {
    let boot = Bootstrap::new();
    let plain = TestServer::http(boot.world.dir.path().join("plain"));
    let target = format!("{GITHUB_DOWNLOAD}/bitnet-install-v{INSTALLER_VERSION}/*");
    let staged = boot.written.dir.clone();
    fs::create_dir_all(plain.root()).unwrap();
    copy_dir(&staged, &plain.root().join("tag"));
    boot.world.server.fault(
        &target,
        Fault::Redirect(plain.url(&format!("/tag/{}", installer_asset()))),
    );
    for downloader in ["curl", "wget"] {
        let out = boot.run_dash(&boot.tools_with(downloader), &[]);
        assert_eq!(out.code(), 4, "{downloader}: {out}");
        assert_eq!(boot.recorded(), None, "{downloader}: the installer ran");
        assert_eq!(World::tree(&boot.world.tmp), Vec::<String>::new());
    }
    // curl never connects; wget may, but what it fetched is dropped unrun.
    assert!(plain.count(&format!("/tag/{}", installer_asset())) <= 1);
}

#[test]
fn a_script_cut_short_runs_nothing_even_when_it_ends_in_main() {
    let boot = Bootstrap::new();
    let whole = fs::read_to_string(&boot.install_sh).unwrap();
    let call = whole.rfind("main \"$@\"").expect("the call of main");
    let path = boot.tools_with("curl");
    for cut in [
        &whole[..call + "main".len()],
        &whole[..call + "main ".len()],
        &whole[..whole.len() / 2],
        whole
            .trim_end()
            .strip_suffix('}')
            .expect("the closing brace"),
    ] {
        fs::write(&boot.install_sh, cut).unwrap();
        for (name, shell, pre_args) in shells() {
            let out = boot.run(&shell, &pre_args, &path, &["--version", "0.3"]);
            let label = format!("{name}, cut after {:?}", &cut[cut.len() - 10..]);
            assert_ne!(out.code(), 0, "{label}: {out}");
            assert_eq!(boot.recorded(), None, "{label}: the installer ran");
        }
    }
    assert_eq!(boot.server_requests(), 0, "a cut script downloaded");
}

#[test]
fn install_sh_without_curl_or_wget_says_so_and_runs_nothing() {
    let boot = Bootstrap::new();
    let path = boot.tool_dir("none", BASE_TOOLS);
    let out = boot.run_dash(&path, &[]);
    assert!(!out.success(), "{out}");
    assert!(
        out.stderr.contains("neither curl nor GNU wget was found"),
        "{out}"
    );
    assert_eq!(boot.recorded(), None);
    assert_eq!(boot.server_requests(), 0);
    assert_eq!(World::tree(&boot.world.tmp), Vec::<String>::new());
}

#[test]
fn install_sh_refuses_an_installer_that_does_not_match_the_pinned_hash() {
    let boot = Bootstrap::new();
    let asset = boot.written.path(&format!(
        "bitnet-install-{INSTALLER_VERSION}-{}",
        host_target()
    ));
    fs::write(
        &asset,
        "#!/bin/sh\necho evil > \"$FAKE_INSTALLER_RECORD\"\n",
    )
    .unwrap();
    for downloader in ["curl", "wget"] {
        let out = boot.run_dash(&boot.tools_with(downloader), &[]);
        assert_eq!(out.code(), 5, "{downloader}: {out}");
        assert!(out.stderr.contains("this script pins"), "{out}");
        assert_eq!(boot.recorded(), None, "{downloader}: the installer ran");
        assert_eq!(World::tree(&boot.world.tmp), Vec::<String>::new());
    }
}

#[test]
fn install_sh_refuses_to_run_without_a_sha256_tool() {
    let boot = Bootstrap::new();
    let tools: Vec<&str> = BASE_TOOLS
        .iter()
        .copied()
        .filter(|tool| *tool != "sha256sum")
        .chain(["curl"])
        .collect();
    let out = boot.run_dash(&boot.tool_dir("nohash", &tools), &[]);
    assert!(!out.success(), "{out}");
    assert!(out.stderr.contains("no SHA-256 tool"), "{out}");
    assert_eq!(boot.recorded(), None);
}

#[test]
fn install_sh_checks_the_hash_with_shasum_or_openssl_when_sha256sum_is_missing() {
    let boot = Bootstrap::new();
    for hasher in ["shasum", "openssl"] {
        let tools: Vec<&str> = BASE_TOOLS
            .iter()
            .copied()
            .filter(|tool| *tool != "sha256sum")
            .chain(["curl", hasher])
            .collect();
        let out = boot.run_dash(&boot.tool_dir(hasher, &tools), &[]);
        boot.assert_installer_ran(&out, hasher, &boot.world.tmp);
    }
}

#[test]
fn install_sh_downloads_from_bitnet_update_root_and_only_over_https() {
    let world = World::new();
    let written = world.publish(&installer_release());
    let github = Origin::GitHub("https://installer.invalid/releases/download".into());
    let boot = Bootstrap::rendered_for(world, written, &github);
    let path = boot.tools_with("curl");
    let mirror = format!("{}/", boot.world.root_url());
    let out = boot.run_dash(&path, &[("BITNET_UPDATE_ROOT", &mirror)]);
    boot.assert_installer_ran(&out, "mirror", &boot.world.tmp);

    let plain = format!("http://127.0.0.1:{}", boot.world.server.port());
    let out = boot.run_dash(&path, &[("BITNET_UPDATE_ROOT", &plain)]);
    assert_eq!(out.code(), 2, "{out}");
    assert!(out.stderr.contains("not an https:// URL"), "{out}");
    assert_eq!(boot.recorded(), None);
}

#[test]
fn install_sh_falls_back_to_the_home_cache_when_tmpdir_is_unusable() {
    let boot = Bootstrap::new();
    let not_a_dir = boot.world.dir.path().join("not-a-dir");
    fs::write(&not_a_dir, "").unwrap();
    let out = boot.run_dash(
        &boot.tools_with("curl"),
        &[("TMPDIR", not_a_dir.to_str().unwrap())],
    );
    boot.assert_installer_ran(&out, "fallback", &boot.world.home.join(".cache"));
}

#[test]
fn shellcheck_finds_nothing_in_the_template_or_the_rendered_install_sh() {
    let boot = Bootstrap::new();
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install.sh");
    for script in [&template, &boot.install_sh] {
        let out = Output::run(Command::new(system_program("shellcheck")).args([
            "-s".as_ref(),
            "sh".as_ref(),
            script.as_os_str(),
        ]));
        assert!(out.success(), "shellcheck {}: {out}", script.display());
    }
}

#[test]
fn every_ps1_in_the_repository_and_the_rendered_install_ps1_parses() {
    let boot = Bootstrap::new();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rendered = fs::read_to_string(&boot.install_ps1).unwrap();
    assert!(
        rendered.contains(&format!(
            "'x86_64-pc-windows-msvc' = '{}'",
            boot.written.sha256(&format!(
                "bitnet-install-{INSTALLER_VERSION}-x86_64-pc-windows-msvc.exe"
            ))
        )),
        "{rendered}"
    );
    let out = Output::run(
        Command::new("python3")
            .arg(repo.join("scripts/test-ps1-parse.py"))
            .arg(repo)
            .arg(&boot.install_ps1),
    );
    assert!(
        out.code() != 2,
        "the PowerShell parser is not available; run `python3 -m pip install tree-sitter tree-sitter-powershell`\n{out}"
    );
    assert!(out.success(), "{out}");
    assert!(out.stdout.contains("scripts/install.ps1: ok"), "{out}");
    assert!(
        out.stdout
            .contains(&format!("{}: ok", boot.install_ps1.display())),
        "{out}"
    );
}

#[test]
fn the_ps1_parse_check_fails_on_a_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.ps1");
    fs::write(&broken, "function F {\n    if ($x { 1 }\n}\n").unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/test-ps1-parse.py");
    let out = Output::run(Command::new("python3").arg(script).arg(&broken));
    assert_eq!(out.code(), 1, "{out}");
    assert!(out.stdout.contains("broken.ps1:2:"), "{out}");
}

#[test]
fn bitnet_release_scripts_renders_both_and_refuses_bad_input_with_exit_2() {
    let world = World::new();
    let written = world.publish(
        &ReleaseBuilder::new("bitnet-install", INSTALLER_VERSION).asset_bare(
            host_target(),
            None,
            FAKE_INSTALLER.as_bytes().to_vec(),
        ),
    );
    let out_dir = world.dir.path().join("out");
    let release = |root: &str, dir: &Path| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bitnet-release"));
        cmd.args(["scripts", "--root", root, "--release"])
            .arg(dir)
            .arg("--out")
            .arg(&out_dir);
        Output::run(&mut cmd)
    };

    let out = release("https://dl.example.com/bitnet-install", &written.dir);
    assert!(out.success(), "{out}");
    let sh = fs::read_to_string(out_dir.join("install.sh")).unwrap();
    assert!(sh.contains(&format!(
        "BITNET_INSTALLER_DOWNLOAD='https://dl.example.com/bitnet-install/v{INSTALLER_VERSION}'"
    )));
    let pinned = format!(
        "{}) echo '{}' ;;",
        host_target(),
        written.sha256(&format!(
            "bitnet-install-{INSTALLER_VERSION}-{}",
            host_target()
        ))
    );
    assert!(sh.contains(&pinned), "{sh}");
    assert!(out_dir.join("install.ps1").is_file());

    // Without --root the scripts download from the installer's GitHub tag.
    let mut github = Command::new(env!("CARGO_BIN_EXE_bitnet-release"));
    github
        .args(["scripts", "--release"])
        .arg(&written.dir)
        .arg("--out")
        .arg(&out_dir);
    Output::run(&mut github).assert_code(0);
    let sh = fs::read_to_string(out_dir.join("install.sh")).unwrap();
    assert!(sh.contains(&format!(
        "BITNET_INSTALLER_DOWNLOAD='https://github.com/microsoft/BitNet/releases/download/bitnet-install-v{INSTALLER_VERSION}'"
    )));

    release("http://dl.example.com", &written.dir).assert_code(2);
    let product =
        world.publish(&ReleaseBuilder::new("bitnet", "0.3.0").asset_standard(host_target(), None));
    let out = release("https://dl.example.com", &product.dir);
    out.assert_code(2);
    assert!(out.stderr.contains("no installer asset"), "{out}");
}

#[test]
fn install_sh_does_not_take_busybox_wget_for_a_downloader() {
    let boot = Bootstrap::new();
    let path = boot.tool_dir("busybox-wget", BASE_TOOLS);
    std::os::unix::fs::symlink(system_program("busybox"), path.join("wget")).unwrap();
    let out = boot.run_dash(&path, &[]);
    assert!(!out.success(), "{out}");
    assert!(out.stderr.contains("neither curl nor GNU wget"), "{out}");
    assert_eq!(boot.server_requests(), 0);
}

#[test]
fn the_unrendered_install_sh_template_refuses_to_run() {
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install.sh");
    let out = Output::run(Command::new(system_program("dash")).arg(template));
    assert_eq!(out.code(), 1, "{out}");
    assert!(out.stderr.contains("unrendered template"), "{out}");
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}
