//! One simulated EVRYTHNG region: its account, operators, and projects
//! holding their applications.
//!
//! Settable fields are kept as the JSON the client sent (after the
//! `ProjectDocument` / `ApplicationDocument` schema accepted it), so answers
//! carry only fields the vendor's documents define.

use std::sync::{Mutex, MutexGuard};

use serde_json::{Map, Value, json};

use super::ids::{Rng, now_ms};

pub struct Region {
    inner: Mutex<RegionState>,
    /// Where the region is mounted ("/evrythng/us"): next-page links are
    /// absolute, and the router only sees paths below it.
    prefix: String,
}

impl Region {
    pub const fn new(state: RegionState, prefix: String) -> Self {
        Self {
            inner: Mutex::new(state),
            prefix,
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Updates are applied after every check, so a handler that panicked
    /// left nothing half-written and a poisoned lock is safe to reuse.
    pub fn lock(&self) -> MutexGuard<'_, RegionState> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What an operator key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Every project, read and write.
    Admin,
    /// Reads only, and only the listed projects: the rest are out of scope.
    Viewer { projects: Vec<String> },
}

#[derive(Debug, Clone)]
pub struct Operator {
    pub id: String,
    pub key: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub created_at: i64,
}

impl Operator {
    pub fn sees(&self, project: &str) -> bool {
        match &self.role {
            Role::Admin => true,
            Role::Viewer { projects } => projects.iter().any(|p| p == project),
        }
    }

    pub fn writes(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
        })
    }
}

pub struct RegionState {
    pub account: String,
    pub operators: Vec<Operator>,
    pub projects: Vec<Project>,
    pub rng: Rng,
    last_ms: i64,
}

impl RegionState {
    pub const fn new(account: String, rng: Rng) -> Self {
        Self {
            account,
            operators: Vec::new(),
            projects: Vec::new(),
            rng,
            last_ms: 0,
        }
    }

    /// Now, strictly after every earlier timestamp, so "newest first" is
    /// one order even for resources made in the same millisecond.
    pub fn tick(&mut self) -> i64 {
        self.last_ms = now_ms().max(self.last_ms + 1);
        self.last_ms
    }

    /// Seed data carries fixed past times; later ticks stay after them.
    pub fn seen(&mut self, at: i64) {
        self.last_ms = self.last_ms.max(at);
    }

    pub fn operator(&self, key: &str) -> Option<&Operator> {
        self.operators.iter().find(|o| o.key == key)
    }

    pub fn project(&self, id: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.doc.id == id)
    }

    pub fn project_mut(&mut self, id: &str) -> Option<&mut Project> {
        self.projects.iter_mut().find(|p| p.doc.id == id)
    }
}

/// What every document shares.
pub struct Doc {
    pub id: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub props: Map<String, Value>,
}

impl Doc {
    pub const fn new(id: String, at: i64, props: Map<String, Value>) -> Self {
        Self {
            id,
            created_at: at,
            updated_at: at,
            props,
        }
    }

    /// A PUT: every field given replaces the old value; absent and null
    /// fields (already dropped) stay as they were.
    pub fn update(&mut self, changes: Map<String, Value>, at: i64) {
        for (k, v) in changes {
            self.props.insert(k, v);
        }
        self.updated_at = at;
    }

    fn json(&self, with_scopes: bool) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("createdAt".into(), json!(self.created_at));
        out.insert("updatedAt".into(), json!(self.updated_at));
        for (k, v) in &self.props {
            if k != "scopes" {
                out.insert(k.clone(), v.clone());
            }
        }
        if with_scopes {
            let scopes = self
                .props
                .get("scopes")
                .cloned()
                .unwrap_or_else(|| json!({"users": [], "projects": []}));
            out.insert("scopes".into(), scopes);
        }
        out
    }

    /// The values a filter on `field` compares with: one for a string
    /// field, each element for a list.
    pub fn values(&self, field: &str) -> Vec<String> {
        let value = match field.split_once('.') {
            Some((outer, inner)) => self.props.get(outer).and_then(|o| o.get(inner)),
            None => self.props.get(field),
        };
        match value {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(Value::Number(n)) => vec![n.to_string()],
            Some(Value::Bool(b)) => vec![b.to_string()],
            _ => Vec::new(),
        }
    }
}

pub struct Project {
    pub doc: Doc,
    pub applications: Vec<Application>,
}

/// Every project gets the default short domain.
const SHORT_DOMAINS: [&str; 1] = ["tn.gg"];

impl Project {
    pub fn to_json(&self, with_scopes: bool) -> Value {
        let mut out = self.doc.json(with_scopes);
        out.insert("shortDomains".into(), json!(SHORT_DOMAINS));
        Value::Object(out)
    }

    pub fn application(&self, id: &str) -> Option<&Application> {
        self.applications.iter().find(|a| a.doc.id == id)
    }

    pub fn application_mut(&mut self, id: &str) -> Option<&mut Application> {
        self.applications.iter_mut().find(|a| a.doc.id == id)
    }
}

pub struct Application {
    pub doc: Doc,
    pub project: String,
    pub api_key: String,
    /// The Trusted Application key: readable again at any time.
    pub secret_key: String,
}

impl Application {
    pub fn to_json(&self, with_scopes: bool) -> Value {
        let mut out = self.doc.json(with_scopes);
        out.insert("project".into(), json!(self.project));
        out.insert("appApiKey".into(), json!(self.api_key));
        Value::Object(out)
    }

    /// Filterable like the rest, plus `project`.
    pub fn values(&self, field: &str) -> Vec<String> {
        match field {
            "project" => vec![self.project.clone()],
            other => self.doc.values(other),
        }
    }
}
