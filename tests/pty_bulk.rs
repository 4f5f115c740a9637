//! The real binary in a terminal: mark every application, rotate them at
//! once against a `portico sim` failing every second new-secret call,
//! export the new secrets, and find each one pending in the store and
//! none of them on the screen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::path::Path;

use support::pty::Pty;
use support::sim::Standalone;

/// The store's pending secrets, read the way `portico secrets` reads them.
fn pending(data: &Path) -> Vec<String> {
    portico::secrets::Vault::new(data.join("issued"))
        .pending()
        .expect("the store is readable")
        .into_iter()
        .map(|p| p.issued.secret.expose().to_string())
        .collect()
}

/// The number in "● N marked" on the status line.
fn marked(screen: &str) -> usize {
    let at = screen.find(" marked on ").expect("the mark count is shown");
    let digits: String = screen[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().expect("a count")
}

#[test]
fn marking_all_and_rotating_once_keeps_every_secret() {
    let sim = Standalone::start(&["--fail-every", "2", "--faults-on", "project44"]);
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(&config, sim.config()).expect("config");
    let config = config.to_string_lossy().into_owned();
    let data = home.path().join("data");
    let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 40, 160);
    pty.wait_for("TMS Integration - Oracle OTM");
    pty.send("*");
    pty.wait_for(" marked on 1 tenant(s)");
    let count = marked(&pty.contents());
    assert!(count >= 2, "{count} applications marked");
    pty.send("R");
    pty.wait_for("To confirm: type");
    // A bare Enter does nothing but say what to type.
    pty.send("\r");
    pty.wait_for(&format!("type {count} to go ahead"));
    pty.send(&count.to_string());
    pty.send("\r");
    pty.wait_for("Bulk rotation: done");
    let failed = count / 2;
    pty.wait_for(&format!(
        "{} of {count} rotated, {failed} failed",
        count - failed
    ));
    pty.send("x");
    pty.wait_for("exported to");
    let screen = pty.contents();
    pty.send("q");
    pty.wait_gone("Bulk rotation: done");
    pty.send(":audit\r");
    pty.wait_for("Audit log");
    // One line an item, and only the rotations: the creates were not Portico's.
    pty.wait_for(&format!("Audit log {count}"));
    let audit_screen = pty.contents();
    pty.send("q");
    let (ok, raw) = pty.wait_exit();
    assert!(ok, "portico exits with success");

    let records = pending(&data);
    assert_eq!(
        records.len(),
        count - failed,
        "one pending secret a rotation"
    );
    let exports: Vec<_> = std::fs::read_dir(data.join("exports"))
        .expect("the export directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(exports.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&exports[0])
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let exported = std::fs::read_to_string(&exports[0]).expect("export");
    let raw = String::from_utf8_lossy(&raw);
    for secret in &records {
        let secret = secret.as_str();
        assert!(
            exported.contains(secret),
            "the export holds every new secret"
        );
        assert!(
            !screen.contains(secret) && !audit_screen.contains(secret) && !raw.contains(secret),
            "a secret on screen"
        );
    }
}
