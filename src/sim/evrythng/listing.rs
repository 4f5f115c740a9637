//! Page-style lists: `perPage` (default 30, at most 100), `page` (from 1),
//! `sortOrder`, `?filter=`, the next page in a `Link` header and the total
//! in `X-Result-Count`.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, header::HOST};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::error::{ApiError, ApiResult};

const DEFAULT_PER_PAGE: usize = 30;
const MAX_PER_PAGE: usize = 100;

pub struct Params {
    pub per_page: usize,
    pub page: usize,
    pub ascending: bool,
    pub filter: Filter,
    pub with_scopes: bool,
}

fn last<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `withScopes=true` asks for the `scopes` field, which is left out otherwise.
pub fn with_scopes(query: &[(String, String)]) -> bool {
    last(query, "withScopes") == Some("true")
}

impl Params {
    /// `fields` are the names `?filter=` may use; `identifiers.` allows
    /// any key under it.
    pub fn parse(query: &[(String, String)], fields: &[&str]) -> ApiResult<Self> {
        let number = |name: &str| -> ApiResult<Option<usize>> {
            match last(query, name) {
                None => Ok(None),
                Some(raw) => raw
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .map(Some)
                    .ok_or_else(|| {
                        ApiError::bad_request(format!("{name} must be a positive integer"))
                    }),
            }
        };
        let per_page = number("perPage")?
            .unwrap_or(DEFAULT_PER_PAGE)
            .min(MAX_PER_PAGE);
        let page = number("page")?.unwrap_or(1);
        let ascending = match last(query, "sortOrder") {
            None => false,
            Some(s) if s.eq_ignore_ascii_case("DESCENDING") => false,
            Some(s) if s.eq_ignore_ascii_case("ASCENDING") => true,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "sortOrder must be ASCENDING or DESCENDING",
                ));
            }
        };
        let filter = match last(query, "filter") {
            Some(raw) if !raw.trim().is_empty() => Filter::parse(raw, fields)?,
            _ => Filter::default(),
        };
        Ok(Self {
            per_page,
            page,
            ascending,
            filter,
            with_scopes: with_scopes(query),
        })
    }
}

/// `field=value` terms joined by `&`, all of which must hold. A backslash
/// escapes the next character (evrythng.js escapes `& | ! > < = ~ ( ) ,`).
/// For a list field such as `tags`, `a,b` matches an item carrying a or b.
#[derive(Default)]
pub struct Filter(Vec<(String, Vec<String>)>);

/// Splits on unescaped `sep`, keeping escapes for the next pass.
fn split_unescaped(raw: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = parts.last_mut();
                if let (Some(part), Some(next)) = (last, chars.next()) {
                    part.push('\\');
                    part.push(next);
                }
            }
            c if c == sep => parts.push(String::new()),
            c => {
                if let Some(part) = parts.last_mut() {
                    part.push(c);
                }
            }
        }
    }
    parts
}

fn unescape(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

impl Filter {
    fn parse(raw: &str, fields: &[&str]) -> ApiResult<Self> {
        let mut terms = Vec::new();
        for term in split_unescaped(raw, '&') {
            let mut sides = split_unescaped(&term, '=').into_iter();
            let (Some(field), Some(value), None) = (sides.next(), sides.next(), sides.next())
            else {
                return Err(ApiError::bad_request(format!(
                    "Invalid filter: \"{term}\" is not field=value"
                )));
            };
            let field = unescape(field.trim());
            let known = fields.iter().any(|f| match f.strip_suffix('*') {
                Some(prefix) => field.len() > prefix.len() && field.starts_with(prefix),
                None => *f == field,
            });
            if !known {
                return Err(ApiError::bad_request(format!(
                    "Invalid filter: {field} is not a filterable field"
                )));
            }
            let values = split_unescaped(&value, ',')
                .iter()
                .map(|v| unescape(v))
                .collect();
            terms.push((field, values));
        }
        Ok(Self(terms))
    }

    /// `values_of(field)` gives an item's values for one field.
    pub fn matches(&self, values_of: impl Fn(&str) -> Vec<String>) -> bool {
        self.0.iter().all(|(field, wanted)| {
            let have = values_of(field);
            wanted.iter().any(|w| have.iter().any(|h| h == w))
        })
    }
}

/// Characters `encodeURIComponent` leaves alone.
fn component(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The host the client called, for absolute URLs.
pub fn host(headers: &HeaderMap) -> String {
    headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}

/// A create's answer: 201 with the new document and its absolute URL in
/// `Location`, under the collection the client posted to.
pub fn created(
    headers: &HeaderMap,
    prefix: &str,
    collection: &str,
    id: &str,
    doc: Value,
) -> Response {
    let location = format!(
        "http://{}{prefix}{}/{id}",
        host(headers),
        collection.trim_end_matches('/')
    );
    let mut answer = (axum::http::StatusCode::CREATED, Json(doc)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        answer
            .headers_mut()
            .insert(axum::http::header::LOCATION, value);
    }
    answer
}

/// Where a list request was made, to build the absolute next-page URL.
pub struct Origin {
    pub host: String,
    /// The path as the client sent it, mount prefix included.
    pub path: String,
    pub query: Vec<(String, String)>,
}

impl Origin {
    pub fn new(headers: &HeaderMap, path: String, query: Vec<(String, String)>) -> Self {
        Self {
            host: host(headers),
            path,
            query,
        }
    }

    /// The same request for `page`, as an absolute URL, then encoded as a
    /// whole as the API does (evrythng.js decodes it before following it).
    fn next(&self, page: usize) -> String {
        let mut pairs: Vec<String> = self
            .query
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{}={}", component(k), component(v)))
            .collect();
        pairs.push(format!("page={page}"));
        let url = format!("http://{}{}?{}", self.host, self.path, pairs.join("&"));
        component(&url)
    }
}

/// One page of `items` (already filtered, in creation order, oldest
/// first) as the answer, with `Link` and `X-Result-Count`.
pub fn page<T>(
    mut items: Vec<&T>,
    params: &Params,
    origin: &Origin,
    created_at: impl Fn(&T) -> (i64, String),
    to_json: impl Fn(&T) -> Value,
) -> Response {
    items.sort_by_key(|item| created_at(item));
    if !params.ascending {
        items.reverse();
    }
    let total = items.len();
    let start = (params.page - 1).saturating_mul(params.per_page);
    let body: Vec<Value> = items
        .into_iter()
        .skip(start)
        .take(params.per_page)
        .map(to_json)
        .collect();
    let mut headers = HeaderMap::new();
    if let Ok(count) = HeaderValue::from_str(&total.to_string()) {
        headers.insert("X-Result-Count", count);
    }
    if start.saturating_add(params.per_page) < total
        && let Ok(link) =
            HeaderValue::from_str(&format!("<{}>; rel=\"next\"", origin.next(params.page + 1)))
    {
        headers.insert("Link", link);
    }
    (headers, Json(Value::Array(body))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_split_on_unescaped_separators() {
        let f = Filter::parse(r"name=A\&B&tags=x,y", &["name", "tags"]).expect("filter");
        assert_eq!(
            f.0,
            vec![
                ("name".to_string(), vec!["A&B".to_string()]),
                ("tags".to_string(), vec!["x".to_string(), "y".to_string()]),
            ]
        );
        assert!(Filter::parse("colour=red", &["name"]).is_err());
        assert!(Filter::parse("identifiers.gtin=1", &["identifiers.*"]).is_ok());
        assert!(Filter::parse("identifiers.=1", &["identifiers.*"]).is_err());
        assert!(Filter::parse("name", &["name"]).is_err());
    }

    #[test]
    fn the_next_link_is_absolute_and_encoded_whole() {
        let origin = Origin {
            host: "127.0.0.1:9".into(),
            path: "/evrythng/us/projects".into(),
            query: vec![
                ("filter".into(), "tags=a b".into()),
                ("page".into(), "1".into()),
            ],
        };
        assert_eq!(
            origin.next(2),
            "http%3A%2F%2F127.0.0.1%3A9%2Fevrythng%2Fus%2Fprojects%3Ffilter%3Dtags%253Da%2520b%26page%3D2"
        );
    }
}
