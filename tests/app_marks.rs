//! Marks and the bulk rotation in the pure `update`: marking, the typed
//! confirmation, results item by item, the export and erase requests,
//! and the `:audit` view; plus snapshots of the progress view.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::app::answer_at;

use portico::app::{
    AUDIT_VIEW, BulkOutcome, BulkTarget, Effect, ExportFormat, Message, Modal, State, TenantInfo,
    start, update,
};
use portico::keymap::Keymap;
use portico::model::{Kind, Pane, Resource};
use portico::platform::{Check, Source, project44};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

const fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

const fn ch(c: char) -> Message {
    key(KeyCode::Char(c))
}

fn press(state: &mut State, c: char) -> Vec<Effect> {
    update(state, ch(c))
}

fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(state, ch(c))).collect()
}

fn apps(tenant: &str, n: usize) -> Vec<Resource> {
    (1..=n)
        .map(|i| {
            let name = format!("{tenant} app {i:02}");
            let mut r = Resource::new(Kind::ClientApp, format!("{tenant}-id-{i:02}"), &name);
            r.cells = vec![format!("{tenant}-id-{i:02}")];
            r
        })
        .collect()
}

/// Two project44 tenants, the first read-only when asked.
fn state(read_only_second: bool) -> State {
    let tenants = vec![
        TenantInfo::new("p44-na", "project44", project44::capabilities()),
        TenantInfo::new("p44-eu", "project44", project44::capabilities())
            .with_flags(read_only_second, false),
    ];
    let mut state = State::new(tenants, Keymap::defaults());
    let fx = start(&mut state);
    answer_at(&mut state, &fx, at(), |_| apps("na", 5));
    state
}

fn switch_to_eu(state: &mut State) {
    let fx = press(state, '2');
    answer_at(state, &fx, at(), |_| apps("eu", 3));
}

fn bulk_effect(effects: &[Effect]) -> Option<(u64, Vec<BulkTarget>)> {
    effects.iter().find_map(|e| match e {
        Effect::BulkRotate { run, items } => Some((*run, items.clone())),
        _ => None,
    })
}

fn marked_names(state: &State) -> Vec<String> {
    let pane = Pane::Applications;
    let listing = state.listing(pane).expect("listing");
    listing
        .items()
        .iter()
        .filter(|r| state.is_marked(pane, r))
        .map(|r| r.name.clone())
        .collect()
}

#[test]
fn space_toggles_a_mark_and_star_marks_what_the_filter_shows() {
    let mut state = state(false);
    press(&mut state, ' ');
    assert_eq!(marked_names(&state), ["na app 01"]);
    press(&mut state, 'j');
    press(&mut state, ' ');
    assert_eq!(marked_names(&state), ["na app 01", "na app 02"]);
    press(&mut state, ' ');
    assert_eq!(marked_names(&state), ["na app 01"], "space again unmarks");
    assert_eq!(state.marked(), (1, 1));

    // `*` marks only the rows the filter leaves.
    press(&mut state, '/');
    typed(&mut state, "04");
    update(&mut state, key(KeyCode::Enter));
    press(&mut state, '*');
    assert_eq!(marked_names(&state), ["na app 01", "na app 04"]);

    // Esc clears the filter first, then every mark.
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(
        state.marked(),
        (2, 1),
        "the first Esc only clears the filter"
    );
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.marked(), (0, 0));

    press(&mut state, '*');
    assert_eq!(state.marked(), (5, 1));
    press(&mut state, 'u');
    assert_eq!(state.marked(), (0, 0), "u clears them too");
}

#[test]
fn a_read_only_tenant_refuses_marks() {
    let mut state = state(true);
    switch_to_eu(&mut state);
    press(&mut state, ' ');
    press(&mut state, '*');
    assert_eq!(state.marked(), (0, 0));
    let notice = state.notice().expect("said why");
    assert!(notice.text.contains("read-only"), "{}", notice.text);
}

#[test]
fn the_confirmation_needs_the_count_typed_and_lists_the_tenants() {
    let mut state = state(false);
    press(&mut state, '*');
    switch_to_eu(&mut state);
    press(&mut state, ' ');
    assert_eq!(state.marked(), (6, 2));
    press(&mut state, 'R');
    let Some(Modal::BulkConfirm(c)) = state.modal() else {
        panic!("expected the bulk confirmation, got {:?}", state.modal());
    };
    assert!(
        c.title.contains('6') && c.title.contains("2 tenant"),
        "{}",
        c.title
    );
    assert!(
        c.lines
            .iter()
            .any(|l| l.starts_with("p44-na") && l.contains("5 client application"))
    );
    assert!(
        c.lines
            .iter()
            .any(|l| l.starts_with("p44-eu") && l.contains("1 client application"))
    );

    // A bare Enter, a `y` and a wrong count all leave it open, sending nothing.
    assert!(bulk_effect(&update(&mut state, key(KeyCode::Enter))).is_none());
    assert!(matches!(state.modal(), Some(Modal::BulkConfirm(c)) if c.error.is_some()));
    typed(&mut state, "y");
    assert!(bulk_effect(&update(&mut state, key(KeyCode::Enter))).is_none());
    update(&mut state, key(KeyCode::Backspace));
    typed(&mut state, "5");
    assert!(bulk_effect(&update(&mut state, key(KeyCode::Enter))).is_none());
    assert!(matches!(state.modal(), Some(Modal::BulkConfirm(_))));

    update(&mut state, key(KeyCode::Backspace));
    typed(&mut state, "6");
    let fx = update(&mut state, key(KeyCode::Enter));
    let (_, items) = bulk_effect(&fx).expect("the run starts");
    let tenants: Vec<usize> = items.iter().map(|i| i.tenant).collect();
    assert_eq!(tenants, [0, 0, 0, 0, 0, 1]);
    assert_eq!(items[0].target.id, "na-id-01");
    assert_eq!(items[5].target.id, "eu-id-01");
    assert!(matches!(state.modal(), Some(Modal::Progress(0))));
    assert_eq!(state.marked(), (0, 0), "marks go once the run starts");
    assert!(state.in_flight() >= 6, "the run counts as in flight");
}

#[test]
fn cancel_keeps_the_marks_and_runs_nothing() {
    let mut state = state(false);
    press(&mut state, '*');
    press(&mut state, 'R');
    let fx = update(&mut state, key(KeyCode::Esc));
    assert!(bulk_effect(&fx).is_none());
    assert!(state.modal().is_none());
    assert_eq!(state.marked(), (5, 1));
}

fn started(n: usize) -> (State, u64) {
    let mut state = state(false);
    press(&mut state, '*');
    press(&mut state, 'R');
    typed(&mut state, &n.to_string());
    let fx = update(&mut state, key(KeyCode::Enter));
    let (run, items) = bulk_effect(&fx).expect("run");
    assert_eq!(items.len(), n);
    (state, run)
}

fn ok(file: &str) -> BulkOutcome {
    BulkOutcome {
        issued: Some("client secret".into()),
        saved: Some(Ok(PathBuf::from(format!("/store/issued/{file}")))),
        checks: vec![
            Check {
                label: "new secret accepted by the token endpoint".into(),
                passed: true,
            },
            Check {
                label: "previous secret rejected by the token endpoint".into(),
                passed: true,
            },
        ],
        ..BulkOutcome::default()
    }
}

fn failed() -> BulkOutcome {
    BulkOutcome {
        error: Some("HTTP 503: simulated failure".into()),
        ..BulkOutcome::default()
    }
}

#[test]
fn results_land_item_by_item_and_the_last_one_sums_up() {
    let (mut state, run) = started(5);
    // Results arrive in any order; a stale run's result is ignored.
    update(
        &mut state,
        Message::BulkItem {
            run: run + 99,
            index: 0,
            outcome: ok("x.json"),
        },
    );
    assert_eq!(state.bulk().expect("run").finished(), 0);
    update(
        &mut state,
        Message::BulkItem {
            run,
            index: 3,
            outcome: failed(),
        },
    );
    update(
        &mut state,
        Message::BulkItem {
            run,
            index: 0,
            outcome: ok("a.json"),
        },
    );
    let bulk = state.bulk().expect("run");
    assert_eq!(bulk.finished(), 2);
    assert!(!bulk.is_done());
    assert!(
        bulk.items()[3]
            .outcome
            .as_ref()
            .is_some_and(|o| !o.rotated())
    );

    // Erasing the copies waits for the end of the run.
    let fx = update(&mut state, key(KeyCode::Enter));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Forget { .. })));

    for index in [1, 2, 4] {
        update(
            &mut state,
            Message::BulkItem {
                run,
                index,
                outcome: ok(&format!("{index}.json")),
            },
        );
    }
    let bulk = state.bulk().expect("run");
    assert!(bulk.is_done());
    assert_eq!(bulk.counts(), (4, 1));
    let notice = state.notice().expect("summary");
    assert!(
        notice.text.contains("4 of 5 rotated, 1 failed"),
        "{}",
        notice.text
    );

    // Exports are asked of the runtime, which holds the secrets.
    let fx = press(&mut state, 'x');
    assert!(fx.contains(&Effect::Export {
        run,
        format: ExportFormat::Json
    }));
    let fx = press(&mut state, 'X');
    assert!(fx.contains(&Effect::Export {
        run,
        format: ExportFormat::Env
    }));

    // Stored: every copy the run filed is erased, once.
    let fx = update(&mut state, key(KeyCode::Enter));
    let forgotten: Vec<&PathBuf> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Forget { path } => Some(path),
            _ => None,
        })
        .collect();
    assert_eq!(forgotten.len(), 4);
    assert!(forgotten.iter().any(|p| p.ends_with("a.json")));
    let again = update(&mut state, key(KeyCode::Enter));
    assert!(!again.iter().any(|e| matches!(e, Effect::Forget { .. })));
}

#[test]
fn a_second_run_waits_for_the_first() {
    let (mut state, _) = started(5);
    update(&mut state, key(KeyCode::Esc));
    assert!(
        state.modal().is_none(),
        "Esc closes the view, the run goes on"
    );
    press(&mut state, ' ');
    press(&mut state, 'R');
    assert!(!matches!(state.modal(), Some(Modal::BulkConfirm(_))));
    assert!(
        state
            .notice()
            .is_some_and(|n| n.text.contains("still running"))
    );
    press(&mut state, ':');
    typed(&mut state, "bulk");
    update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(state.modal(), Some(Modal::Progress(_))),
        ":bulk reopens it"
    );
}

#[test]
fn audit_opens_as_a_view_and_filters() {
    let mut state = state(false);
    press(&mut state, ':');
    typed(&mut state, "audit");
    let fx = update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.focus(), Pane::View);
    assert_eq!(state.title(Pane::View), "Audit log");
    let asked = fx
        .iter()
        .find_map(|e| match e {
            Effect::List { key: k, .. } => Some(k.clone()),
            _ => None,
        })
        .expect("the log is read");
    assert_eq!(asked.source, Source::View(AUDIT_VIEW));
    let log = concat!(
        r#"{"time":"2026-12-01T10:00:00Z","tenant":"p44-na","platform":"project44","action":"rotate","kind":"client application","resource_id":"a1","resource_name":"Robot","outcome":"ok"}"#,
        "\n",
        r#"{"time":"2026-12-01T11:00:00Z","tenant":"p44-eu","platform":"project44","action":"delete","kind":"client application","resource_id":"a2","resource_name":"Dock","outcome":"failed"}"#,
        "\n",
    );
    answer_at(&mut state, &fx, at(), |_| portico::app::audit_rows(log));
    let listing = state.listing(Pane::View).expect("listed");
    let shown: Vec<&str> = state
        .cursor(Pane::View)
        .expect("cursor")
        .visible()
        .iter()
        .map(|i| listing.items()[*i].name.as_str())
        .collect();
    assert_eq!(shown, ["Dock", "Robot"], "newest first");
    press(&mut state, '/');
    typed(&mut state, "robot");
    let cursor = state.cursor(Pane::View).expect("cursor");
    assert_eq!(cursor.visible().len(), 1);
    // Nothing on an audit row can be changed.
    update(&mut state, key(KeyCode::Enter));
    for c in ['d', 'R', 'e', 'a', ' '] {
        let fx = press(&mut state, c);
        assert!(
            !fx.iter()
                .any(|e| matches!(e, Effect::Perform { .. } | Effect::BulkRotate { .. })),
            "{c} changed something"
        );
        update(&mut state, key(KeyCode::Esc));
    }
}

fn draw(state: &State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| portico::ui::render(f, state, at() + Duration::from_secs(42)))
        .expect("draw");
    terminal.backend().to_string()
}

#[test]
fn marks_show_in_the_pane_and_the_status_line() {
    let mut state = state(false);
    press(&mut state, ' ');
    press(&mut state, 'j');
    press(&mut state, 'j');
    press(&mut state, ' ');
    insta::assert_snapshot!(draw(&state, 100, 20));
}

#[test]
fn confirmation_screen() {
    let mut state = state(false);
    press(&mut state, '*');
    press(&mut state, 'R');
    typed(&mut state, "4");
    update(&mut state, key(KeyCode::Enter));
    insta::assert_snapshot!(draw(&state, 100, 24));
}

#[test]
fn progress_view_mid_run() {
    let (mut state, run) = started(5);
    update(
        &mut state,
        Message::BulkItem {
            run,
            index: 0,
            outcome: ok("na-1.json"),
        },
    );
    update(
        &mut state,
        Message::BulkItem {
            run,
            index: 1,
            outcome: failed(),
        },
    );
    let mut two_phase = ok("na-3.json");
    two_phase.old_live = Some("both keys stay active".into());
    update(
        &mut state,
        Message::BulkItem {
            run,
            index: 2,
            outcome: two_phase,
        },
    );
    insta::assert_snapshot!(draw(&state, 140, 24));
}

/// Keys that rotate in two phases, one of them half way through.
fn two_phase_state() -> State {
    use portico::platform::{Capabilities, KindSpec, PaneSpec, Rotation};
    let mut key = KindSpec::new(Kind::AccessKey);
    key.rotate = Rotation::TwoPhase {
        warning: "two keys for a while",
    };
    let caps = Capabilities::new([
        PaneSpec::unsupported("Projects", "none"),
        PaneSpec::list("Keys", vec![]),
        PaneSpec::unsupported("Certificates", "none"),
    ])
    .with_kinds(vec![key]);
    let mut state = State::new(
        vec![TenantInfo::new("org", "losant", caps)],
        Keymap::defaults(),
    );
    let fx = start(&mut state);
    answer_at(&mut state, &fx, at(), |_| {
        vec![
            Resource::new(Kind::AccessKey, "old", "deploy"),
            Resource::new(Kind::AccessKey, "new", "deploy").with_detail("replaces", "old"),
            Resource::new(Kind::AccessKey, "solo", "ci"),
        ]
    });
    state
}

#[test]
fn a_rotation_half_way_through_is_not_marked_again() {
    let mut state = two_phase_state();
    press(&mut state, '*');
    assert_eq!(
        marked_names(&state),
        ["ci"],
        "the pair half way is left out"
    );
    let notice = state.notice().expect("says why");
    assert!(notice.text.contains("finish it with R"), "{}", notice.text);
    press(&mut state, 'R');
    let Some(Modal::BulkConfirm(c)) = state.modal() else {
        panic!("expected the bulk confirmation");
    };
    assert!(
        c.lines.iter().any(|l| l.contains("stays live")),
        "{:?}",
        c.lines
    );
}
