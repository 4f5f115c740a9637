//! Portico: a keyboard-driven terminal console for API-platform tenants.

pub mod keymap;
pub mod model;
pub mod platform;
pub mod sim;
pub mod app;
pub mod runtime;
pub mod audit;
pub mod secrets;
pub mod ui;
