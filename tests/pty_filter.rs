//! Filtering a pane too large to match in the keystroke's frame: the
//! query shows at once, the rows follow from the runtime's matcher.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use portico::app::INLINE_MAX;
use support::pty::Pty;

#[test]
fn a_large_pane_filters_through_the_runtime_matcher() {
    let home = tempfile::tempdir().expect("tempdir");
    let scale = (INLINE_MAX + 500).to_string();
    let mut pty = Pty::portico(&["--demo", "--scale", &scale], home.path(), &[], 40, 160);
    pty.wait_for("Scale application 000000");
    // The demo's own eight beside the scaled ones: past the inline limit.
    pty.wait_for(&format!("{} ", INLINE_MAX + 508));
    pty.send("/");
    pty.wait_until("the filter prompt", |s| {
        s.rows(0, 160)
            .last()
            .is_some_and(|row| row.starts_with('/'))
    });
    pty.send("Oracle OTM");
    pty.wait_until("the matched rows", |s| {
        let screen = s.contents();
        screen.contains("/Oracle OTM ")
            && screen.contains("TMS Integration - Oracle OTM")
            && !screen.contains("Scale application 000000")
            && !screen.contains("filtering…")
    });
    // Esc clears the filter; the whole list comes back through the
    // matcher too. Waited for, so `q` is not read as Alt-q.
    pty.send("\x1b");
    pty.wait_until("the whole list again", |s| {
        let screen = s.contents();
        screen.contains("Scale application 000000") && !screen.contains("filtering…")
    });
    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok);
}
