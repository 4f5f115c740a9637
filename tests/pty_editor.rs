//! `E` in the real binary: the screen is handed to `$EDITOR` (the
//! alternate screen left, raw mode off) and taken back after, then the
//! diff is confirmed and the rename shows in the list. `Y` shows the
//! vendor's own document for the selection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use support::pty::Pty;

#[test]
fn e_renames_through_the_editor_and_y_shows_the_document() {
    let home = tempfile::tempdir().expect("tempdir");
    let script = home.path().join("rename.sh");
    // `stty -a` fails without a terminal; its `icanon` says raw mode is off.
    std::fs::write(
        &script,
        "#!/bin/sh\nstty -a > \"$1.tty\" 2>&1\nsed -i 's/^name = .*/name = \"Renamed In Editor\"/' \"$1\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let editor = script.display().to_string();
    let mut pty = Pty::portico(
        &[],
        home.path(),
        &[
            ("VISUAL", editor.as_str()),
            ("TMPDIR", &home.path().display().to_string()),
        ],
        40,
        160,
    );
    pty.wait_for("TMS Integration - Oracle OTM");

    pty.send("Y");
    pty.wait_for("(raw)");
    pty.wait_for("\"id\":");
    // The vendor's document as project44 serves it, not Portico's own
    // fields (which carry `kind` and a `raw` map).
    let shown = pty.contents();
    assert!(!shown.contains("could not be read"), "{shown}");
    assert!(!shown.contains("\"kind\":"), "{shown}");
    pty.send("\x1b");
    pty.wait_gone("(raw)");

    pty.send("E");
    pty.wait_for("Apply these changes");
    pty.wait_for("Renamed In Editor");
    pty.send("y");
    pty.wait_until("the renamed row is listed", |s| {
        s.contents().matches("Renamed In Editor").count() >= 1
            && !s.contents().contains("Apply these changes")
    });
    let raw = String::from_utf8_lossy(&pty.raw()).to_string();
    assert!(
        raw.matches("\x1b[?1049h").count() >= 2,
        "the alternate screen is entered again after the editor"
    );
    let ttys: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tty"))
        .collect();
    assert_eq!(ttys.len(), 1, "the editor ran once");
    let stty = std::fs::read_to_string(ttys[0].path()).unwrap();
    assert!(
        stty.contains(" icanon"),
        "raw mode is off in the editor: {stty}"
    );
    assert!(
        std::fs::read_dir(home.path())
            .unwrap()
            .filter_map(Result::ok)
            .all(|e| !e.file_name().to_string_lossy().ends_with(".toml")),
        "the temporary file is removed"
    );
    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok);
}
