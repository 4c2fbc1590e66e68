//! `servicedesk seed`: fills a data dir with realistic, reproducible Brazilian-Portuguese demo
//! data (agents, customers with accented names, every channel and category, a realistic status
//! mix, 0–5 comments per ticket, two years of dates). Used to try the product and to benchmark it.
//!
//! Speed: rows are generated in Rust and written with multi-row inserts, in one transaction (so
//! a failed or interrupted seed leaves the data dir as it was). The search index is built once at
//! the end with one statement: the per-ticket insert trigger is dropped for the load and restored
//! before the commit. Row by row, FTS5 would flush its pending terms at every statement's
//! savepoint and spend most of the load merging small segments.

use std::time::Instant;

use chrono::{Duration, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::auth::password;
use crate::db::models::agent::{self, NewAgentRow};
use crate::db::schema::{comments, ticket_events, tickets};
use crate::db::{self, DbConn};

/// Tickets generated at a time.
const BATCH: usize = 10_000;
/// The trigger that indexes each new ticket for search (see the migrations).
const FTS_INSERT_TRIGGER: &str = "tickets_fts_ai";
/// Rows per INSERT statement (kept under SQLite's bound-parameter limit).
const ROWS_PER_INSERT: usize = 1_000;
/// The password of every seeded agent.
pub const DEMO_PASSWORD: &str = "groovoo-demo";

const FIRST_NAMES: &[&str] = &[
    "João",
    "Conceição",
    "Ângela",
    "José",
    "Maria",
    "Antônio",
    "Luíza",
    "Sebastião",
    "Márcia",
    "Fábio",
    "Lúcia",
    "Estêvão",
    "Inês",
    "Tânia",
    "Cláudia",
    "Vinícius",
    "Érica",
    "Otávio",
    "Patrícia",
    "Mônica",
    "Júlio",
    "Letícia",
    "Caio",
    "Beatriz",
    "Rafael",
    "Ana",
    "Pedro",
    "Gabriela",
    "Thiago",
    "Larissa",
    "Marcos",
    "Fernanda",
    "Raí",
    "Aurélio",
    "Simão",
    "Flávia",
];
const SURNAMES: &[&str] = &[
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Conceição",
    "Araújo",
    "Gonçalves",
    "Ribeiro",
    "Magalhães",
    "Assunção",
    "Brandão",
    "Falcão",
    "Pereira",
    "Lima",
    "Carvalho",
    "Gomes",
    "Ferreira",
    "Rodrigues",
    "Almeida",
    "Nascimento",
    "Mendonça",
    "Damião",
    "Barbosa",
    "Simões",
];
const AGENT_NAMES: &[&str] = &[
    "Ana Paula Ribeiro",
    "Bruno Câmara",
    "Carla Nogueira",
    "Diego Antunes",
    "Elaine Quintão",
    "Felipe Saraiva",
    "Giovana Tavares",
    "Heitor Brandão",
    "Isabela Prates",
    "Jéssica Moura",
    "Kléber Rocha",
    "Lívia Mattos",
];
const EVENTS: &[&str] = &[
    "Rock in Rio",
    "Lollapalooza Brasil",
    "Festival de Verão Salvador",
    "Réveillon Copacabana",
    "São João de Caruaru",
    "Bienal do Livro",
    "Virada Cultural",
    "Show do Gilberto Gil",
    "Carnaval de Olinda",
    "Festival de Parintins",
    "Samba na Praça",
    "Forró Caju",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "uol.com.br",
    "yahoo.com.br",
];

/// Subjects per category slug (the seeded categories).
fn subjects(category: &str) -> &'static [&'static str] {
    match category {
        "pagamento" => &[
            "Pagamento recusado no cartão",
            "Cobrança em duplicidade",
            "Pix não foi confirmado",
            "Boleto pago e pedido pendente",
        ],
        "reembolso" => &[
            "Pedido de reembolso do ingresso",
            "Evento adiado, quero o dinheiro de volta",
            "Reembolso parcial não caiu",
            "Estorno no cartão ainda não apareceu",
        ],
        "acesso-ao-evento" => &[
            "QR Code não abre na portaria",
            "Não consegui entrar no evento",
            "Portão errado indicado no ingresso",
            "Acessibilidade para cadeirante",
        ],
        "ingressos" => &[
            "Ingresso não chegou por e-mail",
            "Transferir ingresso para outra pessoa",
            "Meia-entrada recusada",
            "Nome errado no ingresso",
        ],
        "conta" => &[
            "Não consigo entrar na minha conta",
            "Alterar e-mail cadastrado",
            "Conta bloqueada após várias tentativas",
            "Excluir meus dados",
        ],
        _ => &[
            "Dúvida sobre horário de abertura",
            "Achados e perdidos",
            "Sugestão para o próximo evento",
            "Elogio ao atendimento",
        ],
    }
}

const DESCRIPTIONS: &[&str] = &[
    "Comprei {n} ingressos para o {event} e {problem}. Pedido {order}.",
    "Olá, sou cliente há anos. No {event} {problem}. Número do pedido: {order}.",
    "Bom dia! Estou tentando resolver desde ontem: {problem}. Evento: {event}, pedido {order}.",
    "Preciso de ajuda urgente com o {event}: {problem}. Meu pedido é o {order}.",
];
const PROBLEMS: &[&str] = &[
    "não recebi a confirmação",
    "o aplicativo mostra erro ao abrir o ingresso",
    "fui cobrado duas vezes",
    "a data do evento mudou e não consigo ir",
    "o atendente da portaria não achou meu nome",
    "o valor da taxa veio diferente do anunciado",
];
const COMMENTS: &[&str] = &[
    "Olá {first}, recebemos sua mensagem e já estamos verificando o pedido.",
    "Cliente informou por telefone que o problema continua.",
    "Encaminhado ao financeiro para conferência do pagamento.",
    "Enviamos o ingresso novamente para o e-mail cadastrado.",
    "Aguardando o cliente enviar o comprovante.",
    "Reembolso aprovado; o estorno aparece em até duas faturas.",
    "{first} confirmou que conseguiu acessar. Obrigado!",
    "Verifiquei com a produtora do {event}: a entrada foi liberada.",
];

#[derive(Debug, Insertable)]
#[diesel(table_name = tickets)]
struct SeedTicket {
    id: i64,
    subject: String,
    customer_name: String,
    customer_contact: String,
    channel: &'static str,
    category: &'static str,
    description: String,
    status: &'static str,
    priority: &'static str,
    assignee_id: Option<i64>,
    created_by: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    first_response_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    version: i64,
    comment_count: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = comments)]
struct SeedComment {
    ticket_id: i64,
    author_id: i64,
    body: String,
    created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = ticket_events)]
struct SeedEvent {
    ticket_id: i64,
    actor_id: i64,
    kind: &'static str,
    from_value: Option<String>,
    to_value: Option<String>,
    created_at: NaiveDateTime,
}

const CATEGORIES: &[&str] = &[
    "pagamento",
    "reembolso",
    "acesso-ao-evento",
    "ingressos",
    "conta",
    "outros",
];
const CHANNELS: &[&str] = &["e-mail", "whatsapp", "telefone", "chat", "redes-sociais"];

fn ascii_lower(text: &str) -> String {
    text.chars()
        .map(shared::validation::fold_accent)
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

fn contact(rng: &mut ChaCha8Rng, channel: &str, first: &str, last: &str) -> String {
    match channel {
        "whatsapp" | "telefone" => format!(
            "+55 {} 9{:04}-{:04}",
            rng.random_range(11..=99),
            rng.random_range(0..10_000),
            rng.random_range(0..10_000)
        ),
        "redes-sociais" => format!("@{}{}", ascii_lower(first), rng.random_range(1..999)),
        _ => format!(
            "{}.{}{}@{}",
            ascii_lower(first),
            ascii_lower(last),
            rng.random_range(1..99),
            DOMAINS.choose(rng).unwrap_or(&"gmail.com")
        ),
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

/// Summary of a seeding run.
#[derive(Debug)]
pub struct SeedReport {
    pub tickets: usize,
    pub comments: usize,
    pub agents: usize,
    pub seconds: f64,
}

/// Makes sure there are agents to own tickets; returns their ids (the first is an admin).
fn ensure_agents(
    conn: &mut DbConn,
    bcrypt_cost: u32,
) -> Result<Vec<i64>, Box<dyn std::error::Error + Send + Sync>> {
    let existing: Vec<i64> = agent::list(conn)?.into_iter().map(|a| a.id).collect();
    if !existing.is_empty() {
        return Ok(existing);
    }
    let hash = password::hash(DEMO_PASSWORD, bcrypt_cost)?;
    let now = db::models::now();
    let mut ids = Vec::new();
    for (i, name) in AGENT_NAMES.iter().enumerate() {
        let email = format!(
            "{}@groovoo.com.br",
            ascii_lower(name.split(' ').next().unwrap_or("agente"))
        );
        let row = agent::insert(
            conn,
            &NewAgentRow {
                name,
                email: &email,
                password_hash: &hash,
                role: if i == 0 { "admin" } else { "agent" },
                created_at: now,
            },
        )?;
        ids.push(row.id);
    }
    Ok(ids)
}

/// Adds `count` tickets to the database at `path`, reproducibly from `seed`.
/// Deletes the database at `path` with its WAL and shared-memory files, if there are any.
fn remove_database(path: &std::path::Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::remove_file(&file) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
    }
    Ok(())
}

pub fn seed(
    path: &std::path::Path,
    count: usize,
    seed: u64,
    bcrypt_cost: u32,
) -> Result<SeedReport, Box<dyn std::error::Error + Send + Sync>> {
    let started = Instant::now();
    // A new database is built under another name without a journal, then renamed into place:
    // an interrupted seed leaves no half-built database behind. An existing one is added to in
    // one ordinary (journaled) transaction.
    let fresh = !path.exists();
    let target = if fresh {
        let building = path.with_extension("db.seeding");
        remove_database(&building)?;
        building
    } else {
        path.to_owned()
    };
    let mut conn = db::migrated(&target)?;
    conn.batch_execute(if fresh {
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
    } else {
        "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;"
    })?;
    conn.batch_execute(
        "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF;",
    )?;
    let agents = ensure_agents(&mut conn, bcrypt_cost)?;

    let first_id: i64 = tickets::table
        .select(diesel::dsl::max(tickets::id))
        .first::<Option<i64>>(&mut conn)?
        .unwrap_or(0)
        + 1;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let end = db::models::now();
    let span = Duration::days(730);
    let start = end - span;
    let step_ms = (span.num_milliseconds() / count.max(1) as i64).max(1);

    let bar = ProgressBar::new(count as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40.magenta/blue} {pos}/{len} tickets {per_sec} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    #[derive(QueryableByName)]
    struct Sql {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sql: String,
    }
    let fts_trigger = diesel::sql_query("SELECT sql FROM sqlite_master WHERE name = ?")
        .bind::<diesel::sql_types::Text, _>(FTS_INSERT_TRIGGER)
        .get_result::<Sql>(&mut conn)?
        .sql;
    let mut total_comments = 0;
    let mut done = 0;
    conn.immediate_transaction(|conn| {
        conn.batch_execute(&format!("DROP TRIGGER {FTS_INSERT_TRIGGER}"))?;
        while done < count {
            let size = BATCH.min(count - done);
            let mut batch_tickets = Vec::with_capacity(size);
            let mut batch_comments = Vec::new();
            let mut batch_events = Vec::new();
            for i in 0..size {
                let n = done + i;
                let id = first_id + n as i64;
                let created = start
                    + Duration::milliseconds(step_ms * n as i64 + rng.random_range(0..step_ms));
                let first = pick(&mut rng, FIRST_NAMES);
                let last = pick(&mut rng, SURNAMES);
                let category = pick(&mut rng, CATEGORIES);
                let channel = pick(&mut rng, CHANNELS);
                let event = pick(&mut rng, EVENTS);
                let status = match rng.random_range(0..100) {
                    0..40 => "open",
                    40..65 => "waiting",
                    _ => "closed",
                };
                let priority = match rng.random_range(0..100) {
                    0..20 => "low",
                    20..80 => "normal",
                    80..95 => "high",
                    _ => "urgent",
                };
                let creator = *agents.choose(&mut rng).unwrap_or(&agents[0]);
                let assignee = (rng.random_range(0..10) > 0)
                    .then(|| *agents.choose(&mut rng).unwrap_or(&creator));
                let description = pick(&mut rng, DESCRIPTIONS)
                    .replace("{n}", &rng.random_range(1..=6).to_string())
                    .replace("{event}", event)
                    .replace("{problem}", pick(&mut rng, PROBLEMS))
                    .replace(
                        "{order}",
                        &format!("GV-{:07}", rng.random_range(0..10_000_000)),
                    );
                let comment_count = rng.random_range(0..=5_i64);
                let mut at = created;
                let mut first_response = None;
                for _ in 0..comment_count {
                    at += Duration::minutes(rng.random_range(5..3_000));
                    first_response.get_or_insert(at);
                    batch_comments.push(SeedComment {
                        ticket_id: id,
                        author_id: assignee.unwrap_or(creator),
                        body: pick(&mut rng, COMMENTS)
                            .replace("{first}", first)
                            .replace("{event}", event),
                        created_at: at,
                    });
                }
                let closed_at = (status == "closed")
                    .then(|| at + Duration::minutes(rng.random_range(10..2_000)));
                let updated = closed_at.unwrap_or(at);
                if status != "open" {
                    batch_events.push(SeedEvent {
                        ticket_id: id,
                        actor_id: assignee.unwrap_or(creator),
                        kind: "status_changed",
                        from_value: Some("open".into()),
                        to_value: Some(status.into()),
                        created_at: updated,
                    });
                }
                batch_tickets.push(SeedTicket {
                    id,
                    subject: format!("{} — {event}", pick(&mut rng, subjects(category))),
                    customer_name: format!("{first} {last}"),
                    customer_contact: contact(&mut rng, channel, first, last),
                    channel,
                    category,
                    description,
                    status,
                    priority,
                    assignee_id: assignee,
                    created_by: creator,
                    created_at: created,
                    updated_at: updated,
                    first_response_at: first_response,
                    closed_at,
                    version: 1 + i64::from(status != "open"),
                    comment_count,
                });
            }
            total_comments += batch_comments.len();
            for chunk in batch_comments.chunks(ROWS_PER_INSERT) {
                diesel::insert_into(comments::table)
                    .values(chunk)
                    .execute(conn)?;
            }
            for chunk in batch_tickets.chunks(ROWS_PER_INSERT / 2) {
                diesel::insert_into(tickets::table)
                    .values(chunk)
                    .execute(conn)?;
            }
            for chunk in batch_events.chunks(ROWS_PER_INSERT) {
                diesel::insert_into(ticket_events::table)
                    .values(chunk)
                    .execute(conn)?;
            }
            done += size;
            bar.set_position(done as u64);
        }
        bar.set_message("indexing for search");
        diesel::sql_query(
            "INSERT INTO tickets_fts \
             (rowid, subject, customer_name, customer_contact, description, comments) \
         SELECT t.id, t.subject, t.customer_name, t.customer_contact, t.description, \
             (SELECT coalesce(group_concat(body, ' '), '') FROM comments WHERE ticket_id = t.id) \
         FROM tickets t WHERE t.id >= ?",
        )
        .bind::<diesel::sql_types::BigInt, _>(first_id)
        .execute(conn)?;
        conn.batch_execute(&fts_trigger)?;
        diesel::QueryResult::Ok(())
    })?;
    bar.finish_and_clear();
    // Foreign keys were off for speed; prove the generated rows satisfy them all.
    #[derive(QueryableByName)]
    struct Violation {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table: String,
    }
    let violations: Vec<Violation> =
        diesel::sql_query("PRAGMA foreign_key_check").load(&mut conn)?;
    if let Some(v) = violations.first() {
        return Err(format!("seeded rows break a foreign key of `{}`", v.table).into());
    }
    conn.batch_execute("PRAGMA optimize;")?;
    if fresh {
        conn.batch_execute("PRAGMA journal_mode = WAL;")?;
        drop(conn);
        std::fs::rename(&target, path)?;
    } else {
        conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")?;
    }
    Ok(SeedReport {
        tickets: count,
        comments: total_comments,
        agents: agents.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use shared::TicketFilter;

    use super::*;
    use crate::db::models::{now, ticket};

    fn subjects_and_names(path: &std::path::Path) -> Vec<(String, String, String)> {
        let conn = &mut db::migrated(path).unwrap();
        tickets::table
            .order(tickets::id)
            .select((tickets::subject, tickets::customer_name, tickets::status))
            .load(conn)
            .unwrap()
    }

    fn search(conn: &mut DbConn, q: &str) -> Vec<i64> {
        let filter = TicketFilter {
            q: Some(q.into()),
            ..Default::default()
        };
        ticket::page(conn, &filter, None, 10_000)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect()
    }

    #[test]
    fn a_seed_is_reproducible_searchable_and_leaves_the_triggers_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
        let report = seed(&a, 300, 7, 4).unwrap();
        assert_eq!(report.tickets, 300);
        seed(&b, 300, 7, 4).unwrap();
        let rows = subjects_and_names(&a);
        assert_eq!(rows.len(), 300);
        assert_eq!(rows, subjects_and_names(&b), "same seed, same tickets");
        assert!(!dir.path().join("a.db.seeding").exists());

        let conn = &mut db::migrated(&a).unwrap();
        // Every seeded ticket is in the search index under its customer's first name.
        let (id, name) = tickets::table
            .select((tickets::id, tickets::customer_name))
            .order(tickets::id.desc())
            .first::<(i64, String)>(conn)
            .unwrap();
        let first = name.split(' ').next().unwrap();
        let found = search(conn, first);
        assert!(found.contains(&id), "{first} finds ticket {id}");
        let named = rows
            .iter()
            .filter(|(_, customer, _)| customer.split(' ').next() == Some(first))
            .count();
        assert!(found.len() >= named, "every {first} is found");

        // The per-ticket index trigger is back: a new ticket is searchable at once.
        let at = now();
        let new = ticket::insert(
            conn,
            &ticket::NewTicketRow {
                subject: "Xilogravura perdida",
                customer_name: "Teste",
                customer_contact: "t@x.io",
                channel: "chat",
                category: "outros",
                description: "-",
                priority: "normal",
                assignee_id: None,
                created_by: 1,
                created_at: at,
                updated_at: at,
            },
        )
        .unwrap();
        assert_eq!(search(conn, "xilograv"), [new.id]);

        // Seeding an existing database adds to it.
        seed(&a, 50, 8, 4).unwrap();
        assert_eq!(subjects_and_names(&a).len(), 351);
    }
}
