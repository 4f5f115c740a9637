//! Walks everything a tenant lists: each main pane under every parent its
//! scope offers, then the `:` views. The command line, `find` and the
//! expiry radar read a tenant through this, using only [`Capabilities`].

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures_util::{StreamExt, stream};

use super::{Capabilities, PaneBody, Platform, PlatformError, Source};
use crate::model::{Kind, Pane, Resource};

/// Scoped lists asked for at once, per tenant: enough to hide latency,
/// few enough that a throttled platform is not flooded.
const PARALLEL: usize = 4;

/// One resource and where it lives, so a caller can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub resource: Resource,
    /// The pane that lists it: a main pane, or [`Pane::View`].
    pub pane: Pane,
    pub source: Source,
    /// The id of the row it is listed under, for a scoped list.
    pub parent: Option<String>,
}

/// Lists `source` under each of `parents` (or once, unscoped).
async fn list_under(
    platform: &dyn Platform,
    source: Source,
    parents: Option<Vec<String>>,
) -> Result<Vec<(Option<String>, Vec<Resource>)>, PlatformError> {
    let quiet = super::quiet();
    let Some(parents) = parents else {
        let rows = platform.list(source, None, quiet).await?;
        return Ok(vec![(None, rows)]);
    };
    let lists = stream::iter(parents.into_iter().map(|parent| {
        let quiet = quiet.clone();
        async move {
            let rows = platform.list(source, Some(&parent), quiet).await;
            rows.map(|rows| (Some(parent), rows))
        }
    }))
    .buffered(PARALLEL)
    .collect::<Vec<_>>()
    .await;
    lists.into_iter().collect()
}

/// Every resource the tenant lists. A resource listed under several
/// parents is kept once, under the first.
pub async fn crawl(
    platform: &dyn Platform,
    caps: &Capabilities,
) -> Result<Vec<Found>, PlatformError> {
    let mut found = Vec::new();
    let mut by_pane: HashMap<Pane, Vec<String>> = HashMap::new();
    for pane in Pane::ALL {
        let PaneBody::List { scope, .. } = caps.pane(pane).body() else {
            continue;
        };
        let parents = scope.map(|s| owners_first(by_pane.get(&s).cloned().unwrap_or_default()));
        let rows = list_under(platform, Source::Pane(pane), parents).await?;
        let ids = keep(&mut found, pane, Source::Pane(pane), rows);
        by_pane.insert(pane, ids);
    }
    for view in caps.views() {
        let parents = view
            .scope
            .map(|s| by_pane.get(&s).cloned().unwrap_or_default());
        let rows = list_under(platform, Source::View(view.name), parents).await?;
        keep(&mut found, Pane::View, Source::View(view.name), rows);
    }
    Ok(found)
}

/// The parents to list under, a browse-only row (an empty id, such as
/// Mashery's "all members") last: a resource is kept under the first
/// parent that lists it, and that should be its owner.
fn owners_first(mut parents: Vec<String>) -> Vec<String> {
    parents.sort_by_key(String::is_empty);
    parents
}

/// Adds the rows not yet seen in this list; returns the ids of all its rows.
fn keep(
    found: &mut Vec<Found>,
    pane: Pane,
    source: Source,
    rows: Vec<(Option<String>, Vec<Resource>)>,
) -> Vec<String> {
    let mut seen: HashSet<(Kind, String)> = HashSet::new();
    let mut ids = Vec::new();
    for (parent, list) in rows {
        for resource in list {
            if !seen.insert((resource.kind, resource.id.clone())) {
                continue;
            }
            ids.push(resource.id.clone());
            found.push(Found {
                resource,
                pane,
                source,
                parent: parent.clone(),
            });
        }
    }
    ids
}

/// Whether `text` matches the resource's name or id, ignoring case.
pub fn matches(resource: &Resource, text: &str) -> bool {
    let needle = text.to_lowercase();
    resource.name.to_lowercase().contains(&needle) || resource.id.to_lowercase().contains(&needle)
}

/// The kinds that carry an expiry worth watching: certificates, their
/// authorities, bot tokens and keys.
pub const fn expiry_watched(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Certificate
            | Kind::CertificateAuthority
            | Kind::Bot
            | Kind::AccessKey
            | Kind::PackageKey
            | Kind::AppKey
            | Kind::TrustedKey
    )
}

/// How one tenant answered a crawl: the command line's `find` and
/// `expiring` and the console's `:find` and `:expiring` all read it.
#[derive(Debug)]
pub enum Answer {
    Listed(Vec<Found>),
    Down(PlatformError),
    /// No answer within this long; the crawl was given up.
    Slow(Duration),
}

/// Waits for `crawling` at most `deadline`, so one tenant that is slow
/// never holds up the others.
pub async fn within<F>(deadline: Duration, crawling: F) -> Answer
where
    F: Future<Output = Result<Vec<Found>, PlatformError>>,
{
    match tokio::time::timeout(deadline, crawling).await {
        Ok(Ok(found)) => Answer::Listed(found),
        Ok(Err(err)) => Answer::Down(err),
        Err(_) => Answer::Slow(deadline),
    }
}
