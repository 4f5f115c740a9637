//! `:find` and `:expiring`: answers stream in per tenant, a tenant that
//! fails or stalls says so and holds nobody up, `Enter` goes to the row in
//! its own tenant and pane, `R` asks to rotate it there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::app::answer_at;
use time::OffsetDateTime;

use portico::app::{Effect, Message, Modal, Reach, State, TenantInfo, start, update};
use portico::keymap::Keymap;
use portico::model::{Kind, Pane, Resource};
use portico::platform::crawl::{Answer, Found};
use portico::platform::{
    Capabilities, KindSpec, PaneSpec, PlatformError, Rotation, Source, registry,
};

fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

const fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn command(state: &mut State, line: &str) -> Vec<Effect> {
    let mut fx = update(state, key(KeyCode::Char(':')));
    for c in line.chars() {
        fx.extend(update(state, key(KeyCode::Char(c))));
    }
    fx.extend(update(state, key(KeyCode::Enter)));
    fx
}

fn caps() -> Capabilities {
    let mut cert = KindSpec::new(Kind::Certificate);
    cert.rotate = Rotation::Immediate {
        warning: "the old one stops working at once",
    };
    Capabilities::new([
        PaneSpec::list("Members", vec![]),
        PaneSpec::list("Apps", vec![]).scoped_by(Pane::Projects),
        PaneSpec::list("Certs", vec![]).scoped_by(Pane::Applications),
    ])
    .with_kinds(vec![cert])
}

fn two_tenants() -> State {
    let tenants = vec![
        TenantInfo::new("alpha", "PlatA", caps()),
        TenantInfo::new("beta", "PlatB", caps()),
    ];
    let mut state = State::new(tenants, Keymap::defaults());
    let fx = start(&mut state);
    answer_at(&mut state, &fx, at(), |_| Vec::new());
    state
}

fn days(n: i64) -> OffsetDateTime {
    OffsetDateTime::from(at()) + time::Duration::days(n)
}

fn found(pane: Pane, kind: Kind, id: &str, name: &str, parent: Option<&str>) -> Found {
    Found {
        resource: Resource::new(kind, id, name),
        pane,
        source: Source::Pane(pane),
        parent: parent.map(str::to_string),
    }
}

fn cert(id: &str, name: &str, app: &str, expires: OffsetDateTime) -> Found {
    let mut f = found(Pane::Certificates, Kind::Certificate, id, name, Some(app));
    f.resource.expires = Some(expires);
    f
}

/// What beta lists: a member, an app under it, two certificates under that.
fn beta() -> Vec<Found> {
    vec![
        found(Pane::Projects, Kind::Project, "m1", "ops", None),
        found(
            Pane::Applications,
            Kind::Application,
            "a1",
            "web-shop",
            Some("m1"),
        ),
        cert("c1", "web-cert", "a1", days(10)),
        cert("c2", "api-cert", "a1", days(400)),
    ]
}

fn alpha() -> Vec<Found> {
    vec![
        found(Pane::Projects, Kind::Project, "m9", "web-team", None),
        found(
            Pane::Applications,
            Kind::Application,
            "a9",
            "billing",
            Some("m9"),
        ),
        cert("c9", "billing-cert", "a9", days(-3)),
    ]
}

fn crawled(state: &mut State, request: u64, tenant: usize, answer: Answer) -> Vec<Effect> {
    update(
        state,
        Message::Crawled {
            tenant,
            request,
            at: at(),
            answer,
        },
    )
}

fn crawl_request(fx: &[Effect]) -> (u64, Vec<usize>) {
    let mut tenants = Vec::new();
    let mut request = 0;
    for effect in fx {
        if let Effect::Crawl {
            tenant, request: r, ..
        } = effect
        {
            tenants.push(*tenant);
            request = *r;
        }
    }
    (request, tenants)
}

fn draw(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(140, 30)).expect("terminal");
    terminal
        .draw(|f| portico::ui::render(f, state, at()))
        .expect("draw");
    terminal.backend().to_string()
}

/// Answers every list the jump asks for from `lists`, until none is asked.
fn answer_lists(state: &mut State, mut fx: Vec<Effect>, lists: &[Found]) {
    for _ in 0..10 {
        if fx.is_empty() {
            return;
        }
        fx = answer_at(state, &fx, at(), |key| {
            lists
                .iter()
                .filter(|f| Source::Pane(f.pane) == key.source && f.parent == key.parent)
                .map(|f| f.resource.clone())
                .collect()
        });
    }
}

fn hit_names(state: &State) -> Vec<String> {
    state
        .radar()
        .map(|r| {
            r.hits()
                .iter()
                .map(|h| h.found().resource.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn find_streams_per_tenant_and_reports_a_down_one() {
    let mut state = two_tenants();
    let fx = command(&mut state, "find web");
    let (request, tenants) = crawl_request(&fx);
    assert_eq!(tenants, vec![0, 1], "every tenant is asked at once");
    assert_eq!(state.focus(), Pane::View);

    crawled(&mut state, request, 1, Answer::Listed(beta()));
    assert_eq!(hit_names(&state), vec!["web-shop", "web-cert"]);
    let radar = state.radar().expect("radar");
    assert_eq!(radar.reach()[0], Reach::Searching, "alpha is still out");
    assert_eq!(radar.reach()[1], Reach::Answered(2));
    insta::assert_snapshot!("find_while_one_tenant_searches", draw(&state));

    crawled(
        &mut state,
        request,
        0,
        Answer::Down(PlatformError::Network("connection refused".into())),
    );
    let radar = state.radar().expect("radar");
    assert!(matches!(&radar.reach()[0], Reach::Down(e) if e.contains("connection refused")));
    assert_eq!(hit_names(&state), vec!["web-shop", "web-cert"]);
    insta::assert_snapshot!("find_with_a_tenant_down", draw(&state));

    // An answer to an earlier search is dropped.
    crawled(&mut state, request + 100, 0, Answer::Listed(alpha()));
    assert_eq!(hit_names(&state).len(), 2);
}

#[test]
fn enter_goes_to_the_row_in_its_tenant_selecting_its_parents_first() {
    let mut state = two_tenants();
    let fx = command(&mut state, "find web-cert");
    let (request, _) = crawl_request(&fx);
    crawled(&mut state, request, 0, Answer::Listed(alpha()));
    crawled(&mut state, request, 1, Answer::Listed(beta()));
    assert_eq!(hit_names(&state), vec!["web-cert"]);
    assert_eq!(state.active(), 0);

    let fx = update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.active(), 1, "switched to the row's tenant");
    answer_lists(&mut state, fx, &beta());
    assert_eq!(state.focus(), Pane::Certificates);
    assert_eq!(
        state.selected(Pane::Projects).map(|r| r.id.as_str()),
        Some("m1")
    );
    assert_eq!(
        state.selected(Pane::Applications).map(|r| r.id.as_str()),
        Some("a1")
    );
    assert_eq!(
        state.selected(Pane::Certificates).map(|r| r.id.as_str()),
        Some("c1")
    );
}

#[test]
fn expiring_lists_soonest_first_within_the_window_and_r_asks_to_rotate() {
    let mut state = two_tenants();
    let fx = command(&mut state, "expiring 30d");
    let (request, _) = crawl_request(&fx);
    crawled(&mut state, request, 1, Answer::Listed(beta()));
    crawled(&mut state, request, 0, Answer::Listed(alpha()));
    // The one past its date first; the one 400 days out is outside the window.
    assert_eq!(hit_names(&state), vec!["billing-cert", "web-cert"]);
    insta::assert_snapshot!("expiring_across_tenants", draw(&state));

    // The selection stayed on web-cert (beta answered first) as alpha's
    // row sorted in above it; j keeps it on the last row. R: there, the
    // rotation's confirmation.
    update(&mut state, key(KeyCode::Char('j')));
    let fx = update(&mut state, key(KeyCode::Char('R')));
    answer_lists(&mut state, fx, &beta());
    assert_eq!(state.active(), 1);
    match state.modal() {
        Some(Modal::Confirm(c)) => {
            assert!(c.title.contains("web-cert"), "{}", c.title);
            assert!(c.lines.iter().any(|l| l.contains("stops working")));
        }
        other => panic!("expected the rotation's confirmation, got {other:?}"),
    }
}

#[test]
fn expiring_rejects_a_bad_window_and_esc_closes_the_pane() {
    let mut state = two_tenants();
    let fx = command(&mut state, "expiring soon");
    assert!(crawl_request(&fx).1.is_empty());
    assert!(state.radar().is_none());
    assert!(state.notice().is_some_and(|n| n.text.contains("soon")));

    command(&mut state, "expiring");
    assert!(state.radar().is_some());
    update(&mut state, key(KeyCode::Esc));
    assert!(state.radar().is_none());
    assert_ne!(state.focus(), Pane::View);
}

/// Every demo tenant against one simulator whose Kitsu answers only after
/// a minute: the others' results arrive, Kitsu is shown searching, then
/// reported slow once its deadline passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_tenant_is_reported_while_the_others_stream() {
    let knobs = portico::sim::faults::Knobs::default()
        .latency(Duration::from_mins(1))
        .only(vec!["kitsu".into()]);
    let sim = registry::start_simulator_with("127.0.0.1:0".parse().unwrap(), &knobs)
        .await
        .expect("simulator");
    // Mashery's crawl walks every member's applications at the platform's
    // own request rate, longer than this test waits; the rest are quick.
    let text: String = registry::demo_config(&sim.base_url())
        .split("[[tenants]]")
        .skip(1)
        .filter(|t| !t.contains("platform = \"mashery\""))
        .fold(String::new(), |mut all, t| {
            all.push_str("[[tenants]]");
            all.push_str(t);
            all
        });
    let config = portico::config::Config::parse(&text, "<t>").expect("config");
    let infos: Vec<TenantInfo> = config
        .tenants()
        .iter()
        .map(|t| TenantInfo::new(t.name(), t.platform().label(), t.platform().capabilities()))
        .collect();
    let stalled = config
        .tenants()
        .iter()
        .position(|t| t.platform().as_str() == "kitsu")
        .expect("a kitsu tenant");
    let dir = tempfile::tempdir().unwrap();
    let stores = portico::runtime::Stores {
        vault: portico::secrets::Vault::new(dir.path().join("issued")),
        audit: portico::audit::Audit::new(dir.path().join("audit.jsonl")),
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut runtime = portico::runtime::Runtime::new(tx, config.tenants().to_vec(), stores);
    let mut state =
        State::new(infos, Keymap::defaults()).with_radar_deadline(Duration::from_secs(6));
    for effect in command(&mut state, "expiring 3650d") {
        runtime.execute(effect);
    }
    let others = state.tenants().len() - 1;
    let answered_but_stalled = |state: &State| {
        let reach = state.radar().expect("radar").reach();
        let done = reach
            .iter()
            .enumerate()
            .filter(|(i, r)| *i != stalled && !matches!(r, Reach::Searching))
            .count();
        done == others
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen_others_first = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no answer in time: {:?}", state.radar());
        let msg = tokio::time::timeout(left, rx.recv())
            .await
            .expect("an answer in time")
            .expect("channel open");
        // Only the radar's own answers: the lists of the panes are not asked for.
        if !matches!(msg, Message::Crawled { .. }) {
            continue;
        }
        for effect in update(&mut state, msg) {
            if matches!(effect, Effect::Crawl { .. }) {
                runtime.execute(effect);
            }
        }
        let reach = state.radar().expect("radar").reach().to_vec();
        if answered_but_stalled(&state) && reach[stalled] == Reach::Searching {
            seen_others_first = true;
            assert!(
                !state.radar().expect("radar").hits().is_empty(),
                "the other tenants' expiries are shown"
            );
            assert!(draw(&state).contains("kitsu: searching"));
        }
        if reach[stalled] != Reach::Searching {
            assert_eq!(reach[stalled], Reach::Slow(Duration::from_secs(6)));
            break;
        }
    }
    assert!(
        seen_others_first,
        "the other tenants answered before the stalled one: {:?}",
        state.radar().map(portico::app::Radar::reach)
    );
    assert!(draw(&state).contains("kitsu: slow"));
    let reach = state.radar().expect("radar").reach();
    for (i, r) in reach.iter().enumerate().filter(|(i, _)| *i != stalled) {
        assert!(matches!(r, Reach::Answered(_)), "tenant {i}: {r:?}");
    }
}
