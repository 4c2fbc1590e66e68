//! `servicedesk seed`: fills a data dir with realistic, reproducible Brazilian-Portuguese demo
//! data (agents, customers with accented names, every channel and category, a realistic status
//! mix, 0–5 comments per ticket, two years of dates). Used to try the product and to benchmark it.
//!
//! Speed: rows are generated in Rust and written with multi-row inserts, 10,000 tickets per
//! transaction. Each batch writes its comments before their tickets, so the ticket insert trigger
//! indexes a ticket's text and comments for search in one go.

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

/// Tickets per transaction.
const BATCH: usize = 10_000;
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
pub fn seed(
    path: &std::path::Path,
    count: usize,
    seed: u64,
    bcrypt_cost: u32,
) -> Result<SeedReport, Box<dyn std::error::Error + Send + Sync>> {
    let started = Instant::now();
    let pool = db::open(path)?;
    let mut conn = pool.get()?;
    // A bulk load of generated data: the WAL still makes each commit atomic.
    conn.batch_execute(
        "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -262144; PRAGMA foreign_keys = OFF;",
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
            "{bar:40.magenta/blue} {pos}/{len} tickets {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut total_comments = 0;
    let mut done = 0;
    while done < count {
        let size = BATCH.min(count - done);
        let mut batch_tickets = Vec::with_capacity(size);
        let mut batch_comments = Vec::new();
        let mut batch_events = Vec::new();
        for i in 0..size {
            let n = done + i;
            let id = first_id + n as i64;
            let created =
                start + Duration::milliseconds(step_ms * n as i64 + rng.random_range(0..step_ms));
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
            let assignee =
                (rng.random_range(0..10) > 0).then(|| *agents.choose(&mut rng).unwrap_or(&creator));
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
            let closed_at =
                (status == "closed").then(|| at + Duration::minutes(rng.random_range(10..2_000)));
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
        conn.immediate_transaction(|conn| {
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
            diesel::QueryResult::Ok(())
        })?;
        done += size;
        bar.set_position(done as u64);
    }
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
    conn.batch_execute("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(SeedReport {
        tickets: count,
        comments: total_comments,
        agents: agents.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}
