fn main() {
    leptos::mount::mount_to_body(sessiondeck::app::App);
}
