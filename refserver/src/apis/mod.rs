//! The APIs the reference server speaks, one file each, registered by
//! `build.rs` (each file declares `pub const API: Api`).

include!(concat!(env!("OUT_DIR"), "/apis.rs"));
