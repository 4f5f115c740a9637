//! Copying: through the terminal (OSC 52) always, and through the desktop's
//! own clipboard when a display is present.
//!
//! OSC 52 works over SSH and in tmux with `set-clipboard on`, where a
//! native clipboard would copy to the wrong machine. It has no reply:
//! Portico cannot tell whether the terminal honoured it, so what it reports
//! is what it sent. GNOME Terminal and other VTE terminals ignore it, which
//! is why a native copy is made as well when `WAYLAND_DISPLAY` or `DISPLAY`
//! names a display.
//!
//! The native copy runs `wl-copy` or `xclip` with the text on stdin rather
//! than linking a clipboard crate: both tools keep serving the selection
//! after Portico exits (an X11 selection owned by Portico itself would
//! vanish with it), and they cost nothing to build. Reading the clipboard
//! back (`wl-paste`, `xclip -o`) is what lets a timed clear touch the
//! clipboard only while it still holds the secret it copied.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use zeroize::Zeroizing;

/// How long a clipboard tool may take before it counts as hung.
const TOOL_DEADLINE: Duration = Duration::from_secs(3);

/// The escape sequence that asks the terminal to set the clipboard.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

/// Sends `text` over OSC 52 and says, for the status line, what was done.
pub fn copy(out: &mut impl Write, what: &str, text: &str) -> std::io::Result<String> {
    send_osc52(out, text)?;
    Ok(report(
        what,
        std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()),
    ))
}

/// Writes the OSC 52 sequence for `text` to the terminal.
pub fn send_osc52(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    // The encoded copy of a secret is wiped like the secret itself.
    let sequence = Zeroizing::new(osc52(text));
    out.write_all(sequence.as_bytes())?;
    out.flush()
}

/// The words for a copy that was sent: who may still drop it, and, inside
/// tmux, the setting that decides.
pub fn report(what: &str, inside_tmux: bool) -> String {
    if inside_tmux {
        format!(
            "sent the {what} over OSC 52; tmux passes it to the clipboard only with `set-clipboard on`"
        )
    } else {
        format!("sent the {what} to the terminal over OSC 52; a terminal may ignore it")
    }
}

/// A desktop clipboard reached through its command-line tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Native {
    Wayland,
    X11,
}

impl Native {
    /// The display the environment names, Wayland first (an X11 `DISPLAY`
    /// under Wayland is usually `XWayland`, whose clipboard is a copy).
    pub fn detect(var: impl Fn(&str) -> Option<OsString>) -> Option<Self> {
        let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
        if set("WAYLAND_DISPLAY") {
            Some(Self::Wayland)
        } else if set("DISPLAY") {
            Some(Self::X11)
        } else {
            None
        }
    }

    /// The tool's name, for the status line.
    pub const fn tool(self) -> &'static str {
        match self {
            Self::Wayland => "wl-copy",
            Self::X11 => "xclip",
        }
    }

    const fn write_command(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Self::Wayland => ("wl-copy", &[]),
            Self::X11 => ("xclip", &["-selection", "clipboard", "-in"]),
        }
    }

    const fn read_command(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Self::Wayland => ("wl-paste", &["--no-newline"]),
            Self::X11 => ("xclip", &["-selection", "clipboard", "-out"]),
        }
    }

    /// Puts `text` on the clipboard. Blocking: call it from a blocking
    /// thread.
    pub fn copy(self, text: &str) -> Result<(), NativeError> {
        let (program, args) = self.write_command();
        // The tool forks a process that serves the selection and keeps the
        // inherited descriptors open, so nothing is read back from it: a
        // pipe would stay open for as long as the selection lives.
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| NativeError::Spawn(program, e))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(text.as_bytes())
                .map_err(|e| NativeError::Spawn(program, e))?;
        }
        finish(program, &mut child)
    }

    /// What the clipboard holds now, wiped when dropped.
    pub fn read(self) -> Result<Zeroizing<String>, NativeError> {
        let (program, args) = self.read_command();
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| NativeError::Spawn(program, e))?;
        let mut bytes = Zeroizing::new(Vec::new());
        if let Some(mut stdout) = child.stdout.take() {
            // Reading to the end is safe here: paste tools do not fork.
            stdout
                .read_to_end(&mut bytes)
                .map_err(|e| NativeError::Spawn(program, e))?;
        }
        // An empty clipboard makes both tools exit non-zero.
        match finish(program, &mut child) {
            Ok(()) | Err(NativeError::Failed(..)) => {}
            Err(err) => return Err(err),
        }
        Ok(Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Empties the clipboard if, and only if, it still holds `text`:
    /// whatever the user copied since is theirs.
    pub fn clear_if_holding(self, text: &str) -> Result<Cleared, NativeError> {
        if self.read()?.as_str() != text {
            return Ok(Cleared::Changed);
        }
        self.copy("")?;
        Ok(Cleared::Cleared)
    }
}

/// What a timed clear did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleared {
    Cleared,
    /// Something else was copied since; the clipboard was left alone.
    Changed,
}

/// Why a native copy failed. The text itself is never part of it.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    #[error("cannot run {0}: {1}")]
    Spawn(&'static str, #[source] std::io::Error),
    #[error("{0} exited with {1}")]
    Failed(&'static str, std::process::ExitStatus),
    #[error("{0} did not finish within {secs}s", secs = TOOL_DEADLINE.as_secs())]
    TimedOut(&'static str),
}

/// Waits for the tool with a deadline: an X server that stopped answering
/// must not hold a copy forever.
fn finish(program: &'static str, child: &mut Child) -> Result<(), NativeError> {
    let deadline = Instant::now() + TOOL_DEADLINE;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(NativeError::Failed(program, status)),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(NativeError::TimedOut(program));
            }
            Err(e) => return Err(NativeError::Spawn(program, e)),
        }
    }
}

/// The status line for a copy that went both ways, or tried to.
pub fn report_both(
    what: &str,
    native: Option<(Native, &Result<(), NativeError>)>,
    inside_tmux: bool,
    clear_after: Option<Duration>,
) -> String {
    let clear = clear_after.map_or(String::new(), |after| {
        format!("; cleared in {}s if still there", after.as_secs())
    });
    match native {
        Some((native, Ok(()))) => format!(
            "copied the {what} to the clipboard with {} and sent it over OSC 52{clear}",
            native.tool()
        ),
        Some((_, Err(err))) => format!("{err}; {}", report(what, inside_tmux)),
        None => report(what, inside_tmux),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_base64_in_osc52() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn copy_writes_the_sequence_and_reports_what_was_sent() {
        let mut out = Vec::new();
        let said = copy(&mut out, "id", "hi").expect("write to a Vec");
        assert_eq!(out, b"\x1b]52;c;aGk=\x07");
        assert!(said.contains("OSC 52"), "{said}");
        assert!(!said.contains("copied"), "{said}");
    }

    #[test]
    fn the_report_never_claims_the_clipboard_was_set() {
        for tmux in [false, true] {
            let said = report("id", tmux);
            assert!(said.starts_with("sent the id"), "{said}");
            assert!(!said.contains("copied"), "{said}");
        }
        assert!(report("id", true).contains("set-clipboard on"));
    }

    #[test]
    fn wayland_wins_over_x11_and_empty_values_do_not_count() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(Native::detect(env(&[])), None);
        assert_eq!(Native::detect(env(&[("DISPLAY", "")])), None);
        assert_eq!(Native::detect(env(&[("DISPLAY", ":0")])), Some(Native::X11));
        assert_eq!(
            Native::detect(env(&[("DISPLAY", ":0"), ("WAYLAND_DISPLAY", "wayland-0")])),
            Some(Native::Wayland)
        );
    }

    #[test]
    fn the_status_line_names_the_path_the_copy_took() {
        let ok = Ok(());
        let said = report_both(
            "secret",
            Some((Native::X11, &ok)),
            false,
            Some(Duration::from_secs(30)),
        );
        assert!(said.contains("with xclip"), "{said}");
        assert!(said.contains("OSC 52"), "{said}");
        assert!(said.contains("cleared in 30s"), "{said}");
        let failed = Err(NativeError::TimedOut("wl-copy"));
        let said = report_both("id", Some((Native::Wayland, &failed)), false, None);
        assert!(said.starts_with("wl-copy did not finish"), "{said}");
        assert!(
            said.contains("sent the id to the terminal over OSC 52"),
            "{said}"
        );
        assert!(!said.contains("copied"), "{said}");
        let said = report_both("id", None, true, None);
        assert!(said.contains("set-clipboard on"), "{said}");
    }
}
