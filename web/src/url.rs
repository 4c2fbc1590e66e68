//! URL plumbing: query strings, and the dashboard's filters as they live in the URL (so a
//! filtered view survives a reload and can be shared as a link).

use shared::{TicketFilter, TicketStatus};

/// Percent-encodes a query component (everything but RFC 3986 unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `?a=1&b=2`, or an empty string when there are no pairs.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let joined: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("?{}", joined.join("&"))
}

/// A page's address from its path and its query string (given with or without the `?`, as the
/// router's `Location::search` leaves it out).
pub fn path_and_query(path: &str, search: &str) -> String {
    match search.trim_start_matches('?') {
        "" => path.to_owned(),
        query => format!("{path}?{query}"),
    }
}

/// The file name of a `Content-Disposition` header.
pub fn disposition_filename(header: &str) -> Option<String> {
    let start = header.find("filename=\"")? + "filename=\"".len();
    let rest = &header[start..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// What the dashboard shows, as kept in its URL: `/?status=open&category=reembolso&q=joao&mine=1`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardQuery {
    pub status: Option<TicketStatus>,
    pub category: Option<String>,
    pub q: String,
    pub mine: bool,
}

impl DashboardQuery {
    /// Reads the query from URL pairs; unknown or malformed values are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut query = Self::default();
        for (key, value) in pairs {
            let value = value.trim();
            match key {
                "status" => query.status = value.parse().ok(),
                "category" if shared::validation::is_slug(value) => {
                    query.category = Some(value.to_owned());
                }
                "q" => query.q = value.to_owned(),
                "mine" => query.mine = value == "1",
                _ => {}
            }
        }
        query
    }

    /// The dashboard URL showing this query.
    pub fn to_url(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(status) = self.status {
            pairs.push(("status", status.as_str().to_owned()));
        }
        if let Some(category) = &self.category {
            pairs.push(("category", category.clone()));
        }
        if !self.q.trim().is_empty() {
            pairs.push(("q", self.q.trim().to_owned()));
        }
        if self.mine {
            pairs.push(("mine", "1".to_owned()));
        }
        format!("/{}", query_string(&pairs))
    }

    /// The API filter for the ticket list; `me` is the signed-in agent's id.
    pub fn to_filter(&self, me: i64) -> TicketFilter {
        TicketFilter {
            status: self.status,
            category: self.category.clone(),
            q: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
            assignee_id: self.mine.then_some(me),
            ..TicketFilter::default()
        }
    }

    /// The same query across all statuses (what the counters count).
    pub fn without_status(&self) -> Self {
        Self {
            status: None,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_escapes_reserved_and_non_ascii() {
        assert_eq!(encode("joão & #12"), "jo%C3%A3o%20%26%20%2312");
        assert_eq!(encode("a-b_c.d~"), "a-b_c.d~");
    }

    #[test]
    fn query_string_is_empty_without_pairs() {
        assert_eq!(query_string(&[]), "");
        assert_eq!(
            query_string(&[("q", "a b".into()), ("limit", "5".into())]),
            "?q=a%20b&limit=5"
        );
    }

    #[test]
    fn dashboard_query_round_trips_through_the_url() {
        let query = DashboardQuery {
            status: Some(TicketStatus::Waiting),
            category: Some("acesso-ao-evento".into()),
            q: "Conceição".into(),
            mine: true,
        };
        let url = query.to_url();
        assert_eq!(
            url,
            "/?status=waiting&category=acesso-ao-evento&q=Concei%C3%A7%C3%A3o&mine=1"
        );
        let decoded = [
            ("status", "waiting"),
            ("category", "acesso-ao-evento"),
            ("q", "Conceição"),
            ("mine", "1"),
        ];
        assert_eq!(DashboardQuery::from_pairs(decoded), query);
    }

    #[test]
    fn bad_url_values_are_ignored_not_fatal() {
        let query = DashboardQuery::from_pairs([
            ("status", "aberto"),
            ("category", "<script>"),
            ("utm", "x"),
        ]);
        assert_eq!(query, DashboardQuery::default());
        assert_eq!(query.to_url(), "/");
    }

    #[test]
    fn only_mine_filters_by_the_signed_in_agent() {
        let query = DashboardQuery {
            mine: true,
            q: "  ".into(),
            ..Default::default()
        };
        let filter = query.to_filter(7);
        assert_eq!(filter.assignee_id, Some(7));
        assert_eq!(filter.q, None);
    }

    #[test]
    fn path_and_query_puts_the_question_mark_back() {
        assert_eq!(
            path_and_query("/tickets/5", "from=mail&x=1"),
            "/tickets/5?from=mail&x=1"
        );
        assert_eq!(
            path_and_query("/tickets/5", "?from=mail"),
            "/tickets/5?from=mail"
        );
        assert_eq!(path_and_query("/", ""), "/");
    }

    #[test]
    fn content_disposition_names_the_file() {
        assert_eq!(
            disposition_filename("attachment; filename=\"tickets-abertos-2026-11-28.csv\"")
                .as_deref(),
            Some("tickets-abertos-2026-11-28.csv")
        );
        assert_eq!(disposition_filename("attachment"), None);
    }
}
