//! Matches large panes' filters on a blocking thread, newest query first
//! in line: a job waiting for a pane is replaced by a newer one for the
//! same pane, so fast typing scores only the query the user stopped at.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

use crate::app::{Job, Message};

#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    /// Whether a blocking task is draining the queue.
    running: bool,
}

#[derive(Default, Clone)]
pub struct Matcher {
    queue: Arc<Mutex<Queue>>,
}

impl Matcher {
    /// Queues `job`; its answer goes to `tx` as a `Matched` message.
    pub fn submit(&self, job: Job, tx: &mpsc::UnboundedSender<Message>) {
        {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.jobs.retain(|waiting| waiting.slot() != job.slot());
            queue.jobs.push(job);
            if queue.running {
                return;
            }
            queue.running = true;
        }
        let queue = Arc::clone(&self.queue);
        let tx = tx.clone();
        // One task at a time: a second would only compete with the
        // first for the cores the UI task needs.
        tokio::task::spawn_blocking(move || {
            loop {
                let job = {
                    let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
                    if queue.jobs.is_empty() {
                        queue.running = false;
                        return;
                    }
                    queue.jobs.remove(0)
                };
                if tx.send(job.run()).is_err() {
                    let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
                    queue.jobs.clear();
                    queue.running = false;
                    return;
                }
            }
        });
    }
}
