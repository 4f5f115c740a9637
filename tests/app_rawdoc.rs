//! `Y`: the vendor's document for the selection, read and laid out by
//! the runtime (not the UI task), masked, scrollable, drawn a window at a
//! time; `y` in it copies the id. A document that cannot be read leaves
//! the adapter's own fields on screen, under a line saying why.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::app::answer_at;

use portico::app::{
    Effect, LINE_CHARS, Message, Modal, State, TenantInfo, document_lines, start, unread_lines,
    update,
};
use portico::keymap::Keymap;
use portico::model::{Kind, Resource};
use portico::platform::{Capabilities, PaneSpec, PlatformError, Target};
use serde_json::json;

const fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn loaded(note: &str) -> State {
    let caps = Capabilities::new([
        PaneSpec::unsupported("Projects", "none"),
        PaneSpec::list("Apps", vec![]),
        PaneSpec::unsupported("Keys", "none"),
    ]);
    let mut state = State::new(vec![TenantInfo::new("t", "any", caps)], Keymap::defaults());
    let fx = start(&mut state);
    let note = note.to_string();
    answer_at(&mut state, &fx, at(), move |_| {
        vec![
            Resource::new(Kind::Application, "app-1", "shop")
                .with_detail("client_secret", "hunter2-very-secret")
                .with_detail("note", note.clone()),
        ]
    });
    state
}

fn draw(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    terminal
        .draw(|f| portico::ui::render(f, state, at()))
        .expect("draw");
    terminal.backend().to_string()
}

/// Presses `Y` and answers as the runtime would: `read` stands for the
/// platform's answer to the document request it was asked to make.
fn open_with(
    state: &mut State,
    read: impl FnOnce(&Target) -> Result<serde_json::Value, PlatformError>,
) {
    let fx = update(state, key(KeyCode::Char('Y')));
    assert!(
        draw(state).contains("reading the document"),
        "shown at once, filled later"
    );
    let (tenant, request, target, resource) = fx
        .into_iter()
        .find_map(|e| match e {
            Effect::RawDoc {
                tenant,
                request,
                target,
                resource,
            } => Some((tenant, request, target, resource)),
            _ => None,
        })
        .expect("the document is asked of the runtime");
    assert_eq!(tenant, 0);
    assert_eq!(
        (target.kind, target.id.as_str()),
        (Kind::Application, "app-1")
    );
    let lines = match read(&target) {
        Ok(doc) => document_lines(&doc),
        Err(err) => unread_lines(&resource, &err),
    };
    update(state, Message::RawDoc { request, lines });
}

/// The vendor's document, with its own field names and a secret in it.
fn vendor_doc(note: &str) -> serde_json::Value {
    json!({
        "applicationId": "app-1",
        "clientSecret": "hunter2-very-secret",
        "createdAt": 1_700_000_000_000_i64,
        "name": "shop",
        "notes": note,
    })
}

fn open(state: &mut State) {
    let note = state_note(state);
    open_with(state, move |_| Ok(vendor_doc(&note)));
}

/// The note the listed row carries, so the fetched document agrees with it.
fn state_note(state: &State) -> String {
    state
        .selected(state.focus())
        .and_then(|r| r.details.iter().find(|(k, _)| k == "note"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[test]
fn y_shows_the_vendor_document_masked_and_copies_the_id() {
    let mut state = loaded("a short note");
    open(&mut state);
    let screen = draw(&state);
    assert!(screen.contains("\"applicationId\": \"app-1\""), "{screen}");
    assert!(screen.contains("\"createdAt\": 1700000000000"), "{screen}");
    assert!(screen.contains("\"clientSecret\": \"***\""), "{screen}");
    assert!(!screen.contains("hunter2"));
    insta::assert_snapshot!("raw_document", screen);

    let fx = update(&mut state, key(KeyCode::Char('y')));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Copy { text, .. } if text.expose() == "app-1"))
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(state.modal().is_none());
}

#[test]
fn a_huge_field_is_laid_out_in_bounded_lines_and_scrolls_to_its_end() {
    let mut state = loaded(&format!("{}END", "x".repeat(9_000)));
    open(&mut state);
    let Some(Modal::Raw(doc)) = state.modal() else {
        panic!("raw view open");
    };
    let lines = doc.lines().expect("laid out");
    assert!(lines.len() > 9_000 / LINE_CHARS);
    assert!(lines.iter().all(|l| l.chars().count() <= LINE_CHARS));
    assert!(!draw(&state).contains("END"));
    update(&mut state, key(KeyCode::Char('G')));
    // The field's end sits just above the document's closing brace.
    for _ in 0..8 {
        update(&mut state, key(KeyCode::Char('k')));
    }
    assert!(draw(&state).contains("END"), "{}", draw(&state));
}

#[test]
fn a_document_that_cannot_be_read_shows_why_above_the_kept_fields() {
    let mut state = loaded("a short note");
    open_with(&mut state, |_| {
        Err(PlatformError::Api {
            status: 503,
            message: "maintenance".into(),
        })
    });
    let screen = draw(&state);
    assert!(
        screen.contains("The raw document could not be read: HTTP 503: maintenance"),
        "{screen}"
    );
    assert!(screen.contains("\"id\": \"app-1\""), "{screen}");
    assert!(screen.contains("\"note\": \"a short note\""), "{screen}");
    assert!(screen.contains("\"client_secret\": \"***\""), "{screen}");
    assert!(!screen.contains("hunter2"), "{screen}");
}
