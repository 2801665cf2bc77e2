//! The rate limits being waited out, one per server that met one, for the
//! banner: its countdown and its Stop.

use crate::http::transport::{RateLimitEvent, Stopper};
use leptos::prelude::*;
use std::rc::Rc;

/// One server's rate limit being waited out.
#[derive(Clone)]
pub struct RateWait {
    /// The connection's gate number.
    pub id: u32,
    /// Ends its waits (the banner's Stop); used on the page's thread only.
    pub stop: send_wrapper::SendWrapper<Stopper>,
    /// The server, as its tab names it.
    pub server: String,
    /// Until when (epoch ms): the server's own figure, never shortened.
    pub until_ms: f64,
}

/// The waits shown. `Copy`: an arena handle.
#[derive(Clone, Copy)]
pub struct RateWaits(RwSignal<Vec<RateWait>>);

impl RateWaits {
    pub fn new() -> Self {
        RateWaits(RwSignal::new(Vec::new()))
    }

    /// What the banner shows (tracked).
    pub fn list(&self) -> ReadSignal<Vec<RateWait>> {
        self.0.read_only()
    }

    /// What connection `id`'s transport reports goes to the banner, named
    /// by `label` at the time.
    pub fn reporter(&self, id: u32, label: Rc<dyn Fn() -> String>) -> Rc<dyn Fn(RateLimitEvent)> {
        let waits = self.0;
        Rc::new(move |e| match e {
            RateLimitEvent::Waiting { until_ms, stop } => {
                let server = label();
                waits.update(|w| match w.iter_mut().find(|w| w.id == id) {
                    Some(w) => w.until_ms = w.until_ms.max(until_ms),
                    None => w.push(RateWait {
                        id,
                        stop: send_wrapper::SendWrapper::new(stop),
                        server,
                        until_ms,
                    }),
                })
            }
            RateLimitEvent::Resumed => waits.update(|w| {
                w.retain(|w| w.id != id || w.until_ms > crate::browser::now_ms() + 50.0)
            }),
        })
    }

    /// The banner's Stop: the requests waiting out this rate limit fail
    /// ("you stopped waiting") and the banner goes.
    pub fn stop(&self, id: u32) {
        let stop = self
            .0
            .with_untracked(|w| w.iter().find(|w| w.id == id).map(|w| (*w.stop).clone()));
        if let Some(stop) = stop {
            stop.stop();
        }
        self.0.update(|w| w.retain(|w| w.id != id));
    }

    pub fn clear(&self) {
        self.0.set(Vec::new());
    }
}

impl Default for RateWaits {
    fn default() -> Self {
        Self::new()
    }
}
