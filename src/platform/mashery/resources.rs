//! Mashery documents turned into Portico rows. Detail keys that an edit
//! form also uses carry the value in the form's own syntax, so the form
//! prefills from them.

use super::wire::{Application, Member, Named, PackageKey};
use crate::model::{Kind, Lifecycle, Resource};

/// The Members pane's first row: choosing it scopes Applications to the
/// whole area. Its empty id is the adapter's "no member" parent.
pub const ALL_MEMBERS: &str = "";

fn text(v: Option<&String>) -> String {
    v.cloned().unwrap_or_default()
}

/// `2015-01-09T19:04:09.000+0000` as `2015-01-09 19:04:09`.
fn moment(v: Option<&String>) -> String {
    let raw = v.map(String::as_str).unwrap_or_default();
    match (raw.get(..10), raw.get(11..19)) {
        (Some(day), Some(time)) if raw.len() >= 19 => format!("{day} {time}"),
        _ => raw.to_string(),
    }
}

fn day(v: Option<&String>) -> String {
    v.map(String::as_str)
        .and_then(|s| s.get(..10))
        .unwrap_or_default()
        .to_string()
}

fn flag(v: Option<bool>) -> String {
    v.map(|b| b.to_string()).unwrap_or_default()
}

fn named(v: Option<&Named>) -> String {
    v.map(|n| n.name.clone().unwrap_or_else(|| n.id.clone()))
        .unwrap_or_default()
}

/// A key or member is in use only when `active`; `waiting` (for
/// approval) and `disabled` are both kept but not in use.
fn lifecycle(status: Option<&String>) -> Lifecycle {
    match status.map(String::as_str) {
        Some("waiting" | "disabled") => Lifecycle::Inactive,
        _ => Lifecycle::Active,
    }
}

pub fn all_members() -> Resource {
    let mut res = Resource::new(Kind::Person, ALL_MEMBERS, "all members");
    res.cells = vec![String::new(), String::new()];
    res.details
        .push(("scope".into(), "every application of the area".into()));
    res
}

pub fn member(m: Member) -> Resource {
    let mut res = Resource::new(Kind::Person, m.username.clone(), m.username.clone());
    res.status.clone_from(&m.area_status);
    res.state = lifecycle(m.area_status.as_ref());
    res.cells = vec![text(m.email.as_ref()), text(m.area_status.as_ref())];
    res.details = vec![
        ("id".into(), m.id),
        ("username".into(), m.username),
        ("email".into(), text(m.email.as_ref())),
        ("displayName".into(), text(m.display_name.as_ref())),
        ("areaStatus".into(), text(m.area_status.as_ref())),
        ("created".into(), moment(m.created.as_ref())),
    ];
    res
}

pub fn application(a: Application) -> Resource {
    let mut res = Resource::new(Kind::Application, a.id.clone(), a.name.clone());
    res.cells = vec![
        text(a.username.as_ref()),
        day(a.created.as_ref()),
        text(a.tags.as_ref()),
    ];
    res.details = vec![
        ("name".into(), a.name),
        ("username".into(), text(a.username.as_ref())),
        ("created".into(), moment(a.created.as_ref())),
        ("updated".into(), moment(a.updated.as_ref())),
        ("description".into(), text(a.description.as_ref())),
        ("type".into(), text(a.kind.as_ref())),
        ("commercial".into(), flag(a.commercial)),
        ("ads".into(), flag(a.ads)),
        ("adsSystem".into(), text(a.ads_system.as_ref())),
        ("usageModel".into(), text(a.usage_model.as_ref())),
        ("tags".into(), text(a.tags.as_ref())),
        ("notes".into(), text(a.notes.as_ref())),
        ("howDidYouHear".into(), text(a.how_did_you_hear.as_ref())),
        (
            "preferredProtocol".into(),
            text(a.preferred_protocol.as_ref()),
        ),
        ("preferredOutput".into(), text(a.preferred_output.as_ref())),
        ("externalId".into(), text(a.external_id.as_ref())),
        ("uri".into(), text(a.uri.as_ref())),
        (
            "oauthRedirectUri".into(),
            text(a.oauth_redirect_uri.as_ref()),
        ),
    ];
    res
}

fn limit(v: Option<i64>) -> String {
    v.map_or_else(|| "plan".into(), |n| n.to_string())
}

pub fn package_key(k: &PackageKey) -> Resource {
    let mut res = Resource::new(Kind::PackageKey, k.id.clone(), k.apikey.clone());
    res.status.clone_from(&k.status);
    res.state = lifecycle(k.status.as_ref());
    res.cells = vec![
        text(k.status.as_ref()),
        named(k.package.as_ref()),
        named(k.plan.as_ref()),
        limit(k.qps_limit_ceiling),
        limit(k.rate_limit_ceiling),
        moment(k.updated.as_ref()),
    ];
    res.details = vec![
        // The detail view shows the status itself.
        ("apikey".into(), k.apikey.clone()),
        ("package".into(), named(k.package.as_ref())),
        ("plan".into(), named(k.plan.as_ref())),
        (
            "qpsLimitCeiling".into(),
            k.qps_limit_ceiling
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ),
        (
            "rateLimitCeiling".into(),
            k.rate_limit_ceiling
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ),
        ("qpsLimitExempt".into(), flag(k.qps_limit_exempt)),
        ("rateLimitExempt".into(), flag(k.rate_limit_exempt)),
        ("expires".into(), text(k.expires.as_ref())),
        ("created".into(), moment(k.created.as_ref())),
        ("updated".into(), moment(k.updated.as_ref())),
    ];
    res
}
