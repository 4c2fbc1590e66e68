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
    pub nav_account: &'static str,

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
    pub account_title: &'static str,
    pub password_title: &'static str,
    pub field_current_password: &'static str,
    pub field_new_password: &'static str,
    pub password_change_submit: &'static str,
    pub password_changed: &'static str,
    pub tokens_title: &'static str,
    pub tokens_intro: &'static str,
    pub all_tokens_title: &'static str,
    pub field_token_name: &'static str,
    pub token_name_hint: &'static str,
    pub field_scope: &'static str,
    pub scope_read: &'static str,
    pub scope_read_write: &'static str,
    pub field_expiry: &'static str,
    pub expiry_never: &'static str,
    pub expiry_days: &'static str,
    pub create_token_submit: &'static str,
    pub token_created: &'static str,
    pub new_token_label: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub no_tokens: &'static str,
    pub token_prefix: &'static str,
    pub token_owner: &'static str,
    pub created_at: &'static str,
    pub expires_at: &'static str,
    pub last_used: &'static str,
    pub never_used: &'static str,
    pub expired: &'static str,
    pub revoke: &'static str,
    pub revoke_named: &'static str,
    pub revoke_confirm: &'static str,

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
    pub agents_title: &'static str,
    pub add_agent_title: &'static str,
    pub add_agent_hint: &'static str,
    pub add_agent_submit: &'static str,
    pub field_initial_password: &'static str,
    pub agent_added: &'static str,
    pub field_role: &'static str,
    pub role_of: &'static str,
    pub role_admin: &'static str,
    pub role_agent: &'static str,
    pub agent_state: &'static str,
    pub agent_active: &'static str,
    pub agent_inactive: &'static str,
    pub deactivate: &'static str,
    pub activate: &'static str,
    pub deactivate_named: &'static str,
    pub activate_named: &'static str,
    pub deactivate_confirm: &'static str,
    pub you: &'static str,
    pub audit_title: &'static str,
    pub audit_when: &'static str,
    pub audit_who: &'static str,
    pub audit_action: &'static str,
    pub audit_target: &'static str,
    pub audit_ip: &'static str,
    pub audit_empty: &'static str,
    pub audit_token: &'static str,
    pub action_agent_registered: &'static str,
    pub action_login_succeeded: &'static str,
    pub action_login_failed: &'static str,
    pub action_logged_out: &'static str,
    pub action_password_changed: &'static str,
    pub action_password_change_failed: &'static str,
    pub action_token_created: &'static str,
    pub action_token_revoked: &'static str,
    pub action_role_changed: &'static str,
    pub action_agent_deactivated: &'static str,
    pub action_agent_activated: &'static str,

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
    pub error_rate_limited: &'static str,
    pub error_insufficient_scope: &'static str,
    pub error_session_required: &'static str,
    pub error_wrong_password: &'static str,
    pub error_last_admin: &'static str,
    pub error_too_many_tokens: &'static str,
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
            "rate_limited" => self.error_rate_limited,
            "insufficient_scope" => self.error_insufficient_scope,
            "session_required" => self.error_session_required,
            "wrong_password" => self.error_wrong_password,
            "last_admin" => self.error_last_admin,
            "too_many_tokens" => self.error_too_many_tokens,
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

    pub fn role(&self, role: shared::Role) -> &'static str {
        match role {
            shared::Role::Admin => self.role_admin,
            shared::Role::Agent => self.role_agent,
        }
    }

    pub fn scope(&self, scope: shared::TokenScope) -> &'static str {
        match scope {
            shared::TokenScope::Read => self.scope_read,
            shared::TokenScope::ReadWrite => self.scope_read_write,
        }
    }

    pub fn audit_action(&self, action: shared::AuditAction) -> &'static str {
        use shared::AuditAction as A;
        match action {
            A::AgentRegistered => self.action_agent_registered,
            A::LoginSucceeded => self.action_login_succeeded,
            A::LoginFailed => self.action_login_failed,
            A::LoggedOut => self.action_logged_out,
            A::PasswordChanged => self.action_password_changed,
            A::PasswordChangeFailed => self.action_password_change_failed,
            A::TokenCreated => self.action_token_created,
            A::TokenRevoked => self.action_token_revoked,
            A::RoleChanged => self.action_role_changed,
            A::AgentDeactivated => self.action_agent_deactivated,
            A::AgentActivated => self.action_agent_activated,
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
    fn account_problem_codes_have_their_own_messages() {
        for lang in [Lang::PtBr, Lang::En] {
            let t = lang.texts();
            for code in [
                "insufficient_scope",
                "session_required",
                "wrong_password",
                "last_admin",
                "too_many_tokens",
            ] {
                assert_ne!(t.problem(code), t.error_generic, "{code}");
            }
            let actions: std::collections::HashSet<_> = shared::AuditAction::ALL
                .iter()
                .map(|a| t.audit_action(*a))
                .collect();
            assert_eq!(actions.len(), shared::AuditAction::ALL.len());
        }
    }

    #[test]
    fn unknown_codes_fall_back_to_generic_messages() {
        let t = Lang::PtBr.texts();
        assert_eq!(t.problem("something_new"), t.error_generic);
        assert_eq!(t.field_error("something_new"), t.field_invalid_format);
    }
}
