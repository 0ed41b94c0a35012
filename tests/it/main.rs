//! The one integration-test binary: a module per area, sharing `support`.

mod support;

mod attacks;
mod install;
mod security_table;
mod server_selftest;
