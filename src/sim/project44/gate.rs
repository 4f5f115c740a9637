//! A fault knob: the token endpoint holds every request until the gate is
//! opened, so a test can act while a console is still verifying a secret
//! it was just issued, without guessing at timings.

use std::sync::Arc;

use tokio::sync::watch;

#[derive(Clone)]
pub struct TokenGate {
    open: Arc<watch::Sender<bool>>,
    held: Arc<watch::Sender<usize>>,
}

impl TokenGate {
    /// A gate that holds token requests until [`TokenGate::open`].
    pub fn closed() -> Self {
        Self {
            open: Arc::new(watch::Sender::new(false)),
            held: Arc::new(watch::Sender::new(0)),
        }
    }

    /// Lets every held and later request through.
    pub fn open(&self) {
        self.open.send_replace(true);
    }

    /// Resolves once at least one token request is being held.
    pub async fn arrived(&self) {
        let mut held = self.held.subscribe();
        let _ = held.wait_for(|n| *n > 0).await;
    }

    pub(super) async fn pass(&self) {
        let mut open = self.open.subscribe();
        if *open.borrow() {
            return;
        }
        self.held.send_modify(|n| *n += 1);
        let _ = open.wait_for(|o| *o).await;
        self.held.send_modify(|n| *n = n.saturating_sub(1));
    }
}
