//! Kitsu (its API server is Zou): productions, bots and their tokens, and
//! views on asset types, entity links and persons. The base URL ends in
//! `/api`, where Kitsu's nginx serves Zou.
use std::fmt::Write as _;

mod client;
mod manage;
mod resources;
mod wire;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::Method;
use serde_json::{Map, Value, json};

use self::client::{Client, Credentials};
use self::wire::{AssetType, BotToken, Entity, EntityLink, Page, Person, Project, ProjectStatus};
use super::form::{choice, date, day, required, text, value};
use super::http::{Http, Retry, SecretBody, decode_problem, segment, unreadable_secret};
use super::pages::{self, Identified};
use super::registry::Connection;
use super::{
    Capabilities, Check, Field, Fut, Input, Issued, Keep, KindSpec, Operation, Outcome, PaneSpec,
    PlatformError, Progress, Rotation, Source, Target, Values, ViewSpec, quiet,
};
use crate::model::{IssuedSecret, Kind, Pane, Resource, Secret};

pub use self::client::is_expired;
pub use self::manage::VIEW_TASK_TYPES;

const PROJECTS: &str = "/data/projects";
const PROJECT_STATUS: &str = "/data/project-status";
const PERSONS: &str = "/data/persons";
const AUTHENTICATED: &str = "/auth/authenticated";

const PRODUCTION_TYPES: &[&str] = &["short", "featurefilm", "tvshow"];
const ROLES: &[&str] = &["user", "supervisor", "manager", "admin", "client", "vendor"];
/// Rows asked for per page unless the tenant says otherwise: Zou's own
/// default page size.
pub const PAGE_SIZE: usize = 100;
/// Pages asked for at once, once the first has said how many there are.
const CONCURRENT_PAGES: usize = 4;

pub const VIEW_ASSET_TYPES: &str = "asset-types";
pub const VIEW_ENTITY_LINKS: &str = "entity-links";
pub const VIEW_PERSONS: &str = "persons";

pub struct Kitsu {
    client: Client,
    per_page: usize,
}

/// Zou's error bodies: `{"message"}` from its CRUD layer, `{"msg"}` from
/// the JWT layer, `{"error":true,"message","data":{"errors":[…]}}` from
/// validation, whose field errors are worth showing too.
pub fn message_of(body: &Value) -> Option<String> {
    let message = body
        .get("message")
        .or_else(|| body.get("msg"))
        .and_then(Value::as_str)?;
    let fields: Vec<String> = body
        .pointer("/data/errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| {
                    let field = e.get("field").and_then(Value::as_str)?;
                    let text = e
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("invalid");
                    Some(format!("{field}: {text}"))
                })
                .collect()
        })
        .unwrap_or_default();
    if fields.is_empty() {
        Some(message.to_string())
    } else {
        Some(format!("{message} ({})", fields.join("; ")))
    }
}

impl Kitsu {
    /// A session that logs in with a person's email and password.
    pub fn with_login(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        email: String,
        password: Secret,
    ) -> Result<Self, PlatformError> {
        Self::new(base_url, limits, Credentials::Login { email, password })
    }

    /// A session that acts as a bot, with the token Kitsu issued for it.
    pub fn with_token(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        token: Secret,
    ) -> Result<Self, PlatformError> {
        Self::new(base_url, limits, Credentials::Bot(token))
    }

    fn new(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        credentials: Credentials,
    ) -> Result<Self, PlatformError> {
        let limits = limits.into();
        let timeout = limits.timeout();
        let http = Http::new(base_url, limits, message_of)?;
        Ok(Self {
            client: Client::new(http, credentials, timeout),
            per_page: PAGE_SIZE,
        })
    }

    /// Rows asked for per page (default [`PAGE_SIZE`]).
    #[must_use]
    pub fn with_page_size(mut self, per_page: usize) -> Self {
        self.per_page = per_page.max(1);
        self
    }

    /// Logs in again with `code` as the second factor Zou asked for (the
    /// authenticator's or the mailed code, or a recovery code), and says
    /// who the session now acts as. A wrong code is a
    /// [`PlatformError::SecondFactor`] again.
    pub async fn second_factor(&self, code: Secret) -> Result<String, PlatformError> {
        self.client.offer_code(code);
        self.whoami().await
    }

    /// Trades the refresh token for a new access token now. The session
    /// does this by itself when Zou says the token expired.
    pub async fn refresh(&self) -> Result<(), PlatformError> {
        self.client.refresh().await
    }

    /// Who the session acts as (email, else name), from `/auth/authenticated`.
    pub async fn whoami(&self) -> Result<String, PlatformError> {
        let answer: Value = self
            .client
            .json(Method::GET, AUTHENTICATED, None, Retry::Idempotent)
            .await?;
        let user = answer.get("user").cloned().unwrap_or(Value::Null);
        let person: Person = serde_json::from_value(user).map_err(|e| {
            PlatformError::Decode(format!("authenticated user: {}", decode_problem(&e)))
        })?;
        Ok(person
            .email
            .clone()
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| resources::person_name(&person)))
    }

    async fn get<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
    ) -> Result<T, PlatformError> {
        self.client
            .json(Method::GET, path, None, Retry::Idempotent)
            .await
    }

    async fn statuses(&self) -> Result<Vec<ProjectStatus>, PlatformError> {
        self.get(PROJECT_STATUS).await
    }

    pub async fn list_productions(&self) -> Result<Vec<Resource>, PlatformError> {
        let (projects, statuses) =
            tokio::join!(self.get::<Vec<Project>>(PROJECTS), self.statuses());
        let statuses: HashMap<String, String> =
            statuses?.into_iter().map(|s| (s.id, s.name)).collect();
        Ok(projects?
            .into_iter()
            .map(|p| resources::production(p, &statuses))
            .collect())
    }

    async fn persons(&self) -> Result<Vec<Person>, PlatformError> {
        self.persons_at(PERSONS, &quiet()).await
    }

    /// The persons a `/data/persons` query lists, oldest first: Zou pages
    /// them newest change first, and a list that reordered itself each
    /// time someone was edited would lose the admin's place. Unpaged, Zou
    /// names no order and its table answers them much as they were made;
    /// Portico keeps that order, on every page size.
    async fn persons_at(
        &self,
        path: &str,
        progress: &Progress,
    ) -> Result<Vec<Person>, PlatformError> {
        let mut persons: Vec<Person> = self.paged(path, progress).await?;
        persons.sort_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)));
        Ok(persons)
    }

    /// Every row of a Zou list, asked for in pages so that no body grows
    /// with the tenant. With `page` (counted from 1) Zou answers an
    /// envelope whose `nb_pages` says how many there are, and the rest are
    /// then fetched concurrently; an envelope without it is read on until
    /// a page comes short.
    async fn paged<T>(&self, path: &str, progress: &Progress) -> Result<Vec<T>, PlatformError>
    where
        T: serde::de::DeserializeOwned + Identified + Send + 'static,
    {
        let per_page = self.per_page;
        let sep = if path.contains('?') { '&' } else { '?' };
        let at = |page: usize| format!("{path}{sep}page={page}&limit={per_page}");
        let first: Page<T> = self.get(&at(1)).await?;
        let total = first.total;
        let loaded = AtomicUsize::new(first.data.len());
        progress(first.data.len(), total);
        if let Some(pages) = first.nb_pages {
            return pages::rest(first.data, pages, CONCURRENT_PAGES, |n| {
                let (loaded, path) = (&loaded, at(n + 1));
                async move {
                    let page: Page<T> = self.get(&path).await?;
                    let now = loaded.fetch_add(page.data.len(), Ordering::SeqCst) + page.data.len();
                    progress(now, total);
                    Ok(page.data)
                }
            })
            .await;
        }
        let mut rows = first.data;
        let mut got = rows.len();
        let mut page = 1;
        while got == per_page {
            if page >= crate::platform::http::MAX_PAGES {
                return Err(crate::platform::http::too_many_pages());
            }
            page += 1;
            let answer: Page<T> = self.get(&at(page)).await?;
            got = answer.data.len();
            rows.extend(answer.data);
            progress(rows.len(), total);
        }
        Ok(rows)
    }

    pub async fn list_bots(&self) -> Result<Vec<Resource>, PlatformError> {
        let names = self.department_names().await.unwrap_or_default();
        Ok(self
            .persons()
            .await?
            .into_iter()
            .filter(|p| p.is_bot)
            .map(|p| resources::bot(p, &names))
            .collect())
    }

    pub async fn list_persons(&self) -> Result<Vec<Resource>, PlatformError> {
        Ok(self
            .persons()
            .await?
            .into_iter()
            .map(|p| resources::person(p, self.client.signed_in()))
            .collect())
    }

    /// The asset types the production's assets use (Zou derives this list
    /// from the assets, not from the production's settings).
    pub async fn list_asset_types(&self, project: &str) -> Result<Vec<Resource>, PlatformError> {
        let path = format!("{}/asset-types", project_path(project)?);
        let kinds: Vec<AssetType> = self.get(&path).await?;
        Ok(kinds.into_iter().map(resources::asset_type).collect())
    }

    pub async fn list_entity_links(
        &self,
        project: &str,
        progress: &Progress,
    ) -> Result<Vec<Resource>, PlatformError> {
        let base = format!("{}/entity-links", project_path(project)?);
        let links: Vec<EntityLink> = self.paged(&base, progress).await?;
        let names = self.entity_names(project).await;
        Ok(links
            .into_iter()
            .map(|l| resources::entity_link(l, &names))
            .collect())
    }

    /// One call names every entity of the production. Names are a comfort:
    /// when Zou will not give them, links show ids instead of failing.
    async fn entity_names(&self, project: &str) -> HashMap<String, String> {
        let Ok(project) = segment(project) else {
            return HashMap::new();
        };
        let path = format!("/data/entities?project_id={project}&fields=id,name");
        match self.get::<Vec<Entity>>(&path).await {
            Ok(entities) => entities.into_iter().map(|e| (e.id, e.name)).collect(),
            Err(_) => HashMap::new(),
        }
    }

    /// Whether Zou accepts `token`: `Ok(Ok(()))` when it does, `Ok(Err(message))`
    /// with Zou's 401 message when it refuses it.
    pub async fn token_accepted(
        &self,
        token: &Secret,
    ) -> Result<Result<(), String>, PlatformError> {
        let req = self.client.request_as(Method::GET, AUTHENTICATED, token);
        match self.client.http().send(req, Retry::Idempotent).await {
            Ok(_) => Ok(Ok(())),
            Err(PlatformError::Auth(message)) => Ok(Err(message)),
            Err(err) => Err(err),
        }
    }

    async fn new_token_check(&self, token: &Secret) -> Check {
        match self.token_accepted(token).await {
            Ok(Ok(())) => Check {
                label: "new token accepted".into(),
                passed: true,
            },
            Ok(Err(message)) => Check {
                label: format!("new token rejected (401 {message})"),
                passed: false,
            },
            Err(err) => Check {
                label: format!("new token check failed: {err}"),
                passed: false,
            },
        }
    }

    pub(super) async fn previous_token_check(&self, previous: Option<&Secret>) -> Check {
        let Some(old) = previous else {
            return Check {
                label: "previous token not checked: Portico held no copy of it".into(),
                passed: true,
            };
        };
        match self.token_accepted(old).await {
            Ok(Ok(())) => Check {
                label: "previous token still accepted".into(),
                passed: false,
            },
            Ok(Err(message)) => Check {
                label: format!("previous token rejected (401 {message})"),
                passed: true,
            },
            Err(err) => Check {
                label: format!("previous token check failed: {err}"),
                passed: false,
            },
        }
    }

    /// Takes the token out of Zou's answer and hands it to `keep` before
    /// decoding the rest or checking the token.
    pub(super) async fn issued(
        &self,
        mut body: SecretBody<BotToken>,
        filed_under: Option<&str>,
        verb: &str,
        keep: &dyn Keep,
    ) -> Result<Outcome, PlatformError> {
        let id = body
            .text("id")
            .or(filed_under)
            .unwrap_or_default()
            .to_string();
        let token = body
            .take_secret()
            .ok_or_else(|| PlatformError::Decode("Zou's answer carries no access_token".into()))?;
        let label_of = |key: &str| body.text(key).filter(|t| !t.is_empty());
        let public_id = label_of("email")
            .or_else(|| label_of("full_name"))
            .or_else(|| label_of("first_name"))
            .unwrap_or(id.as_str())
            .to_string();
        let issued = IssuedSecret {
            label: "bot token".into(),
            public_id: Some(public_id),
            secret: token,
        };
        // A create files the secret under the new bot's own id.
        let created = filed_under.is_none().then(|| id.clone());
        keep.keep(&Issued {
            kind: Kind::Bot,
            resource: id,
            name: label_of("full_name")
                .or_else(|| label_of("first_name"))
                .unwrap_or_default()
                .to_string(),
            secret: issued.clone(),
        })
        .await;
        let bot: Person = body.decode()?;
        let check = self.new_token_check(&issued.secret).await;
        Ok(Outcome {
            summary: format!("{verb} \"{}\"", resources::person_name(&bot)),
            created,
            secret: Some(issued),
            checks: vec![check],
            follow_up: None,
            created_name: None,
            rereadable: false,
        })
    }

    async fn create_production(&self, values: &Values) -> Result<Outcome, PlatformError> {
        let name = required(values, "name", "a name")?;
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        if let Some(text) = text(values, "description") {
            body.insert("description".into(), json!(text));
        }
        for key in ["start_date", "end_date"] {
            if let Some(date) = date(values, key)? {
                body.insert(key.into(), json!(day(date)));
            }
        }
        if let Some(kind) = choice(values, "production_type", PRODUCTION_TYPES)? {
            body.insert("production_type".into(), json!(kind));
        }
        let project: Project = self
            .client
            .json(
                Method::POST,
                PROJECTS,
                Some(&Value::Object(body)),
                Retry::Never,
            )
            .await?;
        let mut outcome = Outcome::done(format!("created production \"{}\"", project.name));
        outcome.created = Some(project.id);
        Ok(outcome)
    }

    async fn update_production(
        &self,
        target: &Target,
        values: &Values,
    ) -> Result<Outcome, PlatformError> {
        let mut body = Map::new();
        if value(values, "name").is_some() {
            body.insert("name".into(), json!(required(values, "name", "a name")?));
        }
        if value(values, "description").is_some() {
            body.insert("description".into(), json!(text(values, "description")));
        }
        for key in ["start_date", "end_date"] {
            // An emptied date clears it.
            if value(values, key).is_some() {
                body.insert(key.into(), json!(date(values, key)?.map(day)));
            }
        }
        let team = self
            .update_production_more(target, values, &mut body)
            .await?;
        let project: Project = self
            .client
            .json(
                Method::PUT,
                &project_path(&target.id)?,
                Some(&Value::Object(body)),
                Retry::Idempotent,
            )
            .await?;
        let mut summary = format!("updated production \"{}\"", project.name);
        if !team.is_empty() {
            let _ = write!(summary, "; team: {}", team.join(", "));
        }
        Ok(Outcome::done(summary))
    }

    /// Closing and reopening set the production's status to the one named
    /// "Closed" or "Open"; their ids differ per Kitsu install.
    async fn set_production_open(
        &self,
        target: &Target,
        open: bool,
    ) -> Result<Outcome, PlatformError> {
        let wanted = if open { "Open" } else { "Closed" };
        let status = self
            .statuses()
            .await?
            .into_iter()
            .find(|s| s.name.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                PlatformError::Invalid(format!(
                    "this Kitsu has no production status named \"{wanted}\""
                ))
            })?;
        self.client
            .send(
                Method::PUT,
                &project_path(&target.id)?,
                Some(&json!({ "project_status_id": status.id })),
                Retry::Idempotent,
            )
            .await?;
        let verb = if open { "reopened" } else { "closed" };
        Ok(Outcome::done(format!(
            "{verb} production \"{}\"",
            target.name
        )))
    }

    async fn delete_production(&self, target: &Target) -> Result<Outcome, PlatformError> {
        // Without force Zou deletes only the project row, which fails as soon
        // as the production holds anything; Kitsu's own UI forces too. Zou
        // still refuses an open production.
        let path = format!("{}?force=true", project_path(&target.id)?);
        self.client
            .send(Method::DELETE, &path, None, Retry::Idempotent)
            .await?;
        Ok(Outcome::done(format!(
            "deleted production \"{}\"",
            target.name
        )))
    }

    async fn create_bot(&self, values: &Values, keep: &dyn Keep) -> Result<Outcome, PlatformError> {
        let name = required(values, "name", "a name")?;
        let role = choice(values, "role", ROLES)?.unwrap_or("user");
        // gazu's new_bot puts the whole name in first_name.
        let mut body = json!({
            "first_name": name,
            "last_name": "",
            "is_bot": true,
            "role": role,
        });
        if let Some(date) = date(values, "expiration_date")? {
            body["expiration_date"] = json!(day(date));
        }
        let answer = self
            .client
            .json(Method::POST, PERSONS, Some(&body), Retry::Never)
            .await
            .map_err(unreadable_secret)?;
        self.issued(answer, None, "created bot", keep).await
    }

    /// Zou issues a new token, and revokes the old one, whenever a bot is
    /// updated with the key `expiration_date`; sending its current value
    /// keeps the expiry as it was.
    async fn rotate_bot(
        &self,
        target: &Target,
        previous: Option<&Secret>,
        keep: &dyn Keep,
    ) -> Result<Outcome, PlatformError> {
        let path = person_path(&target.id)?;
        let current: Person = self.get(&path).await?;
        if !current.is_bot {
            return Err(PlatformError::Invalid(format!(
                "\"{}\" is a person, not a bot: it has no token",
                target.name
            )));
        }
        let body = json!({ "expiration_date": current.expiration_date });
        let answer = self
            .client
            .json(Method::PUT, &path, Some(&body), Retry::Never)
            .await
            .map_err(unreadable_secret)?;
        let mut outcome = self
            .issued(answer, Some(&target.id), "new token issued for bot", keep)
            .await?;
        outcome
            .checks
            .push(self.previous_token_check(previous).await);
        Ok(outcome)
    }

    async fn delete_bot(&self, target: &Target) -> Result<Outcome, PlatformError> {
        let path = format!("{}?force=true", person_path(&target.id)?);
        self.client
            .send(Method::DELETE, &path, None, Retry::Idempotent)
            .await?;
        Ok(Outcome::done(format!("deleted bot \"{}\"", target.name)))
    }

    async fn delete_entity_link(&self, target: &Target) -> Result<Outcome, PlatformError> {
        let project = target.parent.as_deref().ok_or_else(|| {
            PlatformError::Invalid(
                "an entity link is deleted from its production: select one".into(),
            )
        })?;
        let path = format!(
            "{}/entity-links/{}",
            project_path(project)?,
            segment(&target.id)?
        );
        self.client
            .send(Method::DELETE, &path, None, Retry::Idempotent)
            .await?;
        Ok(Outcome::done(format!(
            "deleted entity link \"{}\"",
            target.name
        )))
    }

    async fn run(&self, op: &Operation, keep: &dyn Keep) -> Result<Outcome, PlatformError> {
        match op {
            Operation::Create {
                kind: Kind::Project,
                values,
                ..
            } => self.create_production(values).await,
            Operation::Create {
                kind: Kind::Bot,
                values,
                ..
            } => self.create_bot(values, keep).await,
            Operation::Update { target, values } if target.kind == Kind::Project => {
                self.update_production(target, values).await
            }
            Operation::Create {
                kind: Kind::ProjectStatus,
                values,
                ..
            } => self.create_project_status(values).await,
            Operation::Update { target, values } if target.kind == Kind::Bot => {
                self.update_bot(target, values, keep).await
            }
            Operation::Update { target, values } if target.kind == Kind::Person => {
                self.update_person(target, values).await
            }
            Operation::SetActive { target, active } if target.kind == Kind::Project => {
                self.set_production_open(target, *active).await
            }
            Operation::SetActive { target, active }
                if matches!(target.kind, Kind::Bot | Kind::Person) =>
            {
                self.set_person_active(target, *active).await
            }
            Operation::Delete { target } => match target.kind {
                Kind::Project => self.delete_production(target).await,
                Kind::Bot => self.delete_bot(target).await,
                Kind::EntityLink => self.delete_entity_link(target).await,
                _ => Err(unsupported(op)),
            },
            Operation::Rotate { target, previous } if target.kind == Kind::Bot => {
                self.rotate_bot(target, previous.as_ref(), keep).await
            }
            _ => Err(unsupported(op)),
        }
    }

    async fn list_source(
        &self,
        source: Source,
        parent: Option<&str>,
        progress: Progress,
    ) -> Result<Vec<Resource>, PlatformError> {
        match (source, parent) {
            (Source::Pane(Pane::Projects), _) => self.list_productions().await,
            (Source::Pane(Pane::Applications), _) => self.list_bots_filtered(&progress).await,
            (Source::View(VIEW_PERSONS), _) => self.list_people(&progress).await,
            (Source::View(VIEW_TASK_TYPES), _) => self.list_task_types().await,
            (Source::View(VIEW_ASSET_TYPES), Some(project)) => self.list_asset_types(project).await,
            (Source::View(VIEW_ENTITY_LINKS), Some(project)) => {
                self.list_entity_links(project, &progress).await
            }
            (Source::View(VIEW_ASSET_TYPES | VIEW_ENTITY_LINKS), None) => {
                Err(PlatformError::Invalid("select a production first".into()))
            }
            (Source::Pane(Pane::Certificates | Pane::View), _) => {
                Err(PlatformError::Unsupported(NO_CERTIFICATES.into()))
            }
            (Source::View(other), _) => Err(PlatformError::Unsupported(format!(
                "Kitsu has no view named {other}"
            ))),
        }
    }
}

fn unsupported(op: &Operation) -> PlatformError {
    let what = match op {
        Operation::Create { kind, .. } => kind.label(),
        other => other.target().map_or("resource", |t| t.kind.label()),
    };
    PlatformError::Unsupported(format!("Portico cannot {} a Kitsu {what}", op.verb()))
}

fn project_path(id: &str) -> Result<String, PlatformError> {
    Ok(format!("{PROJECTS}/{}", segment(id)?))
}

fn person_path(id: &str) -> Result<String, PlatformError> {
    Ok(format!("{PERSONS}/{}", segment(id)?))
}

const NO_CERTIFICATES: &str =
    "Kitsu has no certificates; try :asset-types, :entity-links or :persons";

/// What Kitsu offers, known without credentials.
pub fn capabilities() -> Capabilities {
    let mut production = KindSpec::new(Kind::Project);
    production.create = Some(vec![
        Field::text("name", "Name", true),
        Field::text("description", "Description", false),
        Field::with("start_date", "Start date", Input::Date),
        Field::with("end_date", "End date", Input::Date).not_before("start_date"),
        Field::with("production_type", "Type", Input::Choice(PRODUCTION_TYPES)),
    ]);
    production.edit = Some(vec![
        Field::text("name", "Name", true),
        Field::text("description", "Description", false),
        Field::with("start_date", "Start date", Input::Date),
        Field::with("end_date", "End date", Input::Date).not_before("start_date"),
        Field::with("production_type", "Type", Input::Choice(PRODUCTION_TYPES)),
        Field::with(
            "production_style",
            "Style",
            Input::Choice(manage::PRODUCTION_STYLES),
        ),
        Field::with("team_add", "Add to team (emails)", Input::List),
        Field::with("team_remove", "Remove from team (emails)", Input::List),
    ]);
    production.delete = true;
    production.delete_needs_inactive = Some("Kitsu deletes only closed productions.");
    production.toggle = Some(("Reopen", "Close"));

    let mut bot = KindSpec::new(Kind::Bot);
    bot.create = Some(vec![
        Field::text("name", "Name", true),
        Field::with("role", "Role", Input::Choice(ROLES)),
        Field::with("expiration_date", "Expires on", Input::Date),
    ]);
    bot.edit = Some(vec![
        Field::with("role", "Role", Input::Choice(ROLES)),
        Field::with("expiration_date", "Expires on", Input::Date),
        Field::with("active", "Active", Input::Choice(manage::YES_NO)),
        Field::with("departments", "Departments (names)", Input::List),
    ]);
    bot.toggle = Some(("Reactivate", "Deactivate"));
    bot.delete = true;
    bot.rotate_title = Some("Regenerate the bot's token");
    // The console asks which expiry the new token gets, shows it, then
    // sends it; a script's rotate keeps the expiry.
    bot.rotate = Rotation::Renew {
        fields: vec![
            Field::with(
                manage::TOKEN_EXPIRY,
                "New token's expiry",
                Input::Choice(manage::EXPIRY_CHOICES),
            ),
            Field::with(
                manage::NEW_EXPIRY,
                "New expiry date (empty: never)",
                Input::Date,
            ),
        ],
        warning: "Kitsu revokes the old token at once.",
    };

    let mut person = KindSpec::new(Kind::Person);
    person.edit = Some(vec![
        Field::with("role", "Role", Input::Choice(ROLES)),
        Field::with("active", "Active", Input::Choice(manage::YES_NO)),
    ]);
    person.toggle = Some(("Reactivate", "Deactivate"));

    let mut status = KindSpec::new(Kind::ProjectStatus);
    status.create = Some(vec![
        Field::text("name", "Name", true).max_len(20),
        Field::text("color", "Colour (#rrggbb)", false),
    ]);

    let mut link = KindSpec::new(Kind::EntityLink);
    link.delete = true;

    Capabilities::new([
        PaneSpec::list("Productions", vec!["Status", "Type", "Style"])
            .creating(vec![Kind::Project, Kind::ProjectStatus]),
        PaneSpec::list("Bots", vec!["Role", "Expires", "Active"]).creating(vec![Kind::Bot]),
        PaneSpec::unsupported("Certificates", NO_CERTIFICATES),
    ])
    .with_views(vec![
        ViewSpec {
            name: VIEW_ASSET_TYPES,
            title: "Asset types",
            columns: vec!["Short name", "Archived"],
            scope: Some(Pane::Projects),
            searches: false,
        },
        ViewSpec {
            name: VIEW_ENTITY_LINKS,
            title: "Entity links",
            columns: vec!["Occurrences", "Label"],
            scope: Some(Pane::Projects),
            searches: false,
        },
        ViewSpec {
            name: VIEW_PERSONS,
            title: "Persons",
            columns: vec!["Email", "Role", "Bot", "Active"],
            scope: None,
            searches: true,
        },
        ViewSpec {
            name: VIEW_TASK_TYPES,
            title: "Task types",
            columns: vec!["Short name", "For", "Priority"],
            scope: None,
            searches: false,
        },
    ])
    .with_kinds(vec![
        production,
        bot,
        link,
        KindSpec::new(Kind::AssetType),
        person,
        status,
        KindSpec::new(Kind::TaskType),
    ])
}

/// A bot `token` when given, else a person's `email` and `password`; the
/// config loader has already made sure exactly one group is complete. An
/// `otp` (for scripts, typically a command that prints the current code)
/// is resolved now and offered to the first login, should Zou ask for one.
pub fn connect(c: &Connection<'_>) -> Result<Arc<dyn super::Platform>, PlatformError> {
    let adapter = if c.has("token") {
        Kitsu::with_token(c.base_url(), c.limits(), c.secret("token")?)?
    } else {
        let email = c.secret("email")?;
        let adapter = Kitsu::with_login(
            c.base_url(),
            c.limits(),
            email.expose().to_string(),
            c.secret("password")?,
        )?;
        if c.has("otp") {
            adapter.client.offer_code(c.secret("otp")?);
        }
        adapter
    };
    Ok(Arc::new(match c.page_size() {
        Some(size) => adapter.with_page_size(size),
        None => adapter,
    }))
}

impl super::Platform for Kitsu {
    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    fn list<'a>(
        &'a self,
        source: Source,
        parent: Option<&'a str>,
        progress: Progress,
    ) -> Fut<'a, Vec<Resource>> {
        Box::pin(self.list_source(source, parent, progress))
    }

    fn perform_keeping<'a>(&'a self, op: &'a Operation, keep: &'a dyn Keep) -> Fut<'a, Outcome> {
        Box::pin(self.run(op, keep))
    }

    fn page_size(&self) -> Option<usize> {
        Some(self.per_page)
    }

    fn search<'a>(
        &'a self,
        source: Source,
        _parent: Option<&'a str>,
        query: &'a str,
        _progress: Progress,
    ) -> Fut<'a, super::Paged> {
        Box::pin(async move {
            match source {
                Source::View(VIEW_PERSONS) => {
                    Ok(super::Paged::new(self.search_people(query).await?, 1))
                }
                other => Err(PlatformError::Unsupported(format!(
                    "Kitsu searches only persons on the server, not {other:?}"
                ))),
            }
        })
    }

    fn second_factor(&self, code: Secret) -> Fut<'_, String> {
        Box::pin(Self::second_factor(self, code))
    }

    fn preview<'a>(&'a self, op: &'a Operation) -> Fut<'a, Vec<String>> {
        Box::pin(async move {
            match op {
                Operation::Update { target, values }
                    if target.kind == Kind::Bot
                        && value(values, manage::TOKEN_EXPIRY).is_some() =>
                {
                    self.regeneration_preview(target, values).await
                }
                _ => Ok(Vec::new()),
            }
        })
    }

    /// `GET` of the resource's own `/data/...` route.
    fn document<'a>(&'a self, target: &'a Target) -> Fut<'a, Value> {
        Box::pin(async move {
            let id = segment(&target.id)?;
            let path = match target.kind {
                Kind::Project => format!("{PROJECTS}/{id}"),
                Kind::Bot | Kind::Person => format!("{PERSONS}/{id}"),
                Kind::ProjectStatus => format!("{PROJECT_STATUS}/{id}"),
                Kind::AssetType => format!("/data/asset-types/{id}"),
                Kind::TaskType => format!("/data/task-types/{id}"),
                Kind::EntityLink => format!("/data/entity-links/{id}"),
                other => {
                    return Err(PlatformError::Unsupported(format!(
                        "Kitsu has no {}",
                        other.label()
                    )));
                }
            };
            self.get(&path).await
        })
    }
}

#[cfg(test)]
mod tests;
