//! Query: the items of one partition, in sort-key order, through the shared page reader.

use std::collections::HashMap;

use serde::Deserialize;

use super::read::{self, IndexRead, Page, PageRequest, Select, INVALID_START_KEY};
use crate::common::json;
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::expr::{self, ExpressionParams, FilterCondition, KeyCondition, KeyOp};
use crate::dynamodb::model::{
    AttributeValue, KeySchema, KeyType, KeyValue, RawAttributeValue, RawItem,
};
use crate::dynamodb::storage::keys::encode_key;
use crate::dynamodb::storage::{SortCondition, Span};
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub table_name: Option<String>,
    pub index_name: Option<String>,
    pub select: Option<String>,
    pub attributes_to_get: Option<Vec<String>>,
    pub limit: Option<i32>,
    #[serde(default, deserialize_with = "json::boolean")]
    pub consistent_read: Option<bool>,
    #[serde(default, deserialize_with = "json::map")]
    pub key_conditions: Option<HashMap<String, FilterCondition>>,
    #[serde(default, deserialize_with = "json::map")]
    pub query_filter: Option<HashMap<String, FilterCondition>>,
    pub conditional_operator: Option<String>,
    #[serde(default, deserialize_with = "json::boolean")]
    pub scan_index_forward: Option<bool>,
    #[serde(default, deserialize_with = "json::map")]
    pub exclusive_start_key: Option<RawItem>,
    pub return_consumed_capacity: Option<String>,
    pub projection_expression: Option<String>,
    pub filter_expression: Option<String>,
    pub key_condition_expression: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_values: Option<HashMap<String, RawAttributeValue>>,
}

pub struct Query;

impl Operation for Query {
    type Input = Input;
    type Output = Page;

    fn execute(ctx: &Ctx, input: Input) -> Result<Page> {
        let mut c = Constraints::new();
        validate::table_name(&mut c, "tableName", input.table_name.as_deref());
        validate::index_name(&mut c, input.index_name.as_deref());
        validate::enum_value(
            &mut c,
            "select",
            input.select.as_deref(),
            read::SELECT_VALUES,
        );
        validate::attributes_to_get(
            &mut c,
            "attributesToGet",
            input.attributes_to_get.as_deref(),
        );
        validate::limit(&mut c, input.limit);
        validate::conditional_operator(&mut c, input.conditional_operator.as_deref());
        expr::legacy::filter_operators(&mut c, "keyConditions", input.key_conditions.as_ref());
        expr::legacy::filter_operators(&mut c, "queryFilter", input.query_filter.as_ref());
        validate::return_consumed_capacity(&mut c, input.return_consumed_capacity.as_deref());
        c.finish()?;

        let params = ExpressionParams {
            projection_expression: input.projection_expression.as_deref(),
            filter_expression: input.filter_expression.as_deref(),
            key_condition_expression: input.key_condition_expression.as_deref(),
            filter_conditions: input.query_filter.as_ref(),
            filter_conditions_name: "QueryFilter",
            key_conditions: input.key_conditions.as_ref(),
            conditional_operator: input.conditional_operator.as_deref(),
            attributes_to_get: input.attributes_to_get.as_deref(),
            names: input.expression_attribute_names.as_ref(),
            values: input.expression_attribute_values.as_ref(),
            operation_expressions: &["FilterExpression", "KeyConditionExpression"],
            ..Default::default()
        };
        expr::check_params(&params)?;
        let start = read::start_key_values(input.exclusive_start_key)?;
        if input.key_conditions.is_none() && input.key_condition_expression.is_none() {
            return Err(DynamoError::validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified \
                 in the request.",
            ));
        }
        let compiled = expr::compile(&params)?;
        let key_condition = compiled.key_condition.unwrap_or_default();
        if !(1..=2).contains(&key_condition.terms.len()) {
            return Err(DynamoError::validation(
                "Conditions can be of length 1 or 2 only",
            ));
        }
        let select = Select::resolve(
            input.select.as_deref(),
            input.projection_expression.is_some(),
            input.attributes_to_get.is_some(),
            input.index_name.is_some(),
            "Querying",
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
        let schema = index.as_ref().map_or(&table.schema, |i| &i.spec.schema);
        // The paging key names exactly the key attributes (the table's, and on an index the
        // index's too) before the key condition is checked; its values after.
        if let Some(s) = &start {
            let mut names: Vec<&str> = table.schema.key_names().collect();
            if let Some(index) = &index {
                names.extend(index.spec.schema.key_names());
            }
            names.sort_unstable();
            names.dedup();
            if s.len() != names.len() || names.iter().any(|k| !s.contains_key(*k)) {
                return Err(DynamoError::validation(INVALID_START_KEY));
            }
        }
        let (hash, sort) = key_range(schema, &key_condition)?;
        let start = match (&index, start) {
            (_, None) => None,
            (Some(index), Some(s)) => {
                let entry = read::index_start_key(&table, index, &s)?;
                let bound = schema
                    .key_from_map(&read::key_part(schema, &s))
                    .map_err(|_| DynamoError::validation(INVALID_START_KEY))?;
                Some((entry, bound))
            }
            (None, Some(s)) => {
                let key = read::start_key(&table, &s)?;
                Some((encode_key(&key), key))
            }
        };
        if let Some((_, bound)) = &start {
            check_start_in_bounds(&bound.hash, bound.range.as_ref(), &hash, &sort)?;
        }
        if let Some(p) = &compiled.projection {
            p.check_key_attributes(&table.schema)?;
        }
        read::check_filter_attributes(
            schema,
            compiled.filter.as_ref(),
            input.query_filter.as_ref().map(|_| "QueryFilter"),
        )?;

        let forward = input.scan_index_forward.unwrap_or(true);
        let mut span = Span::partition(&hash, &sort);
        if index.is_some() {
            span = span.suffixed();
        }
        if let Some((start, _)) = start {
            span = span.resume_after_bytes(start, forward);
        }
        read::read_page(PageRequest {
            table: &table,
            table_reference: reference,
            index: index.as_deref().map(|index| IndexRead {
                index,
                fetch_from_table,
            }),
            span,
            forward,
            limit: input.limit.map(|l| l as usize),
            filter: compiled.filter.as_ref(),
            projection: compiled.projection.as_ref(),
            select,
            consistent,
            return_consumed_capacity: input.return_consumed_capacity.as_deref(),
        })
    }
}

fn not_supported() -> DynamoError {
    DynamoError::validation("Query key condition not supported")
}

/// The partition and sort-key range a key condition selects, checked against the schema
/// in DynamoDB's order.
fn key_range(schema: &KeySchema, condition: &KeyCondition) -> Result<(KeyValue, SortCondition)> {
    let terms = condition.terms.len();
    if schema.range.is_none() && terms > 1 {
        return Err(not_supported());
    }
    let hash_term = condition
        .term(&schema.hash.name)
        .ok_or_else(|| missed(&schema.hash.name))?;
    let hash = key_values(hash_term.op, &hash_term.values, schema.hash.kind)?;
    if hash_term.op != KeyOp::Eq {
        return Err(not_supported());
    }
    let [hash] = <[KeyValue; 1]>::try_from(hash).map_err(|_| not_supported())?;
    let Some(range_attr) = &schema.range else {
        return Ok((hash, SortCondition::Any));
    };
    let Some(term) = condition.term(&range_attr.name) else {
        if terms > 1 {
            return Err(missed(&range_attr.name));
        }
        return Ok((hash, SortCondition::Any));
    };
    let mut values = key_values(term.op, &term.values, range_attr.kind)?.into_iter();
    let mut next = || values.next().ok_or_else(not_supported);
    let sort = match term.op {
        KeyOp::Eq => SortCondition::Eq(next()?),
        KeyOp::Lt => SortCondition::Lt(next()?),
        KeyOp::Le => SortCondition::Le(next()?),
        KeyOp::Gt => SortCondition::Gt(next()?),
        KeyOp::Ge => SortCondition::Ge(next()?),
        KeyOp::BeginsWith => SortCondition::BeginsWith(next()?),
        KeyOp::Between => {
            let low = next()?;
            let high = next()?;
            if low > high {
                return Err(DynamoError::validation(format!(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound \
                     to be greater than or equal to lower bound; lower bound operand: \
                     AttributeValue: {}, upper bound operand: AttributeValue: {}",
                    operand_text(&low),
                    operand_text(&high)
                )));
            }
            SortCondition::Between(low, high)
        }
        KeyOp::NotIndexable => return Err(not_indexable()),
    };
    Ok((hash, sort))
}

/// A key value as DynamoDB prints operands in messages: `{S:abc}`, `{N:5}`.
fn operand_text(value: &KeyValue) -> String {
    match value {
        KeyValue::S(s) => format!("{{S:{s}}}"),
        KeyValue::N(n) => format!("{{N:{n}}}"),
        KeyValue::B(b) => format!(
            "{{B:{}}}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b)
        ),
    }
}

fn missed(name: &str) -> DynamoError {
    DynamoError::validation(format!("Query condition missed key schema element: {name}"))
}

fn not_indexable() -> DynamoError {
    DynamoError::validation("Attempted conditional constraint is not an indexable operation")
}

/// A key term's values as key values of the attribute's type.
fn key_values(op: KeyOp, values: &[AttributeValue], kind: KeyType) -> Result<Vec<KeyValue>> {
    if op == KeyOp::NotIndexable {
        return Err(not_indexable());
    }
    values
        .iter()
        .map(|v| match (kind, v) {
            (KeyType::S, AttributeValue::S(s)) => Ok(KeyValue::S(s.clone())),
            (KeyType::N, AttributeValue::N(n)) => Ok(KeyValue::N(n.clone())),
            (KeyType::B, AttributeValue::B(b)) => Ok(KeyValue::B(b.clone())),
            _ => Err(DynamoError::invalid_parameter(
                "Condition parameter type does not match schema type",
            )),
        })
        .collect()
}

/// `ExclusiveStartKey` must lie inside the range the key condition selects.
fn check_start_in_bounds(
    start_hash: &KeyValue,
    start_range: Option<&KeyValue>,
    hash: &KeyValue,
    sort: &SortCondition,
) -> Result<()> {
    let matches_sort = match (sort, start_range) {
        (SortCondition::Any, _) | (_, None) => None,
        (SortCondition::Eq(v), Some(r)) => Some(r == v),
        (SortCondition::Lt(v), Some(r)) => Some(r < v),
        (SortCondition::Le(v), Some(r)) => Some(r <= v),
        (SortCondition::Gt(v), Some(r)) => Some(r > v),
        (SortCondition::Ge(v), Some(r)) => Some(r >= v),
        (SortCondition::Between(a, b), Some(r)) => Some(a <= r && r <= b),
        (SortCondition::BeginsWith(p), Some(r)) => Some(match (r, p) {
            (KeyValue::S(r), KeyValue::S(p)) => r.starts_with(p.as_str()),
            (KeyValue::B(r), KeyValue::B(p)) => r.starts_with(p),
            _ => false,
        }),
    };
    match matches_sort {
        None if start_hash != hash => Err(DynamoError::validation(
            "The provided starting key is outside query boundaries based on provided conditions",
        )),
        Some(false) => Err(DynamoError::validation(
            "The provided starting key does not match the range key predicate",
        )),
        Some(true) if start_hash != hash => Err(DynamoError::validation(
            "The query can return at most one row and cannot be restarted",
        )),
        _ => Ok(()),
    }
}
