//! Coverage and honesty (reference §16.10): the period each source covers, the as-of date
//! (newest timestamp in the data, never the wall clock), and warnings for likely truncated
//! exports and LoginHistory's 6-month retention.

use super::data::{FileAccount, UsageData};
use super::kind::UsageKind;
use crate::diag::{Level, Note};

/// `sf data query` default row cap (`org-max-query-limit`).
pub const SF_CLI_CAP: u64 = 50_000;
/// OauthToken `query()` cap.
pub const OAUTH_TOKEN_CAP: u64 = 2_500;
/// Rows the Setup Login History page shows.
pub const SETUP_CAP: u64 = 20_000;
/// LoginHistory retention, in days (6 months, rounded up).
pub const LOGIN_HISTORY_DAYS: i64 = 183;

/// Warnings for one file whose row count sits exactly at a known cap, or whose JSON says
/// the query was incomplete. Each warning becomes a note.
pub fn check(account: &FileAccount, json_total: Option<(u64, bool)>, notes: &mut Vec<Note>) {
    let Some(kind) = account.kind else {
        return;
    };
    for message in warnings(kind, account.rows_read, json_total) {
        notes.push(Note::file(
            Level::Warning,
            "truncated-export",
            &account.file,
            message,
        ));
    }
}

fn warnings(kind: UsageKind, rows: u64, json_total: Option<(u64, bool)>) -> Vec<String> {
    let mut out = Vec::new();
    if rows == SF_CLI_CAP {
        out.push(format!(
            "exactly {SF_CLI_CAP} rows: the sf CLI default cap; the export is probably truncated"
        ));
    }
    if kind == UsageKind::OauthToken && rows == OAUTH_TOKEN_CAP {
        out.push(format!(
            "exactly {OAUTH_TOKEN_CAP} rows: the OauthToken query cap; page by CreatedDate"
        ));
    }
    if kind == UsageKind::LoginHistorySetup && rows == SETUP_CAP {
        out.push(format!(
            "exactly {SETUP_CAP} rows: the Setup Login History row limit; the export is probably truncated"
        ));
    }
    if let Some((total, done)) = json_total {
        if !done || total > rows {
            out.push(format!(
                "the query reported {total} records (done: {done}) but the file holds {rows}"
            ));
        }
    }
    out
}

/// Fill `data.coverage` from the accounts and the notes already raised.
pub fn coverage(data: &mut UsageData) {
    let cov = &mut data.coverage;
    for a in &data.accounts {
        let Some(kind) = a.kind else { continue };
        if a.duplicate_of.is_some() {
            // A copy of an earlier export: counted once, with the first.
            continue;
        }
        let s = cov.sources.entry(kind).or_default();
        s.files += 1;
        s.rows += a.rows_used;
        s.from = min_opt(s.from, a.from);
        s.to = a.to.max(s.to);
        cov.has_logins |= kind.is_login() && a.rows_used > 0;
        cov.has_api |= kind.is_api() && a.rows_used > 0;
        cov.has_tokens |= kind == UsageKind::OauthToken && a.rows_used > 0;
        if kind.is_login() || kind.is_api() || kind == UsageKind::OauthToken {
            cov.as_of = a.to.max(cov.as_of);
        }
    }
    for n in data.notes.iter().filter(|n| n.code == "truncated-export") {
        cov.truncated = true;
        let kind = data
            .accounts
            .iter()
            .find(|a| a.file == n.file)
            .and_then(|a| a.kind);
        if let Some(s) = kind.and_then(|k| cov.sources.get_mut(&k)) {
            let text = format!("{}: {}", n.file, n.message);
            if !s.warnings.contains(&text) {
                s.warnings.push(text);
            }
        }
    }
    let history = [UsageKind::LoginHistory, UsageKind::LoginHistorySetup];
    if let (Some(as_of), true) = (
        cov.as_of,
        history.iter().any(|k| cov.sources.contains_key(k)),
    ) {
        let floor = as_of.minus_days(LOGIN_HISTORY_DAYS);
        cov.login_history_floor = Some(floor);
        let msg = format!(
            "LoginHistory keeps 6 months: logins before {} (as-of {} minus 6 months) are not covered",
            floor.iso(),
            as_of.iso()
        );
        for k in history {
            if let Some(s) = cov.sources.get_mut(&k) {
                s.warnings.push(msg.clone());
            }
        }
        data.notes.push(Note::file(
            Level::Info,
            "retention-limit",
            "LoginHistory",
            msg,
        ));
    }
}

fn min_opt<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
