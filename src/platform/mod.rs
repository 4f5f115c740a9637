//! One adapter per vendor behind one trait. The app learns what a platform
//! can do from [`Capabilities`], which is plain data, so `update` stays pure.

pub mod connect;
pub mod http;
pub mod kitsu;
pub mod losant;
pub mod mashery;
pub mod project44;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::model::{IssuedSecret, Kind, Pane, Resource, Secret};

/// Boxed so the trait stays object-safe: the runtime holds `Arc<dyn Platform>`.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T, PlatformError>> + Send + 'a>>;

/// Reports list progress: items loaded so far and the total when known.
pub type Progress = Arc<dyn Fn(usize, Option<usize>) + Send + Sync>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlatformError {
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("HTTP {status}: {message}")]
    Api { status: u16, message: String },
    #[error("rate limited{}", retry_hint(.retry_after))]
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
}

fn seconds(d: &Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs())
    }
}

fn retry_hint(after: &Option<Duration>) -> String {
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
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    /// The project or application the resource lives under, if any.
    pub parent: Option<String>,
}

/// Form values keyed by [`Field::key`].
pub type Values = Vec<(String, String)>;

pub fn value<'a>(values: &'a Values, key: &str) -> Option<&'a str> {
    values
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[derive(Debug, Clone, PartialEq)]
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
}

impl Operation {
    pub fn verb(&self) -> &'static str {
        match self {
            Operation::Create { .. } => "create",
            Operation::Update { .. } => "update",
            Operation::SetActive { active: true, .. } => "activate",
            Operation::SetActive { active: false, .. } => "deactivate",
            Operation::Delete { .. } => "delete",
            Operation::Rotate { .. } => "rotate",
        }
    }

    pub fn target(&self) -> Option<&Target> {
        match self {
            Operation::Create { .. } => None,
            Operation::Update { target, .. }
            | Operation::SetActive { target, .. }
            | Operation::Delete { target }
            | Operation::Rotate { target, .. } => Some(target),
        }
    }
}

/// A check run after a rotation, e.g. "old secret rejected".
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub label: String,
    pub passed: bool,
}

/// The second phase of a rotation, run only once the user confirms.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub prompt: String,
    pub op: Operation,
    /// Shown when the user declines, so the state left behind is never a surprise.
    pub abort_note: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    pub summary: String,
    /// The id of what a create made, so its secret is filed under it.
    pub created: Option<String>,
    pub secret: Option<IssuedSecret>,
    pub checks: Vec<Check>,
    pub follow_up: Option<FollowUp>,
}

impl Outcome {
    pub fn done(summary: impl Into<String>) -> Self {
        Outcome {
            summary: summary.into(),
            ..Outcome::default()
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
    /// Comma-separated list.
    List,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
}

impl Field {
    pub const fn text(key: &'static str, label: &'static str, required: bool) -> Self {
        Field {
            key,
            label,
            input: Input::Text,
            required,
        }
    }

    pub const fn with(key: &'static str, label: &'static str, input: Input) -> Self {
        Field {
            key,
            label,
            input,
            required: false,
        }
    }
}

/// How a pane maps onto a platform.
#[derive(Debug, Clone, PartialEq)]
pub enum PaneSpec {
    Unsupported(&'static str),
    List {
        /// Column headers for [`Resource::cells`], after the name column.
        columns: Vec<&'static str>,
        /// The pane whose selection scopes this list (applications of a project).
        scope: Option<Pane>,
    },
}

/// An extra view opened with `:name`, listing resources under a scope.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    pub scope: Option<Pane>,
}

#[derive(Debug, Clone, PartialEq)]
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
}

/// What can be done to one kind of resource.
#[derive(Debug, Clone, PartialEq)]
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
}

impl KindSpec {
    pub fn new(kind: Kind) -> Self {
        KindSpec {
            kind,
            create: None,
            edit: None,
            delete: false,
            delete_needs_inactive: None,
            rotate: Rotation::Unsupported("this platform has no rotation for it"),
            toggle: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Capabilities {
    pub panes: [PaneSpec; 3],
    pub views: Vec<ViewSpec>,
    pub kinds: Vec<KindSpec>,
    /// The kinds `n` creates in each pane; several means the user picks.
    pub creates: [Vec<Kind>; 3],
}

impl Capabilities {
    pub fn pane(&self, pane: Pane) -> &PaneSpec {
        &self.panes[pane.index()]
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

    fn perform<'a>(&'a self, op: &'a Operation) -> Fut<'a, Outcome>;
}
