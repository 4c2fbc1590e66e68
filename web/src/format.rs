//! Formatting for people: dates in the agent's local time and locale, ages, file sizes.

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;

use crate::i18n::Lang;

/// A date and time in the browser's time zone, in the locale's short format.
pub fn datetime(at: &DateTime<Utc>, lang: Lang) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"short".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(lang.tag(), &options).into()
}

/// The unit and (negative, i.e. past) amount to describe an age of `seconds`.
pub fn age_parts(seconds: i64) -> (i64, &'static str) {
    let seconds = seconds.max(0);
    let (amount, unit) = match seconds {
        s if s < 60 => (s, "second"),
        s if s < 3_600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3_600, "hour"),
        s if s < 30 * 86_400 => (s / 86_400, "day"),
        s if s < 365 * 86_400 => (s / (30 * 86_400), "month"),
        s => (s / (365 * 86_400), "year"),
    };
    (-amount, unit)
}

/// How long ago `at` was, in words of the locale ("há 3 horas", "3 hours ago").
pub fn age(at: &DateTime<Utc>, lang: Lang) -> String {
    let seconds = ((js_sys::Date::now() - at.timestamp_millis() as f64) / 1000.0) as i64;
    let (amount, unit) = age_parts(seconds);
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"numeric".into(), &"auto".into());
    let locales = js_sys::Array::of1(&lang.tag().into());
    let format = js_sys::Intl::RelativeTimeFormat::new(&locales, &options);
    format.format(amount as f64, unit).into()
}

/// A file size in the locale's number style: `840 B`, `12,5 KB` (pt-BR) / `12.5 KB` (en).
pub fn file_size(bytes: i64, lang: Lang) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let bytes = i128::from(bytes.max(0));
    let mut unit = 0;
    let mut scale = 1_i128;
    while bytes >= scale * 1024 && unit < UNITS.len() - 1 {
        scale *= 1024;
        unit += 1;
    }
    if unit == 0 {
        return format!("{bytes} B");
    }
    // Tenths, rounded half up, in integers: formatting a float would add about 10 KB of code to
    // the WASM for this one label.
    let tenths = (bytes * 10 + scale / 2) / scale;
    let separator = match lang {
        Lang::PtBr => ',',
        Lang::En => '.',
    };
    format!("{}{separator}{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

/// A count, followed by "+" when it is a lower bound (a broad text search is counted up to a
/// cap, see `shared::TEXT_COUNT_CAP`).
pub fn count(n: i64, capped: bool) -> String {
    if capped {
        format!("{n}+")
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_pick_the_largest_sensible_unit() {
        assert_eq!(age_parts(5), (-5, "second"));
        assert_eq!(age_parts(125), (-2, "minute"));
        assert_eq!(age_parts(3 * 3_600 + 10), (-3, "hour"));
        assert_eq!(age_parts(2 * 86_400), (-2, "day"));
        assert_eq!(age_parts(400 * 86_400), (-1, "year"));
        assert_eq!(age_parts(-30), (0, "second"));
    }

    #[test]
    fn file_sizes_follow_the_locale() {
        assert_eq!(file_size(840, Lang::PtBr), "840 B");
        assert_eq!(file_size(12_800, Lang::PtBr), "12,5 KB");
        assert_eq!(file_size(12_800, Lang::En), "12.5 KB");
        assert_eq!(file_size(3 * 1024 * 1024, Lang::En), "3.0 MB");
        assert_eq!(file_size(1023, Lang::En), "1023 B");
        assert_eq!(
            file_size(1024 + 51, Lang::En),
            "1.0 KB",
            "rounds 1.0498 down"
        );
        assert_eq!(file_size(1024 + 52, Lang::En), "1.1 KB", "rounds 1.0508 up");
        assert_eq!(
            file_size(5 * 1024 * 1024 * 1024 * 1024, Lang::PtBr),
            "5120,0 GB"
        );
        assert_eq!(file_size(-1, Lang::En), "0 B");
    }

    #[test]
    fn capped_counts_read_as_lower_bounds() {
        assert_eq!(count(1000, true), "1000+");
        assert_eq!(count(42, false), "42");
    }
}
