//! Query strings of the ticket list, counters and export.
//!
//! The server receives every parameter as raw text ([`TicketQueryParams`]) and parses it into the
//! typed [`TicketFilter`] and [`PageRequest`], so that a bad value is answered with a 422 naming
//! the parameter. The SPA goes the other way: it keeps a `TicketFilter` in its URL.

use serde::{Deserialize, Serialize};

use crate::validation::Validator;
use crate::{FieldError, Priority, TicketStatus};

/// Default and maximum page sizes of lists.
pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;
/// Longest accepted free-text query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The raw query string of `GET /tickets`, `/tickets/counts` and `/tickets/export`.
/// Empty values count as absent (the document says so with `allowEmptyValue`); others are taken
/// as sent, untrimmed, except `q`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TicketQueryParams {
    /// Only tickets with this status.
    #[cfg_attr(feature = "openapi", param(value_type = Option<TicketStatus>))]
    pub status: Option<String>,
    /// Only tickets with this priority.
    #[cfg_attr(feature = "openapi", param(value_type = Option<Priority>))]
    pub priority: Option<String>,
    /// Only tickets of this category slug.
    pub category: Option<String>,
    /// Only tickets of this channel slug.
    pub channel: Option<String>,
    /// Only tickets assigned to this agent.
    #[cfg_attr(
        feature = "openapi",
        param(value_type = Option<i64>, minimum = 1, maximum = 9_223_372_036_854_775_807_i64)
    )]
    pub assignee_id: Option<String>,
    /// Free text over subject, customer, contact, description and comments; case- and
    /// accent-insensitive, words match as prefixes. `#123` or `123` also finds ticket 123.
    /// At most 200 characters; trimmed, and blank means no search.
    #[cfg_attr(feature = "openapi", param(schema_with = crate::schema::search_query))]
    pub q: Option<String>,
}

/// The raw paging parameters of `GET /tickets`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageParams {
    /// Page size, 1 to 100 (larger 64-bit values are clamped to 100); 25 by default.
    #[cfg_attr(feature = "openapi", param(value_type = Option<i64>, minimum = 1))]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Which tickets to show: the typed form of [`TicketQueryParams`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub category: Option<String>,
    pub channel: Option<String>,
    pub assignee_id: Option<i64>,
    pub q: Option<String>,
}

/// A page request: the typed form of [`PageParams`]. The cursor stays opaque here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    pub cursor: Option<String>,
}

/// A parameter's value, unless it is absent or empty.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// A query-string boolean, `true` or `false`; an empty value is absent, as for every other
/// parameter (`?all=`).
pub fn optional_bool<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    use serde::Deserialize;
    match Option::<String>::deserialize(deserializer)?.as_deref() {
        None | Some("") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(serde::de::Error::custom("expected `true` or `false`")),
    }
}

/// A whole number written in plain decimal digits (no sign, no spaces) that fits an `i64` (the
/// document's `format: int64`); `None` for anything else.
fn digits(raw: &str) -> Option<i64> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse::<i64>().ok()
}

fn parse_enum<T: std::str::FromStr>(
    v: &mut Validator,
    field: &str,
    raw: &Option<String>,
    allowed: &str,
) -> Option<T> {
    let raw = present(raw)?;
    let parsed = raw.parse().ok();
    if parsed.is_none() {
        v.push(field, "unknown_value", format!("must be one of {allowed}"));
    }
    parsed
}

fn parse_id(v: &mut Validator, field: &str, raw: &Option<String>) -> Option<i64> {
    let raw = present(raw)?;
    match raw.parse::<i64>() {
        Ok(n) if n >= 1 && digits(raw).is_some() => Some(n),
        _ => {
            v.push(field, "invalid_format", "must be a positive integer");
            None
        }
    }
}

impl TryFrom<&TicketQueryParams> for TicketFilter {
    type Error = Vec<FieldError>;

    fn try_from(raw: &TicketQueryParams) -> Result<Self, Self::Error> {
        let mut v = Validator::default();
        let status = parse_enum(&mut v, "status", &raw.status, "open, waiting, closed");
        let priority = parse_enum(
            &mut v,
            "priority",
            &raw.priority,
            "low, normal, high, urgent",
        );
        let assignee_id = parse_id(&mut v, "assignee_id", &raw.assignee_id);
        let q = present(&raw.q).and_then(|q| {
            if q.chars().count() > MAX_QUERY_CHARS {
                v.push(
                    "q",
                    "too_long",
                    format!("must have at most {MAX_QUERY_CHARS} characters"),
                );
            }
            let q = q.trim();
            if q.chars().any(char::is_control) {
                v.push("q", "invalid_format", "must not contain control characters");
            }
            (!q.is_empty()).then(|| q.to_owned())
        });
        let errors = v.finish();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            status,
            priority,
            category: present(&raw.category).map(str::to_owned),
            channel: present(&raw.channel).map(str::to_owned),
            assignee_id,
            q,
        })
    }
}

impl TicketFilter {
    /// The query-string pairs of this filter, for links and API calls; absent fields are left out.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(s) = self.status {
            pairs.push(("status", s.as_str().to_owned()));
        }
        if let Some(p) = self.priority {
            pairs.push(("priority", p.as_str().to_owned()));
        }
        if let Some(c) = &self.category {
            pairs.push(("category", c.clone()));
        }
        if let Some(c) = &self.channel {
            pairs.push(("channel", c.clone()));
        }
        if let Some(a) = self.assignee_id {
            pairs.push(("assignee_id", a.to_string()));
        }
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        pairs
    }
}

impl TryFrom<&PageParams> for PageRequest {
    type Error = Vec<FieldError>;

    fn try_from(raw: &PageParams) -> Result<Self, Self::Error> {
        let mut v = Validator::default();
        let limit = match present(&raw.limit).map(digits) {
            None => DEFAULT_LIMIT,
            Some(Some(n)) if n >= 1 => n.min(MAX_LIMIT),
            Some(_) => {
                v.push("limit", "out_of_range", "must be an integer from 1 to 100");
                DEFAULT_LIMIT
            }
        };
        let errors = v.finish();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            limit,
            cursor: present(&raw.cursor).map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(status: &str, assignee: &str) -> TicketQueryParams {
        TicketQueryParams {
            status: Some(status.into()),
            assignee_id: Some(assignee.into()),
            ..Default::default()
        }
    }

    #[test]
    fn empty_values_are_absent() {
        let filter = TicketFilter::try_from(&params("", "")).unwrap();
        assert_eq!(filter, TicketFilter::default());
    }

    #[test]
    fn values_are_taken_as_sent() {
        for (status, assignee) in [(" open", ""), ("", " 3"), ("", "+3"), ("", "3.0")] {
            assert!(
                TicketFilter::try_from(&params(status, assignee)).is_err(),
                "{status:?} {assignee:?}"
            );
        }
        let blank_q = TicketQueryParams {
            q: Some(" \t ".into()),
            ..Default::default()
        };
        assert_eq!(TicketFilter::try_from(&blank_q).unwrap().q, None);
        let padded_q = TicketQueryParams {
            q: Some(format!(" {} ", "a".repeat(MAX_QUERY_CHARS - 1))),
            ..Default::default()
        };
        assert!(
            TicketFilter::try_from(&padded_q).is_err(),
            "over 200 as sent"
        );
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let errors = TicketFilter::try_from(&params("aberto", "-3")).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status", "assignee_id"]);
    }

    #[test]
    fn limit_defaults_clamps_and_refuses_nonsense() {
        let page = |l: &str| {
            PageRequest::try_from(&PageParams {
                limit: Some(l.into()),
                cursor: None,
            })
        };
        assert_eq!(page("").unwrap().limit, 25);
        assert_eq!(page("500").unwrap().limit, 100);
        assert_eq!(page(&i64::MAX.to_string()).unwrap().limit, 100);
        assert!(page("9223372036854775808").is_err(), "beyond int64");
        assert!(page("-1").is_err());
        assert!(page("+5").is_err());
        assert_eq!(page("7").unwrap().limit, 7);
        assert!(page("0").is_err());
        assert!(page("ten").is_err());
        assert!(page("-99999999999999999999").is_err());
    }

    #[test]
    fn filter_round_trips_to_pairs() {
        let filter = TicketFilter {
            status: Some(TicketStatus::Waiting),
            category: Some("reembolso".into()),
            q: Some("joão".into()),
            ..Default::default()
        };
        assert_eq!(
            filter.to_pairs(),
            [
                ("status", "waiting".to_owned()),
                ("category", "reembolso".to_owned()),
                ("q", "joão".to_owned())
            ]
        );
    }
}
