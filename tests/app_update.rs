//! Pure `update` tests: messages in, state and effects out. No terminal,
//! no network.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::app::answer_at;

use portico::app::{Effect, ListKey, Message, Modal, State, TenantInfo, start, update};
use portico::keymap::Keymap;
use portico::model::{IssuedSecret, Kind, Lifecycle, Pane, Resource, Secret};
use portico::platform::{
    Capabilities, Field, FollowUp, KindSpec, Operation, Outcome, PaneSpec, PlatformError, Rotation,
    Source, Target, ViewSpec, project44,
};

const fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

const fn ch(c: char) -> Message {
    key(KeyCode::Char(c))
}

fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(state, ch(c))).collect()
}

fn apps(names: &[&str]) -> Vec<Resource> {
    names
        .iter()
        .map(|n| {
            let mut r =
                Resource::new(Kind::ClientApp, format!("id-{n}"), *n).with_detail("name", *n);
            r.cells = vec![format!("id-{n}")];
            r
        })
        .collect()
}

fn p44(name: &str) -> TenantInfo {
    TenantInfo::new(name, "project44", project44::capabilities())
}

/// A platform shaped like Kitsu: projects scope the applications pane,
/// projects close before they delete, and a `:links` view.
fn scoped_caps() -> Capabilities {
    let mut project = KindSpec::new(Kind::Project);
    project.delete = true;
    project.delete_needs_inactive = Some("Only closed projects can be deleted.");
    project.toggle = Some(("Reopen", "Close"));
    let mut key = KindSpec::new(Kind::AccessKey);
    key.create = Some(vec![Field::text("name", "Name", true)]);
    key.rotate = Rotation::TwoPhase {
        warning: "two keys for a while",
    };
    Capabilities::new([
        PaneSpec::list("Projects", vec!["Status"]),
        PaneSpec::list("Keys", vec![])
            .scoped_by(Pane::Projects)
            .creating(vec![Kind::AccessKey]),
        PaneSpec::unsupported("Certificates", "no certificates here"),
    ])
    .with_views(vec![ViewSpec {
        name: "links",
        title: "Links",
        columns: vec![],
        scope: Some(Pane::Projects),
        searches: false,
    }])
    .with_kinds(vec![project, key])
}

/// Answers every list effect with `items` for that key.
fn answer(
    state: &mut State,
    effects: &[Effect],
    items: impl Fn(&ListKey) -> Vec<Resource>,
) -> Vec<Effect> {
    answer_at(state, effects, SystemTime::now(), items)
}

fn lists(effects: &[Effect]) -> Vec<(usize, ListKey)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::List { tenant, key, .. } => Some((*tenant, key.clone())),
            _ => None,
        })
        .collect()
}

fn performed(effects: &[Effect]) -> Vec<(u64, Vec<Operation>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Perform { request, ops, .. } => Some((*request, ops.clone())),
            _ => None,
        })
        .collect()
}

fn loaded_p44() -> State {
    let mut state = State::new(vec![p44("na"), p44("eu")], Keymap::defaults());
    let fx = start(&mut state);
    answer(&mut state, &fx, |_| apps(&["alpha", "bravo", "charlie"]));
    state
}

fn names(state: &State, pane: Pane) -> Vec<String> {
    let (Some(listing), Some(cursor)) = (state.listing(pane), state.cursor(pane)) else {
        return Vec::new();
    };
    cursor
        .visible()
        .iter()
        .map(|i| listing.items()[*i].name.clone())
        .collect()
}

#[test]
fn start_lists_only_the_panes_the_platform_has() {
    let mut state = State::new(vec![p44("na")], Keymap::defaults());
    let fx = start(&mut state);
    let keys = lists(&fx);
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].1.source, Source::Pane(Pane::Applications));
    assert_eq!(state.focus(), Pane::Applications);
    assert!(state.unsupported_reason(Pane::Projects).is_some());
    assert!(
        state
            .listing(Pane::Applications)
            .is_some_and(portico::app::Listing::is_loading)
    );
}

#[test]
fn navigation_moves_and_clamps_and_tab_cycles_panes() {
    let mut state = loaded_p44();
    assert_eq!(
        state.selected(Pane::Applications).map(|r| r.name.as_str()),
        Some("alpha")
    );
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Down));
    update(&mut state, ch('j'));
    assert_eq!(
        state.selected(Pane::Applications).map(|r| r.name.as_str()),
        Some("charlie")
    );
    update(&mut state, ch('g'));
    assert_eq!(
        state.selected(Pane::Applications).map(|r| r.name.as_str()),
        Some("alpha")
    );
    update(&mut state, ch('k'));
    assert_eq!(
        state
            .cursor(Pane::Applications)
            .map(portico::app::Cursor::selected),
        Some(0)
    );
    // project44 has rows in one pane only: Tab skips the panes it lacks.
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus(), Pane::Applications);
    update(&mut state, key(KeyCode::BackTab));
    assert_eq!(state.focus(), Pane::Applications);

    let mut state = scoped_state();
    assert_eq!(state.focus(), Pane::Projects);
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus(), Pane::Applications);
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus(), Pane::Projects);
    update(&mut state, key(KeyCode::BackTab));
    assert_eq!(state.focus(), Pane::Applications);
}

#[test]
fn stale_list_answers_lose_to_the_latest_request() {
    let mut state = State::new(vec![p44("na")], Keymap::defaults());
    let first = start(&mut state);
    let second = update(&mut state, ch('r'));
    assert_eq!(lists(&second).len(), 1);
    // The newer answer lands first; the older one must not overwrite it.
    answer(&mut state, &second, |_| apps(&["new"]));
    answer(&mut state, &first, |_| apps(&["old"]));
    assert_eq!(names(&state, Pane::Applications), vec!["new"]);
}

#[test]
fn a_failed_refresh_keeps_the_rows_and_reports_the_error() {
    let mut state = loaded_p44();
    let fx = update(&mut state, ch('r'));
    let Some(Effect::List {
        tenant,
        key,
        request,
    }) = fx.first().cloned()
    else {
        panic!("refresh lists");
    };
    update(
        &mut state,
        Message::Listed {
            tenant,
            key,
            request,
            at: SystemTime::now(),
            result: Err(PlatformError::Api {
                status: 503,
                message: "down for maintenance".into(),
            }),
        },
    );
    assert_eq!(names(&state, Pane::Applications).len(), 3);
    assert_eq!(
        state.book().and_then(|b| b.last_error()),
        Some("HTTP 503: down for maintenance")
    );
}

/// Fails the refresh of the focused pane with `err` and returns the
/// remedy the pane offers for it.
fn remedy_after(state: &mut State, err: PlatformError) -> Option<String> {
    let fx = update(state, ch('r'));
    let Some(Effect::List {
        tenant,
        key,
        request,
    }) = fx.first().cloned()
    else {
        panic!("refresh lists");
    };
    update(
        state,
        Message::Listed {
            tenant,
            key,
            request,
            at: SystemTime::now(),
            result: Err(err),
        },
    );
    let err = state
        .listing(Pane::Applications)
        .and_then(|l| l.error())
        .cloned()
        .expect("the error stays typed in the listing");
    state.remedy(&err)
}

#[test]
fn each_error_class_offers_its_own_remedy() {
    let keyed = |name| {
        State::new(
            vec![p44(name).with_auth_keys(vec!["username".into(), "password".into()])],
            Keymap::defaults(),
        )
    };
    let mut state = keyed("na");
    let fx = start(&mut state);
    answer(&mut state, &fx, |_| apps(&["alpha"]));

    for transient in [
        PlatformError::Timeout(Duration::from_secs(30)),
        PlatformError::Network("connection refused".into()),
        PlatformError::Api {
            status: 502,
            message: "bad gateway".into(),
        },
    ] {
        assert_eq!(
            remedy_after(&mut state, transient).as_deref(),
            Some("press r to retry")
        );
    }
    assert_eq!(
        remedy_after(
            &mut state,
            PlatformError::RateLimited {
                retry_after: Some(Duration::from_secs(7))
            }
        )
        .as_deref(),
        Some("the platform asks to wait 7s; then press r")
    );
    assert_eq!(
        remedy_after(&mut state, PlatformError::Auth("rejected".into())).as_deref(),
        Some("check auth.username, auth.password of tenant na in the config")
    );
    assert_eq!(
        remedy_after(
            &mut state,
            PlatformError::Api {
                status: 400,
                message: "name too long".into()
            }
        ),
        None,
        "a refused request has nothing to retry"
    );

    // The retry key named is the live binding, not a literal.
    let keymap = Keymap::with_overrides("[normal]\nrefresh = [\"f5\"]\n").expect("keymap");
    let mut state = State::new(vec![p44("eu")], keymap);
    let fx = start(&mut state);
    answer(&mut state, &fx, |_| apps(&["alpha"]));
    let fx = update(&mut state, key(KeyCode::F(5)));
    assert!(!fx.is_empty(), "F5 refreshes once rebound");
    answer_err(
        &mut state,
        &fx,
        PlatformError::Timeout(Duration::from_secs(1)),
    );
    let err = state
        .listing(Pane::Applications)
        .and_then(|l| l.error())
        .cloned()
        .expect("error");
    assert_eq!(state.remedy(&err).as_deref(), Some("press F5 to retry"));
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "test helper called with temporaries"
)]
fn answer_err(state: &mut State, effects: &[Effect], err: PlatformError) {
    for effect in effects {
        if let Effect::List {
            tenant,
            key,
            request,
        } = effect
        {
            update(
                state,
                Message::Listed {
                    tenant: *tenant,
                    key: key.clone(),
                    request: *request,
                    at: SystemTime::now(),
                    result: Err(err.clone()),
                },
            );
        }
    }
}

#[test]
fn switching_tenants_shows_the_cache_at_once_and_refreshes_it() {
    let mut state = loaded_p44();
    let fx = update(&mut state, ch('2'));
    assert_eq!(state.active(), 1);
    assert_eq!(
        lists(&fx),
        vec![(
            1,
            ListKey {
                source: Source::Pane(Pane::Applications),
                parent: None,
                query: None
            }
        )]
    );
    answer(&mut state, &fx, |_| apps(&["eu-one"]));
    assert_eq!(names(&state, Pane::Applications), vec!["eu-one"]);

    let back = update(&mut state, ch('1'));
    // Cached rows are there before the refresh answers.
    assert_eq!(
        names(&state, Pane::Applications),
        vec!["alpha", "bravo", "charlie"]
    );
    assert_eq!(lists(&back).len(), 1, "and a background refresh went out");
    assert!(
        update(&mut state, ch('9')).is_empty(),
        "no tenant 9: nothing happens"
    );
    assert_eq!(state.active(), 0);
}

#[test]
fn tenant_picker_fuzzy_matches_and_switches() {
    let mut state = loaded_p44();
    update(&mut state, ch('t'));
    assert!(matches!(state.modal(), Some(Modal::Picker(_))));
    typed(&mut state, "eu");
    let fx = update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.active(), 1);
    assert!(state.modal().is_none());
    assert_eq!(lists(&fx).len(), 1);
}

#[test]
fn filter_narrows_live_and_escape_clears() {
    let mut state = loaded_p44();
    update(&mut state, ch('/'));
    typed(&mut state, "brv");
    assert_eq!(names(&state, Pane::Applications), vec!["bravo"]);
    update(&mut state, key(KeyCode::Enter));
    assert!(state.modal().is_none());
    assert_eq!(
        names(&state, Pane::Applications),
        vec!["bravo"],
        "Enter keeps the filter"
    );
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(
        names(&state, Pane::Applications).len(),
        3,
        "Esc in the pane clears it"
    );
}

#[test]
fn delete_asks_first_and_cancel_does_nothing() {
    let mut state = loaded_p44();
    update(&mut state, ch('j'));
    assert!(update(&mut state, ch('d')).is_empty());
    assert!(matches!(state.modal(), Some(Modal::Confirm(_))));
    assert!(update(&mut state, ch('n')).is_empty());
    assert!(state.modal().is_none());

    update(&mut state, ch('d'));
    let fx = update(&mut state, ch('y'));
    let ops = performed(&fx);
    assert_eq!(ops.len(), 1);
    match &ops[0].1[..] {
        [Operation::Delete { target }] => {
            assert_eq!(target.id, "id-bravo");
            assert_eq!(target.kind, Kind::ClientApp);
        }
        other => panic!("expected one delete, got {other:?}"),
    }
    assert_eq!(state.in_flight(), 1);
}

#[test]
fn protected_tenants_need_the_name_typed() {
    let mut state = State::new(
        vec![p44("prod").with_flags(false, true)],
        Keymap::defaults(),
    );
    let fx = start(&mut state);
    answer(&mut state, &fx, |_| apps(&["alpha"]));
    update(&mut state, ch('d'));
    assert!(
        performed(&update(&mut state, ch('y'))).is_empty(),
        "y is just a letter here"
    );
    assert!(
        performed(&update(&mut state, key(KeyCode::Enter))).is_empty(),
        "\"y\" is not the name"
    );
    for _ in 0..3 {
        update(&mut state, key(KeyCode::Backspace));
    }
    typed(&mut state, "alpha");
    assert_eq!(performed(&update(&mut state, key(KeyCode::Enter))).len(), 1);
}

#[test]
fn read_only_tenants_refuse_every_mutation() {
    let mut state = State::new(vec![p44("ro").with_flags(true, false)], Keymap::defaults());
    let fx = start(&mut state);
    answer(&mut state, &fx, |_| apps(&["alpha"]));
    for c in ['n', 'e', 'd', 'R'] {
        assert!(update(&mut state, ch(c)).is_empty());
        assert!(state.modal().is_none(), "{c} opened nothing");
        let notice = state.notice().map(|n| n.text.clone()).unwrap_or_default();
        assert!(notice.contains("read-only"), "{c}: {notice}");
    }
}

#[test]
fn create_form_validates_and_keeps_input_when_the_server_fails() {
    let mut state = loaded_p44();
    update(&mut state, ch('n'));
    assert!(
        update(&mut state, key(KeyCode::Enter)).is_empty(),
        "empty name is not sent"
    );
    let Some(Modal::Form(form)) = state.modal() else {
        panic!("form stays open");
    };
    assert!(
        form.error
            .as_deref()
            .unwrap_or_default()
            .contains("required")
    );

    typed(&mut state, "Rate Engine");
    let fx = update(&mut state, key(KeyCode::Enter));
    let [(request, ops)] = &performed(&fx)[..] else {
        panic!("one create");
    };
    assert!(
        matches!(&ops[..], [Operation::Create { kind: Kind::ClientApp, values, .. }]
        if values == &vec![("name".to_string(), "Rate Engine".to_string())])
    );

    update(
        &mut state,
        Message::Performed {
            tenant: 0,
            request: *request,
            result: Box::new(Err("HTTP 500: boom".into())),
            saved: None,
        },
    );
    let Some(Modal::Form(form)) = state.modal() else {
        panic!("the form survives a failure");
    };
    assert_eq!(form.fields[0].input.text(), "Rate Engine");
    assert!(form.error.as_deref().unwrap_or_default().contains("boom"));
}

fn issued(text: &str) -> IssuedSecret {
    IssuedSecret {
        label: "client secret".into(),
        public_id: Some("id-alpha".into()),
        secret: Secret::new(text),
    }
}

#[test]
fn rotation_confirms_then_shows_the_secret_masked() {
    let mut state = loaded_p44();
    assert!(update(&mut state, ch('R')).is_empty());
    let fx = update(&mut state, key(KeyCode::Enter));
    let [(request, ops)] = &performed(&fx)[..] else {
        panic!("one rotation");
    };
    assert!(matches!(
        &ops[..],
        [Operation::Rotate { previous: None, .. }]
    ));
    let outcome = Outcome {
        summary: "new secret issued".into(),
        secret: Some(issued("s3cr3t-value")),
        ..Outcome::default()
    };
    let fx = update(
        &mut state,
        Message::Performed {
            tenant: 0,
            request: *request,
            result: Box::new(Ok(outcome)),
            saved: None,
        },
    );
    assert_eq!(lists(&fx).len(), 1, "the pane refreshes after a change");
    let Some(Modal::Secret(view)) = state.modal() else {
        panic!("secret modal");
    };
    assert!(!view.revealed, "masked by default");
    update(&mut state, ch('v'));
    assert!(matches!(state.modal(), Some(Modal::Secret(v)) if v.revealed));
    let fx = update(&mut state, ch('c'));
    assert!(matches!(
        &fx[..],
        [Effect::Copy { text, sensitive: true, .. }] if text.expose() == "s3cr3t-value"
    ));
    update(&mut state, key(KeyCode::Esc));
    assert!(state.modal().is_none());
}

fn scoped_state() -> State {
    let tenant = TenantInfo::new("kit", "Kitsu", scoped_caps());
    let mut state = State::new(vec![tenant], Keymap::defaults());
    let fx = start(&mut state);
    let projects = |_: &ListKey| {
        ["Harbor", "Moss"]
            .iter()
            .map(|n| {
                let mut r = Resource::new(Kind::Project, format!("p-{n}"), *n);
                r.status = Some("Open".into());
                r
            })
            .collect()
    };
    let fx = answer(&mut state, &fx, projects);
    answer(&mut state, &fx, |key| {
        vec![Resource::new(
            Kind::AccessKey,
            format!("k-{}", key.parent.clone().unwrap_or_default()),
            "key",
        )]
    });
    state
}

#[test]
fn a_parent_selection_scopes_the_child_pane() {
    let mut state = scoped_state();
    assert_eq!(state.focus(), Pane::Projects);
    assert_eq!(
        state.selected(Pane::Applications).map(|r| r.id.as_str()),
        Some("k-p-Harbor")
    );
    let fx = update(&mut state, ch('j'));
    assert_eq!(
        lists(&fx),
        vec![(
            0,
            ListKey {
                source: Source::Pane(Pane::Applications),
                parent: Some("p-Moss".into()),
                query: None
            }
        )]
    );
    assert!(
        state.selected(Pane::Applications).is_none(),
        "Moss's list is still loading"
    );
    answer(&mut state, &fx, |_| {
        vec![Resource::new(Kind::AccessKey, "k-moss", "key")]
    });
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        state.focus(),
        Pane::Applications,
        "Enter drills into the scoped pane"
    );
    update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(state.modal(), Some(Modal::Detail(0))),
        "then opens the full detail"
    );
}

#[test]
fn deleting_an_open_project_offers_to_close_it_first() {
    let mut state = scoped_state();
    update(&mut state, ch('d'));
    let Some(Modal::Confirm(confirm)) = state.modal() else {
        panic!("confirm");
    };
    assert!(
        confirm
            .lines
            .iter()
            .any(|l| l.contains("Only closed projects"))
    );
    let fx = update(&mut state, ch('y'));
    let ops = &performed(&fx)[0].1;
    assert!(matches!(
        &ops[..],
        [
            Operation::SetActive { active: false, .. },
            Operation::Delete { .. }
        ]
    ));
}

#[test]
fn views_open_from_command_mode_and_close_with_escape() {
    let mut state = scoped_state();
    update(&mut state, ch(':'));
    typed(&mut state, "lin");
    update(&mut state, key(KeyCode::Tab));
    let fx = update(&mut state, key(KeyCode::Enter));
    // A view opens in a pane of its own, beside the three.
    assert_eq!(state.focus(), Pane::View);
    assert_eq!(state.panes().last(), Some(&Pane::View));
    assert_eq!(state.title(Pane::View), "Links");
    assert_eq!(state.view().map(|v| v.name), Some("links"));
    assert_eq!(
        lists(&fx),
        vec![(
            0,
            ListKey {
                source: Source::View("links"),
                parent: Some("p-Harbor".into()),
                query: None
            }
        )]
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(state.view().is_none());
    assert_eq!(state.focus(), Pane::Projects);
    assert_eq!(state.panes(), Pane::ALL.to_vec());
    update(&mut state, ch(':'));
    typed(&mut state, "bogus");
    update(&mut state, key(KeyCode::Enter));
    assert!(
        state
            .notice()
            .is_some_and(|n| n.text.contains("unknown command"))
    );
}

#[test]
fn two_phase_rotation_continues_only_after_the_user_confirms() {
    let follow = |state: &mut State| {
        let outcome = Outcome {
            summary: "new key created".into(),
            secret: Some(issued("k2-secret")),
            follow_up: Some(FollowUp {
                prompt: "Stored it? Enter deactivates the old key".into(),
                op: Operation::SetActive {
                    target: Target {
                        kind: Kind::AccessKey,
                        id: "old".into(),
                        name: "old".into(),
                        parent: None,
                    },
                    active: false,
                },
                abort_note: "both keys stay active".into(),
            }),
            ..Outcome::default()
        };
        update(
            state,
            Message::Performed {
                tenant: 0,
                request: 999,
                result: Box::new(Ok(outcome)),
                saved: None,
            },
        );
    };
    let mut state = scoped_state();
    follow(&mut state);
    let fx = update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(&performed(&fx)[0].1[..], [Operation::SetActive { active: false, target }] if target.id == "old")
    );

    let mut state = scoped_state();
    follow(&mut state);
    let fx = update(&mut state, key(KeyCode::Esc));
    assert!(performed(&fx).is_empty());
    assert_eq!(
        state.book().and_then(|b| b.warning()),
        Some("both keys stay active")
    );
}

#[test]
fn help_opens_and_closes() {
    let mut state = loaded_p44();
    update(&mut state, ch('?'));
    assert!(matches!(state.modal(), Some(Modal::Help(0))));
    update(&mut state, ch('j'));
    update(&mut state, ch('j'));
    update(&mut state, ch('k'));
    assert!(
        matches!(state.modal(), Some(Modal::Help(1))),
        "j/k scroll the help"
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(state.modal().is_none());
    let fx = update(&mut state, ch('q'));
    assert!(fx.contains(&Effect::Quit));
    assert!(state.should_quit());
}

#[test]
fn a_superseded_list_request_leaves_nothing_spinning() {
    let mut state = scoped_state();
    // Moss's applications are requested; before they answer, a refresh of
    // Harbor's takes the same slot, and the runtime drops Moss's request.
    let moss = update(&mut state, ch('j'));
    assert_eq!(lists(&moss).len(), 1);
    update(&mut state, ch('k'));
    update(&mut state, key(KeyCode::Tab));
    let harbor = update(&mut state, ch('r'));
    assert_eq!(lists(&harbor).len(), 1);
    assert_eq!(state.in_flight(), 1, "only the live request counts");
    answer(&mut state, &harbor, |_| {
        vec![Resource::new(Kind::AccessKey, "h", "h")]
    });
    assert_eq!(state.in_flight(), 0);
    // Back on Moss, its list is asked for again rather than left empty.
    update(&mut state, key(KeyCode::BackTab));
    let again = update(&mut state, ch('j'));
    assert_eq!(lists(&again).len(), 1);
    answer(&mut state, &moss, |_| {
        vec![Resource::new(Kind::AccessKey, "stale", "stale")]
    });
    assert!(
        state
            .listing(Pane::Applications)
            .is_some_and(portico::app::Listing::is_loading)
    );
    answer(&mut state, &again, |_| {
        vec![Resource::new(Kind::AccessKey, "fresh", "fresh")]
    });
    assert_eq!(names(&state, Pane::Applications), vec!["fresh"]);
}

#[test]
fn a_copy_reports_what_was_sent_not_that_the_clipboard_holds_it() {
    let mut state = loaded_p44();
    let fx = update(&mut state, ch('y'));
    let Some(Effect::Copy {
        what,
        text,
        sensitive,
    }) = fx.first()
    else {
        panic!("y copies: {fx:?}");
    };
    assert_eq!(text.expose(), "id-alpha");
    assert!(!sensitive, "an id is not cleared from the clipboard");
    let mut sent = Vec::new();
    let done =
        portico::secrets::clipboard::copy(&mut sent, what, text.expose()).expect("writes to a Vec");
    update(&mut state, Message::Copied(Ok(done)));
    let notice = state.notice().map(|n| n.text.clone()).unwrap_or_default();
    assert!(notice.contains("OSC 52"), "{notice}");
    assert!(notice.contains("client application id"), "{notice}");
    assert!(!notice.contains("to the clipboard"), "{notice}");
}

fn create_app(state: &mut State, name: &str) -> Vec<Effect> {
    update(state, ch('n'));
    typed(state, name);
    let fx = update(state, key(KeyCode::Enter));
    let [(request, _)] = &performed(&fx)[..] else {
        panic!("one create: {fx:?}");
    };
    let outcome = Outcome {
        summary: format!("created {name}"),
        created: Some(format!("id-{name}")),
        ..Outcome::default()
    };
    update(
        state,
        Message::Performed {
            tenant: 0,
            request: *request,
            result: Box::new(Ok(outcome)),
            saved: None,
        },
    )
}

#[test]
fn after_a_create_the_new_resource_is_selected_and_detailed() {
    let mut state = loaded_p44();
    update(&mut state, ch('j'));
    let fx = create_app(&mut state, "delta");
    assert_eq!(lists(&fx).len(), 1, "the pane refreshes");
    // The platform lists it first, away from where the cursor was.
    let listed = |_: &ListKey| apps(&["delta", "alpha", "bravo", "charlie"]);
    answer(&mut state, &fx, listed);
    assert_eq!(
        state.selected(Pane::Applications).map(|r| r.id.as_str()),
        Some("id-delta")
    );
    assert_eq!(state.focus(), Pane::Applications);
    // The wish is spent: a later refresh keeps wherever the user goes.
    update(&mut state, ch('G'));
    let fx = update(&mut state, ch('r'));
    answer(&mut state, &fx, listed);
    assert_eq!(
        state.selected(Pane::Applications).map(|r| r.name.as_str()),
        Some("charlie")
    );
}

#[test]
fn a_create_in_a_child_pane_focuses_that_pane_on_the_new_row() {
    let mut state = State::new(
        vec![TenantInfo::new("k", "kitsu-like", scoped_caps())],
        Keymap::defaults(),
    );
    let fx = start(&mut state);
    let more = answer(&mut state, &fx, |_| apps(&["prod"]));
    answer(&mut state, &more, |_| apps(&["key-1", "key-2"]));
    // `n` creates in the focused pane: the keys. Then the user moves away.
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus(), Pane::Applications);
    let fx = create_app(&mut state, "key-3");
    update(&mut state, key(KeyCode::BackTab));
    assert_eq!(state.focus(), Pane::Projects);
    answer(&mut state, &fx, |k| match k.source {
        Source::Pane(Pane::Projects) => apps(&["prod"]),
        _ => apps(&["key-1", "key-3", "key-2"]),
    });
    assert_eq!(state.focus(), Pane::Applications);
    assert_eq!(
        state.selected(Pane::Applications).map(|r| r.id.as_str()),
        Some("id-key-3")
    );
}

#[test]
fn a_created_row_the_filter_hides_is_not_jumped_to_later() {
    let mut state = loaded_p44();
    update(&mut state, ch('/'));
    typed(&mut state, "alp");
    update(&mut state, key(KeyCode::Enter));
    let fx = create_app(&mut state, "delta");
    answer(&mut state, &fx, |_| apps(&["alpha", "bravo", "delta"]));
    assert_eq!(
        state.selected(Pane::Applications).map(|r| r.name.as_str()),
        Some("alpha")
    );
    update(&mut state, ch('/'));
    for _ in 0..3 {
        update(&mut state, key(KeyCode::Backspace));
    }
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        state.selected(Pane::Applications).map(|r| r.name.as_str()),
        Some("alpha")
    );
}

fn choices(state: &State) -> Vec<String> {
    state
        .command_choices()
        .map(<[String]>::to_vec)
        .unwrap_or_default()
}

#[test]
fn tab_on_an_empty_command_line_lists_every_command() {
    let mut state = scoped_state();
    update(&mut state, ch(':'));
    update(&mut state, key(KeyCode::Tab));
    let listed = choices(&state);
    for command in [
        "quit",
        "help",
        "refresh",
        "close",
        "sort name",
        "tenant",
        "links",
    ] {
        assert!(listed.iter().any(|c| c == command), "{command}: {listed:?}");
    }
    // Typing on hides the list; it was for the line as it stood.
    update(&mut state, ch('q'));
    assert!(state.command_choices().is_none());
}

#[test]
fn tab_after_tenant_lists_the_tenants_and_tenant_alone_opens_the_picker() {
    let mut state = State::new(vec![p44("na"), p44("eu"), p44("nz")], Keymap::defaults());
    start(&mut state);
    update(&mut state, ch(':'));
    typed(&mut state, "tenant ");
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(choices(&state), ["na", "eu", "nz"]);
    // Completes as far as the names agree, then lists what is left.
    typed(&mut state, "n");
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(choices(&state), ["na", "nz"]);
    update(&mut state, key(KeyCode::Esc));

    update(&mut state, ch(':'));
    typed(&mut state, "tenant");
    update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(state.modal(), Some(Modal::Picker(_))),
        "picker opens"
    );
}

#[test]
fn a_view_of_another_platform_names_the_platform_it_needs() {
    let kit = TenantInfo::new("kit", "kitsu-like", scoped_caps());
    let mut state = State::new(vec![p44("na"), kit], Keymap::defaults());
    start(&mut state);
    let run = |state: &mut State, line: &str| {
        update(state, ch(':'));
        typed(state, line);
        update(state, key(KeyCode::Enter));
        state.notice().map(|n| n.text.clone()).unwrap_or_default()
    };
    // Known from a configured tenant, and from the registry's vendors
    // (no Kitsu tenant is configured here).
    let said = run(&mut state, "links");
    assert!(
        said.contains("kitsu-like") && !said.contains("unknown"),
        "{said}"
    );
    let said = run(&mut state, "persons");
    assert!(
        said.contains("Kitsu") && !said.contains("unknown"),
        "{said}"
    );
    let said = run(&mut state, "bogus");
    assert!(said.contains("unknown command"), "{said}");
}

/// The kitsu-like state with the keys of project Harbor answered by `keys`.
#[allow(
    clippy::needless_pass_by_value,
    reason = "test helper called with temporaries"
)]
fn with_keys(keys: Vec<Resource>) -> State {
    let mut state = State::new(
        vec![TenantInfo::new("k", "kitsu-like", scoped_caps())],
        Keymap::defaults(),
    );
    let fx = start(&mut state);
    let more = answer(&mut state, &fx, |_| apps(&["Harbor"]));
    answer(&mut state, &more, |_| keys.clone());
    update(&mut state, key(KeyCode::Tab));
    state
}

fn access_key(id: &str, status: &str, replaces: Option<&str>) -> Resource {
    let mut r = Resource::new(Kind::AccessKey, id, "Shared");
    r.status = Some(status.into());
    // As the adapter normalises it: behaviour goes by the lifecycle.
    if status == "inactive" {
        r.state = Lifecycle::Inactive;
    }
    if let Some(old) = replaces {
        r = r.with_detail("replaces", old);
    }
    r
}

#[test]
fn rotating_a_key_whose_replacement_is_pending_offers_to_finish() {
    let keys = vec![
        access_key("id-new", "active", Some("id-old")),
        access_key("id-old", "active", None),
    ];
    // From either key of the pair, R offers to retire the old one.
    for down in [0, 1] {
        let mut state = with_keys(keys.clone());
        for _ in 0..down {
            update(&mut state, ch('j'));
        }
        update(&mut state, ch('R'));
        let Some(Modal::Confirm(confirm)) = state.modal() else {
            panic!("a confirmation: {:?}", state.modal());
        };
        assert!(
            confirm.title.starts_with("Finish the rotation"),
            "{}",
            confirm.title
        );
        assert!(
            matches!(&confirm.ops[..], [Operation::SetActive { target, active: false }]
                if target.id == "id-old"),
            "{:?}",
            confirm.ops
        );
    }
    // Once the old key is inactive, R is a fresh rotation again.
    let mut state = with_keys(vec![
        access_key("id-new", "active", Some("id-old")),
        access_key("id-old", "inactive", None),
    ]);
    update(&mut state, ch('R'));
    let Some(Modal::Confirm(confirm)) = state.modal() else {
        panic!("a confirmation");
    };
    assert!(matches!(&confirm.ops[..], [Operation::Rotate { .. }]));
}

#[test]
fn bang_opens_the_whole_error_with_credentials_masked() {
    let mut state = loaded_p44();
    update(&mut state, ch('!'));
    assert!(state.modal().is_none(), "nothing to show yet");
    let fx = update(&mut state, ch('r'));
    let Some(Effect::List {
        tenant,
        key: list,
        request,
    }) = fx.first().cloned()
    else {
        panic!("refresh lists");
    };
    let long = "the server echoed the request body {\"username\":\"ops\",\
                \"password\":\"hunter2\"} and refused it because the account is locked \
                until an administrator unlocks it (code ACCT_LOCKED)";
    update(
        &mut state,
        Message::Listed {
            tenant,
            key: list,
            request,
            at: SystemTime::now(),
            result: Err(PlatformError::Api {
                status: 400,
                message: long.into(),
            }),
        },
    );
    update(&mut state, ch('!'));
    let Some(Modal::Text(view)) = state.modal() else {
        panic!("the error view: {:?}", state.modal());
    };
    let text = view.lines.join("\n");
    assert!(text.contains("(code ACCT_LOCKED)"), "all of it: {text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("\"password\":\"***\""), "{text}");
    // Keys other than its own close keys stay in the view.
    update(&mut state, ch('j'));
    assert!(matches!(state.modal(), Some(Modal::Text(v)) if v.scroll == 1));
    update(&mut state, key(KeyCode::Esc));
    assert!(state.modal().is_none());
}

/// An EVRYTHNG tenant, not protected: a project, its application and keys.
fn evrythng_state() -> State {
    let caps = portico::platform::evrythng::capabilities();
    let tenant = TenantInfo::new("evt", "EVRYTHNG", caps);
    let mut state = State::new(vec![tenant], Keymap::defaults());
    let mut fx = start(&mut state);
    for _ in 0..3 {
        fx = answer(&mut state, &fx, |key| match key.source {
            Source::Pane(Pane::Projects) => vec![Resource::new(Kind::Project, "p1", "Pilot")],
            Source::Pane(Pane::Applications) => {
                vec![Resource::new(Kind::Application, "a1", "Scanner")]
            }
            _ => vec![Resource::new(Kind::TrustedKey, "secretKey", "Trusted key")],
        });
    }
    state
}

#[test]
fn deleting_an_evrythng_project_always_asks_for_its_name() {
    let mut state = evrythng_state();
    update(&mut state, ch('d'));
    let Some(Modal::Confirm(confirm)) = state.modal() else {
        panic!("confirm");
    };
    assert!(
        confirm.typed.is_some(),
        "typed on an unprotected tenant too"
    );
    assert!(
        confirm
            .lines
            .iter()
            .any(|l| l.contains("Application Users"))
    );
    assert!(performed(&update(&mut state, key(KeyCode::Enter))).is_empty());
    typed(&mut state, "Pilot");
    let fx = update(&mut state, key(KeyCode::Enter));
    assert!(matches!(
        &performed(&fx)[..],
        [(_, ops)] if matches!(&ops[..], [Operation::Delete { target }] if target.id == "p1")
    ));
}

#[test]
fn enter_on_a_trusted_key_reads_it_and_shows_it_unsaved() {
    let mut state = evrythng_state();
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus(), Pane::Certificates);
    let fx = update(&mut state, key(KeyCode::Enter));
    let [(request, ops)] = &performed(&fx)[..] else {
        panic!("one reveal: {fx:?}");
    };
    assert!(
        matches!(&ops[..], [Operation::Reveal { target }] if target.parent.as_deref() == Some("a1"))
    );
    let outcome = Outcome {
        summary: "read".into(),
        secret: Some(issued("trusted-value")),
        rereadable: true,
        ..Outcome::default()
    };
    update(
        &mut state,
        Message::Performed {
            tenant: 0,
            request: *request,
            result: Box::new(Ok(outcome)),
            saved: None,
        },
    );
    let Some(Modal::Secret(view)) = state.modal() else {
        panic!("secret view");
    };
    assert!(view.rereadable && !view.revealed && view.saved.is_none());
}

const fn mods(code: KeyCode, modifiers: KeyModifiers) -> Message {
    Message::Key(KeyEvent::new(code, modifiers))
}

fn form_error(state: &State) -> Option<String> {
    match state.modal() {
        Some(Modal::Form(form)) => form.error.clone(),
        other => panic!("expected a form, got {other:?}"),
    }
}

#[test]
fn keys_act_in_the_view_where_they_are_pressed() {
    let mut state = loaded_p44();
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.modal(), Some(Modal::Detail(0))));
    let fx = update(&mut state, ch('y'));
    assert!(
        matches!(&fx[..], [Effect::Copy { text, .. }] if text.expose() == "id-alpha"),
        "{fx:?}"
    );
    assert!(
        matches!(state.modal(), Some(Modal::Detail(_))),
        "copying keeps the view open"
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(state.modal().is_none());

    update(&mut state, ch('?'));
    for c in ['n', 'd', 'x', 'j'] {
        assert!(update(&mut state, ch(c)).is_empty());
    }
    assert!(
        matches!(state.modal(), Some(Modal::Help(1))),
        "other keys neither close help nor reach the list"
    );
    assert_eq!(
        state
            .cursor(Pane::Applications)
            .map(portico::app::Cursor::selected),
        Some(0)
    );
    update(&mut state, ch('q'));
    assert!(state.modal().is_none(), "q closes help");
    assert!(!state.should_quit(), "and does not also quit");
}

#[test]
fn ctrl_c_quits_from_any_screen_through_the_keymap() {
    let mut state = loaded_p44();
    update(&mut state, ch('n'));
    let fx = update(&mut state, mods(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(fx.contains(&Effect::Quit));
    assert!(state.should_quit());

    let keymap = Keymap::with_overrides("[global]\nquit = [\"ctrl-q\"]\n").expect("keymap");
    let mut state = State::new(vec![p44("na")], keymap);
    update(&mut state, ch('/'));
    assert!(update(&mut state, mods(KeyCode::Char('c'), KeyModifiers::CONTROL)).is_empty());
    assert!(!state.should_quit(), "ctrl-c is no longer bound");
    assert!(
        update(&mut state, mods(KeyCode::Char('q'), KeyModifiers::CONTROL)).contains(&Effect::Quit)
    );
}

#[test]
fn printable_keys_in_a_form_are_text_even_when_bound() {
    let keymap = Keymap::with_overrides("[form]\nsubmit = [\"x\", \"enter\"]\n").expect("keymap");
    let mut state = State::new(vec![p44("na")], keymap);
    let fx = start(&mut state);
    answer(&mut state, &fx, |_| apps(&["alpha"]));
    update(&mut state, ch('n'));
    assert!(typed(&mut state, "xq?").is_empty());
    let Some(Modal::Form(form)) = state.modal() else {
        panic!("form");
    };
    assert_eq!(form.fields[0].input.text(), "xq?");
}

#[test]
fn word_motions_in_a_field_move_instead_of_typing() {
    let mut state = loaded_p44();
    update(&mut state, ch('n'));
    typed(&mut state, "Rate Engine");
    update(&mut state, mods(KeyCode::Char('b'), KeyModifiers::ALT));
    typed(&mut state, "Fast ");
    update(&mut state, mods(KeyCode::Char('f'), KeyModifiers::ALT));
    typed(&mut state, "!");
    let Some(Modal::Form(form)) = state.modal() else {
        panic!("form");
    };
    assert_eq!(form.fields[0].input.text(), "Rate Fast Engine!");
    update(&mut state, mods(KeyCode::Char('w'), KeyModifiers::CONTROL));
    let Some(Modal::Form(form)) = state.modal() else {
        panic!("form");
    };
    assert_eq!(form.fields[0].input.text(), "Rate Fast ");
}

#[test]
fn a_required_message_clears_as_soon_as_the_name_is_typed() {
    let mut state = loaded_p44();
    update(&mut state, ch('n'));
    update(&mut state, key(KeyCode::Enter));
    assert!(form_error(&state).is_some_and(|e| e.contains("required")));
    typed(&mut state, "R");
    assert_eq!(form_error(&state), None);
    update(&mut state, key(KeyCode::Backspace));
    assert_eq!(form_error(&state), None, "only Enter checks again");
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "test helper called with temporaries"
)]
fn form_caps(fields: Vec<Field>) -> Capabilities {
    let caps = project44::capabilities();
    let kinds = caps
        .kinds()
        .iter()
        .cloned()
        .map(|mut spec| {
            if spec.kind == Kind::ClientApp {
                spec.create = Some(fields.clone());
            }
            spec
        })
        .collect();
    caps.with_kinds(kinds)
}

#[test]
fn over_long_names_and_backwards_dates_are_refused_before_sending() {
    let fields = vec![
        Field::text("name", "Name", true).max_len(10),
        Field::with("start_date", "Start date", portico::platform::Input::Date),
        Field::with("end_date", "End date", portico::platform::Input::Date)
            .not_before("start_date"),
    ];
    let tenant = TenantInfo::new("na", "project44", form_caps(fields));
    let mut state = State::new(vec![tenant], Keymap::defaults());
    let fx = start(&mut state);
    answer(&mut state, &fx, |_| apps(&["alpha"]));
    update(&mut state, ch('n'));
    typed(&mut state, "Eleven char");
    assert!(performed(&update(&mut state, key(KeyCode::Enter))).is_empty());
    assert!(
        form_error(&state).is_some_and(|e| e.contains("too long") && e.contains("10")),
        "{:?}",
        form_error(&state)
    );
    update(&mut state, key(KeyCode::Backspace));
    assert_eq!(form_error(&state), None, "fixed: the message goes");
    update(&mut state, key(KeyCode::Down));
    typed(&mut state, "2026-05-10");
    update(&mut state, key(KeyCode::Down));
    typed(&mut state, "2026-05-01");
    assert!(performed(&update(&mut state, key(KeyCode::Enter))).is_empty());
    assert!(
        form_error(&state).is_some_and(|e| e.contains("End date") && e.contains("before")),
        "{:?}",
        form_error(&state)
    );
    update(&mut state, key(KeyCode::Backspace));
    update(&mut state, key(KeyCode::Backspace));
    typed(&mut state, "20");
    assert_eq!(form_error(&state), None);
    assert_eq!(performed(&update(&mut state, key(KeyCode::Enter))).len(), 1);
}

#[test]
fn a_wrong_name_in_a_protected_confirmation_says_it_does_not_match() {
    let mut state = State::new(
        vec![p44("prod").with_flags(false, true)],
        Keymap::defaults(),
    );
    let fx = start(&mut state);
    answer(&mut state, &fx, |_| apps(&["alpha"]));
    update(&mut state, ch('d'));
    typed(&mut state, "alpah");
    assert!(performed(&update(&mut state, key(KeyCode::Enter))).is_empty());
    let Some(Modal::Confirm(confirm)) = state.modal() else {
        panic!("confirm stays open");
    };
    let err = confirm.error.clone().unwrap_or_default();
    assert!(
        err.contains("does not match") && err.contains("alpah"),
        "{err}"
    );
    update(&mut state, key(KeyCode::Backspace));
    let Some(Modal::Confirm(confirm)) = state.modal() else {
        panic!("confirm stays open");
    };
    assert_eq!(confirm.error, None, "editing clears it");
}

#[test]
fn choice_fields_cycle_with_their_own_keys_and_text_fields_edit() {
    let fields = vec![
        Field::text("name", "Name", true),
        Field::with(
            "tier",
            "Tier",
            portico::platform::Input::Choice(&["free", "paid"]),
        ),
    ];
    let tenant = TenantInfo::new("na", "project44", form_caps(fields));
    let mut state = State::new(vec![tenant], Keymap::defaults());
    let fx = start(&mut state);
    answer(&mut state, &fx, |_| apps(&["alpha"]));
    update(&mut state, ch('n'));
    typed(&mut state, "ab");
    update(&mut state, key(KeyCode::Left));
    typed(&mut state, "X");
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, key(KeyCode::Right));
    let Some(Modal::Form(form)) = state.modal() else {
        panic!("form");
    };
    assert_eq!(form.fields[0].input.text(), "aXb");
    assert_eq!(form.fields[1].input.text(), "free");
}

#[test]
fn a_bot_rotation_is_worded_as_kitsu_words_it() {
    let caps = portico::platform::kitsu::capabilities();
    let mut state = State::new(
        vec![TenantInfo::new("kit", "Kitsu", caps)],
        Keymap::defaults(),
    );
    let fx = start(&mut state);
    answer(&mut state, &fx, |key| match key.source {
        Source::Pane(Pane::Projects) => vec![Resource::new(Kind::Project, "p1", "Harbor")],
        _ => vec![Resource::new(Kind::Bot, "b1", "Render Farm")],
    });
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus(), Pane::Applications);
    update(&mut state, ch('R'));
    // Kitsu first asks which expiry the new token gets.
    let Some(Modal::Form(form)) = state.modal() else {
        panic!("the expiry choice");
    };
    assert_eq!(form.title, "Regenerate the bot's token (\"Render Farm\")");
    assert_eq!(form.fields[0].spec.key, "token_expiry");
}
