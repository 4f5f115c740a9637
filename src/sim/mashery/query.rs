//! The query parameters every Mashery list takes: `fields` (dot paths),
//! `filter=prop:value` (substring), `sort=prop[:asc|desc]`, `search`
//! (partial match, any of the pairs), `limit` and `offset`.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: usize = 100;

/// Properties `search` may name on applications (and, where they exist,
/// on the other resources).
const SEARCHABLE: &[&str] = &[
    "name",
    "username",
    "description",
    "type",
    "usageModel",
    "tags",
    "preferredProtocol",
    "preferredOutput",
    "uri",
    "isPackaged",
    "email",
    "displayName",
    "apikey",
    "status",
];

/// What `offset` counts: pages on members, applications and package keys,
/// items on packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offset {
    Page,
    Item,
}

#[derive(Debug, Default)]
pub struct ListQuery {
    fields: Option<Vec<String>>,
    filters: Vec<(String, String)>,
    sort: Vec<(String, bool)>,
    search: Vec<(String, String)>,
    limit: usize,
    offset: usize,
}

fn pairs(raw: &str) -> Vec<(String, String)> {
    // A comma inside a value (no colon after it) belongs to that value.
    let mut out: Vec<(String, String)> = Vec::new();
    for part in raw.split(',') {
        match part.split_once(':') {
            Some((k, v)) => out.push((k.trim().to_string(), v.to_string())),
            None => {
                if let Some(last) = out.last_mut() {
                    last.1.push(',');
                    last.1.push_str(part);
                }
            }
        }
    }
    out
}

fn number(query: &[(String, String)], name: &str, default: usize) -> ApiResult<usize> {
    match query.iter().rev().find(|(k, _)| k == name) {
        None => Ok(default),
        Some((_, v)) if v.trim().is_empty() => Ok(default),
        Some((_, v)) => v
            .trim()
            .parse::<usize>()
            .map_err(|_| ApiError::invalid(name, format!("{name} must be a non-negative integer"))),
    }
}

impl ListQuery {
    pub fn parse(query: &[(String, String)]) -> ApiResult<Self> {
        let mut q = Self {
            limit: number(query, "limit", DEFAULT_LIMIT)?,
            offset: number(query, "offset", 0)?,
            ..Self::default()
        };
        if q.limit == 0 {
            q.limit = DEFAULT_LIMIT;
        }
        for (k, v) in query {
            match k.as_str() {
                "fields" => q.fields.get_or_insert_with(Vec::new).extend(
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                ),
                "filter" => q.filters.extend(pairs(v)),
                "search" => q.search.extend(pairs(v)),
                "sort" => {
                    for part in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let (name, dir) = part.split_once(':').unwrap_or((part, "asc"));
                        let asc = match dir.to_ascii_lowercase().as_str() {
                            "asc" => true,
                            "desc" => false,
                            _ => {
                                return Err(ApiError::invalid(
                                    "sort",
                                    format!("sort direction must be asc or desc, not {dir}"),
                                ));
                            }
                        };
                        if name.contains('.') {
                            return Err(ApiError::invalid(
                                "sort",
                                "only root-level properties can be sorted by",
                            ));
                        }
                        q.sort.push((name.to_string(), asc));
                    }
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// A fetch of one object takes `fields` only.
    pub fn one(&self, doc: &Value, implicit: &[&str]) -> Value {
        project(doc, self.fields.as_deref(), implicit)
    }

    /// Filters, searches, sorts and pages full documents; returns the
    /// total that matched and the projected page.
    pub fn list(&self, docs: &[Value], implicit: &[&str], offset: Offset) -> (usize, Vec<Value>) {
        let (total, page) = self.chosen(docs, offset);
        (
            total,
            self.project_page(&page, |i| docs[i].clone(), implicit),
        )
    }

    /// The top-level fields the filters, searches and sorts read.
    pub fn read_fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .filters
            .iter()
            .map(|(p, _)| p.as_str())
            .chain(
                self.search
                    .iter()
                    .filter(|(k, _)| SEARCHABLE.contains(&k.as_str()))
                    .map(|(p, _)| p.as_str()),
            )
            .chain(self.sort.iter().map(|(p, _)| p.as_str()))
            .map(|p| p.split('.').next().unwrap_or(p))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// How many documents the filters and searches keep, and the indices
    /// of the page's, in the query's order.
    fn chosen(&self, docs: &[Value], offset: Offset) -> (usize, Vec<usize>) {
        self.page_of(&self.order(docs), offset)
    }

    /// What the order of a list depends on: its filters, searches and
    /// sorts, and not its fields or page. Two queries with one key list
    /// the same documents in the same order.
    pub fn order_key(&self) -> String {
        format!("{:?}|{:?}|{:?}", self.filters, self.search, self.sort)
    }

    /// The indices of the documents the filters and searches keep, in the
    /// query's order.
    pub fn order(&self, docs: &[Value]) -> Vec<usize> {
        let terms: Vec<_> = self
            .search
            .iter()
            .filter(|(k, _)| SEARCHABLE.contains(&k.as_str()))
            .collect();
        let kept: Vec<usize> = (0..docs.len())
            .filter(|&i| {
                let d = &docs[i];
                self.filters
                    .iter()
                    .all(|(path, needle)| contains(d, path, needle))
                    && (terms.is_empty() || terms.iter().any(|(k, v)| contains(d, k, v)))
            })
            .collect();
        if self.sort.is_empty() {
            return kept;
        }
        // Each document's sort values are read (and lowered) once, not
        // once for every comparison.
        let mut keyed: Vec<(usize, Vec<SortValue<'_>>)> = kept
            .into_iter()
            .map(|i| {
                let values = self
                    .sort
                    .iter()
                    .map(|(name, _)| SortValue::of(docs[i].get(name)))
                    .collect();
                (i, values)
            })
            .collect();
        keyed.sort_by(|(_, a), (_, b)| {
            for ((x, y), (_, asc)) in a.iter().zip(b).zip(&self.sort) {
                let ord = x.cmp(y);
                let ord = if *asc { ord } else { ord.reverse() };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
        keyed.into_iter().map(|(i, _)| i).collect()
    }

    /// The total of an [`Self::order`] and the indices on this query's page.
    pub fn page_of(&self, order: &[usize], offset: Offset) -> (usize, Vec<usize>) {
        let skip = match offset {
            Offset::Page => self.offset.saturating_mul(self.limit),
            Offset::Item => self.offset,
        };
        let page = order.iter().copied().skip(skip).take(self.limit).collect();
        (order.len(), page)
    }

    /// The page's documents, each built whole by `full` and projected.
    pub fn project_page(
        &self,
        page: &[usize],
        full: impl Fn(usize) -> Value,
        implicit: &[&str],
    ) -> Vec<Value> {
        page.iter()
            .map(|&i| project(&full(i), self.fields.as_deref(), implicit))
            .collect()
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether the value at the dot `path` contains `needle`; through arrays,
/// whether any element's does.
fn contains(doc: &Value, path: &str, needle: &str) -> bool {
    fn walk(v: &Value, parts: &[&str], needle: &str) -> bool {
        match v {
            Value::Array(items) => items.iter().any(|i| walk(i, parts, needle)),
            _ => match parts.split_first() {
                Some((head, rest)) => v.get(*head).is_some_and(|c| walk(c, rest, needle)),
                None => text(v).is_some_and(|t| t.contains(needle)),
            },
        }
    }
    let parts: Vec<&str> = path.split('.').collect();
    walk(doc, &parts, &needle.to_lowercase())
}

/// A field's value as a sort compares it, lowered once.
struct SortValue<'a> {
    value: Option<&'a Value>,
    text: Option<String>,
}

impl<'a> SortValue<'a> {
    fn of(value: Option<&'a Value>) -> Self {
        Self {
            value,
            text: value.and_then(text),
        }
    }

    fn cmp(&self, other: &Self) -> Ordering {
        match (self.value, other.value) {
            (Some(Value::Number(x)), Some(Value::Number(y))) => x
                .as_f64()
                .partial_cmp(&y.as_f64())
                .unwrap_or(Ordering::Equal),
            (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
            (Some(_), Some(_)) => self.text.cmp(&other.text),
            // Unset and null sort first, as a database's NULLs do ascending.
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
}

#[derive(Default)]
struct Tree(BTreeMap<String, Option<Self>>);

impl Tree {
    fn add(&mut self, parts: &[&str]) {
        if let Some((head, rest)) = parts.split_first() {
            let slot = self
                .0
                .entry((*head).to_string())
                .or_insert_with(|| Some(Self::default()));
            match (slot.as_mut(), rest.is_empty()) {
                // Asking for the whole property wins over any sub-path.
                (_, true) => *slot = None,
                (Some(child), false) => child.add(rest),
                (None, false) => {}
            }
        }
    }

    fn apply(&self, v: &Value) -> Value {
        match v {
            Value::Array(items) => Value::Array(items.iter().map(|i| self.apply(i)).collect()),
            Value::Object(obj) => {
                let mut out = Map::new();
                for (k, sub) in &self.0 {
                    if let Some(val) = obj.get(k) {
                        let val = match sub {
                            None => val.clone(),
                            Some(tree) => tree.apply(val),
                        };
                        out.insert(k.clone(), val);
                    }
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
}

/// Keeps the requested dot paths, or the implicit fields when none were
/// asked for.
pub fn project(doc: &Value, fields: Option<&[String]>, implicit: &[&str]) -> Value {
    let mut tree = Tree::default();
    match fields {
        Some(fields) if !fields.is_empty() => {
            for f in fields {
                tree.add(&f.split('.').collect::<Vec<_>>());
            }
        }
        _ => {
            for f in implicit {
                tree.add(&[f]);
            }
        }
    }
    tree.apply(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(pairs: &[(&str, &str)]) -> ListQuery {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ListQuery::parse(&owned).expect("query")
    }

    #[test]
    fn dot_paths_reach_into_arrays() {
        let doc = json!({"id": "a", "name": "n", "keys": [{"apikey": "k", "secret": "s"}]});
        let fields = vec!["id".to_string(), "keys.apikey".to_string()];
        assert_eq!(
            project(&doc, Some(&fields), &[]),
            json!({"id": "a", "keys": [{"apikey": "k"}]})
        );
        assert_eq!(project(&doc, None, &["name"]), json!({"name": "n"}));
    }

    #[test]
    fn offset_is_a_page_or_an_item() {
        let docs: Vec<Value> = (0..25).map(|i| json!({"n": i})).collect();
        let (total, page) =
            q(&[("limit", "10"), ("offset", "2")]).list(&docs, &["n"], Offset::Page);
        assert_eq!(total, 25);
        assert_eq!(page.first(), Some(&json!({"n": 20})));
        let (_, page) = q(&[("limit", "10"), ("offset", "2")]).list(&docs, &["n"], Offset::Item);
        assert_eq!(page.first(), Some(&json!({"n": 2})));
    }

    #[test]
    fn filter_sort_and_search() {
        let docs = vec![
            json!({"name": "Beta", "tags": "x"}),
            json!({"name": "alpha", "tags": "y"}),
            json!({"name": "Gamma", "tags": "x"}),
        ];
        let (_, page) =
            q(&[("filter", "tags:x"), ("sort", "name:desc")]).list(&docs, &["name"], Offset::Page);
        assert_eq!(
            page,
            vec![json!({"name": "Gamma"}), json!({"name": "Beta"})]
        );
        let (total, _) = q(&[("search", "name:ALP,tags:zzz")]).list(&docs, &["name"], Offset::Page);
        assert_eq!(total, 1);
    }
}
