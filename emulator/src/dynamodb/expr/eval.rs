//! Evaluation with DynamoDB's semantics: conditions over an item (or its absence), update
//! actions applied in place, and projections.
//!
//! Nothing here can panic on any item: every lookup is checked, and a type that does not
//! fit simply makes a comparison false or an update fail with DynamoDB's message.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::ast::{Comparator, Cond, Operand, Path, PathElem, SetOperand, SetValue, UpdateActions};
use crate::dynamodb::error::{DynamoError, Result};
use crate::dynamodb::model::{AttributeValue, Item, Number};

const MISSING_OPERAND: &str =
    "The provided expression refers to an attribute that does not exist in the item";
const WRONG_TYPE: &str = "An operand in the update expression has an incorrect data type";
const INVALID_PATH: &str =
    "The document path provided in the update expression is invalid for update";

/// Ordering between two scalars of the same orderable type (N, S, B); `None` otherwise.
pub fn compare(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    match (a, b) {
        (AttributeValue::N(x), AttributeValue::N(y)) => Some(x.cmp(y)),
        (AttributeValue::S(x), AttributeValue::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (AttributeValue::B(x), AttributeValue::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn same_members<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// DynamoDB equality: sets compare as sets, documents recursively.
pub fn equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (a, b) {
        (V::Ss(x), V::Ss(y)) => same_members(x, y),
        (V::Ns(x), V::Ns(y)) => same_members(x, y),
        (V::Bs(x), V::Bs(y)) => same_members(x, y),
        (V::L(x), V::L(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        (V::M(x), V::M(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

/// The value at `path`, if the item has one there.
pub fn lookup<'i>(item: &'i Item, path: &Path) -> Option<&'i AttributeValue> {
    let mut elems = path.0.iter();
    let mut current = match elems.next()? {
        PathElem::Attr(name) => item.get(name)?,
        PathElem::Index(_) => return None,
    };
    for elem in elems {
        current = match (elem, current) {
            (PathElem::Attr(name), AttributeValue::M(m)) => m.get(name)?,
            (PathElem::Index(i), AttributeValue::L(l)) => l.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

fn lookup_mut<'i>(item: &'i mut Item, path: &[PathElem]) -> Option<&'i mut AttributeValue> {
    let (first, rest) = path.split_first()?;
    let mut current = match first {
        PathElem::Attr(name) => item.get_mut(name)?,
        PathElem::Index(_) => return None,
    };
    for elem in rest {
        current = match (elem, current) {
            (PathElem::Attr(name), AttributeValue::M(m)) => m.get_mut(name)?,
            (PathElem::Index(i), AttributeValue::L(l)) => l.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

/// `size()`: string and binary lengths in bytes, element counts of sets, lists and maps.
fn size_of(v: &AttributeValue) -> Option<usize> {
    Some(match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::Ss(s) => s.len(),
        AttributeValue::Ns(s) => s.len(),
        AttributeValue::Bs(s) => s.len(),
        AttributeValue::L(l) => l.len(),
        AttributeValue::M(m) => m.len(),
        _ => return None,
    })
}

fn operand<'a>(op: &'a Operand, item: Option<&'a Item>) -> Option<Cow<'a, AttributeValue>> {
    match op {
        Operand::Path(p) => item.and_then(|i| lookup(i, p)).map(Cow::Borrowed),
        Operand::Value(v) => Some(Cow::Borrowed(v)),
        Operand::Size(inner) => {
            let n = size_of(operand(inner, item)?.as_ref())?;
            let n = Number::parse(&n.to_string()).ok()?;
            Some(Cow::Owned(AttributeValue::N(n)))
        }
    }
}

fn contains(haystack: &AttributeValue, needle: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (haystack, needle) {
        (V::S(h), V::S(n)) => h.contains(n.as_str()),
        (V::B(h), V::B(n)) => n.is_empty() || h.windows(n.len()).any(|w| w == n.as_slice()),
        (V::Ss(h), V::S(n)) => h.contains(n),
        (V::Ns(h), V::N(n)) => h.contains(n),
        (V::Bs(h), V::B(n)) => h.contains(n),
        (V::L(h), n) => h.iter().any(|e| equal(e, n)),
        _ => false,
    }
}

fn begins_with(value: &AttributeValue, prefix: &AttributeValue) -> bool {
    match (value, prefix) {
        (AttributeValue::S(v), AttributeValue::S(p)) => v.starts_with(p.as_str()),
        (AttributeValue::B(v), AttributeValue::B(p)) => v.starts_with(p),
        _ => false,
    }
}

pub fn condition(cond: &Cond, item: Option<&Item>) -> bool {
    let get = |op| operand(op, item);
    match cond {
        Cond::Compare(cmp, a, b) => {
            let (a, b) = (get(a), get(b));
            let (Some(a), Some(b)) = (a, b) else {
                // A missing attribute equals nothing, so only `<>` holds.
                return *cmp == Comparator::Ne;
            };
            match cmp {
                Comparator::Eq => equal(&a, &b),
                Comparator::Ne => !equal(&a, &b),
                Comparator::Lt => compare(&a, &b) == Some(Ordering::Less),
                Comparator::Le => matches!(compare(&a, &b), Some(Ordering::Less | Ordering::Equal)),
                Comparator::Gt => compare(&a, &b) == Some(Ordering::Greater),
                Comparator::Ge => {
                    matches!(compare(&a, &b), Some(Ordering::Greater | Ordering::Equal))
                }
            }
        }
        Cond::Between(x, low, high) => match (get(x), get(low), get(high)) {
            (Some(x), Some(low), Some(high)) => {
                matches!(compare(&x, &low), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(compare(&x, &high), Some(Ordering::Less | Ordering::Equal))
            }
            _ => false,
        },
        Cond::In(x, list) => match get(x) {
            Some(x) => list.iter().any(|o| get(o).is_some_and(|v| equal(&x, &v))),
            None => false,
        },
        Cond::Exists(p) => item.and_then(|i| lookup(i, p)).is_some(),
        Cond::NotExists(p) => item.and_then(|i| lookup(i, p)).is_none(),
        Cond::Type(x, t) => match (get(x), get(t)) {
            (Some(x), Some(t)) => matches!(&*t, AttributeValue::S(t) if t == x.type_name()),
            _ => false,
        },
        Cond::BeginsWith(x, p) => match (get(x), get(p)) {
            (Some(x), Some(p)) => begins_with(&x, &p),
            _ => false,
        },
        Cond::Contains(x, n) => match (get(x), get(n)) {
            (Some(x), Some(n)) => contains(&x, &n),
            _ => false,
        },
        Cond::And(a, b) => condition(a, item) && condition(b, item),
        Cond::Or(a, b) => condition(a, item) || condition(b, item),
        Cond::Not(a) => !condition(a, item),
    }
}

// ---- updates ----

fn set_operand(op: &SetOperand, item: &Item) -> Result<AttributeValue> {
    match op {
        SetOperand::Path(p) => lookup(item, p)
            .cloned()
            .ok_or_else(|| DynamoError::validation(MISSING_OPERAND)),
        SetOperand::Value(v) => Ok(v.clone()),
        SetOperand::IfNotExists(p, fallback) => match lookup(item, p) {
            Some(v) => Ok(v.clone()),
            None => set_operand(fallback, item),
        },
        SetOperand::ListAppend(a, b) => match (set_operand(a, item)?, set_operand(b, item)?) {
            (AttributeValue::L(mut a), AttributeValue::L(b)) => {
                a.extend(b);
                Ok(AttributeValue::L(a))
            }
            _ => Err(DynamoError::validation(WRONG_TYPE)),
        },
    }
}

fn number_result(
    r: std::result::Result<Number, crate::dynamodb::model::NumberError>,
) -> Result<AttributeValue> {
    r.map(AttributeValue::N)
        .map_err(|e| DynamoError::validation(e.message()))
}

fn set_value(v: &SetValue, item: &Item) -> Result<AttributeValue> {
    let arithmetic = |a: &SetOperand, b: &SetOperand, plus: bool| -> Result<AttributeValue> {
        match (set_operand(a, item)?, set_operand(b, item)?) {
            (AttributeValue::N(a), AttributeValue::N(b)) => number_result(if plus {
                a.checked_add(&b)
            } else {
                a.checked_sub(&b)
            }),
            _ => Err(DynamoError::validation(WRONG_TYPE)),
        }
    };
    match v {
        SetValue::Operand(op) => set_operand(op, item),
        SetValue::Plus(a, b) => arithmetic(a, b, true),
        SetValue::Minus(a, b) => arithmetic(a, b, false),
    }
}

fn invalid_path() -> DynamoError {
    DynamoError::validation(INVALID_PATH)
}

fn put_at(item: &mut Item, path: &Path, value: AttributeValue) -> Result<()> {
    let Some((last, parent)) = path.0.split_last() else {
        return Err(invalid_path());
    };
    if parent.is_empty() {
        let PathElem::Attr(name) = last else {
            return Err(invalid_path());
        };
        item.insert(name.clone(), value);
        return Ok(());
    }
    match (last, lookup_mut(item, parent)) {
        (PathElem::Attr(name), Some(AttributeValue::M(m))) => {
            m.insert(name.clone(), value);
        }
        (PathElem::Index(i), Some(AttributeValue::L(l))) => match l.get_mut(*i) {
            Some(slot) => *slot = value,
            // Past the end appends, as DynamoDB does.
            None => l.push(value),
        },
        _ => return Err(invalid_path()),
    }
    Ok(())
}

fn remove_at(item: &mut Item, path: &Path) -> Result<()> {
    let Some((last, parent)) = path.0.split_last() else {
        return Err(invalid_path());
    };
    if parent.is_empty() {
        if let PathElem::Attr(name) = last {
            item.remove(name);
        }
        return Ok(());
    }
    match (last, lookup_mut(item, parent)) {
        (PathElem::Attr(name), Some(AttributeValue::M(m))) => {
            m.remove(name);
        }
        (PathElem::Index(i), Some(AttributeValue::L(l))) => {
            if *i < l.len() {
                l.remove(*i);
            }
        }
        _ => return Err(invalid_path()),
    }
    Ok(())
}

fn union<T: PartialEq + Clone>(into: &mut Vec<T>, from: &[T]) {
    for x in from {
        if !into.contains(x) {
            into.push(x.clone());
        }
    }
}

/// A wrong-typed ADD or DELETE: worded differently for legacy `AttributeUpdates`.
fn wrong_type(legacy: bool) -> DynamoError {
    DynamoError::validation(if legacy {
        "Type mismatch for attribute to update"
    } else {
        WRONG_TYPE
    })
}

/// Whether the container `path` ends in is there and of the right kind (a map for a name,
/// a list for an index); a top-level attribute always fits.
fn parent_fits(item: &Item, path: &Path) -> bool {
    let Some((last, parent)) = path.0.split_last() else {
        return false;
    };
    if parent.is_empty() {
        return true;
    }
    matches!(
        (last, lookup(item, &Path(parent.to_vec()))),
        (PathElem::Attr(_), Some(AttributeValue::M(_)))
            | (PathElem::Index(_), Some(AttributeValue::L(_)))
    )
}

fn add_at(item: &mut Item, path: &Path, value: &AttributeValue, legacy: bool) -> Result<()> {
    use AttributeValue as V;
    let Some(existing) = lookup_mut(item, &path.0) else {
        return put_at(item, path, value.clone());
    };
    match (existing, value) {
        (V::N(a), V::N(b)) => {
            let sum = number_result(a.checked_add(b))?;
            if let V::N(n) = sum {
                *a = n;
            }
        }
        (V::Ss(a), V::Ss(b)) => union(a, b),
        (V::Ns(a), V::Ns(b)) => union(a, b),
        (V::Bs(a), V::Bs(b)) => union(a, b),
        (V::L(a), V::L(b)) => a.extend(b.iter().cloned()),
        _ => return Err(wrong_type(legacy)),
    }
    Ok(())
}

/// Removes `value`'s elements from the set at `path`. Nothing there is fine, unless the
/// path leads through something that is not there or not a container.
fn delete_at(item: &mut Item, path: &Path, value: &AttributeValue, legacy: bool) -> Result<()> {
    use AttributeValue as V;
    if !parent_fits(item, path) {
        return Err(invalid_path());
    }
    let Some(existing) = lookup_mut(item, &path.0) else {
        return Ok(());
    };
    let now_empty = match (existing, value) {
        (V::Ss(a), V::Ss(b)) => {
            a.retain(|x| !b.contains(x));
            a.is_empty()
        }
        (V::Ns(a), V::Ns(b)) => {
            a.retain(|x| !b.contains(x));
            a.is_empty()
        }
        (V::Bs(a), V::Bs(b)) => {
            a.retain(|x| !b.contains(x));
            a.is_empty()
        }
        _ => return Err(wrong_type(legacy)),
    };
    if now_empty {
        // An empty set cannot be stored: the attribute goes away.
        remove_at(item, path)?;
    }
    Ok(())
}

/// Applies every action to `item`. SET operands all read the item as it was before the
/// update. Within a section the paths are applied in path order, not source order, as
/// DynamoDB does: `SET c[4] = :x, c[2] = :y` on a two-element list appends `:y` and then
/// `:x`. REMOVEs of list elements address the original positions (so they run from the
/// highest index down). On error the item may be partly modified: callers apply to a copy.
pub fn apply(actions: &UpdateActions, item: &mut Item) -> Result<()> {
    let mut computed = actions
        .set
        .iter()
        .map(|(path, v)| Ok((path, set_value(v, item)?)))
        .collect::<Result<Vec<_>>>()?;
    computed.sort_by(|a, b| a.0.cmp(b.0));
    for (path, value) in computed {
        put_at(item, path, value)?;
    }
    let mut removals: Vec<&Path> = actions.remove.iter().collect();
    removals.sort_by(|a, b| b.cmp(a));
    for path in removals {
        remove_at(item, path)?;
    }
    for (path, value) in in_path_order(&actions.add) {
        add_at(item, path, value, actions.legacy)?;
    }
    for (path, value) in in_path_order(&actions.delete) {
        delete_at(item, path, value, actions.legacy)?;
    }
    Ok(())
}

fn in_path_order(actions: &[(Path, AttributeValue)]) -> Vec<&(Path, AttributeValue)> {
    let mut sorted: Vec<_> = actions.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
}

// ---- projections ----

/// The union of several document paths, as a tree.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProjectionTree {
    /// The whole value at this point is selected.
    whole: bool,
    attrs: BTreeMap<String, ProjectionTree>,
    indexes: BTreeMap<usize, ProjectionTree>,
}

impl ProjectionTree {
    pub fn from_paths<'p>(paths: impl IntoIterator<Item = &'p Path>) -> Self {
        let mut root = ProjectionTree::default();
        for path in paths {
            let mut node = &mut root;
            for elem in &path.0 {
                node = match elem {
                    PathElem::Attr(name) => node.attrs.entry(name.clone()).or_default(),
                    PathElem::Index(i) => node.indexes.entry(*i).or_default(),
                };
            }
            node.whole = true;
        }
        root
    }

    /// Whether some selected path goes inside the top-level attribute `name` (`name.x`,
    /// `name[0]`) rather than selecting it whole.
    pub fn reaches_into(&self, name: &str) -> bool {
        self.attrs
            .get(name)
            .is_some_and(|node| !node.attrs.is_empty() || !node.indexes.is_empty())
    }

    /// The selected parts of `value`, nested as in the original; list elements keep their
    /// relative order. `None` when nothing selected exists.
    fn select(&self, value: &AttributeValue) -> Option<AttributeValue> {
        if self.whole {
            return Some(value.clone());
        }
        match value {
            AttributeValue::M(m) if !self.attrs.is_empty() => {
                let out: BTreeMap<_, _> = self
                    .attrs
                    .iter()
                    .filter_map(|(k, sub)| Some((k.clone(), sub.select(m.get(k)?)?)))
                    .collect();
                (!out.is_empty()).then_some(AttributeValue::M(out))
            }
            AttributeValue::L(l) if !self.indexes.is_empty() => {
                let out: Vec<_> = self
                    .indexes
                    .iter()
                    .filter_map(|(i, sub)| sub.select(l.get(*i)?))
                    .collect();
                (!out.is_empty()).then_some(AttributeValue::L(out))
            }
            _ => None,
        }
    }

    pub fn apply(&self, item: &Item) -> Item {
        self.attrs
            .iter()
            .filter_map(|(name, sub)| Some((name.clone(), sub.select(item.get(name)?)?)))
            .collect()
    }
}
