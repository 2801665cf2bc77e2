//! Revoke by criteria: conditions beyond the text filter — idle for more
//! than N days, signed in before a date, client, OS, IP or subnet (CIDR),
//! location. Together with the filter they make the list a bulk revoke
//! previews. A criterion that cannot be read matches nothing (and says
//! why): a mistyped subnet must never widen a revoke.

use crate::lowercase::lower;
use crate::model::Session;
use std::net::IpAddr;

const DAY_MS: f64 = 86_400_000.0;

/// The criteria as typed (and kept in the URL). Empty = no condition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Criteria {
    /// Last active (else signed in) more than this many days ago.
    pub idle_days: String,
    /// Signed in before this day (`YYYY-MM-DD`, UTC).
    pub login_before: String,
    /// The client's name or version contains this (any case).
    pub client: String,
    /// The OS's name or version contains this (any case).
    pub os: String,
    /// An address (its /32 or /128), a subnet ("10.0.0.0/8", "2001:db8::/32") or
    /// whole IPv4 octets ("10.1." = 10.1.0.0/16).
    pub net: String,
    /// The reported location contains this (any case).
    pub location: String,
}

/// The URL names of [`Criteria`]'s fields, in order.
pub const URL_KEYS: [&str; 6] = ["idle", "before", "client", "os", "net", "loc"];

impl Criteria {
    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|f| f.trim().is_empty())
    }

    /// The fields in [`URL_KEYS`] order.
    pub fn fields(&self) -> [&String; 6] {
        [
            &self.idle_days,
            &self.login_before,
            &self.client,
            &self.os,
            &self.net,
            &self.location,
        ]
    }

    /// The field named `key` in the URL.
    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "idle" => &mut self.idle_days,
            "before" => &mut self.login_before,
            "client" => &mut self.client,
            "os" => &mut self.os,
            "net" => &mut self.net,
            "loc" => &mut self.location,
            _ => return None,
        })
    }

    /// The criteria in words, for the activity record: "idle > 30 days; IP
    /// or subnet 10.0.0.0/8" ("" for none).
    pub fn describe(&self) -> String {
        let names = [
            "idle more than (days)",
            "signed in before",
            "client",
            "OS",
            "IP or subnet",
            "location",
        ];
        names
            .iter()
            .zip(self.fields())
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(n, v)| format!("{n} {}", v.trim()))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Reads the criteria against the time `now_ms`; `Err` names each one
    /// that cannot be read.
    pub fn compile(&self, now_ms: f64) -> Result<Compiled, String> {
        let mut errors = Vec::new();
        let mut c = Compiled::default();
        let idle = self.idle_days.trim();
        if !idle.is_empty() {
            match idle.parse::<u32>() {
                Ok(d) => c.active_before = Some(now_ms - f64::from(d) * DAY_MS),
                Err(_) => errors.push(format!(
                    "Idle for more than: \u{201c}{idle}\u{201d} is not a whole number of days."
                )),
            }
        }
        let before = self.login_before.trim();
        if !before.is_empty() {
            match (before.len() == 10)
                .then(|| crate::time::parse_iso8601(&format!("{before}T00:00:00Z")))
                .flatten()
            {
                Some(ms) => c.login_before = Some(ms),
                None => errors.push(format!(
                    "Signed in before: \u{201c}{before}\u{201d} is not a date (YYYY-MM-DD)."
                )),
            }
        }
        let net = self.net.trim();
        if !net.is_empty() {
            match Net::parse(net) {
                Some(n) => c.net = Some(n),
                None => errors.push(format!(
                    "IP or subnet: \u{201c}{net}\u{201d} is not an address (10.0.0.1), a subnet (10.0.0.0/8) or whole octets (10.1.)."
                )),
            }
        }
        c.client = lower(self.client.trim());
        c.os = lower(self.os.trim());
        c.location = lower(self.location.trim());
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(errors.join(" "))
        }
    }
}

/// IP criterion: always a network, never text. A full address is its own
/// /32 (IPv4) or /128 (IPv6) — `10.0.0.1` is not `10.0.0.12`; a subnet is
/// as written (`10.0.0.0/8`); a partial IPv4 address ends at an octet
/// (`10.1.` and `10.1` are `10.1.0.0/16`, never `10.10.…`).
#[derive(Clone, Debug, PartialEq)]
struct Net {
    addr: IpAddr,
    bits: u8,
}

impl Net {
    fn parse(s: &str) -> Option<Net> {
        let s = s.trim();
        if let Some((addr, bits)) = s.split_once('/') {
            let addr: IpAddr = addr.trim().parse().ok()?;
            let bits = bits.trim();
            if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let bits: u8 = bits.parse().ok()?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            return (bits <= max).then_some(Net { addr, bits });
        }
        let unbracketed = s.trim_start_matches('[').trim_end_matches(']');
        if let Ok(addr) = unbracketed.parse::<IpAddr>() {
            let bits = if addr.is_ipv4() { 32 } else { 128 };
            return Some(Net { addr, bits });
        }
        // One to three whole IPv4 octets, with or without the final dot.
        let octets: Vec<&str> = s.strip_suffix('.').unwrap_or(s).split('.').collect();
        if (1..=3).contains(&octets.len())
            && octets
                .iter()
                .all(|o| !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()))
        {
            let mut full = [0u8; 4];
            for (slot, o) in full.iter_mut().zip(&octets) {
                *slot = o.parse().ok()?;
            }
            return Some(Net {
                addr: IpAddr::from(full),
                bits: 8 * octets.len() as u8,
            });
        }
        None
    }

    fn matches(&self, ip: &str) -> bool {
        // A proxy's list ("client, proxy"): the first is the client.
        let ip = ip.split(',').next().unwrap_or("").trim();
        let ip = ip.trim_start_matches('[').trim_end_matches(']');
        let Ok(addr) = ip.parse::<IpAddr>() else {
            return false;
        };
        // An IPv4 address written as IPv6 (::ffff:a.b.c.d) is IPv4.
        let addr = match addr {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
            v4 => v4,
        };
        let bits = u32::from(self.bits);
        match (self.addr, addr) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Criteria ready to test rows (see [`Criteria::compile`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compiled {
    active_before: Option<f64>,
    login_before: Option<f64>,
    client: String,
    os: String,
    net: Option<Net>,
    location: String,
}

impl Compiled {
    pub fn is_empty(&self) -> bool {
        *self == Compiled::default()
    }

    /// Whether `s` meets every criterion. A row without the value a
    /// criterion asks about (no time, no IP) does not meet it.
    pub fn matches(&self, s: &Session) -> bool {
        self.matches_device(s) && self.matches_own(s)
    }

    /// Whether the texts `s` shares with every session from the same kind
    /// of device (client, system, location) meet the criteria: the same
    /// answer for all of them, so a list asks once per device.
    pub fn matches_device(&self, s: &Session) -> bool {
        let contains =
            |field: &Option<crate::model::Text>, extra: &Option<crate::model::Text>, want: &str| {
                want.is_empty()
                    || [field, extra]
                        .into_iter()
                        .flatten()
                        .any(|v| contains_folded(v, want))
            };
        contains(&s.client, &s.client_version, &self.client)
            && contains(&s.os, &s.os_version, &self.os)
            && contains(&s.location, &None, &self.location)
    }

    /// Whether what is the row's own (its times, its address) meets the
    /// criteria.
    pub fn matches_own(&self, s: &Session) -> bool {
        if let Some(cut) = self.active_before {
            let last = s
                .last_active
                .as_ref()
                .or(s.login_at.as_ref())
                .and_then(|t| t.epoch_ms());
            if !last.is_some_and(|t| t < cut) {
                return false;
            }
        }
        if let Some(cut) = self.login_before {
            if !s
                .login_at
                .as_ref()
                .and_then(|t| t.epoch_ms())
                .is_some_and(|t| t < cut)
            {
                return false;
            }
        }
        match &self.net {
            Some(net) => s.ip.as_deref().is_some_and(|ip| net.matches(ip)),
            None => true,
        }
    }
}

/// `hay` contains `want` (already lower-cased), in any case; no allocation
/// for ASCII text (100,000 rows are checked per change).
pub(crate) fn contains_folded(hay: &str, want: &str) -> bool {
    if hay.is_ascii() && want.is_ascii() {
        let (h, w) = (hay.as_bytes(), want.as_bytes());
        w.is_empty() || h.windows(w.len()).any(|win| win.eq_ignore_ascii_case(w))
    } else {
        lower(hay).contains(want)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    const NOW: f64 = 1_764_000_000_000.0; // 2025-11-24

    fn at(days_ago: f64) -> Option<Timestamp> {
        Timestamp::from_epoch_number(NOW - days_ago * DAY_MS)
    }

    fn row(ip: &str) -> Session {
        Session {
            id: ip.into(),
            ip: Some(ip.into()),
            client: Some("Chrome".into()),
            client_version: Some("120.0".into()),
            os: Some("Windows".into()),
            location: Some("Riga, Latvia".into()),
            login_at: at(40.0),
            last_active: at(10.0),
            ..Default::default()
        }
    }

    fn crit(f: impl FnOnce(&mut Criteria)) -> Compiled {
        let mut c = Criteria::default();
        f(&mut c);
        c.compile(NOW).expect("valid")
    }

    #[test]
    fn subnets_v4_v6_mapped_and_prefixes() {
        let net = |n: &str| crit(|c| c.net = n.into());
        let n8 = net("10.0.0.0/8");
        assert!(n8.matches(&row("10.200.3.4")));
        assert!(!n8.matches(&row("11.0.0.1")));
        assert!(n8.matches(&row("::ffff:10.1.2.3")), "IPv4-mapped IPv6");
        assert!(
            n8.matches(&row("10.1.1.1, 203.0.113.9")),
            "first of a proxy list"
        );
        assert!(net("192.168.1.7/32").matches(&row("192.168.1.7")));
        assert!(!net("192.168.1.7/32").matches(&row("192.168.1.8")));
        assert!(net("0.0.0.0/0").matches(&row("8.8.8.8")));
        assert!(
            !net("0.0.0.0/0").matches(&row("2001:db8::1")),
            "v6 is not in a v4 net"
        );
        let v6 = net("2001:db8::/32");
        assert!(v6.matches(&row("2001:db8:ffff::1")));
        assert!(v6.matches(&row("[2001:db8::2]")));
        assert!(!v6.matches(&row("2001:db9::1")));
        assert!(net("10.1.").matches(&row("10.1.9.9")));
        assert!(!net("10.1.").matches(&row("10.10.9.9")));
        assert!(net("10.1").matches(&row("10.1.9.9")));
        assert!(!net("10.1").matches(&row("10.10.9.9")), "octets, not text");
        assert!(!net("10.1").matches(&row("10.100.0.1")));
        // A full address is that address only, never a text prefix of another.
        assert!(net("10.0.0.1").matches(&row("10.0.0.1")));
        assert!(!net("10.0.0.1").matches(&row("10.0.0.12")));
        assert!(!net("10.0.0.1").matches(&row("10.0.0.100")));
        assert!(net("2001:db8::1").matches(&row("2001:db8::1")));
        assert!(!net("2001:db8::1").matches(&row("2001:db8::10")));
        assert!(!net("2001:db8::1").matches(&row("2001:db8::1:0")));
        assert!(net("[2001:db8::1]").matches(&row("[2001:db8::1]")));
        assert!(net("10.0.0.1").matches(&row("::ffff:10.0.0.1")));
        let mut no_ip = row("x");
        no_ip.ip = None;
        assert!(!n8.matches(&no_ip), "no IP never meets an IP criterion");
    }

    #[test]
    fn unreadable_criteria_are_refused_with_the_reason() {
        for (f, v, word) in [
            ("net", "10.0.0/8", "IP or subnet"),
            ("net", "10.0.0.0/33", "IP or subnet"),
            ("net", "evil.com", "IP or subnet"),
            ("net", "2001:db8", "IP or subnet"),
            ("net", "10.0.0.1/", "IP or subnet"),
            ("net", "10.1..", "IP or subnet"),
            ("net", "1000.1.", "IP or subnet"),
            ("idle", "7 days", "Idle"),
            ("idle", "-1", "Idle"),
            ("before", "01/02/2025", "Signed in before"),
            ("before", "2025-13-40", "Signed in before"),
        ] {
            let mut c = Criteria::default();
            *c.field_mut(f).unwrap() = v.into();
            let e = c.compile(NOW).expect_err(v);
            assert!(e.contains(word) && e.contains(v), "{e}");
        }
    }

    #[test]
    fn idle_uses_last_active_else_login_and_unknown_times_never_match() {
        assert!(crit(|c| c.idle_days = "7".into()).matches(&row("a")));
        assert!(!crit(|c| c.idle_days = "30".into()).matches(&row("a")));
        let mut no_activity = row("b");
        no_activity.last_active = None; // Rocket.Chat reports no activity: login counts
        assert!(crit(|c| c.idle_days = "30".into()).matches(&no_activity));
        no_activity.login_at = None;
        assert!(!crit(|c| c.idle_days = "0".into()).matches(&no_activity));
        let before = |d: &str| crit(|c| c.login_before = d.into());
        assert!(
            before("2025-11-01").matches(&row("c")),
            "40 days ago is 2025-10-15"
        );
        assert!(!before("2025-10-01").matches(&row("c")));
    }

    #[test]
    fn text_criteria_any_case_across_name_and_version_and_all_must_hold() {
        assert!(!crit(|c| c.client = "chrome 120".into()).matches(&row("a")));
        assert!(crit(|c| c.client = "CHROME".into()).matches(&row("a")));
        assert!(crit(|c| c.client = "120.".into()).matches(&row("a")));
        assert!(crit(|c| c.os = "win".into()).matches(&row("a")));
        assert!(crit(|c| c.location = "latvia".into()).matches(&row("a")));
        let mut accented = row("b");
        accented.location = Some("Köln, Deutschland".into());
        assert!(crit(|c| c.location = "KÖLN".into()).matches(&accented));
        let both = crit(|c| {
            c.os = "win".into();
            c.location = "estonia".into();
        });
        assert!(!both.matches(&row("a")), "every criterion must hold");
        assert!(Criteria::default().is_empty());
        assert!(Criteria::default().compile(NOW).unwrap().is_empty());
    }
}
