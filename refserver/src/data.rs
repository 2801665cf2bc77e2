//! Seeded, deterministic sample data: users and their sessions.

use serde_json::{json, Value};

/// splitmix64: tiny, deterministic, good enough for sample data.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// A Meteor-style 17-character ID.
    pub fn id(&mut self) -> String {
        const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";
        (0..17)
            .map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub username: String,
    pub name: Option<String>,
    pub email: String,
    pub password: String,
    pub roles: Vec<String>,
    /// Second-factor methods; empty = password fallback only.
    pub two_factor: Vec<String>,
}

impl User {
    /// A plain user of the sample data: no usable password, no second factor.
    fn sample(id: String, username: String, name: Option<String>) -> User {
        User {
            id,
            email: format!("{username}@example.test"),
            username,
            name,
            // "x" never logs in: login refuses it.
            password: "x".into(),
            roles: vec!["user".into()],
            two_factor: Vec::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Device {
    pub kind: String,
    pub name: String,
    pub version: String,
    pub long_version: String,
    pub os_name: String,
    pub os_version: String,
}

#[derive(Clone, Debug)]
pub struct SessionRec {
    pub id: String,
    pub user_id: String,
    pub device: Device,
    pub host: String,
    pub ip: String,
    /// Epoch ms.
    pub login_at: i64,
    /// The auth token this session logged in with (None for seeded ones).
    pub login_token: Option<String>,
    pub instance_id: String,
}

pub const ADMIN_ID: &str = "AdminDemoUser0001";
pub const ADMIN_USERNAME: &str = "admin";
pub const ADMIN_PASSWORD: &str = "sessiondeck-demo";
pub const ADMIN_PAT: &str = "demo-admin-token-3Nf8qL2xVv9Kp4Rm";
pub const ADMIN_EMAIL: &str = "admin@sessiondeck.test";
pub const USER_ID: &str = "PlainDemoUser0002";
pub const USER_USERNAME: &str = "ursula";
pub const USER_PASSWORD: &str = "sessiondeck-user";
pub const USER_PAT: &str = "demo-user-token-7Hq2Wc5Zt1Lb8Yx";
/// The person with sessions on Rocket.Chat, DocSpace and Henshin in the
/// demo (the Everywhere view finds her on all three).
pub const DEMO_PERSON: &str = "Grace Kim";
pub const DEMO_PERSON_USERNAME: &str = "grace.kim";
/// Two people whose names contain each other, on Rocket.Chat, DocSpace and
/// Henshin: ending one must never end the other (display name, login).
pub const NEAR_NAMES: [(&str, &str); 2] =
    [("Dana Ross", "dana.ross"), ("Dana Rossi", "dana.rossi")];
pub const HOSTILE_NAME: &str = "<img src=x onerror=alert(1)>";

/// The RFC 6238 test secret "12345678901234567890" (base32 below).
pub const TOTP_SECRET: &[u8] = b"12345678901234567890";
pub const TOTP_SECRET_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// (sessionId, userId, username, name, client, version, ip, loginAt)
type SampleRow = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The nine sessions and seven users of seed 001's sample, verbatim.
const SEED001: &[SampleRow] = &[
    (
        "o94SveQp6fyPsoiNC",
        "2tTEqR7ZNMJ4HGGNa",
        "testroxie",
        Some("Test"),
        "Chrome",
        "113.0.0",
        "172.20.0.2",
        "2023-05-24T00:25:54.234Z",
    ),
    (
        "BdSrCZXNKCbRi8Eqn",
        "rbAXPnMktTFbNpwtJ",
        "test.test",
        Some("test test"),
        "Chrome",
        "113.0.0",
        "172.20.0.2",
        "2023-05-24T00:25:52.246Z",
    ),
    (
        "tTouumJMrHMjnedWf",
        "GonjPyg3gB3Z9ur9s",
        "test.test2",
        Some("test"),
        "Chrome",
        "113.0.0",
        "172.20.0.2",
        "2023-05-23T19:14:29.865Z",
    ),
    (
        "7ykYEK3KWnk4EeA7s",
        "2tTEqR7ZNMJ4HGGNa",
        "testroxie",
        Some("Test"),
        "Chrome",
        "113.0.0",
        "172.20.0.2",
        "2023-05-23T19:14:28.717Z",
    ),
    (
        "jfD6mnHnrEJdPq9MF",
        "stjxrXYBWy3EcDugH",
        "rocket.agent",
        Some("Rocket Agent"),
        "Chrome",
        "113.0.0",
        "172.20.0.2",
        "2023-05-23T15:21:57.188Z",
    ),
    (
        "2jQnfG74X3EZYL9tj",
        "rYhzFRd2QZjNwAAXX",
        "rodriq",
        Some("Rodriq"),
        "Chrome",
        "113.0.0",
        "172.20.0.2",
        "2023-05-23T15:19:48.723Z",
    ),
    (
        "fsfE772s78AmPxGKk",
        "uZ5JvvioeHK8Coyqe",
        "user-0",
        None,
        "Firefox",
        "112.0",
        "172.18.0.4",
        "2023-05-16T20:50:33.608Z",
    ),
    (
        "W4y9xkjyqFvbjENco",
        "b66oZ8i9pkeSko33v",
        "guester",
        Some("Guester"),
        "Chrome",
        "113.0.0",
        "172.18.0.4",
        "2023-05-16T12:46:09.469Z",
    ),
    (
        "94yTWFkADGBvE9t7P",
        "aspKK7FHe7iQgzexX",
        "user-00",
        Some("User 00"),
        "Firefox",
        "112.0",
        "172.18.0.4",
        "2023-05-11T18:47:13.865Z",
    ),
];

const FIRST: &[&str] = &[
    "Amira", "Bruno", "Chen", "Dalia", "Emeka", "Freya", "Goran", "Hana", "Ilse", "Jonas", "Kofi",
    "Lena", "Mateo", "Nia", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor",
    "Wen", "Ximena", "Yusuf", "Zoë",
];
const LAST: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Novak",
    "García",
    "Kowalski",
    "Haddad",
    "Schmidt",
    "Rossi",
    "Nguyen",
    "Petrov",
    "O'Brien",
    "Silva",
    "Jensen",
    "Ahmed",
];

/// (kind, name, versions, os, os versions)
type ClientKind = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
);

const CLIENTS: &[ClientKind] = &[
    (
        "browser",
        "Chrome",
        &["124.0.0", "126.0.0", "128.0.1"],
        "Windows",
        &["10", "11"],
    ),
    (
        "browser",
        "Firefox",
        &["125.0", "127.0.2"],
        "Linux",
        &["Ubuntu 22.04", "Fedora 40"],
    ),
    (
        "browser",
        "Safari",
        &["17.4", "17.5"],
        "Mac OS",
        &["14.4", "14.5"],
    ),
    ("browser", "Edge", &["125.0.2535"], "Windows", &["11"]),
    (
        "mobile-app",
        "Rocket.Chat",
        &["4.48.0", "4.49.1"],
        "Android",
        &["13", "14"],
    ),
    (
        "mobile-app",
        "Rocket.Chat",
        &["4.49.0"],
        "iOS",
        &["17.4", "17.5"],
    ),
    (
        "desktop-app",
        "Rocket.Chat Desktop",
        &["3.9.14", "4.0.2"],
        "Mac OS",
        &["14.5"],
    ),
    (
        "desktop-app",
        "Rocket.Chat Desktop",
        &["4.0.2"],
        "Windows",
        &["11"],
    ),
];

pub fn parse_iso_ms(s: &str) -> i64 {
    // Only used on our own well-formed constants: YYYY-MM-DDTHH:MM:SS.mmmZ
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap_or(0);
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let (hh, mm, ss, ms) = (n(11, 13), n(14, 16), n(17, 19), n(20, 23));
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1000) + ms
}

pub fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub struct Seeded {
    pub users: Vec<User>,
    pub sessions: Vec<SessionRec>,
}

/// Builds `n` sessions (the seed-001 ones included) of about n/6 users.
pub fn seed(n: usize, seed: u64, admin_2fa: &[String], now_ms: i64) -> Seeded {
    let mut rng = Rng::new(seed);
    let mut users = vec![
        User {
            id: ADMIN_ID.into(),
            username: ADMIN_USERNAME.into(),
            name: Some("Ada Admin".into()),
            email: ADMIN_EMAIL.into(),
            password: ADMIN_PASSWORD.into(),
            roles: vec!["admin".into(), "user".into()],
            two_factor: admin_2fa.to_vec(),
        },
        User {
            id: USER_ID.into(),
            username: USER_USERNAME.into(),
            name: Some("Ursula User".into()),
            email: "ursula@sessiondeck.test".into(),
            password: USER_PASSWORD.into(),
            roles: vec!["user".into()],
            two_factor: Vec::new(),
        },
    ];
    let mut sessions = Vec::with_capacity(n);
    for &(sid, uid, username, name, client, ver, ip, at) in SEED001 {
        if !users.iter().any(|u| u.id == uid) {
            users.push(User::sample(
                uid.into(),
                username.into(),
                name.map(String::from),
            ));
        }
        sessions.push(SessionRec {
            id: sid.into(),
            user_id: uid.into(),
            device: Device {
                kind: "browser".into(),
                name: client.into(),
                version: ver.into(),
                long_version: if client == "Chrome" {
                    "113.0.0.0".into()
                } else {
                    ver.into()
                },
                os_name: "Windows".into(),
                os_version: "10".into(),
            },
            host: "localhost:3000".into(),
            ip: ip.into(),
            login_at: parse_iso_ms(at),
            login_token: None,
            instance_id: "f0313fa9-ebe6-4a84-8580-3104f6a09988".into(),
        });
    }
    users.push(User::sample(
        "HostileUser000003".into(),
        "mallory".into(),
        Some(HOSTILE_NAME.into()),
    ));
    let target_users = (n / 6).max(users.len());
    while users.len() < target_users {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let i = users.len();
        let username = format!(
            "{}.{}{}",
            first.to_lowercase(),
            last.to_lowercase().replace('\'', ""),
            i
        );
        let name = (i % 11 != 0).then(|| format!("{first} {last}"));
        users.push(User::sample(rng.id(), username, name));
    }
    // The hostile user always has a session with a hostile device name too.
    sessions.push(SessionRec {
        id: rng.id(),
        user_id: "HostileUser000003".into(),
        device: Device {
            kind: "browser".into(),
            name: "<script>alert('device')</script>".into(),
            version: "1.0".into(),
            long_version: "1.0".into(),
            os_name: "\"><svg onload=alert(2)>".into(),
            os_version: "1".into(),
        },
        host: "chat.example.test".into(),
        ip: "203.0.113.66".into(),
        login_at: now_ms - 3_600_000,
        login_token: None,
        instance_id: "e7b1c2d4-0000-4000-8000-000000000001".into(),
    });
    let hosts = [
        "chat.example.test",
        "chat.example.test",
        "chat-eu.example.test",
    ];
    while sessions.len() < n {
        let user = if sessions.len() % 17 == 0 {
            &users[0]
        } else {
            &users[rng.below(users.len() as u64) as usize]
        };
        let (kind, name, versions, os, os_versions) = *rng.pick(CLIENTS);
        let version = rng.pick(versions).to_string();
        let ip = if rng.below(4) == 0 {
            format!("2001:db8::{:x}", rng.below(65_535))
        } else {
            format!(
                "{}.{}.{}.{}",
                [10, 172, 192, 198][rng.below(4) as usize],
                rng.below(256),
                rng.below(256),
                1 + rng.below(254)
            )
        };
        let age = (rng.unit() * rng.unit() * 60.0 * 86_400_000.0) as i64;
        sessions.push(SessionRec {
            id: rng.id(),
            user_id: user.id.clone(),
            device: Device {
                kind: kind.into(),
                name: name.into(),
                long_version: format!("{version}.0"),
                version,
                os_name: os.into(),
                os_version: rng.pick(os_versions).to_string(),
            },
            host: rng.pick(&hosts).to_string(),
            ip,
            login_at: now_ms - age,
            login_token: None,
            instance_id: format!(
                "{:08x}-0000-4000-8000-{:012x}",
                rng.below(u32::MAX as u64),
                rng.below(1 << 48)
            ),
        });
    }
    sessions.truncate(n.max(SEED001.len() + 1));
    // The demo person, also on DocSpace and Henshin: the first sample user
    // with two or more sessions takes her name (the random stream and every
    // count stay as they were).
    let first_sample = SEED001.len() + 3;
    if let Some(u) = users
        .iter_mut()
        .skip(first_sample)
        .find(|u| sessions.iter().filter(|s| s.user_id == u.id).count() >= 2)
    {
        u.username = DEMO_PERSON_USERNAME.into();
        u.name = Some(DEMO_PERSON.into());
        u.email = format!("{DEMO_PERSON_USERNAME}@sessiondeck.test");
    }
    // The next two such users become Dana Ross and Dana Rossi.
    let mut near = NEAR_NAMES.iter();
    for u in users.iter_mut().skip(first_sample) {
        if u.username == DEMO_PERSON_USERNAME
            || sessions.iter().filter(|s| s.user_id == u.id).count() < 2
        {
            continue;
        }
        let Some((name, login)) = near.next() else {
            break;
        };
        u.username = (*login).into();
        u.name = Some((*name).into());
        u.email = format!("{login}@sessiondeck.test");
    }
    Seeded { users, sessions }
}

impl SessionRec {
    pub fn device_json(&self) -> Value {
        json!({
            "type": self.device.kind,
            "name": self.device.name,
            "longVersion": self.device.long_version,
            "os": { "name": self.device.os_name, "version": self.device.os_version },
            "version": self.device.version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trip() {
        for s in [
            "2023-05-24T00:25:54.234Z",
            "2000-02-29T12:00:00.000Z",
            "1970-01-01T00:00:00.000Z",
        ] {
            assert_eq!(iso(parse_iso_ms(s)), s);
        }
    }

    #[test]
    fn seeding_is_deterministic_and_holds_the_samples() {
        let a = seed(240, 42, &["password".into()], 1_700_000_000_000);
        let b = seed(240, 42, &["password".into()], 1_700_000_000_000);
        assert_eq!(a.sessions.len(), 240);
        assert_eq!(
            a.sessions.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            b.sessions.iter().map(|s| s.id.clone()).collect::<Vec<_>>()
        );
        assert!(a.sessions.iter().any(|s| s.id == "7ykYEK3KWnk4EeA7s"));
        assert!(a
            .users
            .iter()
            .any(|u| u.name.as_deref() == Some(HOSTILE_NAME)));
        assert!((38..=45).contains(&a.users.len()), "{}", a.users.len());
        let mut ids: Vec<_> = a.sessions.iter().map(|s| &s.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 240, "session IDs are unique");
        let grace = a
            .users
            .iter()
            .find(|u| u.username == DEMO_PERSON_USERNAME)
            .expect("the demo person");
        assert_eq!(grace.name.as_deref(), Some(DEMO_PERSON));
        assert!(a.sessions.iter().filter(|s| s.user_id == grace.id).count() >= 2);
        // Two people whose names contain each other, each with sessions.
        for (name, login) in NEAR_NAMES {
            let u = a
                .users
                .iter()
                .find(|u| u.username == login)
                .unwrap_or_else(|| panic!("{login}"));
            assert_eq!(u.name.as_deref(), Some(name));
            assert!(a.sessions.iter().filter(|s| s.user_id == u.id).count() >= 2);
        }
    }
}
