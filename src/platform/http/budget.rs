//! One memory budget for every answer body being read at once.
//!
//! Each body may hold its tenant's cap (8 MiB by default), so without a
//! shared limit the memory of many large answers in flight grows with
//! their number. Past a first MiB, which every body may use freely so small
//! answers never wait, a body reserves its whole need from the budget in
//! one step: the exact size when the server sent `Content-Length`, else
//! its cap. A reader never holds part of the budget while waiting for
//! more, so readers cannot deadlock each other; they wait their turn, in
//! order, within the client's timeout.

use std::sync::{Arc, OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const MIB: usize = 1 << 20;
/// What every body may buffer without asking the budget.
pub const FREE_BYTES: usize = MIB;
/// The budget when `PORTICO_BODY_BUDGET_MIB` does not set one.
pub const DEFAULT_MIB: u32 = 32;
/// Bounds for `PORTICO_BODY_BUDGET_MIB`; a value outside them is clamped.
const MIB_RANGE: (u32, u32) = (8, 4096);

/// Shared MiB permits; clones share the same budget.
#[derive(Clone, Debug)]
pub struct Budget {
    permits: Arc<Semaphore>,
    total: u32,
}

/// A share of the budget, given back when dropped.
#[derive(Debug)]
pub struct Reserved {
    _permit: OwnedSemaphorePermit,
}

impl Budget {
    pub fn new(mib: u32) -> Self {
        let total = mib.max(1);
        Self {
            permits: Arc::new(Semaphore::new(total as usize)),
            total,
        }
    }

    /// The process-wide budget: `PORTICO_BODY_BUDGET_MIB` MiB, else
    /// [`DEFAULT_MIB`], read once.
    pub fn shared() -> Self {
        static SHARED: OnceLock<Budget> = OnceLock::new();
        SHARED
            .get_or_init(|| {
                let mib = std::env::var("PORTICO_BODY_BUDGET_MIB")
                    .ok()
                    .and_then(|v| v.trim().parse::<u32>().ok())
                    .map_or(DEFAULT_MIB, |v| v.clamp(MIB_RANGE.0, MIB_RANGE.1));
                Self::new(mib)
            })
            .clone()
    }

    pub const fn total_mib(&self) -> u32 {
        self.total
    }

    /// MiB permits free right now.
    pub fn available_mib(&self) -> usize {
        self.permits.available_permits()
    }

    /// Waits until `bytes` beyond [`FREE_BYTES`] fit in the budget and
    /// takes them; a need larger than the whole budget takes all of it.
    /// `None` when nothing needs reserving.
    pub async fn reserve(&self, bytes: usize) -> Option<Reserved> {
        let over = bytes.saturating_sub(FREE_BYTES);
        if over == 0 {
            return None;
        }
        let mib = u32::try_from(over.div_ceil(MIB)).unwrap_or(u32::MAX);
        let permit = Arc::clone(&self.permits)
            .acquire_many_owned(mib.min(self.total))
            .await
            // The semaphore is never closed.
            .ok()?;
        Some(Reserved { _permit: permit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bodies_share_the_budget_and_give_it_back() {
        let budget = Budget::new(10);
        assert!(
            budget.reserve(FREE_BYTES).await.is_none(),
            "the first MiB is free"
        );
        let big = budget.reserve(FREE_BYTES + 6 * MIB).await;
        assert!(big.is_some());
        assert_eq!(budget.available_mib(), 4);
        // A need past what is left waits until the first share comes back.
        let waiting = tokio::spawn({
            let budget = budget.clone();
            async move { budget.reserve(FREE_BYTES + 5 * MIB).await.is_some() }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(big);
        assert!(waiting.await.expect("join"));
        assert_eq!(budget.available_mib(), 10);
    }

    #[tokio::test]
    async fn a_need_past_the_whole_budget_takes_all_of_it() {
        let budget = Budget::new(4);
        let all = budget.reserve(100 * MIB).await;
        assert!(all.is_some());
        assert_eq!(budget.available_mib(), 0);
        drop(all);
        assert_eq!(budget.available_mib(), 4);
    }
}
