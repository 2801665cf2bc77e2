//! One server's revocation report — progress with Stop while it runs, then
//! what was done, what failed and why, with Retry failed — wired to that
//! server's screen. Shown on its own tab and under Everywhere.

use super::screen::Screen;
use crate::components::bulk_report::BulkReport;
use crate::revoke::Action;
use leptos::prelude::*;

#[component]
pub fn RevocationReport(s: Screen) -> impl IntoView {
    let waiting = Signal::derive(move || s.queue.with(|q| q.waiting().count()));
    view! {
        <BulkReport
            state=s.bulk
            waiting=waiting
            on_stop=move |_| s.stop.get_value().press()
            on_retry={move |ids: Vec<String>| s.submit(Action::Sessions { ids, batch: true })}
        />
    }
}
