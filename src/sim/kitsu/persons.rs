//! People and bots (`/data/persons`). A bot is a person with `is_bot`; its
//! API token is shown once, at creation or when a person update carrying
//! `expiration_date` regenerates it.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::auth::{Call, HAS_LINKED_DATA};
use super::clock;
use super::crud::{changed, found, located};
use super::departments;
use super::errors::{ApiError, ApiResult, no_content, ok};
use super::query::{Params, ordered_listing};
use super::schema::{self, PERSON, build, flag, ids, text};
use super::store;

const PROTECTED: &[&str] = &["id", "created_at", "updated_at", "password", "jti"];

/// Fields only an administrator may change, even on their own record.
const ADMIN_ONLY: &[&str] = &[
    "role",
    "departments",
    "active",
    "is_bot",
    "archived",
    "is_generated_from_ldap",
    "ldap_uid",
    "last_presence",
];

/// The syntax half of `email_validator` (the real server runs with
/// `MAIL_CHECK_DELIVERABILITY=false`, so there is no DNS lookup and example
/// domains pass), with its messages. `EmailType` stores addresses lowercased.
fn check_email(email: &str) -> Result<String, ApiError> {
    let invalid = |m: &str| Err(ApiError::wrong(m));
    let email = email.trim();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return invalid("An email address must have an @-sign.");
    };
    if local.is_empty() {
        return invalid("There must be something before the @-sign.");
    }
    if local.contains('@') {
        return invalid("The email address is not valid. It must have exactly one @-sign.");
    }
    if domain.is_empty() {
        return invalid("There must be something after the @-sign.");
    }
    if email.chars().any(char::is_whitespace) {
        return invalid("The email address contains invalid characters.");
    }
    if domain.starts_with('.') {
        return invalid("An email address cannot have a period immediately after the @-sign.");
    }
    if domain.ends_with('.') {
        return invalid("An email address cannot end with a period.");
    }
    if !domain.contains('.') {
        return invalid("The part after the @-sign is not valid. It should have a period.");
    }
    Ok(email.to_lowercase())
}

/// Validates a present, non-null `email` in place.
fn normalize_email(body: &mut Map<String, Value>) -> Result<(), ApiError> {
    if let Some(Value::String(email)) = body.get("email") {
        let email = check_email(email)?;
        body.insert("email".into(), Value::String(email));
    }
    Ok(())
}

/// A present `expiration_date` must not be in the past (null is fine).
fn check_expiration(body: &Map<String, Value>) -> Result<(), ApiError> {
    if let Some(value) = body.get("expiration_date").filter(|v| !v.is_null()) {
        let field = PERSON
            .field("expiration_date")
            .ok_or_else(ApiError::invalid_format)?;
        let date = schema::check(field, value)?;
        let date = date.as_str().and_then(clock::parse_date);
        if date.is_some_and(|d| d < clock::today()) {
            return Err(ApiError::wrong("Expiration date can't be in the past."));
        }
    }
    Ok(())
}

pub async fn list(call: Call, RawQuery(raw): RawQuery) -> ApiResult {
    let (st, caller) = call.session()?;
    let params = Params::parse(raw.as_deref());
    // `relations=true` adds each person's departments, as on one person.
    let relations = params.flag("relations");
    if caller.is_admin() {
        ordered_listing(&st.persons, &PERSON, &params, |p| {
            st.person_safe(p, relations)
        })
    } else {
        ordered_listing(&st.persons, &PERSON, &params, |p| st.person_minimal(p))
    }
}

pub async fn get_one(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, caller) = call.session()?;
    let person = found(&st.persons, &id)?;
    let view = if caller.is_manager() {
        st.person_safe(person, true)
    } else {
        st.person_minimal(person)
    };
    ok(StatusCode::OK, Value::Object(view))
}

pub async fn create(call: Call, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    caller.require_admin()?;
    let mut body = call.json(&body)?;
    let password = body.remove("password");
    normalize_email(&mut body)?;
    check_expiration(&body)?;
    let now = clock::naive(clock::now());
    let mut person = build(&PERSON, &body, &now)?;
    let linked = departments::known(
        &st.departments,
        person.get("departments").unwrap_or(&Value::Null),
    );
    person.insert("departments".into(), linked);
    let email = text(&person, "email").to_owned();
    if !email.is_empty() && st.persons.iter().any(|p| text(p, "email") == email) {
        return Err(ApiError::wrong("Email already in use."));
    }
    let is_bot = flag(&person, "is_bot");
    let token = is_bot.then(|| store::api_token(&call.shared.signer, &mut person));
    if !is_bot && let Some(Value::String(password)) = password {
        st.passwords
            .insert(text(&person, "id").to_owned(), password);
    }
    let mut out = st.person_safe(&person, true);
    if let Some(token) = token {
        out.insert("access_token".into(), Value::String(token));
    }
    st.persons.write().push(person);
    ok(StatusCode::CREATED, Value::Object(out))
}

/// A body carrying the key `expiration_date` (null, or today or later)
/// issues a new API token for the person and revokes the previous one. The
/// update does not check that the email is unused; only creation does.
pub async fn update(call: Call, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let mut body = call.json(&body)?;
    let (id, index) = located(&st.persons, &id)?;
    if caller.id != id {
        caller.require_admin()?;
    }
    if !caller.is_admin() {
        body.retain(|k, _| !ADMIN_ONLY.contains(&k.as_str()));
        // People may issue themselves a personal API token this way; a bot
        // may not renew its own.
        let is_person =
            caller.claims.get("identity_type").and_then(Value::as_str) == Some("person");
        if !is_person {
            body.remove("expiration_date");
        }
    }
    normalize_email(&mut body)?;
    check_expiration(&body)?;
    let regenerate = body.contains_key("expiration_date");
    let mut updated = changed(&PERSON, &st.persons[index], &body, PROTECTED)?;
    if body.contains_key("departments") {
        let linked = departments::known(
            &st.departments,
            updated.get("departments").unwrap_or(&Value::Null),
        );
        updated.insert("departments".into(), linked);
    }
    let token = regenerate.then(|| store::api_token(&call.shared.signer, &mut updated));
    let mut out = st.person_safe(&updated, true);
    if let Some(token) = token {
        out.insert("access_token".into(), Value::String(token));
    }
    st.persons.write()[index] = updated;
    ok(StatusCode::OK, Value::Object(out))
}

/// Nobody deletes themselves (403). A person with linked data (anyone who
/// ever logged in) needs `force`. Deleting a bot deletes its jti, so its
/// token is revoked at once.
pub async fn remove(call: Call, Path(id): Path<String>, RawQuery(raw): RawQuery) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let (id, index) = located(&st.persons, &id)?;
    if caller.id == id {
        return Err(ApiError::Forbidden);
    }
    caller.require_admin()?;
    let force = Params::parse(raw.as_deref()).flag("force");
    if flag(&st.persons[index], HAS_LINKED_DATA) && !force {
        return Err(ApiError::Message(
            StatusCode::BAD_REQUEST,
            "Some data are still linked to given person.".into(),
        ));
    }
    st.persons.write().remove(index);
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
