//! Query strings, list filters, paging and request bodies, following Zou's
//! generic CRUD list semantics.

use std::cmp::Reverse;
use std::fmt::Write as _;

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::errors::{ApiError, ApiResult, UNSUPPORTED_MEDIA, ok};
use super::schema::{Kind, Record, Schema, normalize_id};
use crate::sim::http::{self, is_json};
use crate::sim::ordered::Ordered;

/// Zou's `NB_RECORDS_PER_PAGE`.
pub const DEFAULT_LIMIT: i64 = 100;

/// Parameters that steer the listing instead of filtering it.
const CONTROL: &[&str] = &["page", "limit", "relations", "fields", "force"];

/// Flask's `request.args`: the first value of each key wins.
#[derive(Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for part in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let (k, v) = (percent_decode(k), percent_decode(v));
            if !pairs.iter().any(|(seen, _)| *seen == k) {
                pairs.push((k, v));
            }
        }
        Self(pairs)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1"))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Flask refuses no query string: a malformed component is kept as sent.
pub fn percent_decode(s: &str) -> String {
    http::percent_decode(s.as_bytes()).unwrap_or_else(|| s.to_string())
}

/// SQL `ILIKE` as `PostgreSQL` evaluates it: `%` any run, `_` one character,
/// backslash escapes, case-insensitive.
pub fn ilike(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let v: Vec<char> = value.to_lowercase().chars().collect();
    #[allow(
        clippy::items_after_statements,
        reason = "a recursive helper private to ilike"
    )]
    fn go(p: &[char], v: &[char]) -> bool {
        match p.first() {
            None => v.is_empty(),
            Some('%') => (0..=v.len()).any(|skip| go(&p[1..], &v[skip..])),
            Some('_') => !v.is_empty() && go(&p[1..], &v[1..]),
            Some('\\') if p.len() > 1 => v.first() == Some(&p[1]) && go(&p[2..], &v[1..]),
            Some(c) => v.first() == Some(c) && go(&p[1..], &v[1..]),
        }
    }
    go(&p, &v)
}

/// `PostgreSQL`'s boolean input syntax, which is what a `?is_bot=False`
/// filter meets once `SQLAlchemy` passes the string through.
fn pg_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "y" | "yes" | "on" | "1" => Some(true),
        "f" | "false" | "n" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn value_matches(kind: Option<Kind>, stored: &Value, wanted: &str) -> bool {
    match (kind, stored) {
        (_, Value::Null) => false,
        (Some(Kind::Bool), Value::Bool(b)) => pg_bool(wanted) == Some(*b),
        (Some(Kind::Id), Value::String(s)) => normalize_id(wanted).as_deref() == Some(s),
        (_, Value::String(s)) => s == wanted,
        (_, Value::Number(n)) => wanted.trim().parse::<f64>().ok() == n.as_f64(),
        (_, Value::Bool(b)) => pg_bool(wanted) == Some(*b),
        _ => false,
    }
}

/// Zou's `apply_filters`: `name` is ILIKE, a value opening with `[` is a
/// JSON list for `IN`, relations match when they contain the id, keys that
/// are not columns are ignored. Read from the query once, then tried on
/// each record.
pub struct Filters<'p>(Vec<Filter<'p>>);

struct Filter<'p> {
    key: &'p str,
    kind: Option<Kind>,
    test: Test<'p>,
}

enum Test<'p> {
    Like(&'p str),
    Contains(&'p str),
    /// `None` for a list that is not JSON, which nothing matches.
    In(Option<Vec<String>>),
    Equals(&'p str),
}

impl<'p> Filters<'p> {
    pub fn of(schema: &Schema, params: &'p Params) -> Self {
        let filters = params
            .iter()
            .filter(|(key, _)| !CONTROL.contains(key) && schema.is_column(key))
            .map(|(key, wanted)| {
                let kind = schema.field(key).map(|f| f.kind);
                let test = if key == "name" {
                    Test::Like(wanted)
                } else if kind == Some(Kind::IdList) {
                    Test::Contains(wanted)
                } else if wanted.starts_with('[') {
                    Test::In(
                        serde_json::from_str::<Vec<Value>>(wanted)
                            .ok()
                            .map(|options| {
                                options
                                    .into_iter()
                                    .map(|o| match o {
                                        Value::String(s) => s,
                                        other => other.to_string(),
                                    })
                                    .collect()
                            }),
                    )
                } else {
                    Test::Equals(wanted)
                };
                Filter { key, kind, test }
            })
            .collect();
        Self(filters)
    }

    pub fn keep(&self, record: &Record) -> bool {
        self.0.iter().all(|f| {
            let stored = record.get(f.key).unwrap_or(&Value::Null);
            match &f.test {
                Test::Like(pattern) => stored.as_str().is_some_and(|s| ilike(pattern, s)),
                Test::Contains(wanted) => stored.as_array().is_some_and(|ids| {
                    ids.iter()
                        .any(|id| value_matches(Some(Kind::Id), id, wanted))
                }),
                Test::In(options) => options
                    .iter()
                    .flatten()
                    .any(|o| value_matches(f.kind, stored, o)),
                Test::Equals(wanted) => value_matches(f.kind, stored, wanted),
            }
        })
    }
}

pub struct Paging {
    pub page: i64,
    pub limit: i64,
}

/// `?page=N` turns a list into the envelope; a negative page (or none)
/// keeps the bare array. `limit` defaults to 100, and so does `limit=0`.
pub fn paging(params: &Params) -> Result<Option<Paging>, ApiError> {
    let Some(page) = params.get("page") else {
        return Ok(None);
    };
    let page: i64 = page
        .trim()
        .parse()
        .map_err(|_| ApiError::wrong("page must be an integer."))?;
    if page <= -1 {
        return Ok(None);
    }
    let limit = match params.get("limit").map(str::trim) {
        None | Some("") => DEFAULT_LIMIT,
        Some(l) => match l.parse::<i64>() {
            Err(_) => return Err(ApiError::wrong("limit must be an integer.")),
            Ok(l) if l < 0 => {
                return Err(ApiError::Message(
                    StatusCode::BAD_REQUEST,
                    "limit must be a positive integer.".into(),
                ));
            }
            Ok(0) => DEFAULT_LIMIT,
            Ok(l) => l,
        },
    };
    Ok(Some(Paging { page, limit }))
}

/// Zou's paginated envelope around `rows`, of which only the page's are
/// serialized by `view`. A page before the first or past the last is
/// empty but still reports the real total.
pub fn envelope<T>(rows: Vec<T>, paging: &Paging, view: impl Fn(T) -> Value) -> Value {
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let limit = paging.limit;
    let offset = (paging.page - 1) * limit;
    let nb_pages = (total + limit - 1) / limit;
    let data: Vec<Value> = if offset < 0 {
        Vec::new()
    } else {
        rows.into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(view)
            .collect()
    };
    json!({
        "data": data, "total": total, "nb_pages": nb_pages,
        "limit": limit, "offset": offset, "page": paging.page,
    })
}

/// A record's place in paged lists: `updated_at desc, created_at desc, id`.
fn paged_key(r: &Record) -> (Reverse<&str>, Reverse<&str>, &str) {
    let key = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
    (
        Reverse(key("updated_at")),
        Reverse(key("created_at")),
        key("id"),
    )
}

/// Puts the rows of `paging`'s page in their places in the order of paged
/// lists, leaving the others in no particular order: as an indexed
/// database does, a page costs a pass over the list, not a sort of all of
/// it. Each record's keys are read once.
pub fn order_page(records: &mut Vec<&Record>, paging: &Paging) {
    type Keyed<'r> = ((Reverse<&'r str>, Reverse<&'r str>, &'r str), &'r Record);
    fn cmp(a: &Keyed<'_>, b: &Keyed<'_>) -> std::cmp::Ordering {
        a.0.cmp(&b.0)
    }
    let Ok(start) = usize::try_from((paging.page - 1).saturating_mul(paging.limit)) else {
        return;
    };
    let limit = usize::try_from(paging.limit).unwrap_or(usize::MAX);
    if start >= records.len() {
        return;
    }
    let mut keyed: Vec<Keyed<'_>> = records.iter().map(|r| (paged_key(r), *r)).collect();
    if start > 0 {
        keyed.select_nth_unstable_by(start, cmp);
    }
    let page = &mut keyed[start..];
    if limit < page.len() {
        page.select_nth_unstable_by(limit, cmp);
    }
    let end = limit.min(page.len());
    page[..end].sort_unstable_by(cmp);
    *records = keyed.into_iter().map(|(_, r)| r).collect();
}

/// A list of a table that remembers its orders: the bare array, or the
/// envelope when `?page=` is given, whose order of the filtered rows is
/// worked out on the first page and kept for the next until a write.
/// The rest of a client's hundred pages then cost their own rows.
pub fn ordered_listing<F>(
    table: &Ordered<Record>,
    schema: &Schema,
    params: &Params,
    view: F,
) -> ApiResult
where
    F: Fn(&Record) -> Map<String, Value>,
{
    let filters = Filters::of(schema, params);
    let Some(paging) = paging(params)? else {
        return listing(
            table.iter().filter(|r| filters.keep(r)).collect(),
            params,
            view,
        );
    };
    // Lengths first, so no decoded value holding `=` or `&` can read as
    // two filters.
    let mut filter_key = String::new();
    for (k, v) in params.iter().filter(|(k, _)| !CONTROL.contains(k)) {
        let _ = write!(filter_key, "{}:{k}{}:{v}", k.len(), v.len());
    }
    let order = table.order(filter_key, || {
        let mut kept: Vec<usize> = (0..table.len())
            .filter(|&i| filters.keep(&table[i]))
            .collect();
        kept.sort_by(|&a, &b| paged_key(&table[a]).cmp(&paged_key(&table[b])));
        kept
    });
    let rows: Vec<&Record> = order.iter().map(|&i| &table[i]).collect();
    let view = |r: &Record| Value::Object(select_fields(params, view(r)));
    ok(StatusCode::OK, envelope(rows, &paging, view))
}

/// A list answer: the bare array, or the envelope when `?page=` is given.
pub fn listing<F>(mut records: Vec<&Record>, params: &Params, view: F) -> ApiResult
where
    F: Fn(&Record) -> Map<String, Value>,
{
    let view = |r: &Record| Value::Object(select_fields(params, view(r)));
    match paging(params)? {
        Some(paging) => {
            order_page(&mut records, &paging);
            ok(StatusCode::OK, envelope(records, &paging, view))
        }
        None => ok(
            StatusCode::OK,
            Value::Array(records.into_iter().map(view).collect()),
        ),
    }
}

/// `?fields=a,b` keeps those keys, plus `id` and `type`.
pub fn select_fields(params: &Params, mut object: Map<String, Value>) -> Map<String, Value> {
    if let Some(fields) = params.get("fields").filter(|f| !f.trim().is_empty()) {
        let keep: Vec<&str> = fields.split(',').map(str::trim).collect();
        object.retain(|k, _| k == "id" || k == "type" || keep.contains(&k.as_str()));
    }
    object
}

/// A JSON object body, refused the way Flask and Zou refuse the others:
/// 415 without a JSON content type, 400 for unparseable JSON, and each
/// non-object JSON value with the error Zou's code trips over.
pub fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if !is_json(headers) {
        return Err(ApiError::Message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            UNSUPPORTED_MEDIA.into(),
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Err(_) => Err(ApiError::BadJson),
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Err(ApiError::wrong(
            "Data are empty. Please verify that you sent JSON data and that you set the \
             right headers.",
        )),
        Ok(Value::Array(_)) => Err(ApiError::plain("pop expected at most 1 argument, got 2")),
        Ok(Value::String(_)) => Err(ApiError::Internal),
        Ok(other) => Err(ApiError::plain(format!(
            "argument of type '{}' is not iterable",
            python_type(&other)
        ))),
    }
}

/// A login body: a form when the client says so, otherwise JSON read
/// leniently (anything unreadable counts as an empty payload and fails
/// validation, as in Zou).
pub fn json_or_form(headers: &HeaderMap, body: &[u8]) -> Map<String, Value> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let text = String::from_utf8_lossy(body);
        return Params::parse(Some(&text))
            .iter()
            .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
            .collect();
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A page chosen without sorting the whole list is the page of
        /// the whole list sorted, ties in the times included.
        #[test]
        fn a_page_is_the_page_of_the_whole_sort(
            times in prop::collection::vec((0u8..4, 0u8..4), 0..40),
            page in -1i64..9,
            limit in 1i64..8,
        ) {
            let records: Vec<Record> = times
                .iter()
                .enumerate()
                .map(|(n, (u, c))| {
                    let mut r = Map::new();
                    r.insert("id".into(), json!(format!("{:02}", 40 - n)));
                    r.insert("updated_at".into(), json!(format!("2026-01-0{u}")));
                    r.insert("created_at".into(), json!(format!("2025-01-0{c}")));
                    r
                })
                .collect();
            let mut sorted: Vec<&Record> = records.iter().collect();
            sorted.sort_by_key(|r| {
                let k = |f: &str| r[f].as_str().unwrap_or("").to_string();
                (Reverse(k("updated_at")), Reverse(k("created_at")), k("id"))
            });
            let paging = Paging { page, limit };
            let id = |r: &Record| r["id"].clone();
            let expected = envelope(sorted, &paging, id);
            let mut chosen: Vec<&Record> = records.iter().collect();
            order_page(&mut chosen, &paging);
            prop_assert_eq!(envelope(chosen, &paging, id), expected);
        }
    }

    #[test]
    fn ilike_semantics() {
        assert!(ilike("harbor lights", "Harbor Lights"));
        assert!(ilike("harbor%", "Harbor Lights"));
        assert!(ilike("h_rbor lights", "Harbor Lights"));
        assert!(!ilike("harbor", "Harbor Lights"));
        assert!(ilike("100\\%", "100%"));
        assert!(!ilike("100\\%", "1000"));
    }

    #[test]
    fn params_decode() {
        let p = Params::parse(Some("name=Moss+%26+Stone&name=other&x"));
        assert_eq!(p.get("name"), Some("Moss & Stone"));
        assert_eq!(p.get("x"), Some(""));
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
