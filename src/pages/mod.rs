//! The two screens.

pub mod connect;
pub mod sessions;
