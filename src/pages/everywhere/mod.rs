//! Everywhere: every connected server at once. Find people (or sessions by
//! criteria) across all of them — what the admin types lists the distinct
//! people found per server, and only those ticked are ended — see the
//! preview per server (people, counts, the calls that will be made, the
//! rows) and end them with one confirmation; each server then reports on
//! its own, with Retry failed.

mod server_preview;

use crate::browser;
use crate::components::combined_table::{CombinedTable, ServerRow};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::criteria_fields::CriteriaFields;
use crate::components::text_field::TextField;
use crate::confirm::{self, ConfirmSpec};
use crate::context::AppCtx;
use crate::everywhere::{
    calls_in_words, distinct_people, people_named, people_on, server_part, shared_exact_note,
    Person, SweepQuery,
};
use crate::list::Criteria;
use crate::pages::sessions::RevocationReport;
use crate::plural::counted;
use crate::server::Server;
use crate::server::ServerId;
use leptos::prelude::*;
use server_preview::ServerPreview;
use std::collections::{HashMap, HashSet};

/// The admin's ticks on the people found: (server, person key) → ticked.
/// A person not in it is ticked only when what was typed is exactly their
/// login name, e-mail or user ID.
type Ticks = HashMap<(ServerId, String), bool>;

/// The people found on one server.
#[derive(Clone, Debug, PartialEq)]
struct PeopleOn {
    server: ServerId,
    label: String,
    /// The first [`everywhere::PEOPLE_LISTED`] found (exact matches first).
    people: Vec<Person>,
    /// How many more were found than are listed.
    more: usize,
    /// Why nobody is found here where that is not simply so (a login
    /// typed on a server that lists names only; a lookup under way or
    /// failed).
    note: Option<String>,
}

/// What the servers' people searches found for what was typed: the text
/// looked for, and per server its accounts (or why the search failed).
type Lookups = (
    String,
    HashMap<ServerId, Result<Vec<crate::backends::Account>, String>>,
);

/// How long typing must pause before the people searches go out.
const LOOKUP_AFTER_MS: u64 = 350;

/// Rows the combined table shows (the counts and the revoke cover all).
const SHOWN_ROWS: usize = 200;

/// A sweep waiting for the admin's confirmation: the words, and the parts
/// as they were when asked (what runs is exactly what was confirmed).
#[derive(Clone, Debug)]
struct SweepToConfirm {
    spec: ConfirmSpec,
    parts: Vec<ServerPreview>,
    /// What chose the sessions (the person, the criteria), for the record.
    chosen_by: String,
}

#[component]
pub fn EverywherePage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let sweep = RwSignal::new(SweepQuery::default());
    let confirm = RwSignal::new(None::<SweepToConfirm>);
    // The servers the last sweep ran on (their reports are shown here).
    let ran = RwSignal::new(Vec::<ServerId>::new());

    let compiled = Memo::new(move |_| sweep.with(|w| w.crit.compile(browser::now_ms())));
    let ticks = RwSignal::new(Ticks::new());
    let connected = move || ctx.each_server();
    // What was typed, once typing pauses: the people searches go out then.
    let looked_for = RwSignal::new(String::new());
    let timer = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let typed = sweep.with(|w| w.person.trim().to_string());
        if let Some(t) = timer.write_value().take() {
            t.clear();
        }
        if let Ok(t) = set_timeout_with_handle(
            move || looked_for.set(typed),
            std::time::Duration::from_millis(LOOKUP_AFTER_MS),
        ) {
            timer.set_value(Some(t));
        }
    });
    // Servers whose lists name display names only look the person up.
    let lookups = LocalResource::new(move || {
        let typed = looked_for.get();
        let servers = connected();
        async move {
            let mut found = HashMap::new();
            for s in servers {
                if let Some(search) = s.find_people(&typed) {
                    found.insert(s.id(), search.await.map_err(|e| e.to_string()));
                }
            }
            (typed, found) as Lookups
        }
    });
    // The distinct people what was typed names, per server.
    let found_people = Memo::new(move |_| {
        let typed = sweep.with(|w| w.person.clone());
        let looked = lookups.get();
        connected()
            .into_iter()
            .map(|s| {
                let server = s.id();
                let label = s.label();
                let searched = s.find_people(&typed).is_some();
                s.list().with(|l| {
                    let answer = looked
                        .as_ref()
                        .filter(|(t, _)| t == typed.trim())
                        .and_then(|(_, by)| by.get(&server).cloned());
                    let found = people_on(&label, l, &typed, searched, answer);
                    PeopleOn {
                        server,
                        label: label.clone(),
                        people: found.people,
                        more: found.more,
                        note: found.note,
                    }
                })
            })
            .collect::<Vec<_>>()
    });
    let ticked = move |server: ServerId, p: &Person| {
        ticks.with(|t| t.get(&(server, p.key.clone())).copied().unwrap_or(p.exact))
    };
    let parts = Memo::new(move |_| {
        let Ok(c) = compiled.get() else {
            return Vec::new();
        };
        let found_people = found_people.get();
        // A session listed by two connections to one server counts once.
        let mut seen = HashSet::new();
        sweep.with(|w| {
            connected()
                .into_iter()
                .map(|s: Server| {
                    let server = s.id();
                    let mine: Vec<Person> = found_people
                        .iter()
                        .find(|f| f.server == server)
                        .map(|f| {
                            f.people
                                .iter()
                                .filter(|p| ticked(server, p))
                                .cloned()
                                .collect()
                        })
                        .unwrap_or_default();
                    let not_found = found_people
                        .iter()
                        .find(|f| f.server == server)
                        .and_then(|f| f.note.clone());
                    let refused = s.own().with(|o| o.sweep_refusal());
                    let (found, action, people) = s.list().with(|l| {
                        server_part(
                            w,
                            s.backend(),
                            l,
                            &c,
                            mine,
                            refused.is_some(),
                            &s.address(),
                            &mut seen,
                        )
                    });
                    ServerPreview {
                        server,
                        label: s.label(),
                        found,
                        action,
                        loading: s.loading().with(Option::is_some),
                        refreshing: s.refreshing().get(),
                        capped: s.load_report().with(|r| r.capped),
                        error: s.load_error().with(|e| e.as_ref().map(ToString::to_string)),
                        people,
                        refused,
                        not_found,
                    }
                })
                .collect::<Vec<_>>()
        })
    });
    // Everyone the sweep ends, once each (accounts linked by login or
    // e-mail across servers are one person), with their sessions.
    let people_in = move |parts: &[ServerPreview]| -> Vec<(String, usize)> {
        let ticked: Vec<(String, Person, usize)> = parts
            .iter()
            .flat_map(|p| {
                p.people
                    .iter()
                    .map(|(person, n)| (p.label.clone(), person.clone(), *n))
            })
            .collect();
        people_named(&ticked)
    };
    let total =
        Memo::new(move |_| parts.with(|p| p.iter().map(ServerPreview::count).sum::<usize>()));
    let servers_hit = move || parts.with(|p| p.iter().filter(|p| p.count() > 0).count());
    let rows = Memo::new(move |_| {
        let mut out: Vec<ServerRow> = Vec::new();
        parts.with(|parts| {
            for p in parts {
                let Some(s) = ctx.server(p.server) else {
                    continue;
                };
                s.list().with(|l| {
                    let room = SHOWN_ROWS.saturating_sub(out.len());
                    for &i in p.found.chosen.iter().take(room) {
                        if let Some(row) = l.sessions.get(i) {
                            out.push(ServerRow {
                                server: p.label.clone(),
                                session: row.clone(),
                            });
                        }
                    }
                });
            }
        });
        out
    });
    let button_text = move || {
        let n = total.get();
        let servers = servers_hit();
        let who = parts.with(|p| {
            distinct_people(
                p.iter()
                    .flat_map(|p| p.people.iter().map(|(person, _)| person)),
            )
        });
        sweep.with(|w| {
            if w.whole_person() {
                format!(
                    "Revoke everything of {} ({} on {})",
                    if who == 1 {
                        "1 person".to_string()
                    } else {
                        format!("{who} people")
                    },
                    counted(n, "session"),
                    counted(servers, "server")
                )
            } else {
                format!(
                    "Revoke {} matching on {}",
                    counted(n, "session"),
                    counted(servers, "server")
                )
            }
        })
    };
    let hold = move |parts: &[ServerPreview], on: bool| {
        for s in parts.iter().filter_map(|p| ctx.server(p.server)) {
            s.hold(on);
        }
    };
    on_cleanup(move || {
        if let Some(SweepToConfirm { parts, .. }) = confirm.get_untracked() {
            hold(&parts, false);
        }
    });
    let ask = move || {
        let snapshot: Vec<ServerPreview> = parts
            .get_untracked()
            .into_iter()
            .filter(|p| p.count() > 0)
            .collect();
        if snapshot.is_empty() {
            return;
        }
        let w = sweep.get_untracked();
        let own: usize = snapshot.iter().map(|p| p.found.own_chosen).sum();
        let per_server: Vec<(String, usize, String)> = snapshot
            .iter()
            .map(|p| (p.label.clone(), p.count(), calls_in_words(&p.action)))
            .collect();
        let mut spec = confirm::sweep(&people_in(&snapshot), w.whole_person(), &per_server, own);
        for p in &snapshot {
            if let Some(s) = ctx.server(p.server) {
                s.list().with_untracked(|l| {
                    spec.items.extend(
                        p.found
                            .chosen
                            .iter()
                            .filter_map(|&i| l.sessions.get(i))
                            .map(|r| format!("{} — {} · {}", p.label, r.describe(), r.id)),
                    )
                });
            }
        }
        // Until it is answered, no server under it refreshes quietly: what
        // is confirmed is exactly what was shown.
        hold(&snapshot, true);
        let mut chosen_by = Vec::new();
        if !w.person.trim().is_empty() {
            let who: Vec<String> = people_in(&snapshot).into_iter().map(|(p, _)| p).collect();
            chosen_by.push(format!(
                "person \u{201c}{}\u{201d}: {}",
                w.person.trim(),
                who.join("; ")
            ));
        }
        let crit = w.crit.describe();
        if !crit.is_empty() {
            chosen_by.push(format!("criteria: {crit}"));
        }
        confirm.set(Some(SweepToConfirm {
            spec,
            parts: snapshot,
            chosen_by: chosen_by.join("; "),
        }));
    };
    let run = move |snapshot: Vec<ServerPreview>, chosen_by: String, reason: String| {
        ran.set(snapshot.iter().map(|p| p.server).collect());
        for p in snapshot {
            if let Some(s) = ctx.server(p.server) {
                s.submit_job(crate::revoke::Job {
                    action: p.action,
                    purpose: crate::revoke::Purpose {
                        operation: "everywhere".into(),
                        detail: chosen_by.clone(),
                        reason: reason.trim().to_string(),
                    },
                });
            }
        }
    };

    let part_line = |p: ServerPreview| {
        view! {
            <li>
                <span>{p.line()}</span>
                {p.note().map(|n| view! { <span class="muted note">{n}</span> })}
            </li>
        }
    };
    // Every server's list again (quietly: each keeps its own view and
    // selection); a server busy with a load, a revoke or a confirmation
    // is left alone, and said so.
    let refresh_all = move |_| {
        let (mut started, mut busy) = (0, Vec::new());
        for s in untrack(|| ctx.each_server()) {
            if s.refresh_quietly() {
                started += 1;
            } else {
                busy.push(s.label());
            }
        }
        let mut text = format!("Refreshing {}.", counted(started, "server"));
        if !busy.is_empty() {
            text.push_str(&format!(
                " Not refreshed, busy with a load, a revoke or a confirmation: {}. Refresh it from its own tab when that is done.",
                busy.join(", ")
            ));
        }
        ctx.status(text);
    };

    view! {
        <section class="everywhere-page" aria-labelledby="everywhere-title">
            <div class="page-head">
                <h1 id="everywhere-title">"Everywhere"</h1>
                <p class="muted summary">
                    {move || {
                        let n: usize = ctx.each_server()
                            .into_iter()
                            .map(|s| s.list().with(|l| l.len()))
                            .sum();
                        let mut text = format!("{} loaded on {}", counted(n, "session"), counted(ctx.servers().with(Vec::len), "server"));
                        // A server loaded short of its list: what Everywhere
                        // searches and sweeps there is what was loaded.
                        for s in ctx.each_server() {
                            if let Some(c) = s.load_report().with(|r| r.capped) {
                                let of = c.total.map(|t| format!(" of {t}")).unwrap_or_default();
                                text.push_str(&format!(" · {}: only {}{of} loaded (the panel's limit)", s.label(), c.loaded));
                            }
                        }
                        text
                    }}
                </p>
                <button type="button" class="btn refresh-all" on:click=refresh_all>
                    "Refresh every server"
                </button>
            </div>
            <div class="panel sweep-form">
                <TextField
                    label="Person"
                    class="person"
                    kind="search"
                    placeholder="Name, username, e-mail or user ID — on every connected server"
                    value=Signal::derive(move || sweep.with(|w| w.person.clone()))
                    on_input=move |v: String| {
                        // Ticks belong to what was found: new text, new choice.
                        ticks.set(Ticks::new());
                        sweep.update(|w| w.person = v)
                    }
                />
                <details class="criteria" open=false>
                    <summary>"Criteria"</summary>
                    <CriteriaFields
                        value=Signal::derive(move || sweep.with(|w| w.crit.clone()))
                        on_change=move |c: Criteria| sweep.update(|w| w.crit = c)
                    />
                </details>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || sweep.with(|w| w.include_own)
                        on:change=move |ev| { let on = event_target_checked(&ev); sweep.update(|w| w.include_own = on) }
                    />
                    <span>"Include my own sessions (the ones sessiondeck uses)"</span>
                </label>
                {move || compiled.with(|c| c.as_ref().err().cloned()).map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
            </div>
            <Show
                when=move || sweep.with(|w| !w.is_empty())
                fallback=|| view! {
                    <p class="empty">"Type a person, or set criteria, to see their sessions on every connected server."</p>
                }
            >
                <Show when=move || sweep.with(|w| !w.person.trim().is_empty())>
                    <section class="panel people-found" aria-labelledby="people-title">
                        <h2 id="people-title">"People found"</h2>
                        <p class="muted">
                            "Tick the people whose sessions end. Only a username, e-mail or user ID typed exactly is ticked for you; a name, or part of one, never is."
                        </p>
                        <For
                            each=move || found_people.get()
                            key=|f| (f.server, f.label.clone(), f.people.clone(), f.more, f.note.clone())
                            let:f
                        >
                            <fieldset class="people-server">
                                <legend>{f.label.clone()}</legend>
                                {shared_exact_note(&f.people, &sweep.with_untracked(|w| w.person.clone()))
                                    .map(|n| view! { <p class="muted note" role="note">{n}</p> })}
                                {if f.people.is_empty() {
                                    // Many named, none exactly: the count below says it.
                                    let text = f.note.clone().or_else(|| {
                                        (f.more == 0)
                                            .then(|| "No one by that name, username, e-mail or user ID.".into())
                                    });
                                    text.map(|t| view! { <p class="muted">{t}</p> }).into_any()
                                } else {
                                    let server = f.server;
                                    let label = f.label.clone();
                                    f.people
                                        .into_iter()
                                        .map(|p| {
                                            let key = p.key.clone();
                                            let aria = format!("{} on {}", p.label(), label);
                                            let text = format!(
                                                "{} \u{2014} {}{}",
                                                p.label(),
                                                counted(p.sessions, "session"),
                                                if p.exact {
                                                    " \u{b7} exact match"
                                                } else if p.exact_shared {
                                                    " \u{b7} exact match shared by several accounts"
                                                } else {
                                                    ""
                                                }
                                            );
                                            let p2 = p.clone();
                                            view! {
                                                <label class="check">
                                                    <input
                                                        type="checkbox"
                                                        aria-label=aria
                                                        prop:checked=move || ticked(server, &p2)
                                                        on:change=move |ev| {
                                                            let on = event_target_checked(&ev);
                                                            ticks.update(|t| { t.insert((server, key.clone()), on); });
                                                        }
                                                    />
                                                    <span>{text}</span>
                                                </label>
                                            }
                                        })
                                        .collect_view()
                                        .into_any()
                                }}
                                {(f.more > 0).then(|| view! {
                                    <p class="muted">
                                        {format!(
                                            "…and {} more {} on {}: type more of the name, or a login, e-mail or user ID.",
                                            f.more,
                                            if f.more == 1 { "person" } else { "people" },
                                            f.label,
                                        )}
                                    </p>
                                })}
                            </fieldset>
                        </For>
                    </section>
                </Show>
                <section class="panel preview" aria-labelledby="preview-title">
                    <h2 id="preview-title">"Preview"</h2>
                    <ul class="sweep-servers">
                        {move || parts.get().into_iter().map(part_line).collect_view()}
                    </ul>
                    <div class="dialog-actions">
                        <span class="spacer"></span>
                        <button type="button" class="btn btn-danger" disabled=move || total.get() == 0 on:click=move |_| ask()>
                            {button_text}
                        </button>
                    </div>
                </section>
                <CombinedTable rows=rows />
                <p class="muted">
                    {move || {
                        let n = total.get();
                        if n > SHOWN_ROWS {
                            format!("Showing the first {SHOWN_ROWS} of {n}; the revoke covers all {n}.")
                        } else {
                            format!("{} across {}.", counted(n, "matching session"), counted(servers_hit(), "server"))
                        }
                    }}
                </p>
            </Show>
            <For each=move || ran.get() key=|id| *id let:id>
                {ctx.server(id).map(|s| {
                    view! {
                        <section class="server-report" aria-label=format!("Report for {}", s.label())>
                            <h2 class="report-server">{s.label()}</h2>
                            <RevocationReport server=s />
                        </section>
                    }
                })}
            </For>
            {move || {
                confirm.get().map(|SweepToConfirm { spec, parts, chosen_by }| {
                    view! {
                        <ConfirmDialog
                            spec=spec
                            on_confirm={
                                let parts = parts.clone();
                                move |reason: String| {
                                    confirm.set(None);
                                    hold(&parts, false);
                                    run(parts.clone(), chosen_by.clone(), reason);
                                }
                            }
                            on_cancel=move |_| {
                                confirm.set(None);
                                hold(&parts, false);
                            }
                        />
                    }
                })
            }}
        </section>
    }
}
