//! `Y`: the selection's document, laid out by the runtime (not the UI
//! task), masked, scrollable, drawn a window at a time; `y` in it copies
//! the id.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::app::answer_at;

use portico::app::{
    Effect, LINE_CHARS, Message, Modal, State, TenantInfo, raw_lines, start, update,
};
use portico::keymap::Keymap;
use portico::model::{Kind, Resource};
use portico::platform::{Capabilities, PaneSpec};

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

fn open(state: &mut State) {
    let fx = update(state, key(KeyCode::Char('Y')));
    assert!(
        draw(state).contains("laying out"),
        "shown at once, filled later"
    );
    let (request, resource) = fx
        .into_iter()
        .find_map(|e| match e {
            Effect::RawDoc { request, resource } => Some((request, resource)),
            _ => None,
        })
        .expect("the layout is asked of the runtime");
    let lines = raw_lines(&resource);
    update(state, Message::RawDoc { request, lines });
}

#[test]
fn y_shows_the_document_masked_and_copies_the_id() {
    let mut state = loaded("a short note");
    open(&mut state);
    let screen = draw(&state);
    assert!(screen.contains("\"client_secret\": \"***\""), "{screen}");
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
    for _ in 0..12 {
        update(&mut state, key(KeyCode::Char('k')));
    }
    assert!(draw(&state).contains("END"), "{}", draw(&state));
}
