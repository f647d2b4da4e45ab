//! Sessions per second for a load + save cycle through the tower-sessions store, against
//! the in-process emulator. Criterion-free: `cargo bench -p session-store --bench sessions`
//! prints one line per concurrency level and stays well under 20 s.

use std::time::{Duration, Instant};

use emulator::harness::TestEmulator;
use session_store::{DynamoDbCache, DynamoDbSessionStore};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::SessionStore;

const SESSIONS: usize = 256;
const RUN_FOR: Duration = Duration::from_secs(3);
const CONCURRENCY: [usize; 3] = [1, 8, 32];

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let emulator = TestEmulator::start();
    let cache = DynamoDbCache::builder(emulator.dynamodb_client())
        .table_name("bench-sessions")
        .create_table_if_not_exists(true)
        .table_poll_interval(Duration::from_millis(50))
        .build()
        .expect("cache");
    let store = DynamoDbSessionStore::new(cache);

    let mut ids = Vec::with_capacity(SESSIONS);
    for i in 0..SESSIONS {
        let mut record = Record {
            id: Id::default(),
            data: [
                ("user".to_owned(), serde_json::json!(format!("user-{i}"))),
                ("visits".to_owned(), serde_json::json!(0)),
            ]
            .into(),
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.create(&mut record).await.expect("create");
        ids.push(record.id);
    }

    println!(
        "session-store: load + save cycles through the tower-sessions store (emulator in-process)"
    );
    for workers in CONCURRENCY {
        let deadline = Instant::now() + RUN_FOR;
        let started = Instant::now();
        let tasks: Vec<_> = (0..workers)
            .map(|w| {
                let store = store.clone();
                let ids = ids.clone();
                tokio::spawn(async move {
                    let mut cycles = 0u64;
                    let mut i = w;
                    while Instant::now() < deadline {
                        let id = ids[i % ids.len()];
                        let mut record = store.load(&id).await.expect("load").expect("present");
                        let visits = record.data["visits"].as_u64().unwrap_or(0) + 1;
                        record
                            .data
                            .insert("visits".to_owned(), serde_json::json!(visits));
                        record.expiry_date = OffsetDateTime::now_utc() + time::Duration::hours(1);
                        store.save(&record).await.expect("save");
                        cycles += 1;
                        i += workers;
                    }
                    cycles
                })
            })
            .collect();
        let mut cycles = 0;
        for task in tasks {
            cycles += task.await.expect("worker");
        }
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "  concurrency {workers:>2}: {cycles:>7} sessions in {elapsed:.2} s = {:>8.0} sessions/s",
            cycles as f64 / elapsed
        );
    }
}
