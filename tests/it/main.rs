//! The one integration-test binary: a module per area, sharing `support`.

mod support;

mod server_selftest;

mod bootstrap;
