//! Turns parsed trees into typed ones: substitutes `#name`/`:value` placeholders and runs
//! DynamoDB's semantic checks.
//!
//! DynamoDB does not report the first semantic problem it meets: it walks the whole
//! expression and then reports by category (a reserved word before an undefined name before
//! an overlapping path, ...). So every check records the first message of its category and
//! [`Resolver::finish`] picks the category that ranks highest for the expression kind.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use super::ast::{Cond, Operand, Path, PathElem, SetOperand, SetValue, UpdateActions};
use super::parser::{RawCond, RawElem, RawOperand, RawPath, RawSection, RawSetValue, SectionKind};
use super::reserved::is_reserved;
use crate::dynamodb::model::AttributeValue;

/// Problem categories, in no particular order; each expression kind ranks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cat {
    Parens,
    UnknownFunction,
    MisusedFunction,
    Reserved,
    Section,
    Name,
    Value,
    Overlap,
    Conflict,
    Operand,
    Count,
    Distinct,
    Function,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Condition,
    Update,
    Projection,
}

impl Mode {
    fn ranking(self) -> &'static [Cat] {
        use Cat::*;
        match self {
            // Undefined names and values share one slot: the first one met is reported.
            Mode::Condition => &[
                Parens,
                UnknownFunction,
                MisusedFunction,
                Reserved,
                Name,
                Count,
                Distinct,
                Function,
            ],
            Mode::Update => &[
                Reserved,
                UnknownFunction,
                Section,
                Name,
                Value,
                Overlap,
                Conflict,
                Operand,
                Function,
                Count,
            ],
            Mode::Projection => &[Reserved, Name, Overlap, Conflict],
        }
    }
}

const CONDITION_FUNCTIONS: &[&str] = &[
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "size",
];
const UPDATE_FUNCTIONS: &[&str] = &["if_not_exists", "list_append"];
const TYPE_NAMES: &[&str] = &["S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"];
pub const MAX_IN_OPERANDS: usize = 100;

pub struct Resolver<'a> {
    names: Option<&'a HashMap<String, String>>,
    values: &'a BTreeMap<String, AttributeValue>,
    pub used_names: &'a mut BTreeSet<String>,
    pub used_values: &'a mut BTreeSet<String>,
    mode: Mode,
    errors: BTreeMap<Cat, String>,
}

fn type_word(type_name: &str) -> &'static str {
    match type_name {
        "S" => "STRING",
        "N" => "NUMBER",
        "B" => "BINARY",
        "NULL" => "NULL",
        "BOOL" => "BOOLEAN",
        "L" => "LIST",
        "M" => "MAP",
        "SS" => "STRING SET",
        "NS" => "NUMBER SET",
        "BS" => "BINARY SET",
        _ => "UNKNOWN",
    }
}

fn incorrect_operand(function: &str, type_name: &str) -> String {
    format!(
        "Incorrect operand type for operator or function; operator or function: {function}, operand type: {type_name}"
    )
}

fn wrong_count(function: &str, count: usize) -> String {
    format!(
        "Incorrect number of operands for operator or function; operator or function: {function}, number of operands: {count}"
    )
}

fn requires_path(function: &str) -> String {
    format!("Operator or function requires a document path; operator or function: {function}")
}

fn misused(function: &str) -> String {
    format!(
        "The function is not allowed to be used this way in an expression; function: {function}"
    )
}

/// `AttributeValue: {N:10}`, how BETWEEN errors quote their bounds.
fn quote_value(v: &AttributeValue) -> String {
    let body = match v {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.to_string(),
        AttributeValue::B(b) => BASE64.encode(b),
        AttributeValue::Bool(b) => b.to_string(),
        AttributeValue::Null => "true".to_owned(),
        other => serde_json::to_string(other).unwrap_or_default(),
    };
    format!("AttributeValue: {{{}:{body}}}", v.type_name())
}

fn strip_parens(op: &RawOperand) -> &RawOperand {
    match op {
        RawOperand::Paren(inner) => strip_parens(inner),
        other => other,
    }
}

/// Records the first overlap and the first conflict among `paths` (each checked against
/// the ones before it).
fn check_paths(paths: &[&Path]) -> (Option<String>, Option<String>) {
    let (mut overlap, mut conflict) = (None, None);
    for (j, later) in paths.iter().enumerate() {
        for earlier in &paths[..j] {
            let mut related = true;
            let mut conflicting = false;
            for (a, b) in earlier.0.iter().zip(later.0.iter()) {
                match (a, b) {
                    (PathElem::Attr(x), PathElem::Attr(y)) if x == y => {}
                    (PathElem::Index(x), PathElem::Index(y)) if x == y => {}
                    (PathElem::Attr(_), PathElem::Attr(_))
                    | (PathElem::Index(_), PathElem::Index(_)) => {
                        related = false;
                        break;
                    }
                    _ => {
                        conflicting = true;
                        break;
                    }
                }
            }
            let describe = || format!("path one: {earlier}, path two: {later}");
            if conflicting {
                conflict.get_or_insert_with(|| {
                    format!("Two document paths conflict with each other; must remove or rewrite one of these paths; {}", describe())
                });
            } else if related {
                overlap.get_or_insert_with(|| {
                    format!("Two document paths overlap with each other; must remove or rewrite one of these paths; {}", describe())
                });
            }
        }
    }
    (overlap, conflict)
}

impl<'a> Resolver<'a> {
    pub fn new(
        mode: Mode,
        names: Option<&'a HashMap<String, String>>,
        values: &'a BTreeMap<String, AttributeValue>,
        used_names: &'a mut BTreeSet<String>,
        used_values: &'a mut BTreeSet<String>,
    ) -> Self {
        Resolver {
            names,
            values,
            used_names,
            used_values,
            mode,
            errors: BTreeMap::new(),
        }
    }

    fn fail(&mut self, cat: Cat, message: String) {
        // Conditions report undefined names and values in one slot.
        let cat = if self.mode == Mode::Condition && cat == Cat::Value {
            Cat::Name
        } else {
            cat
        };
        self.errors.entry(cat).or_insert(message);
    }

    /// The highest-ranking problem, if any.
    pub fn finish(self) -> Option<String> {
        let errors = self.errors;
        self.mode
            .ranking()
            .iter()
            .find_map(|cat| errors.get(cat).cloned())
            .or_else(|| errors.into_values().next())
    }

    fn path(&mut self, raw: &RawPath) -> Path {
        let mut out = Vec::with_capacity(raw.0.len());
        for elem in &raw.0 {
            out.push(match elem {
                RawElem::Ident(word) => {
                    if is_reserved(word) {
                        self.fail(
                            Cat::Reserved,
                            format!("Attribute name is a reserved keyword; reserved keyword: {word}"),
                        );
                    }
                    PathElem::Attr(word.clone())
                }
                RawElem::Name(placeholder) => {
                    match self.names.and_then(|n| n.get(placeholder)) {
                        Some(name) => {
                            self.used_names.insert(placeholder.clone());
                            PathElem::Attr(name.clone())
                        }
                        None => {
                            self.fail(Cat::Name, format!("An expression attribute name used in the document path is not defined; attribute name: {placeholder}"));
                            PathElem::Attr(placeholder.clone())
                        }
                    }
                }
                RawElem::Index(i) => PathElem::Index(*i),
            });
        }
        Path(out)
    }

    fn value(&mut self, placeholder: &str) -> AttributeValue {
        match self.values.get(placeholder) {
            Some(v) => {
                self.used_values.insert(placeholder.to_owned());
                v.clone()
            }
            None => {
                self.fail(
                    Cat::Value,
                    format!("An expression attribute value used in expression is not defined; attribute value: {placeholder}"),
                );
                AttributeValue::Null
            }
        }
    }

    // ---- conditions ----

    pub fn condition(&mut self, raw: &RawCond) -> Cond {
        match raw {
            RawCond::Paren(inner) => {
                if matches!(**inner, RawCond::Paren(_)) {
                    self.fail(
                        Cat::Parens,
                        "The expression has redundant parentheses;".to_owned(),
                    );
                }
                self.condition(inner)
            }
            RawCond::And(a, b) => {
                Cond::And(Box::new(self.condition(a)), Box::new(self.condition(b)))
            }
            RawCond::Or(a, b) => Cond::Or(Box::new(self.condition(a)), Box::new(self.condition(b))),
            RawCond::Not(a) => Cond::Not(Box::new(self.condition(a))),
            RawCond::Compare(cmp, l, r) => {
                let left = self.comparand(l);
                let right = self.comparand(r);
                self.check_distinct(cmp.symbol(), &left, &right);
                Cond::Compare(*cmp, left, right)
            }
            RawCond::Between(x, low, high) => {
                let x = self.comparand(x);
                let low = self.comparand(low);
                let high = self.comparand(high);
                if let (Operand::Value(lo), Operand::Value(hi)) = (&low, &high) {
                    self.check_between_bounds(lo, hi);
                }
                Cond::Between(x, low, high)
            }
            RawCond::In(x, list) => {
                let x = self.comparand(x);
                if list.len() > MAX_IN_OPERANDS {
                    self.fail(
                        Cat::Function,
                        format!(
                            "The IN operator is provided with too many operands; number of operands: {}",
                            list.len()
                        ),
                    );
                }
                let list = list.iter().map(|o| self.comparand(o)).collect();
                Cond::In(x, list)
            }
            RawCond::Call(name, args) => self.condition_function(name, args),
        }
    }

    fn check_between_bounds(&mut self, lo: &AttributeValue, hi: &AttributeValue) {
        let bounds = format!(
            "lower bound operand: {}, upper bound operand: {}",
            quote_value(lo),
            quote_value(hi)
        );
        if lo.type_name() != hi.type_name() {
            self.fail(
                Cat::Function,
                format!("The BETWEEN operator requires same data type for lower and upper bounds; {bounds}"),
            );
        } else if super::eval::compare(lo, hi) == Some(std::cmp::Ordering::Greater) {
            self.fail(
                Cat::Function,
                format!("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; {bounds}"),
            );
        }
    }

    fn check_distinct(&mut self, operator: &str, first: &Operand, second: &Operand) {
        if let (Operand::Path(a), Operand::Path(b)) = (first, second) {
            if a == b {
                self.fail(
                    Cat::Distinct,
                    format!("The first operand must be distinct from the remaining operands for this operator or function; operator: {operator}, first operand: {a}"),
                );
            }
        }
    }

    /// Statically known type of an operand (values and `size`), for compile-time checks.
    fn static_type(op: &Operand) -> Option<&'static str> {
        match op {
            Operand::Value(v) => Some(v.type_name()),
            Operand::Size(_) => Some("N"),
            Operand::Path(_) => None,
        }
    }

    /// An operand of a comparison, BETWEEN, IN or function: only `size` may be a function.
    fn comparand(&mut self, raw: &RawOperand) -> Operand {
        match raw {
            RawOperand::Paren(inner) => {
                if matches!(**inner, RawOperand::Paren(_)) {
                    self.fail(
                        Cat::Parens,
                        "The expression has redundant parentheses;".to_owned(),
                    );
                }
                self.comparand(inner)
            }
            RawOperand::Path(p) => Operand::Path(self.path(p)),
            RawOperand::Value(v) => Operand::Value(self.value(v)),
            RawOperand::Call(name, args) => {
                if name != "size" {
                    if CONDITION_FUNCTIONS.contains(&name.as_str()) {
                        self.fail(Cat::MisusedFunction, misused(name));
                    } else {
                        self.unknown_condition_function(name);
                    }
                    args.iter().for_each(|a| {
                        self.comparand(a);
                    });
                    return Operand::Value(AttributeValue::Null);
                }
                let mut resolved: Vec<Operand> = args.iter().map(|a| self.comparand(a)).collect();
                if resolved.len() != 1 {
                    self.fail(Cat::Count, wrong_count(name, resolved.len()));
                    return Operand::Value(AttributeValue::Null);
                }
                let arg = resolved.remove(0);
                if let Some(t @ ("N" | "BOOL" | "NULL")) = Self::static_type(&arg) {
                    self.fail(Cat::Function, incorrect_operand("size", t));
                }
                Operand::Size(Box::new(arg))
            }
        }
    }

    fn unknown_condition_function(&mut self, name: &str) {
        let message = if UPDATE_FUNCTIONS.contains(&name) {
            format!("The function is not allowed in a condition expression; function: {name}")
        } else {
            format!("Invalid function name; function: {name}")
        };
        self.fail(Cat::UnknownFunction, message);
    }

    fn condition_function(&mut self, name: &str, args: &[RawOperand]) -> Cond {
        let placeholder = Cond::Exists(Path::attr(name));
        if !CONDITION_FUNCTIONS.contains(&name) {
            self.unknown_condition_function(name);
            args.iter().for_each(|a| {
                self.comparand(a);
            });
            return placeholder;
        }
        if name == "size" {
            self.fail(Cat::MisusedFunction, misused(name));
        }
        let resolved: Vec<Operand> = args.iter().map(|a| self.comparand(a)).collect();
        let arity = match name {
            "attribute_exists" | "attribute_not_exists" | "size" => 1,
            _ => 2,
        };
        if resolved.len() != arity {
            self.fail(Cat::Count, wrong_count(name, resolved.len()));
            return placeholder;
        }
        let mut it = resolved.into_iter();
        let (Some(first), second) = (it.next(), it.next()) else {
            return placeholder;
        };
        if let Some(second) = &second {
            self.check_distinct(name, &first, second);
        }
        match (name, second) {
            ("attribute_exists" | "attribute_not_exists", None) => match first {
                Operand::Path(p) if name == "attribute_exists" => Cond::Exists(p),
                Operand::Path(p) => Cond::NotExists(p),
                _ => {
                    self.fail(Cat::Function, requires_path(name));
                    placeholder
                }
            },
            ("attribute_type", Some(kind)) => {
                match &kind {
                    Operand::Value(AttributeValue::S(t)) if TYPE_NAMES.contains(&t.as_str()) => {}
                    Operand::Value(AttributeValue::S(t)) => self.fail(
                        Cat::Function,
                        format!("Invalid attribute type name found; type: {t}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"),
                    ),
                    other => {
                        let t = Self::static_type(other).unwrap_or("{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
                        self.fail(Cat::Function, incorrect_operand(name, t));
                    }
                }
                Cond::Type(first, kind)
            }
            ("begins_with", Some(prefix)) => {
                for op in [&first, &prefix] {
                    if let Some(t) = Self::static_type(op).filter(|t| *t != "S" && *t != "B") {
                        self.fail(Cat::Function, incorrect_operand(name, t));
                    }
                }
                Cond::BeginsWith(first, prefix)
            }
            ("contains", Some(needle)) => Cond::Contains(first, needle),
            _ => placeholder,
        }
    }

    // ---- updates ----

    pub fn update(&mut self, sections: &[RawSection]) -> UpdateActions {
        let mut actions = UpdateActions::default();
        let mut seen: Vec<SectionKind> = Vec::new();
        // Overlaps are reported between paths in the order they are written.
        let mut targets: Vec<Path> = Vec::new();
        for section in sections {
            let kind = match section {
                RawSection::Set(_) => SectionKind::Set,
                RawSection::Remove(_) => SectionKind::Remove,
                RawSection::Add(_) => SectionKind::Add,
                RawSection::Delete(_) => SectionKind::Delete,
            };
            if seen.contains(&kind) {
                self.fail(
                    Cat::Section,
                    format!(
                        "The \"{}\" section can only be used once in an update expression;",
                        kind.keyword()
                    ),
                );
            }
            seen.push(kind);
            match section {
                RawSection::Set(items) => {
                    for (path, value) in items {
                        let path = self.path(path);
                        targets.push(path.clone());
                        let value = self.set_value(value);
                        actions.set.push((path, value));
                    }
                }
                RawSection::Remove(paths) => {
                    for path in paths {
                        let path = self.path(path);
                        targets.push(path.clone());
                        actions.remove.push(path);
                    }
                }
                RawSection::Add(items) | RawSection::Delete(items) => {
                    let add = kind == SectionKind::Add;
                    for (path, placeholder) in items {
                        let path = self.path(path);
                        targets.push(path.clone());
                        let value = self.value(placeholder);
                        let allowed = match value.type_name() {
                            "SS" | "NS" | "BS" => true,
                            "N" => add,
                            _ => false,
                        };
                        if !allowed && self.values.contains_key(placeholder) {
                            self.fail(
                                Cat::Operand,
                                format!(
                                    "Incorrect operand type for operator or function; operator: {}, operand type: {}",
                                    kind.keyword(),
                                    type_word(value.type_name())
                                ),
                            );
                        }
                        if add {
                            actions.add.push((path, value));
                        } else {
                            actions.delete.push((path, value));
                        }
                    }
                }
            }
        }
        let targets: Vec<&Path> = targets.iter().collect();
        let (overlap, conflict) = check_paths(&targets);
        if let Some(m) = overlap {
            self.fail(Cat::Overlap, m);
        }
        if let Some(m) = conflict {
            self.fail(Cat::Conflict, m);
        }
        actions
    }

    fn set_value(&mut self, raw: &RawSetValue) -> SetValue {
        match raw {
            RawSetValue::Operand(op) => SetValue::Operand(self.set_operand(op).0),
            RawSetValue::Plus(a, b) | RawSetValue::Minus(a, b) => {
                let symbol = if matches!(raw, RawSetValue::Plus(..)) {
                    "+"
                } else {
                    "-"
                };
                let (a, ta) = self.set_operand(a);
                let (b, tb) = self.set_operand(b);
                for t in [ta, tb].into_iter().flatten() {
                    if t != "N" {
                        self.fail(Cat::Function, incorrect_operand(symbol, t));
                    }
                }
                if symbol == "+" {
                    SetValue::Plus(a, b)
                } else {
                    SetValue::Minus(a, b)
                }
            }
        }
    }

    /// A SET operand and its statically known type.
    fn set_operand(&mut self, raw: &RawOperand) -> (SetOperand, Option<&'static str>) {
        match raw {
            RawOperand::Paren(inner) => self.set_operand(inner),
            RawOperand::Path(p) => (SetOperand::Path(self.path(p)), None),
            RawOperand::Value(v) => {
                let value = self.value(v);
                let known = self.values.contains_key(v).then(|| value.type_name());
                (SetOperand::Value(value), known)
            }
            RawOperand::Call(name, args) => {
                let placeholder = (SetOperand::Value(AttributeValue::Null), None);
                if !UPDATE_FUNCTIONS.contains(&name.as_str()) {
                    self.fail(
                        Cat::UnknownFunction,
                        format!("Invalid function name; function: {name}"),
                    );
                    return placeholder;
                }
                let first_is_path = args
                    .first()
                    .is_some_and(|a| matches!(strip_parens(a), RawOperand::Path(_)));
                let resolved: Vec<_> = args.iter().map(|a| self.set_operand(a)).collect();
                if resolved.len() != 2 {
                    self.fail(Cat::Count, wrong_count(name, resolved.len()));
                    return placeholder;
                }
                let mut it = resolved.into_iter();
                let (Some((a, ta)), Some((b, tb))) = (it.next(), it.next()) else {
                    return placeholder;
                };
                if name == "if_not_exists" {
                    match a {
                        // Its type is the stored attribute's when there is one, so
                        // nothing is known before the item is read: DynamoDB accepts
                        // `list_append(b, if_not_exists(a, :s))` with a string `:s`.
                        SetOperand::Path(p) if first_is_path => {
                            (SetOperand::IfNotExists(p, Box::new(b)), None)
                        }
                        _ => {
                            self.fail(Cat::Function, requires_path(name));
                            placeholder
                        }
                    }
                } else {
                    for t in [ta, tb].into_iter().flatten() {
                        if t != "L" {
                            self.fail(Cat::Function, incorrect_operand(name, t));
                        }
                    }
                    (SetOperand::ListAppend(Box::new(a), Box::new(b)), Some("L"))
                }
            }
        }
    }

    // ---- projections ----

    pub fn projection(&mut self, raw: &[RawPath]) -> Vec<Path> {
        let paths: Vec<Path> = raw.iter().map(|p| self.path(p)).collect();
        let refs: Vec<&Path> = paths.iter().collect();
        let (overlap, conflict) = check_paths(&refs);
        if let Some(m) = overlap {
            self.fail(Cat::Overlap, m);
        }
        if let Some(m) = conflict {
            self.fail(Cat::Conflict, m);
        }
        paths
    }
}

/// Operators DynamoDB counts against its limit of 300 per expression.
pub fn count_operators(raw: &RawCond) -> usize {
    fn operand(op: &RawOperand) -> usize {
        match op {
            RawOperand::Paren(inner) => operand(inner),
            RawOperand::Call(_, args) => 1 + args.iter().map(operand).sum::<usize>(),
            _ => 0,
        }
    }
    match raw {
        RawCond::Compare(_, a, b) => 1 + operand(a) + operand(b),
        RawCond::Between(a, b, c) => 1 + operand(a) + operand(b) + operand(c),
        RawCond::In(a, list) => 1 + operand(a) + list.iter().map(operand).sum::<usize>(),
        RawCond::Call(_, args) => 1 + args.iter().map(operand).sum::<usize>(),
        RawCond::And(a, b) | RawCond::Or(a, b) => 1 + count_operators(a) + count_operators(b),
        RawCond::Not(a) => 1 + count_operators(a),
        RawCond::Paren(a) => count_operators(a),
    }
}
