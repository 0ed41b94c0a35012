//! Making the bin dir reachable: an `env` script (POSIX sh, and fish) that adds
//! it to PATH only when missing, one marked line sourcing it from each shell
//! profile, `$GITHUB_PATH` in CI; and taking all of that back on
//! `uninstall --all`. The text edits are pure functions; Windows' user PATH
//! editing is a pure string function too, applied through the registry
//! (`sys::edit_user_path`) instead of any profile.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::env::Env;
use crate::error::{IoContext, Result};
use crate::progress::Progress;

/// Ends every line this module adds to a profile, so removal finds exactly them.
const MARKER: &str = "# added by bitnet-install";
/// First line of a profile this module created, so removal deletes the file
/// only when it made it and nothing else was added since.
const CREATED: &str = "# created by bitnet-install";

/// The POSIX `env` script: idempotent, so sourcing it twice adds nothing.
pub fn sh_env_script(bin_dir: &Path) -> String {
    let dir = sh_quote(&bin_dir.display().to_string());
    format!(
        "#!/bin/sh\n# bitnet-install: put the BitNet commands on PATH once.\ncase \":${{PATH}}:\" in\n    *:{dir}:*) ;;\n    *) export PATH={dir}\":${{PATH}}\" ;;\nesac\n"
    )
}

pub fn fish_env_script(bin_dir: &Path) -> String {
    let dir = sh_quote(&bin_dir.display().to_string());
    format!("# bitnet-install: put the BitNet commands on PATH once.\nif not contains {dir} $PATH\n    set -gx PATH {dir} $PATH\nend\n")
}

/// Single-quoted for sh and fish.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The line that sources `script` from a profile.
pub fn source_line(script: &Path) -> String {
    format!(". {} {MARKER}", sh_quote(&script.display().to_string()))
}

/// `profile` with `line` appended, or `None` when it is already there.
pub fn with_line(profile: &str, line: &str) -> Option<String> {
    if profile.lines().any(|l| l.trim() == line) {
        return None;
    }
    let mut text = profile.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    Some(text)
}

/// The text of a profile that does not exist yet, holding only `line`.
pub fn new_profile(line: &str) -> String {
    format!("{CREATED}\n{line}\n")
}

/// What taking this module's lines out of a profile does to it.
#[derive(Debug, PartialEq)]
pub enum Removal {
    /// None of its lines are there.
    Unchanged,
    /// The profile with them taken out.
    Rewrite(String),
    /// This module created the file and nothing else is in it.
    Delete,
}

/// `profile` without the lines this module added.
pub fn without_marked_lines(profile: &str) -> Removal {
    let ours = |l: &str| l.trim_end().ends_with(MARKER) || l.trim_end() == CREATED;
    if !profile.lines().any(ours) {
        return Removal::Unchanged;
    }
    let kept: Vec<&str> = profile.lines().filter(|l| !ours(l)).collect();
    let created = profile
        .lines()
        .next()
        .is_some_and(|l| l.trim_end() == CREATED);
    if created && kept.iter().all(|l| l.trim().is_empty()) {
        return Removal::Delete;
    }
    let mut text = kept.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    Removal::Rewrite(text)
}

/// The profiles to edit: `.profile` always; `.bashrc`/`.bash_profile` when they
/// exist; zsh's `.zshenv` when zsh is the login shell, or when it is installed
/// and `.zshrc` or `.zshenv` exists, whatever `$SHELL` says (zsh reads no
/// `.profile`, and people often run it from another login shell).
fn profiles(env: &Env, home: &Path) -> Vec<PathBuf> {
    let mut list = vec![home.join(".profile")];
    list.extend(
        [".bashrc", ".bash_profile"]
            .iter()
            .map(|n| home.join(n))
            .filter(|p| p.exists()),
    );
    let zdotdir = env
        .var("ZDOTDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.to_path_buf());
    let zshenv = zdotdir.join(".zshenv");
    let uses_zsh = env.var("SHELL").is_some_and(|s| s.ends_with("zsh"));
    let zsh_files_exist = zshenv.exists() || zdotdir.join(".zshrc").exists();
    if (zsh_files_exist && zsh_installed(env))
        || zshenv.exists()
        || uses_zsh
        || env.var("ZDOTDIR").is_some()
    {
        list.push(zshenv);
    }
    list
}

/// A `zsh` executable in one of the `PATH` directories.
fn zsh_installed(env: &Env) -> bool {
    env.var("PATH")
        .is_some_and(|path| std::env::split_paths(path).any(|dir| dir.join("zsh").is_file()))
}

fn fish_conf(env: &Env, home: &Path) -> Option<PathBuf> {
    let config = env
        .var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"));
    let fish = config.join("fish");
    let uses_fish = env.var("SHELL").is_some_and(|s| s.ends_with("fish"));
    (fish.exists() || uses_fish).then(|| fish.join("conf.d").join("bitnet.fish"))
}

fn env_scripts(config: &Config) -> (PathBuf, PathBuf) {
    (
        config.layout.prefix.join("env"),
        config.layout.prefix.join("env.fish"),
    )
}

/// After an install: PATH edits unless disabled, and a word when the commands
/// are not reachable yet or another `bitnet-cli` comes first on PATH.
pub fn after_install(config: &Config, env: &Env, progress: &Progress) -> Result<()> {
    let bin_dir = &config.layout.bin_dir;
    warn_about_shadowing(env, bin_dir, progress);
    if !config.modify_path {
        return Ok(());
    }
    if let Some(github_path) = env.var("GITHUB_PATH") {
        append_github_path(Path::new(github_path), bin_dir)?;
    }
    if let Some(store) = crate::sys::user_path_store() {
        let dir = bin_dir.display().to_string();
        if !on_path(env, bin_dir)
            && !path_change_accepted(
                config,
                env,
                &[PathBuf::from("the user Path (HKCU\\Environment)")],
            )?
        {
            return Ok(());
        }
        crate::sys::edit_user_path(store.as_ref(), &dir, crate::sys::PathEdit::Add)?;
        if !on_path(env, bin_dir) {
            progress.info(&format!(
                "{dir} is now on your user PATH: open a new terminal to use it"
            ));
        }
        return Ok(());
    }
    let Some(home) = env.home.as_deref() else {
        return Ok(());
    };
    let (sh, fish) = env_scripts(config);
    let edits = profile_edits(env, home, &sh, &fish)?;
    let files: Vec<PathBuf> = edits.iter().map(|(path, _)| path.clone()).collect();
    if !files.is_empty() && !path_change_accepted(config, env, &files)? {
        progress.info(&format!(
            "PATH left as it is: add {} to it yourself, or run `. {}` in each new shell",
            bin_dir.display(),
            sh.display()
        ));
        crate::atomic::write_file(&sh, sh_env_script(bin_dir).as_bytes())?;
        return Ok(());
    }
    crate::atomic::write_file(&sh, sh_env_script(bin_dir).as_bytes())?;
    crate::atomic::write_file(&fish, fish_env_script(bin_dir).as_bytes())?;
    for (path, edit) in edits {
        let path = through_links(&path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).at("create", parent)?;
        }
        match edit {
            ProfileEdit::Rewrite(text) => write_profile(&path, &text)?,
            ProfileEdit::Create(text) => crate::atomic::write_file(&path, text.as_bytes())?,
        }
    }
    if !on_path(env, bin_dir) {
        progress.info(&format!(
            "{} is not on PATH yet: open a new shell, or run `. {}`",
            bin_dir.display(),
            sh.display()
        ));
    }
    Ok(())
}

/// A change to one shell profile: its new text, or a new file.
enum ProfileEdit {
    Rewrite(String),
    Create(String),
}

/// The profiles (and fish's conf.d file) that do not source the env scripts
/// yet, with what they would become. Empty once PATH was set up: only the
/// first modification asks.
fn profile_edits(
    env: &Env,
    home: &Path,
    sh: &Path,
    fish: &Path,
) -> Result<Vec<(PathBuf, ProfileEdit)>> {
    let line = source_line(sh);
    let mut edits = Vec::new();
    for profile in profiles(env, home) {
        match std::fs::read_to_string(&profile) {
            Ok(current) => {
                if let Some(text) = with_line(&current, &line) {
                    edits.push((profile, ProfileEdit::Rewrite(text)));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                edits.push((profile, ProfileEdit::Create(new_profile(&line))));
            }
            Err(e) => return Err(crate::error::Error::io("read", &profile, e)),
        }
    }
    if let Some(conf) = fish_conf(env, home) {
        let text = format!(
            "source {} {MARKER}\n",
            sh_quote(&fish.display().to_string())
        );
        if std::fs::read_to_string(&conf).ok().as_deref() != Some(text.as_str()) {
            edits.push((conf, ProfileEdit::Create(text)));
        }
    }
    Ok(edits)
}

/// rustup's question before it touches PATH (Enter means yes).
fn path_change_accepted(config: &Config, env: &Env, files: &[PathBuf]) -> Result<bool> {
    let listed: Vec<String> = files.iter().map(|f| format!("  {}", f.display())).collect();
    crate::prompt::confirm(
        env,
        config.assume_yes,
        &format!(
            "To put {} on PATH, bitnet-install will add a line to:\n{}",
            config.layout.bin_dir.display(),
            listed.join("\n")
        ),
        "Modify PATH?",
        crate::prompt::DefaultAnswer::Yes,
    )
}

/// The file a profile path stands for: a dotfile manager's symbolic link is
/// followed (relative targets from the link's directory), so that the edit
/// goes to the file it points at and the link stays a link.
fn through_links(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    // A loop of links is left as it is: the write then fails with a clear error.
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&path) else {
            break;
        };
        path = match path.parent() {
            Some(dir) => dir.join(target),
            None => target,
        };
    }
    path
}

/// Profiles keep their permissions; only their text changes. A symbolic
/// link is written through, never replaced by a regular file.
fn write_profile(path: &Path, text: &str) -> Result<()> {
    let path = &through_links(path);
    #[cfg(unix)]
    let mode = std::fs::metadata(path).ok().map(|m| {
        use std::os::unix::fs::PermissionsExt;
        m.permissions().mode()
    });
    #[cfg(not(unix))]
    let mode: Option<u32> = None;
    crate::atomic::write_file(path, text.as_bytes())?;
    if let Some(mode) = mode {
        crate::atomic::set_mode(path, mode & 0o7777)?;
    }
    Ok(())
}

fn append_github_path(file: &Path, bin_dir: &Path) -> Result<()> {
    use std::io::Write;
    let line = bin_dir.display().to_string();
    let current = std::fs::read_to_string(file).unwrap_or_default();
    if current.lines().any(|l| l == line) {
        return Ok(());
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(file)
        .at("open", file)?;
    writeln!(f, "{line}").at("append to", file)
}

fn on_path(env: &Env, dir: &Path) -> bool {
    env.var("PATH")
        .is_some_and(|p| std::env::split_paths(p).any(|entry| entry == dir))
}

fn warn_about_shadowing(env: &Env, bin_dir: &Path, progress: &Progress) {
    let Some(path) = env.var("PATH") else { return };
    for entry in std::env::split_paths(path) {
        if entry == bin_dir {
            return;
        }
        let other = entry.join(format!("bitnet-cli{}", std::env::consts::EXE_SUFFIX));
        if other.exists() {
            progress.warn(&format!(
                "{} comes earlier on PATH and will run instead of the one installed in {}",
                other.display(),
                bin_dir.display()
            ));
            return;
        }
    }
}

/// Takes back everything `after_install` wrote.
pub fn remove(config: &Config, env: &Env, _progress: &Progress) -> Result<()> {
    if let Some(store) = crate::sys::user_path_store() {
        let dir = config.layout.bin_dir.display().to_string();
        crate::sys::edit_user_path(store.as_ref(), &dir, crate::sys::PathEdit::Remove)?;
        return Ok(());
    }
    let (sh, fish) = env_scripts(config);
    if let Some(home) = env.home.as_deref() {
        let mut candidates = profiles(env, home);
        candidates.extend(
            [".bashrc", ".bash_profile", ".zshenv"]
                .iter()
                .map(|n| home.join(n)),
        );
        candidates.sort();
        candidates.dedup();
        for profile in candidates {
            let Ok(current) = std::fs::read_to_string(&profile) else {
                continue;
            };
            match without_marked_lines(&current) {
                Removal::Unchanged => {}
                Removal::Rewrite(text) => write_profile(&profile, &text)?,
                Removal::Delete => {
                    let created = through_links(&profile);
                    std::fs::remove_file(&created).at("remove", &created)?
                }
            }
        }
        if let Some(conf) = fish_conf(env, home) {
            if std::fs::read_to_string(&conf).is_ok_and(|t| t.trim_end().ends_with(MARKER)) {
                std::fs::remove_file(&conf).at("remove", &conf)?;
                // conf.d is created for this file when fish has none; an
                // empty one is taken back with it (a non-empty one stays).
                if let Some(conf_d) = conf.parent() {
                    let _ = std::fs::remove_dir(conf_d);
                }
            }
        }
    }
    for script in [sh, fish] {
        match std::fs::remove_file(&script) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(crate::error::Error::io("remove", &script, e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::{windows_path_with, windows_path_without};

    #[test]
    fn profile_edits_are_idempotent_and_reversible() {
        let line = source_line(Path::new("/p/env"));
        let original = "export A=1";
        let once = with_line(original, &line).unwrap();
        assert_eq!(once, format!("export A=1\n{line}\n"));
        assert_eq!(with_line(&once, &line), None);
        assert_eq!(
            without_marked_lines(&once),
            Removal::Rewrite("export A=1\n".into())
        );
        assert_eq!(without_marked_lines(original), Removal::Unchanged);
    }

    #[test]
    fn a_created_profile_is_deleted_only_while_it_holds_nothing_else() {
        let line = source_line(Path::new("/p/env"));
        let created = new_profile(&line);
        assert_eq!(with_line(&created, &line), None);
        assert_eq!(without_marked_lines(&created), Removal::Delete);
        let grown = format!("{created}alias ll='ls -l'\n");
        assert_eq!(
            without_marked_lines(&grown),
            Removal::Rewrite("alias ll='ls -l'\n".into())
        );
        assert_eq!(
            without_marked_lines(""),
            Removal::Unchanged,
            "an empty profile the user made is left alone"
        );
    }

    #[test]
    fn env_script_adds_the_dir_only_once() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("env");
        std::fs::write(&script, sh_env_script(Path::new("/opt/b n/bin"))).unwrap();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                ". '{0}'; . '{0}'; printf %s \"$PATH\"",
                script.display()
            ))
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "/opt/b n/bin:/usr/bin:/bin"
        );
    }

    #[test]
    fn windows_path_strings() {
        assert_eq!(
            windows_path_with("C:\\a;C:\\b", "C:\\bin").unwrap(),
            "C:\\bin;C:\\a;C:\\b"
        );
        assert_eq!(windows_path_with("C:\\BIN\\;C:\\a", "C:\\bin"), None);
        assert_eq!(windows_path_with("", "C:\\bin").unwrap(), "C:\\bin");
        assert_eq!(
            windows_path_without("C:\\bin;C:\\a", "c:\\BIN").unwrap(),
            "C:\\a"
        );
        assert_eq!(windows_path_without("C:\\a", "C:\\bin"), None);
    }
}
