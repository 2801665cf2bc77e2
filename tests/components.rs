//! Component tests in headless Chromium (wasm-bindgen-test): the two-factor
//! dialog and the pagination, mounted for real and driven through the DOM.
#![cfg(target_arch = "wasm32")]

use futures::channel::oneshot;
use leptos::prelude::*;
use sessiondeck::backends::BackendKind;
use sessiondeck::components::pagination::Pagination;
use sessiondeck::components::two_factor_dialog::TwoFactorDialog;
use sessiondeck::context::AppCtx;
use sessiondeck::http::request::{sha256_hex, Challenge};
use sessiondeck::http::two_factor::TwoFactorGate;
use sessiondeck::http::two_factor::{LeaderInput, Ticket};
use sessiondeck::list::paginate;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container in the body for one test.
fn container() -> web_sys::HtmlElement {
    let el: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

async fn settle() {
    for _ in 0..5 {
        leptos::task::tick().await;
    }
    sessiondeck::http::transport::browser::sleep(10.0).await;
}

fn buttons(root: &web_sys::Element) -> Vec<web_sys::HtmlButtonElement> {
    let list = root.query_selector_all("button").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into::<web_sys::HtmlButtonElement>())
        .collect()
}

/// The button whose accessible name (aria-label, else text) is `name`.
fn button(root: &web_sys::Element, name: &str) -> Option<web_sys::HtmlButtonElement> {
    buttons(root).into_iter().find(|b| {
        let label = b
            .get_attribute("aria-label")
            .unwrap_or_else(|| b.text_content().unwrap_or_default());
        label.trim() == name
    })
}

fn set_input(input: &web_sys::HtmlInputElement, value: &str) {
    input.set_value(value);
    let ev = web_sys::Event::new_with_event_init_dict("input", &{
        let i = web_sys::EventInit::new();
        i.set_bubbles(true);
        i
    })
    .unwrap();
    input.dispatch_event(&ev).unwrap();
}

/// The dialog, mounted, and the gate of a connection's transport that it
/// answers.
fn mount_dialog() -> (Rc<TwoFactorGate>, web_sys::HtmlElement, impl Drop) {
    let root = container();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let ctx = AppCtx::new();
        provide_context(ctx);
        tx.send(ctx).unwrap();
        view! { <TwoFactorDialog /> }
    });
    let ctx = rx.recv().unwrap();
    let gate = ctx.wiring(BackendKind::RocketChat, "", None).gate;
    (gate, root, handle)
}

fn dialog(root: &web_sys::Element) -> Option<web_sys::Element> {
    root.query_selector("dialog").unwrap()
}

async fn leader_input(rx: &mut oneshot::Receiver<LeaderInput>) -> Option<LeaderInput> {
    settle().await;
    rx.try_recv().ok().flatten()
}

#[wasm_bindgen_test]
async fn two_factor_dialog_hashes_the_password_and_shows_wrong_code() {
    let (gate, root, _handle) = mount_dialog();
    settle().await;
    assert!(dialog(&root).is_none(), "closed until the server asks");

    let Ticket::Leader(mut rx, generation) = gate.enter(
        Challenge {
            method: "password".into(),
            ..Default::default()
        },
        None,
    ) else {
        panic!("first request leads")
    };
    settle().await;
    let d = dialog(&root).expect("dialog opens on totp-required");
    assert!(
        d.unchecked_ref::<web_sys::HtmlDialogElement>().open(),
        "shown as modal"
    );
    let title_id = d.get_attribute("aria-labelledby").unwrap();
    let title = document()
        .get_element_by_id(&title_id)
        .unwrap()
        .text_content()
        .unwrap();
    assert!(title.contains("Two-factor"), "{title}");
    assert!(d
        .text_content()
        .unwrap()
        .contains("Method asked by the server: Password"));
    assert!(
        button(&d, "Send code again").is_none(),
        "no resend for password"
    );

    let input: web_sys::HtmlInputElement =
        d.query_selector("input").unwrap().unwrap().unchecked_into();
    assert_eq!(input.type_(), "password");
    let label = input
        .closest("label")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(label.starts_with("Password"), "{label}");
    // Spaces are part of a password: hashed exactly as typed.
    set_input(&input, " hunter 2 ");
    button(&d, "Verify").unwrap().click();
    match leader_input(&mut rx).await {
        Some(LeaderInput::Code(c)) => {
            assert_eq!(c.method, "password");
            assert_eq!(c.code, sha256_hex(" hunter 2 "));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(input.value(), "", "the password is not kept in the form");

    // A wrong code: the dialog stays, with an alert.
    let mut rx = gate
        .rearm(
            generation,
            None,
            Some("Wrong code — try again".into()),
            None,
        )
        .unwrap();
    settle().await;
    let d = dialog(&root).expect("still open");
    let alert = d
        .query_selector("[role=alert]")
        .unwrap()
        .expect("alert shown");
    assert!(alert.text_content().unwrap().contains("Wrong code"));

    button(&d, "Cancel").unwrap().click();
    assert!(matches!(
        leader_input(&mut rx).await,
        Some(LeaderInput::Cancel)
    ));
    gate.release(
        generation,
        sessiondeck::http::two_factor::Released::Stop(None),
    );
    settle().await;
    assert!(dialog(&root).is_none(), "closed after cancel");
}

#[wasm_bindgen_test]
async fn two_factor_dialog_cancel_while_verifying_stays_closed() {
    let (gate, root, _handle) = mount_dialog();
    let Ticket::Leader(mut rx, generation) = gate.enter(
        Challenge {
            method: "totp".into(),
            ..Default::default()
        },
        None,
    ) else {
        panic!()
    };
    settle().await;
    let d = dialog(&root).unwrap();
    let input: web_sys::HtmlInputElement =
        d.query_selector("input").unwrap().unwrap().unchecked_into();
    set_input(&input, "000000");
    button(&d, "Verify").unwrap().click();
    assert!(matches!(
        leader_input(&mut rx).await,
        Some(LeaderInput::Code(_))
    ));
    settle().await;
    assert!(
        button(&d, "Verifying…").unwrap().disabled(),
        "busy while checking"
    );
    // Cancel stays available while the code is checked, and ends it at once.
    button(&d, "Cancel").unwrap().click();
    settle().await;
    assert!(dialog(&root).is_none(), "closed at once");
    // The check's late "wrong code" cannot bring it back.
    assert!(gate
        .rearm(generation, None, Some("Wrong code".into()), None)
        .is_none());
    settle().await;
    assert!(dialog(&root).is_none(), "still closed");
}

#[wasm_bindgen_test]
async fn two_factor_dialog_email_offers_resend_and_method_choice() {
    let (gate, root, _handle) = mount_dialog();
    let Ticket::Leader(mut rx, generation) = gate.enter(
        Challenge {
            method: "email".into(),
            available: vec!["email".into(), "totp".into()],
            code_generated: true,
            email_or_username: Some("ada@example.test".into()),
        },
        None,
    ) else {
        panic!()
    };
    settle().await;
    let d = dialog(&root).unwrap();
    let select: web_sys::HtmlSelectElement = d
        .query_selector("select")
        .unwrap()
        .expect("method choice")
        .unchecked_into();
    assert_eq!(select.length(), 2);
    let input: web_sys::HtmlInputElement =
        d.query_selector("input").unwrap().unwrap().unchecked_into();
    assert_eq!(input.type_(), "text");
    let resend = button(&d, "Send code again").expect("email method can resend");
    resend.click();
    assert!(matches!(
        leader_input(&mut rx).await,
        Some(LeaderInput::Resend)
    ));
    // While the resend is under way the button is disabled: one request per click.
    settle().await;
    assert!(button(&d, "Send code again").unwrap().disabled());

    let mut rx = gate
        .rearm(
            generation,
            None,
            None,
            Some("A new code was sent to ada@example.test.".into()),
        )
        .unwrap();
    settle().await;
    let d = dialog(&root).unwrap();
    assert!(d
        .query_selector("[role=status]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
        .contains("new code"));
    let input: web_sys::HtmlInputElement =
        d.query_selector("input").unwrap().unwrap().unchecked_into();
    set_input(&input, "123 456");
    button(&d, "Verify").unwrap().click();
    match leader_input(&mut rx).await {
        Some(LeaderInput::Code(c)) => {
            assert_eq!(c.method, "email");
            assert_eq!(c.code, "123456");
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn pagination_buttons_label_and_page_size() {
    let root = container();
    let idx: Vec<u32> = (0..240).collect();
    let view = RwSignal::new(paginate(&idx, 1, 25));
    let pages = RwSignal::new(Vec::<usize>::new());
    let sizes = RwSignal::new(Vec::<usize>::new());
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <Pagination
                view=view
                page_size=Signal::derive(|| 25)
                on_page=move |p: usize| pages.update(|v| v.push(p))
                on_page_size=move |n: usize| sizes.update(|v| v.push(n))
            />
        }
    });
    settle().await;
    assert!(root.text_content().unwrap().contains("1–25 of 240"));
    let prev = button(&root, "Previous page").unwrap();
    let next = button(&root, "Next page").unwrap();
    assert!(prev.disabled());
    assert!(!next.disabled());
    next.click();
    settle().await;
    assert_eq!(pages.get_untracked(), [2]);

    view.set(paginate(&idx, 10, 25));
    settle().await;
    assert!(root.text_content().unwrap().contains("226–240 of 240"));
    assert!(button(&root, "Next page").unwrap().disabled());
    button(&root, "Previous page").unwrap().click();
    settle().await;
    assert_eq!(pages.get_untracked(), [2, 9]);

    let select: web_sys::HtmlSelectElement = root
        .query_selector("select")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let label = select
        .closest("label")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(label.contains("Rows per page"));
    select.set_value("100");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(sizes.get_untracked(), [100]);
}
