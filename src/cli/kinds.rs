//! The command line's nouns, and the platform-neutral kinds each covers.
//! Which pane lists them on a platform comes from its capabilities.

use crate::model::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
    Projects,
    Apps,
    Certs,
    Keys,
    Bots,
    Members,
}

impl Noun {
    /// Every noun, in the order the command line's help lists them.
    pub const ALL: [Self; 6] = [
        Self::Projects,
        Self::Apps,
        Self::Certs,
        Self::Keys,
        Self::Bots,
        Self::Members,
    ];

    pub const fn kinds(self) -> &'static [Kind] {
        match self {
            Self::Projects => &[Kind::Project],
            Self::Apps => &[Kind::ClientApp, Kind::Application],
            Self::Certs => &[Kind::Certificate, Kind::CertificateAuthority],
            Self::Keys => &[
                Kind::AccessKey,
                Kind::PackageKey,
                Kind::AppKey,
                Kind::TrustedKey,
                Kind::ApiToken,
            ],
            Self::Bots => &[Kind::Bot],
            Self::Members => &[Kind::Person],
        }
    }

    pub fn covers(self, kind: Kind) -> bool {
        self.kinds().contains(&kind)
    }

    pub const fn word(self) -> &'static str {
        match self {
            Self::Projects => "projects",
            Self::Apps => "apps",
            Self::Certs => "certs",
            Self::Keys => "keys",
            Self::Bots => "bots",
            Self::Members => "members",
        }
    }
}

/// The stable spelling of a kind in `-o json` and `--type`: lower case,
/// so `application API key` is `application-api-key` as documented.
pub fn slug(kind: Kind) -> String {
    kind.label().replace(' ', "-").to_lowercase()
}

/// Parses `--type`: the slug or the short form (`ca`, `cert`, `key`).
pub fn parse_kind(text: &str, among: &[Kind]) -> Option<Kind> {
    among
        .iter()
        .copied()
        .find(|k| slug(*k) == text || k.short() == text || k.label() == text)
}
