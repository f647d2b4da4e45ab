//! Parsed expressions remembered per thread, by their text.
//!
//! Applications send the same few expression strings over and over (the session store's
//! `SET #t = :t` refresh with `attribute_exists(...)`, for instance) with different
//! values. Lexing and parsing them is a quarter of an UpdateItem's instructions, yet the
//! parse depends on the text alone: placeholders stay unresolved in the raw trees, and
//! [`super::resolve`] substitutes each request's names and values afterwards. Only
//! successful parses are kept, so every error is still found, and worded, afresh.
//!
//! Each worker thread keeps its own map (no lock on the request path); a map that fills
//! up is simply emptied, which bounds memory at `CAPACITY` expressions of at most
//! [`super::MAX_EXPRESSION_SIZE`] bytes per thread and grammar.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::thread::LocalKey;

use super::parser::{self, RawCond, RawPath, RawSection};
use super::{invalid, lexer, tokens};
use crate::dynamodb::error::Result;

const CAPACITY: usize = 256;

pub type Memo<T> = RefCell<HashMap<Box<str>, Rc<T>>>;

thread_local! {
    pub static CONDITIONS: Memo<RawCond> = RefCell::new(HashMap::new());
    pub static UPDATES: Memo<Vec<RawSection>> = RefCell::new(HashMap::new());
    pub static PROJECTIONS: Memo<Vec<RawPath>> = RefCell::new(HashMap::new());
}

/// The raw tree of `src` in one grammar, parsed now or remembered from an earlier request.
pub fn parsed<T>(
    memo: &'static LocalKey<Memo<T>>,
    kind: &str,
    src: &str,
    parse: fn(&str, &[lexer::Token]) -> parser::PResult<T>,
) -> Result<Rc<T>> {
    if let Some(hit) = memo.with(|m| m.borrow().get(src).cloned()) {
        return Ok(hit);
    }
    let toks = tokens(kind, src)?;
    let raw =
        parse(src, &toks).map_err(|at| invalid(kind, parser::syntax_error(src, &toks, at)))?;
    let raw = Rc::new(raw);
    memo.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= CAPACITY {
            m.clear();
        }
        m.insert(src.into(), Rc::clone(&raw));
    });
    Ok(raw)
}
