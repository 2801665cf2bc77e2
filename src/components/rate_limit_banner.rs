//! "Rate limited: continuing in 12 s" while a 429 is waited out.

use crate::context::AppCtx;
use leptos::prelude::*;

#[component]
pub fn RateLimitBanner() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let (now, set_now) = signal(crate::browser::now_ms());
    // Tick only while a wait is on (syncing with the clock, the outside world).
    Effect::new(move |_| {
        if ctx.rate_until.get().is_some() {
            if let Ok(h) = set_interval_with_handle(
                move || set_now.set(crate::browser::now_ms()),
                std::time::Duration::from_millis(250),
            ) {
                on_cleanup(move || h.clear());
            }
        }
    });
    move || {
        ctx.rate_until.get().map(|until| {
            let secs = ((until - now.get()) / 1000.0).ceil().max(0.0) as i64;
            view! {
                <div class="banner banner-warn" role="status">
                    <strong>"429 Too Many Requests: "</strong>
                    "the server's rate limit was reached. Waiting for its reset, continuing in "
                    <span class="countdown">{secs}</span>
                    " s. Nothing needs to be done."
                </div>
            }
        })
    }
}
