//! Keyset page cursors: the id the next page starts below, tagged with its list (`t` tickets,
//! `a` audit) and base64url-encoded, so a client treats it as opaque and a cursor of one list
//! is refused by another.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::ApiError;

pub fn encode(list: &str, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}:{id}"))
}

pub fn decode(list: &str, cursor: &str) -> Result<i64, ApiError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| ApiError::InvalidCursor)?;
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(|s| s.strip_prefix(list))
        .and_then(|s| s.strip_prefix(':'))
        .and_then(|id| id.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .ok_or(ApiError::InvalidCursor)
}

/// The id a requested page starts below: `None` for the first page.
pub fn start(list: &str, page: &shared::PageRequest) -> Result<Option<i64>, ApiError> {
    page.cursor.as_deref().map(|c| decode(list, c)).transpose()
}

/// Cuts `rows`, fetched with `limit + 1`, to `limit`, and returns the cursor of the next page
/// when there is one.
pub fn next_page<T>(
    list: &str,
    rows: &mut Vec<T>,
    limit: i64,
    id: impl Fn(&T) -> i64,
) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(shared::DEFAULT_LIMIT as usize);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| encode(list, id(last)))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_forgeries() {
        assert_eq!(decode("t", &encode("t", 42)).unwrap(), 42);
        for bad in [
            "",
            "abc",
            &URL_SAFE_NO_PAD.encode("t:-1"),
            &URL_SAFE_NO_PAD.encode("x:5"),
            &URL_SAFE_NO_PAD.encode("t5"),
            &encode("a", 5),
        ] {
            assert!(
                matches!(decode("t", bad), Err(ApiError::InvalidCursor)),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_page_is_cut_to_its_limit_and_points_past_its_last_row() {
        let mut rows = vec![9, 8, 7];
        assert_eq!(next_page("a", &mut rows, 2, |r| *r), Some(encode("a", 8)));
        assert_eq!(rows, [9, 8]);
        let mut rows = vec![9, 8];
        assert_eq!(next_page("a", &mut rows, 2, |r| *r), None);
    }
}
