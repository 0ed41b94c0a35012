//! How `bitnet-cli` offers `self update` with the installer library: the same
//! signed-release resolution, verification and atomic switch as
//! `bitnet-install update`, in a few lines.
//!
//! ```sh
//! cargo run --example bitnet-cli-self-update -- self update
//! cargo run --example bitnet-cli-self-update -- self update --check
//! ```

use std::process::ExitCode;

use bitnet_install::Updater;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check_only = args.iter().any(|a| a == "--check");
    if args.first().map(String::as_str) != Some("self")
        || args.get(1).map(String::as_str) != Some("update")
    {
        eprintln!("usage: bitnet-cli self update [--check]");
        return ExitCode::from(2);
    }
    let result = Updater::new()
        .build()
        .and_then(|updater| match updater.check()? {
            None => Ok("bitnet is up to date".to_string()),
            Some(newer) if check_only => Ok(format!("bitnet {newer} is available")),
            Some(_) => updater.update().map(|now| {
                format!(
                    "bitnet updated to {}",
                    now.map(|v| v.to_string()).unwrap_or_default()
                )
            }),
        });
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}\nhint: {}", e.hint());
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
