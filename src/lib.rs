//! Portico: a keyboard-driven terminal console for API-platform tenants.

pub mod config;
pub mod sim;
