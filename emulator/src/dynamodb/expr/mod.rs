//! The expression language: one parser and one evaluator for every operation.
//!
//! Operations hand all their expression-related parameters to [`compile`] at once, because
//! DynamoDB's checks span them: expression and legacy parameters may not be mixed,
//! `ExpressionAttributeNames`/`Values` must each be used by some expression, and so on.
//! The legacy parameters (`Expected`, `AttributeUpdates`, `AttributesToGet`,
//! `ConditionalOperator`) compile into the same trees as the expressions do.
//!
//! Pipeline per expression: [`lexer`] (tokens with source spans, for DynamoDB's
//! `token`/`near` syntax errors) -> [`parser`] (shape only; remembered per thread by
//! [`memo`]) -> [`resolve`] (placeholders
//! substituted, semantic checks reported in DynamoDB's priority order) -> typed trees in
//! [`ast`], evaluated by [`eval`].
//!
//! Using the result:
//! - [`Condition::evaluate`] on the stored item (`None` when there is none);
//! - [`Update::check_key_attributes`] once the table's key schema is known (DynamoDB
//!   refuses updates to key attributes), then [`Update::apply`] to the old item or to the
//!   key-only item UpdateItem starts from;
//! - [`Update::updated_paths`] projects the old or new item for `UPDATED_OLD`/`UPDATED_NEW`;
//! - [`Projection::apply`] for GetItem (and, later, Query/Scan).
//!
//! FilterExpression (and legacy `QueryFilter`/`ScanFilter`) shares the condition grammar
//! and compiles into [`Compiled::filter`]. KeyConditionExpression is parsed as a condition
//! too, then narrowed to key terms by [`key_condition`] (as are legacy `KeyConditions`).

pub mod ast;
mod eval;
pub mod key_condition;
pub mod legacy;
mod lexer;
mod memo;
mod parser;
mod reserved;
mod resolve;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::error::{DynamoError, Result};
use super::model::{AttributeValue, Item, KeySchema, RawAttributeValue};
pub use key_condition::{KeyCondition, KeyOp, KeyTerm};
pub use legacy::{AttributeValueUpdate, ExpectedAttributeValue, FilterCondition};
pub use reserved::is_reserved;

use ast::{Cond, Operand, Path, UpdateActions};
use eval::ProjectionTree;
use resolve::{Mode, Resolver};

/// DynamoDB's limit on each expression string, in bytes.
pub const MAX_EXPRESSION_SIZE: usize = 4096;
/// DynamoDB's limit on operators and functions in one condition.
pub const MAX_OPERATORS: usize = 300;

/// Every expression-related parameter of one request.
#[derive(Default)]
pub struct ExpressionParams<'a> {
    pub condition_expression: Option<&'a str>,
    pub update_expression: Option<&'a str>,
    pub projection_expression: Option<&'a str>,
    pub filter_expression: Option<&'a str>,
    pub key_condition_expression: Option<&'a str>,
    /// Legacy `QueryFilter` or `ScanFilter`.
    pub filter_conditions: Option<&'a HashMap<String, FilterCondition>>,
    /// Which of the two `filter_conditions` is (for messages).
    pub filter_conditions_name: &'static str,
    pub key_conditions: Option<&'a HashMap<String, FilterCondition>>,
    pub expected: Option<&'a HashMap<String, ExpectedAttributeValue>>,
    pub conditional_operator: Option<&'a str>,
    pub attribute_updates: Option<&'a HashMap<String, AttributeValueUpdate>>,
    pub attributes_to_get: Option<&'a [String]>,
    pub names: Option<&'a HashMap<String, String>>,
    pub values: Option<&'a HashMap<String, RawAttributeValue>>,
    /// The expression parameters the operation accepts, in DynamoDB's order (e.g.
    /// `["UpdateExpression", "ConditionExpression"]`). Only used to word the error for
    /// `ExpressionAttributeValues` sent without any expression ("...: UpdateExpression and
    /// ConditionExpression are null").
    pub operation_expressions: &'a [&'a str],
}

/// The compiled expressions of one request.
#[derive(Default, Debug)]
pub struct Compiled {
    pub condition: Option<Condition>,
    pub update: Option<Update>,
    pub projection: Option<Projection>,
    pub filter: Option<Condition>,
    pub key_condition: Option<KeyCondition>,
}

/// A compiled ConditionExpression, FilterExpression or `Expected`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    tree: Cond,
}

impl Condition {
    /// Whether the condition holds for `item` (`None`: no item at that key). Comparisons
    /// between different types, or with a missing attribute, are false (`<>` true).
    pub fn evaluate(&self, item: Option<&Item>) -> Result<bool> {
        Ok(eval::condition(&self.tree, item))
    }

    pub fn tree(&self) -> &Cond {
        &self.tree
    }

    /// The top-level attributes the condition reads, in the order they appear (Query and
    /// Scan refuse filters on key attributes).
    pub fn attribute_heads(&self) -> Vec<&str> {
        fn operand<'c>(o: &'c Operand, out: &mut Vec<&'c str>) {
            match o {
                Operand::Path(p) => out.extend(p.head()),
                Operand::Size(inner) => operand(inner, out),
                Operand::Value(_) => {}
            }
        }
        fn walk<'c>(c: &'c Cond, out: &mut Vec<&'c str>) {
            match c {
                Cond::Compare(_, a, b)
                | Cond::Type(a, b)
                | Cond::BeginsWith(a, b)
                | Cond::Contains(a, b) => {
                    operand(a, out);
                    operand(b, out);
                }
                Cond::Between(a, b, c) => [a, b, c].into_iter().for_each(|o| operand(o, out)),
                Cond::In(a, list) => std::iter::once(a).chain(list).for_each(|o| operand(o, out)),
                Cond::Exists(p) | Cond::NotExists(p) => out.extend(p.head()),
                Cond::And(a, b) | Cond::Or(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Cond::Not(a) => walk(a, out),
            }
        }
        let mut out = Vec::new();
        walk(&self.tree, &mut out);
        out
    }
}

/// A compiled UpdateExpression or `AttributeUpdates`.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    actions: UpdateActions,
}

impl Update {
    /// Applies the update to `item`, the caller's working copy, and returns the result.
    /// Errors are DynamoDB's runtime ValidationExceptions (missing operand, wrong operand
    /// type, invalid document path, number overflow); the copy is then dropped, so a failed
    /// update never leaves a partly applied item anywhere.
    pub fn apply(&self, mut item: Item) -> Result<Item> {
        eval::apply(&self.actions, &mut item)?;
        Ok(item)
    }

    /// A projection of exactly the paths this update writes, nested as DynamoDB returns
    /// them for `UPDATED_OLD` (apply to the old item) and `UPDATED_NEW` (to the new one).
    pub fn updated_paths(&self) -> Projection {
        Projection {
            tree: ProjectionTree::from_paths(self.actions.targets()),
        }
    }

    /// Refuses updates that touch a key attribute, as DynamoDB does before reading the
    /// item: "One or more parameter values were invalid: Cannot update attribute pk. This
    /// attribute is part of the key". Call it once the table's schema is known.
    pub fn check_key_attributes(&self, schema: &KeySchema) -> Result<()> {
        match self
            .actions
            .targets()
            .filter_map(Path::head)
            .find(|name| schema.is_key_attribute(name))
        {
            Some(key) => Err(DynamoError::invalid_parameter(format!(
                "Cannot update attribute {key}. This attribute is part of the key"
            ))),
            None => Ok(()),
        }
    }

    pub fn actions(&self) -> &UpdateActions {
        &self.actions
    }
}

/// A compiled ProjectionExpression or `AttributesToGet`.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    tree: ProjectionTree,
}

impl Projection {
    /// The selected parts of `item`, nested as in the item; list elements selected by
    /// index keep their relative order. Paths that select nothing are left out.
    pub fn apply(&self, item: &Item) -> Item {
        self.tree.apply(item)
    }

    /// Key attributes are scalars: DynamoDB refuses a projection that reaches into one
    /// (`pk.a`, `pk[0]`) once the table's schema is known.
    pub fn check_key_attributes(&self, schema: &KeySchema) -> Result<()> {
        match schema.key_names().find(|key| self.tree.reaches_into(key)) {
            Some(key) => Err(DynamoError::validation(format!(
                "Key attributes must be scalars; list random access '[]' and map lookup '.' \
                 are not allowed: Key: {key}"
            ))),
            None => Ok(()),
        }
    }
}

fn invalid(kind: &str, message: impl std::fmt::Display) -> DynamoError {
    DynamoError::validation(format!("Invalid {kind}: {message}"))
}

fn placeholder_key_ok(key: &str, prefix: char) -> bool {
    key.strip_prefix(prefix).is_some_and(|rest| {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// Checks shared by every expression: emptiness and size; returns the tokens.
fn tokens(kind: &str, src: &str) -> Result<Vec<lexer::Token>> {
    if src.trim().is_empty() {
        return Err(invalid(kind, "The expression can not be empty;"));
    }
    if src.len() > MAX_EXPRESSION_SIZE {
        return Err(invalid(
            kind,
            format!(
                "Expression size has exceeded the maximum allowed size; expression size: {}",
                src.len()
            ),
        ));
    }
    Ok(lexer::tokenize(src))
}

/// Placeholders seen so far across the request's expressions.
struct Usage<'a> {
    names: Option<&'a HashMap<String, String>>,
    values: BTreeMap<String, AttributeValue>,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
}

impl<'a> Usage<'a> {
    fn resolver(&mut self, mode: Mode) -> Resolver<'_> {
        Resolver::new(
            mode,
            self.names,
            &self.values,
            &mut self.used_names,
            &mut self.used_values,
        )
    }

    fn condition(&mut self, kind: &str, src: &str) -> Result<Condition> {
        let raw = memo::parsed(&memo::CONDITIONS, kind, src, parser::parse_condition)?;
        let operators = resolve::count_operators(&raw);
        if operators > MAX_OPERATORS {
            return Err(invalid(
                kind,
                format!("The expression contains too many operators; operator count: {operators}"),
            ));
        }
        let mut r = self.resolver(Mode::Condition);
        let tree = r.condition(&raw);
        match r.finish() {
            Some(message) => Err(invalid(kind, message)),
            None => Ok(Condition { tree }),
        }
    }

    fn update(&mut self, src: &str) -> Result<Update> {
        let kind = "UpdateExpression";
        let raw = memo::parsed(&memo::UPDATES, kind, src, parser::parse_update)?;
        let mut r = self.resolver(Mode::Update);
        let actions = r.update(&raw);
        match r.finish() {
            Some(message) => Err(invalid(kind, message)),
            None => Ok(Update { actions }),
        }
    }

    fn projection(&mut self, src: &str) -> Result<Projection> {
        let kind = "ProjectionExpression";
        let raw = memo::parsed(&memo::PROJECTIONS, kind, src, parser::parse_projection)?;
        let mut r = self.resolver(Mode::Projection);
        let paths = r.projection(&raw);
        match r.finish() {
            Some(message) => Err(invalid(kind, message)),
            None => Ok(Projection {
                tree: ProjectionTree::from_paths(&paths),
            }),
        }
    }
}

/// Validates `ExpressionAttributeNames`/`Values` themselves (emptiness, key syntax, each
/// value), in DynamoDB's order. Values are checked in key order so the reported one is
/// deterministic.
fn check_placeholders(params: &ExpressionParams) -> Result<BTreeMap<String, AttributeValue>> {
    if let Some(names) = params.names {
        if names.is_empty() {
            return Err(DynamoError::validation(
                "ExpressionAttributeNames must not be empty",
            ));
        }
        let mut keys: Vec<&String> = names.keys().collect();
        keys.sort();
        if let Some(bad) = keys.into_iter().find(|k| !placeholder_key_ok(k, '#')) {
            return Err(DynamoError::validation(format!(
                "ExpressionAttributeNames contains invalid key: Syntax error; key: \"{bad}\""
            )));
        }
    }
    let mut out = BTreeMap::new();
    if let Some(values) = params.values {
        if values.is_empty() {
            return Err(DynamoError::validation(
                "ExpressionAttributeValues must not be empty",
            ));
        }
        let sorted: BTreeMap<&String, &RawAttributeValue> = values.iter().collect();
        if let Some(bad) = sorted.keys().find(|k| !placeholder_key_ok(k, ':')) {
            return Err(DynamoError::validation(format!(
                "ExpressionAttributeValues contains invalid key: Syntax error; key: \"{bad}\""
            )));
        }
        for (key, raw) in sorted {
            let value = raw.clone().validate().map_err(|e| {
                DynamoError::validation(format!(
                    "ExpressionAttributeValues contains invalid value: {} for key {key}",
                    e.message().unwrap_or_default()
                ))
            })?;
            out.insert(key.clone(), value);
        }
    }
    Ok(out)
}

fn unused_error(what: &str, unused: Vec<&String>) -> Result<()> {
    if unused.is_empty() {
        return Ok(());
    }
    let keys: Vec<&str> = unused.iter().map(|s| s.as_str()).collect();
    Err(DynamoError::validation(format!(
        "Value provided in {what} unused in expressions: keys: {{{}}}",
        keys.join(", ")
    )))
}

/// Which expression and legacy parameters a request carries, in DynamoDB's naming order.
fn parameter_names(params: &ExpressionParams) -> (Vec<&'static str>, Vec<&'static str>) {
    let expressions = [
        ("UpdateExpression", params.update_expression.is_some()),
        (
            "ProjectionExpression",
            params.projection_expression.is_some(),
        ),
        ("FilterExpression", params.filter_expression.is_some()),
        ("ConditionExpression", params.condition_expression.is_some()),
        (
            "KeyConditionExpression",
            params.key_condition_expression.is_some(),
        ),
    ];
    let legacy = [
        ("AttributeUpdates", params.attribute_updates.is_some()),
        ("AttributesToGet", params.attributes_to_get.is_some()),
        (
            params.filter_conditions_name,
            params.filter_conditions.is_some(),
        ),
        ("Expected", params.expected.is_some()),
        ("ConditionalOperator", params.conditional_operator.is_some()),
        // Legacy KeyConditions may go with expressions, unless KeyConditionExpression
        // is sent too (then both name the key condition).
        (
            "KeyConditions",
            params.key_conditions.is_some() && params.key_condition_expression.is_some(),
        ),
    ];
    let present = |list: &[(&'static str, bool)]| {
        list.iter()
            .filter_map(|(name, present)| present.then_some(*name))
            .collect::<Vec<_>>()
    };
    (present(&expressions), present(&legacy))
}

/// The checks DynamoDB makes on which parameters are present, before it validates the
/// request's key or item values: expression and legacy parameters may not be mixed, and
/// placeholder maps need an expression. Operations call this before validating `Key` or
/// `Item`, then [`compile`] after.
pub fn check_params(params: &ExpressionParams) -> Result<()> {
    let (expressions, legacy) = parameter_names(params);
    if !expressions.is_empty() && !legacy.is_empty() {
        return Err(DynamoError::validation(format!(
            "Can not use both expression and non-expression parameters in the same request: \
             Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
            legacy.join(", "),
            expressions.join(", ")
        )));
    }
    if expressions.is_empty() {
        if params.names.is_some() {
            return Err(DynamoError::validation(
                "ExpressionAttributeNames can only be specified when using expressions",
            ));
        }
        if params.values.is_some() {
            let nulls = match params.operation_expressions {
                [] => String::new(),
                [one] => format!(": {one} is null"),
                many => format!(": {} are null", many.join(" and ")),
            };
            return Err(DynamoError::validation(format!(
                "ExpressionAttributeValues can only be specified when using expressions{nulls}"
            )));
        }
    }
    Ok(())
}

/// Parses and validates every expression of a request (after [`check_params`]).
pub fn compile(params: &ExpressionParams) -> Result<Compiled> {
    check_params(params)?;
    if parameter_names(params).0.is_empty() {
        return compile_legacy(params);
    }

    let mut usage = Usage {
        names: params.names,
        values: check_placeholders(params)?,
        used_names: BTreeSet::new(),
        used_values: BTreeSet::new(),
    };
    let mut compiled = Compiled::default();
    if let Some(src) = params.update_expression {
        compiled.update = Some(usage.update(src)?);
    }
    if let Some(src) = params.projection_expression {
        compiled.projection = Some(usage.projection(src)?);
    }
    if let Some(src) = params.filter_expression {
        compiled.filter = Some(usage.condition("FilterExpression", src)?);
    }
    if let Some(src) = params.condition_expression {
        compiled.condition = Some(usage.condition("ConditionExpression", src)?);
    }
    if let Some(src) = params.key_condition_expression {
        let cond = usage.condition("KeyConditionExpression", src)?;
        compiled.key_condition = Some(key_condition::from_expression(&cond.tree)?);
    } else if let Some(conditions) = params.key_conditions {
        compiled.key_condition = Some(key_condition::from_legacy(conditions)?);
    }
    if let Some(names) = params.names {
        let mut unused: Vec<&String> = names
            .keys()
            .filter(|k| !usage.used_names.contains(*k))
            .collect();
        unused.sort();
        unused_error("ExpressionAttributeNames", unused)?;
    }
    let unused: Vec<&String> = usage
        .values
        .keys()
        .filter(|k| !usage.used_values.contains(*k))
        .collect();
    unused_error("ExpressionAttributeValues", unused)?;
    Ok(compiled)
}

fn compile_legacy(params: &ExpressionParams) -> Result<Compiled> {
    let mut compiled = Compiled::default();
    if let Some(updates) = params.attribute_updates {
        compiled.update = Some(Update {
            actions: legacy::attribute_updates(updates)?,
        });
    }
    if let Some(expected) = params.expected {
        compiled.condition =
            legacy::expected(expected, params.conditional_operator)?.map(|tree| Condition { tree });
    }
    if let Some(conditions) = params.filter_conditions {
        compiled.filter =
            legacy::filter(conditions, params.conditional_operator)?.map(|tree| Condition { tree });
    }
    if let Some(conditions) = params.key_conditions {
        compiled.key_condition = Some(key_condition::from_legacy(conditions)?);
    }
    if let Some(names) = params.attributes_to_get {
        let paths = legacy::attributes_to_get(names)?;
        compiled.projection = Some(Projection {
            tree: ProjectionTree::from_paths(&paths),
        });
    }
    Ok(compiled)
}

#[cfg(test)]
mod tests;
