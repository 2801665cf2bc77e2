//! The panel's JSON reader (`sessiondeck::json`) against serde_json over
//! 1,000,000 generated and mutated inputs: deep nesting, huge numbers,
//! escapes and surrogates, invalid UTF-8, repeated keys. Every input must get
//! the same verdict from both (and, when both accept it, the same value),
//! and nothing may panic — including reading every number, timestamp and
//! session row out of the accepted values (debug builds check overflow).
//!
//! Two divergences are deliberate and checked to be exactly that:
//! - a lone surrogate in a `\u` escape reads as U+FFFD (as browsers'
//!   `JSON.parse` keeps it) where serde_json refuses the text;
//! - a number beyond f64's range keeps its text where serde_json refuses it.
//!
//! Deterministic (fixed seed): a failure names the input and reproduces.

use sessiondeck::backends::{docspace, henshin, rocketchat, selfservice};
use sessiondeck::json::{self, Value};
use sessiondeck::time::Timestamp;

const INPUTS: usize = 1_000_000;

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
        items[self.below(items.len())]
    }
}

fn ws(rng: &mut Rng, out: &mut Vec<u8>) {
    if rng.chance(15) {
        out.extend_from_slice(rng.bytes(&[b" ", b"\n", b"\t", b"\r\n  ", b"  "]));
    }
}

fn number(rng: &mut Rng, out: &mut Vec<u8>) {
    let text: String = match rng.below(12) {
        0 => "0".into(),
        1 => "-0".into(),
        2 => rng.below(1000).to_string(),
        3 => format!("-{}", rng.next()),
        4 => format!("{}{}", rng.next(), rng.next()), // beyond u64
        5 => format!("{}.{}", rng.below(100_000), rng.below(1000)),
        6 => format!("{}e{}", rng.below(10), rng.below(400)),
        7 => format!("{}.{}E-{}", rng.below(10), rng.below(100), rng.below(400)),
        8 => format!("1e{}{}", rng.pick(&["", "+", "-"]), rng.next()), // hostile exponents
        9 => format!(
            "{}.{}e+{}",
            rng.next(),
            "9".repeat(rng.below(40)),
            rng.below(30)
        ),
        10 => rng
            .pick(&[
                "1684887954234",
                "1700000000.5",
                "9007199254740993",
                "-9223372036854775809",
                "18446744073709551616",
            ])
            .to_string(),
        _ => rng
            .pick(&[
                "01", "1.", ".5", "-", "1e", "+1", "1e+", "--1", "0x10", "1_000", "NaN", "Infinity",
            ])
            .to_string(),
    };
    out.extend_from_slice(text.as_bytes());
}

fn string(rng: &mut Rng, out: &mut Vec<u8>) {
    out.push(b'"');
    for _ in 0..rng.below(12) {
        match rng.below(14) {
            0..=4 => out.push(b"abcxyz _-:/<>=@"[rng.below(15)]),
            5 => out.extend_from_slice(rng.bytes(&[
                br#"\""#, br"\\", br"\/", br"\b", br"\f", br"\n", br"\r", br"\t",
            ])),
            6 => out.extend_from_slice(format!("\\u{:04x}", rng.below(0x80)).as_bytes()),
            7 => out.extend_from_slice(format!("\\u{:04X}", 0xD800 + rng.below(0x400)).as_bytes()), // lone or paired
            8 => out.extend_from_slice(format!("\\u{:04x}", 0xDC00 + rng.below(0x400)).as_bytes()),
            9 => out.extend_from_slice(rng.bytes(&[
                br"\ud83d\ude00",
                br"\u00e9",
                br"\u20AC",
                br"\uFFFF",
            ])),
            10 => out.extend_from_slice("é😀€ü".as_bytes()),
            11 => out.extend_from_slice(rng.bytes(&[
                b"\xff",
                b"\xc3",
                b"\xed\xa0\x80",
                b"\xf4\x90\x80\x80",
                b"\xe2\x82",
            ])),
            12 => out.push(rng.below(0x20) as u8), // raw control character
            _ => out.extend_from_slice(rng.bytes(&[br"\x", br"\u12G4", br"\u", b"\\"])),
        }
    }
    if !rng.chance(3) {
        out.push(b'"');
    }
}

fn value(rng: &mut Rng, depth: usize, out: &mut Vec<u8>) {
    ws(rng, out);
    let container = depth < 6 && rng.chance(45);
    match (container, rng.below(6)) {
        (true, 0..=2) => {
            out.push(b'[');
            let n = rng.below(5);
            for i in 0..n {
                if i > 0 {
                    out.push(b',');
                }
                value(rng, depth + 1, out);
            }
            if rng.chance(2) {
                out.push(b',');
            }
            ws(rng, out);
            out.push(b']');
        }
        (true, _) => {
            out.push(b'{');
            let keys = [
                "a",
                "id",
                "sessionId",
                "_user",
                "device",
                "items",
                "response",
                "ID",
                "a",
            ];
            let n = rng.below(6);
            for i in 0..n {
                if i > 0 {
                    out.push(b',');
                }
                ws(rng, out);
                if rng.chance(85) {
                    out.extend_from_slice(format!("\"{}\"", rng.pick(&keys)).as_bytes());
                } else {
                    string(rng, out);
                }
                ws(rng, out);
                out.push(b':');
                value(rng, depth + 1, out);
            }
            ws(rng, out);
            out.push(b'}');
        }
        (false, 0) => {
            out.extend_from_slice(rng.bytes(&[b"null", b"true", b"false", b"nul", b"tru"]))
        }
        (false, 1 | 2) => number(rng, out),
        _ => string(rng, out),
    }
    ws(rng, out);
}

/// Nesting around the 128-level limit both readers share.
fn deep(rng: &mut Rng) -> Vec<u8> {
    let n = 120 + rng.below(20);
    let mut out = Vec::new();
    for _ in 0..n {
        out.extend_from_slice(if rng.chance(50) { b"[" } else { b"{\"k\":" });
    }
    out.push(b'1');
    let open: Vec<u8> = out
        .iter()
        .copied()
        .filter(|b| *b == b'[' || *b == b'{')
        .collect();
    for b in open.iter().rev() {
        out.push(if *b == b'[' { b']' } else { b'}' });
    }
    out
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>) {
    const BYTES: &[u8] = b"{}[]\":,\\0123456789-+.eEu \t\n\x00\x80\xff\xc3\xed";
    for _ in 0..1 + rng.below(3) {
        let len = input.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] = *rng.pick(BYTES);
            }
            1 => {
                let i = rng.below(len + 1);
                input.insert(i, *rng.pick(BYTES));
            }
            2 if len > 1 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(8)).min(len);
                input.drain(i..j);
            }
            3 if len > 1 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(16)).min(len);
                let slice = input[i..j].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, slice);
            }
            4 if len > 0 => input.truncate(rng.below(len)),
            _ => input.extend_from_slice(rng.bytes(&[b"}", b"]", b",", b" x"])),
        }
    }
}

/// Reads everything the panel reads from an accepted value; must not panic.
fn exercise(v: &Value) {
    match v {
        Value::Number(_) => {
            let _ = (v.as_f64(), v.as_i64(), v.as_u64());
            if let Some(f) = v.as_f64() {
                let _ = Timestamp::from_epoch_number(f);
            }
        }
        Value::String(s) => {
            let _ = Timestamp::parse(s);
        }
        Value::Array(items) => items.iter().for_each(exercise),
        Value::Object(m) => {
            let _ = rocketchat::session_from(v);
            let _ = docspace::session_from(v, 1);
            let _ = henshin::session_from(v);
            let _ = selfservice::session_from(v);
            m.values().for_each(exercise);
        }
        Value::Null | Value::Bool(_) => {}
    }
}

/// The input with the two deliberate divergences written out: every lone
/// surrogate escape (`\uD800`–`\uDFFF` that is not a high half followed by
/// a low half) as `\ufffd`, every number beyond f64 as `null`. Returns the
/// text and whether it had (lone surrogates, out-of-range numbers).
fn normalise(input: &[u8]) -> (Vec<u8>, bool, bool) {
    let unit = |i: usize| -> Option<u32> {
        if input.get(i..i + 2) != Some(b"\\u") {
            return None;
        }
        let hex = std::str::from_utf8(input.get(i + 2..i + 6)?).ok()?;
        u32::from_str_radix(hex, 16).ok()
    };
    let mut out = Vec::with_capacity(input.len());
    let (mut i, mut in_string, mut lone, mut huge) = (0, false, false, false);
    while i < input.len() {
        let b = input[i];
        if in_string {
            match unit(i) {
                Some(0xD800..=0xDBFF) if matches!(unit(i + 6), Some(0xDC00..=0xDFFF)) => {
                    out.extend_from_slice(&input[i..i + 12]);
                    i += 12;
                }
                Some(0xD800..=0xDFFF) => {
                    out.extend_from_slice(b"\\ufffd");
                    lone = true;
                    i += 6;
                }
                _ if b == b'\\' => {
                    out.extend_from_slice(&input[i..(i + 2).min(input.len())]);
                    i += 2;
                }
                _ => {
                    in_string = b != b'"';
                    out.push(b);
                    i += 1;
                }
            }
        } else if b == b'-' || b.is_ascii_digit() {
            let end = input[i..]
                .iter()
                .position(|c| !(c.is_ascii_digit() || b"-+.eE".contains(c)))
                .map_or(input.len(), |n| i + n);
            let run = &input[i..end];
            let infinite = json::parse_bytes(run)
                .ok()
                .and_then(|v| v.as_f64())
                .is_some_and(f64::is_infinite);
            out.extend_from_slice(if infinite { b"null" } else { run });
            huge |= infinite;
            i = end;
        } else {
            in_string = b == b'"';
            out.push(b);
            i += 1;
        }
    }
    (out, lone, huge)
}

/// Our value in serde_json's terms; a number beyond f64 is `null` (as
/// [`normalise`] writes it).
fn to_serde(v: &Value) -> serde_json::Value {
    use serde_json::Value as S;
    match v {
        Value::Null => S::Null,
        Value::Bool(b) => S::Bool(*b),
        Value::Number(n) if v.as_f64().is_some_and(f64::is_infinite) => {
            let _ = n;
            S::Null
        }
        Value::Number(n) => serde_json::from_str(n.as_text())
            .unwrap_or_else(|e| panic!("our number {n} is not serde_json's ({e})")),
        Value::String(s) => S::String(s.to_string()),
        Value::Array(items) => S::Array(items.iter().map(to_serde).collect()),
        Value::Object(m) => S::Object(
            m.iter()
                .map(|(k, v)| (k.to_string(), to_serde(v)))
                .collect(),
        ),
    }
}

#[derive(Default)]
struct Tally {
    both_ok: usize,
    both_err: usize,
    surrogate: usize,
    out_of_range: usize,
}

fn compare(input: &[u8], tally: &mut Tally) {
    let ours = json::parse_bytes(input);
    let theirs = serde_json::from_slice::<serde_json::Value>(input);
    let shown = || String::from_utf8_lossy(&input[..input.len().min(300)]).into_owned();
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => {
            assert_eq!(&to_serde(a), b, "different values for {:?}", shown());
            // What we write back is JSON that reads the same.
            let back: serde_json::Value = serde_json::from_str(&a.to_string())
                .unwrap_or_else(|e| panic!("our output is not JSON ({e}) for {:?}", shown()));
            assert_eq!(&back, b, "written back differently: {:?}", shown());
            exercise(a);
            tally.both_ok += 1;
        }
        (Err(_), Err(_)) => tally.both_err += 1,
        (Ok(a), Err(e)) => {
            // Only the deliberate divergences: with them written out,
            // serde_json must read the text exactly as we did.
            let (fixed, lone, huge) = normalise(input);
            assert!(
                lone || huge,
                "we accept what serde_json refuses ({e}): {:?}",
                shown()
            );
            let want = serde_json::from_slice::<serde_json::Value>(&fixed).unwrap_or_else(|e2| {
                panic!(
                    "we accept what serde_json refuses ({e}; normalised: {e2}): {:?}",
                    shown()
                )
            });
            assert_eq!(
                to_serde(a),
                want,
                "diverging beyond the deliberate: {:?}",
                shown()
            );
            tally.surrogate += usize::from(lone);
            tally.out_of_range += usize::from(huge);
            exercise(a);
        }
        (Err(e), Ok(_)) => panic!("we refuse ({e}) what serde_json accepts: {:?}", shown()),
    }
}

#[test]
fn agrees_with_serde_json_on_a_million_generated_and_mutated_inputs() {
    let mut rng = Rng(0x5e55_10cd_ec4b_2026);
    let mut tally = Tally::default();
    let mut corpus: Vec<Vec<u8>> = Vec::new();
    for n in 0..INPUTS {
        let input = match n % 4 {
            // A fresh value (now and then nested around the depth limit).
            0 => {
                let v = if rng.chance(2) {
                    deep(&mut rng)
                } else {
                    let mut out = Vec::new();
                    value(&mut rng, 0, &mut out);
                    out
                };
                if corpus.len() < 4096 {
                    corpus.push(v.clone());
                } else {
                    let i = rng.below(corpus.len());
                    corpus[i] = v.clone();
                }
                v
            }
            // A mutation of an earlier one.
            _ => {
                let mut v = rng.pick(&corpus).clone();
                mutate(&mut rng, &mut v);
                v
            }
        };
        compare(&input, &mut tally);
    }
    let Tally {
        both_ok,
        both_err,
        surrogate,
        out_of_range,
    } = tally;
    assert!(both_ok + both_err + surrogate + out_of_range >= INPUTS);
    // The generator must reach every case, or the test proves little.
    assert!(both_ok > INPUTS / 10, "valid inputs: {both_ok}");
    assert!(both_err > INPUTS / 10, "invalid inputs: {both_err}");
    assert!(surrogate > 100, "lone surrogates: {surrogate}");
    assert!(out_of_range > 100, "out-of-range numbers: {out_of_range}");
    eprintln!("json differential: {both_ok} accepted alike, {both_err} refused alike, {surrogate} lone surrogates, {out_of_range} out-of-range numbers");
}

#[test]
fn the_divergence_checks_can_fail() {
    // What excuses the two deliberate divergences touches nothing else.
    let n = |s: &[u8]| {
        let (text, lone, huge) = normalise(s);
        (String::from_utf8(text).unwrap(), lone, huge)
    };
    assert_eq!(n(br#""a\ud800b""#), (r#""a\ufffdb""#.into(), true, false));
    assert_eq!(
        n(br#""\udc00\ud800""#),
        (r#""\ufffd\ufffd""#.into(), true, false)
    );
    assert!(!n(br#""\ud83d\ude00""#).1);
    assert!(!n(br#""\\ud800""#).1, "an escaped backslash");
    assert!(!n(br#""1e999""#).2, "text, not a number");
    assert_eq!(
        n(br#"{"a":-2e999,"b":[1e300]}"#),
        (r#"{"a":null,"b":[1e300]}"#.into(), false, true)
    );
}
