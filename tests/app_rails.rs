//! The safety rails in `update`: on a protected tenant every destructive
//! action (deactivating included) needs the exact typed name, a nameless
//! resource asks for its id, and a bare Enter never confirms.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::time::SystemTime;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::app::answer_at;

use portico::app::{Effect, ListKey, Message, Modal, State, TenantInfo, start, update};
use portico::keymap::Keymap;
use portico::model::{Kind, Resource};
use portico::platform::{Capabilities, KindSpec, Operation, PaneSpec, Rotation};

const fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| update(state, key(KeyCode::Char(c))))
        .collect()
}

fn performed(effects: &[Effect]) -> Vec<Vec<Operation>> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Perform { ops, .. } => Some(ops.clone()),
            _ => None,
        })
        .collect()
}

fn caps() -> Capabilities {
    let mut key = KindSpec::new(Kind::AccessKey);
    key.delete = true;
    key.toggle = Some(("Activate", "Deactivate"));
    key.rotate = Rotation::Immediate { warning: "now" };
    Capabilities::new([
        PaneSpec::unsupported("Org", "none"),
        PaneSpec::list("Keys", vec![]),
        PaneSpec::unsupported("Certificates", "none"),
    ])
    .with_kinds(vec![key])
}

/// One tenant with one key named `name` (id `key-1`), loaded.
fn state(protected: bool, name: &str) -> State {
    let tenant = TenantInfo::new("prod", "Demo", caps()).with_flags(false, protected);
    let mut state = State::new(vec![tenant], Keymap::defaults());
    let fx = start(&mut state);
    let name = name.to_string();
    answer_at(&mut state, &fx, SystemTime::now(), move |_: &ListKey| {
        vec![Resource::new(Kind::AccessKey, "key-1", name.clone())]
    });
    state
}

fn confirm_prompt(state: &State) -> Option<(String, bool)> {
    match state.modal() {
        Some(Modal::Confirm(c)) => c.typed.as_ref().map(|(e, _)| (e.clone(), c.typed_is_id)),
        _ => None,
    }
}

#[test]
fn deactivating_on_a_protected_tenant_needs_the_typed_name() {
    let mut s = state(true, "Gateway");
    let fx = update(&mut s, key(KeyCode::Char('a')));
    assert!(performed(&fx).is_empty(), "nothing is sent before typing");
    assert_eq!(confirm_prompt(&s), Some(("Gateway".into(), false)));
    assert!(
        performed(&update(&mut s, key(KeyCode::Enter))).is_empty(),
        "a bare Enter never confirms"
    );
    typed(&mut s, "Gatewa");
    assert!(performed(&update(&mut s, key(KeyCode::Enter))).is_empty());
    typed(&mut s, "y");
    let sent = performed(&update(&mut s, key(KeyCode::Enter)));
    assert_eq!(sent.len(), 1);
    assert!(matches!(
        sent[0].as_slice(),
        [Operation::SetActive { active: false, .. }]
    ));
}

#[test]
fn deactivating_on_an_ordinary_tenant_is_immediate() {
    let mut s = state(false, "Gateway");
    let sent = performed(&update(&mut s, key(KeyCode::Char('a'))));
    assert_eq!(sent.len(), 1);
    assert!(s.modal().is_none());
}

#[test]
fn every_destructive_action_on_a_protected_tenant_needs_the_exact_name() {
    for action in ['d', 'R', 'a'] {
        let mut s = state(true, "Gateway");
        update(&mut s, key(KeyCode::Char(action)));
        assert_eq!(
            confirm_prompt(&s),
            Some(("Gateway".into(), false)),
            "{action}"
        );
        for wrong in ["", "gateway", "Gateway "] {
            typed(&mut s, wrong);
            assert!(
                performed(&update(&mut s, key(KeyCode::Enter))).is_empty(),
                "{action}: {wrong:?} confirmed"
            );
            for _ in 0..wrong.len() {
                update(&mut s, key(KeyCode::Backspace));
            }
        }
        typed(&mut s, "Gateway");
        assert_eq!(
            performed(&update(&mut s, key(KeyCode::Enter))).len(),
            1,
            "{action}"
        );
    }
}

#[test]
fn a_nameless_resource_is_confirmed_by_its_id() {
    for name in ["", "   "] {
        let mut s = state(true, name);
        update(&mut s, key(KeyCode::Char('d')));
        assert_eq!(confirm_prompt(&s), Some(("key-1".into(), true)));
        assert!(
            performed(&update(&mut s, key(KeyCode::Enter))).is_empty(),
            "a bare Enter never confirms a nameless resource"
        );
        typed(&mut s, name);
        assert!(performed(&update(&mut s, key(KeyCode::Enter))).is_empty());
        for _ in 0..name.len() {
            update(&mut s, key(KeyCode::Backspace));
        }
        typed(&mut s, "key-1");
        assert_eq!(performed(&update(&mut s, key(KeyCode::Enter))).len(), 1);
    }
}
