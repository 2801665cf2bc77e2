//! CSV export of the sessions the admin is looking at.

use crate::model::Session;

const HEADER: [&str; 11] = [
    "Session ID",
    "User ID",
    "User",
    "Username",
    "Client",
    "Client version",
    "Device type",
    "OS",
    "OS version",
    "IP",
    "Login",
];

/// RFC 4180 CSV. Cells that a spreadsheet would run as a formula (leading
/// `= + - @`, tab, CR) get a leading apostrophe: server data is untrusted.
pub fn to_csv<'a>(rows: impl IntoIterator<Item = &'a Session>) -> String {
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().map(|s| s.to_string()));
    for s in rows {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        push_row(
            &mut out,
            [
                s.id.clone(),
                o(&s.user_id),
                o(&s.user_name),
                o(&s.username),
                o(&s.client),
                o(&s.client_version),
                o(&s.device_type),
                o(&s.os),
                o(&s.os_version),
                o(&s.ip),
                s.login_at
                    .as_ref()
                    .map(|t| t.raw.clone())
                    .unwrap_or_default(),
            ]
            .into_iter(),
        );
    }
    out
}

fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    let cells: Vec<String> = cells.map(|c| cell(&c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

fn cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_neutralises_formulas() {
        let s = Session {
            id: "a1".into(),
            user_name: Some("=HYPERLINK(\"x\")".into()),
            client: Some("Chrome, \"beta\"".into()),
            ip: Some("-1".into()),
            ..Default::default()
        };
        let csv = to_csv([&s]);
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "a1,,\"'=HYPERLINK(\"\"x\"\")\",,\"Chrome, \"\"beta\"\"\",,,,,'-1,"
        );
        assert!(csv.starts_with("Session ID,User ID,User"));
        assert_eq!(csv.matches("\r\n").count(), 2);
    }
}
