//! Shared test infrastructure for the integration suite: an HTTPS/HTTP server with
//! fault injection (`server`), release and key builders (`release`), and a hermetic
//! world running the binary under test (`world`).
#![allow(dead_code)]

pub mod release;
pub mod server;
pub mod world;

pub use release::*;
pub use server::*;
pub use world::*;
