//! What happens when Portico panics: the terminal is given back first
//! (ratatui's own hook, installed around this one), then a report goes to
//! a file in the state directory, and the screen says where it is.
//!
//! A panic message may quote anything that was being formatted, server
//! text included, so the report escapes every control and format
//! character and keeps only the first few KiB of it. The message itself is
//! never printed to the terminal: only the report's path is.

use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::PanicHookInfo;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// How much of a panic message the report keeps.
const MESSAGE_CAP: usize = 4096;

/// Installs the hook. Every panic ends the process once reported: after
/// the terminal has been restored there is no screen left to go on with,
/// whichever task panicked.
pub fn install(dir: PathBuf) {
    std::panic::set_hook(Box::new(move |info| {
        // A panic inside a frame leaves its synchronized update open, and
        // the terminal would hold back the report line below.
        let _ = crossterm::execute!(
            std::io::stdout(),
            crossterm::terminal::EndSynchronizedUpdate
        );
        let _ = crossterm::execute!(
            std::io::stderr(),
            crossterm::event::DisableMouseCapture,
            crossterm::event::DisableBracketedPaste
        );
        let text = report(info);
        match write(&dir, &text) {
            Ok(path) => eprintln!(
                "portico crashed. A report is in {}\nPlease attach it when you report the problem.",
                path.display()
            ),
            Err(err) => eprintln!(
                "portico crashed, and could not write a report to {}: {err}\n{text}",
                dir.display()
            ),
        }
        std::process::exit(101);
    }));
}

/// The report's text: version, where, the escaped message, a backtrace.
pub fn report(info: &PanicHookInfo<'_>) -> String {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    let location = info.location().map_or_else(
        || "unknown".to_string(),
        |l| format!("{}:{}", l.file(), l.line()),
    );
    let thread = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_string();
    let backtrace = std::backtrace::Backtrace::force_capture().to_string();
    compose(&message, &location, &thread, &backtrace)
}

/// Builds the report from its parts, each made safe to open in a terminal.
pub fn compose(message: &str, location: &str, thread: &str, backtrace: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "portico {} panicked", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(out, "at: {}", escape(location, MESSAGE_CAP));
    let _ = writeln!(out, "thread: {}", escape(thread, 256));
    let _ = writeln!(out, "message: {}", escape(message, MESSAGE_CAP));
    let _ = writeln!(out, "\nbacktrace:");
    for line in backtrace.lines() {
        // Frames name functions and files, which are Portico's own; they
        // are escaped all the same, so the file is always safe to `cat`.
        let _ = writeln!(out, "{}", escape(line, 1024));
    }
    out
}

/// Escapes controls and invisible format characters as `\u{..}` and
/// cuts at `cap` bytes, marking the cut.
fn escape(text: &str, cap: usize) -> String {
    let mut out = String::with_capacity(text.len().min(cap) + 16);
    for c in text.chars() {
        if out.len() >= cap {
            let _ = write!(out, "... (cut, {} bytes in all)", text.len());
            break;
        }
        if c.is_control() || is_format(c) {
            let _ = write!(out, "{}", c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

const fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}')
}

/// Writes the report owner-only into `dir` and returns its path.
fn write(dir: &Path, text: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let path = dir.join(format!("crash-{stamp}-{}.txt", std::process::id()));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut file = open.open(&path)?;
    file.write_all(text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_in_a_message_is_escaped_and_cut() {
        let hostile = format!(
            "name \u{1b}[2J\u{1b}]52;c;aGk=\u{7}\u{202e}x{}",
            "A".repeat(10_000)
        );
        let text = compose(&hostile, "src/x.rs:1", "main", "  0: frame\u{1b}[31m");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(!text.contains('\u{7}'));
        assert!(!text.contains('\u{202e}'));
        assert!(text.contains("\\u{1b}[2J"));
        assert!(text.contains("(cut, "));
        assert!(text.len() < 6000, "{}", text.len());
    }

    #[test]
    fn the_report_is_owner_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(&dir.path().join("state"), "report").expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "report");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
