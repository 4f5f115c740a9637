//! EVRYTHNG: an account's projects, the applications of each project, and
//! each application's two keys: the public appApiKey and the Trusted
//! Application key, which is read from the API only when asked for and
//! never written to disk (EVRYTHNG shows it again at any time).

mod client;
mod resources;
mod wire;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{Map, Value, json};

use client::Client;
pub use client::PER_PAGE;

use super::form::{date, list, trimmed};
use super::http::{Retry, segment};
use super::registry::Connection;
use super::{
    Capabilities, Field, Fut, Input, Keep, KindSpec, Operation, Outcome, Paged, PaneSpec,
    PlatformError, Progress, Rotation, Source, Target, Values, quiet,
};
use crate::model::{IssuedSecret, Kind, Pane, Resource, Secret};
use wire::{Application, Project, SecretKey};

const PROJECTS: &str = "/projects";
const NO_ROTATION: &str = "EVRYTHNG's API cannot regenerate application keys; \
                           use the EVRYTHNG Dashboard";

/// What listing taught the adapter: which project an application is in
/// (application paths need it) and how many applications a project has.
#[derive(Default)]
struct Known {
    project_of: HashMap<String, String>,
    applications: HashMap<String, usize>,
}

pub struct Evrythng {
    client: Client,
    known: Mutex<Known>,
}

impl Evrythng {
    pub fn new(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        key: Secret,
    ) -> Result<Self, PlatformError> {
        Ok(Self {
            client: Client::new(base_url, limits, key)?,
            known: Mutex::new(Known::default()),
        })
    }

    /// Items asked for per page (default and most [`PER_PAGE`]).
    pub fn with_page_size(mut self, per_page: usize) -> Self {
        self.client.set_page_size(per_page);
        self
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn project_rows(&self, projects: Vec<Project>) -> Vec<Resource> {
        let known = self.known();
        projects
            .into_iter()
            .map(|p| {
                let count = known.applications.get(&p.id).copied();
                resources::project(p, count)
            })
            .collect()
    }

    pub async fn list_projects(&self, progress: Progress) -> Result<Vec<Resource>, PlatformError> {
        let projects: Vec<Project> = self.client.list_all(PROJECTS, &[], &progress).await?;
        Ok(self.project_rows(projects))
    }

    /// Projects named `text` or tagged `text`, filtered by the server.
    pub async fn find_projects(
        &self,
        text: &str,
        progress: Progress,
    ) -> Result<Vec<Resource>, PlatformError> {
        let text = text.trim();
        if text.is_empty() {
            return self.list_projects(progress).await;
        }
        let escaped = escape_filter(text);
        let by_name: Vec<Project> = self
            .client
            .list_all(
                PROJECTS,
                &[("filter", format!("name={escaped}"))],
                &progress,
            )
            .await?;
        let by_tag: Vec<Project> = self
            .client
            .list_all(
                PROJECTS,
                &[("filter", format!("tags={escaped}"))],
                &progress,
            )
            .await?;
        let mut seen = HashSet::new();
        let merged = by_name
            .into_iter()
            .chain(by_tag)
            .filter(|p| seen.insert(p.id.clone()))
            .collect();
        Ok(self.project_rows(merged))
    }

    async fn applications(
        &self,
        project: &str,
        progress: &Progress,
    ) -> Result<Vec<Application>, PlatformError> {
        let apps: Vec<Application> = self
            .client
            .list_all(&apps_path(project)?, &[], progress)
            .await?;
        let mut known = self.known();
        known.applications.insert(project.to_string(), apps.len());
        for app in &apps {
            known.project_of.insert(app.id.clone(), project.to_string());
        }
        Ok(apps)
    }

    pub async fn list_applications(
        &self,
        project: &str,
        progress: Progress,
    ) -> Result<Vec<Resource>, PlatformError> {
        let apps = self.applications(project, &progress).await?;
        Ok(apps.into_iter().map(resources::application).collect())
    }

    /// The project an application is in: known from listing, else found
    /// by looking through every project.
    async fn project_of(&self, app: &str) -> Result<String, PlatformError> {
        if let Some(p) = self.known().project_of.get(app) {
            return Ok(p.clone());
        }
        let projects: Vec<Project> = self.client.list_all(PROJECTS, &[], &quiet()).await?;
        for project in projects {
            if self
                .applications(&project.id, &quiet())
                .await?
                .iter()
                .any(|a| a.id == app)
            {
                return Ok(project.id);
            }
        }
        Err(PlatformError::NotFound(format!(
            "no project holds application {app}"
        )))
    }

    pub async fn list_keys(&self, app: &str) -> Result<Vec<Resource>, PlatformError> {
        let project = self.project_of(app).await?;
        let doc: Application = self
            .client
            .json(
                Method::GET,
                &app_path(&project, app)?,
                None,
                Retry::Idempotent,
            )
            .await?;
        Ok(resources::keys(&doc))
    }

    /// Reads the Trusted Application key of the application `target`
    /// belongs to. It is shown, never stored: the API gives it again.
    async fn reveal(&self, target: &Target) -> Result<Outcome, PlatformError> {
        if target.kind != Kind::TrustedKey {
            return Err(PlatformError::Unsupported(format!(
                "an EVRYTHNG {} has no secret to read",
                target.kind.label()
            )));
        }
        let app = parent(target.parent.as_ref(), "select an application first")?;
        let project = self.project_of(app).await?;
        let path = format!("{}/secretKey", app_path(&project, app)?);
        let key: SecretKey = self
            .client
            .json(Method::GET, &path, None, Retry::Idempotent)
            .await?;
        Ok(Outcome {
            summary: format!("read the trusted application key of application {app}"),
            secret: Some(IssuedSecret {
                label: "trusted application key".into(),
                public_id: Some(app.to_string()),
                secret: Secret::new(key.secret_api_key),
            }),
            created_name: None,
            rereadable: true,
            ..Outcome::default()
        })
    }

    async fn run(&self, op: &Operation) -> Result<Outcome, PlatformError> {
        match op {
            Operation::Create {
                kind: Kind::Project,
                values,
                ..
            } => {
                let body = project_body(values, true)?;
                let p: Project = self
                    .client
                    .json(Method::POST, PROJECTS, Some(&body), Retry::Never)
                    .await?;
                Ok(Outcome {
                    summary: format!("created project \"{}\"", p.name),
                    created: Some(p.id),
                    ..Outcome::default()
                })
            }
            Operation::Create {
                kind: Kind::Application,
                parent: project,
                values,
            } => {
                let project = parent(project.as_ref(), "select a project first")?;
                let body = application_body(values, true)?;
                let a: Application = self
                    .client
                    .json(
                        Method::POST,
                        &apps_path(project)?,
                        Some(&body),
                        Retry::Never,
                    )
                    .await?;
                self.known()
                    .project_of
                    .insert(a.id.clone(), project.to_string());
                Ok(Outcome {
                    summary: format!("created application \"{}\"", a.name),
                    created: Some(a.id),
                    ..Outcome::default()
                })
            }
            Operation::Update { target, values } => {
                let (path, body) = match target.kind {
                    Kind::Project => (project_path(&target.id)?, project_body(values, false)?),
                    Kind::Application => {
                        let project = parent(target.parent.as_ref(), "select a project first")?;
                        (
                            app_path(project, &target.id)?,
                            application_body(values, false)?,
                        )
                    }
                    other => return Err(no_such(other, "edited")),
                };
                self.client
                    .send(Method::PUT, &path, Some(&body), Retry::Idempotent)
                    .await?;
                Ok(Outcome::done(format!(
                    "updated {} \"{}\"",
                    target.kind.label(),
                    target.name
                )))
            }
            Operation::Delete { target } => {
                let path = match target.kind {
                    Kind::Project => project_path(&target.id)?,
                    Kind::Application => app_path(
                        parent(target.parent.as_ref(), "select a project first")?,
                        &target.id,
                    )?,
                    other => return Err(no_such(other, "deleted")),
                };
                self.client
                    .send(Method::DELETE, &path, None, Retry::Idempotent)
                    .await?;
                let mut known = self.known();
                match target.kind {
                    Kind::Project => {
                        known.applications.remove(&target.id);
                        known.project_of.retain(|_, p| p != &target.id);
                    }
                    _ => {
                        known.project_of.remove(&target.id);
                    }
                }
                Ok(Outcome::done(format!(
                    "deleted {} \"{}\"",
                    target.kind.label(),
                    target.name
                )))
            }
            Operation::Reveal { target } => self.reveal(target).await,
            Operation::Rotate { .. } => Err(PlatformError::Unsupported(NO_ROTATION.into())),
            Operation::Create { kind, .. } => Err(no_such(*kind, "created")),
            Operation::SetActive { target, .. } => Err(PlatformError::Unsupported(format!(
                "an EVRYTHNG {} has no status",
                target.kind.label()
            ))),
        }
    }
}

fn no_such(kind: Kind, done: &str) -> PlatformError {
    PlatformError::Unsupported(format!(
        "an EVRYTHNG {} cannot be {done} here",
        kind.label()
    ))
}

fn parent<'a>(parent: Option<&'a String>, hint: &str) -> Result<&'a str, PlatformError> {
    parent
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| PlatformError::Invalid(hint.into()))
}

fn project_path(id: &str) -> Result<String, PlatformError> {
    Ok(format!("{PROJECTS}/{}", segment(id)?))
}

fn apps_path(project: &str) -> Result<String, PlatformError> {
    Ok(format!("{}/applications", project_path(project)?))
}

fn app_path(project: &str, app: &str) -> Result<String, PlatformError> {
    Ok(format!("{}/{}", apps_path(project)?, segment(app)?))
}

/// The filter syntax gives `& | ! > < = ~ ( ) ,` a meaning; a backslash
/// makes them literal, as evrythng.js does.
fn escape_filter(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "&|!><=~(),\\".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A trimmed form value; `None` when the form has no such field.
fn invalid(text: impl Into<String>) -> PlatformError {
    PlatformError::Invalid(text.into())
}

/// `key=value, key=value` as a JSON object of strings.
fn object(raw: &str, label: &str) -> Result<Map<String, Value>, PlatformError> {
    let mut map = Map::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| invalid(format!("{label}: \"{part}\" is not key=value")))?;
        let k = k.trim();
        if k.is_empty() {
            return Err(invalid(format!("{label}: \"{part}\" has no key")));
        }
        map.insert(k.to_string(), json!(v.trim()));
    }
    Ok(map)
}

/// A date as epoch milliseconds at midnight UTC.
const fn millis(date: time::Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp() * 1000
}

/// The shared fields of both documents. On an update every field the
/// form has is sent, emptied ones as empty values, since a `null` would
/// leave them unchanged.
fn common(values: &Values, create: bool) -> Result<Map<String, Value>, PlatformError> {
    let mut body = Map::new();
    match trimmed(values, "name") {
        Some("") | None if create => return Err(invalid("a name is required")),
        Some("") => return Err(invalid("a name is required")),
        Some(name) => {
            body.insert("name".into(), json!(name));
        }
        None => {}
    }
    if let Some(d) = trimmed(values, "description")
        && (!d.is_empty() || !create)
    {
        body.insert("description".into(), json!(d));
    }
    if let Some(t) = trimmed(values, "tags") {
        let tags = list(t);
        if let Some(long) = tags.iter().find(|t| t.chars().count() > 256) {
            return Err(invalid(format!("the tag \"{long}\" is longer than 256")));
        }
        if !tags.is_empty() || !create {
            body.insert("tags".into(), json!(tags));
        }
    }
    if let Some(raw) = trimmed(values, "customFields") {
        let map = object(raw, "Custom fields")?;
        if !map.is_empty() || !create {
            body.insert("customFields".into(), Value::Object(map));
        }
    }
    Ok(body)
}

fn project_body(values: &Values, create: bool) -> Result<Value, PlatformError> {
    let mut body = common(values, create)?;
    if let Some(raw) = trimmed(values, "identifiers") {
        let map = object(raw, "Identifiers")?;
        if !map.is_empty() || !create {
            body.insert("identifiers".into(), Value::Object(map));
        }
    }
    // An empty date is left out: the API has no way to clear one.
    let starts = date(values, "startsAt")?.map(millis);
    let ends = date(values, "endsAt")?.map(millis);
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        return Err(invalid("the end date is before the start date"));
    }
    if let Some(s) = starts {
        body.insert("startsAt".into(), json!(s));
    }
    if let Some(e) = ends {
        body.insert("endsAt".into(), json!(e));
    }
    Ok(Value::Object(body))
}

fn application_body(values: &Values, create: bool) -> Result<Value, PlatformError> {
    let mut body = common(values, create)?;
    let networks = match trimmed(values, "socialNetworks") {
        None if !create => None,
        None | Some("") => Some(Map::new()),
        Some(raw) => match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(map)) => Some(map),
            _ => {
                return Err(invalid(
                    "Social networks must be a JSON object, e.g. {} or {\"facebook\": {}}",
                ));
            }
        },
    };
    if let Some(map) = networks {
        body.insert("socialNetworks".into(), Value::Object(map));
    }
    Ok(Value::Object(body))
}

const NAME: Field = Field::text("name", "Name", true);
const DESCRIPTION: Field = Field::text("description", "Description", false);
const TAGS: Field = Field::with("tags", "Tags (comma-separated)", Input::List);
const CUSTOM: Field = Field::text("customFields", "Custom fields (key=value, ...)", false);

/// What EVRYTHNG offers, known without credentials.
pub fn capabilities() -> Capabilities {
    let mut project = KindSpec::new(Kind::Project);
    project.create = Some(vec![
        NAME,
        DESCRIPTION,
        TAGS,
        CUSTOM,
        Field::text("identifiers", "Identifiers (key=value, ...)", false),
        Field::with("startsAt", "Start (YYYY-MM-DD)", Input::Date),
        Field::with("endsAt", "End (YYYY-MM-DD)", Input::Date),
    ]);
    project.edit.clone_from(&project.create);
    project.delete = true;
    project.delete_typed = true;
    project.delete_warning = Some(
        "Its applications and Application Users are deleted with it, \
         and their keys stop working.",
    );
    project.rotate = Rotation::Unsupported("a project has no key; its applications do");

    let mut app = KindSpec::new(Kind::Application);
    app.create = Some(vec![
        NAME,
        DESCRIPTION,
        TAGS,
        CUSTOM,
        Field::text("socialNetworks", "Social networks (JSON object)", false),
    ]);
    app.edit.clone_from(&app.create);
    app.delete = true;
    app.rotate = Rotation::Unsupported(NO_ROTATION);

    let mut app_key = KindSpec::new(Kind::AppKey);
    app_key.rotate = Rotation::Unsupported(NO_ROTATION);
    let mut trusted = KindSpec::new(Kind::TrustedKey);
    trusted.rotate = Rotation::Unsupported(NO_ROTATION);
    trusted.reveal = true;

    Capabilities::new([
        PaneSpec::list("Projects", vec!["Tags", "Start", "End", "Apps"])
            .searching()
            .creating(vec![Kind::Project]),
        PaneSpec::list("Applications", vec!["Description", "Tags", "Id"])
            .scoped_by(Pane::Projects)
            .creating(vec![Kind::Application]),
        PaneSpec::list("Keys", vec!["Kind", "Key"]).scoped_by(Pane::Applications),
    ])
    .with_kinds(vec![project, app, app_key, trusted])
}

/// Builds the adapter from the tenant's operator `api_key`.
pub fn connect(c: &Connection<'_>) -> Result<Arc<dyn super::Platform>, PlatformError> {
    let evrythng = Evrythng::new(c.base_url(), c.limits(), c.secret("api_key")?)?;
    Ok(Arc::new(match c.page_size() {
        Some(size) => evrythng.with_page_size(size),
        None => evrythng,
    }))
}

impl super::Platform for Evrythng {
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
            match (source, parent) {
                (Source::Pane(Pane::Projects), _) => self.list_projects(progress).await,
                (Source::Pane(Pane::Applications), Some(project)) => {
                    self.list_applications(project, progress).await
                }
                (Source::Pane(Pane::Certificates), Some(app)) => self.list_keys(app).await,
                (Source::Pane(Pane::Applications), None) => {
                    Err(PlatformError::Invalid("select a project first".into()))
                }
                (Source::Pane(Pane::Certificates), None) => {
                    Err(PlatformError::Invalid("select an application first".into()))
                }
                (Source::View(name), _) => Err(PlatformError::Unsupported(format!(
                    "EVRYTHNG has no :{name} view"
                ))),
                (Source::Pane(Pane::View), _) => {
                    Err(PlatformError::Unsupported("EVRYTHNG has no views".into()))
                }
            }
        })
    }

    fn page_size(&self) -> Option<usize> {
        Some(self.client.page_size())
    }

    /// Name or tag, as `find_projects` asks the server.
    fn search<'a>(
        &'a self,
        source: Source,
        _parent: Option<&'a str>,
        query: &'a str,
        progress: Progress,
    ) -> Fut<'a, Paged> {
        Box::pin(async move {
            let items = match source {
                Source::Pane(Pane::Projects) => self.find_projects(query, progress).await?,
                other => {
                    return Err(PlatformError::Unsupported(format!(
                        "no server-side search for {other:?}"
                    )));
                }
            };
            Ok(Paged::counted(items, self.client.page_size()))
        })
    }

    /// EVRYTHNG issues no secret: the trusted key it reveals can be read
    /// again at any time, so there is nothing to keep.
    fn perform_keeping<'a>(&'a self, op: &'a Operation, _keep: &'a dyn Keep) -> Fut<'a, Outcome> {
        Box::pin(self.run(op))
    }

    /// `GET` of the project or application; a key's document is its
    /// application's, which is where EVRYTHNG keeps the key.
    fn document<'a>(&'a self, target: &'a Target) -> Fut<'a, Value> {
        Box::pin(async move {
            let path = match target.kind {
                Kind::Project => project_path(&target.id)?,
                Kind::Application => {
                    let project = match &target.parent {
                        Some(p) if !p.is_empty() => p.clone(),
                        _ => self.project_of(&target.id).await?,
                    };
                    app_path(&project, &target.id)?
                }
                Kind::AppKey | Kind::TrustedKey => {
                    let app = parent(target.parent.as_ref(), "select an application first")?;
                    app_path(&self.project_of(app).await?, app)?
                }
                other => {
                    return Err(PlatformError::Unsupported(format!(
                        "EVRYTHNG has no {}",
                        other.label()
                    )));
                }
            };
            self.client
                .json(Method::GET, &path, None, Retry::Idempotent)
                .await
        })
    }
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
    fn project_forms_become_documents() {
        let form = values(&[
            ("name", " Pilot "),
            ("description", ""),
            ("tags", "a, b,"),
            ("customFields", "region=eu, owner = ops"),
            ("identifiers", ""),
            ("startsAt", "2026-01-01"),
            ("endsAt", "2026-12-31"),
        ]);
        let created = project_body(&form, true).expect("create");
        assert_eq!(
            created,
            json!({"name": "Pilot", "tags": ["a", "b"],
                   "customFields": {"region": "eu", "owner": "ops"},
                   "startsAt": 1_767_225_600_000i64, "endsAt": 1_798_675_200_000i64})
        );
        let edited = project_body(&form, false).expect("edit");
        assert_eq!(edited["description"], "");
        assert_eq!(edited["identifiers"], json!({}));

        for bad in [
            values(&[("name", "")]),
            values(&[("name", "x"), ("customFields", "region")]),
            values(&[("name", "x"), ("startsAt", "2026-02-30")]),
            values(&[
                ("name", "x"),
                ("startsAt", "2026-02-02"),
                ("endsAt", "2026-02-01"),
            ]),
        ] {
            assert!(
                matches!(project_body(&bad, true), Err(PlatformError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn applications_always_carry_social_networks_on_create() {
        let app = application_body(&values(&[("name", "App"), ("socialNetworks", "")]), true)
            .expect("app");
        assert_eq!(app, json!({"name": "App", "socialNetworks": {}}));
        let bad = values(&[("name", "App"), ("socialNetworks", "[1]")]);
        assert!(application_body(&bad, true).is_err());
        let rename = application_body(&values(&[("name", "New")]), false).expect("edit");
        assert_eq!(rename, json!({"name": "New"}));
    }

    #[test]
    fn filters_escape_the_operators() {
        assert_eq!(escape_filter("a=b,c"), r"a\=b\,c");
        assert_eq!(escape_filter("plain"), "plain");
    }
}
