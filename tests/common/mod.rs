//! What the seed-sample tests share: reading a fixture, and a server answer
//! made of one.

use sessiondeck::http::request::RawResponse;

/// `tests/fixtures/<path>` as text.
pub fn fixture(path: &str) -> String {
    let p = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// An answer with `status` whose body is the fixture at `path`.
pub fn answer(status: u16, path: &str) -> RawResponse {
    RawResponse {
        status,
        body: fixture(path),
        ..Default::default()
    }
}
