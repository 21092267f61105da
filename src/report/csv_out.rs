//! CSV renderer: one row per app; list cells joined with `;`; formula-safe cells. The CSVs
//! people open in a spreadsheet (`apps.csv`, `findings.csv`, `inventory`/`usage --format csv`)
//! start with a UTF-8 byte-order mark: without it Excel on Windows reads them in the local
//! code page and garbles accents and "…". The access lists, read by the Salesforce CLI, have none.

use super::formula_safe;
use super::inventory::InventoryReport;
use crate::error::Error;

/// The app rows of the inventory as CSV.
pub fn render_inventory(r: &InventoryReport) -> Result<String, Error> {
    let header = vec![
        "api_name",
        "label",
        "namespace",
        "distribution",
        "settings_from",
        "flows",
        "scopes",
        "access",
        "ip_relaxation",
        "refresh_token_policy",
        "pkce_required",
        "refresh_token_rotation",
        "certificate_expires",
        "certificate_subject",
        "saml",
        "saml_encryption",
        "canvas",
        "mobile",
        "run_as_user",
        "oauth_handler",
        "profiles",
        "permission_sets",
        "callback_urls",
        "consumer_key",
        "connected_app_file",
        "eca_files",
        "usage_evidence",
        "installation",
        "logins",
        "users",
        "last_use",
        "observed_flows",
    ];
    let rows = r.apps.iter().map(inventory_row).collect();
    render_for_excel(&super::sheets::Sheet { header, rows })
}

/// One app's cells, in the order of the header of [`render_inventory`].
fn inventory_row(a: &super::inventory::AppRow) -> Vec<String> {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let b = |o: Option<bool>| o.map(|b| b.to_string()).unwrap_or_default();
    vec![
        a.api_name.clone(),
        a.label.clone(),
        opt(&a.namespace),
        a.distribution.into(),
        a.settings_from.unwrap_or_default().into(),
        a.flows.join(";"),
        a.scopes.join(";"),
        a.access.into(),
        opt(&a.ip_relaxation),
        opt(&a.refresh_token_policy),
        b(a.pkce_required),
        b(a.refresh_token_rotation),
        opt(&a.certificate_expires),
        opt(&a.certificate_subject),
        a.saml.to_string(),
        opt(&a.saml_encryption),
        a.canvas.to_string(),
        a.mobile.to_string(),
        opt(&a.run_as_user),
        opt(&a.oauth_handler),
        a.profiles.join(";"),
        a.permission_sets.join(";"),
        a.callback_urls.join(";"),
        opt(&a.consumer_key),
        opt(&a.connected_app_file),
        a.eca_files
            .iter()
            .map(|f| format!("{}:{}", f.kind, f.file))
            .collect::<Vec<_>>()
            .join(";"),
        a.usage.evidence.clone(),
        a.usage.installation.clone(),
        a.usage.logins.to_string(),
        a.usage.users.to_string(),
        opt(&a.usage.last_use),
        super::table::observed(&a.usage.flows).replace(',', ";"),
    ]
}

/// The per-app usage rows as CSV.
pub fn render_usage(r: &super::usage_summary::UsageReport) -> Result<String, Error> {
    let header = vec![
        "api_name",
        "label",
        "distribution",
        "origin",
        "evidence",
        "installation",
        "logins",
        "successes",
        "failures",
        "flows",
        "users",
        "first_seen",
        "last_use",
        "networks",
        "api_calls",
        "tokens",
    ];
    let mut rows = Vec::new();
    for a in &r.apps {
        let row = [
            a.api_name.clone(),
            a.label.clone(),
            a.distribution.to_string(),
            a.origin.to_string(),
            a.evidence.clone(),
            a.installation.clone(),
            a.logins.to_string(),
            a.successes.to_string(),
            a.failures.to_string(),
            super::table::observed(&a.flows).replace(',', ";"),
            a.users.to_string(),
            a.first_seen.clone().unwrap_or_default(),
            a.last_use.clone().unwrap_or_default(),
            a.networks_cell(),
            a.api_calls.to_string(),
            a.tokens.to_string(),
        ];
        rows.push(row.to_vec());
    }
    render_for_excel(&super::sheets::Sheet { header, rows })
}

/// The UTF-8 byte-order mark the spreadsheet CSVs start with.
pub const BOM: &str = "\u{feff}";

/// A sheet as CSV for a spreadsheet: [`render_sheet`] after a [`BOM`].
pub fn render_for_excel(sheet: &super::sheets::Sheet) -> Result<String, Error> {
    render_sheet(sheet).map(|csv| format!("{BOM}{csv}"))
}

/// A sheet (header and rows) as CSV, every cell formula-safe: the one CSV writer of the crate.
pub fn render_sheet(sheet: &super::sheets::Sheet) -> Result<String, Error> {
    let err = |e: csv::Error| Error::Render {
        what: "csv",
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&sheet.header).map_err(err)?;
    for row in &sheet.rows {
        w.write_record(row.iter().map(|c| formula_safe(c)))
            .map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Render {
        what: "csv",
        message: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| Error::Render {
        what: "csv",
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{sheets, testkit::sample_report};

    #[test]
    fn hostile_cells_get_an_apostrophe() {
        let r = sample_report("<script>alert(1)</script>", "=HYPERLINK(\"http://x\")");
        let csv = render_sheet(&sheets::apps(&r)).expect("csv");
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
        assert!(!csv.contains(",=HYPERLINK"));
        assert_eq!(csv.lines().count(), r.apps.len() + 1);
    }
}
