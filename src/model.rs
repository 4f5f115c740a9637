//! Platform-neutral resources. Adapters translate vendor documents into
//! these; the UI knows nothing else.

use std::fmt;

use time::OffsetDateTime;
use zeroize::Zeroizing;

/// The three panes every tenant shows, whatever its platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pane {
    Projects,
    Applications,
    Certificates,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Projects, Pane::Applications, Pane::Certificates];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Projects => "Projects",
            Pane::Applications => "Applications",
            Pane::Certificates => "Certificates",
        }
    }

    pub fn index(self) -> usize {
        match self {
            Pane::Projects => 0,
            Pane::Applications => 1,
            Pane::Certificates => 2,
        }
    }
}

/// What a row is. One pane may mix kinds (Losant certificates, CAs and keys).
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
    /// A public key an application embeds (EVRYTHNG's appApiKey).
    AppKey,
    /// A secret key the platform keeps and shows again on request.
    TrustedKey,
    AssetType,
    EntityLink,
    Person,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Project => "project",
            Kind::ClientApp => "client application",
            Kind::Application => "application",
            Kind::Bot => "bot",
            Kind::Certificate => "certificate",
            Kind::CertificateAuthority => "certificate authority",
            Kind::AccessKey => "access key",
            Kind::PackageKey => "package key",
            Kind::AppKey => "application API key",
            Kind::TrustedKey => "trusted application key",
            Kind::AssetType => "asset type",
            Kind::EntityLink => "entity link",
            Kind::Person => "person",
        }
    }

    /// Short form for the kind column of mixed panes.
    pub fn short(self) -> &'static str {
        match self {
            Kind::Certificate => "cert",
            Kind::CertificateAuthority => "ca",
            Kind::AccessKey => "key",
            Kind::PackageKey => "pkg key",
            Kind::AppKey => "app key",
            Kind::TrustedKey => "trusted key",
            other => other.label(),
        }
    }
}

/// One row of a pane and the fields of its detail view.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    /// `active`, `inactive`, `Open`, `Closed`... as the platform says it.
    pub status: Option<String>,
    /// Certificate expiry or a bot's expiration date.
    pub expires: Option<OffsetDateTime>,
    /// Cells for the pane's platform-specific columns, in the pane's order.
    pub cells: Vec<String>,
    /// Key/value pairs for the detail view; edit forms prefill from these keys.
    pub details: Vec<(String, String)>,
}

impl Resource {
    pub fn new(kind: Kind, id: impl Into<String>, name: impl Into<String>) -> Self {
        Resource {
            kind,
            id: id.into(),
            name: name.into(),
            status: None,
            expires: None,
            cells: Vec::new(),
            details: Vec::new(),
        }
    }

    pub fn detail(&self, key: &str) -> Option<&str> {
        self.details
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn with_detail(mut self, key: &str, value: impl Into<String>) -> Self {
        self.details.push((key.to_string(), value.into()));
        self
    }

    pub fn is_active(&self) -> bool {
        matches!(self.status.as_deref(), Some("active" | "Open"))
    }
}

/// A newly issued credential. Never printed by `Debug`, wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
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
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedSecret {
    /// What the secret is called on this platform (client secret, bot token...).
    pub label: String,
    /// The public half, if any (client id, access key).
    pub public_id: Option<String>,
    pub secret: Secret,
}
