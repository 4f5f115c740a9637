//! Command mode's k9s habits: aliases, completion of them, and a history
//! walked with the arrows and handed to the runtime to keep.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portico::app::{Effect, History, Message, Modal, State, TenantInfo, start, update};
use portico::keymap::Keymap;
use portico::model::Pane;
use portico::platform::{kitsu, mashery, project44};

const fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn run(state: &mut State, line: &str) -> Vec<Effect> {
    update(state, key(KeyCode::Char(':')));
    for c in line.chars() {
        update(state, key(KeyCode::Char(c)));
    }
    update(state, key(KeyCode::Enter))
}

fn prompt(state: &State) -> String {
    match state.modal() {
        Some(Modal::Command(input)) => input.text().to_string(),
        other => panic!("the command prompt is not open: {other:?}"),
    }
}

fn notice(state: &State) -> String {
    state.notice().map(|n| n.text.clone()).unwrap_or_default()
}

fn tenants() -> State {
    let mut state = State::new(
        vec![
            TenantInfo::new("keys-eu", "Mashery", mashery::capabilities()),
            TenantInfo::new("p44-na", "project44", project44::capabilities()),
            TenantInfo::new("studio", "Kitsu", kitsu::capabilities()),
        ],
        Keymap::defaults(),
    );
    start(&mut state);
    state
}

#[test]
fn pane_aliases_focus_their_slot_or_say_why_not() {
    let mut state = tenants();
    assert_eq!(state.focus(), Pane::Projects);
    run(&mut state, "keys");
    assert_eq!(state.focus(), Pane::Certificates);
    run(&mut state, "apps");
    assert_eq!(state.focus(), Pane::Applications);
    run(&mut state, "ctx studio");
    assert_eq!(state.tenant().map(TenantInfo::name), Some("studio"));
    run(&mut state, "bots");
    assert_eq!(state.focus(), Pane::Applications);
    run(&mut state, "certs");
    assert_ne!(state.focus(), Pane::Certificates, "Kitsu has no such pane");
    assert!(notice(&state).starts_with(":certs: "), "{}", notice(&state));
    run(&mut state, "ctx nowhere");
    assert!(notice(&state).contains("no tenant named \"nowhere\""));
    run(&mut state, "ctx");
    assert!(matches!(state.modal(), Some(Modal::Picker(_))));
}

#[test]
fn tab_completes_aliases_and_tenant_names_after_ctx() {
    let mut state = tenants();
    update(&mut state, key(KeyCode::Char(':')));
    for c in "ce".chars() {
        update(&mut state, key(KeyCode::Char(c)));
    }
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(prompt(&state), "certs");
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, key(KeyCode::Char(':')));
    for c in "ctx s".chars() {
        update(&mut state, key(KeyCode::Char(c)));
    }
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(prompt(&state), "ctx studio");
}

#[test]
fn the_arrows_walk_the_history_and_each_run_is_handed_on_to_keep() {
    let mut state = tenants().with_history(History::from_text("sort name\n"));
    let fx = run(&mut state, "apps");
    let saved: Vec<&str> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::SaveHistory { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(saved, ["sort name\napps\n"]);
    update(&mut state, key(KeyCode::Char(':')));
    update(&mut state, key(KeyCode::Char('x')));
    update(&mut state, key(KeyCode::Up));
    assert_eq!(prompt(&state), "apps");
    update(&mut state, key(KeyCode::Up));
    assert_eq!(prompt(&state), "sort name");
    update(&mut state, key(KeyCode::Down));
    update(&mut state, key(KeyCode::Down));
    assert_eq!(prompt(&state), "x", "past the newest, what was typed");
}
