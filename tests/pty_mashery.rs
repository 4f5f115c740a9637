//! Mashery from the console: pick a member, open an application's package
//! keys, rotate a key's secret, and see the key's updated time move and
//! the new secret masked in the reveal-once view; then create a key on a
//! package and plan picked from those the area offers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use support::pty::Pty;

#[test]
fn rotating_a_package_key_secret_from_the_console() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut pty = Pty::portico(
        &["--demo", "--tenant", "mashery"],
        home.path(),
        &[],
        50,
        200,
    );
    pty.wait_for("all members");
    pty.wait_for("Members 6");
    pty.wait_for("echo-partners");
    // The area-wide list first.
    pty.wait_for("Appointment Booker");

    // acme-dev scopes the applications to its own.
    pty.send("j");
    pty.wait_until("only acme-dev's applications", |s| {
        let text = s.contents();
        text.contains("Fleet Tracker") && !text.contains("Appointment Booker")
    });
    pty.send("\t");
    pty.send("/Fleet\r");
    pty.wait_until("Fleet Tracker alone", |s| {
        let text = s.contents();
        text.contains("Fleet Tracker") && !text.contains("Claims Assistant")
    });
    pty.send("\t");
    pty.wait_for("Package keys 2");
    pty.wait_for("Shipment Tracking API");
    pty.wait_for("updated: 2015-01-10 19:04:09");

    pty.send("R");
    pty.wait_for("The old secret stops working at once");
    pty.send("y");
    pty.wait_for("new secret for package key");
    pty.wait_for("✓ the key's secret is the new one");
    pty.wait_for("✓ the old secret is no longer the key's");
    // Ten characters, like the old secret, masked until revealed.
    pty.wait_for("••••••••••");
    pty.send("\x1b");
    pty.wait_gone("✓ the key's secret is the new one");

    let today = time::OffsetDateTime::now_utc().date().to_string();
    pty.wait_for(&format!("updated: {today}"));
    assert!(!pty.contents().contains("updated: 2015-01-10 19:04:09"));

    // A new key's package and plan are picked from what the area offers.
    pty.send("n");
    pty.wait_for("New package key");
    pty.wait_for("picks one of 4");
    pty.wait_for("▸ Shipment Tracking API / Bronze");
    pty.send("\x1b[C");
    pty.wait_for("▸ Shipment Tracking API / Gold");
    pty.send("\r");
    pty.wait_for("on Shipment Tracking API / Gold");
    pty.send("\x1b");
    pty.wait_gone(" New secret ");
    pty.wait_for("Package keys 3");
    pty.wait_until("the new key selected, on Gold", |s| {
        let text = s.contents();
        text.contains("package: Shipment Tracking API") && text.contains("plan: Gold")
    });

    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");
}
