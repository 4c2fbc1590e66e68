//! Validation rules shared by the server (authoritative) and the SPA (instant feedback).
//!
//! Rules count characters, not bytes, so that `Conceição` is as long for a client as for the
//! server. Single-line fields refuse control characters; multi-line fields allow newlines and tabs.
//! A text must have something besides whitespace (it is stored trimmed), and its length limit
//! counts every character sent, so that the OpenAPI document can state each rule exactly: a
//! `maxLength` and one of the `*_PATTERN` regexes below (tests check that they agree).

use crate::FieldError;

/// Regex class body of the control characters (`char::is_control`: Unicode Cc).
macro_rules! control {
    () => {
        r"\x00-\x1f\x7f-\x9f"
    };
}

/// Regex class body of the control characters a multi-line text may not contain (all but tab,
/// line feed and carriage return).
macro_rules! multiline_control {
    () => {
        r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    };
}

/// Regex class body of whitespace (`char::is_whitespace`: Unicode White_Space).
macro_rules! space {
    () => {
        r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    };
}

/// A single-line text: no control characters, something besides whitespace.
pub const SINGLE_LINE_PATTERN: &str = concat!(
    "^[^",
    control!(),
    "]*[^",
    control!(),
    space!(),
    "][^",
    control!(),
    "]*$"
);

/// A multi-line text: no control characters but tab, CR and LF, something besides whitespace.
pub const MULTI_LINE_PATTERN: &str = concat!(
    "^[^",
    multiline_control!(),
    "]*[^",
    control!(),
    space!(),
    "][^",
    multiline_control!(),
    "]*$"
);

/// A search text: blank, or a text without control characters once trimmed.
pub const SEARCH_PATTERN: &str = concat!(
    "^[",
    space!(),
    "]*([^",
    control!(),
    "]*[^",
    control!(),
    space!(),
    "])?[",
    space!(),
    "]*$"
);

/// An e-mail address as [`Validator::email`] accepts it: `local@domain.tld` (the local part 1 to
/// 64 characters, two or more dot-separated labels), no whitespace, control characters or second
/// `@`; whitespace around it is trimmed.
pub const EMAIL_PATTERN: &str = concat!(
    "^[",
    space!(),
    "]*[^@",
    control!(),
    space!(),
    "]{1,64}@[^@.",
    control!(),
    space!(),
    "]+([.][^@.",
    control!(),
    space!(),
    "]+)+[",
    space!(),
    "]*$"
);

/// A reference-list slug.
pub const SLUG_PATTERN: &str = "^[a-z0-9-]{1,50}$";

/// A name that [`slugify`] turns into a slug: it has a letter or digit that folds to ASCII.
pub const SLUGGABLE_PATTERN: &str = r"[0-9A-Za-z\u00c0-\u00c5\u00c7-\u00cf\u00d1-\u00d6\u00d9-\u00dc\u00e0-\u00e5\u00e7-\u00ef\u00f1-\u00f6\u00f9-\u00fc\u0130\u212a\u212b]";

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
    /// A single-line text: no control characters, at least `min` characters once trimmed, at
    /// most `max` as sent ([`SINGLE_LINE_PATTERN`] and `maxLength`).
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) {
        if value.chars().any(char::is_control) {
            self.push(
                field,
                "invalid_format",
                "must not contain control characters",
            );
        } else {
            self.trimmed_length(field, value, min, max);
        }
    }

    /// A multi-line text: like [`Validator::text`] but newlines and tabs are allowed
    /// ([`MULTI_LINE_PATTERN`]).
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
            self.trimmed_length(field, value, min, max);
        }
    }

    /// At least `min` characters once trimmed (what is stored), at most `max` as sent.
    fn trimmed_length(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let trimmed = value.trim().chars().count();
        if trimmed == 0 && min > 0 {
            self.push(field, "required", "is required");
        } else if trimmed < min {
            self.push(
                field,
                "too_short",
                format!("must have at least {min} characters"),
            );
        } else if value.chars().count() > max {
            self.push(
                field,
                "too_long",
                format!("must have at most {max} characters"),
            );
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

    /// A plausible e-mail address: `local@domain.tld`, no spaces, at most 254 characters
    /// ([`EMAIL_PATTERN`]).
    pub fn email(&mut self, field: &str, value: &str) {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.push(field, "required", "is required");
        } else if value.chars().count() > crate::EMAIL_MAX_CHARS || !is_plausible_email(trimmed) {
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
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let plain = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c != '@' && !c.is_whitespace() && !c.is_control())
    };
    plain(local)
        && local.chars().count() <= 64
        && domain.split('.').count() >= 2
        && domain.split('.').all(plain)
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

    /// Strings over the characters the rules treat specially, reproducibly.
    fn samples() -> Vec<String> {
        let alphabet: Vec<char> = "aZ09 .@-\t\n\r\u{0}\u{b}\u{1f}\u{7f}\u{85}\u{9f}\u{a0}\u{1680}\u{2003}\u{2028}\u{3000}\u{feff}çÃ😀"
            .chars()
            .collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut out = vec![String::new()];
        for _ in 0..20_000 {
            let len = (next() % 12) as usize;
            out.push(
                (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect(),
            );
        }
        for ok in [
            "ana@groovoo.com.br",
            " a.b+c@x.io\n",
            "Ângela Conceição",
            "l1\nl2",
        ] {
            out.push(ok.to_owned());
        }
        out
    }

    /// `pattern` plus `maxLength: max` of the OpenAPI document, as a validator would apply them.
    fn schema_accepts(pattern: &str, max: usize) -> impl Fn(&str) -> bool {
        let regex = regex::Regex::new(pattern).unwrap();
        move |s: &str| s.chars().count() <= max && regex.is_match(s)
    }

    #[test]
    fn patterns_state_the_text_rules_exactly() {
        type Rule = fn(&mut Validator, &str);
        let cases: [(&str, Rule, &str); 3] = [
            ("text", |v, s| v.text("f", s, 1, 10), SINGLE_LINE_PATTERN),
            (
                "multiline",
                |v, s| v.multiline("f", s, 1, 10),
                MULTI_LINE_PATTERN,
            ),
            ("email", |v, s| v.email("f", s), EMAIL_PATTERN),
        ];
        for (name, rule, pattern) in cases {
            let max = if name == "email" {
                crate::EMAIL_MAX_CHARS
            } else {
                10
            };
            let schema = schema_accepts(pattern, max);
            for sample in samples() {
                let mut v = Validator::default();
                rule(&mut v, &sample);
                assert_eq!(v.finish().is_empty(), schema(&sample), "{name}: {sample:?}");
            }
        }
    }

    #[test]
    fn search_pattern_states_the_q_rule_exactly() {
        let schema = schema_accepts(SEARCH_PATTERN, crate::MAX_QUERY_CHARS);
        for sample in samples() {
            let params = crate::TicketQueryParams {
                q: Some(sample.clone()),
                ..Default::default()
            };
            let accepted = crate::TicketFilter::try_from(&params).is_ok();
            assert_eq!(accepted, schema(&sample), "{sample:?}");
        }
    }

    #[test]
    fn sluggable_pattern_names_every_character_that_yields_a_slug() {
        let regex = regex::Regex::new(SLUGGABLE_PATTERN).unwrap();
        for c in (0..=0x10ffff_u32).filter_map(char::from_u32) {
            let yields = !slugify(&c.to_string()).is_empty();
            assert_eq!(
                yields,
                regex.is_match(&c.to_string()),
                "{c:?} U+{:04X}",
                c as u32
            );
        }
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
