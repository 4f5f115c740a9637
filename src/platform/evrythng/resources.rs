//! EVRYTHNG documents as Portico resources. The detail keys are the form
//! keys, so an edit form fills in from them.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::wire::{Application, Project};
use crate::model::{Kind, Resource};
use crate::platform::form;

/// An epoch-milliseconds timestamp as `YYYY-MM-DD` (UTC).
pub fn day(ms: i64) -> String {
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(at) => form::day_of(at),
        Err(_) => ms.to_string(),
    }
}

fn stamp(ms: Option<i64>) -> String {
    ms.map(day).unwrap_or_default()
}

/// `key=value, key=value`, the form's way of writing an object of
/// strings; other values are written as JSON.
pub fn pairs(map: &Map<String, Value>) -> String {
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn project(p: Project, applications: Option<usize>) -> Resource {
    let mut res = Resource::new(Kind::Project, p.id.clone(), p.name.clone());
    let tags = p.tags.join(", ");
    res.cells = vec![
        tags.clone(),
        stamp(p.starts_at),
        stamp(p.ends_at),
        applications.map(|n| n.to_string()).unwrap_or_default(),
    ];
    res = res
        .with_detail("id", p.id)
        .with_detail("name", p.name)
        .with_detail("description", p.description.unwrap_or_default())
        .with_detail("tags", tags)
        .with_detail("startsAt", stamp(p.starts_at))
        .with_detail("endsAt", stamp(p.ends_at))
        .with_detail("customFields", pairs(&p.custom_fields))
        .with_detail("identifiers", pairs(&p.identifiers))
        .with_detail("shortDomains", p.short_domains.join(", "))
        .with_detail("createdAt", stamp(p.created_at))
        .with_detail("updatedAt", stamp(p.updated_at));
    if let Some(n) = applications {
        res = res.with_detail("applications", n.to_string());
    }
    res
}

pub fn application(a: Application) -> Resource {
    let mut res = Resource::new(Kind::Application, a.id.clone(), a.name.clone());
    let tags = a.tags.join(", ");
    let description = a.description.unwrap_or_default();
    res.cells = vec![description.clone(), tags.clone(), a.id.clone()];
    res.with_detail("id", a.id)
        .with_detail("name", a.name)
        .with_detail("description", description)
        .with_detail("tags", tags)
        .with_detail("customFields", pairs(&a.custom_fields))
        .with_detail(
            "socialNetworks",
            Value::Object(a.social_networks).to_string(),
        )
        .with_detail("project", a.project.unwrap_or_default())
        .with_detail("defaultRole", a.default_role.unwrap_or_default())
        .with_detail("defaultUrl", a.default_url.unwrap_or_default())
        .with_detail("appApiKey", a.app_api_key.unwrap_or_default())
        .with_detail("createdAt", stamp(a.created_at))
        .with_detail("updatedAt", stamp(a.updated_at))
}

/// The id of an application's trusted-key row: the API's own name for it.
pub const TRUSTED_ROW: &str = "secretKey";

/// An application's two keys. The public appApiKey is part of the
/// application document; the trusted key is not read until asked for.
pub fn keys(a: &Application) -> Vec<Resource> {
    let mut out = Vec::new();
    if let Some(key) = a.app_api_key.as_deref().filter(|k| !k.is_empty()) {
        let short: String = key.chars().take(8).collect();
        let mut row = Resource::new(Kind::AppKey, key, "appApiKey");
        row.cells = vec![Kind::AppKey.short().into(), format!("{short}…")];
        out.push(
            row.with_detail("appApiKey", key)
                .with_detail(
                    "use",
                    "public: embedded in apps, allows only a few operations",
                )
                .with_detail("application", a.id.clone()),
        );
    }
    let mut trusted = Resource::new(Kind::TrustedKey, TRUSTED_ROW, "Trusted application key");
    trusted.cells = vec![
        Kind::TrustedKey.short().into(),
        "not read yet: Enter reads it".into(),
    ];
    out.push(
        trusted
            .with_detail("use", "secret: server-side code only")
            .with_detail("application", a.id.clone()),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_read_as_utc_days() {
        assert_eq!(day(1_510_919_010_607), "2017-11-17");
        assert_eq!(day(0), "1970-01-01");
    }
}
