//! Losant's collection queries (`sortField`, `sortDirection`, `page`,
//! `perPage`, `filterField`, `filter`) and the envelope they come back in.
//!
//! Choices where the route table is silent:
//! - `filter` is a glob where `*` matches any run of characters; it must
//!   match the whole field value and compares case-insensitively.
//! - Sorting compares values case-insensitively; ties are broken by id in
//!   the same direction, so paging is stable.
//! - `perPage` must be an integer from 1 to 1000 and `page` an integer
//!   from 0; anything else is a 400 Validation error.
//! - A blank parameter counts as not given ("Blank or not provided means
//!   no filtering" in the route table).

use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult};

pub const MAX_PER_PAGE: usize = 1000;
const DEFAULT_PER_PAGE: usize = 100;

/// One collection route's allowed query values, from the route table.
pub struct ListRoute {
    pub sort_fields: &'static [&'static str],
    pub default_sort: &'static str,
    pub default_desc: bool,
    pub filter_fields: &'static [&'static str],
}

pub const APPLICATIONS: ListRoute = ListRoute {
    sort_fields: &["name", "id", "creationDate", "ownerId", "lastUpdated"],
    default_sort: "name",
    default_desc: false,
    filter_fields: &["name"],
};

pub const CERTIFICATES: ListRoute = ListRoute {
    sort_fields: &[
        "certificateInfo.commonName",
        "status",
        "id",
        "creationDate",
        "lastUpdated",
    ],
    default_sort: "certificateInfo.commonName",
    default_desc: false,
    filter_fields: &["certificateInfo.commonName", "status"],
};

pub const AUTHORITIES: ListRoute = ListRoute {
    sort_fields: &["name", "status", "id", "creationDate", "lastUpdated"],
    default_sort: "name",
    default_desc: false,
    filter_fields: &["name", "status"],
};

pub const DEVICES: ListRoute = ListRoute {
    sort_fields: &[
        "name",
        "id",
        "creationDate",
        "lastUpdated",
        "connectionStatus",
    ],
    default_sort: "name",
    default_desc: false,
    filter_fields: &["name"],
};

pub const TOKENS: ListRoute = ListRoute {
    sort_fields: &[
        "name",
        "status",
        "id",
        "creationDate",
        "lastUpdated",
        "expirationDate",
    ],
    default_sort: "name",
    default_desc: false,
    filter_fields: &["name", "status"],
};

pub const KEYS: ListRoute = ListRoute {
    sort_fields: &["key", "status", "id", "creationDate", "lastUpdated", "name"],
    default_sort: "creationDate",
    default_desc: true,
    filter_fields: &["key", "status", "name"],
};

#[derive(Debug, Clone)]
pub struct ListParams {
    pub sort_field: &'static str,
    /// As echoed in the envelope: the caller's spelling when it is one the
    /// schema allows (`asc`, `desc`, `ASC`, `DESC`), else lowercased.
    sort_direction: String,
    desc: bool,
    pub page: usize,
    pub per_page: usize,
    filter_field: Option<&'static str>,
    filter: String,
}

fn last<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn one_of(name: &str, value: &str, allowed: &'static [&'static str]) -> ApiResult<&'static str> {
    allowed
        .iter()
        .copied()
        .find(|a| *a == value)
        .ok_or_else(|| {
            ApiError::validation(format!("{name} must be one of {}", allowed.join(", ")))
        })
}

fn integer(name: &str, value: Option<&str>, default: usize) -> ApiResult<usize> {
    match value {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .map_err(|_| ApiError::validation(format!("{name} must be a non-negative integer"))),
    }
}

impl ListRoute {
    pub fn parse(&self, query: &[(String, String)]) -> ApiResult<ListParams> {
        let sort_field = match last(query, "sortField") {
            Some(v) => one_of("sortField", v, self.sort_fields)?,
            None => self.default_sort,
        };
        let (sort_direction, desc) = match last(query, "sortDirection") {
            None => (
                if self.default_desc { "desc" } else { "asc" }.to_string(),
                self.default_desc,
            ),
            Some(v) => {
                let lower = v.to_ascii_lowercase();
                let desc = match lower.as_str() {
                    "asc" => false,
                    "desc" => true,
                    _ => {
                        return Err(ApiError::validation(
                            "sortDirection must be one of asc, desc",
                        ));
                    }
                };
                let echo = if matches!(v, "asc" | "desc" | "ASC" | "DESC") {
                    v.to_string()
                } else {
                    lower
                };
                (echo, desc)
            }
        };
        let page = integer("page", last(query, "page"), 0)?;
        let per_page = integer("perPage", last(query, "perPage"), DEFAULT_PER_PAGE)?;
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::validation(format!(
                "perPage must be between 1 and {MAX_PER_PAGE}"
            )));
        }
        let filter_field = match last(query, "filterField") {
            Some(v) => Some(one_of("filterField", v, self.filter_fields)?),
            None => None,
        };
        Ok(ListParams {
            sort_field,
            sort_direction,
            desc,
            page,
            per_page,
            filter_field,
            filter: last(query, "filter").unwrap_or_default().to_string(),
        })
    }
}

/// Whether `text` matches the glob `pattern` (`*` = any run), ignoring case.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A resource that a collection route can sort and filter.
pub trait Listed {
    fn id(&self) -> &str;
    /// The value of a sort or filter field, as text. Dates are ISO strings,
    /// which sort the same as the dates they spell.
    fn field(&self, name: &str) -> String;
}

/// Filters, sorts and pages `items`. Returns the page and the match count.
pub fn select<'a, T: Listed>(
    items: impl IntoIterator<Item = &'a T>,
    params: &ListParams,
) -> (Vec<&'a T>, usize) {
    let mut matched: Vec<(String, &'a T)> = items
        .into_iter()
        .filter(|item| match (params.filter_field, params.filter.as_str()) {
            (Some(field), filter) if !filter.is_empty() => glob_match(filter, &item.field(field)),
            _ => true,
        })
        .map(|item| (item.field(params.sort_field).to_lowercase(), item))
        .collect();
    matched.sort_by(|(ka, a), (kb, b)| ka.cmp(kb).then_with(|| a.id().cmp(b.id())));
    if params.desc {
        matched.reverse();
    }
    let total = matched.len();
    let start = params.page.saturating_mul(params.per_page);
    let page = matched
        .into_iter()
        .skip(start)
        .take(params.per_page)
        .map(|(_, item)| item)
        .collect();
    (page, total)
}

/// The collection envelope; `application_id` only on per-application lists.
pub fn envelope(
    items: Vec<Value>,
    total: usize,
    params: &ListParams,
    application_id: Option<&str>,
) -> Value {
    let mut out = Map::new();
    out.insert("count".into(), json!(items.len()));
    out.insert("items".into(), Value::Array(items));
    out.insert("totalCount".into(), json!(total));
    out.insert("perPage".into(), json!(params.per_page));
    out.insert("page".into(), json!(params.page));
    out.insert(
        "filter".into(),
        json!(if params.filter_field.is_some() {
            params.filter.as_str()
        } else {
            ""
        }),
    );
    out.insert(
        "filterField".into(),
        json!(params.filter_field.unwrap_or_default()),
    );
    out.insert("sortField".into(), json!(params.sort_field));
    out.insert("sortDirection".into(), json!(params.sort_direction));
    if let Some(id) = application_id {
        out.insert("applicationId".into(), json!(id));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("reefer-*", "Reefer-GW-0001"));
        assert!(glob_match("*gw*", "reefer-gw-0001"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(!glob_match("reefer", "reefer-gw"));
        assert!(glob_match("active", "ACTIVE"));
        assert!(!glob_match("active", "inactive"));
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_and_bounds() {
        let p = KEYS.parse(&[]).expect("defaults");
        assert_eq!(
            (p.sort_field, p.desc, p.page, p.per_page),
            ("creationDate", true, 0, 100)
        );
        assert!(KEYS.parse(&q(&[("perPage", "0")])).is_err());
        assert!(KEYS.parse(&q(&[("perPage", "1001")])).is_err());
        assert!(KEYS.parse(&q(&[("page", "-1")])).is_err());
        assert!(KEYS.parse(&q(&[("sortField", "secret")])).is_err());
        assert!(
            KEYS.parse(&q(&[("sortDirection", "Desc")]))
                .expect("mixed case")
                .desc
        );
    }
}
