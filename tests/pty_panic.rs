//! A panic gives the terminal back, writes a report to the state
//! directory with server text escaped, and the screen points to it.
//! `PORTICO_DEBUG_PANIC` exists in debug builds only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

#[cfg(debug_assertions)]
#[test]
fn a_panic_restores_the_terminal_and_leaves_an_escaped_report() {
    use support::pty::Pty;

    let home = tempfile::tempdir().expect("tempdir");
    let term = Pty::portico(
        &["--demo"],
        home.path(),
        &[("PORTICO_DEBUG_PANIC", "1")],
        30,
        120,
    );
    term.wait_for("A report is in");
    let (success, raw) = term.wait_exit();
    assert!(!success);
    let text = String::from_utf8_lossy(&raw);
    // The alternate screen was left before the message was written.
    let left = text.rfind("\u{1b}[?1049l").expect("alternate screen left");
    let said = text.find("A report is in").expect("message");
    assert!(
        left < said,
        "the message came before the screen was restored"
    );
    // The panic's own text, with its escape sequences, never reached the terminal.
    assert!(!text.contains("test panic with server text"));
    let dir = home.path().join("data/demo/crashes");
    let reports: Vec<_> = std::fs::read_dir(&dir)
        .expect("crash dir")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(reports.len(), 1);
    let report = std::fs::read_to_string(reports[0].path()).expect("report");
    assert!(
        report.contains("test panic with server text \\u{1b}[2J"),
        "{report}"
    );
    assert!(!report.contains('\u{1b}'));
    assert!(!report.contains('\u{7}'));
    assert!(
        text.contains(
            &*reports[0]
                .path()
                .file_name()
                .expect("name")
                .to_string_lossy()
        )
    );
}
