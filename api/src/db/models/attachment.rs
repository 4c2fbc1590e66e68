//! Attachment metadata. The bytes live in `<data dir>/uploads/<storage_name>`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::Attachment;

use super::{agent, utc};
use crate::db::DbConn;
use crate::db::schema::attachments;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_name: String,
    pub uploaded_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = attachments)]
pub struct NewAttachmentRow {
    pub ticket_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_name: String,
    pub uploaded_by: i64,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &[NewAttachmentRow]) -> QueryResult<Vec<AttachmentRow>> {
    new.iter()
        .map(|row| {
            diesel::insert_into(attachments::table)
                .values(row)
                .returning(AttachmentRow::as_returning())
                .get_result(conn)
        })
        .collect()
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<AttachmentRow>> {
    attachments::table
        .find(id)
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()
}

pub fn for_ticket(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::ticket_id.eq(ticket_id))
        .order(attachments::id.asc())
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// Every attachment, oldest first (backups list the files to keep).
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .order(attachments::id.asc())
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// Converts rows to wire attachments. `download_url` is left empty: links are signed by the
/// handler, which holds the keys.
pub fn to_wire(conn: &mut DbConn, rows: Vec<AttachmentRow>) -> QueryResult<Vec<Attachment>> {
    let refs = agent::refs(conn, rows.iter().map(|a| a.uploaded_by))?;
    Ok(rows
        .into_iter()
        .map(|row| Attachment {
            id: row.id,
            ticket_id: row.ticket_id,
            download_url: String::new(),
            uploaded_by: agent::lookup(&refs, row.uploaded_by),
            filename: row.filename,
            content_type: row.content_type,
            size: row.size,
            sha256: row.sha256,
            created_at: utc(row.created_at),
        })
        .collect())
}
