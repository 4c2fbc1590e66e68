//! Export of the open tickets as CSV or Markdown, streamed: rows are read in keyset batches
//! inside one read transaction (a consistent snapshot) on a blocking thread and sent to the
//! client as they are written, so memory stays flat however many tickets there are.

use std::collections::HashMap;
use std::io::{self, Write};

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use diesel::Connection;
use serde::Deserialize;
use shared::{FieldError, TicketFilter, TicketQueryParams, TicketStatus};
use tokio::sync::mpsc;

use crate::auth::AuthUser;
use crate::db::models::reference::RefList;
use crate::db::models::{agent, reference, ticket};
use crate::db::{DbConn, DbPool};
use crate::error::ApiError;
use crate::handlers::tickets::parse_filter;
use crate::state::AppState;

/// Tickets read per query while exporting.
const BATCH: i64 = 1_000;
/// Bytes buffered before a chunk is sent to the client.
const CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Md,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Delimiter {
    Comma,
    Semicolon,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` (UTF-8 with BOM, RFC 4180, CRLF; the default) or `md` (a Markdown table).
    #[param(value_type = Option<ExportFormat>, inline)]
    format: Option<String>,
    /// CSV field separator: `comma` (default) or `semicolon` (for Excel in Brazilian locales).
    #[param(value_type = Option<Delimiter>, inline)]
    delimiter: Option<String>,
}

/// The list filters of [`TicketQueryParams`], with `status` limited to `open`: the export is of
/// open tickets only.
struct ExportFilterParams;

impl utoipa::IntoParams for ExportFilterParams {
    fn into_params(
        parameter_in_provider: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        let mut params =
            <TicketQueryParams as utoipa::IntoParams>::into_params(parameter_in_provider);
        for param in params.iter_mut().filter(|p| p.name == "status") {
            param.description = Some("`open`, the only status exported (the default).".into());
            param.schema = Some(utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .enum_values(Some([TicketStatus::Open.as_str()]))
                    .build(),
            )));
        }
        params
    }
}

/// The export options, parsed.
#[derive(Debug, Clone, Copy)]
struct ExportOptions {
    format: ExportFormat,
    delimiter: u8,
}

fn parse_options(params: &ExportParams) -> Result<ExportOptions, ApiError> {
    let mut errors = Vec::new();
    let format = match params.format.as_deref() {
        None | Some("") | Some("csv") => ExportFormat::Csv,
        Some("md") => ExportFormat::Md,
        Some(_) => {
            errors.push(FieldError::new(
                "format",
                "unknown_value",
                "must be csv or md",
            ));
            ExportFormat::Csv
        }
    };
    let delimiter = match params.delimiter.as_deref() {
        None | Some("") | Some("comma") => b',',
        Some("semicolon") => b';',
        Some(_) => {
            errors.push(FieldError::new(
                "delimiter",
                "unknown_value",
                "must be comma or semicolon",
            ));
            b','
        }
    };
    ApiError::check(errors)?;
    Ok(ExportOptions { format, delimiter })
}

/// An `io::Write` that sends what is written to the response stream in chunks. A client that
/// goes away makes writes fail, which stops the export.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "client went away"))
    }
}

const COLUMNS: [&str; 13] = [
    "id",
    "subject",
    "status",
    "priority",
    "category",
    "channel",
    "customer_name",
    "customer_contact",
    "assignee",
    "created_by",
    "created_at",
    "updated_at",
    "description",
];

/// Display names for slugs and agent ids, loaded once per export.
struct Names {
    categories: HashMap<String, String>,
    channels: HashMap<String, String>,
    agents: HashMap<i64, String>,
}

impl Names {
    fn load(conn: &mut DbConn) -> Result<Self, diesel::result::Error> {
        let list = |conn: &mut DbConn, which| -> Result<HashMap<String, String>, _> {
            Ok::<_, diesel::result::Error>(
                reference::list(conn, which)?
                    .into_iter()
                    .map(|item| (item.slug, item.name))
                    .collect(),
            )
        };
        Ok(Self {
            categories: list(conn, RefList::Categories)?,
            channels: list(conn, RefList::Channels)?,
            agents: agent::list(conn)?
                .into_iter()
                .map(|a| (a.id, a.name))
                .collect(),
        })
    }

    fn cells(&self, t: &ticket::TicketRow) -> [String; 13] {
        let slug = |map: &HashMap<String, String>, slug: &str| {
            map.get(slug).cloned().unwrap_or_else(|| slug.to_owned())
        };
        let agent = |id: i64| self.agents.get(&id).cloned().unwrap_or_default();
        [
            t.id.to_string(),
            t.subject.clone(),
            t.status.clone(),
            t.priority.clone(),
            slug(&self.categories, &t.category),
            slug(&self.channels, &t.channel),
            t.customer_name.clone(),
            t.customer_contact.clone(),
            t.assignee_id.map(agent).unwrap_or_default(),
            agent(t.created_by),
            t.created_at.and_utc().to_rfc3339(),
            t.updated_at.and_utc().to_rfc3339(),
            t.description.clone(),
        ]
    }
}

/// Defuses a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR).
pub fn neutralize_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Escapes a Markdown table cell: pipes, line breaks and HTML brackets.
pub fn markdown_cell(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("<br>");
                }
            }
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// Writes one row of cells in the export's format; an empty row flushes what is buffered.
type RowSink = Box<dyn FnMut(&[String]) -> io::Result<()>>;

/// Writes every ticket matching `filter` to `out` in the chosen format.
fn write_export(
    conn: &mut DbConn,
    filter: &TicketFilter,
    options: ExportOptions,
    out: ChannelWriter,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    conn.transaction(|conn| {
        let names = Names::load(conn)?;
        let mut sink: RowSink = match options.format {
            ExportFormat::Csv => {
                let mut out = out;
                out.write_all("\u{feff}".as_bytes())?;
                let mut csv = csv::WriterBuilder::new()
                    .delimiter(options.delimiter)
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(out);
                csv.write_record(COLUMNS)?;
                Box::new(move |cells: &[String]| {
                    if cells.is_empty() {
                        return csv.flush();
                    }
                    csv.write_record(cells.iter().map(|c| neutralize_formula(c).into_owned()))
                        .map_err(io::Error::other)
                })
            }
            ExportFormat::Md => {
                let mut out = out;
                writeln!(out, "| {} |", COLUMNS.join(" | "))?;
                writeln!(out, "|{}", "---|".repeat(COLUMNS.len()))?;
                Box::new(move |cells: &[String]| {
                    if cells.is_empty() {
                        return out.flush();
                    }
                    let row: Vec<String> = cells.iter().map(|c| markdown_cell(c)).collect();
                    writeln!(out, "| {} |", row.join(" | "))
                })
            }
        };
        let mut before = None;
        loop {
            let rows = ticket::page(conn, filter, before, BATCH)?;
            for row in &rows {
                sink(&names.cells(row))?;
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == BATCH => before = Some(last.id),
                _ => break,
            }
        }
        // An empty record means "flush what is buffered".
        sink(&[])?;
        Ok(())
    })
}

/// Runs the export on a blocking thread and returns the stream of its chunks.
fn spawn_export(
    pool: DbPool,
    filter: TicketFilter,
    options: ExportOptions,
) -> impl futures_util::Stream<Item = Result<Bytes, io::Error>> {
    let (tx, rx) = mpsc::channel::<Result<Bytes, io::Error>>(4);
    actix_web::rt::task::spawn_blocking(move || {
        let out = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let result = pool
            .get()
            .map_err(Into::into)
            .and_then(|mut conn| write_export(&mut conn, &filter, options, out));
        if let Err(err) = result {
            tracing::warn!(error = %err, "export stopped");
            let _ = tx.blocking_send(Err(io::Error::other("export failed")));
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

/// Export the open tickets (optionally filtered like the list) as CSV or Markdown.
///
/// Always exports tickets with status `open`; a `status` other than `open` is refused.
#[utoipa::path(
    get, path = "/api/v1/tickets/export", tag = "tickets",
    params(ExportParams, ExportFilterParams),
    responses(
        (status = 200, description = "The file, streamed",
         content((String = "text/csv"), (String = "text/markdown")),
         headers(("Content-Disposition" = String, description = "`attachment; filename=\"tickets-abertos-YYYY-MM-DD.csv\"`"))),
    )
)]
pub async fn export_tickets(
    _user: AuthUser,
    state: web::Data<AppState>,
    params: web::Query<TicketQueryParams>,
    export: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let options = parse_options(&export)?;
    let mut filter = parse_filter(&params)?;
    if filter.status.is_some_and(|s| s != TicketStatus::Open) {
        return Err(ApiError::field(
            "status",
            "unknown_value",
            "only open tickets are exported",
        ));
    }
    filter.status = Some(TicketStatus::Open);
    // The file is named after the date in Brazil (UTC-3, no daylight saving since 2019).
    let date = (Utc::now() - chrono::Duration::hours(3)).format("%Y-%m-%d");
    let (extension, content_type) = match options.format {
        ExportFormat::Csv => ("csv", "text/csv; charset=utf-8"),
        ExportFormat::Md => ("md", "text/markdown; charset=utf-8"),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!(
                "tickets-abertos-{date}.{extension}"
            ))],
        })
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .streaming(spawn_export(state.pool.clone(), filter, options)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        for cell in ["=1+1", "+55 11", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralize_formula(cell).starts_with('\''), "{cell:?}");
        }
        assert_eq!(neutralize_formula("João"), "João");
    }

    #[test]
    fn markdown_cells_escape_pipes_and_breaks() {
        assert_eq!(markdown_cell("a|b"), "a\\|b");
        assert_eq!(markdown_cell("l1\r\nl2\nl3"), "l1<br>l2<br>l3");
        assert_eq!(markdown_cell("<script>"), "&lt;script&gt;");
    }
}
