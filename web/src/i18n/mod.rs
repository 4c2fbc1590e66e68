//! Translations. Every string the UI shows lives in `pt_br.rs` or `en.rs`, as fields of
//! [`Texts`]: a missing translation is a compile error, not a blank label.

mod en;
mod pt_br;

use leptos::prelude::*;

/// A language the UI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    PtBr,
    En,
}

impl Lang {
    /// BCP 47 tag, for `lang` attributes and `Intl` formatting.
    pub const fn tag(self) -> &'static str {
        match self {
            Self::PtBr => "pt-BR",
            Self::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Self> {
        match tag {
            "pt-BR" | "pt" => Some(Self::PtBr),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub const fn texts(self) -> &'static Texts {
        match self {
            Self::PtBr => &pt_br::TEXTS,
            Self::En => &en::TEXTS,
        }
    }
}

/// Every UI string. Templates use `{name}` placeholders, filled by [`fill`].
#[derive(Debug)]
pub struct Texts {
    pub app_name: &'static str,
    pub skip_to_content: &'static str,
    pub nav_dashboard: &'static str,
    pub nav_new_ticket: &'static str,
    pub nav_admin: &'static str,
    pub logout: &'static str,
    pub language: &'static str,
    pub main_nav: &'static str,

    pub login_title: &'static str,
    pub login_submit: &'static str,
    pub signup_title: &'static str,
    pub signup_submit: &'static str,
    pub to_signup: &'static str,
    pub to_login: &'static str,
    pub session_expired: &'static str,
    pub field_name: &'static str,
    pub field_email: &'static str,
    pub field_password: &'static str,
    pub password_hint: &'static str,

    pub dashboard_title: &'static str,
    pub counters_label: &'static str,
    pub status_all: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_shortcut_hint: &'static str,
    pub all_categories: &'static str,
    pub only_mine: &'static str,
    pub export_csv: &'static str,
    pub export_md: &'static str,
    pub exporting: &'static str,
    pub load_more: &'static str,
    pub loading: &'static str,
    pub no_tickets: &'static str,
    pub showing_of_total: &'static str,
    pub unassigned: &'static str,
    pub clear_filters: &'static str,

    pub status_open: &'static str,
    pub status_waiting: &'static str,
    pub status_closed: &'static str,
    pub priority_low: &'static str,
    pub priority_normal: &'static str,
    pub priority_high: &'static str,
    pub priority_urgent: &'static str,

    pub new_ticket_title: &'static str,
    pub field_customer_name: &'static str,
    pub field_customer_contact: &'static str,
    pub customer_contact_hint: &'static str,
    pub field_channel: &'static str,
    pub field_category: &'static str,
    pub field_subject: &'static str,
    pub field_description: &'static str,
    pub field_priority: &'static str,
    pub field_assignee: &'static str,
    pub field_status: &'static str,
    pub field_attachments: &'static str,
    pub choose_option: &'static str,
    pub create_ticket_submit: &'static str,
    pub saving: &'static str,
    pub cancel: &'static str,

    pub drop_files_here: &'static str,
    pub choose_files: &'static str,
    pub accepted_files: &'static str,
    pub selected_files: &'static str,
    pub remove_file: &'static str,
    pub uploading: &'static str,
    pub upload_submit: &'static str,

    pub ticket_title: &'static str,
    pub back_to_dashboard: &'static str,
    pub created_by_at: &'static str,
    pub customer: &'static str,
    pub details: &'static str,
    pub first_response: &'static str,
    pub closed_at: &'static str,
    pub updated_at: &'static str,
    pub not_yet: &'static str,
    pub change_status: &'static str,
    pub comments_title: &'static str,
    pub no_comments: &'static str,
    pub new_comment: &'static str,
    pub comment_submit: &'static str,
    pub attachments_title: &'static str,
    pub no_attachments: &'static str,
    pub download: &'static str,
    pub history_title: &'static str,
    pub no_history: &'static str,
    pub history_status: &'static str,
    pub history_assignee: &'static str,
    pub nobody: &'static str,
    pub saved: &'static str,

    pub admin_title: &'static str,
    pub categories_title: &'static str,
    pub channels_title: &'static str,
    pub add_entry: &'static str,
    pub field_slug_optional: &'static str,
    pub admin_only: &'static str,

    pub page_not_found: &'static str,
    pub retry: &'static str,
    pub error_generic: &'static str,
    pub error_network: &'static str,
    pub error_not_found: &'static str,
    pub error_forbidden: &'static str,
    pub error_stale_ticket: &'static str,
    pub error_invalid_credentials: &'static str,
    pub error_email_taken: &'static str,
    pub error_signup_closed: &'static str,
    pub error_unsupported_media_type: &'static str,
    pub error_payload_too_large: &'static str,
    pub error_already_exists: &'static str,
    pub error_unavailable: &'static str,
    pub error_storage: &'static str,
    pub field_required: &'static str,
    pub field_too_short: &'static str,
    pub field_too_long: &'static str,
    pub field_invalid_email: &'static str,
    pub field_unknown_value: &'static str,
    pub field_invalid_format: &'static str,
    pub field_too_many_files: &'static str,
    pub field_empty_file: &'static str,
}

impl Texts {
    /// A problem `code` in words.
    pub fn problem(&self, code: &str) -> &'static str {
        match code {
            "not_found" => self.error_not_found,
            "forbidden" => self.error_forbidden,
            "stale_ticket" => self.error_stale_ticket,
            "invalid_credentials" => self.error_invalid_credentials,
            "email_taken" => self.error_email_taken,
            "signup_closed" => self.error_signup_closed,
            "unsupported_media_type" => self.error_unsupported_media_type,
            "payload_too_large" => self.error_payload_too_large,
            "already_exists" => self.error_already_exists,
            "service_unavailable" => self.error_unavailable,
            "storage_unavailable" => self.error_storage,
            "network" => self.error_network,
            _ => self.error_generic,
        }
    }

    /// A field error `code` in words.
    pub fn field_error(&self, code: &str) -> &'static str {
        match code {
            "required" => self.field_required,
            "too_short" => self.field_too_short,
            "too_long" => self.field_too_long,
            "invalid_email" => self.field_invalid_email,
            "unknown_value" => self.field_unknown_value,
            "too_many_files" => self.field_too_many_files,
            "empty_file" => self.field_empty_file,
            _ => self.field_invalid_format,
        }
    }

    pub fn status(&self, status: shared::TicketStatus) -> &'static str {
        match status {
            shared::TicketStatus::Open => self.status_open,
            shared::TicketStatus::Waiting => self.status_waiting,
            shared::TicketStatus::Closed => self.status_closed,
        }
    }

    pub fn priority(&self, priority: shared::Priority) -> &'static str {
        match priority {
            shared::Priority::Low => self.priority_low,
            shared::Priority::Normal => self.priority_normal,
            shared::Priority::High => self.priority_high,
            shared::Priority::Urgent => self.priority_urgent,
        }
    }
}

/// Replaces each `{name}` in `template` by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The language the UI speaks now, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

const STORAGE_KEY: &str = "gsd.lang";

impl I18n {
    /// The texts of the current language (reactive).
    pub fn t(&self) -> &'static Texts {
        self.lang.get().texts()
    }

    pub fn set(&self, lang: Lang) {
        crate::storage::set(STORAGE_KEY, lang.tag());
        self.lang.set(lang);
    }
}

/// Provides the language context: the remembered choice, else Portuguese.
pub fn provide_i18n() -> I18n {
    let lang = crate::storage::get(STORAGE_KEY)
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::PtBr);
    let i18n = I18n {
        lang: RwSignal::new(lang),
    };
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(
            fill("{a} de {b} ({a})", &[("a", "3"), ("b", "10")]),
            "3 de 10 (3)"
        );
    }

    #[test]
    fn languages_round_trip_through_tags() {
        for lang in [Lang::PtBr, Lang::En] {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
        assert_eq!(Lang::from_tag("fr"), None);
    }

    #[test]
    fn portuguese_is_the_default_language_of_status_names() {
        assert_eq!(
            Lang::PtBr.texts().status(shared::TicketStatus::Open),
            "Aberto"
        );
        assert_eq!(
            Lang::PtBr.texts().status(shared::TicketStatus::Waiting),
            "Aguardando"
        );
        assert_eq!(
            Lang::PtBr.texts().status(shared::TicketStatus::Closed),
            "Fechado"
        );
        assert_eq!(Lang::En.texts().status(shared::TicketStatus::Open), "Open");
    }

    #[test]
    fn unknown_codes_fall_back_to_generic_messages() {
        let t = Lang::PtBr.texts();
        assert_eq!(t.problem("something_new"), t.error_generic);
        assert_eq!(t.field_error("something_new"), t.field_invalid_format);
    }
}
