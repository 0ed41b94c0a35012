//! `bitnet-release`, the publisher's command line: parse the arguments, read the
//! clock, call `bitnet_install::publish`, and report errors with their exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use bitnet_install::output::{self, Output};
use bitnet_install::publish::packaging::{self, PackagingRequest};
use bitnet_install::publish::scripts::Origin;
use bitnet_install::publish::{self, PackageFormat, PackageRequest, TrustedKeys};
use bitnet_install::{Env, Result};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "bitnet-release",
    version,
    about = "Turn built artifacts into a signed bitnet release directory"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the man pages bitnet-install.1 and bitnet-release.1 into a directory.
    Man {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Generate an unencrypted minisign key pair NAME.key and NAME.pub.
    Keygen {
        #[arg(long, value_name = "DIR")]
        output_dir: PathBuf,
        #[arg(long, default_value = "bitnet")]
        name: String,
        /// Replace an existing key pair.
        #[arg(long)]
        force: bool,
    },
    /// Write SHA256SUMS and SHA256SUMS.minisig for a release directory.
    Seal {
        release_dir: PathBuf,
        #[arg(long)]
        product: String,
        #[arg(long)]
        version: String,
        /// The secret key written by `keygen`.
        #[arg(long, value_name = "KEYFILE")]
        key: PathBuf,
    },
    /// Write the signed index.json of a static root holding v<VERSION>/ directories.
    Index {
        root: PathBuf,
        #[arg(long)]
        product: String,
        #[arg(long, value_name = "KEYFILE")]
        key: PathBuf,
        /// How long installers accept this index: 30d, 12h, 90m, 3600s or seconds.
        #[arg(long, default_value = "30d", value_name = "DURATION")]
        expires_in: String,
    },
    /// Package built files into <P>-<V>-<TARGET>[-<VARIANT>].<ext>.
    Package {
        #[arg(long)]
        product: String,
        #[arg(long)]
        version: String,
        #[arg(long, value_name = "TRIPLE")]
        target: String,
        #[arg(long)]
        variant: Option<String>,
        /// Archive format (default: zip for Windows targets, tar.gz otherwise).
        #[arg(long, conflicts_with = "bare")]
        format: Option<Format>,
        /// Ship the single given executable as the asset itself.
        #[arg(long)]
        bare: bool,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Render install.sh and install.ps1 pinned to an installer release's SHA256SUMS.
    Scripts {
        /// Download from GitHub Releases: <URL>/bitnet-install-v<VERSION>/<asset>.
        #[arg(long, value_name = "URL", default_value = packaging::DEFAULT_BASE_URL)]
        base_url: String,
        /// Download from a static mirror instead: <URL>/v<VERSION>/<asset>.
        #[arg(long, value_name = "URL", conflicts_with = "base_url")]
        root: Option<String>,
        /// The v<VERSION> directory of a sealed bitnet-install release.
        #[arg(long, value_name = "DIR")]
        release: PathBuf,
        /// Where install.sh and install.ps1 are written.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Render the package manifests (Homebrew, Scoop, winget, Chocolatey, snap, AUR,
    /// Debian, RPM, Docker) of a sealed release, with its URLs and SHA-256 digests.
    Packaging {
        /// The sealed release directory of the product.
        #[arg(long, value_name = "DIR")]
        release: PathBuf,
        /// The sealed release directory of bitnet-install, for the Docker image.
        #[arg(long, value_name = "DIR")]
        installer_release: Option<PathBuf>,
        /// Verify SHA256SUMS against this minisign public key (base64 or .pub file) first.
        #[arg(long, value_name = "KEY|FILE")]
        public_key: Option<String>,
        /// Assets are downloaded from <URL>/<tag>/<asset>.
        #[arg(long, value_name = "URL", default_value = packaging::DEFAULT_BASE_URL)]
        base_url: String,
        /// A new or empty directory for the rendered manifests.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    #[value(name = "tar.gz")]
    TarGz,
    Zip,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command, Env::from_process().now) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            Output {
                json: false,
                quiet: false,
            }
            .error(&err);
            ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(1))
        }
    }
}

fn run(command: Command, now: u64) -> Result<()> {
    match command {
        Command::Man { out } => {
            let commands = vec![bitnet_install::cli::Cli::command(), Cli::command()];
            for path in publish::man::write_pages(&out, commands)? {
                output::print_line(&path.display().to_string());
            }
        }
        Command::Keygen {
            output_dir,
            name,
            force,
        } => {
            let keys = publish::keygen(&output_dir, &name, force)?;
            output::eprint_line(&format!("wrote {}", keys.secret_key.display()));
            output::eprint_line(&format!("wrote {}", keys.public_key.display()));
            output::print_line(&keys.public_key_base64);
        }
        Command::Seal {
            release_dir,
            product,
            version,
            key,
        } => {
            publish::seal(&release_dir, &product, &version, &key, now)?;
            output::eprint_line(&format!(
                "sealed {}",
                release_dir.join("SHA256SUMS").display()
            ));
        }
        Command::Index {
            root,
            product,
            key,
            expires_in,
        } => {
            let expires_in = publish::parse_duration(&expires_in)?;
            publish::write_index(&root, &product, &key, now, expires_in)?;
            output::eprint_line(&format!("signed {}", root.join("index.json").display()));
        }
        Command::Package {
            product,
            version,
            target,
            variant,
            format,
            bare,
            out,
            files,
        } => {
            let format = match (bare, format) {
                (true, _) => PackageFormat::Bare,
                (false, Some(Format::TarGz)) => PackageFormat::TarGz,
                (false, Some(Format::Zip)) => PackageFormat::Zip,
                (false, None) => PackageFormat::default_for(&target),
            };
            let request = PackageRequest {
                product,
                version,
                target,
                variant,
                format,
            };
            let path = publish::package(&request, &files, &out)?;
            output::print_line(&path.display().to_string());
        }
        Command::Scripts {
            base_url,
            root,
            release,
            out,
        } => {
            let origin = match root {
                Some(root) => Origin::Mirror(root),
                None => Origin::GitHub(base_url),
            };
            let (sh, ps1) = publish::scripts::render(&release, &origin, &out)?;
            output::print_line(&sh.display().to_string());
            output::print_line(&ps1.display().to_string());
        }
        Command::Packaging {
            release,
            installer_release,
            public_key,
            base_url,
            out,
        } => {
            let trusted_keys = match public_key {
                Some(key) => Some(TrustedKeys::from_user(&key, |path| {
                    std::fs::read_to_string(path).ok()
                })?),
                None => None,
            };
            let request = PackagingRequest {
                release_dir: release,
                installer_release_dir: installer_release,
                trusted_keys,
                base_url,
                out_dir: out,
            };
            let rendered = packaging::render_packaging(&request)?;
            for path in &rendered.files {
                output::print_line(&path.display().to_string());
            }
            for note in &rendered.skipped {
                output::eprint_line(&format!("skipped {note}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn package_accepts_tar_gz_as_a_format_and_refuses_bare_with_a_format() {
        let args = [
            "bitnet-release",
            "package",
            "--product",
            "bitnet",
            "--version",
            "0.3.2",
        ];
        let tail = ["--target", "x86_64-pc-windows-msvc", "--out", "d", "f"];
        let parsed = Cli::try_parse_from(args.iter().chain(&["--format", "tar.gz"]).chain(&tail));
        assert!(matches!(
            parsed.unwrap().command,
            Command::Package {
                format: Some(Format::TarGz),
                bare: false,
                ..
            }
        ));
        let both = Cli::try_parse_from(
            args.iter()
                .chain(&["--format", "zip", "--bare"])
                .chain(&tail),
        );
        assert_eq!(both.err().unwrap().exit_code(), 2);
    }
}
