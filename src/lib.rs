//! Portico: a keyboard-driven terminal console for API-platform tenants.

pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod keymap;
pub mod model;
pub mod platform;
pub mod runtime;
pub mod secrets;
pub mod sim;
pub mod subprocess;
pub mod ui;
