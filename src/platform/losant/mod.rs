//! Losant: the organization's applications and, per application, the
//! device certificates, certificate authorities and MQTT access keys
//! that let devices connect. One pane lists all three, grouped.

mod client;
mod pem;
mod resources;
mod scopes;
mod wire;

use std::sync::Arc;
use time::OffsetDateTime;

use reqwest::Method;
use serde_json::{Map, Value, json};

pub use client::{Auth, PER_PAGE};
use client::{Client, Tally};

use super::form::{choice, day_of, list, required, text, value};
use super::http::{Retry, SecretBody, SecretField, segment, unreadable_secret};
use super::registry::Connection;
use super::{
    Capabilities, Check, Field, FollowUp, Fut, Input, Issued, Keep, KindSpec, Operation, Outcome,
    PaneSpec, PlatformError, Progress, Rotation, Source, Target, Values,
};
use crate::model::{IssuedSecret, Kind, Pane, Resource, Secret};
use wire::{AccessKey, ApiToken, Application, Authority, Certificate, Device};

const APPS: &str = "/applications";
const FILTER_TYPES: &[&str] = &["all", "whitelist", "blacklist", "none"];

pub struct Losant {
    client: Client,
    /// The configured token's scopes, when it says them; `None` allows all.
    scopes: Option<Vec<String>>,
}

impl Losant {
    pub fn new(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        auth: Auth,
    ) -> Result<Self, PlatformError> {
        let client = Client::new(base_url, limits, auth)?;
        Ok(Self {
            scopes: client.token_scopes(),
            client,
        })
    }

    /// `res` with the changes the token's scopes do not allow marked.
    fn marked(&self, mut res: Resource) -> Resource {
        scopes::mark(&mut res, self.scopes.as_deref());
        res
    }

    /// Items asked for per page (default [`PER_PAGE`], at most 1000).
    pub fn with_page_size(mut self, per_page: usize) -> Self {
        self.client.set_page_size(per_page);
        self
    }

    pub async fn list_apps(&self, progress: Progress) -> Result<Vec<Resource>, PlatformError> {
        let tally = Tally::new(progress, 1);
        let apps: Vec<Application> = self.client.list_all(APPS, ("name", "asc"), &tally).await?;
        Ok(apps
            .into_iter()
            .map(|a| self.marked(resources::application(a)))
            .collect())
    }

    /// Certificates, then certificate authorities, then access keys of
    /// one application; the three lists load at the same time.
    pub async fn list_credentials(
        &self,
        app: &str,
        progress: Progress,
    ) -> Result<Vec<Resource>, PlatformError> {
        let paths = [
            collection(app, Kind::Certificate)?,
            collection(app, Kind::CertificateAuthority)?,
            collection(app, Kind::AccessKey)?,
        ];
        let tally = Tally::new(progress, 4);
        let tokens_path = collection(app, Kind::ApiToken)?;
        let (certs, cas, keys, tokens) = futures_util::future::try_join4(
            self.client.list_all::<Certificate>(
                &paths[0],
                ("certificateInfo.commonName", "asc"),
                &tally,
            ),
            self.client
                .list_all::<Authority>(&paths[1], ("name", "asc"), &tally),
            self.client
                .list_all::<AccessKey>(&paths[2], ("creationDate", "desc"), &tally),
            self.tokens(&tokens_path, &tally),
        )
        .await?;
        let mut key_rows: Vec<Resource> = keys.iter().map(resources::access_key).collect();
        link_successors(&keys, &mut key_rows);
        Ok(certs
            .into_iter()
            .map(resources::certificate)
            .chain(cas.into_iter().map(resources::authority))
            .chain(key_rows)
            .chain(tokens.iter().map(resources::api_token))
            .map(|r| self.marked(r))
            .collect())
    }

    /// The application's API tokens; a token whose scopes do not reach
    /// them still lists the rest of the pane.
    async fn tokens(&self, path: &str, tally: &Tally) -> Result<Vec<ApiToken>, PlatformError> {
        if let Some(scopes) = &self.scopes
            && !scopes::allows(scopes, "applicationApiTokens", "get")
        {
            return Ok(Vec::new());
        }
        self.client.list_all(path, ("name", "asc"), tally).await
    }

    /// One resource as the detail view shows it.
    pub async fn get(&self, target: &Target) -> Result<Resource, PlatformError> {
        let path = item_path(target)?;
        let client = &self.client;
        let get = Method::GET;
        Ok::<_, PlatformError>(match target.kind {
            Kind::Application => resources::application(
                client
                    .json(get, &path, &[], None, Retry::Idempotent)
                    .await?,
            ),
            Kind::Certificate => resources::certificate(
                client
                    .json(get, &path, &[], None, Retry::Idempotent)
                    .await?,
            ),
            Kind::CertificateAuthority => resources::authority(
                client
                    .json(get, &path, &[], None, Retry::Idempotent)
                    .await?,
            ),
            Kind::ApiToken => resources::api_token(
                &client
                    .json(get, &path, &[], None, Retry::Idempotent)
                    .await?,
            ),
            _ => resources::access_key(
                &client
                    .json(get, &path, &[], None, Retry::Idempotent)
                    .await?,
            ),
        })
        .map(|r| self.marked(r))
    }

    async fn run(&self, op: &Operation, keep: &dyn Keep) -> Result<Outcome, PlatformError> {
        match op {
            Operation::Create {
                kind,
                parent,
                values,
            } => match kind {
                Kind::Application => self.create_app(values).await,
                Kind::Certificate => {
                    self.create_certificate(in_app(parent.as_ref())?, values)
                        .await
                }
                Kind::CertificateAuthority => {
                    self.create_authority(in_app(parent.as_ref())?, values)
                        .await
                }
                Kind::AccessKey => {
                    self.create_key(in_app(parent.as_ref())?, values, keep)
                        .await
                }
                Kind::ApiToken => {
                    self.create_token(in_app(parent.as_ref())?, values, keep)
                        .await
                }
                other => Err(PlatformError::Unsupported(format!(
                    "Losant has no {}",
                    other.label()
                ))),
            },
            Operation::Update { target, values }
                if target.kind == Kind::Certificate && value(values, "certificate").is_some() =>
            {
                self.renew_certificate(target, values).await
            }
            Operation::Update { target, values } => {
                let body = update_body(target.kind, values)?;
                if body.is_empty() {
                    return Ok(Outcome::done("nothing to change"));
                }
                self.change(target, body, "updated").await
            }
            Operation::SetActive { target, active } => {
                let verb = toggled(target.kind, *active)?;
                let mut body = Map::new();
                let status = if *active { "active" } else { "inactive" };
                body.insert("status".into(), json!(status));
                self.change(target, body, verb).await
            }
            Operation::Delete { target } => {
                let path = item_path(target)?;
                self.client
                    .send(Method::DELETE, &path, None, Retry::Idempotent)
                    .await?;
                Ok(Outcome::done(format!(
                    "deleted {} \"{}\"",
                    target.kind.label(),
                    target.name
                )))
            }
            Operation::Reveal { target } => Err(PlatformError::Unsupported(format!(
                "Losant shows a {} secret only when it is issued",
                target.kind.label()
            ))),
            Operation::Rotate { target, .. } => match target.kind {
                Kind::AccessKey => self.rotate_key(target, keep).await,
                other => Err(PlatformError::Unsupported(format!(
                    "a Losant {} has no secret to rotate",
                    other.label()
                ))),
            },
        }
    }

    async fn create_app(&self, values: &Values) -> Result<Outcome, PlatformError> {
        let name = required(values, "name", "a name")?;
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        if let Some(description) = text(values, "description") {
            body.insert("description".into(), json!(description));
        }
        let app: Application = self
            .client
            .json(
                Method::POST,
                APPS,
                &[],
                Some(&Value::Object(body)),
                Retry::Never,
            )
            .await?;
        Ok(Outcome {
            summary: format!("created application \"{}\"", app.name),
            created: Some(app.id),
            ..Outcome::default()
        })
    }

    async fn create_certificate(
        &self,
        app: &str,
        values: &Values,
    ) -> Result<Outcome, PlatformError> {
        let checked = checked_pem(values, "certificate").await?;
        let mut body = Map::new();
        body.insert("certificate".into(), json!(checked.pem));
        if let Some(description) = text(values, "description") {
            body.insert("description".into(), json!(description));
        }
        insert_access(&mut body, values, false)?;
        let cert: Certificate = self
            .client
            .json(
                Method::POST,
                &collection(app, Kind::Certificate)?,
                &[],
                Some(&Value::Object(body)),
                Retry::Never,
            )
            .await?;
        let res = resources::certificate(cert);
        // What was parsed here stands in for anything the answer left out.
        let local = checked.certs.first();
        let expiry = res
            .expires
            .or_else(|| local.map(|c| c.not_after))
            .map_or_else(|| "unknown".into(), day_of);
        let name = match (res.detail("commonName"), local) {
            (None, Some(c)) if !c.common_name.is_empty() => c.common_name.clone(),
            _ => res.name.clone(),
        };
        Ok(Outcome {
            summary: format!("uploaded certificate \"{name}\", expires {expiry}"),
            created: Some(res.id),
            created_name: Some(name),
            ..Outcome::default()
        })
    }

    async fn create_authority(&self, app: &str, values: &Values) -> Result<Outcome, PlatformError> {
        let name = required(values, "name", "a name")?;
        let checked = checked_pem(values, "caBundle").await?;
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        body.insert("caBundle".into(), json!(checked.pem));
        if let Some(description) = text(values, "description") {
            body.insert("description".into(), json!(description));
        }
        let ca: Authority = self
            .client
            .json(
                Method::POST,
                &collection(app, Kind::CertificateAuthority)?,
                &[],
                Some(&Value::Object(body)),
                Retry::Never,
            )
            .await?;
        let count = ca.ca_info.len().max(checked.certs.len());
        Ok(Outcome {
            summary: format!(
                "added certificate authority \"{name}\" ({count} certificate{})",
                if count == 1 { "" } else { "s" }
            ),
            created: Some(ca.id),
            ..Outcome::default()
        })
    }

    async fn create_key(
        &self,
        app: &str,
        values: &Values,
        keep: &dyn Keep,
    ) -> Result<Outcome, PlatformError> {
        let mut body = Map::new();
        for key in ["name", "description"] {
            if let Some(v) = text(values, key) {
                body.insert(key.into(), json!(v));
            }
        }
        insert_access(&mut body, values, false)?;
        insert_devices(&mut body, values);
        let name = text(values, "name").unwrap_or_default().to_string();
        let (key, secret) = issued(self.post_key(app, body).await?, &name, keep).await?;
        let summary = format!("created access key {}", key.key);
        Ok(issued_outcome(key, secret, summary, None))
    }

    /// A new application API token; the token is kept before the rest of
    /// the answer is decoded, and shown once.
    async fn create_token(
        &self,
        app: &str,
        values: &Values,
        keep: &dyn Keep,
    ) -> Result<Outcome, PlatformError> {
        let name = required(values, "name", "a name")?;
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        if let Some(description) = text(values, "description") {
            body.insert("description".into(), json!(description));
        }
        if let Some(raw) = value(values, "scope") {
            let scope = list(raw);
            if !scope.is_empty() {
                body.insert("scope".into(), json!(scope));
            }
        }
        if let Some(day) = text(values, "expirationDate") {
            body.insert(
                "expirationDate".into(),
                json!(format!("{day}T00:00:00.000Z")),
            );
        }
        let answer: SecretBody<TokenSecret> = self
            .client
            .json(
                Method::POST,
                &collection(app, Kind::ApiToken)?,
                &[],
                Some(&Value::Object(body)),
                Retry::Never,
            )
            .await
            .map_err(unreadable_secret)?;
        let (token, issued): (ApiToken, _) = kept(answer, Kind::ApiToken, name, keep).await?;
        Ok(Outcome {
            summary: format!(
                "created API token \"{name}\" with scope {}",
                token.scope.join(", ")
            ),
            created: Some(token.id),
            secret: Some(issued),
            ..Outcome::default()
        })
    }

    /// Describes the certificate a renewal would upload, next to the one
    /// it replaces; nothing is sent but a read of the old one.
    async fn renewal_preview(
        &self,
        target: &Target,
        values: &Values,
    ) -> Result<Vec<String>, PlatformError> {
        let checked = checked_pem(values, "certificate").await?;
        let Some(new) = checked.certs.first() else {
            return Err(PlatformError::Invalid("no certificate in it".into()));
        };
        let old: Certificate = self
            .client
            .json(
                Method::GET,
                &item_path(target)?,
                &[],
                None,
                Retry::Idempotent,
            )
            .await?;
        let old_cn = old
            .certificate_info
            .as_ref()
            .and_then(|i| i.common_name.clone())
            .unwrap_or_default();
        // Calendar days, as the list counts them.
        let days = (new.not_after.date() - OffsetDateTime::now_utc().date()).whole_days();
        let mut lines = vec![
            format!("subject: {}", new.subject),
            format!("issuer: {}", new.issuer),
            format!(
                "valid: {} to {} ({days} days left)",
                day_of(new.not_before),
                day_of(new.not_after)
            ),
            format!("SHA-256: {}", resources::colons(&new.sha256)),
        ];
        lines.push(if new.common_name == old_cn {
            format!("subject matches the current certificate ({old_cn})")
        } else {
            format!(
                "SUBJECT DIFFERS: the current certificate is for \"{old_cn}\", the new one for \"{}\"",
                new.common_name
            )
        });
        if checked.certs.len() > 1 {
            lines.push(format!(
                "{} certificates in the file: Losant reads the first",
                checked.certs.len()
            ));
        }
        Ok(lines)
    }

    /// `PATCHes` a new PEM onto the same certificate, then checks the
    /// `certificateInfo` Losant derived against the file.
    async fn renew_certificate(
        &self,
        target: &Target,
        values: &Values,
    ) -> Result<Outcome, PlatformError> {
        let checked = checked_pem(values, "certificate").await?;
        let Some(local) = checked.certs.first().cloned() else {
            return Err(PlatformError::Invalid("no certificate in it".into()));
        };
        let cert: Certificate = self
            .client
            .json(
                Method::PATCH,
                &item_path(target)?,
                &[],
                Some(&json!({ "certificate": checked.pem })),
                Retry::Idempotent,
            )
            .await?;
        let info = cert.certificate_info.clone().unwrap_or_default();
        let same_instant = |text: Option<&str>, at: OffsetDateTime| {
            text.and_then(|t| {
                OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            })
            .is_some_and(|got| (got - at).abs() < time::Duration::seconds(1))
        };
        let checks = vec![
            Check {
                label: "Losant's fingerprint is the file's SHA-256".into(),
                passed: info
                    .fingerprint
                    .as_deref()
                    .is_some_and(|f| f.replace(':', "").eq_ignore_ascii_case(&local.sha256)),
            },
            Check {
                label: "Losant's expiry is the file's".into(),
                passed: same_instant(info.not_valid_after.as_deref(), local.not_after),
            },
            Check {
                label: "Losant's common name is the file's".into(),
                passed: info.common_name.as_deref() == Some(local.common_name.as_str()),
            },
            Check {
                label: "the certificate kept its id".into(),
                passed: cert.id.eq_ignore_ascii_case(&target.id),
            },
        ];
        Ok(Outcome {
            summary: format!(
                "renewed certificate \"{}\", now expires {}",
                target.name,
                day_of(local.not_after)
            ),
            checks,
            ..Outcome::default()
        })
    }

    /// A device the key lets connect: one of its device ids, else the
    /// first device of the application its tags allow.
    async fn device_for(
        &self,
        app: &str,
        key: &AccessKey,
    ) -> Result<Option<String>, PlatformError> {
        if let Some(id) = key.device_ids.first() {
            return Ok(Some(id.clone()));
        }
        let path = format!("{APPS}/{}/devices", segment(app)?);
        let tally = Tally::new(crate::platform::quiet(), 1);
        let devices: Vec<Device> = self.client.list_all(&path, ("name", "asc"), &tally).await?;
        let allowed = |d: &Device| {
            key.device_tags.is_empty()
                || key.device_tags.iter().any(|t| {
                    d.tags.iter().any(|dt| {
                        dt.get("key") == t.get("key") && dt.get("value") == t.get("value")
                    })
                })
        };
        Ok(devices.into_iter().find(allowed).map(|d| d.id))
    }

    /// Whether `key` and `secret` log `device` in through `POST /auth/device`.
    async fn device_login(
        &self,
        device: &str,
        key: &str,
        secret: &Secret,
    ) -> Result<bool, PlatformError> {
        let body = json!({ "deviceId": device, "key": key, "secret": secret.expose() });
        match self.client.authenticate_device(&body).await {
            Ok(authed) => {
                Ok(authed.device_id.eq_ignore_ascii_case(device) && !authed.token.is_empty())
            }
            Err(PlatformError::Auth(_)) => Ok(false),
            Err(err) => Err(err),
        }
    }

    async fn post_key(
        &self,
        app: &str,
        body: Map<String, Value>,
    ) -> Result<SecretBody<KeySecret>, PlatformError> {
        self.client
            .json(
                Method::POST,
                &collection(app, Kind::AccessKey)?,
                &[],
                Some(&Value::Object(body)),
                Retry::Never,
            )
            .await
            .map_err(unreadable_secret)
    }

    /// Every edit and every toggle: one PATCH of the item with only what
    /// changes, summed up as `verb kind "name"`.
    async fn change(
        &self,
        target: &Target,
        body: Map<String, Value>,
        verb: &str,
    ) -> Result<Outcome, PlatformError> {
        self.client
            .send(
                Method::PATCH,
                &item_path(target)?,
                Some(&Value::Object(body)),
                Retry::Idempotent,
            )
            .await?;
        Ok(Outcome::done(format!(
            "{verb} {} \"{}\"",
            target.kind.label(),
            target.name
        )))
    }

    /// Losant cannot regenerate a secret: a new key with the old one's
    /// access is made now, and the old one is retired in a second step,
    /// once the user has the new secret safe.
    async fn rotate_key(&self, target: &Target, keep: &dyn Keep) -> Result<Outcome, PlatformError> {
        let app = in_app(target.parent.as_ref())?;
        let old: AccessKey = self
            .client
            .json(
                Method::GET,
                &item_path(target)?,
                &[],
                None,
                Retry::Idempotent,
            )
            .await?;
        let answer = self.post_key(app, successor(&old)).await?;
        let (key, secret) = issued(answer, &target.name, keep).await?;
        let summary = format!("new access key {} issued to replace {}", key.key, old.key);
        // Checked only after the secret is kept: a failed check never loses it.
        let check = match self.device_for(app, &key).await {
            Ok(Some(device)) => Check {
                label: format!("the new key logs device {device} in (POST /auth/device)"),
                passed: self
                    .device_login(&device, &key.key, &secret.secret)
                    .await
                    .unwrap_or(false),
            },
            Ok(None) => Check {
                label: "no device the key allows, so the new key was not tried".into(),
                passed: false,
            },
            Err(err) => Check {
                label: format!("cannot list devices to try the new key ({err})"),
                passed: false,
            },
        };
        let follow_up = FollowUp {
            prompt: format!(
                "Stored the new secret? Enter deactivates the old key {}",
                old.key
            ),
            op: Operation::SetActive {
                target: Target {
                    kind: Kind::AccessKey,
                    id: old.id.clone(),
                    name: target.name.clone(),
                    parent: Some(app.to_string()),
                },
                active: false,
            },
            abort_note: format!(
                "Rotation stopped: old key {} and new key {} are both active",
                old.key, key.key
            ),
        };
        let mut outcome = issued_outcome(key, secret, summary, Some(follow_up));
        outcome.checks.push(check);
        Ok(outcome)
    }
}

/// The verb of a status change, in the words Losant's own console uses.
fn toggled(kind: Kind, active: bool) -> Result<&'static str, PlatformError> {
    Ok(match (kind, active) {
        (Kind::AccessKey, true) => "activated",
        (Kind::AccessKey, false) => "deactivated",
        (Kind::Certificate | Kind::CertificateAuthority | Kind::ApiToken, true) => "enabled",
        (Kind::Certificate | Kind::CertificateAuthority | Kind::ApiToken, false) => "disabled",
        (other, _) => {
            return Err(PlatformError::Unsupported(format!(
                "a Losant {} has no status",
                other.label()
            )));
        }
    })
}

/// What a rotation writes into the new key's description, so a rotation
/// stopped half way can be recognised (and finished) later.
const REPLACES: &str = "replaces access key ";

/// The description without the notes earlier rotations added, so one
/// rotation after another does not grow it.
fn own_description(description: &str) -> &str {
    let mut rest = description.trim_end();
    loop {
        if let Some(open) = rest.rfind(" (")
            && rest.ends_with(')')
            && rest[open + 2..].starts_with(REPLACES)
        {
            rest = rest[..open].trim_end();
            continue;
        }
        if rest.starts_with("Rotation: ") && rest["Rotation: ".len()..].starts_with(REPLACES) {
            return "";
        }
        return rest;
    }
}

/// The public key a description's rotation note names, if any.
fn replaced_key(description: &str) -> Option<&str> {
    let at = description.rfind(REPLACES)? + REPLACES.len();
    let key = description[at..].trim_end_matches(')').trim();
    (!key.is_empty() && !key.contains(char::is_whitespace)).then_some(key)
}

/// Marks each key that a rotation made with the id of the key it
/// replaces (the `replaces` detail the console reads to offer finishing a
/// rotation stopped half way).
fn link_successors(keys: &[AccessKey], rows: &mut [Resource]) {
    for (key, row) in keys.iter().zip(rows.iter_mut()) {
        let Some(old) = key.description.as_deref().and_then(replaced_key) else {
            continue;
        };
        if let Some(old) = keys.iter().find(|k| k.key == old && k.id != key.id) {
            row.details.push(("replaces".into(), old.id.clone()));
        }
    }
}

/// The body that creates a key with `old`'s access and restrictions.
fn successor(old: &AccessKey) -> Map<String, Value> {
    let mut body = Map::new();
    if let Some(name) = old.name.as_deref().filter(|n| !n.is_empty()) {
        body.insert("name".into(), json!(name));
    }
    let note = format!("{REPLACES}{}", old.key);
    let description = match old.description.as_deref().map(own_description) {
        Some(d) if !d.is_empty() => format!("{d} ({note})"),
        _ => format!("Rotation: {note}"),
    };
    body.insert("description".into(), json!(description));
    if let Some(filter) = &old.filter_type {
        body.insert("filterType".into(), json!(filter));
    }
    body.insert("pubTopics".into(), json!(old.pub_topics));
    body.insert("subTopics".into(), json!(old.sub_topics));
    if !old.device_ids.is_empty() {
        body.insert("deviceIds".into(), json!(old.device_ids));
    }
    if !old.device_tags.is_empty() {
        body.insert("deviceTags".into(), json!(old.device_tags));
    }
    if let Some(filter) = &old.address_filter_type {
        body.insert("addressFilterType".into(), json!(filter));
    }
    if !old.addresses.is_empty() {
        body.insert("addresses".into(), json!(old.addresses));
    }
    body
}

/// Takes the secret out of a new key's answer and hands it to `keep`
/// before the rest of the answer is decoded.
async fn issued(
    body: SecretBody<KeySecret>,
    name: &str,
    keep: &dyn Keep,
) -> Result<(AccessKey, IssuedSecret), PlatformError> {
    kept(body, Kind::AccessKey, name, keep).await
}

/// A secret Losant shows once, as the answer to the POST that made it.
trait ShownOnce: SecretField {
    /// How the console names the secret.
    const LABEL: &'static str;
    /// The answer's field that names the credential in public, if any.
    const PUBLIC_ID: Option<&'static str>;
    /// Said when the answer lacks its secret.
    const MISSING: &'static str;
}

/// Takes the secret out of `body`, hands it to `keep`, and only then
/// decodes the rest: a document that fails to decode never loses it.
async fn kept<F: ShownOnce, T: serde::de::DeserializeOwned>(
    mut body: SecretBody<F>,
    kind: Kind,
    name: &str,
    keep: &dyn Keep,
) -> Result<(T, IssuedSecret), PlatformError> {
    let id = body.text("id").unwrap_or_default().to_string();
    let secret = body
        .take_secret()
        .ok_or_else(|| PlatformError::Decode(F::MISSING.into()))?;
    let issued = IssuedSecret {
        label: F::LABEL.into(),
        public_id: F::PUBLIC_ID.and_then(|k| body.text(k)).map(str::to_string),
        secret,
    };
    keep.keep(&Issued {
        kind,
        resource: id,
        name: body
            .text("name")
            .filter(|n| !n.is_empty())
            .unwrap_or(name)
            .to_string(),
        secret: issued.clone(),
    })
    .await;
    Ok((body.decode()?, issued))
}

fn issued_outcome(
    key: AccessKey,
    issued: IssuedSecret,
    summary: String,
    follow_up: Option<FollowUp>,
) -> Outcome {
    Outcome {
        summary,
        created: Some(key.id),
        secret: Some(issued),
        checks: Vec::new(),
        follow_up,
        created_name: None,
        rereadable: false,
    }
}

struct TokenSecret;

impl SecretField for TokenSecret {
    const NAME: &'static str = "token";
}

impl ShownOnce for TokenSecret {
    const LABEL: &'static str = "API token";
    const PUBLIC_ID: Option<&'static str> = None;
    const MISSING: &'static str = "the new API token came without its token";
}

struct KeySecret;

impl SecretField for KeySecret {
    const NAME: &'static str = "secret";
}

impl ShownOnce for KeySecret {
    const LABEL: &'static str = "access key secret";
    const PUBLIC_ID: Option<&'static str> = Some("key");
    const MISSING: &'static str = "the new access key came without its secret";
}

fn in_app(parent: Option<&String>) -> Result<&str, PlatformError> {
    parent
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| PlatformError::Invalid("select an application first".into()))
}

fn collection(app: &str, kind: Kind) -> Result<String, PlatformError> {
    let what = match kind {
        Kind::Certificate => "certificates",
        Kind::CertificateAuthority => "certificate-authorities",
        Kind::ApiToken => "tokens",
        _ => "keys",
    };
    Ok(format!("{APPS}/{}/{what}", segment(app)?))
}

fn item_path(target: &Target) -> Result<String, PlatformError> {
    match target.kind {
        Kind::Application => Ok(format!("{APPS}/{}", segment(&target.id)?)),
        Kind::Certificate | Kind::CertificateAuthority | Kind::AccessKey | Kind::ApiToken => {
            Ok(format!(
                "{}/{}",
                collection(in_app(target.parent.as_ref())?, target.kind)?,
                segment(&target.id)?
            ))
        }
        other => Err(PlatformError::Unsupported(format!(
            "Losant has no {}",
            other.label()
        ))),
    }
}

async fn checked_pem(values: &Values, key: &str) -> Result<pem::Checked, PlatformError> {
    let (origin, bytes) = pem::read(value(values, key).unwrap_or_default()).await?;
    pem::check(&origin, &bytes)
}

/// `filterType`, `pubTopics` and `subTopics` as given. On a create, empty
/// ones are left to the server's defaults; on an edit, an empty topic list
/// clears the list.
fn insert_access(
    body: &mut Map<String, Value>,
    values: &Values,
    clear_empty: bool,
) -> Result<(), PlatformError> {
    if let Some(filter) = choice(values, "filterType", FILTER_TYPES)? {
        body.insert("filterType".into(), json!(filter));
    }
    for key in ["pubTopics", "subTopics"] {
        if let Some(raw) = value(values, key) {
            let topics = list(raw);
            if !topics.is_empty() || clear_empty {
                body.insert(key.into(), json!(topics));
            }
        }
    }
    Ok(())
}

/// `deviceIds` and `deviceTags` (`key=value`, or a bare key for any value),
/// which only a key's POST takes: Losant's key Patch schema has neither, so
/// which devices a key serves is fixed when it is made.
fn insert_devices(body: &mut Map<String, Value>, values: &Values) {
    if let Some(ids) = value(values, "deviceIds")
        .map(list)
        .filter(|l| !l.is_empty())
    {
        body.insert("deviceIds".into(), json!(ids));
    }
    if let Some(tags) = value(values, "deviceTags")
        .map(list)
        .filter(|l| !l.is_empty())
    {
        let tags: Vec<Value> = tags
            .iter()
            .map(|tag| match tag.split_once('=') {
                Some((key, value)) => json!({"key": key.trim(), "value": value.trim()}),
                None => json!({ "key": tag }),
            })
            .collect();
        body.insert("deviceTags".into(), Value::Array(tags));
    }
}

/// A PATCH body with only what each kind's Patch schema allows and only
/// the fields the form gave.
fn update_body(kind: Kind, values: &Values) -> Result<Map<String, Value>, PlatformError> {
    let mut body = Map::new();
    let names = matches!(
        kind,
        Kind::Application | Kind::CertificateAuthority | Kind::AccessKey | Kind::ApiToken
    );
    if names && let Some(raw) = value(values, "name") {
        match (raw.trim(), kind) {
            // Only a key may lose its name: Losant then shows its key.
            ("", Kind::AccessKey) => {
                body.insert("name".into(), Value::Null);
            }
            ("", _) => return Err(PlatformError::Invalid("a name is required".into())),
            (name, _) => {
                body.insert("name".into(), json!(name));
            }
        }
    }
    if let Some(raw) = value(values, "description") {
        body.insert("description".into(), json!(raw.trim()));
    }
    if matches!(kind, Kind::Certificate | Kind::AccessKey) {
        insert_access(&mut body, values, true)?;
    }
    Ok(body)
}

const fn field(key: &'static str, label: &'static str, input: Input, required: bool) -> Field {
    let mut field = Field::with(key, label, input);
    field.required = required;
    field
}

/// Losant's schemas cap every resource name at 255 characters.
const fn name_field(required: bool) -> Field {
    Field::text("name", "Name", required).max_len(255)
}

const FILTER: Field = field(
    "filterType",
    "Topic filter",
    Input::Choice(FILTER_TYPES),
    false,
);
const PUB: Field = field("pubTopics", "Publish topics", Input::List, false);
const SUB: Field = field("subTopics", "Subscribe topics", Input::List, false);
const DESCRIPTION: Field = field("description", "Description", Input::Text, false);
const DEVICE_IDS: Field = field(
    "deviceIds",
    "Only these device ids (fixed once made)",
    Input::List,
    false,
);
const DEVICE_TAGS: Field = field(
    "deviceTags",
    "Only devices tagged key=value (fixed once made)",
    Input::List,
    false,
);

/// What Losant offers, known without credentials.
pub fn capabilities() -> Capabilities {
    let mut app = KindSpec::new(Kind::Application);
    app.create = Some(vec![name_field(true), DESCRIPTION]);
    app.edit.clone_from(&app.create);
    app.delete = true;

    let mut cert = KindSpec::new(Kind::Certificate);
    cert.create = Some(vec![
        field(
            "certificate",
            "Certificate (PEM file or paste)",
            Input::Pem,
            true,
        ),
        DESCRIPTION,
        FILTER,
        PUB,
        SUB,
    ]);
    cert.edit = Some(vec![DESCRIPTION, FILTER, PUB, SUB]);
    cert.delete = true;
    cert.toggle = Some(("Enable", "Disable"));
    cert.rotate = Rotation::Renew {
        fields: vec![field(
            "certificate",
            "Renewed certificate (PEM file or paste)",
            Input::Pem,
            true,
        )],
        warning: "The new PEM replaces this certificate's in place (same id); devices then \
                  present the new one. Its private key stays with you: only the certificate is sent.",
    };

    let mut ca = KindSpec::new(Kind::CertificateAuthority);
    ca.create = Some(vec![
        name_field(true),
        field(
            "caBundle",
            "CA bundle (PEM file or paste)",
            Input::Pem,
            true,
        ),
        DESCRIPTION,
    ]);
    ca.edit = Some(vec![name_field(true), DESCRIPTION]);
    ca.delete = true;
    ca.toggle = Some(("Enable", "Disable"));
    ca.rotate = Rotation::Unsupported("add the new CA bundle, then disable this one");

    let mut key = KindSpec::new(Kind::AccessKey);
    let key_fields = vec![name_field(false), DESCRIPTION, FILTER, PUB, SUB];
    let mut key_create = key_fields.clone();
    key_create.extend([DEVICE_IDS, DEVICE_TAGS]);
    key.create = Some(key_create);
    key.edit = Some(key_fields);
    key.delete = true;
    key.toggle = Some(("Activate", "Deactivate"));
    key.rotate = Rotation::TwoPhase {
        warning: "Losant cannot renew a key's secret. Portico creates a new key with the same \
                  topics and shows its secret once; the old key is deactivated only after you \
                  confirm the new secret is stored. Devices still using the old key are then \
                  disconnected.",
    };

    let mut token = KindSpec::new(Kind::ApiToken);
    token.create = Some(vec![
        name_field(true),
        DESCRIPTION,
        field(
            "scope",
            "Scopes (e.g. all.Application.read)",
            Input::List,
            false,
        ),
        field("expirationDate", "Expires", Input::Date, false),
    ]);
    token.edit = Some(vec![name_field(true), DESCRIPTION]);
    token.delete = true;
    token.toggle = Some(("Enable", "Disable"));
    token.rotate = Rotation::Unsupported(
        "Losant cannot renew an API token: create a new one, then disable this one",
    );

    Capabilities::new([
        PaneSpec::unsupported(
            "Projects",
            "Losant applications belong to the organization: no projects",
        ),
        PaneSpec::list("Applications", vec!["Description", "Id"]).creating(vec![Kind::Application]),
        PaneSpec::list("Credentials", vec!["Kind", "Status", "Expires"])
            .scoped_by(Pane::Applications)
            .creating(vec![
                Kind::Certificate,
                Kind::CertificateAuthority,
                Kind::AccessKey,
                Kind::ApiToken,
            ]),
    ])
    .with_kinds(vec![app, cert, ca, key, token])
}

/// An API `token` when given, else a user's `email` and `password`.
pub fn connect(c: &Connection<'_>) -> Result<Arc<dyn super::Platform>, PlatformError> {
    // The config allows exactly one of the two; a token wins if both slipped through.
    let auth = if c.has("token") {
        Auth::Token(c.secret("token")?)
    } else {
        Auth::Login {
            email: c.secret("email")?.expose().to_string(),
            password: c.secret("password")?,
        }
    };
    let losant = Losant::new(c.base_url(), c.limits(), auth)?;
    Ok(Arc::new(match c.page_size() {
        Some(size) => losant.with_page_size(size),
        None => losant,
    }))
}

impl super::Platform for Losant {
    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    fn page_size(&self) -> Option<usize> {
        Some(self.client.page_size())
    }

    fn list<'a>(
        &'a self,
        source: Source,
        parent: Option<&'a str>,
        progress: Progress,
    ) -> Fut<'a, Vec<Resource>> {
        Box::pin(async move {
            match source {
                Source::Pane(Pane::Applications) => self.list_apps(progress).await,
                Source::Pane(Pane::Certificates) => match parent {
                    Some(app) => self.list_credentials(app, progress).await,
                    None => Err(PlatformError::Invalid("select an application first".into())),
                },
                Source::Pane(Pane::Projects | Pane::View) => Err(PlatformError::Unsupported(
                    "Losant applications belong to the organization: no projects".into(),
                )),
                Source::View(name) => Err(PlatformError::Unsupported(format!(
                    "Losant has no :{name} view"
                ))),
            }
        })
    }

    fn perform_keeping<'a>(&'a self, op: &'a Operation, keep: &'a dyn Keep) -> Fut<'a, Outcome> {
        Box::pin(self.run(op, keep))
    }

    fn preview<'a>(&'a self, op: &'a Operation) -> Fut<'a, Vec<String>> {
        Box::pin(async move {
            match op {
                Operation::Update { target, values } if target.kind == Kind::Certificate => {
                    self.renewal_preview(target, values).await
                }
                _ => Ok(Vec::new()),
            }
        })
    }

    /// `GET` of the resource's own route, the one `get` reads.
    fn document<'a>(&'a self, target: &'a Target) -> Fut<'a, Value> {
        Box::pin(async move {
            self.client
                .json(
                    Method::GET,
                    &item_path(target)?,
                    &[],
                    None,
                    Retry::Idempotent,
                )
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
    fn error_bodies_read_as_type_and_message() {
        let body = json!({"type": "NotFound", "message": "Application was not found"});
        assert_eq!(
            client::message_of(&body).as_deref(),
            Some("NotFound: Application was not found")
        );
        let body = json!({"type": "Unauthorized", "message": "Unauthorized"});
        assert_eq!(client::message_of(&body).as_deref(), Some("Unauthorized"));
        assert_eq!(
            client::message_of(&json!({"message": "m"})).as_deref(),
            Some("m")
        );
        assert_eq!(client::message_of(&json!({})), None);
    }

    #[test]
    fn validation_errors_are_keyed_by_their_top_property() {
        let body = json!({
            "type": "Validation",
            "message": "applicationKey.deviceIds.0: does not match",
            "validationErrors": [
                {"type": "pattern", "name": "deviceIds.0", "id": "/deviceIds/0", "message": "does not match"},
                {"type": "maxLength", "name": "name", "id": "/name", "message": "is too long"},
                {"type": "type", "name": "", "id": "", "message": "not an object"},
                {"type": "required", "name": "certificate", "id": "/certificate"}
            ]
        });
        let fields = client::fields_of(&body);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|f| (f.field(), f.message())).collect();
        assert_eq!(
            pairs,
            vec![
                ("deviceIds", "does not match"),
                ("name", "is too long"),
                ("certificate", "required")
            ]
        );
        assert!(client::fields_of(&json!({"type": "NotFound", "message": "m"})).is_empty());
        let flood: Vec<Value> = (0..500)
            .map(|_| json!({"name": "name", "message": "x".repeat(5000)}))
            .collect();
        let capped = client::fields_of(&json!({ "validationErrors": flood }));
        assert_eq!(capped.len(), 20);
        assert!(capped[0].message().chars().count() <= 301);
    }

    #[test]
    fn device_restrictions_go_into_a_new_key_only() {
        let form = values(&[
            (
                "deviceIds",
                "5f0000000000000000000002, 5f0000000000000000000003",
            ),
            ("deviceTags", "floor=3, spare"),
        ]);
        let mut body = Map::new();
        insert_devices(&mut body, &form);
        assert_eq!(
            Value::Object(body),
            json!({
                "deviceIds": ["5f0000000000000000000002", "5f0000000000000000000003"],
                "deviceTags": [{"key": "floor", "value": "3"}, {"key": "spare"}]
            })
        );
        let patch = update_body(Kind::AccessKey, &form).expect("key");
        assert!(
            patch.is_empty(),
            "the key Patch schema has no device fields"
        );
    }

    #[test]
    fn patch_bodies_keep_to_each_schema() {
        let form = values(&[
            ("name", "n"),
            ("description", " d "),
            ("filterType", "whitelist"),
            ("pubTopics", "a/b, c/#,"),
            ("subTopics", ""),
        ]);
        let cert = update_body(Kind::Certificate, &form).expect("cert");
        assert_eq!(
            Value::Object(cert),
            json!({"description": "d", "filterType": "whitelist", "pubTopics": ["a/b", "c/#"], "subTopics": []})
        );
        let ca = update_body(Kind::CertificateAuthority, &form).expect("ca");
        assert_eq!(Value::Object(ca), json!({"name": "n", "description": "d"}));
        let unnamed = update_body(Kind::AccessKey, &values(&[("name", "")])).expect("key");
        assert_eq!(Value::Object(unnamed), json!({"name": null}));
        assert!(update_body(Kind::Application, &values(&[("name", " ")])).is_err());
        assert!(update_body(Kind::Certificate, &values(&[("filterType", "some")])).is_err());
    }

    #[test]
    fn a_successor_key_keeps_the_access_of_the_old_one() {
        let old: AccessKey = serde_json::from_value(json!({
            "id": "5f0000000000000000000001", "key": "k-1", "name": "Gateways",
            "description": "Shared", "filterType": "whitelist",
            "pubTopics": ["a"], "subTopics": ["b"], "deviceIds": ["5f0000000000000000000002"]
        }))
        .expect("key");
        let body = Value::Object(successor(&old));
        assert_eq!(body["description"], "Shared (replaces access key k-1)");
        assert_eq!(body["filterType"], "whitelist");
        assert_eq!(body["pubTopics"], json!(["a"]));
        assert_eq!(body["deviceIds"], json!(["5f0000000000000000000002"]));
        assert!(
            body.get("status").is_none(),
            "the Post schema has no status"
        );
    }

    #[test]
    fn rotating_again_replaces_the_note_instead_of_adding_one() {
        let key = |id: &str, key: &str, description: &str| -> AccessKey {
            serde_json::from_value(json!({
                "id": id, "key": key, "name": "Gateways", "description": description,
                "pubTopics": [], "subTopics": []
            }))
            .expect("key")
        };
        let first = key("5f0000000000000000000001", "k-1", "Shared");
        let second_desc = successor(&first)["description"].clone();
        let second = key(
            "5f0000000000000000000002",
            "k-2",
            second_desc.as_str().unwrap_or_default(),
        );
        let third = successor(&second);
        assert_eq!(third["description"], "Shared (replaces access key k-2)");
        let bare = key("5f0000000000000000000003", "k-3", "");
        let once = successor(&bare)["description"].clone();
        assert_eq!(once, "Rotation: replaces access key k-3");
        let again = key(
            "5f0000000000000000000004",
            "k-4",
            once.as_str().unwrap_or_default(),
        );
        assert_eq!(
            successor(&again)["description"],
            "Rotation: replaces access key k-4"
        );
        // A user's own parentheses stay.
        assert_eq!(own_description("Gateways (west)"), "Gateways (west)");
    }

    #[test]
    fn a_key_made_by_a_rotation_names_the_key_it_replaces() {
        let mk = |id: &str, key: &str, description: &str| -> AccessKey {
            serde_json::from_value(json!({
                "id": id, "key": key, "name": "Gateways", "description": description,
                "pubTopics": [], "subTopics": []
            }))
            .expect("key")
        };
        let keys = vec![
            mk(
                "5f00000000000000000000b2",
                "k-2",
                "Shared (replaces access key k-1)",
            ),
            mk("5f00000000000000000000b1", "k-1", "Shared"),
        ];
        let mut rows: Vec<Resource> = keys.iter().map(resources::access_key).collect();
        link_successors(&keys, &mut rows);
        assert_eq!(rows[0].detail("replaces"), Some("5f00000000000000000000b1"));
        assert_eq!(rows[1].detail("replaces"), None);
    }
}
