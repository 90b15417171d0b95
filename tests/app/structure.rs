//! Issue #9 (safety by structure): the tests that were missing or could not fail — settings
//! named when wrong, a database failure that is not a sign-out, session timeouts, every key in
//! every language, the two engines' migrations alike, deterministic synthetic data, a second
//! migration keeping data, concurrent audit appends.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use rocket::http::{ContentType, Status};

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;
use vigie::schema::sessions;

#[test]
fn a_secret_key_of_the_wrong_length_is_named_by_serve_and_by_check_config() {
    let db = TestDb::new(Engine::Sqlite);
    for args in [&["check-config"][..], &["serve"][..]] {
        let out = vigie_cmd(&db, args, &[("ROCKET_SECRET_KEY", "c2hvcnQ=")]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains("`secret_key`"), "{args:?}: {}", text(&out));
    }
    let Err(err) = vigie::build(figment(&db).merge(("secret_key", "too short"))) else {
        panic!("a short key is refused")
    };
    assert!(err.contains("`secret_key`"), "{err}");
}

#[test]
fn a_database_failure_while_reading_the_session_is_a_503_not_a_sign_out() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        assert_eq!(sign_in(&app.client, "intake@cndh.ml", PW).0, Status::SeeOther);
        assert_eq!(app.client.get("/staff").dispatch().status(), Status::Ok);
        let mut c = app.db.conn();
        diesel::sql_query("ALTER TABLE sessions RENAME TO sessions_away").execute(&mut c).unwrap();
        let r = app.client.get("/staff").dispatch();
        assert_eq!(r.status(), Status::ServiceUnavailable, "{:?}", r.headers().get_one("Location"));
        diesel::sql_query("ALTER TABLE sessions_away RENAME TO sessions").execute(&mut c).unwrap();
        assert_eq!(app.client.get("/staff").dispatch().status(), Status::Ok, "still signed in");
    });
}

#[test]
fn sessions_end_after_the_idle_and_the_absolute_timeouts() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
                .merge(("session_idle_minutes", 30))
                .merge(("session_absolute_hours", 12))
        });
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        let mut c = app.db.conn();
        let now = chrono::Utc::now().naive_utc();
        let signed_in = |c: &mut vigie::db::DbConn| {
            diesel::delete(sessions::table).execute(c).unwrap();
            assert_eq!(sign_in(&app.client, "intake@cndh.ml", PW).0, Status::SeeOther);
            assert_eq!(app.client.get("/staff").dispatch().status(), Status::Ok);
        };
        signed_in(&mut c);
        diesel::update(sessions::table)
            .set(sessions::last_seen_at.eq(now - chrono::Duration::minutes(29)))
            .execute(&mut c)
            .unwrap();
        assert_eq!(app.client.get("/staff").dispatch().status(), Status::Ok, "29 idle minutes are fine");
        diesel::update(sessions::table)
            .set(sessions::last_seen_at.eq(now - chrono::Duration::minutes(31)))
            .execute(&mut c)
            .unwrap();
        let r = app.client.get("/staff").dispatch();
        assert_eq!(r.status(), Status::SeeOther, "31 idle minutes end the session");
        assert!(r.headers().get_one("Location").unwrap().starts_with("/staff/sign-in"));

        signed_in(&mut c);
        diesel::update(sessions::table)
            .set(sessions::created_at.eq(now - chrono::Duration::hours(13)))
            .execute(&mut c)
            .unwrap();
        let r = app.client.get("/staff").dispatch();
        assert_eq!(r.status(), Status::SeeOther, "a session active all along ends after 12 hours");
    });
}

/// Every literal key a template or the code asks for, with where it is asked.
fn keys_used() -> BTreeMap<String, String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut keys = BTreeMap::new();
    let mut stack = vec![root.join("templates"), root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let name = path.strip_prefix(root).unwrap().display().to_string();
            // Templates: t(key="…"); code: catalog.message(lang, "…", …).
            for marker in ["t(key=\"", ".message(&lang, \"", ".message(lang, \"", ".message(&page.0.lang, \""]
            {
                for part in text.split(marker).skip(1) {
                    let key: String = part.chars().take_while(|c| *c != '"').collect();
                    // A key followed by `~` is a prefix completed at run time.
                    let after = &part[key.len()..];
                    if after.starts_with("\" ~")
                        || key.is_empty()
                        || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    {
                        continue;
                    }
                    keys.entry(key).or_insert(name.clone());
                }
            }
        }
    }
    keys
}

#[test]
fn every_key_used_in_templates_and_code_exists_in_every_language() {
    let catalog =
        vigie::i18n::Catalog::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/locales")))
            .unwrap();
    let used = keys_used();
    assert!(used.len() > 100, "the scan found the keys ({})", used.len());
    let mut missing = vec![];
    // A draft language (Bambara's first version) shows French for what it lacks; French and
    // every complete language must have them all.
    for (lang, _) in catalog.languages().iter().filter(|(l, _)| !catalog.is_draft(l)) {
        for (key, file) in &used {
            if !catalog.has_key(lang, key) {
                missing.push(format!("{lang}: `{key}` (used in {file})"));
            }
        }
    }
    assert!(missing.is_empty(), "missing translations:\n{}", missing.join("\n"));
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// Tables with their columns, and index names, as the engine reports them.
fn shape(db: &TestDb) -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let mut c = db.conn();
    let (tables_sql, index_sql) = match db.engine {
        Engine::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '__diesel_schema_migrations'",
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
        ),
        Engine::Postgres => (
            "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations'",
            "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' \
             AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'",
        ),
    };
    let tables: Vec<Name> = diesel::sql_query(tables_sql).load(&mut c).unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let cols_sql = match db.engine {
            Engine::Sqlite => format!("SELECT name FROM pragma_table_info('{}')", t.name),
            Engine::Postgres => format!(
                "SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = 'public' \
                 AND table_name = '{}'",
                t.name
            ),
        };
        let cols: Vec<Name> = diesel::sql_query(cols_sql).load(&mut c).unwrap();
        out.insert(t.name, cols.into_iter().map(|c| c.name).collect());
    }
    let indexes: Vec<Name> = diesel::sql_query(index_sql).load(&mut c).unwrap();
    (out, indexes.into_iter().map(|i| i.name).collect())
}

#[test]
fn the_sqlite_and_postgresql_migrations_build_the_same_tables_columns_and_indexes() {
    if !engines().contains(&Engine::Postgres) {
        eprintln!("migration comparison: skipped (needs VIGIE_TEST_POSTGRES; CI runs it)");
        return;
    }
    let (sqlite, pg) = (TestDb::new(Engine::Sqlite), TestDb::new(Engine::Postgres));
    for db in [&sqlite, &pg] {
        let out = vigie_cmd(db, &["migrate"], &[]);
        assert!(out.status.success(), "{}", text(&out));
    }
    let (st, si) = shape(&sqlite);
    let (pt, pi) = shape(&pg);
    assert!(st.len() > 30, "{} tables", st.len());
    assert_eq!(st.keys().collect::<Vec<_>>(), pt.keys().collect::<Vec<_>>(), "the same tables");
    for (table, cols) in &st {
        assert_eq!(cols, &pt[table], "columns of {table}");
    }
    assert_eq!(si, pi, "the same indexes");
}

#[derive(QueryableByName)]
struct Digest {
    #[diesel(sql_type = diesel::sql_types::Text)]
    row: String,
}

fn reports_digest(db: &TestDb) -> String {
    let mut c = db.conn();
    let rows: Vec<Digest> = diesel::sql_query(
        "SELECT id || '|' || narrative || '|' || occurred_on || '|' || COALESCE(cercle_code, '') || '|' || channel \
         AS row FROM reports ORDER BY id",
    )
    .load(&mut c)
    .unwrap();
    vigie::crypto::sha256_hex(rows.into_iter().map(|r| r.row).collect::<Vec<_>>().join("\n").as_bytes())
}

#[test]
fn seed_synthetic_is_deterministic_for_a_seed_and_differs_between_seeds() {
    each_engine(|engine| {
        let digests: Vec<String> = [7, 7, 8]
            .iter()
            .map(|seed| {
                let db = TestDb::new(engine);
                let out =
                    vigie_cmd(&db, &["seed-synthetic", "--reports", "300", "--seed", &seed.to_string()], &[]);
                assert!(out.status.success(), "{}", text(&out));
                assert_eq!(count(&db, "reports"), 300);
                reports_digest(&db)
            })
            .collect();
        assert_eq!(digests[0], digests[1], "the same seed gives the same reports");
        assert_ne!(digests[0], digests[2], "another seed gives other reports");
    });
}

#[test]
fn a_second_migration_run_keeps_every_report_message_and_audit_entry() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let app = TestApp::with_figment(db, |f| f);
        let body = serde_json::json!({
            "narrative": "Des soldats ont brûlé le grenier de mon oncle à Ténenkou.",
            "occurred_on": "2026-10-03",
            "violations": ["integrity.beating"],
            "force": "police",
            "location": {"lat": 14.45, "lon": -4.92},
            "reporter_relation": "relative",
        });
        let status = app
            .client
            .post("/api/v1/reports")
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch()
            .status();
        assert_eq!(status, Status::Created);
        let TestApp { db, client } = app;
        drop(client);
        let before = (reports_digest(&db), count(&db, "audit_log"), count(&db, "report_violations"));
        let out = vigie_cmd(&db, &["migrate"], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let after = (reports_digest(&db), count(&db, "audit_log"), count(&db, "report_violations"));
        assert_eq!(before, after);
        assert_eq!(count(&db, "reports"), 1);
        let verify = vigie_cmd(&db, &["audit", "verify"], &[]);
        assert!(verify.status.success(), "{}", text(&verify));
    });
}

#[test]
fn concurrent_audit_appends_keep_one_unbroken_chain() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let out = vigie_cmd(&db, &["migrate"], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let url = db.url.clone();
                std::thread::spawn(move || {
                    let mut c =
                        vigie::db::Manager::new(vigie::db::DbUrl::parse(&url).unwrap()).establish().unwrap();
                    for i in 0..20 {
                        loop {
                            let r = c.transaction::<_, diesel::result::Error, _>(|c| {
                                vigie::db::begin_write(c)?;
                                vigie::audit::record(
                                    c,
                                    &vigie::audit::Actor::System("test"),
                                    "test.append",
                                    "thread",
                                    &t.to_string(),
                                    &i.to_string(),
                                )
                            });
                            match r {
                                Ok(()) => break,
                                // SQLite: a busy writer past the timeout; try again.
                                Err(e) if e.to_string().contains("locked") => continue,
                                Err(e) => panic!("{e}"),
                            }
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(count(&db, "audit_log"), 160);
        let mut c = db.conn();
        assert_eq!(vigie::audit::verify(&mut c).unwrap().map_err(|e| format!("{e:?}")), Ok(160));
    });
}

#[test]
fn checkpoints_stored_at_once_by_several_connections_all_succeed() {
    // The soak run on two instances found the audit page answering 500: two views stored their
    // checkpoint at the same moment and the second insert hit the key.
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let out = vigie_cmd(&db, &["migrate"], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
        let threads: Vec<_> = (0..6)
            .map(|t| {
                let (url, barrier) = (db.url.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let mut c =
                        vigie::db::Manager::new(vigie::db::DbUrl::parse(&url).unwrap()).establish().unwrap();
                    for i in 0..30 {
                        if i == 0 {
                            barrier.wait();
                        }
                        let cp = vigie::audit::model::Checkpoint {
                            last_id: t * 100 + i,
                            last_hash: format!("h{t}-{i}"),
                            count: i as usize,
                        };
                        loop {
                            match c.transaction(|c| vigie::audit::model::store_checkpoint(c, &cp)) {
                                Ok(()) => break,
                                // SQLite: a busy writer past the timeout; try again.
                                Err(e) if e.to_string().contains("locked") => continue,
                                Err(e) => panic!("thread {t}, checkpoint {i}: {e}"),
                            }
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let stored = vigie::audit::model::checkpoint(&mut db.conn()).unwrap().unwrap();
        assert_eq!(stored.count, 29, "one of the last ones: {stored:?}");
    });
}

#[test]
fn the_audit_page_verifies_from_its_checkpoint_and_the_cli_walks_everything() {
    use vigie::schema::audit_log;
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "auditor@cndh.ml", "auditor", None);
        assert_eq!(sign_in(&app.client, "auditor@cndh.ml", PW).0, Status::SeeOther);
        let chain = |client: &rocket::local::blocking::Client| {
            let page = client.get("/staff/audit").dispatch().into_string().unwrap();
            between(&page, "id=\"chain\">").unwrap()
        };
        let first = chain(&app.client);
        assert!(first.contains("intacte"), "{first}");
        let mut c = app.db.conn();
        let cp = vigie::audit::model::checkpoint(&mut c).unwrap().expect("a checkpoint after the first view");
        assert!(cp.count >= 1);
        // An entry appended after the checkpoint and then altered: the page sees it.
        sign_in(&app.client, "auditor@cndh.ml", "wrong password here");
        assert_eq!(sign_in(&app.client, "auditor@cndh.ml", PW).0, Status::SeeOther);
        let last: i32 =
            audit_log::table.order(audit_log::id.desc()).select(audit_log::id).first(&mut c).unwrap();
        diesel::update(audit_log::table.find(last))
            .set(audit_log::details.eq("nothing"))
            .execute(&mut c)
            .unwrap();
        let broken = chain(&app.client);
        assert!(broken.contains("rompue") || !broken.contains("intacte"), "{broken}");
        diesel::delete(audit_log::table.filter(audit_log::id.ge(last))).execute(&mut c).unwrap();
        assert!(chain(&app.client).contains("intacte"), "whole again, the checkpoint moves on");
        // An entry before the checkpoint: the page does not walk back there (that is the point:
        // its cost does not grow with the log); `vigie audit verify` walks everything.
        let cp = vigie::audit::model::checkpoint(&mut c).unwrap().unwrap();
        let early: i32 = audit_log::table.order(audit_log::id).select(audit_log::id).first(&mut c).unwrap();
        assert!(early < cp.last_id);
        diesel::update(audit_log::table.find(early))
            .set(audit_log::details.eq("edited"))
            .execute(&mut c)
            .unwrap();
        let out = vigie_cmd(&app.db, &["audit", "verify"], &[]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains(&format!("entry {early}")), "{}", text(&out));
        // Altering the checkpoint's own entry is seen by the page.
        diesel::update(audit_log::table.find(cp.last_id))
            .set(audit_log::details.eq("edited too"))
            .execute(&mut c)
            .unwrap();
        let page = chain(&app.client);
        assert!(!page.contains("intacte"), "{page}");
    });
}

#[test]
fn the_api_answers_its_documented_statuses_to_malformed_bodies_wrong_types_and_methods() {
    let app = TestApp::new(Engine::Sqlite);
    let c = &app.client;
    for path in ["/api/v1/reports", "/api/v1/receipts/status", "/api/v1/receipts/messages", "/api/v1/places"]
    {
        let r = c.post(path).header(ContentType::JSON).body("{not json").dispatch();
        assert_eq!(r.status(), Status::BadRequest, "{path} malformed");
        assert!(r.into_string().unwrap().contains("\"error\""));
        let r = c.post(path).header(ContentType::Plain).body("{}").dispatch();
        assert_eq!(r.status(), Status::UnsupportedMediaType, "{path} as text/plain");
        let r = c.post(path).dispatch();
        assert_eq!(r.status(), Status::UnsupportedMediaType, "{path} without a body or type");
    }
    let r = c.post("/api/v1/receipts/attachments").header(ContentType::JSON).body("{}").dispatch();
    assert_eq!(r.status(), Status::UnsupportedMediaType);
    let r =
        c.post("/api/v1/places").header(ContentType::JSON).body(r#"{"q": "Mopti", "limit": 51}"#).dispatch();
    assert_eq!(r.status(), Status::UnprocessableEntity, "limit past the documented maximum");
    for (method, path, allow) in [
        (rocket::http::Method::Delete, "/api/v1/reports", "POST"),
        (rocket::http::Method::Put, "/api/v1/taxonomy", "GET"),
        (rocket::http::Method::Trace, "/api/v1/receipts/status", "POST"),
    ] {
        let r = c.req(method, path).dispatch();
        assert_eq!(r.status(), Status::MethodNotAllowed, "{method} {path}");
        assert_eq!(r.headers().get_one("Allow"), Some(allow));
    }
    // An undocumented API path is still a plain 404.
    assert_eq!(c.get("/api/v1/nothing-here").dispatch().status(), Status::NotFound);
}

/// Every `.rs` file under `src/<module>` (or `src/<module>.rs`), by top-level module.
fn modules() -> BTreeMap<String, Vec<std::path::PathBuf>> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut mods = BTreeMap::new();
    for e in std::fs::read_dir("src").unwrap().flatten() {
        let p = e.path();
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            let mut files = vec![];
            walk(&p, &mut files);
            mods.insert(name, files);
        } else if name != "lib" && name != "main" && p.extension().is_some_and(|x| x == "rs") {
            mods.insert(name, vec![p]);
        }
    }
    mods
}

/// Issue #9: the top-level modules import each other without a cycle (`crate::x` in module
/// `y`'s code, unit tests left out), so each layer can be read, and changed, on top of the
/// ones below it. docs/ARCHITECTURE.md draws the graph.
#[test]
fn the_modules_import_each_other_without_a_cycle() {
    let mods = modules();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, files) in &mods {
        let targets = edges.entry(m.clone()).or_default();
        for f in files {
            let text = std::fs::read_to_string(f).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            for (i, _) in code.match_indices("crate::") {
                let name: String =
                    code[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if name != *m && name != "schema" && mods.contains_key(&name) {
                    targets.insert(name);
                }
            }
        }
    }
    // Depth-first search for a back edge, naming the cycle it closes.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == m) {
            let mut cycle = path[at..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for t in &edges[m] {
            if let Some(c) = visit(t, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in edges.keys() {
        if let Some(cycle) = visit(m, &edges, &mut vec![], &mut done) {
            panic!("an import cycle: {}", cycle.join(" -> "));
        }
    }
    assert!(edges["triage"].contains("events") && edges["cases"].contains("events"), "the walk sees imports");
}

/// Issue #9: queries live in `model.rs` files (`grant_model.rs` is the role grants' one; the
/// connection plumbing is `db.rs`): no
/// handler or logic file names a table or builds an update, insert, delete or raw query.
#[test]
fn queries_live_only_in_model_files() {
    let mut found = vec![];
    for files in modules().values() {
        for f in files {
            let name = f.file_name().unwrap().to_string_lossy();
            if name.ends_with("model.rs") || name == "schema.rs" || f.ends_with("src/db.rs") {
                continue;
            }
            let text = std::fs::read_to_string(f).unwrap();
            for (n, line) in text.lines().enumerate() {
                let t = line.trim_start();
                if t.starts_with("//") {
                    continue;
                }
                for pat in ["::table", "diesel::update", "diesel::insert_into", "diesel::delete", "sql_query"]
                {
                    if line.contains(pat) {
                        found.push(format!("{}:{}: {}", f.display(), n + 1, t));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "queries outside model.rs:\n{}", found.join("\n"));
}
