//! The rest of a paged list, once its first page has said how many pages
//! there are: fetched a few at a time, put back in page order, and each
//! item kept once.

use std::collections::HashSet;
use std::future::Future;

use futures_util::{StreamExt, TryStreamExt, stream};

use super::PlatformError;
use super::http::{MAX_PAGES, too_many_pages};

/// Anything listed has an id, by which pages are de-duplicated.
pub trait Identified {
    fn id(&self) -> &str;
}

/// [`Identified`] for wire types that carry their id as a field `id`.
macro_rules! identified_by_id {
    ($($row:ty),* $(,)?) => {
        $(impl $crate::platform::pages::Identified for $row {
            fn id(&self) -> &str {
                &self.id
            }
        })*
    };
}
pub(crate) use identified_by_id;

/// `first` is page 0 of `pages`; `fetch(n)` fetches page `n` (counted
/// from 0, whatever the platform counts from). At most `concurrent`
/// pages are asked for at once. A list that would need more than
/// [`MAX_PAGES`] is refused before any of the rest is asked for.
pub async fn rest<T, F, Fut>(
    first: Vec<T>,
    pages: usize,
    concurrent: usize,
    fetch: F,
) -> Result<Vec<T>, PlatformError>
where
    T: Identified + Send,
    F: Fn(usize) -> Fut + Sync,
    Fut: Future<Output = Result<Vec<T>, PlatformError>> + Send,
{
    if pages > MAX_PAGES {
        return Err(too_many_pages());
    }
    let mut rest: Vec<(usize, Vec<T>)> = stream::iter(1..pages)
        .map(|n| {
            let page = fetch(n);
            async move { Ok::<_, PlatformError>((n, page.await?)) }
        })
        .buffer_unordered(concurrent.max(1))
        .try_collect()
        .await?;
    rest.sort_by_key(|(n, _)| *n);
    // An item created or deleted meanwhile shifts the pages: the same item
    // may then come twice, and is kept once.
    let mut seen = HashSet::new();
    Ok(first
        .into_iter()
        .chain(rest.into_iter().flat_map(|(_, items)| items))
        .filter(|item| seen.insert(item.id().to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row(String);

    impl Identified for Row {
        fn id(&self) -> &str {
            &self.0
        }
    }

    fn ids(rows: &[Row]) -> Vec<&str> {
        rows.iter().map(|r| r.0.as_str()).collect()
    }

    #[tokio::test]
    async fn pages_come_back_in_order_and_a_repeat_is_kept_once() {
        let first = vec![Row("a".into()), Row("b".into())];
        let rows = rest(first, 4, 3, |n| async move {
            // Later pages answer first; page 2 repeats page 1's last row,
            // as a list shifted by a deletion does.
            tokio::time::sleep(std::time::Duration::from_millis(30 / n as u64)).await;
            Ok(match n {
                1 => vec![Row("c".into()), Row("d".into())],
                2 => vec![Row("d".into()), Row("e".into())],
                _ => vec![Row("f".into())],
            })
        })
        .await
        .expect("rows");
        assert_eq!(ids(&rows), ["a", "b", "c", "d", "e", "f"]);
    }

    #[tokio::test]
    async fn a_failed_page_fails_the_list_and_too_many_pages_ask_for_none() {
        let failed = rest(Vec::<Row>::new(), 3, 2, |n| async move {
            if n == 2 {
                Err(PlatformError::Decode("page 2 broke".into()))
            } else {
                Ok(vec![Row(n.to_string())])
            }
        })
        .await;
        assert!(matches!(failed, Err(PlatformError::Decode(m)) if m == "page 2 broke"));
        let asked = std::sync::atomic::AtomicUsize::new(0);
        let refused = rest(Vec::<Row>::new(), MAX_PAGES + 1, 2, |_| {
            asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async { Ok(Vec::new()) }
        })
        .await;
        assert!(refused.is_err());
        assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}
