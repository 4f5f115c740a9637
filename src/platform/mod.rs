//! One adapter per vendor behind one trait. The app learns what a platform
//! can do from [`Capabilities`], which is plain data, so `update` stays pure.

pub mod crawl;
pub mod evrythng;
pub mod form;
pub mod http;
pub mod kitsu;
pub mod losant;
pub mod mashery;
pub mod pages;
pub mod project44;
pub mod registry;
pub mod session;
pub mod tls;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::model::{IssuedSecret, Kind, Pane, Resource, Secret};

/// Boxed so the trait stays object-safe: the runtime holds `Arc<dyn Platform>`.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T, PlatformError>> + Send + 'a>>;

/// Reports list progress: items loaded so far and the total when known.
pub type Progress = Arc<dyn Fn(usize, Option<usize>) + Send + Sync>;

/// Progress nobody watches: a list loaded as a step of another.
pub fn quiet() -> Progress {
    Arc::new(|_, _| {})
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("HTTP {status}: {message}")]
    Api { status: u16, message: String },
    #[error("rate limited{}", retry_hint(.retry_after.as_ref()))]
    RateLimited { retry_after: Option<Duration> },
    #[error("timed out after {}", seconds(.0))]
    Timeout(Duration),
    #[error("cannot reach the server: {0}")]
    Network(String),
    #[error("unexpected response: {0}")]
    Decode(String),
    #[error("{0}")]
    Invalid(String),
    #[error("not supported: {0}")]
    Unsupported(String),
    #[error("credentials: {0}")]
    Credentials(String),
    /// The server refused the request's content and said which fields
    /// were wrong, so a form can show each complaint next to its field.
    #[error("HTTP {status}: {message}")]
    Rejected {
        status: u16,
        message: String,
        fields: Vec<FieldError>,
    },
    /// The login needs a one-time code besides the password; the text says
    /// where the code comes from. The console asks for it.
    #[error("two-factor code needed: {0}")]
    SecondFactor(String),
}

/// A server's complaint about one field of a request. `field` is the key
/// of the form field it is about (an adapter maps the vendor's own names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    field: String,
    message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn field(&self) -> &str {
        &self.field
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// What the user can do about an error: each class gets its own way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Transient: asking again may well work.
    Retry,
    /// Rate limited: asking again works after a while, if the server said.
    Wait(Option<Duration>),
    /// The tenant's credentials were refused or could not be read.
    CheckCredentials,
    /// Nothing Portico can offer: the request itself was wrong.
    None,
}

impl PlatformError {
    pub const fn remedy(&self) -> Remedy {
        match self {
            Self::Timeout(_) | Self::Network(_) | Self::Decode(_) => Remedy::Retry,
            Self::Api { status, .. } | Self::Rejected { status, .. } if *status >= 500 => {
                Remedy::Retry
            }
            Self::RateLimited { retry_after } => Remedy::Wait(*retry_after),
            Self::Auth(_) | Self::Credentials(_) | Self::SecondFactor(_) => {
                Remedy::CheckCredentials
            }
            _ => Remedy::None,
        }
    }

    /// The per-field complaints the server gave, if it gave any.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Rejected { fields, .. } => fields,
            _ => &[],
        }
    }
}

fn seconds(d: &Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs())
    }
}

fn retry_hint(after: Option<&Duration>) -> String {
    match after {
        Some(d) => format!(", retry after {}s", d.as_secs().max(1)),
        None => String::new(),
    }
}

/// Where a list comes from: one of the three panes or a `:` view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Pane(Pane),
    View(&'static str),
}

/// The resource an operation acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    /// The project or application the resource lives under, if any.
    pub parent: Option<String>,
}

/// Form values keyed by [`Field::key`].
pub type Values = Vec<(String, String)>;

pub use form::value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    Create {
        kind: Kind,
        parent: Option<String>,
        values: Values,
    },
    Update {
        target: Target,
        values: Values,
    },
    SetActive {
        target: Target,
        active: bool,
    },
    Delete {
        target: Target,
    },
    Rotate {
        target: Target,
        /// The secret being replaced, when Portico issued it and kept a
        /// copy; the adapter then proves it is rejected.
        previous: Option<Secret>,
    },
    /// Reads a secret the platform keeps and shows again on request.
    Reveal {
        target: Target,
    },
}

impl Operation {
    pub const fn verb(&self) -> &'static str {
        match self {
            Self::Create { .. } => "create",
            Self::Update { .. } => "update",
            Self::SetActive { active: true, .. } => "activate",
            Self::SetActive { active: false, .. } => "deactivate",
            Self::Delete { .. } => "delete",
            Self::Rotate { .. } => "rotate",
            Self::Reveal { .. } => "reveal",
        }
    }

    pub const fn target(&self) -> Option<&Target> {
        match self {
            Self::Create { .. } => None,
            Self::Update { target, .. }
            | Self::SetActive { target, .. }
            | Self::Delete { target }
            | Self::Rotate { target, .. }
            | Self::Reveal { target } => Some(target),
        }
    }
}

/// A check run after a rotation, e.g. "old secret rejected".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub label: String,
    pub passed: bool,
}

/// The second phase of a rotation, run only once the user confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub prompt: String,
    pub op: Operation,
    /// Shown when the user declines, so the state left behind is never a surprise.
    pub abort_note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub summary: String,
    /// The id of what a create made, so its secret is filed under it.
    pub created: Option<String>,
    /// The name of what a create made, where the form gave none (a
    /// certificate is named by its subject), for the audit line.
    pub created_name: Option<String>,
    pub secret: Option<IssuedSecret>,
    pub checks: Vec<Check>,
    pub follow_up: Option<FollowUp>,
    /// The platform shows `secret` again whenever asked, so Portico keeps
    /// no copy of it on disk.
    pub rereadable: bool,
}

impl Outcome {
    pub fn done(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    /// A file path, with completion; the adapter reads it.
    Path,
    /// A PEM certificate: a file path or pasted PEM text.
    Pem,
    /// `YYYY-MM-DD`, may be empty.
    Date,
    Choice(&'static [&'static str]),
    /// The id of a row the pane lists (a member's username); completion
    /// offers the ids of its cached rows.
    Row(Pane),
    /// Comma-separated list.
    List,
    /// One of the choices the adapter reads from the server when the form
    /// opens ([`Platform::offer`]); until they come, or if they cannot be
    /// read, the value is typed.
    Offered,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
    /// The vendor's own limit on the value's length, in characters.
    pub max_len: Option<usize>,
    /// The key of a date field this date may not be earlier than.
    pub not_before: Option<&'static str>,
}

impl Field {
    pub const fn text(key: &'static str, label: &'static str, required: bool) -> Self {
        Self {
            key,
            label,
            input: Input::Text,
            required,
            max_len: None,
            not_before: None,
        }
    }

    pub const fn with(key: &'static str, label: &'static str, input: Input) -> Self {
        Self {
            key,
            label,
            input,
            required: false,
            max_len: None,
            not_before: None,
        }
    }

    pub const fn max_len(mut self, max: usize) -> Self {
        self.max_len = Some(max);
        self
    }

    pub const fn not_before(mut self, key: &'static str) -> Self {
        self.not_before = Some(key);
        self
    }
}

/// What a pane holds on a platform: a list, or a reason it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaneBody {
    Unsupported(&'static str),
    List {
        /// Column headers for [`Resource::cells`], after the name column.
        columns: Vec<&'static str>,
        /// The pane whose selection scopes this list (applications of a project).
        scope: Option<Pane>,
    },
}

/// How one pane maps onto a platform: its title, what it lists, and the
/// kinds `n` creates in it (several means the user picks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneSpec {
    title: &'static str,
    body: PaneBody,
    creates: Vec<Kind>,
    /// The server can narrow this list itself ([`Platform::search`]).
    searches: bool,
}

impl PaneSpec {
    pub const fn unsupported(title: &'static str, reason: &'static str) -> Self {
        Self {
            title,
            body: PaneBody::Unsupported(reason),
            creates: Vec::new(),
            searches: false,
        }
    }

    pub const fn list(title: &'static str, columns: Vec<&'static str>) -> Self {
        Self {
            title,
            body: PaneBody::List {
                columns,
                scope: None,
            },
            creates: Vec::new(),
            searches: false,
        }
    }

    /// Lists under the selection of `parent`.
    #[must_use]
    pub const fn scoped_by(mut self, parent: Pane) -> Self {
        if let PaneBody::List { scope, .. } = &mut self.body {
            *scope = Some(parent);
        }
        self
    }

    #[must_use]
    pub fn creating(mut self, kinds: Vec<Kind>) -> Self {
        self.creates = kinds;
        self
    }

    /// The platform answers [`Platform::search`] for this pane, so a
    /// list too long for one page is filtered by the server.
    #[must_use]
    pub const fn searching(mut self) -> Self {
        self.searches = true;
        self
    }

    pub const fn title(&self) -> &'static str {
        self.title
    }

    pub const fn searches(&self) -> bool {
        self.searches
    }

    pub const fn body(&self) -> &PaneBody {
        &self.body
    }

    pub fn creates(&self) -> &[Kind] {
        &self.creates
    }

    pub const fn is_list(&self) -> bool {
        matches!(self.body, PaneBody::List { .. })
    }
}

/// An extra view opened with `:name`, listing resources under a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    pub scope: Option<Pane>,
    /// `/` asks the server through [`Platform::search`], whatever the
    /// list's size: the platform filters on fields the rows do not show.
    pub searches: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    Unsupported(&'static str),
    /// One call issues the new secret and revokes the old at once.
    Immediate {
        warning: &'static str,
    },
    /// A new credential first, the old one retired after the user confirms.
    TwoPhase {
        warning: &'static str,
    },
    /// The same resource takes new material the user supplies (a renewed
    /// certificate): a form asks for it, the adapter's [`Platform::preview`]
    /// describes what it read, and only a confirmed preview is sent, as an
    /// [`Operation::Update`] with the form's values.
    Renew {
        fields: Vec<Field>,
        warning: &'static str,
    },
}

/// What can be done to one kind of resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindSpec {
    pub kind: Kind,
    pub create: Option<Vec<Field>>,
    pub edit: Option<Vec<Field>>,
    pub delete: bool,
    /// Set when the platform deletes only inactive resources; the text explains why.
    pub delete_needs_inactive: Option<&'static str>,
    pub rotate: Rotation,
    /// Labels for activating and deactivating, e.g. ("Reopen", "Close").
    pub toggle: Option<(&'static str, &'static str)>,
    /// How the platform words a rotation of this kind ("Regenerate the
    /// bot's token"); `None` says "Rotate the secret of <kind>".
    pub rotate_title: Option<&'static str>,
    /// Deleting asks for the name to be typed on every tenant, not only
    /// on protected ones.
    pub delete_typed: bool,
    /// Said before a delete, e.g. what else goes with the resource.
    pub delete_warning: Option<&'static str>,
    /// Opening the resource reads its secret from the platform
    /// ([`Operation::Reveal`]) instead of showing the cached detail.
    pub reveal: bool,
}

impl KindSpec {
    pub const fn new(kind: Kind) -> Self {
        Self {
            kind,
            create: None,
            edit: None,
            delete: false,
            delete_needs_inactive: None,
            rotate: Rotation::Unsupported("this platform has no rotation for it"),
            toggle: None,
            rotate_title: None,
            delete_typed: false,
            delete_warning: None,
            reveal: false,
        }
    }
}

/// What a platform offers, as plain data: the three panes (each with its
/// own title), the `:` views, and what can be done to each kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    panes: [PaneSpec; 3],
    views: Vec<ViewSpec>,
    kinds: Vec<KindSpec>,
}

impl Capabilities {
    pub const fn new(panes: [PaneSpec; 3]) -> Self {
        Self {
            panes,
            views: Vec::new(),
            kinds: Vec::new(),
        }
    }

    #[must_use]
    pub fn with_views(mut self, views: Vec<ViewSpec>) -> Self {
        self.views = views;
        self
    }

    #[must_use]
    pub fn with_kinds(mut self, kinds: Vec<KindSpec>) -> Self {
        self.kinds = kinds;
        self
    }

    /// The spec of a main pane; the `:` view pane has none of its own.
    pub fn pane(&self, pane: Pane) -> &PaneSpec {
        static NONE: PaneSpec = PaneSpec {
            title: "",
            body: PaneBody::Unsupported(""),
            creates: Vec::new(),
            searches: false,
        };
        self.panes.get(pane.index()).unwrap_or(&NONE)
    }

    pub fn views(&self) -> &[ViewSpec] {
        &self.views
    }

    pub fn kinds(&self) -> &[KindSpec] {
        &self.kinds
    }

    pub fn kind(&self, kind: Kind) -> Option<&KindSpec> {
        self.kinds.iter().find(|k| k.kind == kind)
    }

    pub fn view(&self, name: &str) -> Option<&ViewSpec> {
        self.views.iter().find(|v| v.name == name)
    }
}

/// One vendor API as Portico needs it.
pub trait Platform: Send + Sync {
    fn capabilities(&self) -> Capabilities;

    /// Lists a pane or view, scoped by `parent` when the spec has a scope.
    fn list<'a>(
        &'a self,
        source: Source,
        parent: Option<&'a str>,
        progress: Progress,
    ) -> Fut<'a, Vec<Resource>>;

    /// How many rows the platform answers per page, for one that pages
    /// with a size Portico chose; `None` for one that answers in one go.
    fn page_size(&self) -> Option<usize> {
        None
    }

    /// Lists like [`Platform::list`] and says how many pages the server
    /// answered in, so the app knows whether a local filter sees it all.
    /// A platform that does not page counts one.
    fn list_paged<'a>(
        &'a self,
        source: Source,
        parent: Option<&'a str>,
        progress: Progress,
    ) -> Fut<'a, Paged> {
        Box::pin(async move {
            let items = self.list(source, parent, progress).await?;
            Ok(match self.page_size() {
                Some(per_page) => Paged::counted(items, per_page),
                None => Paged::new(items, 1),
            })
        })
    }

    /// The rows of a list the server itself narrowed to `query`, for a
    /// pane whose spec is [`PaneSpec::searching`]. None can by default.
    fn search<'a>(
        &'a self,
        source: Source,
        _parent: Option<&'a str>,
        _query: &'a str,
        _progress: Progress,
    ) -> Fut<'a, Paged> {
        Box::pin(async move {
            Err(PlatformError::Unsupported(format!(
                "no server-side search for {source:?}"
            )))
        })
    }

    /// Performs `op`, handing any secret it issues to `keep` the moment it
    /// is decoded, before any check or further decoding.
    fn perform_keeping<'a>(&'a self, op: &'a Operation, keep: &'a dyn Keep) -> Fut<'a, Outcome>;

    /// Lines that describe what `op` would do, read before anything is
    /// sent (a renewal's new certificate); shown in its confirmation.
    /// No platform needs one by default.
    fn preview<'a>(&'a self, _op: &'a Operation) -> Fut<'a, Vec<String>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Logs in again with `code`, the one-time code a login refused with
    /// [`PlatformError::SecondFactor`] asked for; says who the session now
    /// acts as. Only platforms with such logins take one.
    fn second_factor(&self, _code: Secret) -> Fut<'_, String> {
        Box::pin(async {
            Err(PlatformError::Unsupported(
                "this platform asks for no two-factor code".into(),
            ))
        })
    }

    /// The choices an [`Input::Offered`] field `field` of a `kind` form
    /// offers, for a resource under `parent`. None by default.
    fn offer<'a>(
        &'a self,
        _kind: Kind,
        _field: &'a str,
        _parent: Option<&'a str>,
    ) -> Fut<'a, Vec<String>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Performs `op`; an issued secret comes back in the outcome only.
    fn perform<'a>(&'a self, op: &'a Operation) -> Fut<'a, Outcome> {
        self.perform_keeping(op, &InOutcome)
    }

    /// The vendor's own document for `target`, as the server sent it,
    /// read on demand (`Y`) so no list keeps every document in memory.
    /// Only an idempotent read: a secret the vendor shows once is never
    /// in it. None by default.
    fn document<'a>(&'a self, target: &'a Target) -> Fut<'a, serde_json::Value> {
        Box::pin(async move {
            Err(PlatformError::Unsupported(format!(
                "no raw document for a {}",
                target.kind.label()
            )))
        })
    }
}

/// A list's rows and the number of pages the server gave them in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Paged {
    items: Vec<Resource>,
    pages: usize,
}

impl Paged {
    pub fn new(items: Vec<Resource>, pages: usize) -> Self {
        Self {
            items,
            pages: pages.max(1),
        }
    }

    /// Pages needed for `items` at `per_page` a page.
    pub fn counted(items: Vec<Resource>, per_page: usize) -> Self {
        let pages = items.len().div_ceil(per_page.max(1));
        Self::new(items, pages)
    }

    pub fn items(&self) -> &[Resource] {
        &self.items
    }

    pub const fn pages(&self) -> usize {
        self.pages
    }

    pub fn into_parts(self) -> (Vec<Resource>, usize) {
        (self.items, self.pages)
    }
}

/// A secret the platform has just issued, with the resource it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub kind: Kind,
    /// The resource the secret is filed under: the new one for a create.
    pub resource: String,
    pub name: String,
    pub secret: IssuedSecret,
}

/// Takes a newly issued secret into safe keeping. An adapter awaits it
/// before verifying the secret or decoding the rest of the answer, so a
/// quit, a crash or a malformed answer after this point cannot lose it.
pub trait Keep: Send + Sync {
    fn keep<'a>(&'a self, issued: &'a Issued) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

    /// The secret Portico keeps for `resource` from an earlier issue, for
    /// an operation that replaces it without being an
    /// [`Operation::Rotate`] (which carries it as `previous`). Asked
    /// before the replacement is issued.
    fn held<'a>(
        &'a self,
        _resource: &'a str,
    ) -> Pin<Box<dyn Future<Output = Option<Secret>> + Send + 'a>> {
        Box::pin(async { None })
    }
}

/// Keeps nothing beyond the outcome, for callers that store it themselves.
pub struct InOutcome;

impl Keep for InOutcome {
    fn keep<'a>(&'a self, _issued: &'a Issued) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async {})
    }
}
