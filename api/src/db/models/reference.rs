//! Categories and channels: two reference lists with the same shape, served by one piece of code.
//! The table name comes from [`RefList`], never from user input.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use shared::ReferenceItem;

use crate::db::DbConn;

/// Which reference list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefList {
    Categories,
    Channels,
}

impl RefList {
    const fn table(self) -> &'static str {
        match self {
            Self::Categories => "categories",
            Self::Channels => "channels",
        }
    }

    /// The singular noun used in error messages and field names.
    pub const fn field(self) -> &'static str {
        match self {
            Self::Categories => "category",
            Self::Channels => "channel",
        }
    }
}

#[derive(Debug, QueryableByName)]
struct ItemRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    slug: String,
    #[diesel(sql_type = Text)]
    name: String,
}

impl From<ItemRow> for ReferenceItem {
    fn from(row: ItemRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
        }
    }
}

pub fn list(conn: &mut DbConn, list: RefList) -> QueryResult<Vec<ReferenceItem>> {
    let rows: Vec<ItemRow> = diesel::sql_query(format!(
        "SELECT id, slug, name FROM {} ORDER BY name COLLATE NOCASE, id",
        list.table()
    ))
    .load(conn)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub fn insert(
    conn: &mut DbConn,
    list: RefList,
    slug: &str,
    name: &str,
) -> QueryResult<ReferenceItem> {
    let row: ItemRow = diesel::sql_query(format!(
        "INSERT INTO {} (slug, name) VALUES (?, ?) RETURNING id, slug, name",
        list.table()
    ))
    .bind::<Text, _>(slug)
    .bind::<Text, _>(name.trim())
    .get_result(conn)?;
    Ok(row.into())
}

/// Whether `slug` names an entry of the list.
pub fn exists(conn: &mut DbConn, list: RefList, slug: &str) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        found: i64,
    }
    let found: Found = diesel::sql_query(format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE slug = ?) AS found",
        list.table()
    ))
    .bind::<Text, _>(slug)
    .get_result(conn)?;
    Ok(found.found != 0)
}
