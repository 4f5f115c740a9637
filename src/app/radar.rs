//! `:find TEXT` and `:expiring [30d]`: every tenant crawled at once, each
//! tenant's answer shown the moment it arrives, in one pane with a tenant
//! column. A tenant that is down or gives no answer in time says so on
//! its own status line and holds up nobody else.
//!
//! The crawl and the match are the command line's own
//! ([`crate::platform::crawl`]); only the showing differs.

use std::time::{Duration, SystemTime};

use time::OffsetDateTime;

use super::jump::{Jump, Step};
use super::message::Effect;
use super::ops::{inform, switch_tenant};
use super::state::{Cursor, Level, State, TenantInfo};
use crate::keymap::Action;
use crate::model::Pane;
use crate::platform::crawl::{Answer, Found, expiry_watched, matches};
use crate::platform::{PaneBody, Source};

/// How long a tenant has to list everything before it counts as slow.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// The window `:expiring` looks ahead when none is given.
pub const DEFAULT_WINDOW: Duration = Duration::from_hours(30 * 24);

const PAGE: isize = 10;

/// What the radar looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// Text in a name or id.
    Find(String),
    /// Expiries within this window from when each tenant answered, and
    /// those already past.
    Expiring(Duration),
}

/// Where one tenant stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Searching,
    /// Answered, with this many rows shown.
    Answered(usize),
    Down(String),
    /// No answer within this long.
    Slow(Duration),
}

/// A row: a resource and the tenant it lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    tenant: usize,
    found: Found,
}

impl Hit {
    pub const fn tenant(&self) -> usize {
        self.tenant
    }
    pub const fn found(&self) -> &Found {
        &self.found
    }
}

#[derive(Debug, Clone)]
pub struct Radar {
    search: Search,
    request: u64,
    reach: Vec<Reach>,
    hits: Vec<Hit>,
    /// Everything each tenant listed: a hit's parents are found here.
    crawled: Vec<Vec<Found>>,
    selected: usize,
}

impl Radar {
    pub const fn search(&self) -> &Search {
        &self.search
    }
    pub fn reach(&self) -> &[Reach] {
        &self.reach
    }
    pub fn hits(&self) -> &[Hit] {
        &self.hits
    }
    pub const fn selected(&self) -> usize {
        self.selected
    }
    pub fn selected_hit(&self) -> Option<&Hit> {
        self.hits.get(self.selected)
    }
    pub fn answered(&self) -> usize {
        self.reach
            .iter()
            .filter(|r| !matches!(r, Reach::Searching))
            .count()
    }
    pub fn is_searching(&self) -> bool {
        self.reach.iter().any(|r| matches!(r, Reach::Searching))
    }

    pub fn title(&self) -> String {
        match &self.search {
            Search::Find(text) => format!("Find \"{text}\""),
            Search::Expiring(within) => {
                format!("Expiring within {}d", within.as_secs() / 86_400)
            }
        }
    }

    fn wanted(&self, found: &Found, at: OffsetDateTime) -> bool {
        match &self.search {
            Search::Find(text) => matches(&found.resource, text),
            Search::Expiring(within) => {
                expiry_watched(found.resource.kind)
                    && found.resource.expires.is_some_and(|e| e <= at + *within)
            }
        }
    }

    fn add(&mut self, tenant: usize, at: SystemTime, answer: Answer) {
        let Some(reach) = self.reach.get_mut(tenant) else {
            return;
        };
        let found = match answer {
            Answer::Listed(found) => found,
            Answer::Down(err) => {
                *reach = Reach::Down(err.to_string());
                return;
            }
            Answer::Slow(after) => {
                *reach = Reach::Slow(after);
                return;
            }
        };
        let at = OffsetDateTime::from(at);
        let keep: Vec<Hit> = found
            .iter()
            .filter(|f| self.wanted(f, at))
            .map(|f| Hit {
                tenant,
                found: f.clone(),
            })
            .collect();
        if let Some(reach) = self.reach.get_mut(tenant) {
            *reach = Reach::Answered(keep.len());
        }
        if let Some(all) = self.crawled.get_mut(tenant) {
            *all = found;
        }
        // The selection stays on its row while answers arrive around it.
        let chosen = self
            .selected_hit()
            .map(|h| (h.tenant, h.found.resource.id.clone()));
        self.hits.extend(keep);
        if matches!(self.search, Search::Expiring(_)) {
            self.hits.sort_by(|a, b| {
                (a.found.resource.expires, a.tenant, &a.found.resource.name).cmp(&(
                    b.found.resource.expires,
                    b.tenant,
                    &b.found.resource.name,
                ))
            });
        }
        if let Some((t, id)) = chosen {
            self.selected = self
                .hits
                .iter()
                .position(|h| h.tenant == t && h.found.resource.id == id)
                .unwrap_or(0);
        }
    }

    fn step(&mut self, delta: isize) {
        let Some(last) = self.hits.len().checked_sub(1) else {
            return;
        };
        let shift = delta.unsigned_abs();
        let target = if delta < 0 {
            self.selected.saturating_sub(shift)
        } else {
            self.selected.saturating_add(shift)
        };
        self.selected = target.min(last);
    }
}

/// `:find TEXT`.
pub(super) fn find(state: &mut State, text: &str, fx: &mut Vec<Effect>) {
    if text.is_empty() {
        return inform(state, Level::Error, "find takes the text to look for");
    }
    open(state, Search::Find(text.to_string()), fx);
}

/// `:expiring [30d]`.
pub(super) fn expiring(state: &mut State, window: &str, fx: &mut Vec<Effect>) {
    let within = if window.is_empty() {
        Ok(DEFAULT_WINDOW)
    } else {
        crate::span::parse(window)
    };
    match within {
        Ok(within) => open(state, Search::Expiring(within), fx),
        Err(err) => inform(state, Level::Error, err),
    }
}

fn open(state: &mut State, search: Search, fx: &mut Vec<Effect>) {
    let request = state.next_request;
    state.next_request += 1;
    let count = state.tenants.len();
    state.radar = Some(Radar {
        search,
        request,
        reach: vec![Reach::Searching; count],
        hits: Vec::new(),
        crawled: vec![Vec::new(); count],
        selected: 0,
    });
    state.jump = None;
    if let Some(book) = state.books.get_mut(state.active) {
        // One pane on the right at a time: the radar takes the view's place.
        book.view = None;
        book.focus = Some(Pane::View);
    }
    for tenant in 0..count {
        fx.push(Effect::Crawl {
            tenant,
            request,
            deadline: state.radar_deadline,
        });
    }
}

pub(super) fn on_crawled(
    state: &mut State,
    tenant: usize,
    request: u64,
    at: SystemTime,
    answer: Answer,
) {
    if let Some(radar) = state.radar.as_mut().filter(|r| r.request == request) {
        radar.add(tenant, at, answer);
    }
}

/// Closes the radar pane, focus back on a main pane.
pub(super) fn close(state: &mut State) {
    state.radar = None;
    state.jump = None;
    let first = state.first_list_pane(state.active);
    if let Some(book) = state.books.get_mut(state.active)
        && book.focus == Some(Pane::View)
    {
        book.focus = Some(first);
    }
}

/// Keys on the focused radar pane. True when the key was the radar's:
/// changes are made from the resource's own tenant and pane, which
/// `Enter` (or `R`, which goes there to rotate) jumps to.
pub(super) fn on_key(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    if state.focus() != Pane::View {
        return false;
    }
    let Some(radar) = state.radar.as_mut() else {
        return false;
    };
    match action {
        Action::Up => radar.step(-1),
        Action::Down => radar.step(1),
        Action::PageUp => radar.step(-PAGE),
        Action::PageDown => radar.step(PAGE),
        Action::Top => radar.selected = 0,
        Action::Bottom => radar.selected = radar.hits.len().saturating_sub(1),
        Action::Back => close(state),
        Action::DrillDown => go(state, false, fx),
        Action::Rotate => go(state, true, fx),
        Action::Refresh => {
            let search = radar.search.clone();
            open(state, search, fx);
        }
        Action::New
        | Action::Edit
        | Action::Delete
        | Action::ToggleActive
        | Action::Filter
        | Action::Sort
        | Action::EditExternal
        | Action::NewExternal => inform(
            state,
            Level::Info,
            "Enter opens the row in its own tenant and pane; change it there",
        ),
        _ => return false,
    }
    true
}

/// Switches to the selected row's tenant, opens its pane and selects it
/// (its parents first); with `rotate`, then asks to rotate it.
fn go(state: &mut State, rotate: bool, fx: &mut Vec<Effect>) {
    let Some(radar) = state.radar.as_ref() else {
        return;
    };
    let Some(hit) = radar.selected_hit().cloned() else {
        return inform(state, Level::Info, "no row selected");
    };
    let Some(tenant) = state.tenants.get(hit.tenant) else {
        return;
    };
    let crawled = radar.crawled.get(hit.tenant).map_or(&[][..], Vec::as_slice);
    let steps = chain(tenant, crawled, &hit.found);
    if let Source::View(name) = hit.found.source {
        // Its view takes the pane the radar held.
        state.radar = None;
        switch_tenant(state, hit.tenant, fx);
        if let Some(book) = state.books.get_mut(hit.tenant) {
            book.view = Some((name, Cursor::default()));
        }
    } else {
        switch_tenant(state, hit.tenant, fx);
    }
    state.jump = Some(Jump::new(hit.tenant, steps, rotate));
}

/// The pane that scopes what `found` is listed in.
fn scope_of(tenant: &TenantInfo, found: &Found) -> Option<Pane> {
    match found.source {
        Source::Pane(p) => match tenant.caps().pane(p).body() {
            PaneBody::List { scope, .. } => *scope,
            PaneBody::Unsupported(_) => None,
        },
        Source::View(name) => tenant.caps().view(name).and_then(|v| v.scope),
    }
}

/// The selections that lead to `found`, outermost parent first.
fn chain(tenant: &TenantInfo, crawled: &[Found], found: &Found) -> Vec<Step> {
    let mut steps = vec![Step::new(found.pane, &found.resource.id)];
    let mut current = found;
    while let (Some(scope), Some(parent)) = (scope_of(tenant, current), current.parent.as_deref()) {
        steps.push(Step::new(scope, parent));
        match crawled
            .iter()
            .find(|f| f.pane == scope && f.resource.id == parent)
        {
            Some(up) => current = up,
            None => break,
        }
    }
    steps.reverse();
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Resource};
    use crate::platform::{Capabilities, PaneSpec};

    fn found(pane: Pane, id: &str, parent: Option<&str>) -> Found {
        Found {
            resource: Resource::new(Kind::Application, id, id),
            pane,
            source: Source::Pane(pane),
            parent: parent.map(str::to_string),
        }
    }

    #[test]
    fn a_chain_selects_every_parent_first() {
        let caps = Capabilities::new([
            PaneSpec::list("Members", vec![]),
            PaneSpec::list("Apps", vec![]).scoped_by(Pane::Projects),
            PaneSpec::list("Keys", vec![]).scoped_by(Pane::Applications),
        ]);
        let tenant = TenantInfo::new("t", "any", caps);
        let crawled = vec![
            found(Pane::Projects, "m1", None),
            found(Pane::Applications, "a1", Some("m1")),
            found(Pane::Certificates, "k1", Some("a1")),
        ];
        let steps = chain(&tenant, &crawled, &crawled[2]);
        let ids: Vec<(Pane, &str)> = steps.iter().map(|s| (s.pane(), s.id())).collect();
        assert_eq!(
            ids,
            vec![
                (Pane::Projects, "m1"),
                (Pane::Applications, "a1"),
                (Pane::Certificates, "k1")
            ]
        );
    }
}
