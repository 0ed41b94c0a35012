//! The one integration-test binary: a module per area, sharing `support`.

mod support;

mod github;
mod install;
mod network;
mod server_selftest;
