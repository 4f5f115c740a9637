//! The UI task's state machine. Input and API results arrive as
//! [`Message`]s; [`update`] changes [`State`] and returns [`Effect`]s for
//! the runtime to carry out.

mod actions;
mod ascii_score;
mod audit_view;
mod bulk;
mod command;
mod completion;
mod editor;
mod filter;
mod history;
mod input;
mod jump;
mod marks;
mod matching;
mod message;
mod modal;
mod modal_keys;
mod mouse;
mod ops;
mod radar;
mod rawdoc;
mod redact;
mod second_factor;
mod state;
mod update;

pub use actions::{confirmation_text, delete_ops, needs_typed_name, short_id};
pub use audit_view::{AUDIT_VIEW, audit_rows};
pub use bulk::{BulkConfirm, BulkItem, BulkOutcome, BulkRun, BulkTarget, ExportFormat};
pub use completion::LISTED_MAX;
pub use editor::{Format, document, parse, with_error};
pub use filter::{Filtered, Sort, highlights, visible_among};
pub use history::History;
pub use input::LineInput;
pub use matching::{INLINE_MAX, Job, Matched};
pub use message::{Effect, ListKey, Message, PendingSecret};
pub use modal::{
    Choose, Confirm, Form, FormField, Intent, Modal, Offer, Picker, SecretView, TextView, layers,
};
pub use mouse::Pointer;
pub use radar::{Hit, Radar, Reach, Search};
pub use rawdoc::{LINE_CHARS, RawDoc, document_lines, masked, raw_lines, unread_lines};
pub use state::{Book, Cursor, Level, Listing, Notice, State, TenantInfo};
pub use update::{start, update};
