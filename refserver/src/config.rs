//! Command-line options (hand-parsed: no extra dependency, quick to build).

use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    pub port: u16,
    pub sessions: usize,
    pub seed: u64,
    /// Second-factor methods of the admin account, first = asked for.
    /// Empty = no second factor at all.
    pub two_factor: Vec<String>,
    pub remember_secs: u64,
    pub max_attempts: u32,
    pub rate_limit: u32,
    pub rate_window_ms: u64,
    pub latency_ms: u64,
    pub fail_rate: f64,
    pub license: bool,
    pub deny: Vec<String>,
    pub cors: bool,
    pub static_dir: Option<PathBuf>,
    pub quiet: bool,
    /// Serve `/__ref/*` (test control and statistics): only for tests.
    pub test_hooks: bool,
    /// Host names (besides 127.0.0.1, localhost, [::1]) a request may name.
    pub allow_hosts: Vec<String>,
    /// Send the built panel's Content-Security-Policy (`<static-dir>/csp.txt`).
    pub csp: bool,
    /// Page size of Henshin's per-user session lists.
    pub henshin_page_size: usize,
    /// How `X-RateLimit-Reset` is written: epoch `ms` (Rocket.Chat), epoch
    /// `s`, or `delta` seconds.
    pub rate_reset_unit: String,
    /// Also send `Retry-After` (seconds) with a 429.
    pub retry_after: bool,
    /// How long a Keycloak access token lasts (seconds).
    pub keycloak_token_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 8080,
            sessions: 240,
            seed: 42,
            two_factor: vec!["password".into()],
            remember_secs: 1800,
            max_attempts: 5,
            rate_limit: 1000,
            rate_window_ms: 60_000,
            latency_ms: 0,
            fail_rate: 0.0,
            license: true,
            deny: Vec::new(),
            cors: true,
            static_dir: None,
            quiet: false,
            test_hooks: false,
            allow_hosts: Vec::new(),
            csp: false,
            henshin_page_size: 100,
            rate_reset_unit: "ms".into(),
            retry_after: false,
            keycloak_token_secs: 300,
        }
    }
}

pub const USAGE: &str = "\
refserver — sessiondeck's reference server (binds 127.0.0.1 only)

Options:
  --port N               port to listen on (0 = any free port)            [8080]
  --sessions N           seeded sessions (about 6 per user)                [240]
  --seed N               data seed (same seed, same data)                   [42]
  --2fa M[,M…]           admin's 2FA methods: password | email | totp | none
                         (first is the one asked for)                 [password]
  --2fa-remember-secs N  how long a passed 2FA check is remembered        [1800]
  --2fa-max-attempts N   wrong codes before totp-max-attempts               [5]
  --rate-limit N         calls per window per token and endpoint         [1000]
  --rate-window-ms N     rate-limit window                               [60000]
  --latency-ms N         delay added to every API answer                     [0]
  --fail-rate F          share (0..1) of logout calls that fail with 500     [0]
  --no-license           answer 403 as without the device-management license
  --deny PERM            take a permission from the admin (repeatable):
                         view-device-management | logout-device-management
  --no-cors              send no CORS headers
  --rate-reset-unit U    X-RateLimit-Reset as ms | s (epoch) | delta (secs) [ms]
  --retry-after          also send Retry-After (seconds) with a 429
  --henshin-page-size N  page size of Henshin's per-user session lists    [100]
  --keycloak-token-secs N  lifetime of a Keycloak access token            [300]
  --static-dir DIR       serve the built panel from DIR on the same origin
  --csp                  send the panel's Content-Security-Policy (DIR/csp.txt,
                         written by the release build)
  --allow-host NAME      accept this Host header too (default: 127.0.0.1,
                         localhost and [::1] at the bound port; repeatable)
  --test-hooks           serve /__ref/* (statistics and fault injection) for
                         the tests; never in a demo
  --quiet                log less
";

impl Config {
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Config, String> {
        let mut c = Config::default();
        let mut it = args.into_iter();
        fn val<T: std::str::FromStr>(
            it: &mut impl Iterator<Item = String>,
            flag: &str,
        ) -> Result<T, String> {
            let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            v.parse()
                .map_err(|_| format!("{flag}: cannot understand {v:?}"))
        }
        while let Some(a) = it.next() {
            match a.as_str() {
                "--port" => c.port = val(&mut it, &a)?,
                "--sessions" => c.sessions = val(&mut it, &a)?,
                "--seed" => c.seed = val(&mut it, &a)?,
                "--keycloak-token-secs" => c.keycloak_token_secs = val(&mut it, &a)?,
                "--2fa" => {
                    let v: String = val(&mut it, &a)?;
                    c.two_factor = v
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty() && s != "none")
                        .collect();
                    for m in &c.two_factor {
                        if !["password", "email", "totp"].contains(&m.as_str()) {
                            return Err(format!("--2fa: unknown method {m:?}"));
                        }
                    }
                    if c.two_factor.contains(&"password".to_string()) && c.two_factor.len() > 1 {
                        return Err("--2fa: password is the fallback for users with no other method; use it alone".into());
                    }
                }
                "--2fa-remember-secs" => c.remember_secs = val(&mut it, &a)?,
                "--2fa-max-attempts" => c.max_attempts = val(&mut it, &a)?,
                "--rate-limit" => c.rate_limit = val(&mut it, &a)?,
                "--rate-window-ms" => c.rate_window_ms = val(&mut it, &a)?,
                "--latency-ms" => c.latency_ms = val(&mut it, &a)?,
                "--fail-rate" => {
                    c.fail_rate = val(&mut it, &a)?;
                    if !(0.0..=1.0).contains(&c.fail_rate) {
                        return Err("--fail-rate must be between 0 and 1".into());
                    }
                }
                "--no-license" => c.license = false,
                "--deny" => c.deny.push(val(&mut it, &a)?),
                "--no-cors" => c.cors = false,
                "--static-dir" => c.static_dir = Some(val::<String>(&mut it, &a)?.into()),
                "--quiet" => c.quiet = true,
                "--test-hooks" => c.test_hooks = true,
                "--allow-host" => c.allow_hosts.push(val(&mut it, &a)?),
                "--csp" => c.csp = true,
                "--henshin-page-size" => {
                    c.henshin_page_size = val(&mut it, &a)?;
                    if c.henshin_page_size == 0 {
                        return Err("--henshin-page-size must be at least 1".into());
                    }
                }
                "--rate-reset-unit" => {
                    c.rate_reset_unit = val(&mut it, &a)?;
                    if !["ms", "s", "delta"].contains(&c.rate_reset_unit.as_str()) {
                        return Err("--rate-reset-unit: ms, s or delta".into());
                    }
                }
                "--retry-after" => c.retry_after = true,
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown option {other:?}")),
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: &[&str]) -> Result<Config, String> {
        Config::parse(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_flags() {
        let c = p(&[
            "--port",
            "0",
            "--2fa",
            "email,totp",
            "--deny",
            "view-device-management",
            "--no-license",
        ])
        .unwrap();
        assert_eq!(c.port, 0);
        assert_eq!(c.two_factor, ["email", "totp"]);
        assert_eq!(c.deny, ["view-device-management"]);
        assert!(!c.license);
        assert!(!c.test_hooks, "test hooks are off unless asked for");
        assert!(p(&["--2fa", "none"]).unwrap().two_factor.is_empty());
        let t = p(&["--test-hooks", "--csp", "--rate-reset-unit", "s"]).unwrap();
        assert!(t.test_hooks && t.csp);
        assert_eq!(t.rate_reset_unit, "s");
    }

    #[test]
    fn rejects_bad_input() {
        assert!(p(&["--bogus"]).is_err());
        assert!(p(&["--port"]).is_err());
        assert!(p(&["--fail-rate", "2"]).is_err());
        assert!(p(&["--2fa", "sms"]).is_err());
        assert!(p(&["--2fa", "password,email"]).is_err());
        assert!(p(&["--rate-reset-unit", "minutes"]).is_err());
        assert!(p(&["--henshin-page-size", "0"]).is_err());
    }
}
