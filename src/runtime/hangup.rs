//! Notices a terminal that has gone away without a SIGHUP.
//!
//! A window that closes normally sends SIGHUP to its foreground process
//! group, and `Signals` hears it. A pseudo-terminal whose master closes
//! while Portico is not in the session that owns it (started under a
//! tracer, or by `setsid` in a session of its own) sends nothing: reads
//! just return end-of-file. crossterm's reader then retries that
//! end-of-file forever, on a whole core, and the console would never
//! learn that it has no screen left.
//!
//! poll(2) reports a hang-up whatever events were asked for, so a thread
//! that asks for none sleeps until the hang-up and never wakes on a key.

use rustix::event::{PollFd, PollFlags, poll};
use tokio::sync::oneshot;

/// Resolves once the terminal on standard input has hung up. Dropped
/// unresolved when it cannot be watched, and then only SIGHUP tells.
pub(super) fn watch() -> oneshot::Receiver<()> {
    let (tx, rx) = oneshot::channel();
    let _ = std::thread::Builder::new()
        .name("hangup".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            if hung_up() {
                let _ = tx.send(());
            }
        });
    rx
}

fn hung_up() -> bool {
    let stdin = std::io::stdin();
    loop {
        let mut fds = [PollFd::new(&stdin, PollFlags::empty())];
        match poll(&mut fds, None) {
            Ok(_) => {
                // With no events asked for, poll returns only for these;
                // anything else ends the watch rather than spin on it.
                return fds[0]
                    .revents()
                    .intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL);
            }
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return false,
        }
    }
}
