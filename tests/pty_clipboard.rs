//! Copies as the terminal sees them (OSC 52 bytes in the PTY output) and,
//! under Xvfb, as the X11 clipboard holds them (`xclip -o` reads them
//! back), including the timed clear that leaves a newer copy alone.
//!
//! The Xvfb test skips when `Xvfb` or `xclip` is missing, unless
//! `PORTICO_REQUIRE_XCLIP` is set, which turns the skip into a failure
//! (CI sets it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use support::pty::Pty;

const OSC52: &[u8] = b"\x1b]52;c;";

/// Every payload the program sent over OSC 52, decoded.
fn osc52_payloads(raw: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.windows(OSC52.len()).position(|w| w == OSC52) {
        let body = &rest[start + OSC52.len()..];
        let Some(end) = body.iter().position(|b| *b == 0x07) else {
            break;
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&body[..end])
            .expect("OSC 52 carries base64");
        out.push(String::from_utf8(decoded).expect("utf-8"));
        rest = &body[end..];
    }
    out
}

#[test]
fn y_sends_the_selected_id_over_osc52() {
    let home = tempfile::tempdir().expect("tempdir");
    // No display: OSC 52 is the only path, and the status line says so.
    let env = [("DISPLAY", ""), ("WAYLAND_DISPLAY", ""), ("TMUX", "")];
    let mut pty = Pty::portico(&[], home.path(), &env, 40, 200);
    pty.wait_for("TMS Integration - Oracle OTM");
    pty.send("y");
    pty.wait_for("over OSC 52; a terminal may ignore it");
    let sent = osc52_payloads(&pty.raw());
    let [id] = sent.as_slice() else {
        panic!("one OSC 52 copy expected, got {sent:?}");
    };
    assert!(!id.is_empty());
    // The id sent is the selection's, as the detail pane shows it.
    pty.wait_for(&format!("id: {id}"));
    pty.send("q");
    let (ok, _) = pty.exit_within(Duration::from_secs(10));
    assert!(ok);
}

/// An X server of the test's own, on the first free display number.
struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Xvfb {
    fn start() -> Self {
        for n in 70..200 {
            let socket = format!("/tmp/.X11-unix/X{n}");
            let lock = format!("/tmp/.X{n}-lock");
            if Path::new(&socket).exists() || Path::new(&lock).exists() {
                continue;
            }
            let display = format!(":{n}");
            let mut child = Command::new("Xvfb")
                .args([&display, "-nolisten", "tcp", "-screen", "0", "640x480x24"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start Xvfb");
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if Path::new(&socket).exists() {
                    return Self { child, display };
                }
                if child.try_wait().expect("poll Xvfb").is_some() || Instant::now() > deadline {
                    // Lost a race for this number, or it never came up.
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("no display number was free for Xvfb");
    }

    fn read(&self) -> String {
        let out = Command::new("xclip")
            .args(["-selection", "clipboard", "-o"])
            .env("DISPLAY", &self.display)
            .stderr(Stdio::null())
            .output()
            .expect("run xclip -o");
        // An empty clipboard makes xclip exit non-zero with no output.
        String::from_utf8(out.stdout).expect("utf-8")
    }

    fn write(&self, text: &str) {
        use std::io::Write;
        let mut child = Command::new("xclip")
            .args(["-selection", "clipboard", "-i"])
            .env("DISPLAY", &self.display)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run xclip -i");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
        assert!(child.wait().expect("xclip").success());
    }

    fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let now = self.read();
            if check(&now) {
                return now;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: the clipboard holds {now:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn under_x11_copies_reach_the_clipboard_and_secrets_are_cleared_only_while_there() {
    let required = std::env::var_os("PORTICO_REQUIRE_XCLIP").is_some();
    if !have("Xvfb") || !have("xclip") {
        assert!(
            !required,
            "PORTICO_REQUIRE_XCLIP is set but Xvfb or xclip is missing"
        );
        eprintln!("skipped: Xvfb or xclip is missing (set PORTICO_REQUIRE_XCLIP to fail instead)");
        return;
    }
    let x = Xvfb::start();
    let sim = support::sim::Standalone::start(&[]);
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[console]\nclipboard_clear_secs = 2\n\n{}", sim.config()),
    )
    .expect("config");
    let config = config.to_string_lossy().into_owned();
    let env = [("DISPLAY", x.display.as_str()), ("WAYLAND_DISPLAY", "")];
    let mut pty = Pty::portico(&["--config", &config], home.path(), &env, 40, 200);
    pty.wait_for("TMS Integration - Oracle OTM");

    // An id: copied both ways, and never cleared.
    pty.send("y");
    pty.wait_for("to the clipboard with xclip and sent it over OSC 52");
    let id = x.wait_for("the id", |now| !now.is_empty());
    assert_eq!(osc52_payloads(&pty.raw()), vec![id.clone()]);

    // A new secret: copied, then cleared once its time is up.
    pty.send("n");
    pty.wait_for("New client application");
    pty.send("Clipboard Bot\r");
    pty.wait_for("shown only now");
    pty.send("c");
    pty.wait_for("cleared in 2s if still there");
    let secret = x.wait_for("the secret", |now| now != id && !now.is_empty());
    assert_eq!(osc52_payloads(&pty.raw()).last(), Some(&secret));
    pty.wait_for("from the clipboard");
    x.wait_for("cleared", str::is_empty);

    // Copied again, then replaced by the user: the clear leaves theirs.
    pty.send("c");
    pty.wait_for("cleared in 2s if still there");
    x.wait_for("the secret again", |now| now == secret);
    x.write("the user's own text");
    pty.wait_for("left the clipboard alone");
    assert_eq!(x.read(), "the user's own text");

    // Copied a third time and Portico quits first: it clears on the way out.
    pty.send("c");
    pty.wait_for("cleared in 2s if still there");
    x.wait_for("the secret a third time", |now| now == secret);
    pty.send("\x1b");
    pty.wait_gone("shown only now");
    pty.send("q");
    let (ok, _) = pty.exit_within(Duration::from_secs(10));
    assert!(ok);
    assert_eq!(x.read(), "", "the secret outlived Portico on the clipboard");
}
