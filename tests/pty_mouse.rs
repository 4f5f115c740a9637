//! The mouse through a pseudo-terminal: SGR mouse reports, as terminals
//! send them once Portico asks for them, select rows, focus panes, scroll
//! and run the hint bar's actions; `mouse = false` never asks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::time::Duration;

use support::pty::{Pty, find};

/// Asks the terminal for button reports (any of the modes crossterm sets).
const MOUSE_ON: &[u8] = b"\x1b[?1000h";

fn press(row: u16, col: u16) -> String {
    // SGR coordinates are 1-based; press then release, as a click is.
    format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m", x = col + 1, y = row + 1)
}

fn wheel(row: u16, col: u16, down: bool) -> String {
    let button = if down { 65 } else { 64 };
    format!("\x1b[<{button};{};{}M", col + 1, row + 1)
}

fn at(pty: &Pty, text: &str) -> (u16, u16) {
    pty.with_screen(|s| find(s, text))
        .unwrap_or_else(|| panic!("{text:?} is not on screen:\n{}", pty.contents()))
}

/// Whether a row showing `text` is drawn reversed: selected in the
/// focused pane. Titles and the detail pane may show it too, never reversed.
fn reversed(screen: &vt100::Screen, text: &str) -> bool {
    let (_, width) = screen.size();
    screen.rows(0, width.get()).enumerate().any(|(row, line)| {
        line.match_indices(text).any(|(byte, _)| {
            let col = u16::try_from(line[..byte].chars().count()).unwrap_or(u16::MAX);
            let row = u16::try_from(row).unwrap_or(u16::MAX);
            screen.cell(row, col).is_some_and(vt100::Cell::inverse)
        })
    })
}

fn has(raw: &[u8], bytes: &[u8]) -> bool {
    raw.windows(bytes.len()).any(|w| w == bytes)
}

/// The column of `word` in the hint bar, the bottom row.
fn hint_at(pty: &Pty, rows: u16, word: &str) -> (u16, u16) {
    let line = pty.with_screen(|s| {
        s.rows(0, 200)
            .nth(usize::from(rows - 1))
            .unwrap_or_default()
    });
    let byte = line
        .find(&format!(" {word} "))
        .unwrap_or_else(|| panic!("no {word:?} hint in {line:?}"));
    let col = line[..=byte].chars().count();
    (rows - 1, u16::try_from(col).expect("fits"))
}

#[test]
fn clicks_select_and_focus_the_wheel_scrolls_and_hints_run() {
    let home = tempfile::tempdir().expect("tempdir");
    let rows = 50;
    let mut pty = Pty::portico(
        &["--demo", "--tenant", "mashery"],
        home.path(),
        &[],
        rows,
        200,
    );

    pty.wait_for("Members 6");
    pty.wait_for("Appointment Booker");
    assert!(
        has(&pty.raw(), MOUSE_ON),
        "mouse reports were never asked for"
    );
    assert!(pty.with_screen(|s| reversed(s, "all members")));

    // The wheel over the focused list moves its selection, both ways.
    let (row, col) = at(&pty, "all members");
    pty.send(&wheel(row, col, true));
    pty.wait_until("the selection left the first row", |s| {
        !reversed(s, "all members")
    });
    pty.send(&wheel(row, col, false));
    pty.wait_until("back on the first row", |s| reversed(s, "all members"));

    // A click on a row selects it: acme-dev scopes the applications.
    let (row, col) = at(&pty, "acme-dev");
    pty.send(&press(row, col));
    pty.wait_until("only acme-dev's applications", |s| {
        let text = s.contents();
        text.contains("Fleet Tracker") && !text.contains("Appointment Booker")
    });
    assert!(pty.with_screen(|s| reversed(s, "acme-dev")));

    // A click in the next pane focuses it and selects the row clicked.
    let (row, col) = at(&pty, "Fleet Tracker");
    pty.send(&press(row, col));
    pty.wait_until("the applications pane has the focus", |s| {
        reversed(s, "Fleet Tracker") && !reversed(s, "dev@acme")
    });
    // Its keys load, and the hints settle on what an application offers.
    pty.wait_for("Package keys 2");
    pty.wait_until("the application's hints", |s| {
        let (rows, width) = s.size();
        s.rows(0, width.get())
            .nth(usize::from(rows.get() - 1))
            .is_some_and(|line| line.contains(" n new ") && line.contains(" s sort "))
    });

    // A click on a hint runs its action, here the sort.
    let (row, col) = hint_at(&pty, rows, "sort");
    pty.send(&press(row, col));
    pty.wait_for("sorted by");

    // And on quit, quits.
    let (row, col) = hint_at(&pty, rows, "quit");
    pty.send(&press(row, col));
    let (ok, raw) = pty.exit_within(Duration::from_secs(10));
    assert!(ok);
    assert!(has(&raw, b"\x1b[?1000l"), "mouse reports were left on");
}

#[test]
fn mouse_false_leaves_the_terminal_its_own_selection() {
    let sim = support::sim::Standalone::start(&[]);
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[console]\nmouse = false\n\n{}", sim.config()),
    )
    .expect("config");
    let config = config.to_string_lossy().into_owned();
    let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 40, 160);
    pty.wait_for("TMS Integration - Oracle OTM");
    pty.send("q");
    let (ok, raw) = pty.exit_within(Duration::from_secs(10));
    assert!(ok);
    assert!(!has(&raw, MOUSE_ON), "mouse reports were asked for");
}
