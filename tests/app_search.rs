//! `/` on a list the server paged: submitted, it asks the server; on a
//! single page, or a platform that cannot search, it stays local.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::time::SystemTime;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::app::answer_paged;

use portico::app::{Effect, ListKey, Message, State, TenantInfo, start, update};
use portico::keymap::Keymap;
use portico::model::{Kind, Pane, Resource};
use portico::platform::{Capabilities, Paged, PaneSpec};

const fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| update(state, key(KeyCode::Char(c))))
        .collect()
}

fn rows(names: &[&str]) -> Vec<Resource> {
    names
        .iter()
        .map(|n| Resource::new(Kind::ClientApp, format!("id-{n}"), *n))
        .collect()
}

const fn caps(searching: bool) -> Capabilities {
    let apps = PaneSpec::list("Apps", vec![]);
    Capabilities::new([
        PaneSpec::unsupported("Projects", "none"),
        if searching { apps.searching() } else { apps },
        PaneSpec::unsupported("Keys", "none"),
    ])
}

const ALL: &[&str] = &["alpha", "bravo", "charlie", "delta"];

/// A tenant whose whole list came back in `pages` pages.
fn loaded(searching: bool, pages: usize) -> State {
    let tenant = TenantInfo::new("t", "any", caps(searching));
    let mut state = State::new(vec![tenant], Keymap::defaults());
    let fx = start(&mut state);
    answer_paged(&mut state, &fx, SystemTime::now(), |_| {
        Paged::new(rows(ALL), pages)
    });
    state
}

fn names(state: &State) -> Vec<String> {
    let (Some(listing), Some(cursor)) = (
        state.listing(Pane::Applications),
        state.cursor(Pane::Applications),
    ) else {
        return Vec::new();
    };
    cursor
        .visible()
        .iter()
        .map(|i| listing.items()[*i].name.clone())
        .collect()
}

fn searches(effects: &[Effect]) -> Vec<ListKey> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Search { key, .. } => Some(key.clone()),
            _ => None,
        })
        .collect()
}

/// Opens `/`, types `text` and submits it.
fn submit(state: &mut State, text: &str) -> Vec<Effect> {
    let mut fx = update(state, key(KeyCode::Char('/')));
    fx.extend(typed(state, text));
    fx.extend(update(state, key(KeyCode::Enter)));
    fx
}

#[test]
fn a_single_page_filters_locally_and_asks_nothing() {
    let mut state = loaded(true, 1);
    let fx = submit(&mut state, "brv");
    assert!(fx.is_empty(), "no effect for a local filter: {fx:?}");
    assert_eq!(names(&state), vec!["bravo"]);
    assert_eq!(
        state.cursor(Pane::Applications).and_then(|c| c.search()),
        None
    );
}

#[test]
fn a_platform_that_cannot_search_filters_locally_even_when_paged() {
    let mut state = loaded(false, 3);
    let fx = submit(&mut state, "brv");
    assert!(searches(&fx).is_empty());
    assert_eq!(names(&state), vec!["bravo"]);
}

#[test]
fn a_paged_list_asks_the_server_shows_its_answer_and_esc_restores() {
    let mut state = loaded(true, 3);
    let mut fx = update(&mut state, key(KeyCode::Char('/')));
    fx.extend(typed(&mut state, "char"));
    assert!(fx.is_empty(), "typing stays local: {fx:?}");
    assert_eq!(names(&state), vec!["charlie"], "fuzzy while typing");

    let fx = update(&mut state, key(KeyCode::Enter));
    let asked = searches(&fx);
    assert_eq!(asked.len(), 1, "one search on Enter: {fx:?}");
    assert_eq!(asked[0].query.as_deref(), Some("char"));
    assert_eq!(
        asked[0].source,
        portico::platform::Source::Pane(Pane::Applications)
    );

    // The server matched a row the fuzzy filter never would (a tag, say).
    answer_paged(&mut state, &fx, SystemTime::now(), |key| {
        assert_eq!(key.query.as_deref(), Some("char"));
        Paged::new(rows(&["charlie", "zulu-tagged-char"]), 1)
    });
    assert_eq!(names(&state), vec!["charlie", "zulu-tagged-char"]);
    let cursor = state.cursor(Pane::Applications).expect("cursor");
    assert_eq!(cursor.search(), Some("char"));
    assert_eq!(
        cursor.filter(),
        "",
        "the server's rows are not filtered again"
    );

    let fx = update(&mut state, key(KeyCode::Esc));
    assert!(fx.is_empty(), "the whole list is cached: {fx:?}");
    assert_eq!(names(&state), ALL.to_vec());
    assert_eq!(
        state.cursor(Pane::Applications).and_then(|c| c.search()),
        None
    );
}

#[test]
fn a_stale_search_answer_is_dropped_when_a_newer_one_was_asked() {
    let mut state = loaded(true, 2);
    let first = submit(&mut state, "al");
    // The prompt opens on the shown search, to refine it: replace it.
    let mut second = update(&mut state, key(KeyCode::Char('/')));
    assert_eq!(state.modal().map(|_| ()), Some(()), "the prompt is open");
    second.extend(update(&mut state, key(KeyCode::Backspace)));
    second.extend(update(&mut state, key(KeyCode::Backspace)));
    second.extend(typed(&mut state, "de"));
    second.extend(update(&mut state, key(KeyCode::Enter)));
    assert_eq!(searches(&second)[0].query.as_deref(), Some("de"));
    answer_paged(&mut state, &second, SystemTime::now(), |_| {
        Paged::new(rows(&["delta"]), 1)
    });
    answer_paged(&mut state, &first, SystemTime::now(), |_| {
        Paged::new(rows(&["alpha"]), 1)
    });
    assert_eq!(names(&state), vec!["delta"]);
}

/// A create form whose member field completes from the first pane's rows.
#[test]
fn a_row_field_completes_from_the_panes_cached_ids() {
    use portico::app::Modal;
    use portico::platform::{Field, Input, KindSpec};
    let mut app = KindSpec::new(Kind::ClientApp);
    app.create = Some(vec![
        Field::with("username", "Member", Input::Row(Pane::Projects)),
        Field::text("name", "Name", true),
    ]);
    let caps = Capabilities::new([
        PaneSpec::list("Members", vec![]),
        PaneSpec::list("Apps", vec![]).creating(vec![Kind::ClientApp]),
        PaneSpec::unsupported("Keys", "none"),
    ])
    .with_kinds(vec![app]);
    let mut state = State::new(vec![TenantInfo::new("t", "any", caps)], Keymap::defaults());
    let fx = start(&mut state);
    answer_paged(&mut state, &fx, SystemTime::now(), |key| match key.source {
        portico::platform::Source::Pane(Pane::Projects) => {
            let mut everyone: Vec<Resource> = ["acme-dev", "acme-ops", "bolt"]
                .iter()
                .map(|n| Resource::new(Kind::Person, *n, *n))
                .collect();
            everyone.insert(0, Resource::new(Kind::Person, "", "all members"));
            Paged::new(everyone, 1)
        }
        _ => Paged::new(rows(ALL), 1),
    });
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, key(KeyCode::Char('n')));
    assert!(
        matches!(state.modal(), Some(Modal::Form(_))),
        "{:?}",
        state.modal()
    );
    typed(&mut state, "a");
    update(&mut state, key(KeyCode::Tab));
    let Some(Modal::Form(form)) = state.modal() else {
        panic!("form closed");
    };
    assert_eq!(form.fields[0].input.text(), "acme-", "common prefix");
    assert_eq!(form.fields[0].completions, ["acme-dev", "acme-ops"]);
}

/// Projects over several pages, applications scoped by the selected
/// project, as the EVRYTHNG tenant lays them out.
fn projects_and_apps() -> State {
    let caps = portico::platform::evrythng::capabilities();
    let mut state = State::new(vec![TenantInfo::new("t", "any", caps)], Keymap::defaults());
    let fx = start(&mut state);
    let projects: Vec<Resource> = (0..35)
        .map(|i| Resource::new(Kind::Project, format!("p{i:02}"), format!("project {i:02}")))
        .collect();
    let more = answer_paged(&mut state, &fx, SystemTime::now(), |key| match key.source {
        portico::platform::Source::Pane(Pane::Projects) => Paged::new(projects.clone(), 2),
        _ => Paged::new(Vec::new(), 1),
    });
    // The first project's applications (none) and keys, as they come.
    let more = answer_paged(&mut state, &more, SystemTime::now(), |_| {
        Paged::new(Vec::new(), 1)
    });
    answer_paged(&mut state, &more, SystemTime::now(), |_| {
        Paged::new(Vec::new(), 1)
    });
    state
}

fn selected_id(state: &State, pane: Pane) -> Option<String> {
    state.selected(pane).map(|r| r.id.clone())
}

/// `n` in Applications, answered by a create form for `parent`.
fn creates_under(state: &mut State, parent: &str) {
    use portico::app::Modal;
    update(state, key(KeyCode::Tab));
    assert_eq!(state.focus(), Pane::Applications);
    update(state, key(KeyCode::Char('n')));
    let Some(Modal::Form(form)) = state.modal() else {
        panic!("no form: {:?} / {:?}", state.modal(), state.notice());
    };
    assert_eq!(
        form.intent,
        portico::app::Intent::Create {
            kind: Kind::Application,
            parent: Some(parent.into())
        }
    );
    update(state, key(KeyCode::Esc));
    update(state, key(KeyCode::BackTab));
    assert_eq!(state.focus(), Pane::Projects);
}

#[test]
fn the_row_a_server_search_found_is_the_parent_a_child_pane_creates_under() {
    let mut state = projects_and_apps();
    assert_eq!(state.focus(), Pane::Projects);
    assert!(
        state.searches_server(Pane::Projects),
        "the list spans pages"
    );
    let mut fx = update(&mut state, key(KeyCode::Char('/')));
    fx.extend(typed(&mut state, "project 27"));
    assert_eq!(
        selected_id(&state, Pane::Projects).as_deref(),
        Some("p27"),
        "typing filters locally"
    );
    fx.extend(update(&mut state, key(KeyCode::Enter)));
    assert_eq!(searches(&fx).len(), 1, "{fx:?}");

    // While the server looks, the row the filter showed stays selected,
    // and the applications pane keeps listing its applications.
    assert_eq!(selected_id(&state, Pane::Projects).as_deref(), Some("p27"));
    assert_eq!(
        state
            .list_key(Pane::Applications)
            .and_then(|k| k.parent)
            .as_deref(),
        Some("p27")
    );
    creates_under(&mut state, "p27");

    // The server also matched a project the fuzzy filter did not show,
    // and sorts it first: the selection stays on the same project.
    let found = Resource::new(Kind::Project, "p27", "project 27");
    let tagged = Resource::new(Kind::Project, "p03", "a project tagged 27");
    let more = answer_paged(&mut state, &fx, SystemTime::now(), |key| match key.source {
        portico::platform::Source::Pane(Pane::Projects) => {
            assert_eq!(key.query.as_deref(), Some("project 27"));
            Paged::new(vec![tagged.clone(), found.clone()], 1)
        }
        _ => Paged::new(Vec::new(), 1),
    });
    answer_paged(&mut state, &more, SystemTime::now(), |_| {
        Paged::new(Vec::new(), 1)
    });
    assert_eq!(
        names_of(&state, Pane::Projects),
        ["a project tagged 27", "project 27"]
    );
    assert_eq!(selected_id(&state, Pane::Projects).as_deref(), Some("p27"));
    creates_under(&mut state, "p27");

    // Esc goes back to the whole list, still on that project.
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(names_of(&state, Pane::Projects).len(), 35);
    assert_eq!(selected_id(&state, Pane::Projects).as_deref(), Some("p27"));
}

fn names_of(state: &State, pane: Pane) -> Vec<String> {
    let (Some(listing), Some(cursor)) = (state.listing(pane), state.cursor(pane)) else {
        return Vec::new();
    };
    cursor
        .visible()
        .iter()
        .map(|i| listing.items()[*i].name.clone())
        .collect()
}

/// A create form with a field whose choices the adapter reads.
fn offering_state() -> State {
    use portico::platform::{Field, Input, KindSpec};
    let mut spec = KindSpec::new(Kind::PackageKey);
    spec.create = Some(vec![Field::with("plan", "Package / plan", Input::Offered)]);
    let caps = Capabilities::new([
        PaneSpec::list("Apps", vec![]),
        PaneSpec::unsupported("None", "none"),
        PaneSpec::list("Keys", vec![])
            .scoped_by(Pane::Projects)
            .creating(vec![Kind::PackageKey]),
    ])
    .with_kinds(vec![spec]);
    let mut state = State::new(vec![TenantInfo::new("t", "any", caps)], Keymap::defaults());
    let fx = start(&mut state);
    let more = answer_paged(&mut state, &fx, SystemTime::now(), |key| match key.source {
        portico::platform::Source::Pane(Pane::Projects) => Paged::new(rows(&["app"]), 1),
        _ => Paged::new(Vec::new(), 1),
    });
    answer_paged(&mut state, &more, SystemTime::now(), |_| {
        Paged::new(Vec::new(), 1)
    });
    state
}

fn offer_field(state: &State) -> portico::app::FormField {
    match state.modal() {
        Some(portico::app::Modal::Form(form)) => form.fields[0].clone(),
        other => panic!("no form: {other:?}"),
    }
}

#[test]
fn an_offered_field_asks_the_adapter_once_and_cycles_through_its_answer() {
    use portico::app::Offer;
    use portico::platform::Operation;
    let mut state = offering_state();
    update(&mut state, key(KeyCode::BackTab));
    assert_eq!(state.focus(), Pane::Certificates);
    let fx = update(&mut state, key(KeyCode::Char('n')));
    let asked: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Offer {
                kind,
                field,
                parent,
                ..
            } => Some((*kind, *field, parent.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        asked,
        [(Kind::PackageKey, "plan", Some("id-app".to_string()))]
    );
    assert_eq!(offer_field(&state).offer, Offer::Reading);
    // Typing while it reads asks nothing more.
    let fx = update(&mut state, key(KeyCode::Char('x')));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Offer { .. })),
        "{fx:?}"
    );
    update(&mut state, key(KeyCode::Backspace));

    let options = vec!["Rates / Trial".to_string(), "Tracking / Gold".to_string()];
    update(
        &mut state,
        Message::Offered {
            tenant: 0,
            field: "plan",
            result: Ok(options.clone()),
        },
    );
    let field = offer_field(&state);
    assert_eq!(field.offer, Offer::Ready(options));
    assert_eq!(field.input.text(), "Rates / Trial", "the first is taken");
    update(&mut state, key(KeyCode::Right));
    assert_eq!(offer_field(&state).input.text(), "Tracking / Gold");
    update(&mut state, key(KeyCode::Right));
    assert_eq!(offer_field(&state).input.text(), "Rates / Trial", "wraps");
    update(&mut state, key(KeyCode::Left));

    // Text that is not one of them is refused before anything is sent.
    update(&mut state, key(KeyCode::Char('!')));
    let fx = update(&mut state, key(KeyCode::Enter));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Perform { .. })),
        "{fx:?}"
    );
    let Some(portico::app::Modal::Form(form)) = state.modal() else {
        panic!("the form stays open");
    };
    assert!(
        form.error
            .as_deref()
            .is_some_and(|e| e.contains("one of the 2 offered")),
        "{:?}",
        form.error
    );
    update(&mut state, key(KeyCode::Backspace));
    let fx = update(&mut state, key(KeyCode::Enter));
    let sent: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Perform { ops, .. } => Some(ops.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        sent,
        [vec![Operation::Create {
            kind: Kind::PackageKey,
            parent: Some("id-app".into()),
            values: vec![("plan".into(), "Tracking / Gold".into())],
        }]]
    );
}

#[test]
fn unreadable_choices_leave_the_field_to_be_typed() {
    use portico::app::Offer;
    let mut state = offering_state();
    update(&mut state, key(KeyCode::BackTab));
    update(&mut state, key(KeyCode::Char('n')));
    update(
        &mut state,
        Message::Offered {
            tenant: 0,
            field: "plan",
            result: Err("network down".into()),
        },
    );
    assert_eq!(
        offer_field(&state).offer,
        Offer::Failed("network down".into())
    );
    typed(&mut state, "Any / Plan");
    let fx = update(&mut state, key(KeyCode::Enter));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Perform { .. })),
        "{fx:?}"
    );
}

/// A view whose platform filters on fields the rows do not show (Kitsu's
/// persons by role, say) asks the server even when it fits on one page.
#[test]
fn a_view_that_searches_asks_the_server_even_on_one_page() {
    use portico::platform::{Source, ViewSpec};
    let view = |asks: bool| {
        let mut state = State::new(
            vec![TenantInfo::new(
                "t",
                "any",
                caps(false).with_views(vec![ViewSpec {
                    name: "people",
                    title: "People",
                    columns: vec![],
                    scope: None,
                    searches: asks,
                }]),
            )],
            Keymap::defaults(),
        );
        let fx = start(&mut state);
        answer_paged(&mut state, &fx, SystemTime::now(), |_| {
            Paged::new(rows(ALL), 1)
        });
        let mut fx = update(&mut state, key(KeyCode::Char(':')));
        fx.extend(typed(&mut state, "people"));
        fx.extend(update(&mut state, key(KeyCode::Enter)));
        answer_paged(&mut state, &fx, SystemTime::now(), |_| {
            Paged::new(rows(ALL), 1)
        });
        let fx = submit(&mut state, "role:admin");
        (state, searches(&fx))
    };
    let (_, asked) = view(true);
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].source, Source::View("people"));
    assert_eq!(asked[0].query.as_deref(), Some("role:admin"));
    let (_, asked) = view(false);
    assert!(
        asked.is_empty(),
        "a view that does not search filters locally"
    );
}
