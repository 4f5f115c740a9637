//! project44: OAuth2 client applications of one tenant (NA, EU or sandbox).
//! Management calls take HTTP Basic with a tenant user; the token endpoint
//! takes the client's own id and secret.

use std::sync::Arc;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::http::{Http, Retry, SecretBody, SecretField, segment, unreadable_secret};
use super::registry::Connection;
use super::{
    Capabilities, Check, Field, Fut, Issued, Keep, KindSpec, Operation, Outcome, PaneSpec,
    PlatformError, Progress, Rotation, Source, value,
};
use crate::model::{IssuedSecret, Kind, Pane, Resource, Secret};

const APPS: &str = "/api/v4/oauth2/client-applications";
const TOKEN: &str = "/api/v4/oauth2/token";

pub struct Project44 {
    http: Http,
    username: String,
    password: Secret,
}

/// The secret is never part of this type: it is taken out of the answer
/// first, by [`SecretBody`].
#[derive(Deserialize)]
struct ClientApplication {
    id: String,
    name: String,
}

struct ClientSecret;

impl SecretField for ClientSecret {
    const NAME: &'static str = "secret";
}

#[derive(Deserialize)]
struct ClientApplications {
    #[serde(rename = "clientApplications")]
    client_applications: Vec<ClientApplication>,
}

/// The v4 error body: `errorMessage`, else the first entry of `errors`.
fn message_of(body: &Value) -> Option<String> {
    body.get("errorMessage")
        .and_then(Value::as_str)
        .or_else(|| body.pointer("/errors/0/message").and_then(Value::as_str))
        .map(str::to_string)
}

impl Project44 {
    pub fn new(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        username: String,
        password: Secret,
    ) -> Result<Self, PlatformError> {
        Ok(Project44 {
            http: Http::new(base_url, limits, message_of)?,
            username,
            password,
        })
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .client()
            .request(method, self.http.url(path))
            .basic_auth(&self.username, Some(self.password.expose()))
    }

    pub async fn list_apps(&self) -> Result<Vec<Resource>, PlatformError> {
        let page: ClientApplications = self
            .http
            .json(self.request(Method::GET, APPS), Retry::Idempotent)
            .await?;
        Ok(page
            .client_applications
            .into_iter()
            .map(|app| self.resource(app))
            .collect())
    }

    pub async fn get_app(&self, id: &str) -> Result<Resource, PlatformError> {
        let app: ClientApplication = self
            .http
            .json(self.request(Method::GET, &app_path(id)?), Retry::Idempotent)
            .await?;
        Ok(self.resource(app))
    }

    /// Exchanges a client id and secret for an access token; `Ok(false)`
    /// when the token endpoint rejects them.
    pub async fn verify(&self, client_id: &str, secret: &Secret) -> Result<bool, PlatformError> {
        let req = self
            .http
            .client()
            .post(self.http.url(TOKEN))
            .basic_auth(client_id, Some(secret.expose()))
            .form(&[("grant_type", "client_credentials")]);
        match self.http.send(req, Retry::Idempotent).await {
            Ok(_) => Ok(true),
            Err(PlatformError::Auth(_)) => Ok(false),
            Err(err) => Err(err),
        }
    }

    fn resource(&self, app: ClientApplication) -> Resource {
        let mut res = Resource::new(Kind::ClientApp, app.id.clone(), app.name.clone());
        res.cells = vec![app.id.clone()];
        res.with_detail("name", app.name)
            .with_detail("client id", app.id.clone())
            .with_detail(
                "machine user",
                format!("app-{}@client-applications.project44.com", app.id),
            )
            .with_detail("token endpoint", self.http.url(TOKEN))
    }

    /// Takes the secret out of a create or new-secret answer and hands it
    /// to `keep` before anything else: the rest of the answer is decoded,
    /// and the secret checked at the token endpoint, only afterwards.
    async fn issued(
        &self,
        mut body: SecretBody<ClientSecret>,
        filed_under: Option<&str>,
        what: &str,
        keep: &dyn Keep,
    ) -> Result<Outcome, PlatformError> {
        let id = body
            .text("id")
            .or(filed_under)
            .unwrap_or_default()
            .to_string();
        let name = body.text("name").unwrap_or_default().to_string();
        let secret = body
            .take_secret()
            .ok_or_else(|| PlatformError::Decode(format!("{what} answer carries no secret")))?;
        let issued = IssuedSecret {
            label: "client secret".into(),
            public_id: Some(id.clone()),
            secret,
        };
        keep.keep(&Issued {
            kind: Kind::ClientApp,
            resource: id.clone(),
            name,
            secret: issued.clone(),
        })
        .await;
        let app: ClientApplication = body.decode()?;
        // A rejected verification is reported, not raised: the secret is
        // real and must still reach the user.
        let check = match self.verify(&app.id, &issued.secret).await {
            Ok(passed) => Check {
                label: "new secret accepted by the token endpoint".into(),
                passed,
            },
            Err(err) => Check {
                label: format!("token endpoint check failed: {err}"),
                passed: false,
            },
        };
        Ok(Outcome {
            summary: format!("{what} for \"{}\"", app.name),
            secret: Some(issued),
            checks: vec![check],
            follow_up: None,
            created: None,
            rereadable: false,
        })
    }

    /// Proves the replaced secret is dead, when Portico kept a copy of it.
    async fn previous_rejected(&self, id: &str, previous: Option<&Secret>) -> Check {
        let Some(old) = previous else {
            return Check {
                label: "previous secret not checked: Portico holds no copy of it".into(),
                passed: true,
            };
        };
        match self.verify(id, old).await {
            Ok(accepted) => Check {
                label: "previous secret rejected by the token endpoint".into(),
                passed: !accepted,
            },
            Err(err) => Check {
                label: format!("previous secret check failed: {err}"),
                passed: false,
            },
        }
    }

    async fn run(&self, op: &Operation, keep: &dyn Keep) -> Result<Outcome, PlatformError> {
        match op {
            Operation::Create { values, .. } => {
                let name = required_name(values)?;
                let req = self
                    .request(Method::POST, APPS)
                    .json(&json!({ "name": name }));
                let body = self
                    .http
                    .json(req, Retry::Never)
                    .await
                    .map_err(unreadable_secret)?;
                let mut outcome = self.issued(body, None, "created", keep).await?;
                outcome.created = outcome.secret.as_ref().and_then(|s| s.public_id.clone());
                Ok(outcome)
            }
            Operation::Update { target, values } => {
                let name = required_name(values)?;
                let req = self
                    .request(Method::PUT, &app_path(&target.id)?)
                    .json(&json!({ "name": name }));
                let app: ClientApplication = self.http.json(req, Retry::Idempotent).await?;
                Ok(Outcome::done(format!("renamed to \"{}\"", app.name)))
            }
            Operation::Delete { target } => {
                let req = self.request(Method::DELETE, &app_path(&target.id)?);
                self.http.send(req, Retry::Idempotent).await?;
                Ok(Outcome::done(format!("deleted \"{}\"", target.name)))
            }
            Operation::Rotate { target, previous } => {
                let path = format!("{}/new-secret", app_path(&target.id)?);
                let req = self.request(Method::POST, &path);
                let body = self
                    .http
                    .json(req, Retry::Never)
                    .await
                    .map_err(unreadable_secret)?;
                let mut outcome = self
                    .issued(body, Some(&target.id), "new secret issued", keep)
                    .await?;
                outcome
                    .checks
                    .push(self.previous_rejected(&target.id, previous.as_ref()).await);
                Ok(outcome)
            }
            Operation::SetActive { .. } | Operation::Reveal { .. } => Err(unsupported(op)),
        }
    }
}

fn unsupported(op: &Operation) -> PlatformError {
    PlatformError::Unsupported(format!(
        "project44 client applications cannot {}",
        op.verb()
    ))
}

fn app_path(id: &str) -> Result<String, PlatformError> {
    Ok(format!("{APPS}/{}", segment(id)?))
}

fn required_name(values: &super::Values) -> Result<&str, PlatformError> {
    match value(values, "name").map(str::trim) {
        Some(name) if !name.is_empty() => Ok(name),
        _ => Err(PlatformError::Invalid("a name is required".into())),
    }
}

/// What project44 offers, known without credentials.
pub fn capabilities() -> Capabilities {
    let mut app = KindSpec::new(Kind::ClientApp);
    app.create = Some(vec![Field::text("name", "Name", true)]);
    app.edit = Some(vec![Field::text("name", "Name", true)]);
    app.delete = true;
    app.rotate = Rotation::Immediate {
        warning: "The old secret stops working at once. Access tokens already issued stay valid until they expire.",
    };
    Capabilities::new([
        PaneSpec::unsupported(
            "Projects",
            "project44 client applications are tenant-wide: no projects",
        ),
        PaneSpec::list("Client applications", vec!["Client ID"]).creating(vec![Kind::ClientApp]),
        PaneSpec::unsupported(
            "Certificates",
            "project44 issues client secrets, not certificates",
        ),
    ])
    .with_kinds(vec![app])
}

/// Builds the adapter from the tenant's `username` and `password`.
pub fn connect(c: &Connection<'_>) -> Result<Arc<dyn super::Platform>, PlatformError> {
    let username = c.secret("username")?;
    let adapter = Project44::new(
        c.base_url(),
        c.limits(),
        username.expose().to_string(),
        c.secret("password")?,
    )?;
    Ok(Arc::new(adapter))
}

impl super::Platform for Project44 {
    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    fn list<'a>(
        &'a self,
        source: Source,
        _parent: Option<&'a str>,
        _progress: Progress,
    ) -> Fut<'a, Vec<Resource>> {
        Box::pin(async move {
            match source {
                Source::Pane(Pane::Applications) => self.list_apps().await,
                _ => Ok(Vec::new()),
            }
        })
    }

    fn perform_keeping<'a>(&'a self, op: &'a Operation, keep: &'a dyn Keep) -> Fut<'a, Outcome> {
        Box::pin(self.run(op, keep))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_prefers_error_message() {
        let body = json!({"errorMessage": "Nope", "errors": [{"message": "inner"}]});
        assert_eq!(message_of(&body).as_deref(), Some("Nope"));
        let body = json!({"errors": [{"message": "inner"}]});
        assert_eq!(message_of(&body).as_deref(), Some("inner"));
    }
}
