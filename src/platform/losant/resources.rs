//! Losant documents turned into Portico rows. The detail view shows id,
//! status and expiry itself, so details leave them out. Detail keys that an edit
//! form also uses (`name`, `description`, `filterType`, `pubTopics`,
//! `subTopics`) carry the value in the form's own syntax, so the form
//! prefills from them.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::wire::{AccessKey, ApiToken, Application, Authority, Certificate, CertificateInfo};
use crate::model::{Kind, Lifecycle, Resource};

fn date(text: Option<&str>) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text?, &Rfc3339).ok()
}

fn some(text: Option<&String>) -> Option<&str> {
    text.map(String::as_str).filter(|t| !t.is_empty())
}

/// Adds a detail only when there is something to show.
fn put(res: &mut Resource, key: &str, value: Option<&str>) {
    if let Some(value) = value.filter(|v| !v.is_empty()) {
        res.details.push((key.to_string(), value.to_string()));
    }
}

pub fn application(app: Application) -> Resource {
    let mut res = Resource::new(Kind::Application, app.id.clone(), app.name.clone());
    let description = app.description.clone().unwrap_or_default();
    res.cells = vec![description.clone(), app.id.clone()];
    res.details.push(("name".into(), app.name));
    res.details.push(("description".into(), description));
    put(&mut res, "endpointSlug", some(app.endpoint_slug.as_ref()));
    put(
        &mut res,
        "organization",
        some(app.organization_name.as_ref()),
    );
    put(&mut res, "created", some(app.creation_date.as_ref()));
    put(&mut res, "lastUpdated", some(app.last_updated.as_ref()));
    res
}

/// The cells of the Certificates pane: Kind, Status, then the Expires
/// column, which is drawn from [`Resource::expires`].
fn pane_cells(res: &mut Resource) {
    res.cells = vec![
        res.kind.short().to_string(),
        res.status.clone().unwrap_or_default(),
        String::new(),
    ];
}

fn access(res: &mut Resource, filter: Option<&String>, publish: &[String], subscribe: &[String]) {
    res.details
        .push(("filterType".into(), filter.cloned().unwrap_or_default()));
    res.details.push(("pubTopics".into(), publish.join(", ")));
    res.details.push(("subTopics".into(), subscribe.join(", ")));
}

fn info_details(res: &mut Resource, info: &CertificateInfo) {
    put(res, "commonName", some(info.common_name.as_ref()));
    put(res, "issuerName", some(info.issuer_name.as_ref()));
    put(res, "serialNumber", some(info.serial_number.as_ref()));
    let sha256 = some(info.fingerprint.as_ref()).map(|f| format!("SHA-256 {}", colons(f)));
    put(res, "fingerprint", sha256.as_deref());
    put(res, "notValidBefore", some(info.not_valid_before.as_ref()));
    put(res, "notValidAfter", some(info.not_valid_after.as_ref()));
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "maps a decoded record that the caller no longer needs"
)]
pub fn certificate(cert: Certificate) -> Resource {
    let info = cert.certificate_info.clone().unwrap_or_default();
    let name = some(info.common_name.as_ref())
        .or_else(|| some(cert.description.as_ref()))
        .map_or_else(|| format!("certificate {}", cert.id), str::to_string);
    let mut res = Resource::new(Kind::Certificate, cert.id.clone(), name);
    res.status.clone_from(&cert.status);
    res.expires = date(info.not_valid_after.as_deref());
    res.state = lifecycle(res.status.as_deref(), res.expires);
    pane_cells(&mut res);
    info_details(&mut res, &info);
    res.details.push((
        "description".into(),
        cert.description.clone().unwrap_or_default(),
    ));
    access(
        &mut res,
        cert.filter_type.as_ref(),
        &cert.pub_topics,
        &cert.sub_topics,
    );
    put(&mut res, "created", some(cert.creation_date.as_ref()));
    put(&mut res, "lastUpdated", some(cert.last_updated.as_ref()));
    res
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "maps a decoded record that the caller no longer needs"
)]
pub fn authority(ca: Authority) -> Resource {
    let name = some(ca.name.as_ref()).map_or_else(|| format!("CA {}", ca.id), str::to_string);
    let mut res = Resource::new(Kind::CertificateAuthority, ca.id.clone(), name.clone());
    res.status.clone_from(&ca.status);
    // The bundle stops working when its first certificate does.
    res.expires = ca
        .ca_info
        .iter()
        .filter_map(|i| date(i.not_valid_after.as_deref()))
        .min();
    res.state = lifecycle(res.status.as_deref(), res.expires);
    pane_cells(&mut res);
    res.details.push(("name".into(), name));
    res.details.push((
        "description".into(),
        ca.description.clone().unwrap_or_default(),
    ));
    if let Some(at) = res.expires.and_then(|e| e.format(&Rfc3339).ok()) {
        res.details.push(("notValidAfter".into(), at));
    }
    for (i, info) in ca.ca_info.iter().enumerate() {
        let line = format!(
            "{} (issuer {}), serial {}, valid {} to {}, SHA-256 {}",
            some(info.common_name.as_ref()).unwrap_or("(no CN)"),
            some(info.issuer_name.as_ref()).unwrap_or("?"),
            some(info.serial_number.as_ref()).unwrap_or("?"),
            some(info.not_valid_before.as_ref()).unwrap_or("?"),
            some(info.not_valid_after.as_ref()).unwrap_or("?"),
            some(info.fingerprint.as_ref()).map_or_else(|| "?".into(), colons),
        );
        res.details.push((format!("certificate {}", i + 1), line));
    }
    put(&mut res, "created", some(ca.creation_date.as_ref()));
    put(&mut res, "lastUpdated", some(ca.last_updated.as_ref()));
    res
}

/// A hex fingerprint as `openssl -fingerprint` prints it: upper case, colon-separated.
pub fn colons(hex: &str) -> String {
    let clean: String = hex.chars().filter(char::is_ascii_hexdigit).collect();
    clean
        .to_uppercase()
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

pub fn api_token(token: &ApiToken) -> Resource {
    let name =
        some(token.name.as_ref()).map_or_else(|| format!("token {}", token.id), str::to_string);
    let mut res = Resource::new(Kind::ApiToken, token.id.clone(), name);
    res.status.clone_from(&token.status);
    res.expires = date(token.expiration_date.as_deref());
    res.state = lifecycle(res.status.as_deref(), res.expires);
    pane_cells(&mut res);
    put(&mut res, "name", some(token.name.as_ref()));
    res.details.push((
        "description".into(),
        token.description.clone().unwrap_or_default(),
    ));
    res.details.push(("scope".into(), token.scope.join(", ")));
    put(
        &mut res,
        "expirationDate",
        some(token.expiration_date.as_ref()),
    );
    put(&mut res, "createdBy", some(token.creator_type.as_ref()));
    put(&mut res, "created", some(token.creation_date.as_ref()));
    put(&mut res, "lastUpdated", some(token.last_updated.as_ref()));
    res
}

fn tag_text(tag: &serde_json::Value) -> Option<String> {
    let key = tag.get("key")?.as_str()?;
    let value = tag
        .get("value")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    Some(format!("{key}={value}"))
}

pub fn access_key(key: &AccessKey) -> Resource {
    let name = some(key.name.as_ref()).unwrap_or(&key.key).to_string();
    let mut res = Resource::new(Kind::AccessKey, key.id.clone(), name);
    res.status.clone_from(&key.status);
    res.state = lifecycle(res.status.as_deref(), None);
    pane_cells(&mut res);
    res.details.push(("key".into(), key.key.clone()));
    // Only a real name: an edit must not turn the key into the name.
    put(&mut res, "name", some(key.name.as_ref()));
    res.details.push((
        "description".into(),
        key.description.clone().unwrap_or_default(),
    ));
    access(
        &mut res,
        key.filter_type.as_ref(),
        &key.pub_topics,
        &key.sub_topics,
    );
    // Which devices may use the key: none listed means every device.
    let devices = if key.device_ids.is_empty() && key.device_tags.is_empty() {
        "every device of the application".to_string()
    } else {
        "only the devices listed".to_string()
    };
    res.details.push(("devices".into(), devices));
    put(&mut res, "deviceIds", Some(&key.device_ids.join(", ")));
    let tags: Vec<String> = key.device_tags.iter().filter_map(tag_text).collect();
    put(&mut res, "deviceTags", Some(&tags.join(", ")));
    put(&mut res, "createdBy", some(key.created_by_type.as_ref()));
    put(&mut res, "created", some(key.creation_date.as_ref()));
    put(&mut res, "lastUpdated", some(key.last_updated.as_ref()));
    res
}

/// Losant marks certificates, CAs and keys `active` or `inactive`.
fn lifecycle(status: Option<&str>, expires: Option<OffsetDateTime>) -> Lifecycle {
    Lifecycle::of(
        status != Some("inactive"),
        expires,
        OffsetDateTime::now_utc(),
    )
}
