//! sessiondeck: see every active login session on the servers you run and end
//! the ones that must end. ARCHITECTURE.md draws the layers.
//!
//! Plain Rust, tested natively: [`json`], [`lowercase`], [`time`], [`url`], [`model`], [`plural`],
//! [`list`], [`backends`], [`http::request`], [`http::two_factor`],
//! [`http::transport`] (but its `browser` part), [`bulk`], [`revoke`],
//! [`load`], [`confirm`], [`csv`], [`connection`] (but its storage), [`server`]
//! (each connected server's state and control flow, the browser behind a trait).
//! Browser: [`http::transport::browser`], [`browser`], [`context`],
//! [`sign_in`], [`app`], `components`, `pages`.

pub mod audit;
pub mod backends;
pub mod bulk;
pub mod confirm;
pub mod connection;
pub mod csv;
pub mod everywhere;
pub mod http;
pub mod json;
pub mod list;
pub mod load;
pub mod lowercase;
pub mod model;
pub mod plural;
pub mod revoke;
pub mod server;
pub mod time;
pub mod url;

pub mod app;
pub mod browser;
pub mod components;
pub mod context;
pub mod pages;
