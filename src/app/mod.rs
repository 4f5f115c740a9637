//! The UI task's state machine. Input and API results arrive as
//! [`Message`]s; [`update`] changes [`State`] and returns [`Effect`]s for
//! the runtime to carry out.

mod actions;
mod command;
mod filter;
mod input;
mod message;
mod modal;
mod modal_keys;
mod ops;
mod state;
mod update;

pub use actions::{delete_ops, needs_typed_name};
pub use filter::Sort;
pub use input::LineInput;
pub use message::{Effect, ListKey, Message, PendingSecret};
pub use modal::{Choose, Confirm, Form, FormField, Intent, Modal, Picker, SecretView, layers};
pub use state::{Book, Cursor, Level, Listing, Notice, State, TenantInfo};
pub use update::{start, update};
