//! Shared test infrastructure for the integration suite: an HTTPS/HTTP server with
//! fault injection (`server`), release and key builders (`release`), a fake GitHub
//! Releases API (`github`), a hermetic world running the binary under test (`world`),
//! and the install-then-refuse scenario the suites share (`scenario`).
#![allow(dead_code)]

pub mod compress;
pub mod github;
pub mod release;
pub mod scenario;
pub mod server;
pub mod world;

pub use compress::*;
pub use github::*;
pub use release::*;
pub use scenario::*;
pub use server::*;
pub use world::*;
