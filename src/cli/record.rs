//! The one JSON shape every platform's resources take on the command line.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::kinds::slug;
use crate::config::Tenant;
use crate::platform::crawl::Found;

/// Where a record came from.
pub struct Origin<'a> {
    pub tenant: &'a str,
    pub platform: &'a str,
    pub pane: &'a str,
}

impl<'a> Origin<'a> {
    pub fn of(tenant: &'a Tenant, pane: &'a str) -> Self {
        Origin {
            tenant: tenant.name(),
            platform: tenant.platform().as_str(),
            pane,
        }
    }
}

pub fn date(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// Whole days from `now` to `at`, negative once past.
pub fn days_left(at: OffsetDateTime, now: OffsetDateTime) -> i64 {
    let seconds = (at - now).whole_seconds();
    seconds.div_euclid(86_400)
}

/// `id, name, kind, state, status, expires, tenant, platform, pane,
/// parent, details` and `raw`. In a list `raw` holds the adapter's detail
/// map (the fields it read from the vendor's document); `get` replaces it
/// with the vendor's own document, credentials masked.
pub fn record(origin: &Origin<'_>, found: &Found) -> Value {
    let res = &found.resource;
    let details: Map<String, Value> = res
        .fields()
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect();
    json!({
        "id": res.id,
        "name": res.name,
        "kind": slug(res.kind),
        "state": res.state.label(),
        "status": res.status,
        "expires": res.expires.map(date),
        "tenant": origin.tenant,
        "platform": origin.platform,
        "pane": origin.pane,
        "parent": found.parent,
        "details": Value::Object(details.clone()),
        "raw": Value::Object(details),
    })
}

/// A row of the expiry radar: the record plus the days left (negative:
/// days since it expired).
pub fn expiry_record(origin: &Origin<'_>, found: &Found, now: OffsetDateTime) -> Value {
    let mut value = record(origin, found);
    if let (Value::Object(map), Some(at)) = (&mut value, found.resource.expires) {
        map.insert("days_left".into(), json!(days_left(at, now)));
    }
    value
}
