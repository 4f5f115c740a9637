//! Going to a resource found elsewhere: select each parent in turn, wait
//! for the list it scopes to load, and end on the resource itself.
//! Followed after every update until it lands or cannot.

use super::actions::confirm_rotate;
use super::ops::inform;
use super::state::{Level, State};
use crate::model::Pane;

/// One selection on the way: `id` in `pane`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pane: Pane,
    id: String,
    /// Typed by the user (`:apps NAME`): the row of that exact name, else
    /// of that id; found nowhere, the pane is filtered on it instead.
    by_name: bool,
}

impl Step {
    pub fn new(pane: Pane, id: &str) -> Self {
        Self {
            pane,
            id: id.to_string(),
            by_name: false,
        }
    }
    pub fn named(pane: Pane, text: &str) -> Self {
        Self {
            pane,
            id: text.to_string(),
            by_name: true,
        }
    }
    #[cfg(test)]
    pub const fn pane(&self) -> Pane {
        self.pane
    }
    #[cfg(test)]
    pub fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jump {
    tenant: usize,
    steps: Vec<Step>,
    /// Ask to rotate it once there, through the single-rotation path.
    rotate: bool,
}

impl Jump {
    pub const fn new(tenant: usize, steps: Vec<Step>, rotate: bool) -> Self {
        Self {
            tenant,
            steps,
            rotate,
        }
    }
}

/// Takes the jump as far as the loaded lists allow.
pub(super) fn follow(state: &mut State) {
    // Each step is one selection; the bound only guards against a loop.
    for _ in 0..8 {
        let Some(jump) = state.jump.as_ref() else {
            return;
        };
        if jump.tenant != state.active {
            // The user went elsewhere meanwhile.
            state.jump = None;
            return;
        }
        let Some(step) = jump.steps.first().cloned() else {
            let rotate = jump.rotate;
            state.jump = None;
            if rotate {
                confirm_rotate(state, state.focus());
            }
            return;
        };
        match locate(state, &step) {
            Where::Row(row) => {
                if let Some(cursor) = state.cursor_mut(step.pane) {
                    cursor.selected = row;
                }
                if let Some(book) = state.books.get_mut(state.active) {
                    book.focus = Some(step.pane);
                }
                if let Some(jump) = state.jump.as_mut() {
                    jump.steps.remove(0);
                }
                // The child pane's list depends on this selection.
                state.sync();
            }
            Where::Waiting => return,
            Where::Hidden => {
                // A filter or server search hides it: show the whole list.
                if let Some(cursor) = state.cursor_mut(step.pane) {
                    cursor.filter.clear();
                    cursor.search = None;
                }
                state.sync();
                if matches!(locate(state, &step), Where::Hidden | Where::Gone) {
                    return gone(state, &step);
                }
            }
            Where::Gone => return gone(state, &step),
        }
    }
}

enum Where {
    Row(usize),
    /// Its list has not answered yet.
    Waiting,
    /// Listed, but not among the visible rows.
    Hidden,
    Gone,
}

fn locate(state: &State, step: &Step) -> Where {
    // A typed name in a pane with nothing to list (no parent selected)
    // would otherwise wait for a list that may never come.
    if step.by_name && state.list_key(step.pane).is_none() {
        return Where::Gone;
    }
    let Some(listing) = state.listing(step.pane) else {
        return Where::Waiting;
    };
    let items = listing.items();
    let row = state.cursor(step.pane).and_then(|c| {
        let at = |hit: &dyn Fn(&crate::model::Resource) -> bool| {
            c.visible()
                .iter()
                .position(|i| items.get(*i).is_some_and(hit))
        };
        let named = step.by_name.then(|| at(&|r| r.name == step.id)).flatten();
        named.or_else(|| at(&|r| r.id == step.id))
    });
    if let Some(row) = row {
        return Where::Row(row);
    }
    if listing.is_loading() || (listing.loaded_at().is_none() && listing.error().is_none()) {
        return Where::Waiting;
    }
    let filtered = state
        .cursor(step.pane)
        .is_some_and(|c| !c.filter().is_empty() || c.search().is_some());
    if filtered { Where::Hidden } else { Where::Gone }
}

fn gone(state: &mut State, step: &Step) {
    state.jump = None;
    let title = state.title(step.pane);
    if step.by_name {
        // A name the user typed: the nearest rows are what they meant.
        if let Some(cursor) = state.cursor_mut(step.pane) {
            cursor.filter.clone_from(&step.id);
        }
        state.sync();
        return inform(
            state,
            Level::Info,
            format!("no row named \"{}\" in {title}; filtered on it", step.id),
        );
    }
    inform(
        state,
        Level::Error,
        format!("{} is no longer listed in {title}", step.id),
    );
}
