//! Kitsu from the console: a bot's token is regenerated and the console
//! shows the old token rejected and the new one accepted; a bot's expiry
//! set ten days out turns its row yellow, and deactivating it dims it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use support::pty::{Pty, find};

/// ratatui's `Color::Yellow` is ANSI colour 3.
const YELLOW: vt100::Color = vt100::Color::Idx(3);
const DOWN: &str = "\x1b[B";

fn days_from_now(days: i64) -> String {
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// The screen line of the bots pane that holds `name`.
fn row_of(screen: &vt100::Screen, name: &str) -> Option<String> {
    screen
        .contents()
        .lines()
        .find(|line| line.contains(name) && line.contains('┃'))
        .map(str::to_string)
}

/// Where `text` starts in a row of the focused pane (its border `┃` just
/// before it), not in the pane's title, which shows the filter.
fn in_row(screen: &vt100::Screen, text: &str) -> Option<(u16, u16)> {
    find(screen, &format!("┃{text}")).map(|(row, col)| (row, col + 1))
}

/// Colour and dimness of the cell where the row starting with `name` starts.
fn cell_at(pty: &Pty, name: &str) -> (vt100::Color, bool) {
    pty.with_screen(|screen| {
        let (row, col) = in_row(screen, name).unwrap_or_else(|| panic!("{name} not in a row"));
        let cell = screen.cell(row, col).expect("cell");
        (cell.fgcolor(), cell.dim())
    })
}

/// The colour of the first cell showing `text`, anywhere on screen.
fn colour_of(pty: &Pty, text: &str) -> vt100::Color {
    pty.with_screen(|screen| {
        let (row, col) = find(screen, text).unwrap_or_else(|| panic!("{text} not on screen"));
        screen.cell(row, col).expect("cell").fgcolor()
    })
}

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

    // Select the new bot and regenerate its token, keeping its expiry.
    pty.send("/Review Exporter\r");
    pty.wait_until("only the new bot listed", |s| {
        let text = s.contents();
        text.contains("Review Exporter") && !text.contains("Render Farm")
    });
    pty.send("R");
    pty.wait_for("New token's expiry");
    pty.send("\r");
    // The confirmation says which expiry the new token gets.
    pty.wait_for("new token expires: never (kept)");
    pty.wait_for("Kitsu revokes the old token at once.");
    pty.send("y");
    pty.wait_for("new token issued for bot \"Review Exporter\"");
    pty.wait_for("✓ new token accepted");
    // Portico kept the first token in its vault, so it can prove it dead.
    pty.wait_for("✓ previous token rejected (401 Token has been revoked)");
    pty.wait_for("✓ new token expires never, as chosen");
    pty.send("\x1b");
    pty.wait_gone("✓ new token accepted");

    // A new expiry this time: the confirmation and the check both say it.
    let later = days_from_now(60);
    pty.send("R");
    pty.wait_for("New token's expiry");
    // From empty, → steps to "keep", then to "new".
    pty.send("\x1b[C\x1b[C");
    pty.send(DOWN);
    pty.send(&later);
    pty.send("\r");
    pty.wait_for(&format!("new token expires: {later} (was never)"));
    pty.send("y");
    pty.wait_for(&format!("✓ new token expires {later}, as chosen"));
    pty.wait_for("✓ previous token rejected (401 Token has been revoked)");
    pty.send("\x1b");
    pty.wait_until("the new expiry listed", |s| {
        row_of(s, "Review Exporter").is_some_and(|row| row.contains(&later))
    });

    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");
}

#[test]
fn a_bot_expiring_in_ten_days_is_yellow_and_dimmed_once_deactivated() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut pty = Pty::portico(&["--demo", "--tenant", "kitsu"], home.path(), &[], 45, 160);
    pty.wait_for("Render Farm");
    pty.wait_for("Bots");
    pty.send("\t");
    pty.send("/Render Farm\r");
    pty.wait_until("only Render Farm listed", |s| {
        let text = s.contents();
        text.contains("Render Farm") && !text.contains("Pipeline Sync")
    });
    // No expiry yet: the row has its plain colour.
    assert_ne!(cell_at(&pty, "Render Farm").0, YELLOW);

    let soon = days_from_now(10);
    pty.send("e");
    pty.wait_for("Edit bot \"Render Farm\"");
    // Role, then the expiry.
    pty.send(DOWN);
    pty.send("\x15");
    pty.send(&soon);
    pty.send("\r");
    pty.wait_for("updated bot \"Render Farm\"");
    // A new expiry comes with a new token, shown once.
    pty.wait_for("shown only now");
    pty.send("\x1b");
    pty.wait_gone("shown only now");

    pty.wait_until("the ten-day expiry listed", |s| {
        row_of(s, "Render Farm").is_some_and(|row| row.contains(&soon))
    });
    let (colour, dim) = cell_at(&pty, "Render Farm");
    assert_eq!(colour, YELLOW, "due in ten days: yellow");
    assert!(!dim);
    assert_eq!(colour_of(&pty, &soon), YELLOW, "the expiry cell too");

    pty.send("a");
    pty.wait_for("deactivated bot \"Render Farm\"");
    pty.wait_until("the row inactive", |s| {
        row_of(s, "Render Farm").is_some_and(|row| row.contains("inactive") || row.contains(" no"))
    });
    pty.wait_until("the row dimmed", |s| {
        in_row(s, "Render Farm").is_some_and(|(r, c)| s.cell(r, c).is_some_and(vt100::Cell::dim))
    });
    // A deactivated bot's expiry is no alarm.
    assert_ne!(cell_at(&pty, "Render Farm").0, YELLOW);

    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");
}

#[path = "support/totp.rs"]
mod totp;

/// A tenant whose person logs in with TOTP: the console asks for the code,
/// says a wrong one is wrong and asks again, then logs in with the right one.
#[tokio::test(flavor = "multi_thread")]
async fn a_totp_login_prompts_for_the_code_and_retries_a_wrong_one() {
    use portico::sim::kitsu::{DEMO_PASSWORD, DEMO_TOTP_EMAIL, DEMO_TOTP_SECRET};
    let sim = portico::platform::registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator");
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[tenants]]\nname = \"studio-2fa\"\nplatform = \"kitsu\"\nbase_url = \"{}/kitsu/api\"\n\n\
             [tenants.auth]\nemail = \"{DEMO_TOTP_EMAIL}\"\npassword = \"{DEMO_PASSWORD}\"\n",
            sim.base_url()
        ),
    )
    .expect("write config");
    let config = config.to_string_lossy().into_owned();
    tokio::task::block_in_place(|| {
        let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 45, 160);
        pty.wait_for("Two-factor login to studio-2fa");
        pty.wait_for("Kitsu asks for the code from your authenticator app");

        pty.send(&totp::wrong(DEMO_TOTP_SECRET));
        pty.send("\r");
        pty.wait_for("Wrong two-factor authentication code");
        // Still asking, with the wrong code kept to correct.
        pty.wait_for("Two-factor login to studio-2fa");

        pty.send("\x15");
        pty.send(&totp::now(DEMO_TOTP_SECRET));
        pty.send("\r");
        pty.wait_for(&format!("logged in to studio-2fa as {DEMO_TOTP_EMAIL}"));
        pty.wait_gone("Two-factor login to studio-2fa");
        pty.wait_gone("two-factor code needed");
        // The bots pane loads now the session is logged in.
        pty.wait_for("Render Farm");

        pty.send("q");
        let (ok, _) = pty.wait_exit();
        assert!(ok, "portico exits with success");
    });
}
