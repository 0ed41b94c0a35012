//! The one integration-test binary: a module per area, sharing `support`.

mod support;

mod architecture;
mod attacks;
// install.sh under POSIX shells, and the Unix packages: Unix-only.
#[cfg(unix)]
mod bootstrap;
mod cli;
#[cfg(unix)]
mod cli_prompts;
#[cfg(feature = "fault-injection")]
mod crash;
mod github;
mod install;
mod lifecycle;
mod network;
#[cfg(unix)]
mod network_signals;
mod output;
#[cfg(unix)]
mod packaging;
mod repo;
mod security_table;
mod server_selftest;
mod snap;
mod updater;
