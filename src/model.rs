//! Platform-neutral resources. Adapters translate vendor documents into
//! these; the UI knows nothing else.
use std::fmt::Write as _;

use std::fmt;
use std::sync::{Arc, OnceLock};

use time::OffsetDateTime;
use zeroize::Zeroizing;

/// Where a list is shown. The three main panes are slots every tenant
/// has, whatever its platform, so muscle memory holds across tenants; each
/// platform titles them itself. `View` is the extra pane a `:` view opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pane {
    Projects,
    Applications,
    Certificates,
    View,
}

impl Pane {
    /// The main panes, left to right.
    pub const ALL: [Self; 3] = [Self::Projects, Self::Applications, Self::Certificates];

    pub const fn index(self) -> usize {
        match self {
            Self::Projects => 0,
            Self::Applications => 1,
            Self::Certificates => 2,
            Self::View => 3,
        }
    }
}

/// What a row is. One pane may mix kinds (certificates, CAs and keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Project,
    ClientApp,
    Application,
    Bot,
    Certificate,
    CertificateAuthority,
    AccessKey,
    PackageKey,
    /// A public key an application embeds in what it ships.
    AppKey,
    /// A secret key the platform keeps and shows again on request.
    TrustedKey,
    AssetType,
    EntityLink,
    Person,
    TaskType,
    ProjectStatus,
    /// A long-lived API token the platform issues for programs.
    ApiToken,
    /// One line of Portico's own audit log, shown by `:audit`.
    AuditEntry,
}

/// A change the user can ask for on a resource, for saying which ones the
/// tenant's credential may not make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// Creating something under this resource (a credential of an application).
    CreateUnder,
    Edit,
    Delete,
    Rotate,
    Toggle,
}

impl Kind {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::ClientApp => "client application",
            Self::Application => "application",
            Self::Bot => "bot",
            Self::Certificate => "certificate",
            Self::CertificateAuthority => "certificate authority",
            Self::AccessKey => "access key",
            Self::PackageKey => "package key",
            Self::AppKey => "application API key",
            Self::TrustedKey => "trusted application key",
            Self::AssetType => "asset type",
            Self::EntityLink => "entity link",
            Self::Person => "person",
            Self::TaskType => "task type",
            Self::ProjectStatus => "project status",
            Self::ApiToken => "API token",
            Self::AuditEntry => "audit entry",
        }
    }

    /// Short form for the kind column of mixed panes.
    pub const fn short(self) -> &'static str {
        match self {
            Self::Certificate => "cert",
            Self::CertificateAuthority => "ca",
            Self::AccessKey => "key",
            Self::PackageKey => "pkg key",
            Self::AppKey => "app key",
            Self::TrustedKey => "trusted key",
            Self::ApiToken => "token",
            other => other.label(),
        }
    }
}

/// Where a resource stands, in Portico's words whatever the platform's:
/// the adapter maps its vendor's status words onto these, so shared code
/// never matches a vendor's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lifecycle {
    #[default]
    Active,
    /// Disabled, deactivated, closed: kept, but not in use.
    Inactive,
    /// Still enabled, but past its expiry.
    Expired,
}

impl Lifecycle {
    pub const ALL: [Self; 3] = [Self::Active, Self::Inactive, Self::Expired];

    pub const fn label(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Expired => "expired",
        }
    }

    /// An enabled resource past `expires` has expired; a disabled one
    /// stays inactive whatever its dates.
    pub fn of(enabled: bool, expires: Option<OffsetDateTime>, now: OffsetDateTime) -> Self {
        match (enabled, expires) {
            (false, _) => Self::Inactive,
            (true, Some(at)) if at <= now => Self::Expired,
            (true, _) => Self::Active,
        }
    }
}

/// One row of a pane and the fields of its detail view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    /// `active`, `inactive`, `Open`, `Closed`... as the platform says it,
    /// for display only.
    pub status: Option<String>,
    /// The normalised state behaviour and colouring go by.
    pub state: Lifecycle,
    /// Certificate expiry or a bot's expiration date.
    pub expires: Option<OffsetDateTime>,
    /// Cells for the pane's platform-specific columns, in the pane's order.
    pub cells: Vec<String>,
    /// Key/value pairs for the detail view; edit forms prefill from these keys.
    pub details: Vec<(String, String)>,
    /// Changes the tenant's credential may not make here, each with why.
    pub refused: Vec<(Change, String)>,
    /// Detail fields made from the row itself only when first asked for,
    /// so a list of 100,000 keeps no copy of what each row can derive.
    derived: Option<Box<Derived>>,
}

/// Makes a resource's derived detail fields from the resource and a text
/// its whole list shares (an endpoint, a domain).
pub type Derive = fn(&Resource, &str) -> Vec<(String, String)>;

#[derive(Clone)]
struct Derived {
    derive: Derive,
    shared: Arc<str>,
    made: OnceLock<Vec<(String, String)>>,
}

impl Derived {
    fn fields(&self, res: &Resource) -> &[(String, String)] {
        self.made.get_or_init(|| {
            let mut fields = (self.derive)(res, &self.shared);
            for (key, value) in &mut fields {
                bound(key);
                bound(value);
            }
            fields
        })
    }
}

impl PartialEq for Derived {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.derive, other.derive) && self.shared == other.shared
    }
}

impl Eq for Derived {}

impl fmt::Debug for Derived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Derived")
            .field("shared", &self.shared)
            .field("made", &self.made.get())
            .finish_non_exhaustive()
    }
}

/// The longest text kept from a server, in characters.
pub const MAX_FIELD_CHARS: usize = 10_000;

/// Cuts `text` to [`MAX_FIELD_CHARS`] characters plus a note of the cut.
pub fn bound(text: &mut String) {
    // A byte count under the limit cannot hold more characters than that.
    if text.len() <= MAX_FIELD_CHARS {
        return;
    }
    let Some((at, _)) = text.char_indices().nth(MAX_FIELD_CHARS) else {
        return;
    };
    let more = text[at..].chars().count();
    text.truncate(at);
    let _ = write!(text, "…[cut: {more} more characters]");
}

impl Resource {
    pub fn new(kind: Kind, id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
            name: name.into(),
            status: None,
            state: Lifecycle::Active,
            expires: None,
            cells: Vec::new(),
            details: Vec::new(),
            refused: Vec::new(),
            derived: None,
        }
    }

    /// Adds detail fields `derive` makes from this resource and `shared`
    /// when they are first read, after those in `details`. What it makes
    /// is bounded like every other field.
    pub fn with_derived(mut self, derive: Derive, shared: Arc<str>) -> Self {
        self.derived = Some(Box::new(Derived {
            derive,
            shared,
            made: OnceLock::new(),
        }));
        self
    }

    /// Every detail field, kept and derived, in display order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        let derived = self.derived.as_deref().map_or(&[][..], |d| d.fields(self));
        self.details
            .iter()
            .chain(derived)
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Why the tenant's credential may not make `change` here, if it may not.
    pub fn refusal(&self, change: Change) -> Option<&str> {
        self.refused
            .iter()
            .find(|(c, _)| *c == change)
            .map(|(_, why)| why.as_str())
    }

    /// Cuts every text field to [`MAX_FIELD_CHARS`], marking what was cut,
    /// so what is kept and drawn never grows with what a server sent.
    pub fn bounded(mut self) -> Self {
        bound(&mut self.id);
        bound(&mut self.name);
        if let Some(status) = &mut self.status {
            bound(status);
        }
        self.cells.iter_mut().for_each(bound);
        for (key, value) in &mut self.details {
            bound(key);
            bound(value);
        }
        self
    }

    pub fn detail(&self, key: &str) -> Option<&str> {
        self.fields().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn with_detail(mut self, key: &str, value: impl Into<String>) -> Self {
        self.details.push((key.to_string(), value.into()));
        self
    }

    /// Enabled, whether or not it has expired: what an enable/disable
    /// toggle goes by.
    pub fn is_active(&self) -> bool {
        self.state != Lifecycle::Inactive
    }
}

/// A newly issued credential. Never printed by `Debug`, wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        "•".repeat(self.0.chars().count().clamp(8, 40))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A secret the platform has just shown for the only time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedSecret {
    /// What the secret is called on this platform (client secret, bot token...).
    pub label: String,
    /// The public half, if any (client id, access key).
    pub public_id: Option<String>,
    pub secret: Secret,
}

#[cfg(test)]
mod bound_tests {
    use super::*;

    #[test]
    fn long_fields_are_cut_and_marked() {
        let mut res = Resource::new(Kind::Application, "id", "é".repeat(MAX_FIELD_CHARS + 5));
        res.details.push(("k".into(), "v".repeat(20 << 20)));
        let res = res.bounded();
        assert!(res.name.starts_with(&"é".repeat(MAX_FIELD_CHARS)));
        assert!(
            res.name.ends_with("…[cut: 5 more characters]"),
            "{}",
            &res.name[res.name.len() - 40..]
        );
        assert!(res.details[0].1.chars().count() < MAX_FIELD_CHARS + 40);
        let short = Resource::new(Kind::Application, "id", "short").bounded();
        assert_eq!(short.name, "short");
    }

    fn derive(res: &Resource, shared: &str) -> Vec<(String, String)> {
        vec![
            ("user".into(), format!("app-{}@{shared}", res.id)),
            ("long".into(), "x".repeat(MAX_FIELD_CHARS + 1)),
        ]
    }

    #[test]
    fn derived_fields_follow_kept_ones_and_are_bounded() {
        let shared: Arc<str> = "example.test".into();
        let res = Resource::new(Kind::ClientApp, "a1", "App")
            .with_detail("kept", "yes")
            .with_derived(derive, Arc::clone(&shared));
        let keys: Vec<&str> = res.fields().map(|(k, _)| k).collect();
        assert_eq!(keys, ["kept", "user", "long"]);
        assert_eq!(res.detail("user"), Some("app-a1@example.test"));
        assert_eq!(res.detail("kept"), Some("yes"));
        assert!(
            res.detail("long")
                .is_some_and(|v| v.ends_with("…[cut: 1 more characters]"))
        );
        assert_eq!(res.detail("absent"), None);
        // A copy made before or after the fields are first read is equal.
        let copy = res.clone();
        assert_eq!(copy, res);
        let other = Resource::new(Kind::ClientApp, "a1", "App")
            .with_detail("kept", "yes")
            .with_derived(derive, "elsewhere.test".into());
        assert_ne!(other, res);
        assert!(
            res.details.len() == 1,
            "derived fields are not stored as kept ones"
        );
    }
}
