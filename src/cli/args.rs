//! The command line's grammar: `portico <kind> <verb>`, `find`, `expiring`.

use clap::{Args, Subcommand, ValueEnum};

use super::kinds::Noun;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Yaml,
}

/// When an issued secret goes to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowSecret {
    /// Only when stdout is not a terminal (a pipe or a file).
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct Output {
    /// Output format; `table` on a terminal, else `json`.
    #[arg(short = 'o', long = "output", value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Clone, Args)]
pub struct Secrets {
    /// Print an issued secret to stdout (`always` when given bare).
    #[arg(long, value_enum, num_args = 0..=1, default_value = "auto", default_missing_value = "always")]
    pub show_secret: ShowSecret,
}

#[derive(Debug, Clone, Args)]
pub struct Rails {
    /// Go ahead without asking; required when stdin is not a terminal.
    #[arg(long)]
    pub yes: bool,
    /// The resource's name, required on a protected tenant (and where the
    /// platform always asks for it).
    #[arg(long, value_name = "NAME")]
    pub confirm: Option<String>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// The tenants in the config.
    Tenants {
        #[command(subcommand)]
        verb: TenantVerb,
    },
    /// Projects (productions, ...).
    Projects {
        #[command(subcommand)]
        verb: Verb,
    },
    /// Applications and client applications.
    Apps {
        #[command(subcommand)]
        verb: Verb,
    },
    /// Certificates and certificate authorities.
    Certs {
        #[command(subcommand)]
        verb: Verb,
    },
    /// Access keys, package keys, application keys, API tokens.
    Keys {
        #[command(subcommand)]
        verb: Verb,
    },
    /// Bots and their tokens.
    Bots {
        #[command(subcommand)]
        verb: Verb,
    },
    /// Members and persons.
    Members {
        #[command(subcommand)]
        verb: Verb,
    },
    /// Search every tenant in parallel by name and id.
    Find {
        /// What to look for in names and ids.
        text: String,
        /// Give up on a tenant that has not answered after this long.
        #[arg(long, default_value = "20s", value_parser = crate::span::parse)]
        deadline: std::time::Duration,
        #[command(flatten)]
        out: Output,
    },
    /// Everything with an expiry across every tenant, soonest first; exits
    /// 9 when anything expires within the window (or has expired).
    Expiring {
        /// The window: `30d`, `12h`, `90m`...
        #[arg(long, default_value = "30d", value_parser = crate::span::parse)]
        within: std::time::Duration,
        /// Give up on a tenant that has not answered after this long.
        #[arg(long, default_value = "20s", value_parser = crate::span::parse)]
        deadline: std::time::Duration,
        #[command(flatten)]
        out: Output,
    },
}

impl Command {
    pub(super) const fn noun(&self) -> Option<(Noun, &Verb)> {
        let (noun, verb) = match self {
            Self::Projects { verb } => (Noun::Projects, verb),
            Self::Apps { verb } => (Noun::Apps, verb),
            Self::Certs { verb } => (Noun::Certs, verb),
            Self::Keys { verb } => (Noun::Keys, verb),
            Self::Bots { verb } => (Noun::Bots, verb),
            Self::Members { verb } => (Noun::Members, verb),
            _ => return None,
        };
        Some((noun, verb))
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum TenantVerb {
    /// Every configured tenant.
    List {
        #[command(flatten)]
        out: Output,
    },
    /// One tenant.
    Get {
        /// The tenant's name.
        name: String,
        #[command(flatten)]
        out: Output,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum Verb {
    /// Every tenant's (or `--tenant`'s) resources of this kind.
    List {
        /// Only those listed under this parent (id or name).
        #[arg(long)]
        parent: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// One resource, by id or exact name.
    Get {
        /// The resource: its id, or its exact name.
        resource: String,
        #[command(flatten)]
        out: Output,
    },
    /// Creates one; fields are given as `--set key=value`.
    Create {
        /// The parent (id or name) for kinds listed under one.
        #[arg(long)]
        parent: Option<String>,
        /// Which kind, where a pane creates several (e.g. `ca`).
        #[arg(long = "type", value_name = "KIND")]
        kind: Option<String>,
        /// A form field to set, as on the console's form; repeat it.
        #[arg(long = "set", value_name = "KEY=VALUE", value_parser = key_value)]
        set: Vec<(String, String)>,
        #[command(flatten)]
        secrets: Secrets,
        #[command(flatten)]
        out: Output,
    },
    /// Changes the editable fields given as `--set key=value`.
    Update {
        /// The resource: its id, or its exact name.
        resource: String,
        /// A form field to set, as on the console's form; repeat it.
        #[arg(long = "set", value_name = "KEY=VALUE", value_parser = key_value)]
        set: Vec<(String, String)>,
        #[command(flatten)]
        out: Output,
    },
    /// Deletes one, asking first as the console does.
    Delete {
        /// The resource: its id, or its exact name.
        resource: String,
        #[command(flatten)]
        rails: Rails,
        #[command(flatten)]
        out: Output,
    },
    /// Issues a new secret; the old one stops working as the platform says.
    Rotate {
        /// The resource: its id, or its exact name.
        resource: String,
        /// On a two-phase rotation, also retire the old credential.
        #[arg(long)]
        finish: bool,
        /// A renewal's new material (a certificate's PEM) as `--set
        /// key=value`, the fields the console's renew form asks for.
        #[arg(long = "set", value_name = "KEY=VALUE", value_parser = key_value)]
        set: Vec<(String, String)>,
        #[command(flatten)]
        rails: Rails,
        #[command(flatten)]
        secrets: Secrets,
        #[command(flatten)]
        out: Output,
    },
    /// Enables (activates, reopens) one.
    Enable {
        /// The resource: its id, or its exact name.
        resource: String,
        #[command(flatten)]
        out: Output,
    },
    /// Disables (deactivates, closes) one.
    Disable {
        /// The resource: its id, or its exact name.
        resource: String,
        #[command(flatten)]
        out: Output,
    },
}

impl Verb {
    pub(super) const fn output(&self) -> Option<Format> {
        match self {
            Self::List { out, .. }
            | Self::Get { out, .. }
            | Self::Create { out, .. }
            | Self::Update { out, .. }
            | Self::Delete { out, .. }
            | Self::Rotate { out, .. }
            | Self::Enable { out, .. }
            | Self::Disable { out, .. } => out.format,
        }
    }
}

fn key_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {text:?}"))
}
