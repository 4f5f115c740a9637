//! The real binary in demo mode, driven through a pseudo-terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use support::pty::Pty;

#[test]
fn demo_browses_switches_creates_and_quits_cleanly() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut pty = Pty::portico(&[], home.path(), &[], 40, 160);

    // No config file: the embedded demo opens.
    for text in [
        "DEMO",
        "Projects",
        "Client applications",
        "Certificates",
        "p44-na",
        "p44-eu",
        "p44-sandbox",
    ] {
        pty.wait_for(text);
    }
    pty.wait_for("TMS Integration - Oracle OTM");

    // `2` switches to the EU tenant, whose applications differ.
    pty.send("2");
    pty.wait_for("Rotterdam Port Events Relay");

    // `n` creates: type a name, submit, and the secret modal appears.
    pty.send("n");
    pty.wait_for("New client application");
    pty.send("Customs Filing Bot\r");
    pty.wait_for("New secret");
    pty.wait_for("shown only now");
    pty.send("\x1b");
    pty.wait_gone("New secret");
    pty.wait_for("Customs Filing Bot");

    // The secret was saved before it was shown.
    let issued = home.path().join("data/demo/issued");
    let saved = std::fs::read_dir(&issued).expect("vault dir").count();
    assert_eq!(saved, 1, "one saved secret in {}", issued.display());

    // Tab completes a loaded name whole, this tenant's and another's.
    pty.send(":apps Rott\t");
    pty.wait_for(":apps Rotterdam Port Events Relay");
    pty.send("\r");
    // Two tenants' names begin so: as far as they agree, and both listed.
    pty.send(":find TMS\t");
    pty.wait_for(":find TMS Integration - ");
    pty.wait_for("TMS Integration - Oracle OTM");
    pty.send("\x1b");
    pty.wait_gone(":find TMS");

    pty.send("q");
    let (ok, raw) = pty.wait_exit();
    assert!(ok, "portico exits with success");
    let text = String::from_utf8_lossy(&raw);
    let left = text
        .rfind("\x1b[?1049l")
        .expect("left the alternate screen");
    let entered = text
        .rfind("\x1b[?1049h")
        .expect("entered the alternate screen");
    assert!(left > entered, "the alternate screen is left last");
    let shown = text.rfind("\x1b[?25h").expect("cursor shown");
    let hidden = text.rfind("\x1b[?25l").unwrap_or(0);
    assert!(
        shown > hidden,
        "the cursor is shown again after the last hide"
    );
}

#[test]
fn explicit_missing_config_is_an_error_not_the_demo() {
    let home = tempfile::tempdir().expect("tempdir");
    let missing = home.path().join("nope.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("--config")
        .arg(&missing)
        .env("HOME", home.path())
        .output()
        .expect("run portico");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope.toml"), "{err}");
}
