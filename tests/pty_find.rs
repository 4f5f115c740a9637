//! `:find` in the real binary against the demo: every tenant answers in
//! the right-hand pane, and `Enter` goes to the row in its own tenant.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use support::pty::Pty;

#[test]
fn find_in_the_demo_lists_across_tenants_and_enter_goes_there() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut pty = Pty::portico(&[], home.path(), &[], 40, 160);
    pty.wait_for("TMS Integration - Oracle OTM");

    pty.send(":find Rotterdam\r");
    pty.wait_for("Find \"Rotterdam\"");
    pty.wait_until("the EU tenant's row", |s| {
        s.contents()
            .lines()
            .any(|l| l.contains("p44-eu") && l.contains("Rotterdam Port Events Relay"))
    });
    pty.send("\r");
    // The EU tenant's own pane lists it, selected, with its detail below.
    pty.wait_until("the row selected in its tenant", |s| {
        let text = s.contents();
        // In its pane, in the radar's row and in the detail of the selection.
        text.matches("Rotterdam Port Events Relay").count() >= 3
            && text.lines().any(|l| l.trim_start().starts_with("p44-eu"))
            && !text.contains("nothing selected")
    });
    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok);
}
