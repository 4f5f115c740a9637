//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod app;
pub mod kitsu;
pub mod pty;
pub mod sim;
