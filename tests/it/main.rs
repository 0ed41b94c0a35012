//! The one integration-test binary: a module per area, sharing `support`.

mod support;

mod architecture;
mod attacks;
mod bootstrap;
mod cli;
#[cfg(feature = "fault-injection")]
mod crash;
mod github;
mod install;
mod lifecycle;
mod network;
mod packaging;
mod repo;
mod security_table;
mod server_selftest;
mod updater;
