//! One component per file.

pub mod after_crash;
pub mod bulk_report;
pub mod choice;
pub mod combined_table;
pub mod confirm_dialog;
pub mod criteria_fields;
pub mod data_table;
pub mod details_panel;
pub mod modal;
pub mod notices;
pub mod pagination;
pub mod progress;
pub mod rate_limit_banner;
pub mod server_tabs;
pub mod session_table;
pub mod shortcuts_dialog;
pub mod text_field;
pub mod two_factor_dialog;
pub mod user_groups;
