//! `E` and `N` through a real `$EDITOR` run: fake editors (shell scripts
//! that change the file the same way every time) stand in for the user.
//! A valid edit shows a diff and applies once confirmed; an invalid one
//! reopens with the error on top and the user's text kept; an abandoned
//! one changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::app::answer_at;

use portico::app::{Effect, Message, Modal, State, TenantInfo, start, update};
use portico::keymap::Keymap;
use portico::model::{Kind, Pane, Resource};
use portico::platform::{Capabilities, Field, KindSpec, Operation, PaneSpec};
use portico::runtime::editor::edit;

const fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn caps() -> Capabilities {
    let fields = vec![
        Field::text("name", "Name", true),
        Field::text("description", "Description", false),
    ];
    let mut app = KindSpec::new(Kind::Application);
    app.create = Some(fields.clone());
    app.edit = Some(fields);
    Capabilities::new([
        PaneSpec::unsupported("Projects", "none"),
        PaneSpec::list("Apps", vec![]).creating(vec![Kind::Application]),
        PaneSpec::unsupported("Keys", "none"),
    ])
    .with_kinds(vec![app])
}

fn loaded() -> State {
    let mut state = State::new(
        vec![TenantInfo::new("t", "any", caps())],
        Keymap::defaults(),
    );
    let fx = start(&mut state);
    answer_at(&mut state, &fx, SystemTime::now(), |_| {
        vec![
            Resource::new(Kind::Application, "a1", "shop")
                .with_detail("name", "shop")
                .with_detail("description", "the old shop"),
        ]
    });
    assert_eq!(state.focus(), Pane::Applications);
    state
}

/// A fake editor: a script run as `script FILE`.
fn editor(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

/// The editor the effects ask for.
fn opened(fx: &[Effect]) -> (u64, String, &'static str) {
    fx.iter()
        .find_map(|e| match e {
            Effect::OpenEditor { request, text, ext } => Some((*request, text.clone(), *ext)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no editor opened: {fx:?}"))
}

/// Runs `script` on what was opened and hands the result to `update`.
fn run(state: &mut State, fx: &[Effect], script: &Path) -> Vec<Effect> {
    let (request, text, ext) = opened(fx);
    let result = edit(&script.display().to_string(), &text, ext);
    update(state, Message::Edited { request, result })
}

fn values(fx: &[Effect]) -> Vec<(String, String)> {
    fx.iter()
        .find_map(|e| match e {
            Effect::Perform { ops, .. } => match ops.as_slice() {
                [Operation::Update { values, .. } | Operation::Create { values, .. }] => {
                    Some(values.clone())
                }
                other => panic!("one change expected, got {other:?}"),
            },
            _ => None,
        })
        .unwrap_or_else(|| panic!("nothing performed: {fx:?}"))
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

#[test]
fn a_valid_edit_shows_its_diff_and_applies_once_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let rename = editor(
        dir.path(),
        "rename.sh",
        r#"sed -i 's/^name = .*/name = "renamed"/' "$1""#,
    );
    let mut state = loaded();
    let fx = update(&mut state, key(KeyCode::Char('E')));
    let (_, text, ext) = opened(&fx);
    assert_eq!(ext, "toml");
    assert!(text.contains("name = \"shop\""), "{text}");
    assert!(text.contains("description = \"the old shop\""), "{text}");

    let fx = run(&mut state, &fx, &rename);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Perform { .. })),
        "nothing is sent before the diff is confirmed"
    );
    let Some(Modal::Confirm(confirm)) = state.modal() else {
        panic!("expected the diff to confirm, got {:?}", state.modal());
    };
    assert_eq!(confirm.lines, vec!["~ Name: \"shop\" → \"renamed\""]);
    let fx = update(&mut state, key(KeyCode::Char('y')));
    assert_eq!(
        values(&fx),
        vec![pair("name", "renamed"), pair("description", "the old shop")]
    );
}

#[test]
fn an_invalid_edit_reopens_with_the_error_on_top_and_the_text_kept() {
    let dir = tempfile::tempdir().unwrap();
    let broken = editor(
        dir.path(),
        "broken.sh",
        r#"sed -i 's/^name = .*/name = "unterminated/' "$1""#,
    );
    let fixed = editor(
        dir.path(),
        "fixed.sh",
        r#"sed -i 's/^name = "unterminated$/name = "fixed"/' "$1""#,
    );
    let emptied = editor(
        dir.path(),
        "emptied.sh",
        r#"sed -i 's/^name = .*/name = ""/' "$1""#,
    );
    let mut state = loaded();
    let fx = update(&mut state, key(KeyCode::Char('E')));

    // A parse error: the editor opens again on the user's own text.
    let fx = run(&mut state, &fx, &broken);
    assert!(state.modal().is_none());
    let (_, again, _) = opened(&fx);
    assert!(again.starts_with("# error:"), "{again}");
    assert!(again.contains("name = \"unterminated"), "{again}");
    assert!(again.contains("description = \"the old shop\""), "{again}");

    // A validation error the same way, replacing the earlier error.
    let fx = run(&mut state, &fx, &emptied);
    let (_, again, _) = opened(&fx);
    assert!(again.starts_with("# error: Name is required"), "{again}");
    assert_eq!(again.matches("# error:").count(), 1, "{again}");

    // Fixed (the error comment left in place), it goes on to the diff.
    let fx = {
        let script = editor(
            dir.path(),
            "refill.sh",
            r#"sed -i 's/^name = ""$/name = "unterminated/' "$1""#,
        );
        let fx = run(&mut state, &fx, &script);
        run(&mut state, &fx, &fixed)
    };
    assert!(fx.is_empty() || !fx.iter().any(|e| matches!(e, Effect::OpenEditor { .. })));
    assert!(matches!(state.modal(), Some(Modal::Confirm(_))));
    let fx = update(&mut state, key(KeyCode::Char('y')));
    assert_eq!(values(&fx)[0], pair("name", "fixed"));
}

#[test]
fn an_abandoned_edit_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fails = editor(
        dir.path(),
        "fails.sh",
        r#"sed -i 's/^name = .*/name = "lost"/' "$1"; exit 1"#,
    );
    let untouched = editor(dir.path(), "untouched.sh", "true");
    for script in [&fails, &untouched] {
        let mut state = loaded();
        let fx = update(&mut state, key(KeyCode::Char('E')));
        let fx = run(&mut state, &fx, script);
        assert!(
            !fx.iter()
                .any(|e| matches!(e, Effect::Perform { .. } | Effect::OpenEditor { .. })),
            "{fx:?}"
        );
        assert!(state.modal().is_none());
        assert!(
            state
                .notice()
                .is_some_and(|n| n.text.contains("nothing was changed")),
            "{:?}",
            state.notice()
        );
    }
}

#[test]
fn n_creates_from_the_editor_and_json_works_too() {
    let dir = tempfile::tempdir().unwrap();
    let fill = editor(
        dir.path(),
        "fill.sh",
        r#"sed -i 's/^name = .*/name = "new-app"/' "$1""#,
    );
    let mut state = loaded();
    let fx = update(&mut state, key(KeyCode::Char('N')));
    let fx = run(&mut state, &fx, &fill);
    let Some(Modal::Confirm(confirm)) = state.modal() else {
        panic!("expected the create to confirm, got {:?}", state.modal());
    };
    assert!(confirm.title.starts_with("Create this application"));
    assert_eq!(confirm.lines, vec!["+ Name: \"new-app\""]);
    let fx2 = update(&mut state, key(KeyCode::Char('y')));
    assert!(fx.is_empty() || !fx.iter().any(|e| matches!(e, Effect::Perform { .. })));
    assert_eq!(
        values(&fx2),
        vec![pair("name", "new-app"), pair("description", "")]
    );

    let json = editor(
        dir.path(),
        "json.sh",
        r#"sed -i 's/"description": "the old shop"/"description": "from json"/' "$1""#,
    );
    let mut state = loaded();
    let mut fx = update(&mut state, key(KeyCode::Char(':')));
    for c in "edit json".chars() {
        fx.extend(update(&mut state, key(KeyCode::Char(c))));
    }
    fx.extend(update(&mut state, key(KeyCode::Enter)));
    assert_eq!(opened(&fx).2, "json");
    run(&mut state, &fx, &json);
    let fx = update(&mut state, key(KeyCode::Char('y')));
    assert_eq!(values(&fx)[1], pair("description", "from json"));
}

/// The request id of the change the effects send.
fn performed(fx: &[Effect]) -> (usize, u64) {
    fx.iter()
        .find_map(|e| match e {
            Effect::Perform {
                tenant, request, ..
            } => Some((*tenant, *request)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("nothing performed: {fx:?}"))
}

#[test]
fn a_change_the_platform_refuses_reopens_the_editor_on_the_users_text() {
    let dir = tempfile::tempdir().unwrap();
    let rename = editor(
        dir.path(),
        "rename.sh",
        r#"sed -i 's/^name = .*/name = "taken-name"/; s/^description = .*/description = "typed with care"/' "$1""#,
    );
    let retry = editor(
        dir.path(),
        "retry.sh",
        r#"sed -i 's/^name = "taken-name"$/name = "free-name"/' "$1""#,
    );
    let mut state = loaded();
    let fx = update(&mut state, key(KeyCode::Char('E')));
    run(&mut state, &fx, &rename);
    assert!(matches!(state.modal(), Some(Modal::Confirm(_))));
    let fx = update(&mut state, key(KeyCode::Char('y')));
    let (tenant, request) = performed(&fx);

    // The server says no after the diff was confirmed.
    let fx = update(
        &mut state,
        Message::Performed {
            tenant,
            request,
            result: Box::new(Err(
                "HTTP 409: an application named taken-name exists".into()
            )),
            saved: None,
        },
    );
    let (_, again, ext) = opened(&fx);
    assert_eq!(ext, "toml");
    assert!(
        again.starts_with(
            "# error: the platform refused the change: HTTP 409: an application named taken-name exists"
        ),
        "{again}"
    );
    assert!(again.contains("name = \"taken-name\""), "{again}");
    assert!(
        again.contains("description = \"typed with care\""),
        "{again}"
    );

    // Fixed in the reopened editor, it goes to the diff against the
    // values before any editing, and out again.
    let fx = run(&mut state, &fx, &retry);
    assert!(!fx.iter().any(|e| matches!(e, Effect::OpenEditor { .. })));
    let Some(Modal::Confirm(confirm)) = state.modal() else {
        panic!("expected the diff again, got {:?}", state.modal());
    };
    assert_eq!(
        confirm.lines,
        vec![
            "~ Name: \"shop\" → \"free-name\"",
            "~ Description: \"the old shop\" → \"typed with care\"",
        ]
    );
    let fx = update(&mut state, key(KeyCode::Char('y')));
    assert_eq!(
        values(&fx),
        vec![
            pair("name", "free-name"),
            pair("description", "typed with care")
        ]
    );
    let (tenant, request) = performed(&fx);

    // Accepted this time: nothing reopens.
    let fx = update(
        &mut state,
        Message::Performed {
            tenant,
            request,
            result: Box::new(Ok(portico::platform::Outcome::done("updated"))),
            saved: None,
        },
    );
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::OpenEditor { .. })),
        "{fx:?}"
    );
}

#[test]
fn a_refused_change_made_in_a_form_does_not_open_the_editor() {
    let mut state = loaded();
    let fx = update(&mut state, key(KeyCode::Char('e')));
    assert!(matches!(state.modal(), Some(Modal::Form(_))), "{fx:?}");
    let mut fx = Vec::new();
    for _ in 0..3 {
        fx.extend(update(&mut state, key(KeyCode::Char('x'))));
    }
    fx.extend(update(&mut state, key(KeyCode::Enter)));
    let (tenant, request) = performed(&fx);
    let fx = update(
        &mut state,
        Message::Performed {
            tenant,
            request,
            result: Box::new(Err("HTTP 409: taken".into())),
            saved: None,
        },
    );
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::OpenEditor { .. })),
        "{fx:?}"
    );
}
