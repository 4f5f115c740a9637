//! Where issued secrets go besides the screen: a store on disk written the
//! moment a secret is decoded and kept until the user confirms it is safe
//! elsewhere, the permission rules for it, and the clipboard.

pub mod clipboard;
pub mod delivery;
pub mod perms;
pub mod vault;

pub use vault::{Owner, Pending, Vault};
