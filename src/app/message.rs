//! What flows into `update` and what comes out of it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crossterm::event::{KeyEvent, MouseEvent};

use super::bulk::{BulkOutcome, BulkTarget, ExportFormat};
use crate::model::{IssuedSecret, Kind, Resource, Secret};
use crate::platform::crawl::Answer;
use crate::platform::{FieldError, Operation, Outcome, Paged, PlatformError, Source, Target};

/// Identifies one cached list: a pane or view, under one parent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListKey {
    pub source: Source,
    pub parent: Option<String>,
    /// Text the server narrowed the list to; `None` for the whole list.
    pub query: Option<String>,
}

#[derive(Debug)]
pub enum Message {
    Key(KeyEvent),
    Paste(String),
    /// As the terminal reported it; the runtime turns it into a
    /// [`Pointer`](super::Pointer) against the frame on screen, and
    /// `update` ignores one left raw.
    Mouse(MouseEvent),
    /// A mouse event by what it landed on.
    Pointer(super::Pointer),
    Resize,
    /// Animates the spinner; sent only while requests are in flight.
    Tick,
    /// The auto-refresh timer of `tenant` fired; sent only while that
    /// tenant is active and has `refresh_secs`.
    AutoRefresh {
        tenant: usize,
    },
    Listed {
        tenant: usize,
        key: ListKey,
        request: u64,
        at: SystemTime,
        /// Typed all the way here, so the pane can offer the right remedy.
        result: Result<Paged, PlatformError>,
    },
    Progress {
        tenant: usize,
        key: ListKey,
        request: u64,
        loaded: usize,
        total: Option<usize>,
    },
    Performed {
        tenant: usize,
        request: u64,
        result: Box<Result<Outcome, String>>,
        /// Where an issued secret was saved before this message was sent.
        saved: Option<Result<PathBuf, String>>,
    },
    Completions {
        partial: String,
        candidates: Vec<String>,
    },
    /// The choices the adapter offers for a form's [`Input::Offered`] field.
    ///
    /// [`Input::Offered`]: crate::platform::Input::Offered
    Offered {
        tenant: usize,
        field: &'static str,
        result: Result<Vec<String>, String>,
    },
    /// What a copy did, in words ("sent the id over OSC 52 ..."), or why it failed.
    Copied(Result<String, String>),
    /// Secrets issued earlier and never confirmed stored, offered again.
    Pending(Result<Vec<PendingSecret>, String>),
    /// Quit was asked while changes are in flight: Portico waits until
    /// each has stored what it issued.
    Quitting {
        waiting: usize,
    },
    /// The store's copy of a secret the user confirmed was erased, or not.
    Forgot(Result<(), String>),
    /// One item of a bulk rotation is done, one way or another.
    BulkItem {
        run: u64,
        index: usize,
        outcome: BulkOutcome,
    },
    /// Where an export of a bulk run's new secrets was written.
    Exported(Result<PathBuf, String>),
    /// The server named the fields a change got wrong; the `Performed`
    /// failure for the same request follows.
    Rejected {
        tenant: usize,
        request: u64,
        fields: Vec<FieldError>,
    },
    /// What the adapter read for a change it has not sent yet.
    Previewed {
        tenant: usize,
        request: u64,
        op: Operation,
        result: Result<Vec<String>, String>,
    },
    /// Everything one tenant lists, for `:find` or `:expiring`.
    Crawled {
        tenant: usize,
        request: u64,
        at: SystemTime,
        answer: Answer,
    },
    /// A raw document decoded and laid out in lines, off the UI task.
    RawDoc {
        request: u64,
        lines: Vec<String>,
    },
    /// What the editor left: `Ok(None)` when it was abandoned (the file
    /// unchanged, or the editor exited non-zero).
    Edited {
        request: u64,
        result: Result<Option<String>, String>,
    },
    /// A large pane's rows matched off the UI task.
    Matched(Box<super::matching::Matched>),
}

/// A secret waiting in the store since an earlier session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSecret {
    pub tenant: usize,
    pub summary: String,
    pub issued: IssuedSecret,
    pub path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    List {
        tenant: usize,
        key: ListKey,
        request: u64,
    },
    /// Ask the server for the rows matching `key.query`; answered by a
    /// `Listed` like any list, and latest wins the same way.
    Search {
        tenant: usize,
        key: ListKey,
        request: u64,
    },
    Perform {
        tenant: usize,
        request: u64,
        ops: Vec<Operation>,
    },
    Copy {
        what: String,
        text: Secret,
        /// A secret: cleared from the native clipboard after a while.
        sensitive: bool,
    },
    CompletePath {
        partial: String,
    },
    /// Read the choices an open form's field offers; answered by `Offered`.
    Offer {
        tenant: usize,
        kind: Kind,
        field: &'static str,
        parent: Option<String>,
    },
    /// Describe `op` without sending it (its confirmation shows the lines).
    Preview {
        tenant: usize,
        request: u64,
        op: Operation,
    },
    /// Rotates every item, a few at a time per tenant; each result comes
    /// back as a `BulkItem` with its index.
    BulkRotate {
        run: u64,
        items: Vec<BulkTarget>,
    },
    /// Writes the new secrets of bulk run `run` to an owner-only file.
    Export {
        run: u64,
        format: ExportFormat,
    },
    /// Log in again with the one-time code the tenant's login asked for;
    /// answered by a `Performed`.
    SecondFactor {
        tenant: usize,
        request: u64,
        code: Secret,
    },
    /// List everything `tenant` has, giving up after `deadline`.
    Crawl {
        tenant: usize,
        request: u64,
        deadline: Duration,
    },
    /// Read the vendor's document for `target` on `tenant` and lay it
    /// out for the `Y` view; `resource` is what is shown if it cannot be read.
    RawDoc {
        tenant: usize,
        request: u64,
        target: Target,
        resource: Box<Resource>,
    },
    /// Suspend the screen and open `text` in the user's editor, in a file
    /// ending in `.{ext}`.
    OpenEditor {
        request: u64,
        text: String,
        ext: &'static str,
    },
    /// Erase the store's copy: the user confirmed the secret is stored.
    Forget {
        path: PathBuf,
    },
    /// Keep the command history, as this text, for the next run.
    SaveHistory {
        text: String,
    },
    /// Match a large pane's rows against its filter off the UI task;
    /// answered by `Matched`.
    Match(super::matching::Job),
    Quit,
}
