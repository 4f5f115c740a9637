//! The real binary in demo mode on the Losant tenant: upload a certificate
//! from a file, see its expiry coloured, disable it, quit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use rcgen::{CertificateParams, DnType, KeyPair};
use support::pty::{Pty, find};
use time::OffsetDateTime;

const CN: &str = "pty-gw-01.test";
/// ratatui's `Color::Yellow` is ANSI colour 3.
const YELLOW: vt100::Color = vt100::Color::Idx(3);

/// A device certificate that expires in ten days, and that day.
fn expiring_pem() -> (String, String) {
    let mut params = CertificateParams::new(vec![CN.to_string()]).expect("params");
    params.distinguished_name.push(DnType::CommonName, CN);
    let now = OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(10);
    let key = KeyPair::generate().expect("key");
    let day = params.not_after.date().to_string();
    (params.self_signed(&key).expect("cert").pem(), day)
}

/// The foreground colour where `text` starts on screen.
fn colour_of(pty: &Pty, text: &str) -> vt100::Color {
    pty.with_screen(|screen| {
        let (row, col) = find(screen, text).unwrap_or_else(|| panic!("{text} not on screen"));
        screen.cell(row, col).expect("cell").fgcolor()
    })
}

/// The row of the Certificates pane that starts with `name`.
fn row_of(screen: &vt100::Screen, name: &str) -> Option<String> {
    screen
        .contents()
        .lines()
        .find(|line| line.contains(&format!("┃{name}")))
        .map(str::to_string)
}

#[test]
fn a_certificate_uploaded_from_a_file_shows_its_expiry_and_toggles() {
    let home = tempfile::tempdir().expect("tempdir");
    let pem_path = home.path().join("pty-gw-01.pem");
    let (pem, expiry) = expiring_pem();
    std::fs::write(&pem_path, pem).expect("write pem");
    let mut pty = Pty::portico(&["--demo"], home.path(), &[], 45, 160);
    pty.wait_for("DEMO");

    // The tenant picker finds Losant by name, whatever its number.
    pty.send("t");
    pty.wait_for("losant");
    pty.send("losant\r");
    pty.wait_for("Cold Chain Monitoring");
    pty.wait_for("not on Losant");

    // The second application, then its certificates.
    pty.send("j");
    pty.wait_for("van-0142.fleet");
    pty.send("\t");
    pty.wait_until("the Certificates pane in focus", |s| {
        s.contents().contains("  certificate ")
    });

    pty.send("n");
    pty.wait_for("Create which?");
    pty.send("\r");
    pty.wait_for("New certificate");
    pty.send(&format!("{}\r", pem_path.display()));
    pty.wait_for(&format!("uploaded certificate \"{CN}\""));
    pty.wait_until("the new certificate listed", |s| row_of(s, CN).is_some());

    // Ten days left: yellow, unlike a certificate good for a year.
    pty.wait_until("the expiry date", |s| {
        row_of(s, CN).is_some_and(|row| row.contains(&expiry))
    });
    assert_eq!(colour_of(&pty, CN), YELLOW);
    assert_ne!(colour_of(&pty, "van-0142.fleet"), YELLOW);
    let row = pty.with_screen(|s| row_of(s, CN)).expect("row");
    assert!(row.contains("active") && !row.contains("inactive"), "{row}");

    // Filter down to it so it is the selection, then disable it.
    pty.send("/pty-gw\r");
    pty.wait_until("only the new certificate", |s| {
        row_of(s, CN).is_some() && row_of(s, "van-0142").is_none()
    });
    pty.send("a");
    pty.wait_for(&format!("disabled certificate \"{CN}\""));
    pty.wait_until("the status inactive", |s| {
        row_of(s, CN).is_some_and(|row| row.contains("inactive"))
    });
    // A disabled certificate is no longer flagged as expiring.
    assert_ne!(colour_of(&pty, CN), YELLOW);
    pty.send("a");
    pty.wait_for(&format!("enabled certificate \"{CN}\""));
    pty.wait_until("the status active again", |s| {
        row_of(s, CN).is_some_and(|row| row.contains("active") && !row.contains("inactive"))
    });
    assert_eq!(colour_of(&pty, CN), YELLOW, "enabled again, flagged again");

    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");
}
