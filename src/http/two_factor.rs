//! The two-factor gate every request of one connection waits on.
//!
//! A request that gets "totp-required" enters the gate. The first one becomes
//! the *leader*: the dialog opens and each code typed is sent with the
//! leader's request, so a wrong code keeps the dialog open with an error.
//! Requests arriving while the dialog is open (a bulk revoke, parallel pages)
//! become *followers* and wait; when the leader succeeds they are released
//! with the accepted code and retry once. Nothing here sends a request on its
//! own, so no code-less request (which e-mails a new code) is ever looped.
//!
//! Three races are closed here:
//! - Each dialog has a *generation*. Cancel (or sign-out) ends it at once,
//!   even while a code is being checked; the leader's late answer can then
//!   neither reopen the dialog nor change its outcome.
//! - A request sent without a code before a dialog closed is a *racer*: if
//!   its "totp-required" comes back after the dialog closed, it is told how
//!   the dialog ended (retry once with the accepted code, or stop) instead
//!   of opening a second dialog. The code lives only as long as that request.
//! - A shut gate (sign-out) releases everything with [`ApiError::SignedOut`]
//!   and admits nobody.
//!
//! Pure Rust on `futures` channels: tested natively, driven by the dialog.

use super::request::{ApiError, Challenge, Code};
use futures::channel::oneshot;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

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

/// How a waiting request is released.
#[derive(Clone, Debug, PartialEq)]
pub enum Released {
    /// Verification passed: retry once (with this code, if any).
    Retry(Option<Code>),
    /// Cancelled (`None`), or the leader failed for good, or sign-out.
    Stop(Option<ApiError>),
}

/// A dialog's identity: inputs and outcomes of an older one are ignored.
pub type Generation = u64;

pub enum Ticket {
    /// Open the dialog and lead it.
    Leader(oneshot::Receiver<LeaderInput>, Generation),
    /// Wait for the open dialog.
    Follower(oneshot::Receiver<Released>),
    /// A dialog closed while this request was on its way: act on how.
    Settled(Released),
}

/// A code-less request in flight: filled with how the next dialog ended.
pub type Racer = Rc<RefCell<Option<Released>>>;

#[derive(Default)]
struct Inner {
    prompt: Option<Prompt>,
    generation: Generation,
    leader: Option<oneshot::Sender<LeaderInput>>,
    followers: Vec<oneshot::Sender<Released>>,
    racers: Vec<Weak<RefCell<Option<Released>>>>,
    shut: bool,
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

    pub fn is_shut(&self) -> bool {
        self.inner.borrow().shut
    }

    /// Registers a request about to be sent without a code.
    pub fn track(&self) -> Racer {
        let racer: Racer = Rc::default();
        let mut inner = self.inner.borrow_mut();
        inner.racers.retain(|r| r.strong_count() > 0);
        inner.racers.push(Rc::downgrade(&racer));
        racer
    }

    fn follow(inner: &mut Inner) -> oneshot::Receiver<Released> {
        let (tx, rx) = oneshot::channel();
        inner.followers.push(tx);
        let n = inner.followers.len();
        if let Some(p) = inner.prompt.as_mut() {
            p.waiting = n;
        }
        rx
    }

    /// Before sending a code-less request: while a dialog is open (or the
    /// gate is shut) the request waits instead of asking the server, which
    /// would e-mail yet another code.
    pub fn wait_if_open(&self) -> Option<Result<oneshot::Receiver<Released>, ApiError>> {
        let rx = {
            let mut inner = self.inner.borrow_mut();
            if inner.shut {
                return Some(Err(ApiError::SignedOut));
            }
            inner.prompt.is_some().then(|| Self::follow(&mut inner))?
        };
        self.notify();
        Some(Ok(rx))
    }

    /// A request was asked for a second factor. `racer`: its registration
    /// from [`TwoFactorGate::track`] when it was sent without a code.
    pub fn enter(&self, challenge: Challenge, racer: Option<&Racer>) -> Ticket {
        let ticket = {
            let mut inner = self.inner.borrow_mut();
            if inner.shut {
                return Ticket::Settled(Released::Stop(Some(ApiError::SignedOut)));
            }
            if let Some(settled) = racer.and_then(|r| r.borrow_mut().take()) {
                return Ticket::Settled(settled);
            }
            if inner.prompt.is_some() {
                Ticket::Follower(Self::follow(&mut inner))
            } else {
                let (tx, rx) = oneshot::channel();
                inner.generation += 1;
                inner.leader = Some(tx);
                inner.prompt = Some(Prompt {
                    challenge,
                    ..Default::default()
                });
                Ticket::Leader(rx, inner.generation)
            }
        };
        self.notify();
        ticket
    }

    /// The leader's attempt did not settle it: keep the dialog open, maybe
    /// with a new challenge, an error or a note, and wait for the next input.
    /// `None` when that dialog is over (cancelled, or the gate shut).
    pub fn rearm(
        &self,
        generation: Generation,
        challenge: Option<Challenge>,
        error: Option<String>,
        note: Option<String>,
    ) -> Option<oneshot::Receiver<LeaderInput>> {
        let (tx, rx) = oneshot::channel();
        {
            let mut inner = self.inner.borrow_mut();
            if inner.generation != generation || inner.shut {
                return None;
            }
            let p = inner.prompt.as_mut()?;
            if let Some(c) = challenge {
                p.challenge = c;
            }
            p.error = error;
            p.note = note;
            p.busy = false;
            inner.leader = Some(tx);
        }
        self.notify();
        Some(rx)
    }

    /// Closes dialog `generation` and releases every follower, and every
    /// racer sent before now, the same way. Ignored for an older dialog.
    pub fn release(&self, generation: Generation, how: Released) {
        {
            let inner = self.inner.borrow();
            if inner.generation != generation || inner.prompt.is_none() {
                return;
            }
        }
        self.close(how, false);
    }

    /// Sign-out: closes any dialog, stops everyone waiting, admits nobody.
    pub fn shut(&self) {
        self.close(Released::Stop(Some(ApiError::SignedOut)), true);
    }

    fn close(&self, how: Released, shut: bool) {
        let (followers, racers) = {
            let mut inner = self.inner.borrow_mut();
            inner.shut |= shut;
            inner.generation += 1;
            inner.prompt = None;
            inner.leader = None;
            (
                std::mem::take(&mut inner.followers),
                std::mem::take(&mut inner.racers),
            )
        };
        for r in racers.iter().filter_map(Weak::upgrade) {
            *r.borrow_mut() = Some(how.clone());
        }
        for f in followers {
            let _ = f.send(how.clone());
        }
        self.notify();
    }

    fn to_leader(&self, input: LeaderInput, busy: bool) {
        let (sender, generation) = {
            let mut inner = self.inner.borrow_mut();
            let s = inner.leader.take();
            if let Some(p) = inner.prompt.as_mut() {
                p.busy = busy && s.is_some();
            }
            (s, inner.generation)
        };
        match sender {
            Some(tx) => {
                if tx.send(input).is_err() {
                    // The leader's request is gone (its screen closed): nobody
                    // can check a code any more, so end the verification.
                    self.release(generation, Released::Stop(None));
                    return;
                }
                self.notify();
            }
            // Cancel while a code is being checked: the dialog ends now; the
            // check's answer, when it comes, cannot reopen it.
            None if matches!(input, LeaderInput::Cancel) => {
                self.release(generation, Released::Stop(None))
            }
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

/// The gates of several connections asking at once: the dialog shows one
/// at a time, the first that asked; the next one's prompt follows when it
/// closes. `T` is the gate (a handle), kept only while it asks.
pub struct PromptQueue<T> {
    asking: Vec<(u32, T, String, Prompt)>,
}

impl<T> Default for PromptQueue<T> {
    fn default() -> Self {
        PromptQueue { asking: Vec::new() }
    }
}

impl<T> PromptQueue<T> {
    /// Gate `id` (named `label`) shows `prompt`: a new ask joins the end, a
    /// changed prompt (an error, busy) keeps its place.
    pub fn ask(&mut self, id: u32, gate: T, label: String, prompt: Prompt) {
        match self.asking.iter_mut().find(|a| a.0 == id) {
            Some(a) => a.3 = prompt,
            None => self.asking.push((id, gate, label, prompt)),
        }
    }

    /// Gate `id` closed its dialog.
    pub fn done(&mut self, id: u32) {
        self.asking.retain(|a| a.0 != id);
    }

    /// What the dialog shows: the first gate asking, and its prompt.
    pub fn shown(&self) -> Option<(&u32, &T, &Prompt)> {
        self.asking.first().map(|(id, g, _, p)| (id, g, p))
    }

    /// How gate `id` names its server.
    pub fn label(&self, id: u32) -> Option<&str> {
        self.asking.iter().find(|a| a.0 == id).map(|a| a.2.as_str())
    }

    /// How many gates ask and are not shown yet.
    pub fn behind(&self) -> usize {
        self.asking.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    type Seen = Rc<RefCell<Vec<Option<Prompt>>>>;

    #[test]
    fn prompt_queue_shows_first_asker_and_keeps_its_place_until_done() {
        let mut q: PromptQueue<&str> = PromptQueue::default();
        assert!(q.shown().is_none());
        let p = |m: &str| Prompt {
            challenge: Challenge {
                method: m.into(),
                ..Default::default()
            },
            ..Default::default()
        };
        q.ask(7, "a", "Rocket.Chat · a".into(), p("password"));
        q.ask(9, "b", "Rocket.Chat · b".into(), p("totp"));
        assert_eq!(q.shown().map(|s| *s.0), Some(7));
        assert_eq!(q.behind(), 1);
        // A changed prompt of the second asker does not jump the queue.
        let mut busy = p("totp");
        busy.busy = true;
        q.ask(9, "b", "Rocket.Chat · b".into(), busy.clone());
        assert_eq!(q.shown().map(|s| *s.1), Some("a"));
        q.done(7);
        assert_eq!(q.shown().map(|s| s.2.clone()), Some(busy));
        assert_eq!(q.label(9), Some("Rocket.Chat · b"));
        q.done(9);
        assert!(q.shown().is_none());
        assert_eq!(q.behind(), 0);
    }

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
        let Ticket::Leader(mut lrx, generation) = g.enter(ch("password"), None) else {
            panic!("first must lead")
        };
        let Ticket::Follower(mut f1) = g.enter(ch("password"), None) else {
            panic!()
        };
        let Ticket::Follower(_f2) = g.enter(ch("password"), None) else {
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
        g.release(generation, Released::Retry(None));
        assert_eq!(f1.try_recv(), Ok(Some(Released::Retry(None))));
        assert_eq!(seen.borrow().last().unwrap(), &None);
        assert!(!g.is_open());
    }

    #[test]
    fn wrong_code_rearms_with_error_and_keeps_dialog() {
        let (g, seen) = gate();
        let Ticket::Leader(_rx, generation) = g.enter(ch("totp"), None) else {
            panic!()
        };
        g.submit(Code {
            method: "totp".into(),
            code: "000000".into(),
        });
        let mut rx = g
            .rearm(generation, None, Some("Wrong code".into()), None)
            .unwrap();
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
        let Ticket::Leader(mut rx, generation) = g.enter(ch("email"), None) else {
            panic!()
        };
        g.resend();
        // The leader has not re-armed yet: a second click must not send again.
        g.resend();
        assert!(matches!(rx.try_recv(), Ok(Some(LeaderInput::Resend))));
        let mut rx = g
            .rearm(generation, None, None, Some("sent".into()))
            .unwrap();
        g.cancel();
        assert!(matches!(rx.try_recv(), Ok(Some(LeaderInput::Cancel))));
    }

    #[test]
    fn dropped_leader_closes_the_dialog() {
        let (g, _) = gate();
        let Ticket::Leader(rx, _) = g.enter(ch("totp"), None) else {
            panic!()
        };
        let Ticket::Follower(mut f) = g.enter(ch("totp"), None) else {
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

    #[test]
    fn cancel_while_verifying_ends_the_dialog_for_good() {
        let (g, seen) = gate();
        let Ticket::Leader(_rx, generation) = g.enter(ch("totp"), None) else {
            panic!()
        };
        g.submit(Code {
            method: "totp".into(),
            code: "1".into(),
        });
        g.cancel();
        assert!(!g.is_open(), "Cancel closes at once, even while verifying");
        // The wrong-code answer arrives after Cancel: the dialog stays closed.
        assert!(g
            .rearm(generation, None, Some("Wrong code".into()), None)
            .is_none());
        assert!(!g.is_open());
        assert_eq!(seen.borrow().last().unwrap(), &None);
        // A new dialog is a new generation; the old one cannot close it.
        let Ticket::Leader(_rx2, second) = g.enter(ch("totp"), None) else {
            panic!()
        };
        assert_ne!(second, generation);
        g.release(generation, Released::Retry(None));
        assert!(g.is_open());
    }

    #[test]
    fn racers_learn_how_the_dialog_ended_instead_of_opening_another() {
        let (g, _) = gate();
        let racer = g.track();
        let bystander = g.track();
        let Ticket::Leader(_rx, generation) = g.enter(ch("email"), None) else {
            panic!()
        };
        let code = Code {
            method: "email".into(),
            code: "123456".into(),
        };
        g.release(generation, Released::Retry(Some(code.clone())));
        drop(bystander);
        match g.enter(ch("email"), Some(&racer)) {
            Ticket::Settled(Released::Retry(Some(c))) => assert_eq!(c, code),
            _ => panic!("a racer retries with the accepted code"),
        }
        assert!(!g.is_open());
        // Its slot is used once; a later request with a fresh slot leads.
        let late = g.track();
        assert!(matches!(
            g.enter(ch("email"), Some(&late)),
            Ticket::Leader(..)
        ));
    }

    #[test]
    fn a_shut_gate_stops_everyone_and_admits_nobody() {
        let (g, _) = gate();
        let racer = g.track();
        let Ticket::Leader(_rx, _) = g.enter(ch("totp"), None) else {
            panic!()
        };
        let Ticket::Follower(mut f) = g.enter(ch("totp"), None) else {
            panic!()
        };
        g.shut();
        assert!(!g.is_open());
        assert_eq!(
            f.try_recv(),
            Ok(Some(Released::Stop(Some(ApiError::SignedOut))))
        );
        assert!(matches!(
            g.enter(ch("totp"), Some(&racer)),
            Ticket::Settled(Released::Stop(Some(ApiError::SignedOut)))
        ));
        assert!(matches!(g.wait_if_open(), Some(Err(ApiError::SignedOut))));
    }
}
