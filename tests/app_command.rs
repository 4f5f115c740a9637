//! Command mode's k9s habits: aliases, completion of them, and a history
//! walked with the arrows and handed to the runtime to keep; resource
//! names completed from the loaded lists.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::time::SystemTime;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portico::app::{
    Effect, History, LISTED_MAX, ListKey, Message, Modal, State, TenantInfo, start, update,
};
use portico::keymap::Keymap;
use portico::model::{Kind, Pane, Resource};
use portico::platform::{Paged, kitsu, mashery, project44};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

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

// Resource names: Tab completes from the lists already loaded, and a pane
// word with a name goes to that row.

fn rows(names: &[&str]) -> Vec<Resource> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| Resource::new(Kind::ClientApp, format!("app-id-{i}"), *n))
        .collect()
}

/// Answers every list effect with `items(key)`, as the runtime would, and
/// the effects those answers cause in turn.
fn answer(state: &mut State, fx: Vec<Effect>, items: &dyn Fn(&ListKey) -> Vec<Resource>) {
    let mut queue = fx;
    while !queue.is_empty() {
        let mut next = Vec::new();
        for effect in queue {
            if let Effect::List {
                tenant,
                key,
                request,
            } = effect
            {
                next.extend(update(
                    state,
                    Message::Listed {
                        tenant,
                        key: key.clone(),
                        request,
                        at: SystemTime::UNIX_EPOCH,
                        result: Ok(Paged::new(items(&key), 1)),
                    },
                ));
            }
        }
        queue = next;
    }
}

/// Two project44 tenants, each with its applications loaded; the first active.
fn loaded(first: &[&str], second: &[&str]) -> State {
    let mut state = State::new(
        vec![
            TenantInfo::new("p44-na", "project44", project44::capabilities()),
            TenantInfo::new("p44-eu", "project44", project44::capabilities()),
        ],
        Keymap::defaults(),
    );
    let fx = start(&mut state);
    let second_rows = rows(second);
    answer(&mut state, fx, &|_| rows(first));
    let fx = run(&mut state, "ctx p44-eu");
    answer(&mut state, fx, &|_| second_rows.clone());
    let fx = run(&mut state, "ctx p44-na");
    answer(&mut state, fx, &|_| rows(first));
    assert_eq!(state.tenant().map(TenantInfo::name), Some("p44-na"));
    state
}

fn tab(state: &mut State, line: &str) {
    update(state, key(KeyCode::Char(':')));
    for c in line.chars() {
        update(state, key(KeyCode::Char(c)));
    }
    update(state, key(KeyCode::Tab));
}

fn choices(state: &State) -> Vec<String> {
    state
        .command_choices()
        .map(<[String]>::to_vec)
        .unwrap_or_default()
}

fn selected(state: &State) -> Option<String> {
    state.selected(Pane::Applications).map(|r| r.name.clone())
}

#[test]
fn tab_after_find_lists_the_loaded_names_of_every_tenant() {
    let mut state = loaded(
        &["Web shop", "billing", "weather feed"],
        &["webhook relay", "payroll", "Web shop"],
    );
    tab(&mut state, "find we");
    assert_eq!(
        prompt(&state),
        "find we",
        "the names share no more than that"
    );
    assert_eq!(
        choices(&state),
        ["Web shop", "weather feed", "webhook relay"],
        "prefixes, the active tenant's first, each name once"
    );
    assert_eq!(state.command_choices_beyond(), 0);
    update(&mut state, key(KeyCode::Esc));
    // A name only the other tenant has, with a space in it, completes whole.
    tab(&mut state, "find webh");
    assert_eq!(prompt(&state), "find webhook relay");
    assert!(state.command_choices().is_none());
    update(&mut state, key(KeyCode::Esc));
    // No name begins so: the fuzzy matches are offered instead.
    tab(&mut state, "find prl");
    assert_eq!(
        choices(&state),
        Vec::<String>::new(),
        "one fuzzy match completes"
    );
    assert_eq!(prompt(&state), "find payroll");
}

#[test]
fn a_unique_prefix_completes_whole_and_ids_complete_too() {
    let mut state = loaded(&["Web shop", "billing"], &[]);
    tab(&mut state, "apps Web");
    assert_eq!(prompt(&state), "apps Web shop");
    update(&mut state, key(KeyCode::Esc));
    // No name begins with an id, so the ids are offered.
    tab(&mut state, "bots app-id");
    assert_eq!(prompt(&state), "bots app-id-", "as far as the ids agree");
    assert_eq!(choices(&state), ["app-id-0", "app-id-1"]);
    update(&mut state, key(KeyCode::Esc));
    tab(&mut state, "apps ");
    assert_eq!(choices(&state), ["Web shop", "billing"]);
    update(&mut state, key(KeyCode::Esc));
    tab(&mut state, "apps zz");
    assert!(
        notice(&state).contains("no loaded name matches \"zz\""),
        "{}",
        notice(&state)
    );
}

#[test]
fn past_the_cap_the_rest_are_counted() {
    let names: Vec<String> = (0..LISTED_MAX + 70)
        .map(|i| format!("app-{i:03}"))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut state = loaded(&refs, &[]);
    tab(&mut state, "apps ap");
    assert_eq!(prompt(&state), "apps app-", "as far as every match agrees");
    assert_eq!(choices(&state).len(), LISTED_MAX);
    assert_eq!(state.command_choices_beyond(), 70);
}

#[test]
fn a_pane_word_and_a_name_select_that_row_or_filter_on_it() {
    let mut state = loaded(&["Web shop", "billing", "Web shop 2"], &[]);
    assert_eq!(selected(&state).as_deref(), Some("Web shop"));
    run(&mut state, "apps Web shop 2");
    assert_eq!(state.focus(), Pane::Applications);
    assert_eq!(selected(&state).as_deref(), Some("Web shop 2"));
    run(&mut state, "apps app-id-1");
    assert_eq!(selected(&state).as_deref(), Some("billing"), "by id");
    run(&mut state, "apps Web");
    let filter = state
        .cursor(Pane::Applications)
        .map(|c| c.filter().to_string());
    assert_eq!(filter.as_deref(), Some("Web"), "no row is named so");
    assert!(
        notice(&state).contains("no row named \"Web\""),
        "{}",
        notice(&state)
    );
    // A filter that hides the row does not stop it being chosen.
    run(&mut state, "apps billing");
    assert_eq!(selected(&state).as_deref(), Some("billing"));
}

#[test]
fn a_view_word_and_a_name_select_the_row_once_the_view_has_listed() {
    let mut state = State::new(
        vec![TenantInfo::new("studio", "Kitsu", kitsu::capabilities())],
        Keymap::defaults(),
    );
    let fx = start(&mut state);
    answer(&mut state, fx, &|_| Vec::new());
    let fx = run(&mut state, "persons Bea Bot");
    assert_eq!(state.focus(), Pane::View);
    answer(&mut state, fx, &|_| rows(&["Ann Admin", "Bea Bot"]));
    assert_eq!(
        state.selected(Pane::View).map(|r| r.name.as_str()),
        Some("Bea Bot")
    );
    tab(&mut state, "persons An");
    assert_eq!(prompt(&state), "persons Ann Admin", "from the view's rows");
}

#[test]
fn names_with_escape_sequences_are_inert_in_the_choices() {
    let mut state = loaded(&["evil\u{1b}[2Jwipe", "evil\u{1b}]52;c;eA==\u{7}"], &[]);
    tab(&mut state, "apps evil");
    assert_eq!(choices(&state).len(), 2);
    let mut terminal = Terminal::new(TestBackend::new(100, 20)).unwrap();
    terminal
        .draw(|f| portico::ui::render(f, &state, SystemTime::UNIX_EPOCH))
        .unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("evil^[[2Jwipe"), "{screen}");
    assert!(screen.contains("evil^[]52;c;eA==^G"), "{screen}");
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{7}'),
        "{screen}"
    );
}
