//! The UI task's state: tenants, their cached lists, cursors and the open
//! modal. Only `update` changes it; rendering reads it through methods.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ratatui::style::Color;

use super::editor::Session;
use super::filter::{self, Sort};
use super::jump::Jump;
use super::matching::{INLINE_MAX, Job};
use super::message::ListKey;
use super::modal::{Modal, SecretView};
use super::radar::{self, Radar};
use crate::keymap::Keymap;
use crate::model::{Pane, Resource};
use crate::platform::{Capabilities, PaneBody, PlatformError, Remedy, Source, ViewSpec};

/// What the app knows of a configured tenant. No credentials: those stay
/// with the runtime.
#[derive(Debug, Clone)]
pub struct TenantInfo {
    name: String,
    platform: String,
    color: Option<Color>,
    read_only: bool,
    protected: bool,
    /// How often its panes refresh on their own while it is active.
    refresh: Option<Duration>,
    caps: Capabilities,
    /// The credential keys the tenant's config gives, to name in an auth error.
    auth_keys: Vec<String>,
}

impl TenantInfo {
    pub fn new(name: impl Into<String>, platform: impl Into<String>, caps: Capabilities) -> Self {
        Self {
            name: name.into(),
            platform: platform.into(),
            color: None,
            read_only: false,
            protected: false,
            refresh: None,
            caps,
            auth_keys: Vec::new(),
        }
    }

    pub fn with_auth_keys(mut self, keys: Vec<String>) -> Self {
        self.auth_keys = keys;
        self
    }

    pub const fn with_color(mut self, color: Option<Color>) -> Self {
        self.color = color;
        self
    }

    pub const fn with_flags(mut self, read_only: bool, protected: bool) -> Self {
        self.read_only = read_only;
        self.protected = protected;
        self
    }

    /// Refreshes the visible panes every `every` while this tenant is
    /// the active one; `None` leaves refreshing to the user.
    pub const fn with_refresh(mut self, every: Option<Duration>) -> Self {
        self.refresh = every;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub const fn refresh(&self) -> Option<Duration> {
        self.refresh
    }
    pub fn platform(&self) -> &str {
        &self.platform
    }
    pub const fn color(&self) -> Option<Color> {
        self.color
    }
    pub const fn read_only(&self) -> bool {
        self.read_only
    }
    pub const fn protected(&self) -> bool {
        self.protected
    }
    pub const fn caps(&self) -> &Capabilities {
        &self.caps
    }
    pub fn auth_keys(&self) -> &[String] {
        &self.auth_keys
    }
}

/// One cached list and the request filling it.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Shared with a filter being matched off the UI task.
    pub(super) items: Arc<Vec<Resource>>,
    pub(super) generation: u64,
    pub(super) loaded_at: Option<SystemTime>,
    pub(super) pending: Option<u64>,
    pub(super) error: Option<PlatformError>,
    pub(super) progress: Option<(usize, Option<usize>)>,
    /// Pages the server answered in: past one, a local filter sees only
    /// what was fetched, so `/` asks the server instead when it can.
    pub(super) pages: usize,
}

impl Listing {
    pub fn items(&self) -> &[Resource] {
        &self.items
    }
    pub const fn loaded_at(&self) -> Option<SystemTime> {
        self.loaded_at
    }
    pub const fn is_loading(&self) -> bool {
        self.pending.is_some()
    }
    pub const fn error(&self) -> Option<&PlatformError> {
        self.error.as_ref()
    }
    pub const fn progress(&self) -> Option<(usize, Option<usize>)> {
        self.progress
    }
    pub const fn spans_pages(&self) -> bool {
        self.pages > 1
    }
}

/// What a pane's visible rows were computed from: the list, its
/// generation, the filter and the sort.
pub(super) type Basis = (ListKey, u64, String, Sort);

/// Selection, filter and sort of one pane, plus the rows they yield.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    pub(super) selected: usize,
    pub(super) filter: String,
    /// What the server was asked to narrow this pane to, if anything.
    pub(super) search: Option<String>,
    pub(super) sort: Sort,
    /// Shared with a job matching a query that grows this one.
    pub(super) visible: Arc<Vec<usize>>,
    problem: Option<String>,
    /// Names more than one row of the list carries.
    twins: HashSet<String>,
    basis: Option<Basis>,
    /// A large list's match sent off the UI task and not yet answered:
    /// its ticket and what it matches. Until then `visible` stays as is.
    wanted: Option<(u64, Basis)>,
    tickets: u64,
    /// The job the last sync made, for `update` to hand on.
    outbox: Option<Job>,
    /// The id of the selected row as of the last sync: new rows of the
    /// same list (a refresh, a server search and its answer) keep it
    /// selected wherever it moved.
    anchor: Option<String>,
}

impl Cursor {
    pub const fn selected(&self) -> usize {
        self.selected
    }
    pub fn filter(&self) -> &str {
        &self.filter
    }
    /// The server-side search this pane shows, if any.
    pub fn search(&self) -> Option<&str> {
        self.search.as_deref()
    }
    pub const fn sort(&self) -> Sort {
        self.sort
    }
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }
    /// Whether another row of the list has this same name.
    pub fn is_twin(&self, name: &str) -> bool {
        self.twins.contains(name)
    }
    /// What in the filter could not be understood, e.g. an unknown field.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
    /// Whether the rows shown are still those of an earlier filter or
    /// sort, while the current one is matched off the UI task.
    pub const fn is_matching(&self) -> bool {
        self.wanted.is_some()
    }

    fn sync(&mut self, key: Option<&ListKey>, listing: Option<&Listing>) {
        let basis = key.map(|k| {
            (
                k.clone(),
                listing.map_or(0, |l| l.generation),
                self.filter.clone(),
                self.sort,
            )
        });
        if basis == self.basis {
            // Typed back to what is shown: an answer still on its way is stale.
            self.wanted = None;
            self.outbox = None;
        } else if !self.defer(basis.as_ref(), listing) {
            self.wanted = None;
            self.outbox = None;
            self.recompute(basis, listing);
        }
        self.anchor = listing
            .and_then(|l| l.items.get(*self.visible.get(self.selected)?))
            .map(|r| r.id.clone());
    }

    /// Hands a new filter or sort of a large list to a job, the rows on
    /// screen staying until it answers. False when the rows are matched
    /// here instead: a small list, or rows other than those shown.
    fn defer(&mut self, basis: Option<&Basis>, listing: Option<&Listing>) -> bool {
        let (Some(basis), Some(listing), Some(current)) = (basis, listing, &self.basis) else {
            return false;
        };
        if listing.items.len() <= INLINE_MAX || basis.0 != current.0 || basis.1 != current.1 {
            return false;
        }
        if self
            .wanted
            .as_ref()
            .is_some_and(|(_, wanted)| wanted == basis)
        {
            return true;
        }
        self.tickets += 1;
        let among = filter::narrows(&current.2, &basis.2).then(|| Arc::clone(&self.visible));
        self.outbox = Some(Job::new(
            self.tickets,
            basis.clone(),
            Arc::clone(&listing.items),
            among,
            listing.loaded_at,
        ));
        self.wanted = Some((self.tickets, basis.clone()));
        true
    }

    /// Shows a job's rows when they answer what the pane still wants.
    pub(super) fn settle(&mut self, ticket: u64, basis: Basis, filtered: filter::Filtered) {
        if !matches!(&self.wanted, Some((t, b)) if *t == ticket && *b == basis) {
            return;
        }
        self.wanted = None;
        self.visible = Arc::new(filtered.rows);
        self.problem = filtered.problem;
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        self.basis = Some(basis);
    }

    fn recompute(&mut self, basis: Option<Basis>, listing: Option<&Listing>) {
        // A new parent means a different list: start at its top. The same
        // rows narrowed by the server, or its whole list again, are not.
        let same_scope = matches!((&basis, &self.basis), (Some(a), Some(b))
            if a.0.source == b.0.source && a.0.parent == b.0.parent);
        let same_list = matches!((&basis, &self.basis), (Some(a), Some(b)) if a.0 == b.0);
        let same_rows =
            matches!((&basis, &self.basis), (Some(a), Some(b)) if a.0 == b.0 && a.1 == b.1);
        // A keystroke that only extends the query looks again at the rows
        // the last one kept, not at the whole list.
        let among = match &self.basis {
            Some((_, _, before, _)) if same_rows && filter::narrows(before, &self.filter) => {
                Some(self.visible.as_slice())
            }
            _ => None,
        };
        let filtered = match listing {
            Some(l) => filter::visible_among(&l.items, among, &self.filter, self.sort, l.loaded_at),
            None => filter::Filtered::default(),
        };
        self.visible = Arc::new(filtered.rows);
        self.problem = filtered.problem;
        // Once per list change, not per keystroke: the pane tags each twin.
        if !same_rows {
            let mut seen = HashSet::new();
            self.twins = listing
                .map(|l| {
                    l.items
                        .iter()
                        .filter(|r| !seen.insert(r.name.as_str()))
                        .map(|r| r.name.clone())
                        .collect()
                })
                .unwrap_or_default();
        }
        let anchored = match (&self.anchor, listing) {
            (Some(id), Some(l)) if same_scope && !same_rows => self
                .visible
                .iter()
                .position(|i| l.items.get(*i).is_some_and(|r| &r.id == id)),
            _ => None,
        };
        match anchored {
            Some(row) => self.selected = row,
            None if !same_list => self.selected = 0,
            None => {}
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        self.basis = basis;
    }
}

/// Everything Portico remembers about one tenant while switched away.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub(super) lists: HashMap<ListKey, Listing>,
    pub(super) cursors: [Cursor; 3],
    pub(super) view: Option<(&'static str, Cursor)>,
    pub(super) focus: Option<Pane>,
    pub(super) performing: usize,
    pub(super) last_error: Option<String>,
    /// A state the user chose to leave behind, e.g. two active keys.
    pub(super) warning: Option<String>,
    /// The id of what was just created: selected as soon as a list shows it.
    pub(super) reveal: Option<String>,
    /// Rows marked for a bulk rotation, with the pane they were marked in.
    pub(super) marks: Vec<(Pane, crate::platform::Target)>,
}

impl Book {
    pub fn in_flight(&self) -> usize {
        self.performing + self.lists.values().filter(|l| l.pending.is_some()).count()
    }
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
}

pub struct State {
    pub(super) tenants: Vec<TenantInfo>,
    pub(super) books: Vec<Book>,
    pub(super) active: usize,
    pub(super) keymap: Keymap,
    pub(super) modal: Option<Modal>,
    pub(super) queued_secrets: VecDeque<SecretView>,
    pub(super) notice: Option<Notice>,
    pub(super) demo_hint: Option<String>,
    pub(super) next_request: u64,
    pub(super) spinner: usize,
    pub(super) quit: bool,
    /// What each in-flight operation is, by request id, for its result.
    pub(super) operations: HashMap<u64, (usize, String)>,
    /// Renewals being read by the adapter, with the warning their confirmation shows.
    pub(super) previews: HashMap<u64, String>,
    /// Command completions Tab listed, with the command line they are
    /// for and how many more matched than are listed.
    pub(super) choices: Option<(String, Vec<String>, usize)>,
    /// The latest bulk rotation, running or done.
    pub(super) bulk: Option<super::bulk::BulkRun>,
    /// `NO_COLOR`: draw with modifiers (bold, reverse) but no colours.
    no_color: bool,
    /// Command-mode lines run, this session's and earlier ones'.
    pub(super) history: super::history::History,
    /// `:find` or `:expiring`, shown in the right-hand pane.
    pub(super) radar: Option<Radar>,
    /// How long each tenant has to answer the radar.
    pub(super) radar_deadline: Duration,
    /// On the way to a resource the radar found.
    pub(super) jump: Option<Jump>,
    /// A form out in the user's editor.
    pub(super) editing: Option<Session>,
    /// Large panes' filters to match off the UI task, for `update` to hand on.
    pub(super) jobs: Vec<Job>,
}

impl State {
    pub fn new(tenants: Vec<TenantInfo>, keymap: Keymap) -> Self {
        let books = tenants.iter().map(|_| Book::default()).collect();
        let mut state = Self {
            tenants,
            books,
            active: 0,
            keymap,
            modal: None,
            queued_secrets: VecDeque::new(),
            notice: None,
            demo_hint: None,
            next_request: 1,
            spinner: 0,
            quit: false,
            operations: HashMap::new(),
            previews: HashMap::new(),
            choices: None,
            bulk: None,
            no_color: false,
            history: super::history::History::default(),
            radar: None,
            radar_deadline: radar::DEADLINE,
            jump: None,
            editing: None,
            jobs: Vec::new(),
        };
        for i in 0..state.tenants.len() {
            let focus = state.first_list_pane(i);
            state.books[i].focus = Some(focus);
        }
        state
    }

    /// Marks the session as the built-in demo; `hint` names the config path.
    pub fn with_demo(mut self, hint: impl Into<String>) -> Self {
        self.demo_hint = Some(hint.into());
        self
    }

    /// Opens with a warning on the status line (a config problem that
    /// does not stop Portico).
    pub fn with_warning(mut self, text: impl Into<String>) -> Self {
        self.notice = Some(Notice {
            level: Level::Error,
            text: text.into(),
        });
        self
    }

    /// Starts from the command history earlier runs kept.
    #[must_use]
    pub fn with_history(mut self, history: super::history::History) -> Self {
        self.history = history;
        self
    }

    /// Draws without colour, as `NO_COLOR` asks.
    pub const fn with_no_color(mut self, no_color: bool) -> Self {
        self.no_color = no_color;
        self
    }

    /// How long `:find` and `:expiring` wait for each tenant.
    pub const fn with_radar_deadline(mut self, deadline: Duration) -> Self {
        self.radar_deadline = deadline;
        self
    }

    /// The open `:find` or `:expiring`.
    pub const fn radar(&self) -> Option<&Radar> {
        self.radar.as_ref()
    }

    pub const fn no_color(&self) -> bool {
        self.no_color
    }

    /// The active tenant's auto-refresh interval, if it has one: the
    /// runtime keeps a timer exactly while this is `Some`.
    pub fn auto_refresh(&self) -> Option<Duration> {
        self.tenant().and_then(TenantInfo::refresh)
    }

    /// What Tab listed in command mode, while the command line is still
    /// the one they were listed for.
    pub fn command_choices(&self) -> Option<&[String]> {
        match (&self.modal, &self.choices) {
            (Some(Modal::Command(input)), Some((typed, words, _))) if input.text() == typed => {
                Some(words)
            }
            _ => None,
        }
    }

    /// How many more completions matched than [`Self::command_choices`] lists.
    pub fn command_choices_beyond(&self) -> usize {
        match self.command_choices() {
            Some(_) => self.choices.as_ref().map_or(0, |c| c.2),
            None => 0,
        }
    }

    /// Opens on tenant `index` (from `--tenant`).
    pub const fn with_active(mut self, index: usize) -> Self {
        if index < self.tenants.len() {
            self.active = index;
        }
        self
    }

    pub fn tenants(&self) -> &[TenantInfo] {
        &self.tenants
    }
    pub const fn active(&self) -> usize {
        self.active
    }
    pub fn tenant(&self) -> Option<&TenantInfo> {
        self.tenants.get(self.active)
    }
    pub fn book(&self) -> Option<&Book> {
        self.books.get(self.active)
    }
    pub const fn keymap(&self) -> &Keymap {
        &self.keymap
    }
    pub const fn modal(&self) -> Option<&Modal> {
        self.modal.as_ref()
    }
    pub const fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }
    pub fn demo_hint(&self) -> Option<&str> {
        self.demo_hint.as_deref()
    }
    pub const fn spinner(&self) -> usize {
        self.spinner
    }
    pub const fn should_quit(&self) -> bool {
        self.quit
    }
    pub fn in_flight(&self) -> usize {
        self.books.iter().map(Book::in_flight).sum::<usize>() + self.bulk_remaining()
    }

    /// What the user can do about `err` on the active tenant, in words
    /// that name the live key and the tenant's own credential keys.
    pub fn remedy(&self, err: &PlatformError) -> Option<String> {
        use crate::keymap::{Action, Layer};
        match err.remedy() {
            Remedy::Retry => Some(format!(
                "press {} to retry",
                self.keymap.hint(Layer::Normal, Action::Refresh)
            )),
            Remedy::Wait(Some(after)) => Some(format!(
                "the platform asks to wait {}s; then press {}",
                after.as_secs().max(1),
                self.keymap.hint(Layer::Normal, Action::Refresh)
            )),
            Remedy::Wait(None) => Some(format!(
                "wait a moment, then press {}",
                self.keymap.hint(Layer::Normal, Action::Refresh)
            )),
            Remedy::CheckCredentials => {
                let tenant = self.tenant()?;
                let keys = tenant
                    .auth_keys()
                    .iter()
                    .map(|k| format!("auth.{k}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                Some(if keys.is_empty() {
                    format!("check the credentials of tenant {}", tenant.name())
                } else {
                    format!("check {keys} of tenant {} in the config", tenant.name())
                })
            }
            Remedy::None => None,
        }
    }

    /// Every error standing on the active tenant, each once: the last
    /// failed change, then each pane's failed list with what to do about it.
    pub fn errors(&self) -> Vec<String> {
        let mut errors: Vec<String> = Vec::new();
        if let Some(err) = self.book().and_then(|b| b.last_error()) {
            errors.push(err.to_string());
        }
        for pane in self.panes() {
            if let Some(err) = self.listing(pane).and_then(|l| l.error()) {
                let text = match self.remedy(err) {
                    Some(remedy) => format!("{err}; {remedy}"),
                    None => err.to_string(),
                };
                if !errors.contains(&text) {
                    errors.push(text);
                }
            }
        }
        errors
    }

    pub fn focus(&self) -> Pane {
        self.book()
            .and_then(|b| b.focus)
            .unwrap_or(Pane::Applications)
    }

    pub(super) fn first_list_pane(&self, tenant: usize) -> Pane {
        let caps = self.tenants[tenant].caps();
        Pane::ALL
            .into_iter()
            .find(|p| caps.pane(*p).is_list())
            .unwrap_or(Pane::Applications)
    }

    /// The open `:` view, shown in its own pane.
    pub fn view(&self) -> Option<&ViewSpec> {
        let (name, _) = self.book()?.view.as_ref()?;
        if *name == super::audit_view::AUDIT_VIEW {
            return Some(super::audit_view::spec());
        }
        self.tenant()?.caps().view(name)
    }

    /// The panes on screen, left to right: the main three, then the view.
    pub fn panes(&self) -> Vec<Pane> {
        let mut panes = Pane::ALL.to_vec();
        if self.view().is_some() || self.radar.is_some() {
            panes.push(Pane::View);
        }
        panes
    }

    /// The pane's title as its platform names it.
    pub fn title(&self, pane: Pane) -> &'static str {
        match pane {
            Pane::View if self.radar.is_some() => "",
            Pane::View => self.view().map_or("", |v| v.title),
            main => self.tenant().map_or("", |t| t.caps().pane(main).title()),
        }
    }

    pub fn source(&self, pane: Pane) -> Source {
        match (pane, self.book().and_then(|b| b.view.as_ref())) {
            (Pane::View, Some((name, _))) => Source::View(name),
            _ => Source::Pane(pane),
        }
    }

    /// Columns and scope of what a pane shows; `None` when unsupported.
    pub fn layout(&self, pane: Pane) -> Option<(Vec<&'static str>, Option<Pane>)> {
        match self.source(pane) {
            Source::View(_) => self.view().map(|v| (v.columns.clone(), v.scope)),
            Source::Pane(Pane::View) => None,
            Source::Pane(p) => match self.tenant()?.caps().pane(p).body() {
                PaneBody::List { columns, scope } => Some((columns.clone(), *scope)),
                PaneBody::Unsupported(_) => None,
            },
        }
    }

    pub fn unsupported_reason(&self, pane: Pane) -> Option<&'static str> {
        if pane == Pane::View {
            return None;
        }
        match self.tenant()?.caps().pane(pane).body() {
            PaneBody::Unsupported(reason) => Some(reason),
            PaneBody::List { .. } => None,
        }
    }

    /// The cache key a pane reads now; `None` when its scope has no selection.
    pub fn list_key(&self, pane: Pane) -> Option<ListKey> {
        let (_, scope) = self.layout(pane)?;
        let parent = match scope {
            Some(parent) => Some(self.selected(parent)?.id.clone()),
            None => None,
        };
        let query = self.cursor(pane).and_then(|c| c.search.clone());
        Some(ListKey {
            source: self.source(pane),
            parent,
            query,
        })
    }

    /// Whether `/` on this pane asks the server: its platform can search
    /// it and the whole list took more than one page (or a search is
    /// already shown, which the user is refining); a view that searches
    /// always asks.
    pub fn searches_server(&self, pane: Pane) -> bool {
        if pane == Pane::View {
            return self.view().is_some_and(|v| v.searches);
        }
        let searchable = self
            .tenant()
            .is_some_and(|t| t.caps().pane(pane).searches());
        if !searchable {
            return false;
        }
        if self.cursor(pane).is_some_and(|c| c.search.is_some()) {
            return true;
        }
        self.list_key(pane)
            .and_then(|key| self.book()?.lists.get(&key))
            .is_some_and(Listing::spans_pages)
    }

    pub fn listing(&self, pane: Pane) -> Option<&Listing> {
        self.book()?.lists.get(&self.list_key(pane)?)
    }

    pub fn cursor(&self, pane: Pane) -> Option<&Cursor> {
        let book = self.book()?;
        match (&book.view, pane) {
            (Some((_, cursor)), Pane::View) => Some(cursor),
            _ => book.cursors.get(pane.index()),
        }
    }

    pub(super) fn cursor_mut(&mut self, pane: Pane) -> Option<&mut Cursor> {
        self.cursor_in(self.active, pane)
    }

    /// A pane's cursor on any tenant, the active one or not.
    pub(super) fn cursor_in(&mut self, tenant: usize, pane: Pane) -> Option<&mut Cursor> {
        let book = self.books.get_mut(tenant)?;
        match (&mut book.view, pane) {
            (Some((_, cursor)), Pane::View) => Some(cursor),
            _ => book.cursors.get_mut(pane.index()),
        }
    }

    pub fn selected(&self, pane: Pane) -> Option<&Resource> {
        // The radar's row, of whichever tenant it lives in.
        if let (Pane::View, Some(radar)) = (pane, &self.radar) {
            return radar.selected_hit().map(|h| &h.found().resource);
        }
        let cursor = self.cursor(pane)?;
        let index = *cursor.visible.get(cursor.selected)?;
        self.listing(pane)?.items.get(index)
    }

    /// Selects `id`, the resource a create just made, once the refreshed
    /// lists of the active tenant show it.
    pub(super) fn reveal(&mut self, id: String) {
        if let Some(book) = self.books.get_mut(self.active) {
            book.reveal = Some(id);
        }
    }

    /// Until the server answers a search of `pane` (its list now `to`,
    /// before `from`), the new list holds the rows the pane shows, so its
    /// selection, and what the panes to its right list, stay put.
    pub(super) fn hold_rows(&mut self, pane: Pane, from: &ListKey, to: &ListKey) {
        let rows: Vec<Resource> = match (self.cursor(pane), self.book()) {
            (Some(cursor), Some(book)) => book.lists.get(from).map_or_else(Vec::new, |l| {
                cursor
                    .visible
                    .iter()
                    .filter_map(|i| l.items.get(*i).cloned())
                    .collect()
            }),
            _ => return,
        };
        if let Some(book) = self.books.get_mut(self.active) {
            let listing = book.lists.entry(to.clone()).or_default();
            if listing.loaded_at.is_none() && listing.items.is_empty() {
                listing.items = Arc::new(rows);
                listing.generation += 1;
            }
        }
    }

    /// Recomputes the visible rows of the active tenant's panes, parents
    /// first, because a child's list depends on its parent's selection.
    pub(super) fn sync(&mut self) {
        self.sync_cursors();
        if self.select_revealed() {
            // A new parent selection changes what its children list.
            self.sync_cursors();
        }
    }

    fn sync_cursors(&mut self) {
        for pane in self.panes() {
            let key = self.list_key(pane);
            let Some(book) = self.books.get_mut(self.active) else {
                return;
            };
            let listing = key.as_ref().and_then(|k| book.lists.get(k));
            let cursor = match (&mut book.view, pane) {
                (Some((_, cursor)), Pane::View) => Some(cursor),
                _ => book.cursors.get_mut(pane.index()),
            };
            if let Some(cursor) = cursor {
                cursor.sync(key.as_ref(), listing);
                if let Some(job) = cursor.outbox.take() {
                    self.jobs.push(job.addressed(self.active, pane));
                }
            }
        }
    }

    /// Moves the selection and focus to the revealed resource when a
    /// visible row holds it. Once every list has answered without it (a
    /// filter hides it, say), the wish is dropped rather than jumping
    /// later, when the user has moved on.
    fn select_revealed(&mut self) -> bool {
        let Some(id) = self.book().and_then(|b| b.reveal.clone()) else {
            return false;
        };
        let found = self.panes().into_iter().find_map(|pane| {
            let items = self.listing(pane)?.items();
            let row = self
                .cursor(pane)?
                .visible()
                .iter()
                .position(|i| items.get(*i).is_some_and(|r| r.id == id))?;
            Some((pane, row))
        });
        let Some((pane, row)) = found else {
            if let Some(book) = self.books.get_mut(self.active)
                && book.lists.values().all(|l| l.pending.is_none())
            {
                book.reveal = None;
            }
            return false;
        };
        if let Some(cursor) = self.cursor_mut(pane) {
            cursor.selected = row;
        }
        if let Some(book) = self.books.get_mut(self.active) {
            book.reveal = None;
            book.focus = Some(pane);
        }
        true
    }
}
