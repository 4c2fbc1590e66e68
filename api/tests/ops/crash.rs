//! Crash safety: the server is killed with SIGKILL while many clients create tickets, restarted
//! on the same data dir, loaded and killed again. Every ticket whose 201 a client received is in
//! the database after the last restart, exactly as sent, and SQLite finds the files each crash
//! left sound.

use std::path::Path;
use std::sync::{Arc, Mutex};

use api::db::{DbConn, maintenance};
use diesel::Connection;
use futures_util::future::join_all;
use shared::{NewTicket, Ticket};
use tokio::sync::watch;

use crate::support::{Api, Server, TIMEOUT, assert_holds, ticket};

const CLIENTS: usize = 16;
/// Tickets acknowledged in each round before the kill: enough that writes are surely in flight.
const PER_ROUND: usize = 100;
/// Kill-and-restart rounds on the same data dir; each kill lands at another point of a commit.
const ROUNDS: usize = 3;

type Acknowledged = Arc<Mutex<Vec<(NewTicket, Ticket)>>>;

/// Runs [`CLIENTS`] clients creating tickets against `server` until [`PER_ROUND`] more are
/// acknowledged, then SIGKILLs the server while they are still sending.
async fn load_and_kill(server: &mut Server, api: &Api, round: usize, acknowledged: &Acknowledged) {
    let start = acknowledged.lock().expect("the list").len();
    let (count_tx, mut count_rx) = watch::channel(start);
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (api, acknowledged, count_tx) =
                (api.clone(), acknowledged.clone(), count_tx.clone());
            tokio::spawn(async move {
                // Each client creates tickets until the server is gone; its last request is the
                // one in flight when the server died.
                let mut n = 0;
                loop {
                    let sent = ticket(&format!("Rodada {round} cliente {client} pedido {n}"));
                    let Ok(created) = api.try_create(&sent).await else {
                        return n;
                    };
                    let mut acknowledged = acknowledged.lock().expect("the list");
                    acknowledged.push((sent, created));
                    count_tx.send_replace(acknowledged.len());
                    n += 1;
                }
            })
        })
        .collect();
    tokio::time::timeout(TIMEOUT, count_rx.wait_for(|n| *n >= start + PER_ROUND))
        .await
        .expect("the clients got their tickets through in time")
        .expect("the clients are running");
    server.crash();
    for client in join_all(clients).await {
        client.expect("a client task ends by itself");
    }
}

/// Checks a copy of the files exactly as the crash left them (the restart then recovers from
/// the same state): `PRAGMA integrity_check` and foreign keys.
fn assert_sound_after_crash(data: &Path, copy: &Path) {
    std::fs::create_dir(copy).expect("a folder for the copy");
    for name in ["service_desk.db", "service_desk.db-wal"] {
        if data.join(name).exists() {
            std::fs::copy(data.join(name), copy.join(name)).expect("copy the crashed files");
        }
    }
    let mut conn = DbConn::establish(&copy.join("service_desk.db").to_string_lossy())
        .expect("the crashed database opens");
    assert_eq!(
        maintenance::integrity_check(&mut conn).expect("the check runs"),
        ["ok"]
    );
    assert_eq!(
        maintenance::foreign_key_violations(&mut conn).expect("the check runs"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_ticket_survives_sigkill_under_load() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    let mut server = Server::start(&data).await;
    let api = Api::sign_up(&server.base).await;
    let acknowledged: Acknowledged = Arc::default();
    for round in 1..=ROUNDS {
        if round > 1 {
            server = Server::start(&data).await;
        }
        let round_api = api.on(&server.base);
        load_and_kill(&mut server, &round_api, round, &acknowledged).await;
        assert_sound_after_crash(&data, &dir.path().join(format!("crash-{round}")));
    }

    let server = Server::start(&data).await;
    let api = api.on(&server.base);
    let acknowledged = std::mem::take(&mut *acknowledged.lock().expect("the list"));
    assert!(acknowledged.len() >= ROUNDS * PER_ROUND);
    for (sent, created) in &acknowledged {
        let stored = api
            .detail(created.id)
            .await
            .unwrap_or_else(|| panic!("acknowledged ticket {} is missing", created.id));
        assert_holds(&stored.ticket, sent);
        assert_eq!(&stored.ticket, created, "ticket {} changed", created.id);
    }
}
