//! Where issued secrets go besides the screen: a store written the moment
//! a secret is decoded and kept until the user confirms it is safe
//! elsewhere (the OS keyring, or a sealed file when none answers), the
//! permission rules for it, and the clipboard.

pub mod clipboard;
pub mod delivery;
mod files;
pub mod os_keyring;
pub mod perms;
mod sealed;
pub mod vault;

pub use vault::{Backend, Owner, Pending, Rest, Vault};
