//! Shared test infrastructure for the integration suite: an HTTPS/HTTP server with
//! fault injection (`server`), release and key builders (`release`), a fake GitHub
//! Releases API (`github`), and a hermetic world running the binary under test (`world`).
#![allow(dead_code)]

pub mod github;
pub mod release;
pub mod server;
pub mod world;

pub use github::*;
pub use release::*;
pub use server::*;
pub use world::*;
