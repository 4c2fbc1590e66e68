//! Validation rules shared by the server (authoritative) and the SPA (instant feedback).
//!
//! Rules count characters, not bytes, so that `Conceição` is as long for a client as for the
//! server. Single-line fields refuse control characters; multi-line fields allow newlines and tabs.

use crate::FieldError;

/// A request body that can check itself; an empty list means valid.
pub trait Validate {
    fn validate(&self) -> Vec<FieldError>;
}

/// Collects field errors, one per field at most.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// A single-line text: trimmed length within `min..=max`, no control characters.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) {
        if value.chars().any(char::is_control) {
            self.push(
                field,
                "invalid_format",
                "must not contain control characters",
            );
        } else {
            self.length(field, value.trim(), min, max);
        }
    }

    /// A multi-line text: like [`Validator::text`] but newlines and tabs are allowed.
    pub fn multiline(&mut self, field: &str, value: &str, min: usize, max: usize) {
        if value
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            self.push(
                field,
                "invalid_format",
                "must not contain control characters",
            );
        } else {
            self.length(field, value.trim(), min, max);
        }
    }

    /// A raw length check in characters (passwords are not trimmed).
    pub fn length(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let len = value.chars().count();
        if len == 0 && min > 0 {
            self.push(field, "required", "is required");
        } else if len < min {
            self.push(
                field,
                "too_short",
                format!("must have at least {min} characters"),
            );
        } else if len > max {
            self.push(
                field,
                "too_long",
                format!("must have at most {max} characters"),
            );
        }
    }

    /// A plausible e-mail address: `local@domain.tld`, no spaces, at most 254 characters.
    pub fn email(&mut self, field: &str, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            self.push(field, "required", "is required");
        } else if value.chars().count() > crate::EMAIL_MAX_CHARS || !is_plausible_email(value) {
            self.push(field, "invalid_email", "must be a valid e-mail address");
        }
    }

    /// A reference-list slug: 1 to 50 of `a-z`, `0-9` and `-`.
    pub fn slug(&mut self, field: &str, value: &str) {
        if !is_slug(value) {
            self.push(
                field,
                "invalid_format",
                "must be 1 to 50 lowercase letters, digits or hyphens",
            );
        }
    }

    pub fn push(&mut self, field: &str, code: &str, message: impl Into<String>) {
        if !self.errors.iter().any(|e| e.field == field) {
            self.errors.push(FieldError::new(field, code, message));
        }
    }

    pub fn finish(self) -> Vec<FieldError> {
        self.errors
    }
}

fn is_plausible_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
}

/// Whether `value` is a valid slug for categories and channels.
pub fn is_slug(value: &str) -> bool {
    (1..=50).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Derives a slug from a display name: `Acesso ao evento` → `acesso-ao-evento`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    slug.chars()
        .take(50)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

/// Folds the Latin accented letters used in Portuguese (and neighbours) to ASCII.
pub fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'Á' | 'À' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'O',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'Ç' => 'C',
        'Ñ' => 'N',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_folds_accents_and_spaces() {
        assert_eq!(slugify("Acesso ao evento"), "acesso-ao-evento");
        assert_eq!(slugify("  Redes   sociais! "), "redes-sociais");
        assert_eq!(slugify("Conceição"), "conceicao");
        assert_eq!(slugify("???"), "");
    }

    #[test]
    fn slug_rules() {
        assert!(is_slug("e-mail"));
        assert!(!is_slug("E-mail"));
        assert!(!is_slug(""));
        assert!(!is_slug(&"a".repeat(51)));
    }

    #[test]
    fn text_counts_characters_not_bytes() {
        let mut v = Validator::default();
        v.text("name", "Ângela", 1, 6);
        assert!(v.finish().is_empty());
    }

    #[test]
    fn blank_text_is_required_and_control_chars_refused() {
        let mut v = Validator::default();
        v.text("subject", "   ", 1, 10);
        v.text("name", "a\u{0}b", 1, 10);
        v.multiline("description", "line\nline", 1, 20);
        let errors = v.finish();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].code, "required");
        assert_eq!(errors[1].code, "invalid_format");
    }

    #[test]
    fn emails() {
        for ok in ["ana@groovoo.com.br", "a.b+c@x.io"] {
            let mut v = Validator::default();
            v.email("email", ok);
            assert!(v.finish().is_empty(), "{ok}");
        }
        for bad in ["ana", "ana@", "@x.io", "a b@x.io", "a@x", "a@.io", "a@x."] {
            let mut v = Validator::default();
            v.email("email", bad);
            assert_eq!(v.finish()[0].code, "invalid_email", "{bad}");
        }
    }
}
