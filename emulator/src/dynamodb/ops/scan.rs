//! Scan: the whole table (or one parallel-scan segment) in its stable hash order, through
//! the shared page reader.

use std::collections::HashMap;

use serde::Deserialize;

use super::read::{self, IndexRead, Page, PageRequest, Select, INVALID_START_KEY};
use crate::common::json;
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::expr::{self, ExpressionParams, FilterCondition};
use crate::dynamodb::model::{RawAttributeValue, RawItem};
use crate::dynamodb::storage::keys::{encode_key, segment_of};
use crate::dynamodb::storage::Span;
use crate::dynamodb::{validate, Ctx, Operation};

/// DynamoDB's bounds on `TotalSegments` (and so on `Segment`).
const MAX_TOTAL_SEGMENTS: i64 = 1_000_000;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub table_name: Option<String>,
    pub index_name: Option<String>,
    pub attributes_to_get: Option<Vec<String>>,
    pub limit: Option<i32>,
    pub select: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub scan_filter: Option<HashMap<String, FilterCondition>>,
    pub conditional_operator: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub exclusive_start_key: Option<RawItem>,
    pub return_consumed_capacity: Option<String>,
    pub total_segments: Option<i64>,
    pub segment: Option<i64>,
    pub projection_expression: Option<String>,
    pub filter_expression: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_values: Option<HashMap<String, RawAttributeValue>>,
    #[serde(default, deserialize_with = "json::boolean")]
    pub consistent_read: Option<bool>,
}

pub struct Scan;

impl Operation for Scan {
    type Input = Input;
    type Output = Page;

    fn execute(ctx: &Ctx, input: Input) -> Result<Page> {
        let mut c = Constraints::new();
        validate::table_name(&mut c, "tableName", input.table_name.as_deref());
        validate::index_name(&mut c, input.index_name.as_deref());
        validate::attributes_to_get(
            &mut c,
            "attributesToGet",
            input.attributes_to_get.as_deref(),
        );
        validate::limit(&mut c, input.limit);
        validate::enum_value(
            &mut c,
            "select",
            input.select.as_deref(),
            read::SELECT_VALUES,
        );
        validate::conditional_operator(&mut c, input.conditional_operator.as_deref());
        expr::legacy::filter_operators(&mut c, "scanFilter", input.scan_filter.as_ref());
        validate::return_consumed_capacity(&mut c, input.return_consumed_capacity.as_deref());
        segments(&mut c, input.segment, input.total_segments);
        c.finish()?;

        let params = ExpressionParams {
            projection_expression: input.projection_expression.as_deref(),
            filter_expression: input.filter_expression.as_deref(),
            filter_conditions: input.scan_filter.as_ref(),
            filter_conditions_name: "ScanFilter",
            conditional_operator: input.conditional_operator.as_deref(),
            attributes_to_get: input.attributes_to_get.as_deref(),
            names: input.expression_attribute_names.as_ref(),
            values: input.expression_attribute_values.as_ref(),
            operation_expressions: &["FilterExpression"],
            ..Default::default()
        };
        expr::check_params(&params)?;
        let start = read::start_key_values(input.exclusive_start_key)?;
        let segment =
            match (input.segment, input.total_segments) {
                (Some(s), None) if s != 0 => return Err(DynamoError::validation(
                    "The TotalSegments parameter is required but was not present in the request \
                     when Segment parameter is present",
                )),
                (None, Some(_)) => return Err(DynamoError::validation(
                    "The Segment parameter is required but was not present in the request when \
                     parameter TotalSegments is present",
                )),
                (Some(s), Some(t)) if s >= t => {
                    return Err(DynamoError::validation(format!(
                        "The Segment parameter is zero-based and must be less than parameter \
                     TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
                    )))
                }
                (Some(s), Some(t)) => Some((s as u32, t as u32)),
                _ => None,
            };
        let compiled = expr::compile(&params)?;
        let select = Select::resolve(
            input.select.as_deref(),
            input.projection_expression.is_some(),
            input.attributes_to_get.is_some(),
            input.index_name.is_some(),
            "Scanning",
        )?;

        let reference = input.table_name.as_deref().unwrap_or_default();
        let table = ctx.table(reference)?;
        let consistent = input.consistent_read.unwrap_or(false);
        let (index, select, fetch_from_table) = read::read_target(
            &table,
            ctx.now_millis(),
            input.index_name.as_deref(),
            consistent,
            select,
            input.select.is_some(),
            compiled.filter.as_ref(),
        )?;
        let start = match (&index, start) {
            (_, None) => None,
            (Some(index), Some(s)) => Some(read::index_start_key(&table, index, &s)?),
            (None, Some(s)) => Some(encode_key(&read::start_key(&table, &s)?)),
        };
        if let (Some(start), Some((s, t))) = (&start, segment) {
            if segment_of(start, t) != s {
                return Err(DynamoError::validation(format!(
                    "{INVALID_START_KEY}: Invalid ExclusiveStartKey. Please use ExclusiveStartKey \
                     with correct Segment. TotalSegments: {t} Segment: {s}"
                )));
            }
        }
        if let Some(p) = &compiled.projection {
            p.check_key_attributes(&table.schema)?;
        }

        let mut span = match segment {
            Some((s, t)) => Span::segment(s, t),
            None => Span::all(),
        };
        if let Some(start) = start {
            span = span.resume_after_bytes(start, true);
        }
        read::read_page(PageRequest {
            table: &table,
            table_reference: reference,
            index: index.as_deref().map(|index| IndexRead {
                index,
                fetch_from_table,
            }),
            span,
            forward: true,
            limit: input.limit.map(|l| l as usize),
            filter: compiled.filter.as_ref(),
            projection: compiled.projection.as_ref(),
            select,
            consistent,
            return_consumed_capacity: input.return_consumed_capacity.as_deref(),
        })
    }
}

/// `Segment` (0-999999) and `TotalSegments` (1-1000000) member constraints.
fn segments(c: &mut Constraints, segment: Option<i64>, total: Option<i64>) {
    if let Some(s) = segment {
        if s < 0 {
            c.fail(
                s,
                "segment",
                "Member must have value greater than or equal to 0",
            );
        } else if s > MAX_TOTAL_SEGMENTS - 1 {
            c.fail(
                s,
                "segment",
                "Member must have value less than or equal to 999999",
            );
        }
    }
    if let Some(t) = total {
        if t < 1 {
            c.fail(
                t,
                "totalSegments",
                "Member must have value greater than or equal to 1",
            );
        } else if t > MAX_TOTAL_SEGMENTS {
            c.fail(
                t,
                "totalSegments",
                "Member must have value less than or equal to 1000000",
            );
        }
    }
}
