//! The screens: Connect, one server's Sessions, every server at once
//! (Everywhere), and the record of revocations (Activity).

pub mod activity;
pub mod connect;
pub mod everywhere;
pub mod sessions;
