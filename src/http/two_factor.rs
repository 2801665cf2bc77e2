//! The ONE two-factor gate every request waits on.
//!
//! A request that gets "totp-required" enters the gate. The first one becomes
//! the *leader*: the dialog opens and each code typed is sent with the
//! leader's request, so a wrong code keeps the dialog open with an error.
//! Requests arriving while the dialog is open (a bulk revoke, parallel pages)
//! become *followers* and wait; when the leader succeeds they are released
//! with the accepted code and retry once. Nothing here sends a request on its
//! own, so no code-less request (which e-mails a new code) is ever looped.
//!
//! Pure Rust on `futures` channels: tested natively, driven by the dialog.

use super::request::{Challenge, Code};
use futures::channel::oneshot;
use std::cell::RefCell;

/// What the dialog shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prompt {
    pub challenge: Challenge,
    /// A wrong code's message (shown with role alert).
    pub error: Option<String>,
    /// A neutral note ("A new code was sent").
    pub note: Option<String>,
    /// A code is being checked.
    pub busy: bool,
    /// How many other requests wait on this verification.
    pub waiting: usize,
}

/// What the person did in the dialog, delivered to the leader.
#[derive(Debug)]
pub enum LeaderInput {
    Code(Code),
    /// "Send code again": repeat the request without a code, once.
    Resend,
    Cancel,
}

/// How a follower is released.
#[derive(Clone, Debug, PartialEq)]
pub enum Released {
    /// Verification passed: retry once (with this code, if any).
    Retry(Option<Code>),
    /// Cancelled, or the leader failed for good (message).
    Stop(Option<crate::http::request::ApiError>),
}

pub enum Ticket {
    Leader(oneshot::Receiver<LeaderInput>),
    Follower(oneshot::Receiver<Released>),
}

#[derive(Default)]
struct Inner {
    prompt: Option<Prompt>,
    leader: Option<oneshot::Sender<LeaderInput>>,
    followers: Vec<oneshot::Sender<Released>>,
}

pub struct TwoFactorGate {
    inner: RefCell<Inner>,
    on_change: Box<dyn Fn(Option<Prompt>)>,
}

impl TwoFactorGate {
    /// `on_change` receives the prompt to show (`None` = dialog closed).
    pub fn new(on_change: impl Fn(Option<Prompt>) + 'static) -> Self {
        TwoFactorGate {
            inner: RefCell::new(Inner::default()),
            on_change: Box::new(on_change),
        }
    }

    fn notify(&self) {
        let p = self.inner.borrow().prompt.clone();
        (self.on_change)(p);
    }

    pub fn is_open(&self) -> bool {
        self.inner.borrow().prompt.is_some()
    }

    /// A request was asked for a second factor.
    pub fn enter(&self, challenge: Challenge) -> Ticket {
        let ticket = {
            let mut inner = self.inner.borrow_mut();
            if inner.prompt.is_some() {
                let (tx, rx) = oneshot::channel();
                inner.followers.push(tx);
                let n = inner.followers.len();
                if let Some(p) = inner.prompt.as_mut() {
                    p.waiting = n;
                }
                Ticket::Follower(rx)
            } else {
                let (tx, rx) = oneshot::channel();
                inner.leader = Some(tx);
                inner.prompt = Some(Prompt {
                    challenge,
                    ..Default::default()
                });
                Ticket::Leader(rx)
            }
        };
        self.notify();
        ticket
    }

    /// The leader's attempt did not settle it: keep the dialog open, maybe
    /// with a new challenge, an error or a note, and wait for the next input.
    pub fn rearm(
        &self,
        challenge: Option<Challenge>,
        error: Option<String>,
        note: Option<String>,
    ) -> oneshot::Receiver<LeaderInput> {
        let (tx, rx) = oneshot::channel();
        {
            let mut inner = self.inner.borrow_mut();
            inner.leader = Some(tx);
            let p = inner.prompt.get_or_insert_with(Prompt::default);
            if let Some(c) = challenge {
                p.challenge = c;
            }
            p.error = error;
            p.note = note;
            p.busy = false;
        }
        self.notify();
        rx
    }

    /// Closes the dialog and releases every follower the same way.
    pub fn release(&self, how: Released) {
        let followers = {
            let mut inner = self.inner.borrow_mut();
            inner.prompt = None;
            inner.leader = None;
            std::mem::take(&mut inner.followers)
        };
        for f in followers {
            let _ = f.send(how.clone());
        }
        self.notify();
    }

    fn to_leader(&self, input: LeaderInput, busy: bool) {
        let sender = {
            let mut inner = self.inner.borrow_mut();
            let s = inner.leader.take();
            if let Some(p) = inner.prompt.as_mut() {
                p.busy = busy && s.is_some();
            }
            s
        };
        match sender {
            Some(tx) => {
                if tx.send(input).is_err() {
                    // The leader's request is gone (its screen closed): nobody
                    // can check a code any more, so end the verification.
                    self.release(Released::Stop(None));
                    return;
                }
                self.notify();
            }
            None if matches!(input, LeaderInput::Cancel) => self.release(Released::Stop(None)),
            None => {}
        }
    }

    /// "Verify" with a code (for `password`: its SHA-256, made by the dialog).
    pub fn submit(&self, code: Code) {
        self.to_leader(LeaderInput::Code(code), true);
    }

    /// "Send code again".
    pub fn resend(&self) {
        self.to_leader(LeaderInput::Resend, true);
    }

    /// "Cancel" or Escape.
    pub fn cancel(&self) {
        self.to_leader(LeaderInput::Cancel, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    type Seen = Rc<RefCell<Vec<Option<Prompt>>>>;

    fn gate() -> (Rc<TwoFactorGate>, Seen) {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s2 = seen.clone();
        (
            Rc::new(TwoFactorGate::new(move |p| s2.borrow_mut().push(p))),
            seen,
        )
    }

    fn ch(m: &str) -> Challenge {
        Challenge {
            method: m.into(),
            ..Default::default()
        }
    }

    #[test]
    fn first_is_leader_rest_follow_and_share_one_prompt() {
        let (g, seen) = gate();
        let Ticket::Leader(mut lrx) = g.enter(ch("password")) else {
            panic!("first must lead")
        };
        let Ticket::Follower(mut f1) = g.enter(ch("password")) else {
            panic!()
        };
        let Ticket::Follower(_f2) = g.enter(ch("password")) else {
            panic!()
        };
        assert_eq!(seen.borrow().last().unwrap().as_ref().unwrap().waiting, 2);
        g.submit(Code {
            method: "password".into(),
            code: "h".into(),
        });
        assert!(seen.borrow().last().unwrap().as_ref().unwrap().busy);
        assert!(matches!(lrx.try_recv(), Ok(Some(LeaderInput::Code(_)))));
        assert!(
            matches!(f1.try_recv(), Ok(None)),
            "followers wait for the leader"
        );
        g.release(Released::Retry(None));
        assert_eq!(f1.try_recv(), Ok(Some(Released::Retry(None))));
        assert_eq!(seen.borrow().last().unwrap(), &None);
        assert!(!g.is_open());
    }

    #[test]
    fn wrong_code_rearms_with_error_and_keeps_dialog() {
        let (g, seen) = gate();
        let Ticket::Leader(_rx) = g.enter(ch("totp")) else {
            panic!()
        };
        g.submit(Code {
            method: "totp".into(),
            code: "000000".into(),
        });
        let mut rx = g.rearm(None, Some("Wrong code".into()), None);
        let p = seen.borrow().last().unwrap().clone().unwrap();
        assert_eq!(p.error.as_deref(), Some("Wrong code"));
        assert!(!p.busy);
        assert!(g.is_open());
        g.resend();
        assert!(matches!(rx.try_recv(), Ok(Some(LeaderInput::Resend))));
    }

    #[test]
    fn cancel_reaches_leader_and_a_second_click_does_nothing_twice() {
        let (g, _) = gate();
        let Ticket::Leader(mut rx) = g.enter(ch("email")) else {
            panic!()
        };
        g.resend();
        // The leader has not re-armed yet: a second click must not send again.
        g.resend();
        assert!(matches!(rx.try_recv(), Ok(Some(LeaderInput::Resend))));
        let mut rx = g.rearm(None, None, Some("sent".into()));
        g.cancel();
        assert!(matches!(rx.try_recv(), Ok(Some(LeaderInput::Cancel))));
    }

    #[test]
    fn dropped_leader_closes_the_dialog() {
        let (g, _) = gate();
        let Ticket::Leader(rx) = g.enter(ch("totp")) else {
            panic!()
        };
        let Ticket::Follower(mut f) = g.enter(ch("totp")) else {
            panic!()
        };
        drop(rx);
        g.submit(Code {
            method: "totp".into(),
            code: "1".into(),
        });
        assert!(!g.is_open());
        assert_eq!(f.try_recv(), Ok(Some(Released::Stop(None))));
    }
}
