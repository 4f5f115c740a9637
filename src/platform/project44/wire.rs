//! project44's v4 client-application documents. The secret is never part
//! of these types: it is taken out of the answer first, by `SecretBody`.

use serde::Deserialize;

use crate::platform::http::SecretField;

#[derive(Deserialize)]
pub struct ClientApplication {
    pub id: String,
    pub name: String,
}

/// Where a create or new-secret answer carries the secret.
pub struct ClientSecret;

impl SecretField for ClientSecret {
    const NAME: &'static str = "secret";
}

#[derive(Deserialize)]
pub struct ClientApplications {
    #[serde(rename = "clientApplications")]
    pub client_applications: Vec<ClientApplication>,
}
