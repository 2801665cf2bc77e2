//! Timestamps: a small ISO-8601 parser (no chrono) and relative-age wording.

/// A point in time as the server wrote it, and its epoch milliseconds.
///
/// Small (12 bytes, and so is an `Option` of it: a million rows hold three
/// each): the server's text is kept only when it is not exactly what
/// [`format_iso`] makes of the time — Rocket.Chat's
/// `2024-05-13T10:00:00.000Z` is rebuilt, not stored.
#[derive(Clone, Debug)]
pub struct Timestamp {
    epoch: Epoch,
    /// The server's text, where it is not the canonical form of `epoch`.
    text: Option<arcstr::ArcStr>,
}

/// Epoch milliseconds as an f64's bits in two 4-byte halves (no 8-byte
/// alignment for the row), the high one never zero so `Option<Timestamp>`
/// needs no room of its own: the stored high half is the real one XOR
/// `0xFFF8_0001`, a NaN pattern no time has (every NaN is stored as the
/// one canonical NaN).
#[derive(Clone, Copy, Debug)]
struct Epoch {
    high: std::num::NonZeroU32,
    low: u32,
}

impl Epoch {
    const MARK: u32 = 0xFFF8_0001;

    fn new(ms: f64) -> Self {
        let bits = if ms.is_nan() { f64::NAN } else { ms }.to_bits();
        Epoch {
            high: std::num::NonZeroU32::new((bits >> 32) as u32 ^ Self::MARK)
                .expect("only a NaN other than the canonical one has this high half"),
            low: bits as u32,
        }
    }

    fn get(self) -> f64 {
        f64::from_bits(u64::from(self.high.get() ^ Self::MARK) << 32 | u64::from(self.low))
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.epoch_ms() == other.epoch_ms() && self.raw() == other.raw()
    }
}

impl Timestamp {
    pub fn parse(raw: &str) -> Self {
        let ms = parse_iso8601(raw);
        let canonical = ms.is_some_and(|ms| iso_bytes(ms).is_some_and(|b| b == raw.as_bytes()));
        Timestamp {
            epoch: Epoch::new(ms.unwrap_or(f64::NAN)),
            text: (!canonical).then(|| raw.into()),
        }
    }

    /// From an epoch number as APIs send them: seconds when below 10^11
    /// (before year 5138 in seconds), else milliseconds.
    pub fn from_epoch_number(n: f64) -> Option<Self> {
        if !n.is_finite() || n <= 0.0 {
            return None;
        }
        let ms = if n < 1e11 { n * 1000.0 } else { n };
        Some(Timestamp {
            epoch: Epoch::new(ms),
            text: iso_bytes(ms).is_none().then(|| format_iso(ms).into()),
        })
    }

    /// Epoch milliseconds; `None` when the server's text could not be
    /// parsed (sorted last).
    pub fn epoch_ms(&self) -> Option<f64> {
        let ms = self.epoch.get();
        (!ms.is_nan()).then_some(ms)
    }

    /// The time as the server wrote it.
    pub fn raw(&self) -> std::borrow::Cow<'_, str> {
        match &self.text {
            Some(t) => std::borrow::Cow::Borrowed(t),
            None => std::borrow::Cow::Owned(format_iso(self.epoch.get())),
        }
    }
}

/// `format_iso(ms)` as bytes, without allocating, for years 0–9999 (else
/// `None`).
fn iso_bytes(ms: f64) -> Option<[u8; 24]> {
    let ms = ms as i64;
    let (secs, millis) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return None;
    }
    let mut b = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut n: i64| {
        for i in (at..at + width).rev() {
            b[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, y);
    put(5, 2, m);
    put(8, 2, d);
    put(11, 2, rem / 3600);
    put(14, 2, rem % 3600 / 60);
    put(17, 2, rem % 60);
    put(20, 3, millis);
    Some(b)
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_iso(ms: f64) -> String {
    if let Some(b) = iso_bytes(ms) {
        return b.iter().map(|&c| char::from(c)).collect();
    }
    let ms = ms as i64;
    let (secs, millis) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]` (also with a space for `T`).
/// A time without offset is taken as UTC. Returns epoch milliseconds.
pub fn parse_iso8601(s: &str) -> Option<f64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let year = num(0, 4)?;
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0, 0);
    let mut i = 10;
    if b.len() > 10 {
        if b[10] != b'T' && b[10] != b't' && b[10] != b' ' {
            return None;
        }
        hour = num(11, 2)?;
        if b.get(13) != Some(&b':') {
            return None;
        }
        minute = num(14, 2)?;
        i = 16;
        if b.get(16) == Some(&b':') {
            second = num(17, 2)?;
            i = 19;
            if b.get(19) == Some(&b'.') || b.get(19) == Some(&b',') {
                let start = 20;
                let mut end = start;
                while end < b.len() && b[end].is_ascii_digit() {
                    end += 1;
                }
                if end == start {
                    return None;
                }
                // Milliseconds are the first three digits (as `Date.parse`
                // does); integer arithmetic keeps float parsing out of the wasm.
                millis = s[start..end]
                    .bytes()
                    .chain(std::iter::repeat(b'0'))
                    .take(3)
                    .fold(0, |ms, d| ms * 10 + i64::from(d - b'0'));
                i = end;
            }
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
    }
    let mut offset_min = 0i64;
    match b.get(i) {
        None => {}
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => {}
        Some(&sign) if sign == b'+' || sign == b'-' => {
            let oh = num(i + 1, 2)?;
            let om = match b.get(i + 3) {
                Some(b':') => num(i + 4, 2)?,
                Some(_) => num(i + 3, 2)?,
                None => 0,
            };
            offset_min = oh * 60 + om;
            if sign == b'-' {
                offset_min = -offset_min;
            }
        }
        _ => return None,
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_min * 60;
    Some((secs * 1000 + millis) as f64)
}

/// Parses an HTTP date (`Retry-After`): IMF-fixdate, `Tue, 14 Nov 2023
/// 22:13:40 GMT`. Returns epoch milliseconds.
pub fn parse_http_date(s: &str) -> Option<f64> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let rest = s.trim().split_once(", ")?.1;
    let mut parts = rest.split_ascii_whitespace();
    let day: i64 = parts.next()?.parse().ok()?;
    let month = parts.next()?.to_ascii_lowercase();
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next() != Some("GMT")
        || parts.next().is_some()
        || !(1..=31).contains(&day)
        || !(1970..=9999).contains(&year)
        || h > 23
        || m > 59
        || sec > 60
    {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec;
    Some((secs * 1000) as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The unit and (negative = past) amount for a relative age, as
/// `Intl.RelativeTimeFormat` wants them: `(-3, "day")`.
pub fn relative_parts(then_ms: f64, now_ms: f64) -> (i64, &'static str) {
    // `as` saturates on hostile values; `unsigned_abs` cannot overflow.
    let secs = ((then_ms - now_ms) / 1000.0).round() as i64;
    let abs = secs.unsigned_abs();
    let (n, unit) = if abs < 60 {
        (secs, "second")
    } else if abs < 3600 {
        (secs / 60, "minute")
    } else if abs < 86_400 {
        (secs / 3600, "hour")
    } else if abs < 86_400 * 30 {
        (secs / 86_400, "day")
    } else if abs < 86_400 * 365 {
        (secs / (86_400 * 30), "month")
    } else {
        (secs / (86_400 * 365), "year")
    };
    (n, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_three_words_and_an_absent_one_takes_no_more() {
        // A row holds three: on wasm32 12 bytes each, not 24.
        assert_eq!(
            std::mem::size_of::<Timestamp>(),
            8 + std::mem::size_of::<usize>()
        );
        assert_eq!(
            std::mem::size_of::<Option<Timestamp>>(),
            std::mem::size_of::<Timestamp>()
        );
        assert_eq!(
            std::mem::align_of::<Timestamp>(),
            std::mem::align_of::<usize>()
        );
        for ms in [
            0.0,
            -1.0,
            1.5,
            1_715_594_400_123.0,
            f64::MAX,
            f64::NAN,
            -f64::NAN,
        ] {
            let t = Timestamp {
                epoch: Epoch::new(ms),
                text: None,
            };
            match t.epoch_ms() {
                Some(got) => assert_eq!(got.to_bits(), ms.to_bits()),
                None => assert!(ms.is_nan()),
            }
        }
    }

    #[test]
    fn a_canonical_time_is_rebuilt_not_stored_and_any_other_text_is_kept() {
        let canonical = Timestamp::parse("2024-05-13T10:00:00.123Z");
        assert!(canonical.text.is_none());
        assert_eq!(canonical.raw(), "2024-05-13T10:00:00.123Z");
        for kept in [
            "2024-05-13T10:00:00Z",
            "2024-05-13T12:00:00.123+02:00",
            "2024-02-30T10:00:00.000Z",
            "yesterday",
        ] {
            let t = Timestamp::parse(kept);
            assert_eq!(t.raw(), kept);
            assert!(t.text.is_some(), "{kept}");
        }
        assert_eq!(Timestamp::parse("yesterday").epoch_ms(), None);
        assert_eq!(
            Timestamp::from_epoch_number(1_715_594_400.0).unwrap().raw(),
            "2024-05-13T10:00:00.000Z"
        );
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Tue, 14 Nov 2023 22:13:40 GMT"),
            Some(1_700_000_020_000.0)
        );
        for bad in [
            "",
            "Tue 14 Nov 2023 22:13:40 GMT",
            "Tue, 14 Foo 2023 22:13:40 GMT",
            "Tue, 14 Nov 2023 25:00:00 GMT",
            "Tue, 14 Nov 2023 22:13:40 CET",
            "Tue, 99999999999999999999 Nov 2023 22:13:40 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn hostile_times_never_overflow() {
        assert_eq!(relative_parts(f64::MIN, 0.0).1, "year");
        assert_eq!(relative_parts(f64::MAX, 0.0).1, "year");
        assert_eq!(relative_parts(f64::NAN, 0.0), (0, "second"));
        assert!(Timestamp::from_epoch_number(f64::MAX).is_some());
        assert!(!format_iso(f64::MAX).is_empty());
        assert!(!format_iso(f64::MIN).is_empty());
    }

    #[test]
    fn parses_rocketchat_login_at() {
        // 2023-05-24T00:25:54.234Z — checked against Date.parse in a browser.
        assert_eq!(
            parse_iso8601("2023-05-24T00:25:54.234Z"),
            Some(1_684_887_954_234.0)
        );
    }

    #[test]
    fn parses_offsets_and_plain_dates() {
        assert_eq!(parse_iso8601("1970-01-01"), Some(0.0));
        assert_eq!(parse_iso8601("1970-01-01T01:00:00+01:00"), Some(0.0));
        assert_eq!(parse_iso8601("1969-12-31T19:00:00-0500"), Some(0.0));
        assert_eq!(
            parse_iso8601("2020-09-21T10:42:50Z"),
            Some(1_600_684_970_000.0)
        );
        assert_eq!(parse_iso8601("2000-02-29 12:00"), Some(951_825_600_000.0));
    }

    #[test]
    fn fractions_give_whole_milliseconds() {
        let base = 1_600_684_970_000.0;
        assert_eq!(parse_iso8601("2020-09-21T10:42:50.2Z"), Some(base + 200.0));
        assert_eq!(parse_iso8601("2020-09-21T10:42:50.05Z"), Some(base + 50.0));
        assert_eq!(
            parse_iso8601("2020-09-21T10:42:50.123987+00:00"),
            Some(base + 123.0)
        );
        assert_eq!(parse_iso8601("1969-12-31T23:59:59.5Z"), Some(-500.0));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2023-13-01",
            "2023-05-24T25:00:00Z",
            "2023-05-24T00:25:54.Z",
            "2023-05-24T00:25:54Zjunk",
            "<script>",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn epoch_numbers_in_seconds_or_millis() {
        let s = Timestamp::from_epoch_number(1_684_887_954.0).unwrap();
        assert_eq!(s.epoch_ms(), Some(1_684_887_954_000.0));
        assert_eq!(s.raw(), "2023-05-24T00:25:54.000Z");
        let m = Timestamp::from_epoch_number(1_684_887_954_234.0).unwrap();
        assert_eq!(m.raw(), "2023-05-24T00:25:54.234Z");
        assert_eq!(parse_iso8601(&m.raw()), m.epoch_ms());
        assert_eq!(Timestamp::from_epoch_number(-5.0), None);
        assert_eq!(Timestamp::from_epoch_number(f64::NAN), None);
    }

    #[test]
    fn relative_units() {
        let now = 1_000_000_000.0;
        assert_eq!(relative_parts(now - 30_000.0, now), (-30, "second"));
        assert_eq!(relative_parts(now - 5.0 * 60_000.0, now), (-5, "minute"));
        assert_eq!(relative_parts(now - 3.0 * 86_400_000.0, now), (-3, "day"));
        assert_eq!(relative_parts(now + 2.0 * 3_600_000.0, now), (2, "hour"));
    }
}
