//! What a batch of revocations did, worded for the admin (pure).

use crate::backends::Revoked;
use crate::bulk::{ItemResult, NotSent};
use crate::http::request::ApiError;

#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub id: String,
    /// How the session is shown ("alice — Chrome on Windows").
    pub label: String,
    pub reason: String,
    /// Whether sending it again could end otherwise ("Retry failed" leaves
    /// out an ID the panel will always refuse).
    pub retryable: bool,
}

/// The state of the current (or last) batch on one server.
#[derive(Clone, Debug, PartialEq)]
pub enum BulkState {
    Running { done: usize, total: usize },
    Finished(RevokeReport),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RevokeReport {
    pub requested: usize,
    pub revoked: Vec<String>,
    pub already_gone: Vec<String>,
    pub failed: Vec<Failure>,
    /// Not sent: an earlier error stopped the batch, or the admin did.
    pub not_sent: Vec<Failure>,
    /// The admin pressed Stop.
    pub stopped: bool,
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
                        retryable: e.retry_can_help(),
                        id,
                    })
                }
                ItemResult::NotSent(why) => {
                    r.stopped |= why == NotSent::Stopped;
                    r.not_sent.push(Failure {
                        label: label(&id),
                        reason: match why {
                            NotSent::AfterError => {
                                "Not sent: the batch stopped after an earlier error."
                            }
                            NotSent::Stopped => "Not sent: you stopped the batch.",
                        }
                        .into(),
                        retryable: true,
                        id,
                    })
                }
            }
        }
        r
    }

    /// IDs to send again with "Retry failed": never one the panel refuses
    /// whatever happens (it would only fail again).
    pub fn retry_ids(&self) -> Vec<String> {
        self.failed
            .iter()
            .chain(self.not_sent.iter())
            .filter(|f| f.retryable)
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
        let mut s = format!(
            "{}evoked {} of {n} {}",
            if self.stopped { "Stopped: r" } else { "R" },
            self.revoked.len(),
            plural(n)
        );
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

impl RevokeReport {
    /// What one call that ends `ids` together did: all revoked, or all
    /// failed for the same reason.
    pub fn from_one_call(
        ids: &[String],
        result: &Result<(), ApiError>,
        label: impl Fn(&str) -> String,
    ) -> RevokeReport {
        let mut r = RevokeReport {
            requested: ids.len(),
            ..Default::default()
        };
        match result {
            Ok(()) => r.revoked = ids.to_vec(),
            Err(e) => {
                if e.is_fatal() {
                    r.stopped_by = Some(e.clone());
                }
                r.failed = ids
                    .iter()
                    .map(|id| Failure {
                        id: id.clone(),
                        label: label(id),
                        reason: e.to_string(),
                        retryable: e.retry_can_help(),
                    })
                    .collect();
            }
        }
        r
    }

    /// Adds what another part of the same run did.
    pub fn merge(&mut self, other: RevokeReport) {
        self.requested += other.requested;
        self.revoked.extend(other.revoked);
        self.already_gone.extend(other.already_gone);
        self.failed.extend(other.failed);
        self.not_sent.extend(other.not_sent);
        self.stopped |= other.stopped;
        if self.stopped_by.is_none() {
            self.stopped_by = other.stopped_by;
        }
    }

    /// Adds sessions that were waiting behind a stopped batch as not sent.
    pub fn add_not_started(&mut self, ids: impl IntoIterator<Item = (String, String)>) {
        for (id, label) in ids {
            self.requested += 1;
            self.not_sent.push(Failure {
                id,
                label,
                reason: "Not sent: it was waiting behind the batch you stopped.".into(),
                retryable: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_failed_leaves_out_what_would_be_refused_again() {
        let unsafe_id = ApiError::UnsafeId {
            id: "0275".into(),
            why: "is not a whole number",
        };
        let busy = ApiError::Server {
            status: 503,
            message: "busy".into(),
        };
        let r = RevokeReport::from_results(
            vec![
                ("0275".into(), ItemResult::Failed(unsafe_id)),
                ("276".into(), ItemResult::Failed(busy)),
            ],
            |id| id.to_string(),
        );
        assert_eq!(r.retry_ids(), ["276"]);
        assert_eq!(r.failed.len(), 2, "both are still reported");
    }

    #[test]
    fn one_call_reports_every_session_it_named_and_parts_merge() {
        let ids = vec!["a".to_string(), "b".to_string()];
        let ok = RevokeReport::from_one_call(&ids, &Ok(()), |i| i.to_uppercase());
        assert_eq!((ok.requested, ok.revoked.clone()), (2, ids.clone()));
        let err = ApiError::Server {
            status: 500,
            message: "boom".into(),
        };
        let bad = RevokeReport::from_one_call(&ids, &Err(err), |i| i.to_uppercase());
        assert_eq!(bad.retry_ids(), ids);
        assert_eq!(bad.failed[1].label, "B");
        assert!(bad.failed[0].reason.contains("500"));
        let mut all = ok;
        all.merge(bad);
        assert_eq!(all.requested, 4);
        assert_eq!(all.summary(), "Revoked 2 of 4 sessions; 2 failed.");
    }

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
            ("d".to_string(), ItemResult::NotSent(NotSent::AfterError)),
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
    fn a_stopped_batch_says_so_and_offers_the_rest() {
        let r = RevokeReport::from_results(
            vec![
                ("a".into(), ItemResult::Done(Revoked::Now)),
                ("b".into(), ItemResult::NotSent(NotSent::Stopped)),
                ("c".into(), ItemResult::NotSent(NotSent::Stopped)),
            ],
            |i| i.into(),
        );
        assert_eq!(r.summary(), "Stopped: revoked 1 of 3 sessions; 2 not sent.");
        assert_eq!(r.retry_ids(), ["b", "c"]);
        assert_eq!(r.not_sent[0].reason, "Not sent: you stopped the batch.");
    }

    #[test]
    fn sessions_waiting_behind_a_stopped_batch_are_not_sent_and_retryable() {
        let mut r = RevokeReport::default();
        r.add_not_started([("x".to_string(), "alice".to_string())]);
        assert_eq!(r.retry_ids(), ["x"]);
        assert_eq!(r.summary(), "Revoked 0 of 1 session; 1 not sent.");
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
