//! A filter keystroke on a large pane answers at once with the rows it
//! showed, while the rows are matched off the UI task; a match answer
//! for anything but the query now shown is dropped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::time::SystemTime;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use portico::app::{Effect, INLINE_MAX, Job, Message, State, TenantInfo, start, update};
use portico::keymap::Keymap;
use portico::model::{Kind, Resource};
use portico::platform::project44;

const fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Every third row is an "Oracle", the rest share no letter with "orac".
fn loaded(rows: usize) -> State {
    let tenant = TenantInfo::new("t", "project44", project44::capabilities());
    let mut state = State::new(vec![tenant], Keymap::defaults());
    let fx = start(&mut state);
    support::app::answer_at(&mut state, &fx, SystemTime::now(), |_| {
        (0..rows)
            .map(|i| {
                let name = if i % 3 == 0 {
                    format!("Oracle {i}")
                } else {
                    format!("Yard {i}")
                };
                Resource::new(Kind::ClientApp, format!("id{i:07}"), name)
            })
            .collect()
    });
    state
}

fn jobs(fx: Vec<Effect>) -> Vec<Job> {
    fx.into_iter()
        .filter_map(|e| match e {
            Effect::Match(job) => Some(job),
            _ => None,
        })
        .collect()
}

fn press(state: &mut State, code: KeyCode) -> Vec<Job> {
    jobs(update(state, key(code)))
}

fn shown(state: &State) -> Vec<String> {
    let pane = state.focus();
    let items = state.listing(pane).unwrap().items();
    state
        .cursor(pane)
        .unwrap()
        .visible()
        .iter()
        .map(|i| items[*i].name.clone())
        .collect()
}

fn matching(state: &State) -> bool {
    state.cursor(state.focus()).unwrap().is_matching()
}

const ROWS: usize = INLINE_MAX + 1_000;

#[test]
fn a_large_pane_keystroke_answers_at_once_with_the_previous_rows() {
    let mut state = loaded(ROWS);
    assert!(press(&mut state, KeyCode::Char('/')).is_empty());
    let mut sent = press(&mut state, KeyCode::Char('o'));
    assert_eq!(sent.len(), 1, "one job for the one pane: {sent:?}");
    let cursor = state.cursor(state.focus()).unwrap();
    assert_eq!(cursor.filter(), "o", "the query changes in the same frame");
    assert_eq!(cursor.visible().len(), ROWS, "the previous rows stay shown");
    assert!(matching(&state));

    let job = sent.pop().unwrap();
    assert_eq!(job.rows(), ROWS, "a first keystroke scores every row");
    let fx = update(&mut state, job.run());
    assert!(jobs(fx).is_empty());
    assert!(!matching(&state));
    let names = shown(&state);
    assert_eq!(names.len(), ROWS.div_ceil(3));
    assert!(names.iter().all(|n| n.starts_with("Oracle")), "{names:?}");
}

#[test]
fn a_stale_match_answer_is_ignored() {
    let mut state = loaded(ROWS);
    press(&mut state, KeyCode::Char('/'));
    let first = press(&mut state, KeyCode::Char('y')).pop().unwrap();
    // Typed before the first answer came: only the newest query counts.
    let second = press(&mut state, KeyCode::Char('a')).pop().unwrap();
    update(&mut state, first.run());
    assert_eq!(
        shown(&state).len(),
        ROWS,
        "the answer for \"y\" is not shown"
    );
    assert!(matching(&state));
    update(&mut state, second.run());
    assert!(!matching(&state));
    let names = shown(&state);
    assert_eq!(names.len(), ROWS - ROWS.div_ceil(3));
    assert!(names.iter().all(|n| n.starts_with("Yard")), "{names:?}");

    // Typed back to what is shown: the answer on its way is stale too.
    let late = press(&mut state, KeyCode::Char('r')).pop().unwrap();
    assert!(press(&mut state, KeyCode::Backspace).is_empty());
    assert!(!matching(&state));
    update(&mut state, late.run());
    assert_eq!(shown(&state), names);
}

#[test]
fn a_grown_query_scores_only_the_rows_the_last_one_kept() {
    let mut state = loaded(ROWS);
    press(&mut state, KeyCode::Char('/'));
    for c in ['o', 'r'] {
        let job = press(&mut state, KeyCode::Char(c)).pop().unwrap();
        update(&mut state, job.run());
    }
    let kept = shown(&state).len();
    assert_eq!(kept, ROWS.div_ceil(3));
    let job = press(&mut state, KeyCode::Char('a')).pop().unwrap();
    assert_eq!(job.rows(), kept);
    update(&mut state, job.run());
    assert_eq!(shown(&state).len(), kept);
}

#[test]
fn sorting_a_large_pane_is_matched_off_the_ui_task_and_a_small_one_inline() {
    let mut state = loaded(ROWS);
    let before = shown(&state);
    let job = press(&mut state, KeyCode::Char('s')).pop().unwrap();
    assert_eq!(shown(&state), before);
    update(&mut state, job.run());
    let sorted = shown(&state);
    let mut expected = before;
    expected.sort_by_key(|n| n.to_lowercase());
    assert_eq!(sorted, expected);

    let mut small = loaded(INLINE_MAX);
    press(&mut small, KeyCode::Char('/'));
    assert!(press(&mut small, KeyCode::Char('y')).is_empty());
    assert!(!matching(&small));
    assert_eq!(shown(&small).len(), INLINE_MAX - INLINE_MAX.div_ceil(3));
}
