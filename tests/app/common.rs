//! Test harness: fresh databases per test on each engine, a Rocket client, the CLI binary.
//!
//! Engines: `VIGIE_TEST_ENGINES` (comma list of `sqlite`, `postgres`) or, by default, SQLite
//! plus PostgreSQL when `VIGIE_TEST_POSTGRES` is set. `VIGIE_TEST_POSTGRES` is an admin URL
//! (e.g. `postgres://postgres:postgres@127.0.0.1:5432/postgres`); each test creates its own
//! database there, so tests run in parallel. If it is set and unreachable, tests fail: they
//! never skip silently.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::prelude::*;
use rocket::figment::Figment;
use rocket::local::blocking::Client;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub fn engines() -> Vec<Engine> {
    let pg = std::env::var("VIGIE_TEST_POSTGRES").ok().filter(|v| !v.is_empty());
    let list = std::env::var("VIGIE_TEST_ENGINES").ok().filter(|v| !v.is_empty());
    match list {
        Some(list) => list
            .split(',')
            .map(|e| match e.trim() {
                "sqlite" => Engine::Sqlite,
                "postgres" => {
                    assert!(
                        pg.is_some(),
                        "VIGIE_TEST_ENGINES names postgres but VIGIE_TEST_POSTGRES is not set"
                    );
                    Engine::Postgres
                }
                other => panic!("unknown engine `{other}` in VIGIE_TEST_ENGINES"),
            })
            .collect(),
        None if pg.is_some() => vec![Engine::Sqlite, Engine::Postgres],
        None => vec![Engine::Sqlite],
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty database (and a data folder) that disappear with the value.
pub struct TestDb {
    pub engine: Engine,
    pub url: String,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn new(engine: Engine) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match engine {
            Engine::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("vigie.db").display());
                TestDb { engine, url, dir, pg: None }
            }
            Engine::Postgres => {
                let admin = std::env::var("VIGIE_TEST_POSTGRES").expect("VIGIE_TEST_POSTGRES");
                let name = format!(
                    "vigie_t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    rand_suffix()
                );
                let mut conn = diesel::PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!("VIGIE_TEST_POSTGRES is set but PostgreSQL cannot be reached: {e}")
                });
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create database");
                let url = replace_db_name(&admin, &name);
                TestDb { engine, url, dir, pg: Some((admin, name)) }
            }
        }
    }

    /// A direct connection, for asserting on rows.
    pub fn conn(&self) -> vigie::db::DbConn {
        let url = vigie::db::DbUrl::parse(&self.url).unwrap();
        vigie::db::Manager::new(url).establish().expect("connect to the test database")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{n:x}")
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// The figment of a test instance: the repository's Rocket.toml with the test database, a
/// private data folder and mail switched off unless a test turns it on.
pub fn figment(db: &TestDb) -> Figment {
    let data = db.data_dir();
    vigie::config::figment()
        .merge(("database_url", db.url.clone()))
        .merge(("data_dir", data.display().to_string()))
        .merge(("mail.transport", "disabled"))
        .merge(("mail.file_dir", data.join("mail").display().to_string()))
        .merge(("secret_key", "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk="))
        // The public statistics answered fresh after every change (one test sets it to 0).
        .merge(("stats_refresh_wait_ms", 600_000))
}

pub struct TestApp {
    pub db: TestDb,
    pub client: Client,
}

impl TestApp {
    pub fn with_figment(db: TestDb, f: impl FnOnce(Figment) -> Figment) -> TestApp {
        let rocket = vigie::build(f(figment(&db))).expect("build vigie");
        let client = Client::tracked(rocket).expect("valid rocket");
        TestApp { db, client }
    }

    pub fn new(engine: Engine) -> TestApp {
        Self::with_figment(TestDb::new(engine), |f| f)
    }
}

/// Runs `test` once per engine under test, naming the engine when it fails.
pub fn each_engine(test: impl Fn(Engine)) {
    for engine in engines() {
        eprintln!("-- engine: {engine:?}");
        test(engine);
    }
}

/// Runs the `vigie` binary with the given database, arguments and extra environment.
pub fn vigie_cmd(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"));
    cmd.args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("DATABASE_URL", &db.url)
        .env("ROCKET_DATA_DIR", db.data_dir())
        .env_remove("VIGIE_PASSWORD")
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run vigie")
}

pub fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The CSRF token the app gave this client (from the report form's hidden field).
pub fn csrf(client: &Client) -> String {
    let page = client.get("/reports/new").dispatch().into_string().unwrap();
    let start = page.find("name=\"csrf\" value=\"").expect("csrf field") + "name=\"csrf\" value=\"".len();
    page[start..].split('"').next().unwrap().to_string()
}

/// A multipart/form-data body: text fields, then files (field, file name, bytes).
pub fn multipart(
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (rocket::http::ContentType, Vec<u8>) {
    let boundary = "----vigie-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (k, name, data) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let ct = rocket::http::ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
    (ct, body)
}

/// The text between `start` and the next `<` in `html`.
pub fn between(html: &str, start: &str) -> Option<String> {
    let i = html.find(start)? + start.len();
    Some(html[i..].split('<').next()?.to_string())
}

/// A tiny valid PNG (1×1).
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0,
    0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0,
    1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

pub fn count(db: &TestDb, table: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut c = db.conn();
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result::<N>(&mut c).unwrap().n
}

/// The whole database as bytes: the SQLite files, or a plain pg_dump.
pub fn database_bytes(db: &TestDb) -> Vec<u8> {
    match db.engine {
        // Read by another process: closing a file descriptor of the database in this process
        // would drop every POSIX lock SQLite holds on it here, and a `vigie` process run after
        // (as `keys init`) would then take itself for the last connection, checkpoint and
        // remove the WAL under this process's connections ("database disk image is malformed").
        Engine::Sqlite => {
            let mut out = vec![];
            for name in ["vigie.db", "vigie.db-wal"] {
                let path = db.dir.path().join(name);
                if path.exists() {
                    let cat = std::process::Command::new("cat").arg(&path).output().expect("cat");
                    out.extend(cat.stdout);
                }
            }
            out
        }
        Engine::Postgres => {
            let dump = std::process::Command::new("pg_dump")
                .arg("--data-only")
                .arg(&db.url)
                .output()
                .expect("pg_dump");
            assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
            dump.stdout
        }
    }
}

/// Whether `needle` occurs in `bytes`, as text or as the hex a `pg_dump` writes `bytea` in (a
/// file's content).
pub fn bytes_contain(bytes: &[u8], needle: &str) -> bool {
    let hexed = hex::encode(needle.as_bytes());
    [needle.as_bytes(), hexed.as_bytes()].iter().any(|n| bytes.windows(n.len()).any(|w| w == *n))
}

/// A mail body as the transport will get it: a welcome or reset mail waits sealed in the outbox
/// (`notify::BodyKey`), opened here with the app's key; a plain body as it is.
pub fn sent_body(client: &Client, stored: &str) -> String {
    let mail = client.rocket().state::<std::sync::Arc<vigie::config::MailConfig>>().expect("mail settings");
    vigie::notify::BodyKey::open(mail.body_key.as_ref(), stored).expect("the body opens with the app's key")
}
