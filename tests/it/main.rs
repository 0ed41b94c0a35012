//! The one integration-test binary: a module per area, sharing `support`.

mod support;

mod bootstrap;
mod install;
mod server_selftest;
mod updater;
