//! One way to ask "what does usage say about this app?" for inventory apps and for apps seen
//! only in usage alike.

use super::catalog::FirstParty;
use super::join::{Evidence, Installation, UsageJoin};
use crate::ingest::usage::data::AppUsage;
use crate::ingest::usage::Flow;
use crate::model::App;
use crate::time::Ts;

/// Usage facts of one app.
#[derive(Debug, Clone, Copy)]
pub struct AppUsageView<'a> {
    /// Aggregated usage, when any matched.
    pub usage: Option<&'a AppUsage>,
    /// How much data stands behind it.
    pub evidence: Evidence,
    /// Installation state.
    pub installation: Installation,
    /// Why that installation state.
    pub installation_evidence: &'a [String],
    /// First-party classification.
    pub first_party: Option<&'a FirstParty>,
    /// The period the login sources cover (see [`UsageJoin::login_window`]).
    pub login_window: Option<(Ts, Ts)>,
}

impl UsageJoin {
    /// Usage of an app (inventory or usage-only).
    pub fn for_app(&self, app: &App) -> Option<AppUsageView<'_>> {
        if let Some(key) = &app.usage_key {
            // Sorted by key (see `join`): a binary search, since every usage-only app of a large
            // export asks here once and a linear scan made the run quadratic in distinct names.
            let i = self
                .unknown_apps
                .binary_search_by(|u| u.key.as_str().cmp(key))
                .ok()?;
            let u = &self.unknown_apps[i];
            return Some(AppUsageView {
                usage: Some(&u.usage),
                // Only usage data knows this app, so whatever it shows is all there is.
                evidence: Evidence::Partial,
                installation: u.installation,
                installation_evidence: &u.installation_evidence,
                first_party: u.first_party.as_ref(),
                login_window: self.login_window,
            });
        }
        let j = self.apps.get(&app.api_name)?;
        Some(AppUsageView {
            usage: j.usage.as_ref(),
            evidence: j.evidence,
            installation: j.installation,
            installation_evidence: &j.installation_evidence,
            first_party: j.first_party.as_ref(),
            login_window: self.login_window,
        })
    }
}

impl AppUsageView<'_> {
    /// Logins through a flow.
    pub fn logins(&self, flow: Flow) -> u64 {
        self.usage
            .and_then(|u| u.logins.by_flow.get(&flow))
            .map_or(0, |c| c.logins)
    }

    /// The newest use of any kind (login, API call, token use).
    pub fn last_use(&self) -> Option<Ts> {
        let u = self.usage?;
        let tokens = u.tokens.values().filter_map(|t| t.last_used);
        [u.logins.last_seen, u.api.last_seen]
            .into_iter()
            .flatten()
            .chain(tokens)
            .max()
    }

    /// Logins per 30 days over the period the login sources cover, with that period in days:
    /// `None` without a login source. Only time-bounded counts go in: `OauthToken.UseCount` is
    /// a lifetime total (since the token was granted) and is shown as such, never as a rate.
    pub fn logins_per_30_days(&self) -> Option<(u64, u64)> {
        let (from, to) = self.login_window?;
        const DAY_MS: i64 = 86_400_000;
        // A window of a few hours still counts as one day; partial days round up.
        let days = ((to.0 - from.0).max(0) + DAY_MS - 1) / DAY_MS;
        let days = days.max(1) as u64;
        let logins = self.total_logins();
        Some(((logins * 30 + days / 2) / days, days))
    }

    /// `OauthToken.UseCount` summed over the app's tokens: a lifetime total, not a rate.
    pub fn lifetime_token_uses(&self) -> u64 {
        self.usage
            .map_or(0, |u| u.tokens.values().map(|t| t.use_count).sum())
    }

    /// Total logins.
    pub fn total_logins(&self) -> u64 {
        self.usage.map_or(0, |u| u.logins.logins)
    }

    /// Distinct users seen by the time-bounded sources (logins and API calls), without the
    /// holders of tokens that may not have been used in the covered period.
    pub fn window_users(&self) -> std::collections::BTreeSet<&str> {
        let Some(u) = self.usage else {
            return Default::default();
        };
        u.logins
            .users
            .iter()
            .chain(u.api.users.iter())
            .map(|s| s.as_str())
            .collect()
    }

    /// How many users [`AppUsageView::window_users`] holds, counted without building the set.
    pub fn window_user_count(&self) -> usize {
        self.usage
            .map_or(0, |u| u.logins.users.union_len(&u.api.users))
    }

    /// How many users [`AppUsageView::users`] holds, counted without building the set (a
    /// busy app has thousands, and every report row and rule asks).
    pub fn user_count(&self) -> usize {
        let Some(u) = self.usage else {
            return 0;
        };
        let (logins, api) = (&u.logins.users, &u.api.users);
        let holders = u.tokens.keys();
        self.window_user_count()
            + holders
                .filter(|t| !logins.contains(t) && !api.contains(t))
                .count()
    }

    /// Distinct users seen (logins, API calls and tokens).
    pub fn users(&self) -> std::collections::BTreeSet<&str> {
        let mut users = self.window_users();
        if let Some(u) = self.usage {
            users.extend(u.tokens.keys().map(|s| s.as_str()));
        }
        users
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::usage::data::TokenUse;

    const DAY: i64 = 86_400_000;

    fn view(usage: &AppUsage, window_days: Option<i64>) -> AppUsageView<'_> {
        AppUsageView {
            usage: Some(usage),
            evidence: Evidence::Full,
            installation: Installation::Installed,
            installation_evidence: &[],
            first_party: None,
            login_window: window_days.map(|d| (Ts(1_000 * DAY), Ts((1_000 + d) * DAY))),
        }
    }

    #[test]
    fn user_counts_are_the_sizes_of_the_user_sets() {
        let mut u = AppUsage::default();
        for (user, at) in [("ann", 1), ("bob", 2)] {
            u.logins.users.see(user.into(), Ts(at));
        }
        for (user, at) in [("bob", 3), ("cy", 4)] {
            u.api.users.see(user.into(), Ts(at));
        }
        for user in ["cy", "dee", "ann"] {
            u.tokens.insert(user.into(), TokenUse::default());
        }
        let v = view(&u, None);
        assert_eq!(v.window_user_count(), v.window_users().len());
        assert_eq!((v.user_count(), v.users().len()), (4, 4));
        let none = AppUsageView { usage: None, ..v };
        assert_eq!((none.user_count(), none.window_user_count()), (0, 0));
    }

    #[test]
    fn an_unused_app_with_lifetime_token_use_has_no_rate_from_it() {
        let mut u = AppUsage::default();
        u.tokens.insert(
            "old.user@x".into(),
            TokenUse {
                tokens: 2,
                use_count: 7_000,
                ..TokenUse::default()
            },
        );
        let v = view(&u, Some(180));
        assert_eq!(v.logins_per_30_days(), Some((0, 180)));
        assert_eq!(v.lifetime_token_uses(), 7_000);
    }

    #[test]
    fn logins_are_spread_over_the_covered_window() {
        let mut u = AppUsage::default();
        u.logins.logins = 600;
        assert_eq!(view(&u, Some(180)).logins_per_30_days(), Some((100, 180)));
        // A short window is a short window: 70 logins in 7 days is 300 per 30 days.
        u.logins.logins = 70;
        assert_eq!(view(&u, Some(7)).logins_per_30_days(), Some((300, 7)));
        // Without a login source there is no rate at all.
        assert_eq!(view(&u, None).logins_per_30_days(), None);
    }
}
