//! What a batch of revocations did, worded for the admin (pure).

use super::verify::Verdict;
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
    /// Whether a request was sent for it (a fresh read can then tell what
    /// happened); not for an ID refused before sending, nor one not sent.
    pub sent: bool,
}

/// The state of the current (or last) batch on one server.
#[derive(Clone, Debug, PartialEq)]
pub enum BulkState {
    Running {
        done: usize,
        total: usize,
        /// Each session is read again as soon as its revoke is answered
        /// (counted done once both are).
        checking: bool,
    },
    /// Sent: the list is being read again to see what ended.
    Verifying {
        total: usize,
    },
    Finished(Box<RevokeReport>),
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
    /// Whether the list was read again afterwards ([`RevokeReport::verified_by`]).
    pub verified: bool,
    /// Sessions a fresh read no longer lists (of those attempted).
    pub confirmed_gone: Vec<String>,
    /// Sessions still listed after the re-check (each also in `failed`).
    pub still_listed: Vec<String>,
    /// Sessions attempted but not checked, and why.
    pub unchecked: Vec<(String, String)>,
    /// Sessions whose answer was a failure (lost, not the API's) but that a
    /// fresh read no longer lists: ended after all. The answer that failed.
    pub gone_despite: Vec<(String, String)>,
}

/// What is said of a session the server called revoked (or unknown) that
/// a fresh read still lists, after the re-check.
pub const STILL_LISTED: &str = "The server answered that it ended this session, but still lists it after a re-check: it may still be active. Retry, or end it on the server itself.";

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
                        sent: !matches!(e, ApiError::UnsafeId { .. }),
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
                        sent: false,
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

    /// IDs to remove from the table: once verified, those a fresh read no
    /// longer lists; before (or without) it, what the server said it ended.
    pub fn gone_ids(&self) -> Vec<String> {
        if self.verified {
            return self.confirmed_gone.clone();
        }
        self.revoked
            .iter()
            .chain(self.already_gone.iter())
            .cloned()
            .collect()
    }

    /// Every session it sent a request for (not the ones never sent).
    pub fn attempted(&self) -> Vec<String> {
        self.revoked
            .iter()
            .chain(self.already_gone.iter())
            .cloned()
            .chain(self.failed.iter().filter(|f| f.sent).map(|f| f.id.clone()))
            .collect()
    }

    /// What a fresh read found (`verdicts`, see [`super::verify`]): a
    /// session said ended but still listed becomes a failure with its own
    /// words (and Retry); one whose answer failed but that is no longer
    /// listed was ended after all.
    pub fn verified_by(&mut self, verdicts: &std::collections::HashMap<String, Verdict>) {
        self.verified = true;
        let verdict = |id: &str| verdicts.get(id).cloned();
        for list in [&mut self.revoked, &mut self.already_gone] {
            let mut kept = Vec::with_capacity(list.len());
            for id in list.drain(..) {
                match verdict(&id) {
                    Some(Verdict::Gone) => {
                        self.confirmed_gone.push(id.clone());
                        kept.push(id);
                    }
                    Some(Verdict::StillListed) => {
                        self.still_listed.push(id.clone());
                        self.failed.push(Failure {
                            label: id.clone(),
                            id,
                            reason: STILL_LISTED.into(),
                            retryable: true,
                            sent: true,
                        });
                    }
                    Some(Verdict::Unchecked(why)) => {
                        self.unchecked.push((id.clone(), why));
                        kept.push(id);
                    }
                    None => kept.push(id),
                }
            }
            *list = kept;
        }
        let mut failed = Vec::with_capacity(self.failed.len());
        for f in self.failed.drain(..) {
            match verdict(&f.id) {
                _ if f.reason == STILL_LISTED => failed.push(f),
                Some(Verdict::Gone) if f.sent => {
                    self.confirmed_gone.push(f.id.clone());
                    self.gone_despite.push((f.id.clone(), f.reason));
                    self.revoked.push(f.id);
                }
                Some(Verdict::StillListed) if f.sent => {
                    self.still_listed.push(f.id.clone());
                    failed.push(f);
                }
                _ => failed.push(f),
            }
        }
        self.failed = failed;
        if self.is_clean() {
            self.stopped_by = None;
        }
    }

    /// A stopped batch: no read is made after Stop (`why`), but what the
    /// lookups made as the revokes were answered found (`found`) stands
    /// where it is final — a session they no longer found is confirmed
    /// gone. One they still found, right after its revoke, was not read
    /// again (a server's list may lag its logouts): not checked, and said
    /// so. Every other session attempted is not checked; a failure stays a
    /// failure.
    pub fn checked_before_stop(
        &mut self,
        found: &std::collections::HashMap<String, Verdict>,
        why: &str,
    ) {
        self.verified = true;
        let mut unchecked = Vec::new();
        for id in self.revoked.iter().chain(self.already_gone.iter()) {
            match found.get(id) {
                Some(Verdict::Gone) => self.confirmed_gone.push(id.clone()),
                Some(Verdict::StillListed) => unchecked.push((
                    id.clone(),
                    format!("still listed right after its revoke, and not read again ({why})"),
                )),
                _ => unchecked.push((id.clone(), why.to_string())),
            }
        }
        let sent = self.failed.iter().filter(|f| f.sent);
        unchecked.extend(sent.map(|f| (f.id.clone(), why.to_string())));
        self.unchecked = unchecked;
    }

    /// Labels the failures [`RevokeReport::verified_by`] added (it knows
    /// IDs only).
    pub fn label_with(&mut self, label: impl Fn(&str) -> String) {
        for f in self.failed.iter_mut().filter(|f| f.label == f.id) {
            f.label = label(&f.id);
        }
    }

    /// The verification in words: "10 confirmed gone, 0 still listed" (and
    /// "2 not checked"); empty when the list was not read again.
    pub fn verification(&self) -> String {
        if !self.verified {
            return String::new();
        }
        let mut s = format!(
            "{} confirmed gone, {} still listed",
            self.confirmed_gone.len(),
            self.still_listed.len()
        );
        if !self.unchecked.is_empty() {
            s.push_str(&format!(", {} not checked", self.unchecked.len()));
        }
        s
    }

    pub fn is_clean(&self) -> bool {
        self.failed.is_empty() && self.not_sent.is_empty()
    }

    /// One sentence: "Revoked 8 of 10 sessions (8 confirmed gone, 1 still
    /// listed); 1 was already gone; 1 failed."
    pub fn summary(&self) -> String {
        let n = self.requested;
        let plural = |k: usize| if k == 1 { "session" } else { "sessions" };
        let mut s = format!(
            "{}evoked {} of {n} {}",
            if self.stopped { "Stopped: r" } else { "R" },
            self.revoked.len(),
            plural(n)
        );
        if self.verified {
            s.push_str(&format!(" ({})", self.verification()));
        }
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
                        sent: !matches!(e, ApiError::UnsafeId { .. }),
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
        self.verified |= other.verified;
        self.confirmed_gone.extend(other.confirmed_gone);
        self.still_listed.extend(other.still_listed);
        self.unchecked.extend(other.unchecked);
        self.gone_despite.extend(other.gone_despite);
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
                sent: false,
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
    fn after_stop_only_what_the_early_lookups_no_longer_found_is_confirmed_gone() {
        use std::collections::HashMap;
        let mut r = RevokeReport::from_results(
            vec![
                ("gone".into(), ItemResult::Done(Revoked::Now)),
                ("lagging".into(), ItemResult::Done(Revoked::Now)),
                ("unread".into(), ItemResult::Done(Revoked::AlreadyGone)),
                (
                    "lost".into(),
                    ItemResult::Failed(ApiError::Server {
                        status: 502,
                        message: "upstream reset".into(),
                    }),
                ),
                ("later".into(), ItemResult::NotSent(NotSent::Stopped)),
            ],
            |i| i.into(),
        );
        let found = HashMap::from([
            ("gone".to_string(), Verdict::Gone),
            ("lagging".to_string(), Verdict::StillListed),
            // A verdict on a session never sent changes nothing.
            ("later".to_string(), Verdict::Gone),
        ]);
        r.checked_before_stop(&found, "you pressed Stop");
        assert_eq!(r.confirmed_gone, ["gone"]);
        assert!(
            r.still_listed.is_empty(),
            "one lookup right after is no re-check"
        );
        let unchecked: Vec<&str> = r.unchecked.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(unchecked, ["lagging", "unread", "lost"]);
        assert_eq!(
            r.unchecked[0].1,
            "still listed right after its revoke, and not read again (you pressed Stop)"
        );
        assert_eq!(r.unchecked[1].1, "you pressed Stop");
        assert_eq!(r.retry_ids(), ["lost", "later"]);
        assert_eq!(
            r.summary(),
            "Stopped: revoked 2 of 5 sessions (1 confirmed gone, 0 still listed, 3 not checked); 1 was already gone (removed from the list); 1 failed; 1 not sent."
        );
        // Without early lookups, nothing is confirmed.
        let mut bare =
            RevokeReport::from_results(vec![("a".into(), ItemResult::Done(Revoked::Now))], |i| {
                i.into()
            });
        bare.checked_before_stop(&HashMap::new(), "you pressed Stop");
        assert!(bare.confirmed_gone.is_empty());
        assert_eq!(bare.unchecked.len(), 1);
    }

    #[test]
    fn sessions_waiting_behind_a_stopped_batch_are_not_sent_and_retryable() {
        let mut r = RevokeReport::default();
        r.add_not_started([("x".to_string(), "alice".to_string())]);
        assert_eq!(r.retry_ids(), ["x"]);
        assert_eq!(r.summary(), "Revoked 0 of 1 session; 1 not sent.");
    }

    #[test]
    fn a_fresh_read_decides_what_ended() {
        use std::collections::HashMap;
        let lost = ApiError::NotFromApi {
            status: 404,
            api: "Rocket.Chat's API",
            seen: "an empty answer".into(),
        };
        let mut r = RevokeReport::from_results(
            vec![
                ("a".into(), ItemResult::Done(Revoked::Now)),
                ("b".into(), ItemResult::Done(Revoked::Now)),
                ("c".into(), ItemResult::Done(Revoked::AlreadyGone)),
                ("d".into(), ItemResult::Failed(lost.clone())),
                ("e".into(), ItemResult::Failed(lost)),
                ("f".into(), ItemResult::NotSent(NotSent::Stopped)),
                ("g".into(), ItemResult::Done(Revoked::Now)),
            ],
            |i| format!("label {i}"),
        );
        assert_eq!(r.attempted(), ["a", "b", "g", "c", "d", "e"]);
        let v: HashMap<String, Verdict> = [
            ("a", Verdict::Gone),
            // The server said revoked, yet lists it: a failure, its own words.
            ("b", Verdict::StillListed),
            ("c", Verdict::Gone),
            // The answer was not the API's, and the list no longer has it.
            ("d", Verdict::Gone),
            ("e", Verdict::StillListed),
            (
                "g",
                Verdict::Unchecked("the list could not be read again".into()),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        r.verified_by(&v);
        r.label_with(|i| format!("label {i}"));
        assert_eq!(r.confirmed_gone, ["a", "c", "d"]);
        assert_eq!(r.still_listed, ["b", "e"]);
        assert_eq!(
            r.gone_ids(),
            ["a", "c", "d"],
            "gone only when no longer listed"
        );
        assert_eq!(r.revoked, ["a", "g", "d"]);
        let b = r.failed.iter().find(|f| f.id == "b").unwrap();
        assert_eq!(
            (b.reason.as_str(), b.label.as_str()),
            (STILL_LISTED, "label b")
        );
        assert_eq!(r.retry_ids(), ["e", "b", "f"]);
        assert_eq!(r.gone_despite.len(), 1);
        assert_eq!(
            r.summary(),
            "Stopped: revoked 3 of 7 sessions (3 confirmed gone, 2 still listed, 1 not checked); 1 was already gone (removed from the list); 2 failed; 1 not sent."
        );
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
