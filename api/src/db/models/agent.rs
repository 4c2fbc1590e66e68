//! Agents: the accounts of the support staff.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::{Agent, AgentRef, Role};

use super::utc;
use crate::db::DbConn;
use crate::db::schema::agents;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agents)]
pub struct AgentRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub active: bool,
    pub token_version: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = agents)]
pub struct NewAgentRow<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub created_at: NaiveDateTime,
}

impl AgentRow {
    pub fn role(&self) -> Role {
        self.role.parse().unwrap_or(Role::Agent)
    }

    pub fn to_ref(&self) -> AgentRef {
        AgentRef {
            id: self.id,
            name: self.name.clone(),
        }
    }
}

impl From<AgentRow> for Agent {
    fn from(row: AgentRow) -> Self {
        Self {
            id: row.id,
            role: row.role(),
            active: row.active,
            name: row.name,
            email: row.email,
            created_at: utc(row.created_at),
        }
    }
}

/// A change to an agent's account; `None` fields stay as they are.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = agents)]
pub struct AgentChangeset {
    pub role: Option<&'static str>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    /// A new version invalidates every login token issued before it.
    pub token_version: Option<i64>,
}

/// Normalises an e-mail address for storage and look-up.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn insert(conn: &mut DbConn, new: &NewAgentRow<'_>) -> QueryResult<AgentRow> {
    diesel::insert_into(agents::table)
        .values(new)
        .returning(AgentRow::as_returning())
        .get_result(conn)
}

pub fn any_exists(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(agents::table.select(agents::id))).get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<AgentRow>> {
    agents::table
        .find(id)
        .select(AgentRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<AgentRow>> {
    agents::table
        .filter(agents::email.eq(normalize_email(email)))
        .select(AgentRow::as_select())
        .first(conn)
        .optional()
}

pub fn update(conn: &mut DbConn, id: i64, changes: &AgentChangeset) -> QueryResult<AgentRow> {
    diesel::update(agents::table.find(id))
        .set(changes)
        .returning(AgentRow::as_returning())
        .get_result(conn)
}

/// How many administrators can still sign in.
pub fn count_active_admins(conn: &mut DbConn) -> QueryResult<i64> {
    agents::table
        .filter(agents::role.eq(Role::Admin.as_str()))
        .filter(agents::active.eq(true))
        .count()
        .get_result(conn)
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<AgentRow>> {
    agents::table
        .order((agents::name.asc(), agents::id.asc()))
        .select(AgentRow::as_select())
        .load(conn)
}

/// Whether an active agent with this id exists (for assignment).
pub fn is_active(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        agents::table.filter(agents::id.eq(id).and(agents::active.eq(true))),
    ))
    .get_result(conn)
}

/// Names of the given agents, in one query, for embedding `{id, name}` references.
pub fn refs(
    conn: &mut DbConn,
    ids: impl IntoIterator<Item = i64>,
) -> QueryResult<HashMap<i64, AgentRef>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String)> = agents::table
        .filter(agents::id.eq_any(&ids))
        .select((agents::id, agents::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| (id, AgentRef { id, name }))
        .collect())
}

/// Looks up an agent reference in a map made by [`refs`]; a missing one (impossible under the
/// foreign keys) degrades to the bare id rather than failing the whole response.
pub fn lookup(refs: &HashMap<i64, AgentRef>, id: i64) -> AgentRef {
    refs.get(&id).cloned().unwrap_or(AgentRef {
        id,
        name: format!("#{id}"),
    })
}
