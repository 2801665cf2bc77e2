//! One server's revocation report — progress with Stop while it runs, then
//! what was done, what failed and why, with Retry failed — wired to that
//! server. Shown on its own tab and under Everywhere.

use crate::components::bulk_report::BulkReport;
use crate::server::Server;
use leptos::prelude::*;

#[component]
pub fn RevocationReport(server: Server) -> impl IntoView {
    view! {
        <BulkReport
            state=server.batch()
            waiting=Signal::derive(move || server.waiting())
            on_stop=move |_| server.stop_batch()
            on_retry={move |ids: Vec<String>| server.retry(ids)}
            on_dismiss=move |_| server.dismiss_report()
        />
    }
}
