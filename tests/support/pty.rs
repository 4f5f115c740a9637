//! Runs the real `portico` binary in a pseudo-terminal and reads its
//! screen through a terminal emulator. Tests wait for content to appear,
//! never for a fixed time.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// How long any single expectation may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

struct Shared {
    parser: vt100::Parser,
    raw: Vec<u8>,
    closed: bool,
}

pub struct Pty {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

impl Pty {
    /// Starts `portico` with `args` in a `rows`x`cols` terminal, with a
    /// private HOME, config dir and data dir under `home`.
    pub fn portico(args: &[&str], home: &Path, env: &[(&str, &str)], rows: u16, cols: u16) -> Self {
        let system = native_pty_system();
        let pair = system
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_portico"));
        cmd.args(args);
        cmd.cwd(home);
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home.join(".config"));
        cmd.env("XDG_DATA_HOME", home.join(".local/share"));
        cmd.env("PORTICO_DATA_DIR", home.join("data"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("PORTICO_CONFIG");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn portico");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let size = |n: u16| NonZeroU16::new(n).expect("non-zero size");
        let shared = Arc::new((
            Mutex::new(Shared {
                parser: vt100::Parser::new(size(rows), size(cols), 0),
                raw: Vec::new(),
                closed: false,
            }),
            Condvar::new(),
        ));
        let feed = shared.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = reader.read(&mut buf).unwrap_or(0);
                let (lock, cvar) = &*feed;
                // A failed expectation poisons the lock; stop quietly then.
                let Ok(mut s) = lock.lock() else {
                    return;
                };
                if n == 0 {
                    s.closed = true;
                    cvar.notify_all();
                    return;
                }
                s.parser.process(&buf[..n]);
                s.raw.extend_from_slice(&buf[..n]);
                cvar.notify_all();
            }
        });
        Self {
            shared,
            writer,
            child,
            _master: pair.master,
        }
    }

    /// The process id of `portico`, e.g. to signal it.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    /// Waits until `check` holds for the screen; panics with the screen
    /// when it does not within [`PATIENCE`].
    pub fn wait_until(&self, what: &str, check: impl Fn(&vt100::Screen) -> bool) {
        self.wait_within(what, PATIENCE, check);
    }

    /// Like [`Pty::wait_until`], with a deadline of `limit` from now.
    #[allow(dead_code)]
    pub fn wait_within(&self, what: &str, limit: Duration, check: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + limit;
        let (lock, cvar) = &*self.shared;
        let mut s = lock.lock().expect("lock");
        loop {
            if check(s.parser.screen()) {
                return;
            }
            let now = Instant::now();
            assert!(
                !(now >= deadline || s.closed),
                "timed out waiting for {what}; screen was:\n{}",
                s.parser.screen().contents()
            );
            s = cvar.wait_timeout(s, deadline - now).expect("wait").0;
        }
    }

    pub fn wait_for(&self, text: &str) {
        self.wait_until(&format!("{text:?}"), |screen| {
            screen.contents().contains(text)
        });
    }

    pub fn wait_gone(&self, text: &str) {
        self.wait_until(&format!("{text:?} to disappear"), |screen| {
            !screen.contents().contains(text)
        });
    }

    pub fn contents(&self) -> String {
        let (lock, _) = &*self.shared;
        lock.lock().expect("lock").parser.screen().contents()
    }

    /// Reads the screen under the lock, e.g. to check colours.
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        let (lock, _) = &*self.shared;
        f(lock.lock().expect("lock").parser.screen())
    }

    /// Waits for the process to exit and returns everything it wrote.
    pub fn wait_exit(self) -> (bool, Vec<u8>) {
        self.exit_within(PATIENCE)
    }

    /// Everything written to the terminal so far.
    #[allow(dead_code)]
    pub fn raw(&self) -> Vec<u8> {
        let (lock, _) = &*self.shared;
        lock.lock().expect("lock").raw.clone()
    }

    /// Like [`Pty::wait_exit`], failing unless it exits within `limit`.
    pub fn exit_within(mut self, limit: Duration) -> (bool, Vec<u8>) {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!("portico did not exit; screen was:\n{}", self.contents());
            }
            // Exit is not announced on the pty; wait on output instead of
            // sleeping blind, with a short bound.
            let (lock, cvar) = &*self.shared;
            let s = lock.lock().expect("lock");
            let _ = cvar
                .wait_timeout(s, Duration::from_millis(50))
                .expect("wait");
        };
        let (lock, cvar) = &*self.shared;
        let mut s = lock.lock().expect("lock");
        while !s.closed && Instant::now() < deadline {
            s = cvar
                .wait_timeout(s, Duration::from_millis(100))
                .expect("wait")
                .0;
        }
        (status.success(), s.raw.clone())
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Finds `text` on screen and returns its (row, col).
pub fn find(screen: &vt100::Screen, text: &str) -> Option<(u16, u16)> {
    let contents = screen.contents();
    contents.lines().enumerate().find_map(|(row, line)| {
        line.find(text).map(|byte| {
            (
                u16::try_from(row).unwrap_or(u16::MAX),
                u16::try_from(line[..byte].chars().count()).unwrap_or(u16::MAX),
            )
        })
    })
}
