//! Copies: OSC 52 on the UI thread (its bytes must not land inside a
//! frame being drawn), the native clipboard on a blocking thread, and the
//! timed clear of a copied secret, which is also run at exit for secrets
//! whose time has not yet come: a clipboard tool outlives Portico.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::Message;
use crate::model::Secret;
use crate::secrets::clipboard::{self, Cleared, Native};

/// Where copies go, from the environment and the `[console]` table.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClipboardSettings {
    native: Option<Native>,
    clear_after: Option<Duration>,
}

impl ClipboardSettings {
    pub const fn new(native: Option<Native>, clear_after: Option<Duration>) -> Self {
        Self {
            native,
            clear_after,
        }
    }
}

/// Secrets on the native clipboard that are still to be cleared, by copy.
type Due = Arc<Mutex<Vec<(u64, Native, Secret)>>>;

#[derive(Debug, Default)]
pub(super) struct Copier {
    settings: ClipboardSettings,
    due: Due,
    copies: u64,
}

impl Copier {
    pub(super) fn new(settings: ClipboardSettings) -> Self {
        Self {
            settings,
            ..Self::default()
        }
    }

    pub(super) fn copy(
        &mut self,
        tx: &mpsc::UnboundedSender<Message>,
        what: String,
        text: Secret,
        sensitive: bool,
    ) {
        let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
        if let Err(err) = clipboard::send_osc52(&mut std::io::stdout(), text.expose()) {
            let _ = tx.send(Message::Copied(Err(err.to_string())));
            return;
        }
        let Some(native) = self.settings.native else {
            let _ = tx.send(Message::Copied(Ok(clipboard::report(&what, tmux))));
            return;
        };
        let clear_after = self.settings.clear_after.filter(|_| sensitive);
        self.copies += 1;
        let copy = self.copies;
        let (tx, due) = (tx.clone(), self.due.clone());
        tokio::spawn(async move {
            let secret = text.clone();
            let Ok(done) = tokio::task::spawn_blocking(move || native.copy(secret.expose())).await
            else {
                return;
            };
            let ok = done.is_ok();
            let said = clipboard::report_both(
                &what,
                Some((native, &done)),
                tmux,
                clear_after.filter(|_| ok),
            );
            let _ = tx.send(Message::Copied(Ok(said)));
            let Some(after) = clear_after.filter(|_| ok) else {
                return;
            };
            lock(&due).push((copy, native, text));
            tokio::time::sleep(after).await;
            let taken = {
                let mut due = lock(&due);
                due.iter()
                    .position(|(n, ..)| *n == copy)
                    .map(|i| due.swap_remove(i))
            };
            // Already cleared at exit, or never registered.
            let Some((_, native, text)) = taken else {
                return;
            };
            let cleared =
                tokio::task::spawn_blocking(move || native.clear_if_holding(text.expose())).await;
            let said = match cleared {
                Ok(Ok(Cleared::Cleared)) => Ok(format!("cleared the {what} from the clipboard")),
                Ok(Ok(Cleared::Changed)) => Ok(format!(
                    "left the clipboard alone: it no longer holds the {what}"
                )),
                Ok(Err(err)) => Err(format!("could not clear the {what}: {err}")),
                Err(err) => Err(format!("could not clear the {what}: {err}")),
            };
            let _ = tx.send(Message::Copied(said));
        });
    }

    /// Clears, now, every secret whose timed clear has not run. Blocking.
    pub(super) fn clear_all_due(&self) {
        let due: Vec<_> = lock(&self.due).drain(..).collect();
        for (_, native, text) in due {
            let _ = native.clear_if_holding(text.expose());
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
