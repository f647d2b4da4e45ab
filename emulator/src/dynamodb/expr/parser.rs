//! Recursive-descent parsers for the three grammars, producing unresolved trees.
//!
//! Parsing only decides the shape; every semantic check (placeholders, reserved words,
//! function arity and types, overlapping paths) runs afterwards in `resolve`, because
//! DynamoDB reports those in a fixed priority order and only once the whole expression
//! parsed. A syntax error is reported as the index of the offending token.

use super::ast::Comparator;
use super::lexer::{Kind, Token};

/// Deeper nesting than this is refused as a syntax error: it keeps the recursion (and the
/// stack) bounded on hostile input. Real expressions never come close.
pub const MAX_DEPTH: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub enum RawElem {
    Ident(String),
    Name(String),
    Index(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RawPath(pub Vec<RawElem>);

#[derive(Clone, Debug, PartialEq)]
pub enum RawOperand {
    Path(RawPath),
    Value(String),
    Call(String, Vec<RawOperand>),
    Paren(Box<RawOperand>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum RawCond {
    Compare(Comparator, RawOperand, RawOperand),
    Between(RawOperand, RawOperand, RawOperand),
    In(RawOperand, Vec<RawOperand>),
    /// A function used as a condition on its own (`attribute_exists(a)`).
    Call(String, Vec<RawOperand>),
    And(Box<RawCond>, Box<RawCond>),
    Or(Box<RawCond>, Box<RawCond>),
    Not(Box<RawCond>),
    Paren(Box<RawCond>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum RawSetValue {
    Operand(RawOperand),
    Plus(RawOperand, RawOperand),
    Minus(RawOperand, RawOperand),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectionKind {
    Set,
    Remove,
    Add,
    Delete,
}

impl SectionKind {
    pub fn keyword(self) -> &'static str {
        match self {
            SectionKind::Set => "SET",
            SectionKind::Remove => "REMOVE",
            SectionKind::Add => "ADD",
            SectionKind::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum RawSection {
    Set(Vec<(RawPath, RawSetValue)>),
    Remove(Vec<RawPath>),
    /// Path and the `:value` placeholder.
    Add(Vec<(RawPath, String)>),
    Delete(Vec<(RawPath, String)>),
}

/// Index of the token where parsing failed.
pub type PResult<T> = Result<T, usize>;

const CONDITION_KEYWORDS: &[&str] = &["AND", "OR", "NOT", "BETWEEN", "IN"];
const UPDATE_KEYWORDS: &[&str] = &["SET", "REMOVE", "ADD", "DELETE"];

pub struct Parser<'s> {
    src: &'s str,
    toks: &'s [Token],
    pos: usize,
    depth: usize,
    /// Words that cannot be attribute or function names in this grammar.
    keywords: &'static [&'static str],
}

impl<'s> Parser<'s> {
    fn new(src: &'s str, toks: &'s [Token], keywords: &'static [&'static str]) -> Self {
        Parser {
            src,
            toks,
            pos: 0,
            depth: 0,
            keywords,
        }
    }

    fn kind_at(&self, i: usize) -> Kind {
        self.toks.get(i).map_or(Kind::Eof, |t| t.kind)
    }

    fn peek(&self) -> Kind {
        self.kind_at(self.pos)
    }

    fn text_at(&self, i: usize) -> &'s str {
        self.toks
            .get(i)
            .and_then(|t| self.src.get(t.start..t.end))
            .unwrap_or("")
    }

    fn bump(&mut self) -> usize {
        let at = self.pos;
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        at
    }

    fn expect(&mut self, kind: Kind) -> PResult<usize> {
        if self.peek() == kind {
            Ok(self.bump())
        } else {
            Err(self.pos)
        }
    }

    fn is_word(&self, i: usize, word: &str) -> bool {
        self.kind_at(i) == Kind::Ident && self.text_at(i).eq_ignore_ascii_case(word)
    }

    fn is_keyword(&self, i: usize) -> bool {
        self.keywords.iter().any(|k| self.is_word(i, k))
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.pos);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn finish<T>(&mut self, value: T) -> PResult<T> {
        self.expect(Kind::Eof)?;
        Ok(value)
    }

    /// Runs `first`; if it fails, rewinds and runs `second`; when both fail, the error
    /// furthest into the input wins (the usual "longest match" diagnosis).
    fn either<T>(
        &mut self,
        first: impl FnOnce(&mut Self) -> PResult<T>,
        second: impl FnOnce(&mut Self) -> PResult<T>,
    ) -> PResult<T> {
        let (pos, depth) = (self.pos, self.depth);
        match first(self) {
            Ok(v) => Ok(v),
            Err(e1) => {
                self.pos = pos;
                self.depth = depth;
                second(self).map_err(|e2| e1.max(e2))
            }
        }
    }

    // ---- paths and operands ----

    fn path_head(&mut self) -> PResult<RawElem> {
        match self.peek() {
            Kind::Ident if !self.is_keyword(self.pos) => {
                let i = self.bump();
                Ok(RawElem::Ident(self.text_at(i).to_owned()))
            }
            Kind::Name => {
                let i = self.bump();
                Ok(RawElem::Name(self.text_at(i).to_owned()))
            }
            _ => Err(self.pos),
        }
    }

    fn path(&mut self) -> PResult<RawPath> {
        let mut elems = vec![self.path_head()?];
        loop {
            match self.peek() {
                Kind::Dot => {
                    self.bump();
                    elems.push(self.path_head()?);
                }
                Kind::LBracket => {
                    self.bump();
                    let at = self.expect(Kind::Number)?;
                    let index = self.text_at(at).parse::<usize>().map_err(|_| at)?;
                    self.expect(Kind::RBracket)?;
                    elems.push(RawElem::Index(index));
                }
                _ => return Ok(RawPath(elems)),
            }
        }
    }

    fn operand(&mut self) -> PResult<RawOperand> {
        self.enter()?;
        let result = match self.peek() {
            Kind::LParen => {
                self.bump();
                let inner = self.operand()?;
                self.expect(Kind::RParen)?;
                Ok(RawOperand::Paren(Box::new(inner)))
            }
            Kind::Value => {
                let i = self.bump();
                Ok(RawOperand::Value(self.text_at(i).to_owned()))
            }
            Kind::Ident
                if !self.is_keyword(self.pos) && self.kind_at(self.pos + 1) == Kind::LParen =>
            {
                let i = self.bump();
                let name = self.text_at(i).to_owned();
                self.bump();
                let mut args = vec![self.operand()?];
                while self.peek() == Kind::Comma {
                    self.bump();
                    args.push(self.operand()?);
                }
                self.expect(Kind::RParen)?;
                Ok(RawOperand::Call(name, args))
            }
            _ => self.path().map(RawOperand::Path),
        };
        self.leave();
        result
    }

    // ---- conditions ----

    fn or_cond(&mut self) -> PResult<RawCond> {
        self.enter()?;
        let mut left = self.and_cond()?;
        while self.is_word(self.pos, "OR") {
            self.bump();
            let right = self.and_cond()?;
            left = RawCond::Or(Box::new(left), Box::new(right));
        }
        self.leave();
        Ok(left)
    }

    fn and_cond(&mut self) -> PResult<RawCond> {
        let mut left = self.not_cond()?;
        while self.is_word(self.pos, "AND") {
            self.bump();
            let right = self.not_cond()?;
            left = RawCond::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not_cond(&mut self) -> PResult<RawCond> {
        if self.is_word(self.pos, "NOT") {
            self.enter()?;
            self.bump();
            let inner = self.not_cond()?;
            self.leave();
            return Ok(RawCond::Not(Box::new(inner)));
        }
        if self.peek() == Kind::LParen {
            return self.either(
                |p| {
                    p.bump();
                    let inner = p.or_cond()?;
                    p.expect(Kind::RParen)?;
                    // `(size(a)) > :v` is a parenthesised operand, not a condition.
                    if p.comparison_follows() {
                        return Err(p.pos);
                    }
                    Ok(RawCond::Paren(Box::new(inner)))
                },
                |p| p.comparison(),
            );
        }
        self.comparison()
    }

    fn comparator(&self) -> Option<Comparator> {
        Some(match self.peek() {
            Kind::Eq => Comparator::Eq,
            Kind::Ne => Comparator::Ne,
            Kind::Lt => Comparator::Lt,
            Kind::Le => Comparator::Le,
            Kind::Gt => Comparator::Gt,
            Kind::Ge => Comparator::Ge,
            _ => return None,
        })
    }

    fn comparison_follows(&self) -> bool {
        self.comparator().is_some()
            || self.is_word(self.pos, "BETWEEN")
            || self.is_word(self.pos, "IN")
    }

    fn comparison(&mut self) -> PResult<RawCond> {
        let left = self.operand()?;
        if let Some(cmp) = self.comparator() {
            self.bump();
            let right = self.operand()?;
            return Ok(RawCond::Compare(cmp, left, right));
        }
        if self.is_word(self.pos, "BETWEEN") {
            self.bump();
            let low = self.operand()?;
            if !self.is_word(self.pos, "AND") {
                return Err(self.pos);
            }
            self.bump();
            let high = self.operand()?;
            return Ok(RawCond::Between(left, low, high));
        }
        if self.is_word(self.pos, "IN") {
            self.bump();
            self.expect(Kind::LParen)?;
            let mut list = vec![self.operand()?];
            while self.peek() == Kind::Comma {
                self.bump();
                list.push(self.operand()?);
            }
            self.expect(Kind::RParen)?;
            return Ok(RawCond::In(left, list));
        }
        match left {
            RawOperand::Call(name, args) => Ok(RawCond::Call(name, args)),
            _ => Err(self.pos),
        }
    }

    // ---- updates ----

    fn section_keyword(&self) -> Option<SectionKind> {
        [
            SectionKind::Set,
            SectionKind::Remove,
            SectionKind::Add,
            SectionKind::Delete,
        ]
        .into_iter()
        .find(|k| self.is_word(self.pos, k.keyword()))
    }

    fn update(&mut self) -> PResult<Vec<RawSection>> {
        let mut sections = Vec::new();
        loop {
            let Some(kind) = self.section_keyword() else {
                return Err(self.pos);
            };
            self.bump();
            sections.push(match kind {
                SectionKind::Set => RawSection::Set(self.list(|p| {
                    let path = p.path()?;
                    p.expect(Kind::Eq)?;
                    Ok((path, p.set_value()?))
                })?),
                SectionKind::Remove => RawSection::Remove(self.list(|p| p.path())?),
                SectionKind::Add => RawSection::Add(self.list(|p| p.path_and_value())?),
                SectionKind::Delete => RawSection::Delete(self.list(|p| p.path_and_value())?),
            });
            if self.peek() == Kind::Eof {
                return Ok(sections);
            }
        }
    }

    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> PResult<T>) -> PResult<Vec<T>> {
        let mut items = vec![item(self)?];
        while self.peek() == Kind::Comma {
            self.bump();
            items.push(item(self)?);
        }
        Ok(items)
    }

    fn path_and_value(&mut self) -> PResult<(RawPath, String)> {
        let path = self.path()?;
        let at = self.expect(Kind::Value)?;
        Ok((path, self.text_at(at).to_owned()))
    }

    fn set_value(&mut self) -> PResult<RawSetValue> {
        if self.peek() == Kind::LParen {
            return self.either(
                |p| {
                    p.bump();
                    let v = p.arithmetic()?;
                    p.expect(Kind::RParen)?;
                    if matches!(p.peek(), Kind::Plus | Kind::Minus) {
                        return Err(p.pos);
                    }
                    Ok(v)
                },
                |p| p.arithmetic(),
            );
        }
        self.arithmetic()
    }

    fn arithmetic(&mut self) -> PResult<RawSetValue> {
        let left = self.operand()?;
        let plus = match self.peek() {
            Kind::Plus => true,
            Kind::Minus => false,
            _ => return Ok(RawSetValue::Operand(left)),
        };
        self.bump();
        let right = self.operand()?;
        Ok(if plus {
            RawSetValue::Plus(left, right)
        } else {
            RawSetValue::Minus(left, right)
        })
    }
}

pub fn parse_condition(src: &str, toks: &[Token]) -> PResult<RawCond> {
    let mut p = Parser::new(src, toks, CONDITION_KEYWORDS);
    let cond = p.or_cond()?;
    p.finish(cond)
}

pub fn parse_update(src: &str, toks: &[Token]) -> PResult<Vec<RawSection>> {
    let mut p = Parser::new(src, toks, UPDATE_KEYWORDS);
    let sections = p.update()?;
    p.finish(sections)
}

pub fn parse_projection(src: &str, toks: &[Token]) -> PResult<Vec<RawPath>> {
    let mut p = Parser::new(src, toks, &[]);
    let paths = p.list(|p| p.path())?;
    p.finish(paths)
}

/// DynamoDB's syntax error text for the token at `at`: the token itself and, as `near`,
/// the source from the previous token to the next one.
pub fn syntax_error(src: &str, toks: &[Token], at: usize) -> String {
    let Some(tok) = toks.get(at) else {
        return "Syntax error; token: \"<EOF>\", near: \"\"".to_owned();
    };
    let start = if at > 0 {
        toks[at - 1].start
    } else {
        tok.start
    };
    let (token, end) = if tok.kind == Kind::Eof {
        ("<EOF>", tok.end)
    } else {
        let next = toks
            .get(at + 1)
            .filter(|t| t.kind != Kind::Eof)
            .unwrap_or(tok);
        (src.get(tok.start..tok.end).unwrap_or(""), next.end)
    };
    let near = src.get(start..end).unwrap_or("").trim_end();
    format!("Syntax error; token: \"{token}\", near: \"{near}\"")
}
