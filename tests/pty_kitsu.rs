//! Kitsu from the console: a bot's token is regenerated and the console
//! shows the old token rejected and the new one accepted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use support::pty::Pty;

#[test]
fn regenerating_a_bot_token_proves_the_old_one_dead() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut pty = Pty::portico(&["--demo", "--tenant", "kitsu"], home.path(), &[], 45, 160);
    pty.wait_for("Harbor Lights");
    pty.wait_for("Render Farm");

    // Bots live in the second pane, titled Bots.
    pty.wait_for("Bots");
    pty.send("\t");
    pty.send("n");
    pty.wait_for("New bot");
    pty.send("Review Exporter\r");
    pty.wait_for("created bot \"Review Exporter\"");
    pty.wait_for("shown only now");
    pty.send("\x1b");
    pty.wait_gone("shown only now");

    // Select the new bot and regenerate its token.
    pty.send("/Review Exporter\r");
    pty.wait_until("only the new bot listed", |s| {
        let text = s.contents();
        text.contains("Review Exporter") && !text.contains("Render Farm")
    });
    pty.send("R");
    pty.wait_for("Kitsu revokes the old token at once.");
    pty.send("y");
    pty.wait_for("new token issued for bot \"Review Exporter\"");
    pty.wait_for("✓ new token accepted");
    // Portico kept the first token in its vault, so it can prove it dead.
    pty.wait_for("✓ previous token rejected (401 Token has been revoked)");
    pty.send("\x1b");
    pty.wait_gone("✓ new token accepted");

    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");
}
