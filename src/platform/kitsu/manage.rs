//! Managing bots, persons, productions' teams and statuses, and reading
//! task types: the operations beyond creating, rotating and deleting.

use std::collections::HashMap;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::resources;
use super::wire::{Department, Person, Project};
use super::{Kitsu, PERSONS, PROJECT_STATUS, PROJECTS, ROLES, person_path, project_path};
use crate::model::{Kind, Resource};
use crate::platform::form::{choice, date, day, required, text as optional};
use crate::platform::http::{Retry, segment, unreadable_secret};
use crate::platform::{
    Check, Keep, Outcome, PlatformError, Progress, Target, Values, quiet, value,
};

pub const VIEW_TASK_TYPES: &str = "task-types";
pub const PRODUCTION_STYLES: &[&str] = &[
    "2d",
    "2dpaper",
    "3d",
    "2d3d",
    "ar",
    "vfx",
    "stop-motion",
    "motion-design",
    "archviz",
    "commercial",
    "catalog",
    "immersive",
    "nft",
    "video-game",
    "vr",
];
pub const YES_NO: &[&str] = &["yes", "no"];
const TASK_TYPES: &str = "/data/task-types";
const DEPARTMENTS: &str = "/data/departments";
/// The regeneration form's keys: which expiry the new token gets, and the
/// new date when it is not the current one.
pub const TOKEN_EXPIRY: &str = "token_expiry";
pub const NEW_EXPIRY: &str = "new_expiration_date";
pub const EXPIRY_CHOICES: &[&str] = &["keep", "new"];
/// What a persons search may name, and Zou's column for it.
pub const PERSON_FILTERS: &[(&str, &str)] = &[
    ("role", "role"),
    ("active", "active"),
    ("bot", "is_bot"),
    ("email", "email"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("login", "desktop_login"),
];

#[derive(Deserialize)]
pub struct TaskType {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub for_entity: Option<String>,
    #[serde(default)]
    pub priority: Option<i64>,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub archived: Option<bool>,
}

/// A project with its team, as `?relations=true` lists it.
#[derive(Deserialize)]
struct Staffed {
    #[serde(default)]
    name: String,
    #[serde(default)]
    team: Vec<String>,
}

fn yes(values: &Values, key: &str) -> Result<Option<bool>, PlatformError> {
    Ok(choice(values, key, YES_NO)?.map(|v| v == "yes"))
}

fn names(list: &str) -> Vec<&str> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

impl Kitsu {
    /// Bots only: Zou filters on any column, `is_bot` included.
    /// With relations, each bot's department ids come along. Their names
    /// are a comfort: when Zou will not list departments, ids stand in.
    pub async fn list_bots_filtered(
        &self,
        progress: &Progress,
    ) -> Result<Vec<Resource>, PlatformError> {
        let path = format!("{PERSONS}?is_bot=true&relations=true");
        let (bots, names) = tokio::join!(self.persons_at(&path, progress), self.department_names());
        let names = names.unwrap_or_default();
        Ok(bots?
            .into_iter()
            .map(|b| resources::bot(b, &names))
            .collect())
    }

    async fn departments(&self) -> Result<Vec<Department>, PlatformError> {
        self.get(DEPARTMENTS).await
    }

    /// Department id → name.
    pub async fn department_names(&self) -> Result<HashMap<String, String>, PlatformError> {
        Ok(self
            .departments()
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect())
    }

    /// The ids of the departments named in `list` (comma-separated, any case).
    async fn department_ids(&self, list: &str) -> Result<Vec<String>, PlatformError> {
        let known = self.departments().await?;
        let mut ids = Vec::new();
        for wanted in names(list) {
            let found = known
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(wanted))
                .ok_or_else(|| {
                    let all: Vec<&str> = known.iter().map(|d| d.name.as_str()).collect();
                    PlatformError::Invalid(format!(
                        "departments: Kitsu has no department \"{wanted}\" (it has {})",
                        all.join(", ")
                    ))
                })?;
            if !ids.contains(&found.id) {
                ids.push(found.id.clone());
            }
        }
        Ok(ids)
    }

    /// The expiry a regenerated token gets: the bot's current one, or the
    /// date chosen (none when left empty).
    fn chosen_expiry(current: &Person, values: &Values) -> Result<Option<String>, PlatformError> {
        match choice(values, TOKEN_EXPIRY, EXPIRY_CHOICES)? {
            Some("new") => Ok(date(values, NEW_EXPIRY)?.map(day)),
            _ => Ok(current.expiration_date.clone()),
        }
    }

    /// What a regeneration will do, read before it is sent.
    pub async fn regeneration_preview(
        &self,
        target: &Target,
        values: &Values,
    ) -> Result<Vec<String>, PlatformError> {
        let current: Person = self.get(&person_path(&target.id)?).await?;
        let chosen = Self::chosen_expiry(&current, values)?;
        if let Some(day) = chosen.as_deref()
            && crate::platform::form::parse_day(day)
                .is_some_and(|d| d < time::OffsetDateTime::now_utc().date())
        {
            return Err(PlatformError::Invalid(format!(
                "the new expiry {day} is in the past; Kitsu refuses it"
            )));
        }
        let shown = |d: Option<&str>| d.map_or_else(|| "never".to_string(), str::to_string);
        let now = shown(current.expiration_date.as_deref());
        let kept = chosen == current.expiration_date;
        Ok(vec![
            format!("current token expires: {now}"),
            if kept {
                format!("new token expires: {} (kept)", shown(chosen.as_deref()))
            } else {
                format!(
                    "new token expires: {} (was {now})",
                    shown(chosen.as_deref())
                )
            },
        ])
    }

    /// A new token with the expiry chosen (see [`Kitsu::regeneration_preview`]);
    /// Zou revokes the old token as it issues the new one.
    async fn regenerate(
        &self,
        target: &Target,
        values: &Values,
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
        let chosen = Self::chosen_expiry(&current, values)?;
        let previous = keep.held(&target.id).await;
        let answer = self
            .client
            .json(
                Method::PUT,
                &path,
                Some(&json!({ "expiration_date": chosen })),
                Retry::Never,
            )
            .await
            .map_err(unreadable_secret)?;
        let mut outcome = self
            .issued(answer, Some(&target.id), "new token issued for bot", keep)
            .await?;
        outcome
            .checks
            .push(self.previous_token_check(previous.as_ref()).await);
        let after: Result<Person, PlatformError> = self.get(&path).await;
        let shown = |d: Option<&str>| d.map_or_else(|| "never".to_string(), str::to_string);
        outcome.checks.push(match after {
            Ok(bot) if bot.expiration_date == chosen => Check {
                label: format!("new token expires {}, as chosen", shown(chosen.as_deref())),
                passed: true,
            },
            Ok(bot) => Check {
                label: format!(
                    "Kitsu set the expiry to {}, not {}",
                    shown(bot.expiration_date.as_deref()),
                    shown(chosen.as_deref())
                ),
                passed: false,
            },
            Err(err) => Check {
                label: format!("expiry check failed: {err}"),
                passed: false,
            },
        });
        Ok(outcome)
    }

    /// Everyone, bots included, each with the productions whose team they
    /// are in (one more call, not one per person).
    pub async fn list_people(&self, progress: &Progress) -> Result<Vec<Resource>, PlatformError> {
        self.people_at(PERSONS.to_string(), progress).await
    }

    /// The persons matching `query`, filtered by Zou: words `field:value`
    /// with the fields of [`PERSON_FILTERS`], which Zou compares whole, as
    /// its generic listing does with any column in the query string.
    pub async fn search_people(&self, query: &str) -> Result<Vec<Resource>, PlatformError> {
        let mut pairs = Vec::new();
        for word in query.split_whitespace() {
            let known = word.split_once(':').and_then(|(field, wanted)| {
                let (_, column) = PERSON_FILTERS.iter().find(|(name, _)| *name == field)?;
                Some((*column, wanted))
            });
            let Some((column, wanted)) = known.filter(|(_, v)| !v.is_empty()) else {
                let fields: Vec<&str> = PERSON_FILTERS.iter().map(|(name, _)| *name).collect();
                return Err(PlatformError::Invalid(format!(
                    "Kitsu filters persons by field: {}:VALUE (\"{word}\" is none)",
                    fields.join(":, ")
                )));
            };
            let wanted = match (column, wanted) {
                ("active" | "is_bot", "yes") => "true",
                ("active" | "is_bot", "no") => "false",
                ("email", text) => &text.to_lowercase(),
                (_, text) => text,
            };
            pairs.push(format!("{column}={}", segment(wanted)?));
        }
        let path = if pairs.is_empty() {
            PERSONS.to_string()
        } else {
            format!("{PERSONS}?{}", pairs.join("&"))
        };
        self.people_at(path, &quiet()).await
    }

    async fn people_at(
        &self,
        people_path: String,
        progress: &Progress,
    ) -> Result<Vec<Resource>, PlatformError> {
        let projects_path = format!("{PROJECTS}?relations=true");
        let (people, projects) = tokio::join!(
            self.persons_at(&people_path, progress),
            self.get::<Vec<Staffed>>(&projects_path),
        );
        let mut by_person: HashMap<String, Vec<String>> = HashMap::new();
        for project in projects? {
            for person in project.team {
                by_person
                    .entry(person)
                    .or_default()
                    .push(project.name.clone());
            }
        }
        Ok(people?
            .into_iter()
            .map(|p| {
                let mut projects = by_person.remove(&p.id).unwrap_or_default();
                projects.sort();
                resources::person(p, self.client.signed_in())
                    .with_detail("projects", projects.join(", "))
            })
            .collect())
    }

    pub async fn list_task_types(&self) -> Result<Vec<Resource>, PlatformError> {
        let kinds: Vec<TaskType> = self.get(TASK_TYPES).await?;
        Ok(kinds.into_iter().map(task_type).collect())
    }

    /// One task type, as `GET /data/task-types/{id}` answers it.
    pub async fn task_type(&self, id: &str) -> Result<Resource, PlatformError> {
        let kind: TaskType = self.get(&format!("{TASK_TYPES}/{}", segment(id)?)).await?;
        Ok(task_type(kind))
    }

    /// Role, active flag and expiry of a bot. Zou issues a new token (and
    /// revokes the old) whenever `expiration_date` is sent, so it is sent
    /// only when it changes, and the new token is kept like a rotation's.
    pub async fn update_bot(
        &self,
        target: &Target,
        values: &Values,
        keep: &dyn Keep,
    ) -> Result<Outcome, PlatformError> {
        if value(values, TOKEN_EXPIRY).is_some() {
            return self.regenerate(target, values, keep).await;
        }
        let path = person_path(&target.id)?;
        let current: Person = self.get(&path).await?;
        let mut body = self.person_changes(&current, values)?;
        if value(values, "departments").is_some() {
            let wanted = self
                .department_ids(optional(values, "departments").unwrap_or_default())
                .await?;
            let (mut now, mut then) = (current.departments.clone(), wanted.clone());
            now.sort();
            then.sort();
            if now != then {
                body.insert("departments".into(), json!(wanted));
            }
        }
        if value(values, "expiration_date").is_some() {
            let wanted = date(values, "expiration_date")?.map(day);
            if wanted.as_deref() != current.expiration_date.as_deref() {
                body.insert("expiration_date".into(), json!(wanted));
            }
        }
        if body.is_empty() {
            return Ok(Outcome::done(format!("bot \"{}\" unchanged", target.name)));
        }
        if !body.contains_key("expiration_date") {
            let bot: Person = self
                .client
                .json(
                    Method::PUT,
                    &path,
                    Some(&Value::Object(body)),
                    Retry::Idempotent,
                )
                .await?;
            return Ok(Outcome::done(format!(
                "updated bot \"{}\"",
                resources::person_name(&bot)
            )));
        }
        let answer = self
            .client
            .json(Method::PUT, &path, Some(&Value::Object(body)), Retry::Never)
            .await
            .map_err(unreadable_secret)?;
        let mut outcome = self
            .issued(answer, Some(&target.id), "updated bot", keep)
            .await?;
        outcome
            .summary
            .push_str("; Kitsu issued a new token and revoked the old one");
        Ok(outcome)
    }

    /// A person's role and active flag.
    pub async fn update_person(
        &self,
        target: &Target,
        values: &Values,
    ) -> Result<Outcome, PlatformError> {
        let path = person_path(&target.id)?;
        let current: Person = self.get(&path).await?;
        let body = self.person_changes(&current, values)?;
        if body.is_empty() {
            return Ok(Outcome::done(format!("\"{}\" unchanged", target.name)));
        }
        let person: Person = self
            .client
            .json(
                Method::PUT,
                &path,
                Some(&Value::Object(body)),
                Retry::Idempotent,
            )
            .await?;
        Ok(Outcome::done(format!(
            "updated {} \"{}\"",
            target.kind.label(),
            resources::person_name(&person)
        )))
    }

    #[allow(
        clippy::unused_self,
        reason = "one of the adapter's request builders, kept a method like its siblings"
    )]
    fn person_changes(
        &self,
        current: &Person,
        values: &Values,
    ) -> Result<Map<String, Value>, PlatformError> {
        let mut body = Map::new();
        if let Some(role) = choice(values, "role", ROLES)?
            && current.role.as_deref() != Some(role)
        {
            body.insert("role".into(), json!(role));
        }
        if let Some(active) = yes(values, "active")?
            && current.active != Some(active)
        {
            body.insert("active".into(), json!(active));
        }
        Ok(body)
    }

    /// Deactivates or reactivates a bot or a person. A bot's token stays
    /// the same; Zou refuses it while the bot is inactive.
    pub async fn set_person_active(
        &self,
        target: &Target,
        active: bool,
    ) -> Result<Outcome, PlatformError> {
        self.client
            .send(
                Method::PUT,
                &person_path(&target.id)?,
                Some(&json!({ "active": active })),
                Retry::Idempotent,
            )
            .await?;
        let verb = if active { "reactivated" } else { "deactivated" };
        Ok(Outcome::done(format!(
            "{verb} {} \"{}\"",
            target.kind.label(),
            target.name
        )))
    }

    /// The production's type and style, then its team: `team_add` and
    /// `team_remove` name persons by email, comma-separated.
    pub async fn update_production_more(
        &self,
        target: &Target,
        values: &Values,
        body: &mut Map<String, Value>,
    ) -> Result<Vec<String>, PlatformError> {
        if let Some(kind) = choice(values, "production_type", super::PRODUCTION_TYPES)? {
            body.insert("production_type".into(), json!(kind));
        }
        if let Some(style) = choice(values, "production_style", PRODUCTION_STYLES)? {
            body.insert("production_style".into(), json!(style));
        }
        let adding = optional(values, "team_add").map(names).unwrap_or_default();
        let removing = optional(values, "team_remove")
            .map(names)
            .unwrap_or_default();
        let mut done = Vec::new();
        let team = format!("{}/team", project_path(&target.id)?);
        for email in adding {
            let person = self.person_by_email(email).await?;
            let _: Project = self
                .client
                .json(
                    Method::POST,
                    &team,
                    Some(&json!({ "person_id": person })),
                    Retry::Idempotent,
                )
                .await?;
            done.push(format!("added {email}"));
        }
        for email in removing {
            let person = self.person_by_email(email).await?;
            self.client
                .send(
                    Method::DELETE,
                    &format!("{team}/{}", segment(&person)?),
                    None,
                    Retry::Idempotent,
                )
                .await?;
            done.push(format!("removed {email}"));
        }
        Ok(done)
    }

    async fn person_by_email(&self, email: &str) -> Result<String, PlatformError> {
        let found: Vec<Person> = self
            .get(&format!(
                "{PERSONS}?email={}",
                segment(&email.to_lowercase())?
            ))
            .await?;
        found
            .into_iter()
            .next()
            .map(|p| p.id)
            .ok_or_else(|| PlatformError::Invalid(format!("no Kitsu person has the email {email}")))
    }

    /// `POST /data/project-status`: admins only; the name is unique.
    pub async fn create_project_status(&self, values: &Values) -> Result<Outcome, PlatformError> {
        let name = required(values, "name", "a name")?;
        let color = optional(values, "color").unwrap_or("#000000");
        if !is_colour(color) {
            return Err(PlatformError::Invalid(format!(
                "color: \"{color}\" is not a #rrggbb colour"
            )));
        }
        #[derive(Deserialize)]
        #[allow(
            clippy::items_after_statements,
            reason = "the wire shape of this one reply"
        )]
        struct Status {
            id: String,
            #[serde(default)]
            name: String,
        }
        let status: Status = self
            .client
            .json(
                Method::POST,
                PROJECT_STATUS,
                Some(&json!({ "name": name, "color": color })),
                Retry::Never,
            )
            .await?;
        let mut outcome = Outcome::done(format!("created project status \"{}\"", status.name));
        outcome.created = Some(status.id);
        Ok(outcome)
    }
}

fn is_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn task_type(kind: TaskType) -> Resource {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let priority = kind.priority.map(|p| p.to_string()).unwrap_or_default();
    let archived = if kind.archived.unwrap_or(false) {
        "yes"
    } else {
        "no"
    };
    let mut res = Resource::new(Kind::TaskType, kind.id.clone(), kind.name.clone());
    res.cells = vec![
        text(&kind.short_name),
        text(&kind.for_entity),
        priority.clone(),
    ];
    res.with_detail("name", kind.name)
        .with_detail("short_name", text(&kind.short_name))
        .with_detail("for_entity", text(&kind.for_entity))
        .with_detail("priority", priority)
        .with_detail("color", text(&kind.color))
        .with_detail("archived", archived)
}
