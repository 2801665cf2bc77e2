//! What a backend asks for at sign-in ([`SignInMethod`]), what the admin
//! typed ([`Typed`]), and what signing in gives back ([`Credential`]).
//! Settings (a realm, a user ID, a client ID) are kept with the connection
//! and name its account; secrets never enter them.

use std::fmt;

/// One way of signing in to a server, as the Connect form offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInMethod {
    /// Kept with the connection ("token", "password", "client").
    pub key: &'static str,
    /// The choice's words on Connect, in the server's own terms.
    pub label: &'static str,
    /// What the form asks for, in order.
    pub inputs: &'static [Input],
    /// Under the fields: what it is, where to get it, how it is sent.
    pub hint: &'static str,
    /// The panel obtains the token itself (a login, an OAuth grant): it
    /// ends it again at sign-out.
    pub obtains_token: bool,
}

impl SignInMethod {
    /// A method whose one secret is a token the admin pastes.
    pub const fn token(label: &'static str, inputs: &'static [Input], hint: &'static str) -> Self {
        SignInMethod {
            key: TOKEN,
            label,
            inputs,
            hint,
            obtains_token: false,
        }
    }

    /// The inputs kept with the connection.
    pub fn settings(&self) -> impl Iterator<Item = &'static Input> {
        self.inputs.iter().filter(|i| i.kind == InputKind::Setting)
    }

    /// What to say when required fields are empty ("Enter Realm and
    /// Client secret."); `None` when every one is filled.
    pub fn missing(&self, typed: &Typed) -> Option<String> {
        let empty: Vec<&str> = self
            .inputs
            .iter()
            .filter(|i| typed.get(i.key).trim().is_empty())
            .map(|i| i.label)
            .collect();
        let list = match empty.as_slice() {
            [] => return None,
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        };
        Some(format!("Enter {list}."))
    }
}

/// The key of a pasted-token method (see [`SignInMethod::token`]); its
/// secret input's key too.
pub const TOKEN: &str = "token";

/// One field of a sign-in method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Input {
    /// Its name in [`Typed`], in settings and in request paths (`{key}`).
    pub key: &'static str,
    pub label: &'static str,
    pub kind: InputKind,
    /// Filled in to start with (Keycloak's `admin-cli`).
    pub default: &'static str,
}

impl Input {
    pub const fn setting(key: &'static str, label: &'static str) -> Self {
        Input {
            key,
            label,
            kind: InputKind::Setting,
            default: "",
        }
    }

    pub const fn secret(key: &'static str, label: &'static str) -> Self {
        Input {
            key,
            label,
            kind: InputKind::Secret,
            default: "",
        }
    }

    pub const fn username(key: &'static str, label: &'static str) -> Self {
        Input {
            key,
            label,
            kind: InputKind::Username,
            default: "",
        }
    }

    pub const fn or(self, default: &'static str) -> Self {
        Input { default, ..self }
    }
}

/// What becomes of a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// Kept with the connection (not secret; names the account).
    Setting,
    /// A name to sign in with: sent once, not kept.
    Username,
    /// A token, password or client secret: sent at sign-in, never kept
    /// as a setting, never in a URL.
    Secret,
}

/// The value of `key` among `pairs` ("" when unset).
fn value_of<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// Sets `key` among `pairs` to `value`, in place or added last.
fn set_value(pairs: &mut Vec<(String, String)>, key: &str, value: String) {
    match pairs.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => pairs.push((key.to_string(), value)),
    }
}

/// What the admin typed, by [`Input::key`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Typed(pub Vec<(String, String)>);

impl Typed {
    /// Typed values from `(key, value)` pairs.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Typed {
        Typed(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// The value of `key` as typed ("" when unset).
    pub fn get(&self, key: &str) -> &str {
        value_of(&self.0, key)
    }

    pub fn set(&mut self, key: &str, value: String) {
        set_value(&mut self.0, key, value);
    }
}

impl fmt::Debug for Typed {
    // Values may be passwords: only the keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| k))
            .finish()
    }
}

/// A connection's values of its sign-in method's settings, by key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings(pub Vec<(String, String)>);

impl Settings {
    /// The value of `key` ("" when unset).
    pub fn get(&self, key: &str) -> &str {
        value_of(&self.0, key)
    }

    pub fn set(&mut self, key: &str, value: String) {
        set_value(&mut self.0, key, value);
    }

    /// `method`'s settings out of what was typed, trimmed.
    pub fn typed(method: &SignInMethod, typed: &Typed) -> Settings {
        Settings(
            method
                .settings()
                .map(|i| (i.key.to_string(), typed.get(i.key).trim().to_string()))
                .collect(),
        )
    }
}

/// What the panel signs in with: the access token every call carries,
/// what renews it without asking the admin, and when it stops working.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub access: String,
    pub renewal: Option<Renewal>,
    /// When `access` stops working (epoch ms), where the server said.
    pub expires_at: Option<i64>,
}

/// How an access token is renewed without the admin.
#[derive(Clone, PartialEq, Eq)]
pub enum Renewal {
    /// An OAuth refresh token (a password grant's).
    RefreshToken(String),
    /// An OAuth client's secret: a client-credentials grant is asked again.
    ClientSecret(String),
}

/// Renewal starts this long before the server's expiry (ms): a call is
/// never sent with a token about to end.
pub const RENEW_AHEAD_MS: i64 = 30_000;

impl Credential {
    /// A pasted token that does not expire as far as the panel knows.
    pub fn token(access: impl Into<String>) -> Self {
        Credential {
            access: access.into(),
            renewal: None,
            expires_at: None,
        }
    }

    /// Whether it should be renewed before a call at `now` (epoch ms):
    /// it can be, and ends within [`RENEW_AHEAD_MS`].
    pub fn renew_due(&self, now: i64) -> bool {
        self.renewal.is_some() && self.expires_at.is_some_and(|t| t - now < RENEW_AHEAD_MS)
    }

    /// How many bytes of secret it holds (a huge one is never stored).
    pub fn secret_bytes(&self) -> usize {
        self.access.len()
            + match &self.renewal {
                Some(Renewal::RefreshToken(s) | Renewal::ClientSecret(s)) => s.len(),
                None => 0,
            }
    }
}

impl fmt::Debug for Renewal {
    // What kind, never the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Renewal::RefreshToken(_) => "RefreshToken(<redacted>)",
            Renewal::ClientSecret(_) => "ClientSecret(<redacted>)",
        })
    }
}

impl fmt::Debug for Credential {
    // Never a secret in debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let renewal = self.renewal.as_ref().map(|r| match r {
            Renewal::RefreshToken(_) => "refresh token",
            Renewal::ClientSecret(_) => "client secret",
        });
        f.debug_struct("Credential")
            .field("access", &"<redacted>")
            .field("renewal", &renewal)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// How a sign-in gets its credential.
#[derive(Clone, Debug, PartialEq)]
pub enum SignInStep {
    /// What was typed is the credential (a pasted token).
    Have(Credential),
    /// This call obtains it (a login, a token grant); its settings are
    /// filled in like any call's.
    Call(crate::http::request::ApiRequest),
}

/// What a sign-in call answered: the credential, and settings it taught
/// (Rocket.Chat's user ID) — added to those typed, never replacing them.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedIn {
    pub credential: Credential,
    pub learnt: Settings,
}

#[cfg(test)]
mod tests {
    use super::*;

    const METHOD: SignInMethod = SignInMethod {
        key: "client",
        label: "Service account",
        inputs: &[
            Input::setting("realm", "Realm").or("master"),
            Input::setting("client_id", "Client ID"),
            Input::secret("client_secret", "Client secret"),
        ],
        hint: "",
        obtains_token: true,
    };

    #[test]
    fn settings_are_the_typed_settings_trimmed_and_never_a_secret() {
        let t = Typed::from_pairs(&[
            ("realm", " acme "),
            ("client_id", "sessiondeck"),
            ("client_secret", "s3cret"),
        ]);
        let s = Settings::typed(&METHOD, &t);
        assert_eq!(s.get("realm"), "acme");
        assert_eq!(s.get("client_id"), "sessiondeck");
        assert_eq!(s.get("client_secret"), "", "a secret is no setting");
        assert!(!format!("{t:?}").contains("s3cret"));
    }

    #[test]
    fn missing_fields_are_named_in_the_servers_words() {
        assert_eq!(
            METHOD
                .missing(&Typed::from_pairs(&[("realm", "x")]))
                .as_deref(),
            Some("Enter Client ID and Client secret.")
        );
        assert_eq!(
            METHOD
                .missing(&Typed::from_pairs(&[("client_id", " ")]))
                .as_deref(),
            Some("Enter Realm, Client ID and Client secret.")
        );
        let all = Typed::from_pairs(&[("realm", "x"), ("client_id", "c"), ("client_secret", "s")]);
        assert_eq!(METHOD.missing(&all), None);
    }

    #[test]
    fn renewal_is_due_ahead_of_expiry_and_only_when_possible() {
        let mut c = Credential::token("a");
        assert!(!c.renew_due(0), "a pasted token is not renewed");
        c.expires_at = Some(100_000);
        assert!(!c.renew_due(0), "nothing renews it");
        c.renewal = Some(Renewal::RefreshToken("r".into()));
        assert!(!c.renew_due(100_000 - RENEW_AHEAD_MS));
        assert!(c.renew_due(100_000 - RENEW_AHEAD_MS + 1));
        assert!(c.renew_due(200_000), "past it");
        assert_eq!(c.secret_bytes(), 2);
        let shown = format!("{c:?}");
        assert!(shown.contains("refresh token") && !shown.contains("\"r\""));
    }
}
