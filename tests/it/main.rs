//! The one integration-test binary: a module per area, sharing `support`.

mod support;

mod install;
mod packaging;
mod server_selftest;
