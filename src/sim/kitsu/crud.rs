//! The steps Zou's generic CRUD routes share: finding the record a path
//! names, column-filtered listings, and writing a record then answering it.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::clock;
use super::errors::{ApiError, ApiResult, ok};
use super::path_id;
use super::query::{Filters, Params, listing};
use super::schema::{self, Record, Schema, serialize, text, validate_update};
use super::store::{find, position};

/// The record a path id names: "Malformed ID." for an id that is not a
/// UUID, 404 for one that names nothing.
pub fn found<'a>(rows: &'a [Record], raw_id: &str) -> Result<&'a Record, ApiError> {
    let id = path_id(raw_id)?;
    find(rows, &id).ok_or(ApiError::NotFound)
}

/// Like `found`, but the normalized id and where the record stands.
pub fn located(rows: &[Record], raw_id: &str) -> Result<(String, usize), ApiError> {
    let id = path_id(raw_id)?;
    let index = position(rows, &id).ok_or(ApiError::NotFound)?;
    Ok((id, index))
}

/// The rows `keep` lets through that match the query's column filters.
pub fn filtered<'a, F>(
    rows: &'a [Record],
    schema: &Schema,
    params: &Params,
    keep: F,
) -> Vec<&'a Record>
where
    F: Fn(&Record) -> bool,
{
    let filters = Filters::of(schema, params);
    rows.iter().filter(|r| keep(r) && filters.keep(r)).collect()
}

/// A generic listing: filtered rows in their plain serialization.
pub fn list<F>(
    rows: &[Record],
    schema: &Schema,
    params: &Params,
    relations: bool,
    keep: F,
) -> ApiResult
where
    F: Fn(&Record) -> bool,
{
    let rows = filtered(rows, schema, params, keep);
    listing(rows, params, |r| serialize(schema, r, relations))
}

/// A generic single-record answer, relations included.
pub fn one(schema: &Schema, record: &Record) -> ApiResult {
    ok(
        StatusCode::OK,
        Value::Object(serialize(schema, record, true)),
    )
}

/// Whether a row other than `self_id` already holds the record's name
/// (a unique column).
pub fn name_taken(rows: &[Record], record: &Record, self_id: &str) -> bool {
    let name = text(record, "name");
    rows.iter()
        .any(|r| text(r, "id") != self_id && text(r, "name") == name)
}

/// `instance.update(data)` on a copy, so that a check failing afterwards
/// leaves the stored record as it was.
pub fn changed(
    schema: &Schema,
    current: &Record,
    body: &Map<String, Value>,
    protected: &[&str],
) -> Result<Record, ApiError> {
    let changes = validate_update(schema, body, protected)?;
    let mut updated = current.clone();
    schema::apply(&mut updated, changes, &clock::naive(clock::now()));
    Ok(updated)
}

/// Stores the updated record in its place and answers it (200).
pub fn replace(
    rows: &mut [Record],
    index: usize,
    schema: &Schema,
    updated: Record,
    relations: bool,
) -> ApiResult {
    let out = serialize(schema, &updated, relations);
    rows[index] = updated;
    ok(StatusCode::OK, Value::Object(out))
}

/// Stores a new record and answers it (201).
pub fn insert(
    rows: &mut Vec<Record>,
    schema: &Schema,
    record: Record,
    relations: bool,
) -> ApiResult {
    let out = serialize(schema, &record, relations);
    rows.push(record);
    ok(StatusCode::CREATED, Value::Object(out))
}
