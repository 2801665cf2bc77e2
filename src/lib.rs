//! sessiondeck: see every active login session on the servers you run and end
//! the ones that must end.
//!
//! Plain-Rust layers (tested natively): [`model`], [`time`], [`list`],
//! [`backends`], [`http::request`], [`http::two_factor`], [`bulk`].
//! Browser layers: [`http::transport::browser`], [`app`], `components`, `pages`.

pub mod backends;
pub mod bulk;
pub mod confirm;
pub mod connection;
pub mod context;
pub mod csv;
pub mod http;
pub mod json;
pub mod list;
pub mod load;
pub mod model;
pub mod revoke;
pub mod sign_in;
pub mod time;
pub mod words;

pub mod app;
pub mod browser;
pub mod components;
pub mod pages;
