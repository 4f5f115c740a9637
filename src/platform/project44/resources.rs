//! project44 client applications as Portico rows.

use super::wire::ClientApplication;
use crate::model::{Kind, Resource};

/// `token_endpoint` is where the application's secret is exchanged.
pub fn client_app(app: ClientApplication, token_endpoint: String) -> Resource {
    let mut res = Resource::new(Kind::ClientApp, app.id.clone(), app.name.clone());
    res.cells = vec![app.id.clone()];
    res.with_detail("name", app.name)
        .with_detail("client id", app.id.clone())
        .with_detail(
            "machine user",
            format!("app-{}@client-applications.project44.com", app.id),
        )
        .with_detail("token endpoint", token_endpoint)
}
