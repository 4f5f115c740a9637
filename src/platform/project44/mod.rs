//! project44: `OAuth2` client applications of one tenant (NA, EU or sandbox).

mod client;
mod resources;
mod wire;

use std::sync::Arc;

use reqwest::Method;
use serde_json::json;

use self::client::{APPS, Client};
use self::wire::{ClientApplication, ClientApplications, ClientSecret};
use super::form::required;
use super::http::{Retry, SecretBody, segment, unreadable_secret};
use super::registry::Connection;
use super::{
    Capabilities, Check, Field, Fut, Issued, Keep, KindSpec, Operation, Outcome, PaneSpec,
    PlatformError, Progress, Rotation, Source,
};
use crate::model::{IssuedSecret, Kind, Pane, Resource, Secret};

pub struct Project44 {
    client: Client,
    /// Shared by every row, so a list keeps one copy.
    token_endpoint: Arc<str>,
}

impl Project44 {
    pub fn new(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        username: String,
        password: Secret,
    ) -> Result<Self, PlatformError> {
        let client = Client::new(base_url, limits, username, password)?;
        Ok(Self {
            token_endpoint: client.token_endpoint().into(),
            client,
        })
    }

    pub async fn list_apps(&self) -> Result<Vec<Resource>, PlatformError> {
        let page: ClientApplications = self
            .client
            .http()
            .json(self.client.request(Method::GET, APPS), Retry::Idempotent)
            .await?;
        Ok(page
            .client_applications
            .into_iter()
            .map(|app| self.resource(app))
            .collect())
    }

    pub async fn get_app(&self, id: &str) -> Result<Resource, PlatformError> {
        let app: ClientApplication = self
            .client
            .http()
            .json(
                self.client.request(Method::GET, &app_path(id)?),
                Retry::Idempotent,
            )
            .await?;
        Ok(self.resource(app))
    }

    /// Exchanges a client id and secret for an access token; `Ok(false)`
    /// when the token endpoint rejects them.
    pub async fn verify(&self, client_id: &str, secret: &Secret) -> Result<bool, PlatformError> {
        self.client.verify(client_id, secret).await
    }

    fn resource(&self, app: ClientApplication) -> Resource {
        resources::client_app(app, &self.token_endpoint)
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
            created_name: None,
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
                let name = required(values, "name", "a name")?;
                let req = self
                    .client
                    .request(Method::POST, APPS)
                    .json(&json!({ "name": name }));
                let body = self
                    .client
                    .http()
                    .json(req, Retry::Never)
                    .await
                    .map_err(unreadable_secret)?;
                let mut outcome = self.issued(body, None, "created", keep).await?;
                outcome.created = outcome.secret.as_ref().and_then(|s| s.public_id.clone());
                Ok(outcome)
            }
            Operation::Update { target, values } => {
                let name = required(values, "name", "a name")?;
                let req = self
                    .client
                    .request(Method::PUT, &app_path(&target.id)?)
                    .json(&json!({ "name": name }));
                let app: ClientApplication =
                    self.client.http().json(req, Retry::Idempotent).await?;
                Ok(Outcome::done(format!("renamed to \"{}\"", app.name)))
            }
            Operation::Delete { target } => {
                let req = self.client.request(Method::DELETE, &app_path(&target.id)?);
                self.client.http().send(req, Retry::Idempotent).await?;
                Ok(Outcome::done(format!("deleted \"{}\"", target.name)))
            }
            Operation::Rotate { target, previous } => {
                let path = format!("{}/new-secret", app_path(&target.id)?);
                let req = self.client.request(Method::POST, &path);
                let body = self
                    .client
                    .http()
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

    /// `GET` of the client application, the route `get_app` reads.
    fn document<'a>(&'a self, target: &'a super::Target) -> Fut<'a, serde_json::Value> {
        Box::pin(async move {
            if target.kind != Kind::ClientApp {
                return Err(PlatformError::Unsupported(format!(
                    "project44 has no {}",
                    target.kind.label()
                )));
            }
            let req = self.client.request(Method::GET, &app_path(&target.id)?);
            self.client.http().json(req, Retry::Idempotent).await
        })
    }
}
