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

/// RFC 4180 CSV, UTF-8 with a byte-order mark (so spreadsheets read
/// accented names right). Server data is untrusted: any cell a spreadsheet
/// could run as a formula (leading `= + - @`, their full-width forms, tab,
/// CR) or split on (`;`, `,`, quotes, line breaks) is quoted, and the
/// formula ones get a leading apostrophe — every cell, session IDs included:
/// a server can name a session `=HYPERLINK(…)`, and a spreadsheet must show
/// it as text (the apostrophe is the spreadsheet's own "this is text" mark).
pub fn to_csv<'a>(rows: impl IntoIterator<Item = &'a Session>) -> String {
    let mut out = String::from("\u{feff}");
    push_row(&mut out, HEADER.iter().map(|s| cell(s)));
    for s in rows {
        let o = |v: &Option<crate::model::Text>| cell(v.as_deref().unwrap_or_default());
        push_row(
            &mut out,
            [
                cell(&s.id),
                o(&s.user_id),
                o(&s.user_name),
                o(&s.username),
                o(&s.client),
                o(&s.client_version),
                o(&s.device_type),
                o(&s.os),
                o(&s.os_version),
                o(&s.ip),
                cell(
                    &s.login_at
                        .as_ref()
                        .map_or_else(String::new, |t| t.raw().into_owned()),
                ),
            ]
            .into_iter(),
        );
    }
    out
}

pub(crate) fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    let cells: Vec<String> = cells.collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// Characters that make a spreadsheet read a cell as a formula when it
/// starts with one (Excel, LibreOffice, Google Sheets).
const FORMULA_START: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
];

/// One cell, quoted where needed and inert as a formula.
pub(crate) fn cell(v: &str) -> String {
    let formula = v.starts_with(FORMULA_START);
    let v = if formula {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if formula || v.contains([',', ';', '"', '\n', '\r']) {
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
            "a1,,\"'=HYPERLINK(\"\"x\"\")\",,\"Chrome, \"\"beta\"\"\",,,,,\"'-1\","
        );
        assert!(csv.starts_with("\u{feff}Session ID,User ID,User"));
        assert_eq!(csv.matches("\r\n").count(), 2);
    }

    #[test]
    fn ids_are_guarded_too_semicolons_are_quoted_and_accents_survive() {
        let s = Session {
            id: "-2tTEqR7;x".into(),
            user_name: Some("Élodie Müller; admin".into()),
            client: Some("@SUM(1)".into()),
            os: Some("\tcmd".into()),
            ..Default::default()
        };
        let csv = to_csv([&s]);
        let line = csv.lines().nth(1).unwrap();
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(
            cells[0], "\"'-2tTEqR7;x\"",
            "an ID that starts like a formula is inert too"
        );
        assert_eq!(cells[2], "\"Élodie Müller; admin\"");
        assert_eq!(cells[4], "\"'@SUM(1)\"");
        assert_eq!(cells[7], "\"'\tcmd\"");
        let hostile = Session {
            id: "=HYPERLINK(\"https://evil.example\",\"x\")".into(),
            user_name: Some("\u{ff1d}1+1".into()),
            ..Default::default()
        };
        let line = to_csv([&hostile]).lines().nth(1).unwrap().to_string();
        assert!(
            line.starts_with("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\","),
            "{line}"
        );
        assert!(line.contains(",\"'\u{ff1d}1+1\","), "{line}");
        // Every cell that starts like a formula is quoted.
        for c in &cells {
            let inner = c.trim_matches('"');
            if inner.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
                assert!(c.starts_with('"'), "{c}");
            }
        }
    }
}
