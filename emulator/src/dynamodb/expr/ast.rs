//! The typed, resolved trees every expression compiles into: placeholders are already
//! replaced by the names and values they stand for, so evaluation never looks anything up.

use std::fmt;

use crate::dynamodb::model::AttributeValue;

/// One step of a document path: a map key (or top-level attribute name) or a list index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathElem {
    Attr(String),
    Index(usize),
}

/// A document path such as `a.b[2].c`; always starts with an attribute name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path(pub Vec<PathElem>);

impl Path {
    pub fn attr(name: &str) -> Path {
        Path(vec![PathElem::Attr(name.to_owned())])
    }

    /// The top-level attribute the path starts in.
    pub fn head(&self) -> Option<&str> {
        match self.0.first() {
            Some(PathElem::Attr(name)) => Some(name),
            _ => None,
        }
    }
}

/// DynamoDB's rendering in overlap/conflict messages: `[a, b, [2]]`.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, elem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match elem {
                PathElem::Attr(name) => f.write_str(name)?,
                PathElem::Index(i) => write!(f, "[{i}]")?,
            }
        }
        f.write_str("]")
    }
}

/// A value inside a condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Path(Path),
    Value(AttributeValue),
    Size(Box<Operand>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparator {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// A condition (ConditionExpression, FilterExpression, or compiled `Expected`).
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Compare(Comparator, Operand, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Exists(Path),
    NotExists(Path),
    Type(Operand, Operand),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

/// An operand on the right of `SET path =`.
#[derive(Clone, Debug, PartialEq)]
pub enum SetOperand {
    Path(Path),
    Value(AttributeValue),
    IfNotExists(Path, Box<SetOperand>),
    ListAppend(Box<SetOperand>, Box<SetOperand>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetValue {
    Operand(SetOperand),
    Plus(SetOperand, SetOperand),
    Minus(SetOperand, SetOperand),
}

/// The four sections of an update, each already in source order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateActions {
    pub set: Vec<(Path, SetValue)>,
    pub remove: Vec<Path>,
    /// ADD: numbers are added, sets unioned. Lists only come from legacy `AttributeUpdates`
    /// (where ADD appends); the expression grammar rejects them at compile time.
    pub add: Vec<(Path, AttributeValue)>,
    pub delete: Vec<(Path, AttributeValue)>,
    /// Compiled from legacy `AttributeUpdates`, whose wrong-typed ADD or DELETE DynamoDB
    /// words differently ("Type mismatch for attribute to update").
    pub legacy: bool,
}

impl UpdateActions {
    /// Every path the update writes, in section order.
    pub fn targets(&self) -> impl Iterator<Item = &Path> {
        self.set
            .iter()
            .map(|(p, _)| p)
            .chain(self.remove.iter())
            .chain(self.add.iter().map(|(p, _)| p))
            .chain(self.delete.iter().map(|(p, _)| p))
    }
}
