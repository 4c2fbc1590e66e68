//! Comments on tickets.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::Comment;

use super::{agent, utc};
use crate::db::DbConn;
use crate::db::schema::comments;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub author_id: i64,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = comments)]
pub struct NewCommentRow<'a> {
    pub ticket_id: i64,
    pub author_id: i64,
    pub body: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewCommentRow<'_>) -> QueryResult<CommentRow> {
    diesel::insert_into(comments::table)
        .values(new)
        .returning(CommentRow::as_returning())
        .get_result(conn)
}

/// The comments of a ticket, oldest first, with their authors' names.
pub fn for_ticket(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Vec<Comment>> {
    let rows: Vec<CommentRow> = comments::table
        .filter(comments::ticket_id.eq(ticket_id))
        .order(comments::id.asc())
        .select(CommentRow::as_select())
        .load(conn)?;
    to_wire(conn, rows)
}

pub fn to_wire(conn: &mut DbConn, rows: Vec<CommentRow>) -> QueryResult<Vec<Comment>> {
    let refs = agent::refs(conn, rows.iter().map(|c| c.author_id))?;
    Ok(rows
        .into_iter()
        .map(|row| Comment {
            id: row.id,
            ticket_id: row.ticket_id,
            author: agent::lookup(&refs, row.author_id),
            body: row.body,
            created_at: utc(row.created_at),
        })
        .collect())
}
