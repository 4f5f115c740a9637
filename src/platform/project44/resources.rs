//! project44 client applications as Portico rows.

use std::sync::Arc;

use super::wire::ClientApplication;
use crate::model::{Kind, Resource};

/// `token_endpoint` is where the application's secret is exchanged; every
/// row of a list shares it. The detail fields are derived from the row
/// when first shown, so a large list holds only the id, the name and the
/// id's cell per row.
pub fn client_app(app: ClientApplication, token_endpoint: &Arc<str>) -> Resource {
    let ClientApplication { id, name } = app;
    let cell = id.clone();
    let mut res = Resource::new(Kind::ClientApp, id, name);
    res.cells = vec![cell];
    res.with_derived(details, Arc::clone(token_endpoint))
}

fn details(res: &Resource, token_endpoint: &str) -> Vec<(String, String)> {
    vec![
        ("name".into(), res.name.clone()),
        ("client id".into(), res.id.clone()),
        (
            "machine user".into(),
            format!("app-{}@client-applications.project44.com", res.id),
        ),
        ("token endpoint".into(), token_endpoint.to_owned()),
    ]
}
