//! Matches large panes' filters on a thread of their own, newest query
//! first in line: a job waiting for a pane is replaced by a newer one for
//! the same pane, so fast typing scores only the query the user stopped
//! at.
//!
//! The thread runs at a lower CPU priority than the UI task. Scoring a
//! 100,000-row pane keeps both cores of a small machine busy for a few
//! milliseconds, and at equal priority the frame that shows the typed key
//! would wait its turn behind them.

use std::sync::{Arc, Condvar, Mutex, PoisonError};

use tokio::sync::mpsc;

use crate::app::{Job, Message};

/// The nice value of the matching thread (and of the scoring threads it
/// starts, which inherit it): low enough that the UI task always runs
/// first, while an idle machine still gives the match every core.
const NICE: libc::c_int = 10;

#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    /// Whether the matching thread has been started.
    started: bool,
}

#[derive(Default, Clone)]
pub struct Matcher {
    queue: Arc<(Mutex<Queue>, Condvar)>,
}

impl Matcher {
    /// Queues `job`; its answer goes to `tx` as a `Matched` message.
    pub fn submit(&self, job: Job, tx: &mpsc::UnboundedSender<Message>) {
        let (lock, ready) = &*self.queue;
        let mut queue = lock.lock().unwrap_or_else(PoisonError::into_inner);
        queue.jobs.retain(|waiting| waiting.slot() != job.slot());
        queue.jobs.push(job);
        ready.notify_one();
        if queue.started {
            return;
        }
        let shared = Arc::clone(&self.queue);
        let tx = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("portico-matcher".into())
            .spawn(move || serve(&shared, &tx));
        // Without the thread the jobs stay queued and the pane says
        // `filtering…`; a later job tries again.
        queue.started = spawned.is_ok();
    }
}

/// Runs queued jobs one at a time until the console stops listening.
fn serve(queue: &(Mutex<Queue>, Condvar), tx: &mpsc::UnboundedSender<Message>) {
    lower_priority();
    let (lock, ready) = queue;
    loop {
        let job = {
            let mut queue = lock.lock().unwrap_or_else(PoisonError::into_inner);
            while queue.jobs.is_empty() {
                queue = ready.wait(queue).unwrap_or_else(PoisonError::into_inner);
            }
            queue.jobs.remove(0)
        };
        if tx.send(job.run()).is_err() {
            let mut queue = lock.lock().unwrap_or_else(PoisonError::into_inner);
            queue.jobs.clear();
            queue.started = false;
            return;
        }
    }
}

/// Lowers the calling thread's priority; Linux keeps a nice value per
/// thread, and threads it starts inherit it. Elsewhere, or if refused,
/// the thread runs at the UI task's priority, as before.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take and return plain integers and
    // touch no memory of ours.
    unsafe {
        let tid = libc::gettid();
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid.cast_unsigned(), NICE);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn nice() -> libc::c_int {
        // SAFETY: as in `lower_priority`.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid().cast_unsigned()) }
    }

    #[test]
    fn the_matching_thread_and_the_threads_it_starts_yield_to_the_ui() {
        let before = nice();
        let (mine, child) = std::thread::spawn(|| {
            lower_priority();
            let child = std::thread::spawn(nice).join().expect("child");
            (nice(), child)
        })
        .join()
        .expect("thread");
        assert_eq!(mine, NICE.max(before));
        assert_eq!(child, mine, "a scoring thread inherits it");
        assert_eq!(nice(), before, "only the matching thread is lowered");
    }
}
