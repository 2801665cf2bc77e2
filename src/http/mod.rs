//! Requests, the one error type, the two-factor gate and the transport.

pub mod request;
pub mod transport;
pub mod two_factor;
