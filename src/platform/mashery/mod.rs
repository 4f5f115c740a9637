//! TIBCO Mashery V3: the area's members, their applications and each
//! application's package keys. A package key's secret is rotated by a PUT
//! of a new secret generated here, then proved by reading the key back.

mod client;
mod resources;
mod wire;

use std::sync::Arc;

use rand::Rng;
use reqwest::Method;
use serde_json::{Map, Value, json};

use client::Client;
pub use client::{Credentials, DEFAULT_QPS, PAGE_SIZE};
pub use resources::ALL_MEMBERS;

use super::form::{choice, required, text, value};
use super::http::{Retry, SecretBody, SecretField, segment, unreadable_secret};
use super::registry::Connection;
use super::{
    Capabilities, Check, Field, Fut, Input, Issued, Keep, KindSpec, Operation, Outcome, Paged,
    PaneSpec, PlatformError, Progress, Rotation, Source, Target, Values,
};
use crate::model::{IssuedSecret, Kind, Pane, Resource, Secret};
use wire::{Application, Member, Package, PackageKey};

const APP_FIELDS: &str = "id,name,username,created,updated,description,type,commercial,ads,\
adsSystem,usageModel,tags,notes,howDidYouHear,preferredProtocol,preferredOutput,externalId,uri,\
oauthRedirectUri";
const KEY_FIELDS: &str = "id,apikey,status,created,updated,qpsLimitCeiling,rateLimitCeiling,\
qpsLimitExempt,rateLimitExempt,expires,package.id,package.name,plan.id,plan.name";
const MEMBER_FIELDS: &str = "id,username,email,displayName,areaStatus,created";
const KEY_STATUSES: &[&str] = &["active", "waiting", "disabled"];
const BOOLS: &[&str] = &["true", "false"];
/// The properties Mashery's `search` matches on applications.
const SEARCHED: &[&str] = &["name", "username", "description", "tags", "type", "uri"];
/// Application string fields a form may set, in the vendor's order.
const APP_TEXT: &[&str] = &[
    "name",
    "username",
    "description",
    "type",
    "adsSystem",
    "usageModel",
    "tags",
    "notes",
    "howDidYouHear",
    "preferredProtocol",
    "preferredOutput",
    "externalId",
    "uri",
    "oauthRedirectUri",
];

pub struct Mashery {
    client: Client,
}

impl Mashery {
    /// `qps` is the V3 API key's calls a second; Portico never goes faster.
    pub fn new(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        creds: Credentials,
        qps: u32,
    ) -> Result<Self, PlatformError> {
        Ok(Self {
            client: Client::new(base_url, limits, creds, qps)?,
        })
    }

    /// Items asked for per page (default [`PAGE_SIZE`], at most 1000).
    pub fn with_page_size(mut self, size: usize) -> Self {
        self.client.set_page_size(size);
        self
    }

    /// "all members" first, then every member by username.
    pub async fn list_members(&self, progress: Progress) -> Result<Vec<Resource>, PlatformError> {
        let query = [
            ("fields", MEMBER_FIELDS.to_string()),
            ("sort", "username:asc".to_string()),
        ];
        let members: Vec<Member> = self.client.list_all("/members", &query, &progress).await?;
        Ok(std::iter::once(resources::all_members())
            .chain(members.into_iter().map(resources::member))
            .collect())
    }

    fn apps_path(member: &str) -> Result<String, PlatformError> {
        if member == ALL_MEMBERS {
            Ok("/applications".into())
        } else {
            Ok(format!("/members/{}/applications", segment(member)?))
        }
    }

    /// Applications of `member` (or of the area for [`ALL_MEMBERS`]),
    /// narrowed by `filter` pairs (`prop`, `value`) and `search` text.
    pub async fn find_apps(
        &self,
        member: &str,
        filter: &[(&str, &str)],
        search: Option<&str>,
        progress: Progress,
    ) -> Result<Vec<Resource>, PlatformError> {
        let mut query = vec![
            ("fields", APP_FIELDS.to_string()),
            ("sort", "name:asc,created:asc".to_string()),
        ];
        for (prop, v) in filter {
            query.push(("filter", format!("{prop}:{v}")));
        }
        if let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) {
            // A comma would start another pair; a colon is kept by the server.
            let term = term.replace(',', " ");
            let pairs: Vec<String> = SEARCHED.iter().map(|p| format!("{p}:{term}")).collect();
            query.push(("search", pairs.join(",")));
        }
        let apps: Vec<Application> = self
            .client
            .list_all(&Self::apps_path(member)?, &query, &progress)
            .await?;
        Ok(apps.into_iter().map(resources::application).collect())
    }

    pub async fn list_keys(
        &self,
        app: &str,
        progress: Progress,
    ) -> Result<Vec<Resource>, PlatformError> {
        let query = [
            ("fields", KEY_FIELDS.to_string()),
            ("sort", "created:asc".to_string()),
        ];
        let path = format!("/applications/{}/packageKeys", segment(app)?);
        let keys: Vec<PackageKey> = self.client.list_all(&path, &query, &progress).await?;
        Ok(keys.iter().map(resources::package_key).collect())
    }

    /// One package key as the Package keys pane shows it.
    pub async fn key(&self, id: &str) -> Result<Resource, PlatformError> {
        Ok(resources::package_key(
            &self.read_key(id, KEY_FIELDS).await?,
        ))
    }

    async fn read_key(&self, id: &str, fields: &str) -> Result<PackageKey, PlatformError> {
        self.read(&format!("/packageKeys/{}", segment(id)?), fields)
            .await
    }

    /// One resource with the `fields` asked for: Mashery leaves out what
    /// is not named.
    async fn read<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        fields: &str,
    ) -> Result<T, PlatformError> {
        self.client
            .json(
                Method::GET,
                path,
                &[("fields", fields.to_string())],
                None,
                Retry::Idempotent,
            )
            .await
    }

    /// One application with every documented field.
    pub async fn app(&self, id: &str) -> Result<Resource, PlatformError> {
        let path = format!("/applications/{}", segment(id)?);
        let app: Application = self
            .client
            .json(
                Method::GET,
                &path,
                &[("fields", APP_FIELDS.to_string())],
                None,
                Retry::Idempotent,
            )
            .await?;
        Ok(resources::application(app))
    }

    async fn packages(&self) -> Result<Vec<Package>, PlatformError> {
        // /packages counts offset in items, so one big page is simplest.
        self.client
            .json(
                Method::GET,
                "/packages",
                &[
                    ("fields", "id,name,plans.id,plans.name".to_string()),
                    ("limit", "1000".to_string()),
                ],
                None,
                Retry::Idempotent,
            )
            .await
    }

    async fn run(&self, op: &Operation, keep: &dyn Keep) -> Result<Outcome, PlatformError> {
        match op {
            Operation::Create {
                kind,
                parent,
                values,
            } => match kind {
                Kind::Application => self.create_app(parent.as_deref(), values).await,
                Kind::PackageKey => {
                    self.create_key(in_app(parent.as_ref())?, values, keep)
                        .await
                }
                other => Err(unsupported(*other)),
            },
            Operation::Update { target, values } => {
                let (path, body) = match target.kind {
                    Kind::Application => (app_path(&target.id)?, app_body(values, false)?),
                    Kind::PackageKey => (key_path(&target.id)?, key_body(values)?),
                    other => return Err(unsupported(other)),
                };
                if body.is_empty() {
                    return Ok(Outcome::done("nothing to change"));
                }
                self.client
                    .call(
                        Method::PUT,
                        &path,
                        &[],
                        Some(&Value::Object(body)),
                        Retry::Idempotent,
                    )
                    .await?;
                Ok(Outcome::done(format!(
                    "updated {} \"{}\"",
                    target.kind.label(),
                    target.name
                )))
            }
            Operation::SetActive { target, active } if target.kind == Kind::PackageKey => {
                let status = if *active { "active" } else { "disabled" };
                self.client
                    .call(
                        Method::PUT,
                        &key_path(&target.id)?,
                        &[],
                        Some(&json!({ "status": status })),
                        Retry::Idempotent,
                    )
                    .await?;
                Ok(Outcome::done(format!(
                    "package key \"{}\" is {status}",
                    target.name
                )))
            }
            Operation::SetActive { target, .. } => Err(unsupported(target.kind)),
            Operation::Delete { target } => {
                let path = match target.kind {
                    Kind::Application => app_path(&target.id)?,
                    Kind::PackageKey => key_path(&target.id)?,
                    other => return Err(unsupported(other)),
                };
                self.client
                    .call(Method::DELETE, &path, &[], None, Retry::Idempotent)
                    .await?;
                Ok(Outcome::done(format!(
                    "deleted {} \"{}\"",
                    target.kind.label(),
                    target.name
                )))
            }
            Operation::Rotate { target, .. } if target.kind == Kind::PackageKey => {
                self.rotate(target, keep).await
            }
            Operation::Rotate { target, .. } => Err(PlatformError::Unsupported(format!(
                "a Mashery {} has no secret to rotate",
                target.kind.label()
            ))),
            Operation::Reveal { target } if target.kind == Kind::PackageKey => {
                self.reveal(target).await
            }
            Operation::Reveal { target } => Err(PlatformError::Unsupported(format!(
                "a Mashery {} has no secret to show",
                target.kind.label()
            ))),
        }
    }

    async fn create_app(
        &self,
        parent: Option<&str>,
        values: &Values,
    ) -> Result<Outcome, PlatformError> {
        let member = text(values, "username")
            .or_else(|| parent.filter(|p| *p != ALL_MEMBERS))
            .ok_or_else(|| {
                PlatformError::Invalid("choose the member the application belongs to".into())
            })?;
        let body = app_body(values, true)?;
        let path = format!("/members/{}/applications", segment(member)?);
        let app: Application = self
            .client
            .json(
                Method::POST,
                &path,
                &[],
                Some(&Value::Object(body)),
                Retry::Never,
            )
            .await?;
        Ok(Outcome {
            summary: format!("created application \"{}\" for {member}", app.name),
            created: Some(app.id),
            ..Outcome::default()
        })
    }

    /// Every plan of every package, as the create form offers them.
    async fn plan_choices(&self) -> Result<Vec<String>, PlatformError> {
        let packages = self.packages().await?;
        Ok(packages
            .iter()
            .flat_map(|p| p.plans.iter().map(move |plan| plan_label(p, plan)))
            .collect())
    }

    /// The package and plan a create names: `plan` as the form offers it
    /// ("package / plan"), or `package` and `plan` apart, each by name or id.
    async fn package_and_plan(
        &self,
        values: &Values,
    ) -> Result<(String, String, String), PlatformError> {
        let packages = self.packages().await?;
        let Some(package_name) = text(values, "package") else {
            let wanted = required(values, "plan", "a package and plan")?;
            return packages
                .iter()
                .flat_map(|p| p.plans.iter().map(move |plan| (p, plan)))
                .find(|(p, plan)| plan_label(p, plan).eq_ignore_ascii_case(wanted))
                .map(|(p, plan)| (p.id.clone(), plan.id.clone(), plan_label(p, plan)))
                .ok_or_else(|| {
                    PlatformError::Invalid(format!(
                        "no package and plan is called \"{wanted}\"; \
                         the form offers the area's own"
                    ))
                });
        };
        let plan_name = required(values, "plan", "a plan")?;
        let same = |id: &str, name: &Option<String>, wanted: &str| {
            id == wanted
                || name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
        };
        let package = packages
            .iter()
            .find(|p| same(&p.id, &p.name, package_name))
            .ok_or_else(|| {
                PlatformError::Invalid(format!("no package is called \"{package_name}\""))
            })?;
        let plan = package
            .plans
            .iter()
            .find(|p| same(&p.id, &p.name, plan_name))
            .ok_or_else(|| {
                PlatformError::Invalid(format!(
                    "package \"{package_name}\" has no plan \"{plan_name}\""
                ))
            })?;
        Ok((
            package.id.clone(),
            plan.id.clone(),
            plan_label(package, plan),
        ))
    }

    /// The new key's secret goes to the store before the rest of the
    /// answer is decoded, so a malformed answer cannot lose it.
    async fn create_key(
        &self,
        app: &str,
        values: &Values,
        keep: &dyn Keep,
    ) -> Result<Outcome, PlatformError> {
        let (package, plan, label) = self.package_and_plan(values).await?;
        let mut body = key_body(values)?;
        body.insert("package".into(), json!({ "id": package }));
        body.insert("plan".into(), json!({ "id": plan }));
        let path = format!("/applications/{}/packageKeys", segment(app)?);
        let mut answer: SecretBody<KeySecret> = self
            .client
            .json(
                Method::POST,
                &path,
                &[],
                Some(&Value::Object(body)),
                Retry::Never,
            )
            .await
            .map_err(unreadable_secret)?;
        let apikey = answer.text("apikey").map(str::to_string);
        let secret = answer.take_secret().map(|secret| IssuedSecret {
            label: "package key secret".into(),
            public_id: apikey.clone(),
            secret,
        });
        if let Some(issued) = &secret {
            keep.keep(&Issued {
                kind: Kind::PackageKey,
                resource: answer.text("id").unwrap_or_default().to_string(),
                name: apikey.unwrap_or_default(),
                secret: issued.clone(),
            })
            .await;
        }
        let key: PackageKey = answer.decode()?;
        Ok(Outcome {
            summary: format!("created package key {} on {label}", key.apikey),
            created: Some(key.id),
            secret,
            ..Outcome::default()
        })
    }

    /// Mashery returns a package key's secret on every read, so it can be
    /// shown again on request without Portico keeping a copy.
    async fn reveal(&self, target: &Target) -> Result<Outcome, PlatformError> {
        let key = self.read_key(&target.id, "id,apikey,secret").await?;
        let secret = key.secret.filter(|s| !s.is_empty()).ok_or_else(|| {
            PlatformError::Decode("the package key came without its secret".into())
        })?;
        Ok(Outcome {
            summary: format!("secret of package key {}", key.apikey),
            secret: Some(IssuedSecret {
                label: "package key secret".into(),
                public_id: Some(key.apikey),
                secret: Secret::new(secret),
            }),
            created_name: None,
            rereadable: true,
            ..Outcome::default()
        })
    }

    /// PUTs a new secret shaped like the old one, then reads the key back
    /// to prove the new secret is the key's and the old one is not.
    async fn rotate(&self, target: &Target, keep: &dyn Keep) -> Result<Outcome, PlatformError> {
        let old = self.read_key(&target.id, "id,apikey,secret").await?;
        let old_secret = Secret::new(old.secret.unwrap_or_default());
        let new_secret = Secret::new(successor(old_secret.expose()));
        // A lost answer must not send a second, different secret.
        self.client
            .call(
                Method::PUT,
                &key_path(&target.id)?,
                &[],
                Some(&json!({ "secret": new_secret.expose() })),
                Retry::Never,
            )
            .await?;
        let issued = IssuedSecret {
            label: "package key secret".into(),
            public_id: Some(old.apikey.clone()),
            secret: new_secret.clone(),
        };
        // Mashery took it: the new secret is the key's now, so it goes to
        // the store before the check that reads it back.
        keep.keep(&Issued {
            kind: Kind::PackageKey,
            resource: target.id.clone(),
            name: target.name.clone(),
            secret: issued.clone(),
        })
        .await;
        let now = self.read_key(&target.id, "id,apikey,secret").await?;
        let current = now.secret.map(Secret::new);
        let checks = vec![
            Check {
                label: "the key's secret is the new one".into(),
                passed: current.as_ref() == Some(&new_secret),
            },
            Check {
                label: "the old secret is no longer the key's".into(),
                passed: current.as_ref() != Some(&old_secret),
            },
        ];
        Ok(Outcome {
            summary: format!("new secret for package key {}", old.apikey),
            created: None,
            secret: Some(issued),
            checks,
            follow_up: None,
            // Readable again, but a rotation's secret still goes through the
            // vault first: the user must have it before the old one is gone.
            created_name: None,
            rereadable: false,
        })
    }
}

type CharClass = fn(&char) -> bool;

/// A new secret with the old one's length and alphabet (its letter cases,
/// digits and any other characters it uses), from the thread CSPRNG.
pub fn successor(old: &str) -> String {
    let mut alphabet: Vec<char> = Vec::new();
    let classes: [(CharClass, &str); 3] = [
        (char::is_ascii_lowercase, "abcdefghijklmnopqrstuvwxyz"),
        (char::is_ascii_uppercase, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        (char::is_ascii_digit, "0123456789"),
    ];
    for (is, chars) in classes {
        if old.chars().any(|c| is(&c)) {
            alphabet.extend(chars.chars());
        }
    }
    for c in old.chars().filter(|c| !c.is_ascii_alphanumeric()) {
        if !alphabet.contains(&c) {
            alphabet.push(c);
        }
    }
    let len = old.chars().count();
    let (alphabet, len) = if alphabet.is_empty() || len == 0 {
        (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                .chars()
                .collect(),
            10,
        )
    } else {
        (alphabet, len)
    };
    let mut rng = rand::rng();
    loop {
        let next: String = (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())])
            .collect();
        if next != old {
            return next;
        }
    }
}

/// "Package / Plan", by name, or by id where a name is missing.
fn plan_label(package: &Package, plan: &wire::Named) -> String {
    format!(
        "{} / {}",
        package.name.as_deref().unwrap_or(&package.id),
        plan.name.as_deref().unwrap_or(&plan.id)
    )
}

fn unsupported(kind: Kind) -> PlatformError {
    PlatformError::Unsupported(format!(
        "Portico does not manage a Mashery {} here",
        kind.label()
    ))
}

fn in_app(parent: Option<&String>) -> Result<&str, PlatformError> {
    parent
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| PlatformError::Invalid("select an application first".into()))
}

fn app_path(id: &str) -> Result<String, PlatformError> {
    Ok(format!("/applications/{}", segment(id)?))
}

fn key_path(id: &str) -> Result<String, PlatformError> {
    Ok(format!("/packageKeys/{}", segment(id)?))
}

/// The fields the form gave. On an edit, an emptied field is cleared
/// (`null`); on a create it is left out. `username` on a create names the
/// member in the path instead.
fn app_body(values: &Values, creating: bool) -> Result<Map<String, Value>, PlatformError> {
    let mut body = Map::new();
    for key in APP_TEXT {
        if creating && *key == "username" {
            continue;
        }
        let Some(raw) = value(values, key) else {
            continue;
        };
        match (raw.trim(), *key) {
            ("", "name") => return Err(PlatformError::Invalid("a name is required".into())),
            // The owner can move, never vanish.
            ("", "username") => {}
            ("", _) if creating => {}
            ("", _) => {
                body.insert((*key).into(), Value::Null);
            }
            (v, _) => {
                body.insert((*key).into(), json!(v));
            }
        }
    }
    if creating && !body.contains_key("name") {
        return Err(PlatformError::Invalid("a name is required".into()));
    }
    for key in ["commercial", "ads"] {
        match value(values, key).map(str::trim) {
            None | Some("") => {}
            Some("true") => {
                body.insert(key.into(), json!(true));
            }
            Some("false") => {
                body.insert(key.into(), json!(false));
            }
            Some(other) => {
                return Err(PlatformError::Invalid(format!(
                    "{key} is true or false, not \"{other}\""
                )));
            }
        }
    }
    Ok(body)
}

fn key_body(values: &Values) -> Result<Map<String, Value>, PlatformError> {
    let mut body = Map::new();
    if let Some(status) = choice(values, "status", KEY_STATUSES)? {
        body.insert("status".into(), json!(status));
    }
    for key in ["qpsLimitCeiling", "rateLimitCeiling"] {
        match value(values, key).map(str::trim) {
            None => {}
            // Empty falls back to the plan's limit.
            Some("") => {
                body.insert(key.into(), Value::Null);
            }
            Some(raw) => {
                let n: u64 = raw.parse().map_err(|_| {
                    PlatformError::Invalid(format!("{key} is a whole number, not \"{raw}\""))
                })?;
                body.insert(key.into(), json!(n));
            }
        }
    }
    Ok(body)
}

const fn field(key: &'static str, label: &'static str, input: Input, required: bool) -> Field {
    let mut field = Field::with(key, label, input);
    field.required = required;
    field
}

/// What Mashery offers, known without credentials.
pub fn capabilities() -> Capabilities {
    let mut app = KindSpec::new(Kind::Application);
    app.create = Some(vec![
        field("name", "Name", Input::Text, true),
        field(
            "username",
            "Member (empty: the selected one)",
            Input::Text,
            false,
        ),
        field("description", "Description", Input::Text, false),
        field("type", "Type", Input::Text, false),
        field("tags", "Tags", Input::Text, false),
        field("uri", "URI", Input::Text, false),
    ]);
    app.edit = Some(vec![
        field("name", "Name", Input::Text, true),
        field("username", "Member", Input::Row(Pane::Projects), true),
        field("description", "Description", Input::Text, false),
        field("type", "Type", Input::Text, false),
        field("commercial", "Commercial", Input::Choice(BOOLS), false),
        field("ads", "Ads", Input::Choice(BOOLS), false),
        field("adsSystem", "Ads system", Input::Text, false),
        field("usageModel", "Usage model", Input::Text, false),
        field("tags", "Tags", Input::Text, false),
        field("notes", "Notes", Input::Text, false),
        field("howDidYouHear", "How did you hear", Input::Text, false),
        field(
            "preferredProtocol",
            "Preferred protocol",
            Input::Text,
            false,
        ),
        field("preferredOutput", "Preferred output", Input::Text, false),
        field("externalId", "External id", Input::Text, false),
        field("uri", "URI", Input::Text, false),
        field("oauthRedirectUri", "OAuth redirect URI", Input::Text, false),
    ]);
    app.delete = true;
    app.rotate = Rotation::Unsupported("a Mashery application has no secret; its package keys do");

    let mut key = KindSpec::new(Kind::PackageKey);
    key.create = Some(vec![
        field("plan", "Package / plan", Input::Offered, true),
        field("status", "Status", Input::Choice(KEY_STATUSES), false),
    ]);
    key.edit = Some(vec![
        field("status", "Status", Input::Choice(KEY_STATUSES), false),
        field(
            "qpsLimitCeiling",
            "QPS limit (empty: the plan's)",
            Input::Text,
            false,
        ),
        field(
            "rateLimitCeiling",
            "Rate limit (empty: the plan's)",
            Input::Text,
            false,
        ),
    ]);
    key.delete = true;
    key.toggle = Some(("Activate", "Disable"));
    key.reveal = true;
    key.rotate = Rotation::Immediate {
        warning: "Portico PUTs a new secret of the same length and alphabet on this package \
                  key. The old secret stops working at once; callers signing with it fail \
                  until they have the new one.",
    };

    Capabilities::new([
        PaneSpec::list("Members", vec!["Email", "Status"]),
        PaneSpec::list("Applications", vec!["Owner", "Created", "Tags"])
            .searching()
            .scoped_by(Pane::Projects)
            .creating(vec![Kind::Application]),
        PaneSpec::list(
            "Package keys",
            vec!["Status", "Package", "Plan", "QPS", "Rate", "Updated"],
        )
        .scoped_by(Pane::Applications)
        .creating(vec![Kind::PackageKey]),
    ])
    .with_kinds(vec![app, key])
}

/// Builds the adapter from a tenant's five credentials, paced to its
/// `qps` (Mashery's default of 2 when unset).
pub fn connect(c: &Connection<'_>) -> Result<Arc<dyn super::Platform>, PlatformError> {
    let creds = Credentials::new(
        c.secret("api_key")?,
        c.secret("api_secret")?,
        c.secret("username")?.expose().to_string(),
        c.secret("password")?,
        c.secret("area_id")?.expose().to_string(),
    );
    let qps = c.qps().unwrap_or(DEFAULT_QPS);
    let mashery = Mashery::new(c.base_url(), c.limits(), creds, qps)?;
    Ok(Arc::new(match c.page_size() {
        Some(size) => mashery.with_page_size(size),
        None => mashery,
    }))
}

impl super::Platform for Mashery {
    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    fn list<'a>(
        &'a self,
        source: Source,
        parent: Option<&'a str>,
        progress: Progress,
    ) -> Fut<'a, Vec<Resource>> {
        Box::pin(async move {
            match source {
                Source::Pane(Pane::Projects) => self.list_members(progress).await,
                Source::Pane(Pane::Applications) => {
                    self.find_apps(parent.unwrap_or(ALL_MEMBERS), &[], None, progress)
                        .await
                }
                Source::Pane(Pane::Certificates) => match parent {
                    Some(app) if !app.is_empty() => self.list_keys(app, progress).await,
                    _ => Err(PlatformError::Invalid("select an application first".into())),
                },
                Source::Pane(Pane::View) => {
                    Err(PlatformError::Unsupported("Mashery has no : views".into()))
                }
                Source::View(name) => Err(PlatformError::Unsupported(format!(
                    "Mashery has no :{name} view"
                ))),
            }
        })
    }

    fn page_size(&self) -> Option<usize> {
        Some(self.client.page_size())
    }

    fn search<'a>(
        &'a self,
        source: Source,
        parent: Option<&'a str>,
        query: &'a str,
        progress: Progress,
    ) -> Fut<'a, Paged> {
        Box::pin(async move {
            let items = match source {
                Source::Pane(Pane::Applications) => {
                    self.find_apps(parent.unwrap_or(ALL_MEMBERS), &[], Some(query), progress)
                        .await?
                }
                other => {
                    return Err(PlatformError::Unsupported(format!(
                        "no server-side search for {other:?}"
                    )));
                }
            };
            Ok(Paged::counted(items, self.client.page_size()))
        })
    }

    fn perform_keeping<'a>(&'a self, op: &'a Operation, keep: &'a dyn Keep) -> Fut<'a, Outcome> {
        Box::pin(self.run(op, keep))
    }

    /// A package key's form offers every plan of every package of the area.
    fn offer<'a>(
        &'a self,
        kind: Kind,
        field: &'a str,
        _parent: Option<&'a str>,
    ) -> Fut<'a, Vec<String>> {
        Box::pin(async move {
            match (kind, field) {
                (Kind::PackageKey, "plan") => self.plan_choices().await,
                _ => Ok(Vec::new()),
            }
        })
    }

    /// `GET` of the member, application or package key, with the fields
    /// the adapter itself asks for (a key's secret is not among them).
    fn document<'a>(&'a self, target: &'a Target) -> Fut<'a, Value> {
        Box::pin(async move {
            let (path, fields) = match target.kind {
                Kind::Person if target.id == ALL_MEMBERS => {
                    return Err(PlatformError::Unsupported(
                        "\"all members\" is Portico's own row, not a Mashery document".into(),
                    ));
                }
                Kind::Person => (format!("/members/{}", segment(&target.id)?), MEMBER_FIELDS),
                Kind::Application => (app_path(&target.id)?, APP_FIELDS),
                Kind::PackageKey => (key_path(&target.id)?, KEY_FIELDS),
                other => return Err(unsupported(other)),
            };
            self.read(&path, fields).await
        })
    }
}

/// A package key's secret, as the answer to the POST that made it.
struct KeySecret;

impl SecretField for KeySecret {
    const NAME: &'static str = "secret";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_successor_secret_keeps_length_and_alphabet() {
        for old in ["Tq4MwZ8rKd", "abcdef", "0123-4567", "ZZZZ"] {
            let new = successor(old);
            assert_eq!(new.chars().count(), old.chars().count(), "{old}");
            assert_ne!(new, old);
            let allowed = |c: char| {
                (c.is_ascii_lowercase() && old.chars().any(|o| o.is_ascii_lowercase()))
                    || (c.is_ascii_uppercase() && old.chars().any(|o| o.is_ascii_uppercase()))
                    || (c.is_ascii_digit() && old.chars().any(|o| o.is_ascii_digit()))
                    || (!c.is_ascii_alphanumeric() && old.contains(c))
            };
            assert!(new.chars().all(allowed), "{old} -> {new}");
        }
        assert_eq!(successor("").len(), 10);
    }

    #[test]
    fn edit_bodies_clear_emptied_fields_and_keep_the_owner() {
        let body = app_body(
            &values(&[
                ("name", "N"),
                ("notes", ""),
                ("username", ""),
                ("ads", "false"),
            ]),
            false,
        )
        .expect("body");
        assert_eq!(
            Value::Object(body),
            json!({"name": "N", "notes": null, "ads": false})
        );
        let create = app_body(
            &values(&[("name", "N"), ("notes", ""), ("username", "m")]),
            true,
        )
        .expect("body");
        assert_eq!(Value::Object(create), json!({"name": "N"}));
        assert!(app_body(&values(&[("name", " ")]), false).is_err());
        assert!(app_body(&values(&[("ads", "maybe")]), false).is_err());
        assert!(key_body(&values(&[("status", "paused")])).is_err());
        assert_eq!(
            Value::Object(key_body(&values(&[("qpsLimitCeiling", "")])).expect("k")),
            json!({"qpsLimitCeiling": null})
        );
    }
}
