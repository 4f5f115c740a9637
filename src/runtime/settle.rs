//! Counts the changes that must not be cut short: from the moment a
//! request that changes something is sent until what it issued is stored
//! (or, for a change that issues nothing, until it is done and audited).
//! Quitting waits for the count to reach zero.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

#[derive(Clone)]
pub(super) struct Settle(Arc<watch::Sender<usize>>);

impl Settle {
    pub(super) fn new() -> Self {
        Self(Arc::new(watch::Sender::new(0)))
    }

    /// A released hold: acquire it when the request is about to leave.
    pub(super) fn hold(&self) -> Arc<Hold> {
        Arc::new(Hold {
            settle: self.clone(),
            held: AtomicBool::new(false),
        })
    }

    pub(super) fn unsettled(&self) -> usize {
        *self.0.borrow()
    }

    pub(super) fn watch(&self) -> watch::Receiver<usize> {
        self.0.subscribe()
    }
}

/// One task's share of the count; dropping it releases it.
pub(super) struct Hold {
    settle: Settle,
    held: AtomicBool,
}

impl Hold {
    pub(super) fn acquire(&self) {
        if !self.held.swap(true, Ordering::SeqCst) {
            self.settle.0.send_modify(|n| *n += 1);
        }
    }

    pub(super) fn release(&self) {
        if self.held.swap(false, Ordering::SeqCst) {
            self.settle.0.send_modify(|n| *n = n.saturating_sub(1));
        }
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_count_once_and_release_on_drop() {
        let settle = Settle::new();
        let a = settle.hold();
        let b = settle.hold();
        assert_eq!(settle.unsettled(), 0);
        a.acquire();
        a.acquire();
        b.acquire();
        assert_eq!(settle.unsettled(), 2);
        a.release();
        a.release();
        assert_eq!(settle.unsettled(), 1);
        drop(b);
        assert_eq!(settle.unsettled(), 0);
    }
}
