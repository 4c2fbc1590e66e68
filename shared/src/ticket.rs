//! Tickets, their comments and their history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::validation::{Validate, Validator};
use crate::{AgentRef, Attachment, FieldError};

/// Declares a string-backed wire enum with `as_str`, `ALL` and `FromStr`.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($text => Ok(Self::$variant),)+ _ => Err(()) }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// Where a ticket stands: Aberto, Aguardando, Fechado in the UI.
    TicketStatus { Open => "open", Waiting => "waiting", Closed => "closed" }
}

wire_enum! {
    /// How urgent a ticket is; `normal` by default.
    Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" }
}

wire_enum! {
    /// What a history event recorded.
    EventKind { StatusChanged => "status_changed", AssigneeChanged => "assignee_changed" }
}

/// A ticket as listed. Timestamps are RFC 3339 UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub id: i64,
    pub subject: String,
    pub customer_name: String,
    pub customer_contact: String,
    /// Channel slug (see `GET /channels`).
    pub channel: String,
    /// Category slug (see `GET /categories`).
    pub category: String,
    pub description: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub assignee: Option<AgentRef>,
    pub created_by: AgentRef,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When an agent first commented.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the ticket was closed; cleared when it is reopened.
    pub closed_at: Option<DateTime<Utc>>,
    /// Incremented by every change; the `ETag` of the ticket.
    pub version: i64,
    pub comment_count: i64,
    pub attachment_count: i64,
}

/// A ticket with its comments (oldest first), attachments and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub comments: Vec<Comment>,
    pub attachments: Vec<Attachment>,
    /// Status and assignee changes, oldest first.
    pub events: Vec<TicketEvent>,
}

/// A recorded change of status or assignee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketEvent {
    pub id: i64,
    pub kind: EventKind,
    /// Who made the change.
    pub actor: AgentRef,
    /// For `status_changed`.
    pub from_status: Option<TicketStatus>,
    pub to_status: Option<TicketStatus>,
    /// For `assignee_changed`; `null` means unassigned.
    pub from_assignee: Option<AgentRef>,
    pub to_assignee: Option<AgentRef>,
    pub created_at: DateTime<Utc>,
}

/// A comment on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: i64,
    pub ticket_id: i64,
    pub author: AgentRef,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Body of `POST /tickets/{id}/comments`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// 1 to 20,000 characters.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::comment_body))]
    pub body: String,
}

/// Body of `POST /tickets`. Unknown fields are refused, so `id`, `status` or `created_at`
/// can never be mass-assigned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::subject))]
    pub subject: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::customer_name))]
    pub customer_name: String,
    /// E-mail, phone number or social handle of the customer.
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::schema::customer_contact)
    )]
    pub customer_contact: String,
    /// A channel slug (see `GET /channels`).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub channel: String,
    /// A category slug (see `GET /categories`).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub category: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::description))]
    pub description: String,
    /// Defaults to the creating agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<i64>,
    /// Defaults to `normal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
}

/// Body of `PATCH /tickets/{id}`: only the fields present change. `assignee_id: null`
/// unassigns the ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// A category slug (see `GET /categories`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub category: Option<String>,
    /// A channel slug (see `GET /channels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub channel: Option<String>,
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub assignee_id: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::subject_or_null))]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::schema::customer_name_or_null)
    )]
    pub customer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::schema::customer_contact_or_null)
    )]
    pub customer_contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::schema::description_or_null)
    )]
    pub description: Option<String>,
}

/// Distinguishes a field set to `null` (`Some(None)`) from an absent one (`None`).
fn present_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// One page of `GET /tickets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketPage {
    /// Newest first.
    pub items: Vec<Ticket>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// How many tickets match the filters, across all pages. Exact, except for a text search with
    /// more matches than are counted (`total_capped`).
    pub total: i64,
    /// `true` when a text search has more matches than the server counts exactly
    /// (`TEXT_COUNT_CAP`): `total` is then a lower bound ("1,000+").
    #[serde(default)]
    pub total_capped: bool,
}

/// The dashboard counters of `GET /tickets/counts`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCounts {
    pub open: i64,
    pub waiting: i64,
    pub closed: i64,
    pub total: i64,
    /// `true` when a text search has more matches than the server counts exactly
    /// (`TEXT_COUNT_CAP`): every number is then a lower bound ("1,000+").
    #[serde(default)]
    pub capped: bool,
}

/// A text search counts its matches exactly up to this many; beyond, counts are lower bounds.
/// Paging is not affected: every match can still be listed.
pub const TEXT_COUNT_CAP: i64 = 1_000;

pub const SUBJECT_MAX_CHARS: usize = 200;
pub const CUSTOMER_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 20_000;
pub const COMMENT_MAX_CHARS: usize = 20_000;

/// The text rules of the ticket fields, applied to whichever are present.
fn check_ticket_texts(
    v: &mut Validator,
    subject: Option<&str>,
    customer_name: Option<&str>,
    customer_contact: Option<&str>,
    description: Option<&str>,
) {
    if let Some(s) = subject {
        v.text("subject", s, 1, SUBJECT_MAX_CHARS);
    }
    if let Some(s) = customer_name {
        v.text("customer_name", s, 1, CUSTOMER_MAX_CHARS);
    }
    if let Some(s) = customer_contact {
        v.text("customer_contact", s, 1, CUSTOMER_MAX_CHARS);
    }
    if let Some(s) = description {
        v.multiline("description", s, 1, DESCRIPTION_MAX_CHARS);
    }
}

impl Validate for NewTicket {
    fn validate(&self) -> Vec<FieldError> {
        let mut v = Validator::default();
        check_ticket_texts(
            &mut v,
            Some(&self.subject),
            Some(&self.customer_name),
            Some(&self.customer_contact),
            Some(&self.description),
        );
        v.length("channel", &self.channel, 1, 50);
        v.length("category", &self.category, 1, 50);
        v.finish()
    }
}

impl Validate for TicketPatch {
    fn validate(&self) -> Vec<FieldError> {
        let mut v = Validator::default();
        check_ticket_texts(
            &mut v,
            self.subject.as_deref(),
            self.customer_name.as_deref(),
            self.customer_contact.as_deref(),
            self.description.as_deref(),
        );
        for (field, value) in [("channel", &self.channel), ("category", &self.category)] {
            if let Some(value) = value {
                v.length(field, value, 1, 50);
            }
        }
        v.finish()
    }
}

impl Validate for NewComment {
    fn validate(&self) -> Vec<FieldError> {
        let mut v = Validator::default();
        v.multiline("body", &self.body, 1, COMMENT_MAX_CHARS);
        v.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_tells_null_from_absent() {
        let unassign: TicketPatch = serde_json::from_str(r#"{"assignee_id": null}"#).unwrap();
        assert_eq!(unassign.assignee_id, Some(None));
        let absent: TicketPatch = serde_json::from_str(r#"{"status": "closed"}"#).unwrap();
        assert_eq!(absent.assignee_id, None);
        assert_eq!(absent.status, Some(TicketStatus::Closed));
        let set: TicketPatch = serde_json::from_str(r#"{"assignee_id": 7}"#).unwrap();
        assert_eq!(set.assignee_id, Some(Some(7)));
    }

    #[test]
    fn new_ticket_refuses_mass_assignment() {
        let err = serde_json::from_str::<NewTicket>(
            r#"{"subject":"a","customer_name":"b","customer_contact":"c","channel":"chat",
                "category":"conta","description":"d","status":"closed"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown field `status`"));
    }

    #[test]
    fn new_ticket_validation_names_each_bad_field() {
        let ticket = NewTicket {
            subject: " ".into(),
            customer_name: "x".repeat(201),
            customer_contact: "ana@x.io".into(),
            channel: "chat".into(),
            category: String::new(),
            description: "ok".into(),
            ..NewTicket::default()
        };
        let fields: Vec<_> = ticket.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["subject", "customer_name", "category"]);
    }

    #[test]
    fn status_round_trips_through_text() {
        for status in TicketStatus::ALL {
            assert_eq!(status.as_str().parse::<TicketStatus>(), Ok(*status));
        }
        assert!("aberto".parse::<TicketStatus>().is_err());
    }
}
