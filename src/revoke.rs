//! What a batch of revocations did, worded for the admin (pure).

use crate::backends::rocketchat::Revoked;
use crate::bulk::ItemResult;
use crate::http::request::ApiError;

#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub id: String,
    /// How the session is shown ("alice — Chrome on Windows").
    pub label: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RevokeReport {
    pub requested: usize,
    pub revoked: Vec<String>,
    pub already_gone: Vec<String>,
    pub failed: Vec<Failure>,
    /// Not sent because an earlier error stopped the batch.
    pub not_sent: Vec<Failure>,
    /// The error that stopped the batch, if one did.
    pub stopped_by: Option<ApiError>,
}

impl RevokeReport {
    pub fn from_results(
        results: Vec<(String, ItemResult<Revoked>)>,
        label: impl Fn(&str) -> String,
    ) -> RevokeReport {
        let mut r = RevokeReport {
            requested: results.len(),
            ..Default::default()
        };
        for (id, res) in results {
            match res {
                ItemResult::Done(Revoked::Now) => r.revoked.push(id),
                ItemResult::Done(Revoked::AlreadyGone) => r.already_gone.push(id),
                ItemResult::Failed(e) => {
                    if e.is_fatal() && r.stopped_by.is_none() {
                        r.stopped_by = Some(e.clone());
                    }
                    r.failed.push(Failure {
                        label: label(&id),
                        reason: e.to_string(),
                        id,
                    })
                }
                ItemResult::NotSent => r.not_sent.push(Failure {
                    label: label(&id),
                    reason: "Not sent: the batch stopped after an earlier error.".into(),
                    id,
                }),
            }
        }
        r
    }

    /// IDs to send again with "Retry failed".
    pub fn retry_ids(&self) -> Vec<String> {
        self.failed
            .iter()
            .chain(self.not_sent.iter())
            .map(|f| f.id.clone())
            .collect()
    }

    /// IDs to remove from the table (revoked now or already gone).
    pub fn gone_ids(&self) -> Vec<String> {
        self.revoked
            .iter()
            .chain(self.already_gone.iter())
            .cloned()
            .collect()
    }

    pub fn is_clean(&self) -> bool {
        self.failed.is_empty() && self.not_sent.is_empty()
    }

    /// One sentence: "Revoked 8 of 10 sessions; 1 was already gone; 1 failed."
    pub fn summary(&self) -> String {
        let n = self.requested;
        let plural = |k: usize| if k == 1 { "session" } else { "sessions" };
        let mut s = format!("Revoked {} of {n} {}", self.revoked.len(), plural(n));
        if !self.already_gone.is_empty() {
            let k = self.already_gone.len();
            s.push_str(&format!(
                "; {k} {} already gone (removed from the list)",
                if k == 1 { "was" } else { "were" }
            ));
        }
        if !self.failed.is_empty() {
            s.push_str(&format!("; {} failed", self.failed.len()));
        }
        if !self.not_sent.is_empty() {
            s.push_str(&format!("; {} not sent", self.not_sent.len()));
        }
        s.push('.');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarises_mixed_results() {
        let results = vec![
            ("a".to_string(), ItemResult::Done(Revoked::Now)),
            ("b".to_string(), ItemResult::Done(Revoked::AlreadyGone)),
            (
                "c".to_string(),
                ItemResult::Failed(ApiError::Server {
                    status: 500,
                    message: "boom".into(),
                }),
            ),
            ("d".to_string(), ItemResult::NotSent),
        ];
        let r = RevokeReport::from_results(results, |id| format!("label {id}"));
        assert_eq!(
            r.summary(),
            "Revoked 1 of 4 sessions; 1 was already gone (removed from the list); 1 failed; 1 not sent."
        );
        assert_eq!(r.retry_ids(), ["c", "d"]);
        assert_eq!(r.gone_ids(), ["a", "b"]);
        assert_eq!(r.failed[0].label, "label c");
        assert!(r.failed[0].reason.starts_with("500 Internal Server Error"));
        assert!(!r.is_clean());
        assert!(r.stopped_by.is_none());
    }

    #[test]
    fn single_clean_revoke() {
        let r =
            RevokeReport::from_results(vec![("a".into(), ItemResult::Done(Revoked::Now))], |i| {
                i.into()
            });
        assert_eq!(r.summary(), "Revoked 1 of 1 session.");
        assert!(r.is_clean());
    }
}
