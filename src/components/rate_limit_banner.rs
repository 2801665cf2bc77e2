//! "Rate limited: continuing in 12 s — Stop" while a 429 is waited out,
//! one line per server that hit its limit.

use crate::context::{AppCtx, RateWait};
use leptos::prelude::*;

/// "42 s", "9 min 05 s", "1 h 02 min": the server's wait as it is.
pub fn remaining(ms: f64) -> String {
    let secs = (ms / 1000.0).ceil().max(0.0) as u64;
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min {:02} s", s / 60, s % 60),
        s => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

#[component]
pub fn RateLimitBanner() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let (now, set_now) = signal(crate::browser::now_ms());
    let waiting = Memo::new(move |_| !ctx.rate_waits().list().with(Vec::is_empty));
    // Tick only while a wait is on (syncing with the clock, the outside world).
    Effect::new(move |_| {
        if waiting.get() {
            if let Ok(h) = set_interval_with_handle(
                move || set_now.set(crate::browser::now_ms()),
                std::time::Duration::from_millis(250),
            ) {
                on_cleanup(move || h.clear());
            }
        }
    });
    view! {
        <For each=move || ctx.rate_waits().list().get() key=|w| w.id let:w>
            <WaitLine wait=w now=now />
        </For>
    }
}

#[component]
fn WaitLine(wait: RateWait, now: ReadSignal<f64>) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let id = wait.id;
    let until = move || {
        ctx.rate_waits()
            .list()
            .with(|w| w.iter().find(|w| w.id == id).map(|w| w.until_ms))
            .unwrap_or(wait.until_ms)
    };
    view! {
        <div class="banner banner-warn" role="status">
            <span>
                <strong>{format!("429 Too Many Requests from {}: ", wait.server)}</strong>
                "its rate limit was reached. Waiting for the reset it named, continuing in "
                <span class="countdown">{move || remaining(until() - now.get())}</span>
                ". Stop to give up the calls that wait (they fail and can be retried)."
            </span>
            <button
                type="button"
                class="btn btn-small"
                aria-label=format!("Stop waiting for {}", wait.server)
                on:click=move |_| ctx.rate_waits().stop(id)
            >
                "Stop"
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::remaining;

    #[test]
    fn a_wait_reads_in_its_own_units_never_shortened() {
        assert_eq!(remaining(12_000.0), "12 s");
        assert_eq!(remaining(11_001.0), "12 s", "rounded up, never down");
        assert_eq!(remaining(545_000.0), "9 min 05 s");
        assert_eq!(remaining(3_720_000.0), "1 h 02 min");
        assert_eq!(remaining(-5.0), "0 s");
    }
}
