//! Column tables for the Zou models the simulator serves, and the generic
//! create / update / serialize logic Zou's CRUD layer applies to them.
//!
//! Records are JSON maps keyed by column name. Keys that are not columns
//! (a bot's `jti`, an entity link's precise creation time) live in the same
//! map but are never serialized, exactly like Zou's private columns.

use serde_json::{Map, Value};

use super::clock;
use super::errors::ApiError;

pub type Record = Map<String, Value>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Str,
    Int,
    Bool,
    Date,
    DateTime,
    /// A UUID column (foreign keys included).
    Id,
    Json,
    /// A many-to-many relation, serialized as a list of ids.
    IdList,
    Choice(&'static [&'static str]),
}

#[derive(Clone, Copy, Debug)]
pub enum Def {
    Null,
    Str(&'static str),
    Int(i64),
    Bool(bool),
    EmptyList,
    /// NOT NULL without default: the insert fails when it is missing.
    Required,
}

impl Def {
    fn value(self) -> Value {
        match self {
            Self::Null | Self::Required => Value::Null,
            Self::Str(s) => Value::String(s.to_owned()),
            Self::Int(i) => Value::from(i),
            Self::Bool(b) => Value::Bool(b),
            Self::EmptyList => Value::Array(Vec::new()),
        }
    }
}

#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub def: Def,
    pub nullable: bool,
    /// Only serialized with `relations=True`.
    pub relation: bool,
}

const fn col(name: &'static str, kind: Kind, def: Def) -> Field {
    Field {
        name,
        kind,
        def,
        nullable: true,
        relation: false,
    }
}

const fn not_null(name: &'static str, kind: Kind, def: Def) -> Field {
    Field {
        name,
        kind,
        def,
        nullable: false,
        relation: false,
    }
}

const fn required(name: &'static str, kind: Kind) -> Field {
    not_null(name, kind, Def::Required)
}

const fn relation(name: &'static str) -> Field {
    Field {
        name,
        kind: Kind::IdList,
        def: Def::EmptyList,
        nullable: false,
        relation: true,
    }
}

pub struct Schema {
    /// The `SQLAlchemy` class name, as it appears in constructor errors.
    pub class: &'static str,
    /// The `"type"` every serialized object carries.
    pub type_name: &'static str,
    pub fields: &'static [Field],
}

impl Schema {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Columns that may be filtered on: fields plus the base mixin's.
    pub fn is_column(&self, name: &str) -> bool {
        matches!(name, "id" | "created_at" | "updated_at") || self.field(name).is_some()
    }
}

use Kind::{Bool, Choice, Date, DateTime, Id, IdList, Int, Json, Str};

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
pub const ROLES: &[&str] = &["admin", "manager", "supervisor", "user", "client", "vendor"];
const CONTRACT_TYPES: &[&str] = &[
    "open-ended",
    "fixed-term",
    "short-term",
    "freelance",
    "apprentice",
    "internship",
];
const ENTITY_STATUSES: &[&str] = &["running", "complete", "standby", "canceled"];

pub static PROJECT: Schema = Schema {
    class: "Project",
    type_name: "Project",
    fields: &[
        required("name", Str),
        col("code", Str, Def::Null),
        col("description", Str, Def::Null),
        col("shotgun_id", Int, Def::Null),
        col("file_tree", Json, Def::Null),
        col("data", Json, Def::Null),
        col("has_avatar", Bool, Def::Bool(false)),
        col("fps", Str, Def::Str("25")),
        col("ratio", Str, Def::Str("16:9")),
        col("resolution", Str, Def::Str("1920x1080")),
        col("production_type", Str, Def::Str("short")),
        col(
            "production_style",
            Choice(PRODUCTION_STYLES),
            Def::Str("2d3d"),
        ),
        col("start_date", Date, Def::Null),
        col("end_date", Date, Def::Null),
        col("man_days", Int, Def::Null),
        col("nb_episodes", Int, Def::Int(0)),
        col("episode_span", Int, Def::Int(0)),
        col("max_retakes", Int, Def::Int(0)),
        col("is_clients_isolated", Bool, Def::Bool(false)),
        col("is_client_stats_visible", Bool, Def::Bool(true)),
        col("is_client_task_list_visible", Bool, Def::Bool(true)),
        col("is_client_task_panel_visible", Bool, Def::Bool(true)),
        col("is_preview_download_allowed", Bool, Def::Bool(false)),
        col("is_set_preview_automated", Bool, Def::Bool(false)),
        col("homepage", Str, Def::Str("assets")),
        col("is_publish_default_for_artists", Bool, Def::Bool(false)),
        col("is_bot_collaboration_enabled", Bool, Def::Bool(false)),
        col("is_single_preview_per_revision", Bool, Def::Bool(false)),
        col("is_frame_in_numbering", Bool, Def::Bool(false)),
        col("revision_padding", Int, Def::Int(0)),
        col("hd_bitrate_compression", Int, Def::Null),
        col("ld_bitrate_compression", Int, Def::Null),
        col("project_status_id", Id, Def::Null),
        col("default_preview_background_file_id", Id, Def::Null),
        col("from_schedule_version_id", Id, Def::Null),
        relation("team"),
        relation("asset_types"),
        relation("task_statuses"),
        relation("task_types"),
        relation("status_automations"),
        relation("preview_background_files"),
    ],
};

pub static PROJECT_STATUS: Schema = Schema {
    class: "ProjectStatus",
    type_name: "ProjectStatus",
    fields: &[required("name", Str), required("color", Str)],
};

pub static DEPARTMENT: Schema = Schema {
    class: "Department",
    type_name: "Department",
    fields: &[
        required("name", Str),
        required("color", Str),
        col("archived", Bool, Def::Bool(false)),
    ],
};

pub static TASK_TYPE: Schema = Schema {
    class: "TaskType",
    type_name: "TaskType",
    fields: &[
        required("name", Str),
        col("short_name", Str, Def::Str("")),
        col("description", Str, Def::Null),
        col("color", Str, Def::Str("#FFFFFF")),
        col("priority", Int, Def::Int(1)),
        col("for_entity", Str, Def::Str("Asset")),
        col("allow_timelog", Bool, Def::Bool(true)),
        col("archived", Bool, Def::Bool(false)),
        col("shotgun_id", Int, Def::Null),
        col("department_id", Id, Def::Null),
    ],
};

pub static ENTITY_TYPE: Schema = Schema {
    class: "EntityType",
    type_name: "EntityType",
    fields: &[
        required("name", Str),
        col("short_name", Str, Def::Null),
        col("description", Str, Def::Null),
        col("archived", Bool, Def::Bool(false)),
        relation("task_types"),
    ],
};

pub static ENTITY: Schema = Schema {
    class: "Entity",
    type_name: "Asset",
    fields: &[
        required("name", Str),
        col("code", Str, Def::Null),
        col("description", Str, Def::Null),
        col("shotgun_id", Int, Def::Null),
        col("canceled", Bool, Def::Bool(false)),
        col("nb_frames", Int, Def::Null),
        col("nb_entities_out", Int, Def::Int(0)),
        col("is_casting_standby", Bool, Def::Bool(false)),
        col("is_shared", Bool, Def::Bool(false)),
        col("status", Choice(ENTITY_STATUSES), Def::Str("running")),
        required("project_id", Id),
        required("entity_type_id", Id),
        col("parent_id", Id, Def::Null),
        col("source_id", Id, Def::Null),
        col("preview_file_id", Id, Def::Null),
        col("data", Json, Def::Null),
        col("ready_for", Id, Def::Null),
        col("created_by", Id, Def::Null),
    ],
};

pub static ENTITY_LINK: Schema = Schema {
    class: "EntityLink",
    type_name: "EntityLink",
    fields: &[
        required("entity_in_id", Id),
        required("entity_out_id", Id),
        col("data", Json, Def::Null),
        col("nb_occurences", Int, Def::Int(1)),
        col("label", Str, Def::Str("")),
    ],
};

pub static PERSON: Schema = Schema {
    class: "Person",
    type_name: "Person",
    fields: &[
        required("first_name", Str),
        required("last_name", Str),
        col("email", Str, Def::Null),
        col("phone", Str, Def::Null),
        col("country", Str, Def::Null),
        not_null(
            "contract_type",
            Choice(CONTRACT_TYPES),
            Def::Str("open-ended"),
        ),
        col("active", Bool, Def::Bool(true)),
        col("archived", Bool, Def::Bool(false)),
        col("last_presence", Date, Def::Null),
        col("desktop_login", Str, Def::Null),
        col("totp_enabled", Bool, Def::Bool(false)),
        col("email_otp_enabled", Bool, Def::Bool(false)),
        col("fido_enabled", Bool, Def::Bool(false)),
        col("preferred_two_factor_authentication", Str, Def::Null),
        col("shotgun_id", Int, Def::Null),
        col("timezone", Str, Def::Str("Europe/Paris")),
        col("locale", Str, Def::Str("en_US")),
        col("use_12_hour_clock", Bool, Def::Bool(false)),
        col("display_date_format", Str, Def::Str("YYYY-MM-DD")),
        col("data", Json, Def::Null),
        not_null("role", Choice(ROLES), Def::Str("user")),
        col("position", Str, Def::Str("artist")),
        col("seniority", Str, Def::Str("mid")),
        col("daily_salary", Int, Def::Int(0)),
        col("has_avatar", Bool, Def::Bool(false)),
        col("notifications_enabled", Bool, Def::Bool(false)),
        col("notifications_slack_enabled", Bool, Def::Bool(false)),
        col("notifications_slack_userid", Str, Def::Str("")),
        col("notifications_mattermost_enabled", Bool, Def::Bool(false)),
        col("notifications_mattermost_userid", Str, Def::Str("")),
        col("notifications_discord_enabled", Bool, Def::Bool(false)),
        col("notifications_discord_userid", Str, Def::Str("")),
        not_null("is_bot", Bool, Def::Bool(false)),
        col("is_guest", Bool, Def::Bool(false)),
        col("preview_project_id", Id, Def::Null),
        col("preview_opened_at", DateTime, Def::Null),
        col("preview_open_until", DateTime, Def::Null),
        col("expiration_date", Date, Def::Null),
        col("is_generated_from_ldap", Bool, Def::Bool(false)),
        col("ldap_uid", Str, Def::Null),
        relation("departments"),
        col("studio_id", Id, Def::Null),
    ],
};

pub fn normalize_id(s: &str) -> Option<String> {
    uuid::Uuid::parse_str(s)
        .ok()
        .map(|u| u.hyphenated().to_string())
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// Python's `repr()` of a JSON value, for messages that quote it.
fn python_repr(value: &Value) -> String {
    match value {
        Value::String(s) => format!("'{s}'"),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// One column value as the database would store it. Zou validates choices
/// and dates itself (`WrongParameter`, 400 with `data`); anything else the
/// database refuses comes back as the generic invalid-format message.
pub fn check(field: &Field, value: &Value) -> Result<Value, ApiError> {
    if value.is_null() {
        return if field.nullable && field.kind != IdList {
            Ok(Value::Null)
        } else {
            Err(ApiError::missing_field())
        };
    }
    let checked = match field.kind {
        // PostgreSQL casts numbers and booleans into text columns.
        Str => match value {
            Value::String(s) => Some(Value::String(s.clone())),
            Value::Number(n) => Some(Value::String(n.to_string())),
            Value::Bool(b) => Some(Value::String(b.to_string())),
            _ => None,
        },
        Int => value.as_i64().map(Value::from),
        Bool => value.as_bool().map(Value::Bool),
        Json => Some(value.clone()),
        Date => {
            return value
                .as_str()
                .and_then(clock::parse_date)
                .map(|d| Value::String(clock::date(d)))
                .ok_or_else(|| {
                    ApiError::wrong(format!(
                        "Invalid date format for '{}': {}. Expected an ISO 8601 date or datetime.",
                        field.name,
                        python_repr(value)
                    ))
                });
        }
        DateTime => value
            .as_str()
            .and_then(clock::parse_naive)
            .map(|t| Value::String(clock::naive(t.assume_utc()))),
        Id => value.as_str().and_then(normalize_id).map(Value::String),
        Choice(options) => {
            return value
                .as_str()
                .filter(|s| options.contains(s))
                .map(|s| Value::String(s.to_owned()))
                .ok_or_else(|| ApiError::wrong(format!("Invalid {}", field.name)));
        }
        IdList => value.as_array().and_then(|items| {
            let mut ids: Vec<Value> = Vec::with_capacity(items.len());
            for item in items {
                // gazu sends plain ids; the Kitsu UI sometimes sends objects.
                let raw = item
                    .as_str()
                    .or_else(|| item.get("id").and_then(Value::as_str))?;
                let id = Value::String(normalize_id(raw)?);
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            Some(Value::Array(ids))
        }),
    };
    checked.ok_or_else(ApiError::invalid_format)
}

/// Zou checks choices and dates before it touches the database, so their
/// errors win over the database's.
fn first_error(errors: Vec<ApiError>) -> Option<ApiError> {
    let mut errors = errors.into_iter();
    let first = errors.next()?;
    if matches!(first, ApiError::WrongParameter(_)) {
        return Some(first);
    }
    Some(
        errors
            .find(|e| matches!(e, ApiError::WrongParameter(_)))
            .unwrap_or(first),
    )
}

/// `Model.create(**data)`: unknown keys are a constructor error, missing
/// NOT NULL columns an integrity error.
pub fn build(schema: &Schema, body: &Map<String, Value>, now: &str) -> Result<Record, ApiError> {
    let mut record = Record::new();
    let mut errors = Vec::new();
    for (key, value) in body {
        match key.as_str() {
            "id" => match value.as_str().and_then(normalize_id) {
                Some(id) => {
                    record.insert("id".into(), Value::String(id));
                }
                None => errors.push(ApiError::invalid_format()),
            },
            // The base mixin sets these itself; a client copy is ignored.
            "created_at" | "updated_at" => {}
            _ => match schema.field(key) {
                None => errors.push(ApiError::plain(format!(
                    "'{key}' is an invalid keyword argument for {}",
                    schema.class
                ))),
                Some(field) => match check(field, value) {
                    Ok(v) => {
                        record.insert(key.clone(), v);
                    }
                    Err(e) => errors.push(e),
                },
            },
        }
    }
    if let Some(error) = first_error(errors) {
        return Err(error);
    }
    for field in schema.fields {
        if !record.contains_key(field.name) {
            if matches!(field.def, Def::Required) {
                return Err(ApiError::missing_field());
            }
            record.insert(field.name.into(), field.def.value());
        }
    }
    record
        .entry("id")
        .or_insert_with(|| Value::String(new_id()));
    record.insert("created_at".into(), Value::String(now.to_owned()));
    record.insert("updated_at".into(), Value::String(now.to_owned()));
    Ok(record)
}

/// A record for the demo data: defaults, then `fields`, no validation (the
/// seed is written against the tables above).
pub fn seeded(schema: &Schema, fields: Value, at: &str) -> Record {
    let mut record = Record::new();
    for field in schema.fields {
        record.insert(field.name.into(), field.def.value());
    }
    if let Value::Object(fields) = fields {
        record.extend(fields);
    }
    record
        .entry("id")
        .or_insert_with(|| Value::String(new_id()));
    record.insert("created_at".into(), Value::String(at.to_owned()));
    record.insert("updated_at".into(), Value::String(at.to_owned()));
    record
}

/// `instance.update(data)`: keys that are not columns are set as plain
/// Python attributes and vanish, so they are ignored here; protected keys
/// are dropped first. Validation happens before anything changes.
pub fn validate_update(
    schema: &Schema,
    body: &Map<String, Value>,
    protected: &[&str],
) -> Result<Record, ApiError> {
    let mut changes = Record::new();
    let mut errors = Vec::new();
    for (key, value) in body {
        if protected.contains(&key.as_str()) {
            continue;
        }
        if let Some(field) = schema.field(key) {
            match check(field, value) {
                Ok(v) => {
                    changes.insert(key.clone(), v);
                }
                Err(e) => errors.push(e),
            }
        }
    }
    match first_error(errors) {
        Some(error) => Err(error),
        None => Ok(changes),
    }
}

pub fn apply(record: &mut Record, changes: Record, now: &str) {
    for (key, value) in changes {
        record.insert(key, value);
    }
    record.insert("updated_at".into(), Value::String(now.to_owned()));
}

pub fn serialize(schema: &Schema, record: &Record, relations: bool) -> Map<String, Value> {
    let mut out = Map::new();
    for field in schema.fields {
        if field.relation && !relations {
            continue;
        }
        out.insert(
            field.name.into(),
            record.get(field.name).cloned().unwrap_or(Value::Null),
        );
    }
    for key in ["id", "created_at", "updated_at"] {
        out.insert(key.into(), record.get(key).cloned().unwrap_or(Value::Null));
    }
    out.insert("type".into(), Value::String(schema.type_name.into()));
    out
}

pub fn text<'a>(record: &'a Record, key: &str) -> &'a str {
    record.get(key).and_then(Value::as_str).unwrap_or("")
}

pub fn flag(record: &Record, key: &str) -> bool {
    record.get(key).and_then(Value::as_bool).unwrap_or(false)
}

pub fn ids(record: &Record, key: &str) -> Vec<String> {
    record
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
