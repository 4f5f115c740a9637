//! Where issued secrets go besides the screen: a vault on disk written
//! before the secret is shown, and the clipboard.

pub mod clipboard;
pub mod vault;

pub use vault::Vault;
