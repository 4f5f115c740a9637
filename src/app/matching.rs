//! Filtering a large pane off the UI task. A keystroke on a pane of more
//! than [`INLINE_MAX`] rows changes the query and draws at once, with the
//! previous matches still shown; the rows are matched by the runtime on
//! a shared snapshot of the list, and the answer comes back as
//! [`Message::Matched`], tagged so that a stale one is dropped.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use super::filter::{self, Filtered};
use super::message::Message;
use super::state::{Basis, State};
use crate::model::{Pane, Resource};

/// Up to this many rows a pane is matched in the keystroke's own frame:
/// small panes show their result at once, and scoring them costs well
/// under a millisecond.
pub const INLINE_MAX: usize = 5_000;

/// One pane's rows to match against one query.
#[derive(Clone)]
pub struct Job {
    tenant: usize,
    pane: Pane,
    ticket: u64,
    basis: Basis,
    items: Arc<Vec<Resource>>,
    /// The rows a narrower query kept, when the new one only grows it.
    among: Option<Arc<Vec<usize>>>,
    loaded_at: Option<SystemTime>,
}

impl Job {
    pub(super) const fn new(
        ticket: u64,
        basis: Basis,
        items: Arc<Vec<Resource>>,
        among: Option<Arc<Vec<usize>>>,
        loaded_at: Option<SystemTime>,
    ) -> Self {
        Self {
            tenant: 0,
            pane: Pane::Applications,
            ticket,
            basis,
            items,
            among,
            loaded_at,
        }
    }

    pub(super) const fn addressed(mut self, tenant: usize, pane: Pane) -> Self {
        self.tenant = tenant;
        self.pane = pane;
        self
    }

    /// Which pane the job is for: a newer job for the same one makes an
    /// unstarted older one pointless.
    pub const fn slot(&self) -> (usize, Pane) {
        (self.tenant, self.pane)
    }

    /// How many rows the job scores.
    pub fn rows(&self) -> usize {
        self.among.as_ref().map_or(self.items.len(), |a| a.len())
    }

    /// Matches the rows: the work the runtime does off the UI task.
    pub fn run(self) -> Message {
        let (_, _, query, sort) = &self.basis;
        let filtered = filter::visible_among(
            &self.items,
            self.among.as_deref().map(Vec::as_slice),
            query,
            *sort,
            self.loaded_at,
        );
        Message::Matched(Box::new(Matched {
            tenant: self.tenant,
            pane: self.pane,
            ticket: self.ticket,
            basis: self.basis,
            filtered,
        }))
    }
}

// Two jobs are the same when they ask the same of the same snapshot;
// comparing 100,000 rows to learn it would defeat the purpose.
impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        self.slot() == other.slot()
            && self.ticket == other.ticket
            && self.basis == other.basis
            && Arc::ptr_eq(&self.items, &other.items)
            && self.among.as_ref().map(Arc::as_ptr) == other.among.as_ref().map(Arc::as_ptr)
    }
}

impl Eq for Job {}

// Rows stay out of logs and test failures: their count says enough.
impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("tenant", &self.tenant)
            .field("pane", &self.pane)
            .field("ticket", &self.ticket)
            .field("query", &self.basis.2)
            .field("sort", &self.basis.3)
            .field("rows", &self.rows())
            .finish_non_exhaustive()
    }
}

/// The rows a [`Job`] kept, for the pane and query it was asked for.
pub struct Matched {
    tenant: usize,
    pane: Pane,
    ticket: u64,
    basis: Basis,
    filtered: Filtered,
}

impl Matched {
    /// How many rows matched.
    pub const fn rows(&self) -> usize {
        self.filtered.rows.len()
    }
}

impl fmt::Debug for Matched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Matched")
            .field("tenant", &self.tenant)
            .field("pane", &self.pane)
            .field("ticket", &self.ticket)
            .field("query", &self.basis.2)
            .field("rows", &self.rows())
            .finish_non_exhaustive()
    }
}

/// Shows a job's rows if the pane still wants them: the same ticket for
/// the same list, query and sort. Anything else is stale and dropped.
pub(super) fn on_matched(state: &mut State, matched: Matched) {
    let Matched {
        tenant,
        pane,
        ticket,
        basis,
        filtered,
    } = matched;
    if let Some(cursor) = state.cursor_in(tenant, pane) {
        cursor.settle(ticket, basis, filtered);
    }
}
