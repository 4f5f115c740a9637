//! Portico: a keyboard-driven terminal console for API-platform tenants.

pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod crash;
pub mod keymap;
pub mod logging;
pub mod model;
pub mod platform;
pub mod runtime;
pub mod secrets;
pub mod sim;
pub mod span;
pub mod subprocess;
pub mod ui;
