//! Splits an expression into tokens that remember where they came from, because DynamoDB's
//! syntax errors quote the offending token and its neighbours exactly as written.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `[A-Za-z][A-Za-z0-9_]*`: attribute names, keywords and function names. A leading
    /// underscore is a syntax error in DynamoDB (recorded by dynalite's putItem.js).
    Ident,
    /// `#` followed by identifier characters (possibly none).
    Name,
    /// `:` followed by identifier characters (possibly none).
    Value,
    /// A run of decimal digits (only meaningful as a list index).
    Number,
    Comma,
    Dot,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    /// A character no token starts with; the parser always rejects it.
    Invalid,
    Eof,
}

#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

fn is_ident_part(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

pub fn tokenize(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
            continue;
        }
        let start = i;
        let run = |from: usize, pred: fn(u8) -> bool| {
            let mut j = from;
            while j < bytes.len() && pred(bytes[j]) {
                j += 1;
            }
            j
        };
        let (kind, end) = match c {
            b'a'..=b'z' | b'A'..=b'Z' => (Kind::Ident, run(i + 1, is_ident_part)),
            b'0'..=b'9' => (Kind::Number, run(i + 1, |c| c.is_ascii_digit())),
            b'#' => (Kind::Name, run(i + 1, is_ident_part)),
            b':' => (Kind::Value, run(i + 1, is_ident_part)),
            b',' => (Kind::Comma, i + 1),
            b'.' => (Kind::Dot, i + 1),
            b'(' => (Kind::LParen, i + 1),
            b')' => (Kind::RParen, i + 1),
            b'[' => (Kind::LBracket, i + 1),
            b']' => (Kind::RBracket, i + 1),
            b'+' => (Kind::Plus, i + 1),
            b'-' => (Kind::Minus, i + 1),
            b'=' => (Kind::Eq, i + 1),
            b'<' => match bytes.get(i + 1) {
                Some(b'>') => (Kind::Ne, i + 2),
                Some(b'=') => (Kind::Le, i + 2),
                _ => (Kind::Lt, i + 1),
            },
            b'>' => match bytes.get(i + 1) {
                Some(b'=') => (Kind::Ge, i + 2),
                _ => (Kind::Gt, i + 1),
            },
            _ => {
                // One whole (possibly multi-byte) character.
                let width = src[i..].chars().next().map_or(1, char::len_utf8);
                (Kind::Invalid, i + width)
            }
        };
        tokens.push(Token { kind, start, end });
        i = end;
    }
    tokens.push(Token {
        kind: Kind::Eof,
        start: src.len(),
        end: src.len(),
    });
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        tokenize(src).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn splits_operators_and_words() {
        use Kind::*;
        assert_eq!(
            kinds("a.b[12] <> :v AND #n>=x"),
            vec![
                Ident, Dot, Ident, LBracket, Number, RBracket, Ne, Value, Ident, Name, Ge, Ident,
                Eof
            ]
        );
        assert_eq!(kinds("é!"), vec![Invalid, Invalid, Eof]);
    }
}
