//! The panel's JSON: a small reader and writer with the part of
//! `serde_json::Value`'s interface the backends use.
//!
//! Why not serde_json: in the wasm, serde_json and the derived
//! (de)serialisers weighed about 65 KB (30 KB gzip, a ninth of the download).
//! Every answer is read leniently, field by field, so the panel needs a
//! parser and a writer, not a data-binding framework.
//!
//! A parsed value borrows from the text it was read from: a string without
//! escapes (nearly every key and value a server sends) is a slice of it, not
//! a copy — a page of 100 sessions is read with a few allocations instead of
//! thousands. [`Value::into_owned`] detaches one from its text.
//!
//! Hostile input is expected: nesting is capped ([`MAX_DEPTH`]), work is linear
//! in the input (duplicate keys included), and errors say where the text
//! stopped being JSON. Numbers keep the text the server sent; they are read as
//! integers on demand, so no float parser is needed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::ops::Index;

/// The deepest nesting read; deeper is refused. serde_json's limit too: it
/// refuses the 128th level (found by the differential test).
pub const MAX_DEPTH: usize = 127;

/// A JSON value; `'a` is the text it was read from (`'static` when built
/// in code or detached with [`Value::into_owned`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value<'a> {
    #[default]
    Null,
    Bool(bool),
    Number(Number<'a>),
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object(Map<'a>),
}

/// A JSON number as the server wrote it (validated against JSON's grammar).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number<'a>(Cow<'a, str>);

/// An object's members in the order the server sent them; a repeated key
/// keeps its first position and its last value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map<'a>(Vec<(Cow<'a, str>, Value<'a>)>);

/// Where and why a text is not JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub what: &'static str,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.what, self.line, self.column
        )
    }
}

static NULL: Value = Value::Null;

impl<'a> Value<'a> {
    /// `key` of an object; `None` for a missing key or a non-object.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        match self {
            Value::Object(m) => m.get(key),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&Vec<Value<'a>>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Map<'a>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_object_mut(&mut self) -> Option<&mut Map<'a>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => n.as_f64(),
            _ => None,
        }
    }
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }
    /// An object of `members`, in order.
    pub fn object<K: Into<Cow<'a, str>>>(
        members: impl IntoIterator<Item = (K, Value<'a>)>,
    ) -> Value<'a> {
        let mut m = Map::default();
        for (k, v) in members {
            m.insert(k, v);
        }
        Value::Object(m)
    }

    /// The same value, no longer borrowing from the text it was read from.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Number(Number(n)) => Value::Number(Number(n.into_owned().into())),
            Value::String(s) => Value::String(s.into_owned().into()),
            Value::Array(items) => Value::Array(items.into_iter().map(Value::into_owned).collect()),
            Value::Object(Map(members)) => Value::Object(Map(members
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                .collect())),
        }
    }
}

/// `value["key"]`: the member, or `Null` (like serde_json), so lookups chain.
impl<'a> Index<&str> for Value<'a> {
    type Output = Value<'a>;
    fn index(&self, key: &str) -> &Value<'a> {
        self.get(key).unwrap_or(&NULL)
    }
}

/// A copy: a value built in code owns its texts.
impl From<&str> for Value<'_> {
    fn from(s: &str) -> Self {
        Value::String(Cow::Owned(s.to_string()))
    }
}
impl From<String> for Value<'_> {
    fn from(s: String) -> Self {
        Value::String(Cow::Owned(s))
    }
}
impl From<bool> for Value<'_> {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Value::Number(Number(n.to_string().into()))
    }
}
impl From<u64> for Value<'_> {
    fn from(n: u64) -> Self {
        Value::Number(Number(n.to_string().into()))
    }
}

impl Number<'_> {
    /// The number as written, e.g. `"5"`, `"-0.5"`, `"1e3"`.
    pub fn as_text(&self) -> &str {
        &self.0
    }
    /// Whole numbers written without fraction or exponent.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }
    /// The value, exact for up to 15 significant digits and exponents of at
    /// most ±22 (every timestamp and count a session API sends); beyond that
    /// within a few units in the last place.
    pub fn as_f64(&self) -> Option<f64> {
        let s: &str = &self.0;
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        // Exponents beyond ±400 are 0 or infinity anyway; clamping keeps the
        // arithmetic below from overflowing on hostile numbers.
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], clamp_exponent(&s[i + 1..])?),
            None => (s, 0),
        };
        let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mut digits = 0u64;
        let frac_len = i32::try_from(frac.len()).unwrap_or(i32::MAX);
        let mut scale = exp.saturating_sub(frac_len);
        for d in whole.bytes().chain(frac.bytes()) {
            if digits < 1_000_000_000_000_000_000 {
                digits = digits * 10 + u64::from(d - b'0');
            } else {
                scale = scale.saturating_add(1);
            }
        }
        let scale = scale.clamp(-800, 800);
        let magnitude = if digits == 0 {
            0.0
        } else if scale >= 0 {
            digits as f64 * pow10(scale)
        } else {
            digits as f64 / pow10(-scale)
        };
        Some(if neg { -magnitude } else { magnitude })
    }
}

/// An exponent's digits as a number within ±10,000 (more is no different
/// for an f64); `None` when they are not an exponent.
fn clamp_exponent(e: &str) -> Option<i32> {
    let (neg, digits) = match e.as_bytes().first() {
        Some(b'-') => (true, &e[1..]),
        Some(b'+') => (false, &e[1..]),
        _ => (false, e),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    let n = if significant.len() > 5 {
        10_000
    } else {
        significant.parse::<i32>().unwrap_or(0).min(10_000)
    };
    Some(if neg { -n } else { n })
}

/// 10^n as f64; exact up to 10^22.
fn pow10(n: i32) -> f64 {
    let mut r = 1.0;
    for _ in 0..n.min(400) {
        r *= 10.0;
    }
    r
}

impl fmt::Display for Number<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'a> Map<'a> {
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    /// Sets `key`, keeping its position when it is already there.
    pub fn insert(&mut self, key: impl Into<Cow<'a, str>>, value: Value<'a>) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }
    pub fn remove(&mut self, key: &str) -> Option<Value<'a>> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value<'a>)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }
    pub fn values(&self) -> impl Iterator<Item = &Value<'a>> {
        self.0.iter().map(|(_, v)| v)
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Folds repeated keys (first position, last value): a direct check for
    /// the small objects servers send, a hash map (linear time) for big ones.
    fn from_members(mut members: Vec<(Cow<'a, str>, Value<'a>)>) -> Map<'a> {
        if members.len() <= 16 {
            let repeated =
                (1..members.len()).any(|i| members[..i].iter().any(|(k, _)| *k == members[i].0));
            if !repeated {
                return Map(members);
            }
        }
        if members.len() > 1 {
            let mut first: HashMap<&str, usize> = HashMap::with_capacity(members.len());
            let mut moves = Vec::new();
            for (i, (k, _)) in members.iter().enumerate() {
                if let Some(&at) = first.get(&**k) {
                    moves.push((i, at));
                } else {
                    first.insert(k, i);
                }
            }
            if !moves.is_empty() {
                let mut keep = vec![true; members.len()];
                for &(from, to) in &moves {
                    let v = std::mem::take(&mut members[from].1);
                    members[to].1 = v;
                    keep[from] = false;
                }
                let mut i = 0;
                members.retain(|_| {
                    i += 1;
                    keep[i - 1]
                });
            }
        }
        Map(members)
    }
}

/// Compact JSON, as the servers expect in request bodies.
impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            Value::Number(n) => f.write_str(&n.0),
            Value::String(s) => write_string(f, s),
            Value::Array(items) => {
                f.write_char('[')?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_char(']')
            }
            Value::Object(m) => {
                f.write_char('{')?;
                for (i, (k, v)) in m.0.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write_string(f, k)?;
                    write!(f, ":{v}")?;
                }
                f.write_char('}')
            }
        }
    }
}

fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        f.write_str(&s[plain..i])?;
        if escape.is_empty() {
            write!(
                f,
                "\\u00{}{}",
                hex_digit(c as u8 >> 4),
                hex_digit(c as u8 & 15)
            )?;
        } else {
            f.write_str(escape)?;
        }
        plain = i + c.len_utf8();
    }
    f.write_str(&s[plain..])?;
    f.write_char('"')
}

fn hex_digit(n: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(n)])
}

/// Reads one JSON value; surrounding whitespace is allowed, anything else
/// after it is an error.
pub fn parse(text: &str) -> Result<Value<'_>, Error> {
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.skip_ws();
    if p.i < p.s.len() {
        return Err(p.error("trailing characters"));
    }
    Ok(v)
}

/// [`parse`] for bytes; invalid UTF-8 is an error.
pub fn parse_bytes(bytes: &[u8]) -> Result<Value<'_>, Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(e) => {
            let before = &bytes[..e.valid_up_to()];
            Err(Error {
                what: "invalid UTF-8",
                line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
                column: 1 + before.iter().rev().take_while(|&&b| b != b'\n').count(),
            })
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &'static str) -> Error {
        let before = &self.s[..self.i.min(self.s.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        Error {
            what,
            line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
            column: 1 + String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count(),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Value<'a>, Error> {
        self.skip_ws();
        match self.s.get(self.i) {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'{') => self.nested(Parser::object),
            Some(b'[') => self.nested(Parser::array),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected value")),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Value<'a>, Error>) -> Result<Value<'a>, Error> {
        if self.depth == MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        self.depth += 1;
        self.i += 1;
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn literal(&mut self, word: &str, v: Value<'a>) -> Result<Value<'a>, Error> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.error("expected value"))
        }
    }

    fn array(&mut self) -> Result<Value<'a>, Error> {
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error(if self.i < self.s.len() {
                    "expected `,` or `]`"
                } else {
                    "EOF while parsing a list"
                }));
            }
        }
    }

    fn object(&mut self) -> Result<Value<'a>, Error> {
        let mut members = Vec::new();
        self.skip_ws();
        if self.eat(b'}') {
            return Ok(Value::Object(Map(members)));
        }
        loop {
            self.skip_ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.error(if self.i < self.s.len() {
                    "key must be a string"
                } else {
                    "EOF while parsing an object"
                }));
            }
            let key = self.string()?;
            self.skip_ws();
            if !self.eat(b':') {
                return Err(self.error("expected `:`"));
            }
            members.push((key, self.value()?));
            self.skip_ws();
            if self.eat(b'}') {
                return Ok(Value::Object(Map::from_members(members)));
            }
            if !self.eat(b',') {
                return Err(self.error(if self.i < self.s.len() {
                    "expected `,` or `}`"
                } else {
                    "EOF while parsing an object"
                }));
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value<'a>, Error> {
        let start = self.i;
        self.eat(b'-');
        let leading_zero = self.s.get(self.i) == Some(&b'0');
        match self.digits() {
            0 => return Err(self.error("invalid number")),
            n if n > 1 && leading_zero => return Err(self.error("invalid number")),
            _ => {}
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(self.error("invalid number"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Value::Number(Number(Cow::Borrowed(
            &self.text[start..self.i],
        ))))
    }

    /// A string starting at the opening quote; escapes decoded. A lone
    /// surrogate in `\u` escapes reads as U+FFFD (as browsers' JSON.parse
    /// keeps it), so one odd device name cannot void a whole page.
    fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // Stopped at an ASCII byte (or the end): a char boundary.
            let run = &self.text[start..self.i];
            match self.s.get(self.i) {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => {
                    self.i += 1;
                    if out.is_empty() {
                        return Ok(Cow::Borrowed(run));
                    }
                    out.push_str(run);
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    out.push_str(run);
                    self.i += 1;
                    let c = match self.s.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    self.i += 1;
                    out.push(c);
                }
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut n = 0;
        for _ in 0..4 {
            let d = match self.s.get(self.i) {
                Some(&b) => char::from(b).to_digit(16),
                None => None,
            };
            let Some(d) = d else {
                return Err(self.error("invalid \\u escape"));
            };
            n = n * 16 + d;
            self.i += 1;
        }
        Ok(n)
    }

    /// After `\u`: one code point, joining a surrogate pair when one follows.
    fn unicode_escape(&mut self) -> Result<char, Error> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.s[self.i..].starts_with(b"\\u") {
            let save = self.i;
            self.i += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            self.i = save;
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Value<'_> {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// What serde_json makes of the same text, written back by both.
    fn same_as_serde(s: &str) {
        let ours = parse(s);
        let theirs = serde_json::from_str::<serde_json::Value>(s);
        match (ours, theirs) {
            (Ok(a), Ok(b)) => {
                let back: serde_json::Value = serde_json::from_str(&a.to_string()).unwrap();
                assert_eq!(back, b, "{s}");
            }
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{s}: ours {a:?}, serde_json {b:?}"),
        }
    }

    #[test]
    fn agrees_with_serde_json() {
        for s in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "12",
            "-12.5e3",
            "1E+2",
            "\"\"",
            r#""a\"b\\c\/d\b\f\n\r\t\u00e9\u20ac\ud83d\ude00""#,
            "[]",
            "[1,[2,[3]],{}]",
            r#"{"a":1,"b":[true,null],"c":{"d":"e"}}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"name":"<img src=x onerror=alert(1)>"}"#,
            "\"caf\u{e9} \u{1f600}\"",
            // Not JSON:
            "",
            "nul",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":1,}",
            "\"abc",
            "\"a\u{1}b\"",
            r#""\x""#,
            r#""\u12G4""#,
            "[1] x",
            "NaN",
        ] {
            same_as_serde(s);
        }
    }

    #[test]
    fn repeated_keys_keep_first_place_and_last_value() {
        let v = p(r#"{"a":1,"b":2,"a":3,"c":4,"b":5}"#);
        assert_eq!(v.to_string(), r#"{"a":3,"b":5,"c":4}"#);
        assert_eq!(v["a"].as_i64(), Some(3));
    }

    #[test]
    fn lookups_chain_through_missing_members() {
        let v = p(r#"{"device":{"os":{"name":"Linux"}},"n":7,"s":"x"}"#);
        assert_eq!(v["device"]["os"]["name"].as_str(), Some("Linux"));
        assert_eq!(v["nope"]["os"]["name"], Value::Null);
        assert_eq!(v["s"]["x"], Value::Null);
        assert_eq!(v.get("n").and_then(Value::as_u64), Some(7));
        assert_eq!(v["s"].as_u64(), None);
    }

    #[test]
    fn strings_without_escapes_borrow_from_the_text_and_into_owned_detaches() {
        let text = String::from(r#"{"id":"s1","name":"a\"b","n":12,"os":{"name":"Linux"}}"#);
        let v = parse(&text).unwrap();
        let borrowed = |v: &Value| match v {
            Value::String(Cow::Borrowed(s)) => {
                let inside = text.as_bytes().as_ptr_range();
                assert!(inside.contains(&s.as_ptr()), "{s} is a slice of the text");
                true
            }
            _ => false,
        };
        assert!(borrowed(&v["id"]));
        assert!(borrowed(&v["os"]["name"]));
        // An escape makes its own (decoded) copy.
        assert!(matches!(&v["name"], Value::String(Cow::Owned(s)) if s == "a\"b"));
        let Some(Map(members)) = v.as_object() else {
            panic!()
        };
        assert!(
            members.iter().all(|(k, _)| matches!(k, Cow::Borrowed(_))),
            "keys too"
        );
        let owned: Value<'static> = v.clone().into_owned();
        drop(text);
        assert_eq!(owned["os"]["name"].as_str(), Some("Linux"));
        assert_eq!(owned["n"].as_u64(), Some(12));
        assert_eq!(
            owned.to_string(),
            r#"{"id":"s1","name":"a\"b","n":12,"os":{"name":"Linux"}}"#
        );
    }

    #[test]
    fn numbers_keep_their_text_and_read_as_integers_or_floats() {
        fn n(s: &str) -> Number<'_> {
            match p(s) {
                Value::Number(n) => n,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(n("1684887954234").as_u64(), Some(1_684_887_954_234));
        assert_eq!(n("-5").as_i64(), Some(-5));
        assert_eq!(n("-5").as_u64(), None);
        assert_eq!(n("1.5").as_i64(), None);
        assert_eq!(n("1.5").as_text(), "1.5");
        for (text, want) in [
            ("1.5", 1.5),
            ("-0.25", -0.25),
            ("1684887954.234", 1_684_887_954.234),
            ("1e3", 1000.0),
            ("12E-1", 1.2),
            ("0", 0.0),
        ] {
            assert_eq!(n(text).as_f64(), Some(want), "{text}");
        }
        // Hostile exponents: no overflow, just 0 or infinity.
        for (text, want) in [
            ("1e-2147483648", 0.0),
            ("1.5e-99999999999999999999", 0.0),
            ("1e2147483647", f64::INFINITY),
            ("-9e99999999999999999999", f64::NEG_INFINITY),
            ("0e999999", 0.0),
        ] {
            assert_eq!(n(text).as_f64(), Some(want), "{text}");
        }
        let long = format!("1.{}e-2147483647", "1".repeat(100_000));
        assert_eq!(n(&long).as_f64(), Some(0.0));
        // Beyond 19 digits: close, not exact (documented).
        let big = n("123456789012345678901234").as_f64().unwrap();
        assert!(
            (big / 1.234_567_890_123_456_8e23 - 1.0).abs() < 1e-15,
            "{big}"
        );
    }

    #[test]
    fn nesting_is_capped() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(&deep).unwrap_err().what, "nesting too deep");
        // Far deeper than the stack could take: refused, not a crash.
        assert!(parse(&"{\"a\":".repeat(100_000)).is_err());
    }

    #[test]
    fn many_repeated_keys_stay_linear() {
        let body = format!("{{{}\"k\":0}}", "\"k\":1,".repeat(200_000));
        let v = p(&body);
        assert_eq!(v.as_object().map(Map::len), Some(1));
        assert_eq!(v["k"].as_i64(), Some(0));
    }

    #[test]
    fn lone_surrogates_read_as_replacement_characters() {
        assert_eq!(p(r#""a\ud800b""#).as_str(), Some("a\u{FFFD}b"));
        assert_eq!(p(r#""\udc00""#).as_str(), Some("\u{FFFD}"));
        assert_eq!(p(r#""\ud800\u0041""#).as_str(), Some("\u{FFFD}A"));
    }

    #[test]
    fn errors_say_where() {
        let e = parse("{\n  \"a\": tru\n}").unwrap_err();
        assert_eq!((e.what, e.line, e.column), ("expected value", 2, 8));
        assert_eq!(e.to_string(), "expected value at line 2 column 8");
        let e = parse_bytes(b"\"ok\xff\"").unwrap_err();
        assert_eq!((e.what, e.line, e.column), ("invalid UTF-8", 1, 4));
    }

    #[test]
    fn writes_escaped_compact_json() {
        let v = Value::object([
            ("user", Value::from("a\"b\\c\n\u{1}")),
            ("n", Value::from(5u64)),
            ("ok", Value::from(true)),
            ("list", Value::Array(vec![Value::Null, Value::from(-2i64)])),
        ]);
        let text = v.to_string();
        assert_eq!(
            text,
            r#"{"user":"a\"b\\c\n\u0001","n":5,"ok":true,"list":[null,-2]}"#
        );
        assert_eq!(p(&text), v);
    }

    #[test]
    fn map_edits() {
        let mut v = p(r#"{"a":1,"success":true}"#);
        let m = v.as_object_mut().unwrap();
        assert_eq!(m.remove("success"), Some(Value::Bool(true)));
        m.insert("code", Value::from("123"));
        m.insert("a", Value::from(2u64));
        assert_eq!(v.to_string(), r#"{"a":2,"code":"123"}"#);
    }
}
