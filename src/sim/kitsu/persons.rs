//! People and bots (`/data/persons`). A bot is a person with `is_bot`; its
//! API token is shown once, at creation or when a person update carrying
//! `expiration_date` regenerates it.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::auth::authenticate;
use super::errors::{ApiError, ApiResult, no_content, ok};
use super::query::{Params, json_body, listing, matches};
use super::schema::{self, PERSON, Record, build, flag, ids, text, validate_update};
use super::store::{self, Store, find, position};
use super::{Shared, clock, path_id};

const PROTECTED: &[&str] = &["id", "created_at", "updated_at", "password", "jti"];

/// Fields only an administrator may change, even on their own record.
const ADMIN_ONLY: &[&str] = &[
    "role",
    "departments",
    "active",
    "is_bot",
    "archived",
    "expiration_date",
    "login_failed_attemps",
    "last_login_failed",
    "is_generated_from_ldap",
    "ldap_uid",
    "last_presence",
];

/// The syntax half of `email_validator` (Zou runs with
/// MAIL_CHECK_DELIVERABILITY=false, so no DNS lookup and example domains
/// pass). EmailType stores addresses lowercased.
fn check_email(email: &str) -> Result<String, ApiError> {
    let invalid = |m: &str| Err(ApiError::WrongParameter(m.to_owned()));
    let email = email.trim();
    if email.matches('@').count() != 1 {
        return invalid("The email address is not valid. It must have exactly one @-sign.");
    }
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    if local.is_empty() {
        return invalid("There must be something before the @-sign.");
    }
    if domain.is_empty() {
        return invalid("There must be something after the @-sign.");
    }
    if email.chars().any(char::is_whitespace) {
        return invalid("The email address contains invalid characters.");
    }
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return invalid("The part after the @-sign is not valid. It should have a period.");
    }
    Ok(email.to_lowercase())
}

fn unique_email(st: &Store, email: &str, self_id: &str) -> Result<(), ApiError> {
    if st
        .persons
        .iter()
        .any(|p| text(p, "id") != self_id && text(p, "email") == email)
    {
        return Err(ApiError::duplicate());
    }
    Ok(())
}

/// Validates a present, non-null `email` in place.
fn normalize_email(body: &mut Map<String, Value>) -> Result<(), ApiError> {
    if let Some(Value::String(email)) = body.get("email") {
        let email = check_email(email)?;
        body.insert("email".into(), Value::String(email));
    }
    Ok(())
}

pub async fn list(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    let params = Params::parse(raw.as_deref());
    let rows: Vec<&Record> = st
        .persons
        .iter()
        .filter(|p| matches(&PERSON, p, &params))
        .collect();
    if caller.is_admin() {
        listing(rows, &params, |p| st.person_safe(p))
    } else {
        listing(rows, &params, |p| st.person_minimal(p))
    }
}

pub async fn get_one(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    let id = path_id(&id)?;
    let person = find(&st.persons, &id).ok_or(ApiError::NotFound)?;
    let view = if caller.is_manager() {
        st.person_safe(person)
    } else {
        st.person_minimal(person)
    };
    ok(StatusCode::OK, Value::Object(view))
}

pub async fn create(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    caller.require_admin()?;
    let mut body = json_body(&body)?;
    let password = body.remove("password");
    normalize_email(&mut body)?;
    let now = clock::naive(clock::now());
    let mut person = build(&PERSON, &body, &now)?;
    // No departments are simulated; Zou silently drops ids it cannot find.
    person.insert("departments".into(), json!([]));
    let email = text(&person, "email").to_owned();
    if !email.is_empty() {
        unique_email(&st, &email, "")?;
    }
    let is_bot = flag(&person, "is_bot");
    let token = is_bot.then(|| store::api_token(&shared.signer, &mut person));
    if !is_bot && let Some(Value::String(password)) = password {
        st.passwords
            .insert(text(&person, "id").to_owned(), password);
    }
    let mut out = st.person_safe(&person);
    if let Some(token) = token {
        out.insert("access_token".into(), Value::String(token));
    }
    st.persons.push(person);
    ok(StatusCode::CREATED, Value::Object(out))
}

/// Whether an update regenerates the API token: the body has the key
/// `expiration_date`, null or not in the past.
fn regenerates(body: &Map<String, Value>) -> bool {
    match body.get("expiration_date") {
        None => false,
        Some(Value::Null) => true,
        Some(value) => value
            .as_str()
            .and_then(clock::parse_date)
            .is_some_and(|date| date >= clock::today()),
    }
}

pub async fn update(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    let mut body = json_body(&body)?;
    let id = path_id(&id)?;
    let index = position(&st.persons, &id).ok_or(ApiError::NotFound)?;
    if caller.id != id {
        caller.require_admin()?;
    }
    if !caller.is_admin() {
        body.retain(|k, _| !ADMIN_ONLY.contains(&k.as_str()));
    }
    normalize_email(&mut body)?;
    let regenerate = regenerates(&body);
    let mut changes = validate_update(&PERSON, &body, PROTECTED)?;
    if changes.contains_key("departments") {
        changes.insert("departments".into(), json!([]));
    }
    let mut updated = st.persons[index].clone();
    schema::apply(&mut updated, changes, &clock::naive(clock::now()));
    let email = text(&updated, "email").to_owned();
    if !email.is_empty() {
        unique_email(&st, &email, &id)?;
    }
    let token = regenerate.then(|| store::api_token(&shared.signer, &mut updated));
    let mut out = st.person_safe(&updated);
    if let Some(token) = token {
        out.insert("access_token".into(), Value::String(token));
    }
    st.persons[index] = updated;
    ok(StatusCode::OK, Value::Object(out))
}

/// Deleting a bot deletes its jti, so its token is revoked at once.
pub async fn remove(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    let id = path_id(&id)?;
    let index = position(&st.persons, &id).ok_or(ApiError::NotFound)?;
    if caller.id == id {
        return Err(ApiError::WrongParameter("You can't delete yourself.".into()));
    }
    caller.require_admin()?;
    st.persons.remove(index);
    st.passwords.remove(&id);
    for project in &mut st.projects {
        let team: Vec<String> = ids(project, "team")
            .into_iter()
            .filter(|p| *p != id)
            .collect();
        project.insert("team".into(), json!(team));
    }
    no_content()
}
