//! Issue 14: running Vigie as a service. Backups taken while servers write, restored into an
//! empty database and checked.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use crate::common::*;
use crate::races::{open_cases, report_json, setup_staff, Agent, Cluster};
use vigie::schema::{attachments, audit_log, cases, mail_outbox, reports};

/// Files a report with a photo through the form of an in-process instance; returns its receipt.
fn file_with_evidence(client: &Client, i: usize) -> String {
    let token = csrf(client);
    let narrative = format!("Des militaires ont arrêté mon frère au marché, témoignage {i}.");
    let fields = [
        ("csrf", token.as_str()),
        ("violations", "liberty.arbitrary_arrest"),
        ("narrative", narrative.as_str()),
        ("occurred_on", "2026-01-15"),
        ("date_precision", "exact"),
        ("lat", "12.6392"),
        ("lon", "-8.0029"),
        ("location_method", "gps"),
        ("force", "gendarmerie"),
        ("reporter_relation", "relative"),
        ("action", "submit"),
    ];
    let (ct, body) = multipart(&fields, &[("evidence", "photo.png", PNG)]);
    let r = client.post("/reports").header(ct).body(body).dispatch();
    assert_eq!(r.status(), Status::Created);
    let html = r.into_string().unwrap();
    between(&html, "id=\"receipt\">").expect("a receipt")
}

type Evidence = (i32, Option<i32>, String, Vec<u8>, Option<Vec<u8>>);

fn evidence(db: &TestDb) -> Vec<Evidence> {
    use vigie::schema::attachment_pieces;
    let mut c = db.conn();
    type Row = (i32, Option<i32>, String, Option<Vec<u8>>);
    let rows: Vec<Row> = attachments::table
        .order(attachments::id)
        .select((attachments::id, attachments::report_id, attachments::sha256, attachments::safe_data))
        .load(&mut c)
        .unwrap();
    rows.into_iter()
        .map(|(id, report, sha, safe)| {
            let data = attachment_pieces::table
                .filter(attachment_pieces::attachment_id.eq(id))
                .order(attachment_pieces::seq)
                .select(attachment_pieces::data)
                .load::<Vec<u8>>(&mut c)
                .unwrap()
                .concat();
            (id, report, sha, data, safe)
        })
        .collect()
}

fn chain(db: &TestDb) -> Vec<(i32, String)> {
    let mut c = db.conn();
    audit_log::table.order(audit_log::id).select((audit_log::id, audit_log::hash)).load(&mut c).unwrap()
}

fn n_reports(db: &TestDb) -> i64 {
    let mut c = db.conn();
    reports::table.count().get_result(&mut c).unwrap()
}

#[test]
fn a_backup_taken_while_two_servers_write_restores_into_an_empty_database_with_its_chain_and_evidence() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        open_cases(&cl, 2);
        // Evidence through the form of a third instance, in this process.
        let client = Client::tracked(vigie::build(figment(&cl.db)).expect("build")).expect("client");
        let receipts: Vec<String> = (0..3).map(|i| file_with_evidence(&client, i)).collect();
        drop(client);
        let before = evidence(&cl.db);
        assert_eq!(before.len(), 3, "one photo per report");
        let reports_before = n_reports(&cl.db);

        // Writers keep filing reports through both servers while the backup runs.
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = cl
            .ports
            .iter()
            .map(|&port| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut a = Agent::new(port);
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let r = a.post_json("/api/v1/reports", &report_json(1000 + n));
                        assert_eq!(r.status, 201, "{}", r.body);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let file = cl.db.dir.path().join("backups").join("vigie-backup");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let out = vigie_cmd(&cl.db, &["backup", file.to_str().unwrap()], &[]);
        std::thread::sleep(std::time::Duration::from_millis(300));
        stop.store(true, Ordering::Relaxed);
        let filed: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
        assert!(out.status.success(), "backup: {}", text(&out));
        assert!(filed > 2, "the servers kept filing during the backup ({filed})");
        let reports_after = n_reports(&cl.db);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "the backup is its owner's only");
        }
        // A second backup under the same name is refused, the first kept.
        let again = vigie_cmd(&cl.db, &["backup", file.to_str().unwrap()], &[]);
        assert_eq!(again.status.code(), Some(1), "{}", text(&again));
        assert!(text(&again).contains("already exists"), "{}", text(&again));

        // Restore into a fresh, empty database.
        let restored = TestDb::new(engine);
        let out = vigie_cmd(&restored, &["restore", file.to_str().unwrap()], &[]);
        assert!(out.status.success(), "restore: {}", text(&out));
        assert!(text(&out).contains("every SHA-256 matches"), "{}", text(&out));
        let verify = vigie_cmd(&restored, &["audit", "verify"], &[]);
        assert!(verify.status.success(), "audit verify after restore: {}", text(&verify));
        assert!(text(&verify).contains("audit log intact"), "{}", text(&verify));

        // Every evidence file came back byte for byte, and its SHA-256 is the one recorded.
        let after = evidence(&restored);
        assert_eq!(after, before, "the evidence, byte for byte");
        for (id, _, sha, data, _) in &after {
            assert_eq!(&vigie::crypto::sha256_hex(data), sha, "evidence {id}");
        }
        // One moment of the database: every report of before, maybe some filed during, and an
        // audit chain that is the beginning of the live one.
        let n = n_reports(&restored);
        assert!((reports_before..=reports_after).contains(&n), "{reports_before} <= {n} <= {reports_after}");
        let live = chain(&cl.db);
        let copy = chain(&restored);
        assert!(!copy.is_empty() && copy.len() <= live.len());
        assert_eq!(copy[..], live[..copy.len()], "the copy's audit chain is a prefix of the live one");
        let mut c = restored.conn();
        let n_cases: i64 = cases::table.count().get_result(&mut c).unwrap();
        assert_eq!(n_cases, 2);

        // Restoring over a database that holds data is refused and changes nothing.
        let over = vigie_cmd(&restored, &["restore", file.to_str().unwrap()], &[]);
        assert_eq!(over.status.code(), Some(1), "{}", text(&over));
        assert!(text(&over).contains("not empty"), "{}", text(&over));
        assert_eq!(n_reports(&restored), n);

        // The restored database serves: a reporter's receipt still opens their report (the
        // receipt salt came with it) and its photo is there.
        let client = Client::tracked(vigie::build(figment(&restored)).expect("build")).expect("client");
        for receipt in &receipts {
            let r = client
                .post("/api/v1/receipts/status")
                .header(ContentType::JSON)
                .body(json!({"receipt": receipt}).to_string())
                .dispatch();
            assert_eq!(r.status(), Status::Ok, "receipt {receipt} after restore");
            let v: Value = r.into_json().unwrap();
            assert!(v.is_object(), "{v}");
        }
    });
}

/// The `To:` address of a message as the SMTP server received it.
fn recipient(message: &str) -> String {
    message
        .lines()
        .find_map(|l| l.strip_prefix("To: "))
        .map(|t| t.trim().trim_start_matches('<').trim_end_matches('>').to_string())
        .unwrap_or_default()
}

/// Several instances over one PostgreSQL database (issue 14): reports filed through both at
/// once are each kept once; receipt guessing is refused after the configured number of tries
/// summed over both instances (the counters are in the database); every mail, password resets
/// asked through both and the deadline digests of instances started together, reaches a real
/// SMTP listener exactly once; the audit chain verifies.
#[test]
fn two_instances_on_one_postgresql_share_the_limits_deliver_each_mail_once_and_keep_one_chain() {
    if !engines().contains(&Engine::Postgres) {
        eprintln!("two instances on PostgreSQL: skipped (set VIGIE_TEST_POSTGRES)");
        return;
    }
    const TRIES: usize = 6;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let smtp_port = listener.local_addr().unwrap().port();
    let smtp = crate::mail::SmtpServer::start(listener);
    let mail: &'static str = Box::leak(
        format!(
            "{{transport=\"smtp\",smtp_host=\"127.0.0.1\",smtp_port={smtp_port},smtp_tls=\"none\",\
             from=\"Vigie <vigie@cndh.ml>\",poll_seconds=1}}"
        )
        .into_boxed_str(),
    );
    let extra: [(&'static str, &'static str); 3] =
        [("ROCKET_MAIL", mail), ("ROCKET_RECEIPT_TRIES_PER_HOUR", "6"), ("ROCKET_FORGOT_PER_CLIENT", "1000")];
    let cl = Cluster::start_with(Engine::Postgres, &extra);
    setup_staff(&cl.db);
    let staff: Vec<String> = (0..8).map(|i| format!("staff{i}@cndh.ml")).collect();
    for email in &staff {
        crate::accounts::add_user(&cl.db, email, "investigator", Some("cndh"));
    }
    open_cases(&cl, 2);
    let filed_before = n_reports(&cl.db);

    // Reports through both instances at once: each acknowledged one is kept once.
    let per_server = 15;
    let filers: Vec<_> = cl
        .ports
        .iter()
        .enumerate()
        .map(|(s, &port)| {
            std::thread::spawn(move || {
                let mut a = Agent::new(port);
                (0..per_server)
                    .map(|i| {
                        let r = a.post_json("/api/v1/reports", &report_json(100 * (s + 1) + i));
                        assert_eq!(r.status, 201, "{}", r.body);
                        100 * (s + 1) + i
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let acknowledged: Vec<usize> = filers.into_iter().flat_map(|f| f.join().unwrap()).collect();
    assert_eq!(n_reports(&cl.db), filed_before + acknowledged.len() as i64);
    let mut c = cl.db.conn();
    for i in &acknowledged {
        let kept: i64 = reports::table
            .filter(reports::narrative.like(format!("%numéro {i} à Kayes%")))
            .count()
            .get_result(&mut c)
            .unwrap();
        assert_eq!(kept, 1, "report {i} kept once");
    }

    // Receipt guessing, spread over both instances and sent at once: the configured number of
    // tries in all, then refused everywhere.
    let guesses: Vec<(u16, Vec<u8>)> = (0..2 * TRIES)
        .map(|i| {
            let port = cl.ports[i % 2];
            let body = json!({"receipt": format!("{:04} 0000 0000 0000", 1000 + i)}).to_string();
            let req = format!(
                "POST /api/v1/receipts/status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            (port, req.into_bytes())
        })
        .collect();
    let answers = crate::races::race(guesses);
    let refused = answers.iter().filter(|r| r.status == 429).count();
    assert!(
        answers.iter().all(|r| r.status == 404 || r.status == 429),
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(refused, TRIES, "{TRIES} tries over both instances, the rest refused");
    for port in cl.ports {
        let r = Agent::new(port)
            .post_json("/api/v1/receipts/status", &json!({"receipt": "1111 2222 3333 4444"}).to_string());
        assert_eq!(r.status, 429, "instance {port} refuses once the shared budget is spent");
    }

    // Password resets asked through both instances at once: one mail each.
    let asks: Vec<_> = staff
        .iter()
        .enumerate()
        .map(|(i, email)| {
            let port = cl.ports[i % 2];
            let email = email.clone();
            std::thread::spawn(move || {
                let mut a = Agent::new(port);
                a.get("/staff/password/forgot");
                let r = a.post("/staff/password/forgot", &format!("email={}", crate::accounts::enc(&email)));
                assert!(r.status < 400, "{}", r.body);
            })
        })
        .collect();
    for a in asks {
        a.join().unwrap();
    }

    // The cases' deadlines are overdue: two more instances start together, and each
    // runs the reminder pass at start; with the two already running, four instances.
    let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    diesel::update(cases::table).set(cases::acknowledge_by.eq(Some(yesterday))).execute(&mut c).unwrap();
    let mut env: Vec<(&str, &str)> = vec![
        ("ROCKET_TOTP_REQUIRED_ROLES", "[]"),
        ("ROCKET_SECRET_KEY", crate::races::SECRET),
        ("ROCKET_DB_POOL_SIZE", "4"),
    ];
    env.extend_from_slice(&extra);
    let more: Vec<_> = (0..2)
        .map(|_| {
            let env = env.clone();
            let db_url = cl.db.url.clone();
            let data = cl.db.data_dir();
            std::thread::spawn(move || {
                let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"));
                let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
                cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
                    .env("DATABASE_URL", db_url)
                    .env("ROCKET_DATA_DIR", data)
                    .env("ROCKET_PORT", port.to_string())
                    .env("ROCKET_ADDRESS", "127.0.0.1")
                    .envs(env)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null());
                let child = cmd.spawn().unwrap();
                let deadline = Instant::now() + Duration::from_secs(60);
                while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                    assert!(Instant::now() < deadline, "an instance did not start");
                    std::thread::sleep(Duration::from_millis(100));
                }
                child
            })
        })
        .collect();
    let mut more: Vec<_> = more.into_iter().map(|h| h.join().unwrap()).collect();

    // Every queued mail delivered, each exactly once. Every CNDH case worker gets a digest.
    let workers = 2 + staff.len();
    let deadline = Instant::now() + Duration::from_secs(60);
    let queued = loop {
        let rows: Vec<(String, String, Option<chrono::NaiveDateTime>)> = mail_outbox::table
            .select((mail_outbox::to_addr, mail_outbox::kind, mail_outbox::sent_at))
            .load(&mut c)
            .unwrap();
        let digests = rows.iter().filter(|r| r.1 == "digest").count();
        if digests >= workers && rows.iter().all(|r| r.2.is_some()) {
            break rows;
        }
        assert!(Instant::now() < deadline, "mail still unsent: {rows:?}");
        std::thread::sleep(Duration::from_millis(200));
    };
    // Give a duplicate delivery, if any, the time to arrive.
    std::thread::sleep(Duration::from_secs(3));
    for child in more.iter_mut() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let mut digests: Vec<&String> = queued.iter().filter(|r| r.1 == "digest").map(|r| &r.0).collect();
    digests.sort();
    digests.dedup();
    assert_eq!(
        (digests.len(), queued.iter().filter(|r| r.1 == "digest").count()),
        (workers, workers),
        "one digest per case worker, whatever the instances: {digests:?}"
    );
    let resets = queued.iter().filter(|r| r.1 != "digest").count();
    assert!(resets >= staff.len(), "one reset mail per person asking ({resets})");
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for (to, _, _) in &queued {
        *expected.entry(to.clone()).or_default() += 1;
    }
    let mut got: BTreeMap<String, usize> = BTreeMap::new();
    for m in smtp.received.lock().unwrap().iter() {
        *got.entry(recipient(m)).or_default() += 1;
    }
    assert_eq!(got, expected, "each queued mail reached the SMTP server exactly once");

    // The audit chain, written by four instances, is one unbroken chain.
    assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    let out = vigie_cmd(&cl.db, &["audit", "verify"], &[]);
    assert!(out.status.success(), "{}", text(&out));
}

/// Graceful stop (issue 14): a report whose body is still arriving when the server gets SIGTERM
/// is answered 201 and kept; the server then exits by itself, successfully, within the grace.
#[test]
fn sigterm_lets_a_report_in_flight_finish_then_the_server_exits() {
    use std::io::{Read, Write};
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let (mut server, base) = crate::browser::start_server(&db, &[]);
        let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
        let body = report_json(1);
        let (first, rest) = body.as_bytes().split_at(body.len() / 2);
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        s.write_all(first).unwrap();
        s.flush().unwrap();
        std::thread::sleep(Duration::from_millis(500));
        let stopped_at = Instant::now();
        // SAFETY: a signal to the child process this test started.
        assert_eq!(unsafe { libc::kill(server.pid() as i32, libc::SIGTERM) }, 0);
        std::thread::sleep(Duration::from_millis(1500));
        assert!(server.wait_exit(Duration::ZERO).is_none(), "the server waits for the request in flight");
        s.write_all(rest).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        drop(s);
        assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
        assert!(answer.contains("\"receipt\""), "{answer}");
        let status = server.wait_exit(Duration::from_secs(25)).expect("the server exits after the grace");
        eprintln!("exited {:?} after SIGTERM", stopped_at.elapsed());
        assert!(status.success(), "a clean exit: {status}");
        assert!(stopped_at.elapsed() < Duration::from_secs(21), "within grace + mercy");
        assert_eq!(n_reports(&db), 1, "the report answered 201 is kept");
    });
}

/// Runs SQL on the PostgreSQL server as the test administrator.
fn pg_admin(sql: &str) {
    let admin = std::env::var("VIGIE_TEST_POSTGRES").unwrap();
    let mut c = diesel::PgConnection::establish(&admin).unwrap();
    diesel::sql_query(sql).execute(&mut c).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Ends every connection to the test database but the administrator's own.
fn drop_connections(name: &str) {
    pg_admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ));
}

/// Waits until `/healthz` says `want`; returns how long it took.
fn wait_health(port: u16, want: &str, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let r = Agent::new(port).get("/healthz");
        if r.body.trim().starts_with(want) {
            return start.elapsed();
        }
        assert!(start.elapsed() < within, "healthz still says `{}` ({}), not `{want}`", r.body, r.status);
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn form_fields(i: usize) -> String {
    format!(
        "violations=liberty.arbitrary_arrest&narrative=Arrestation+pendant+la+panne+{i}+au+march%C3%A9+de+Kayes\
         &occurred_on=2026-01-15&date_precision=exact&lat=14.4469&lon=-11.4445&location_method=gps\
         &force=police&reporter_relation=witness&action=submit"
    )
}

/// Faults on PostgreSQL (issue 14). The outage is simulated on the test's own database, since
/// other people's tests share the server: new connections refused (`ALLOW_CONNECTIONS false`)
/// and the open ones ended (`pg_terminate_backend`), which is what Vigie sees of a stopped
/// server; then a fail-over to a read-only database (`default_transaction_read_only`). During
/// each, `/healthz` names the fault, a report gets a 503 (the page in the visitor's language,
/// JSON for the API) and no 2xx is given without its row; Vigie serves again by itself once
/// the database is back, without a restart.
#[test]
fn a_database_outage_and_a_read_only_database_answer_503_write_nothing_and_vigie_comes_back_by_itself() {
    if !engines().contains(&Engine::Postgres) {
        eprintln!("database outage: skipped (set VIGIE_TEST_POSTGRES)");
        return;
    }
    let db = TestDb::new(Engine::Postgres);
    let name = db.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_string();
    let (_server, base) = crate::browser::start_server(
        &db,
        &[("ROCKET_SECRET_KEY", crate::races::SECRET), ("ROCKET_DB_POOL_SIZE", "3")],
    );
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    wait_health(port, "ok", Duration::from_secs(10));
    let mut public = Agent::new(port);
    let mut english = Agent::new(port);
    assert_eq!(public.get("/reports/new").status, 200);
    assert_eq!(english.get("/reports/new?lang=en").status, 200);
    let mut acknowledged = 0;
    let mut tries = 0;

    // The outage.
    pg_admin(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"));
    drop_connections(&name);
    let noticed = wait_health(port, "database unreachable", Duration::from_secs(40));
    eprintln!("healthz said `database unreachable` {noticed:?} into the outage");
    // Quickly: once opening a connection has failed, a request waits about a second for one
    // (db::FAILING_WAIT), not the pool's 15 s.
    let quick = |start: Instant, what: &str| {
        let took = start.elapsed();
        eprintln!("{what}: 503 after {took:?}");
        assert!(took < Duration::from_secs(4), "{what} waited {took:?} for its 503");
    };
    let start = Instant::now();
    let r = public.post("/reports", &form_fields(1));
    quick(start, "the form");
    tries += 1;
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(
        r.body.contains("Rien n'a été enregistré") || r.body.contains("Rien n&#x27;a été enregistré"),
        "{}",
        r.body
    );
    let start = Instant::now();
    let r = english.post("/reports", &form_fields(2));
    quick(start, "the English form");
    tries += 1;
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("Nothing was saved"), "the page in the visitor's language: {}", r.body);
    let start = Instant::now();
    let r = public.post_json("/api/v1/reports", &report_json(3));
    quick(start, "the API");
    tries += 1;
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("\"error\""), "{}", r.body);

    // The database returns: Vigie serves again by itself.
    pg_admin(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    let back = wait_health(port, "ok", Duration::from_secs(30));
    eprintln!("serving again {back:?} after the database returned");
    let r = public.post_json("/api/v1/reports", &report_json(4));
    assert_eq!(r.status, 201, "{}", r.body);
    acknowledged += 1;

    // A fail-over to a read-only database.
    pg_admin(&format!("ALTER DATABASE {name} SET default_transaction_read_only = on"));
    drop_connections(&name);
    wait_health(port, "database read-only", Duration::from_secs(30));
    assert_eq!(public.get("/reports/new").status, 200, "reading still works");
    let r = public.post("/reports", &form_fields(5));
    tries += 1;
    assert_eq!(r.status, 503, "{}", r.body);
    let r = public.post_json("/api/v1/reports", &report_json(6));
    tries += 1;
    assert_eq!(r.status, 503, "{}", r.body);
    pg_admin(&format!("ALTER DATABASE {name} RESET default_transaction_read_only"));
    drop_connections(&name);
    wait_health(port, "ok", Duration::from_secs(30));
    let r = public.post_json("/api/v1/reports", &report_json(7));
    assert_eq!(r.status, 201, "{}", r.body);
    acknowledged += 1;

    // No 2xx without its row, no row without its 2xx.
    assert_eq!(n_reports(&db), acknowledged, "{tries} refused, {acknowledged} acknowledged");
    let mut c = db.conn();
    assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
}

/// Sends one request; the answer's status, or `None` when the connection fails or is cut
/// before a whole answer (the server was killed).
fn status_of_request(port: u16, req: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.write_all(req.as_bytes()).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    // A whole answer: a body as long as it says (the API's answers carry a Content-Length).
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))?
        .parse()
        .ok()?;
    if body.len() < length {
        return None;
    }
    head.split(' ').nth(1)?.parse().ok()
}

/// Crash (issue 14): `kill -9` while reports are filed through both doors at full speed; every
/// report acknowledged with a receipt before the kill is in the database afterwards (SQLite:
/// WAL with `synchronous=FULL`; PostgreSQL: the commit before the answer), and the audit chain
/// still verifies.
#[test]
fn kill_9_mid_load_loses_no_acknowledged_report() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let (mut server, base) = crate::browser::start_server(&db, &[("ROCKET_REPORTS_PER_HOUR", "100000")]);
        let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let filers: Vec<_> = (0..4)
            .map(|t| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut acknowledged = vec![];
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let n = 10_000 * (t + 1) + i;
                        i += 1;
                        let body = report_json(n);
                        let req = format!(
                            "POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
                             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        // After the kill a request fails to connect or is cut: not acknowledged.
                        match status_of_request(port, &req) {
                            Some(201) => acknowledged.push(n),
                            Some(status) => assert!(status >= 500, "answered {status}"),
                            None => break,
                        }
                    }
                    acknowledged
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(2500));
        // SAFETY: a signal to the child process this test started.
        assert_eq!(unsafe { libc::kill(server.pid() as i32, libc::SIGKILL) }, 0);
        server.wait_exit(Duration::from_secs(10)).expect("killed");
        stop.store(true, Ordering::Relaxed);
        let acknowledged: Vec<usize> = filers.into_iter().flat_map(|f| f.join().unwrap()).collect();
        assert!(acknowledged.len() >= 5, "load before the kill ({} reports)", acknowledged.len());
        let mut c = db.conn();
        let narratives: Vec<String> = reports::table.select(reports::narrative).load(&mut c).unwrap();
        let kept: std::collections::HashSet<&str> = narratives.iter().map(String::as_str).collect();
        for n in &acknowledged {
            let text = format!("Arrestation sans motif numéro {n} à Kayes, détenu depuis.");
            assert!(kept.contains(text.as_str()), "report {n} was acknowledged and is lost");
        }
        eprintln!("{} acknowledged before kill -9, {} rows after", acknowledged.len(), narratives.len());
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
        let out = vigie_cmd(&db, &["audit", "verify"], &[]);
        assert!(out.status.success(), "{}", text(&out));
    });
}

/// `trusted_proxies` (issue 14): behind a trusted reverse proxy each client counts on its own
/// (the address from `X-Forwarded-For`); from any other peer the header is ignored, so a client
/// cannot buy itself a fresh budget by writing a made-up address there.
#[test]
fn behind_a_trusted_proxy_each_client_has_its_own_limit_and_the_header_is_ignored_from_anyone_else() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("reports_per_hour", 2)).merge(("trusted_proxies", vec!["10.0.0.0/8"]))
        });
        let file = |peer: &str, forwarded: Option<&str>, i: usize| {
            let mut r = app
                .client
                .post("/api/v1/reports")
                .header(ContentType::JSON)
                .remote(peer.parse().unwrap())
                .body(report_json(i));
            if let Some(f) = forwarded {
                r = r.header(rocket::http::Header::new("X-Forwarded-For", f.to_string()));
            }
            r.dispatch().status()
        };
        // Through the proxy: two clients, two budgets.
        let proxy = "10.0.0.2:40000";
        for i in 0..2 {
            assert_eq!(file(proxy, Some("203.0.113.5"), i), Status::Created);
        }
        assert_eq!(file(proxy, Some("203.0.113.5"), 2), Status::TooManyRequests);
        assert_eq!(file(proxy, Some("203.0.113.6"), 3), Status::Created, "another client behind the proxy");
        // A proxy that adds its own header line after the client's (HAProxy's `forwardfor`):
        // the lines are read as one list, from the right, so a made-up first line buys nothing
        // (found in review, session 19: only the first line was read).
        let two_lines = |forged: &str, i: usize| {
            app.client
                .post("/api/v1/reports")
                .header(ContentType::JSON)
                .remote(proxy.parse().unwrap())
                .header(rocket::http::Header::new("X-Forwarded-For", forged.to_string()))
                .header(rocket::http::Header::new("X-Forwarded-For", "203.0.113.6"))
                .body(report_json(i))
                .dispatch()
                .status()
        };
        assert_eq!(two_lines("192.0.2.77", 4), Status::Created, "203.0.113.6's second");
        assert_eq!(two_lines("192.0.2.78", 5), Status::TooManyRequests, "and its limit");
        // A client beside the proxy: the header it writes changes nothing.
        let direct = "198.51.100.7:50000";
        for i in 0..2 {
            assert_eq!(file(direct, Some(&format!("192.0.2.{i}")), 10 + i), Status::Created);
        }
        assert_eq!(
            file(direct, Some("192.0.2.99"), 12),
            Status::TooManyRequests,
            "a made-up address buys nothing"
        );
        assert_eq!(n_reports(&app.db), 6);
    });
}

/// One sample line of a Prometheus text answer: name, (label, value) pairs, value.
type Sample = (String, Vec<(String, String)>, f64);

/// Every sample line of a Prometheus text answer.
fn samples(text: &str) -> Vec<Sample> {
    let mut out = vec![];
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let (head, value) = line.rsplit_once(' ').expect("a sample line");
        let (name, labels) = match head.split_once('{') {
            Some((n, rest)) => (n, rest.strip_suffix('}').expect("labels closed")),
            None => (head, ""),
        };
        let mut pairs = vec![];
        let mut rest = labels;
        while let Some((key, after)) = rest.split_once("=\"") {
            let end = after.find('"').expect("a quoted value");
            pairs.push((key.trim_start_matches(',').to_string(), after[..end].to_string()));
            rest = &after[end + 1..];
        }
        out.push((name.to_string(), pairs, value.parse().expect("a number")));
    }
    out
}

fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    samples(text)
        .into_iter()
        .find(|(n, l, _)| {
            n == name && labels.iter().all(|(k, v)| l.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|s| s.2)
        .unwrap_or_else(|| panic!("no {name}{labels:?} in\n{text}"))
}

/// `/metrics` (issue 14): the latency is counted by route template, what the public moves (a
/// report filed, receipts looked up) waits for the day to turn, and only listed clients are
/// answered (behind a
/// trusted proxy, the client is the forwarded address, so the proxy's loopback opens nothing).
/// No label value is a receipt, an id, an address or a concrete path.
#[test]
fn metrics_count_reports_and_receipts_by_route_template_and_answer_only_listed_clients() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("trusted_proxies", vec!["127.0.0.1"])).merge(("receipt_tries_per_hour", 2))
        });
        // The day pinned at noon: a run across midnight (UTC) would publish the day's figures.
        let noon = chrono::Utc::now().date_naive().and_hms_opt(12, 0, 0).unwrap().and_utc();
        let clock = app.client.rocket().state::<vigie::clock::Clock>().unwrap();
        clock.pin(Some(noon));
        let local: std::net::SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let scrape = || {
            let r = app.client.get("/metrics").remote(local).dispatch();
            assert_eq!(r.status(), Status::Ok);
            assert_eq!(r.content_type().map(|c| c.to_string()).as_deref(), Some("text/plain; version=0.0.4"));
            r.into_string().unwrap()
        };
        let before = scrape();
        assert_eq!(sample(&before, "vigie_reports_received_total", &[("channel", "api")]), 0.0);
        assert_eq!(sample(&before, "vigie_database_up", &[]), 1.0);

        let client: std::net::SocketAddr = "192.0.2.44:50000".parse().unwrap();
        let r = app
            .client
            .post("/api/v1/reports")
            .header(ContentType::JSON)
            .remote(client)
            .body(report_json(1))
            .dispatch();
        assert_eq!(r.status(), Status::Created);
        let receipt = r.into_json::<Value>().unwrap()["receipt"].as_str().unwrap().to_string();
        let look = |receipt: &str| {
            app.client
                .post("/api/v1/receipts/status")
                .header(ContentType::JSON)
                .remote(client)
                .body(json!({ "receipt": receipt }).to_string())
                .dispatch()
                .status()
        };
        assert_eq!(look(&receipt), Status::Ok);
        assert_eq!(look("1111 2222 3333 4444"), Status::NotFound);
        assert_eq!(look("1111 2222 3333 4445"), Status::NotFound);
        assert_eq!(look(&receipt), Status::TooManyRequests, "two wrong tries spent the hour's budget");
        // A staff page by a concrete id, and a path no route takes.
        let id: i32 = reports::table.select(reports::id).first(&mut app.db.conn()).unwrap();
        app.client.get(format!("/staff/reports/{id}?q=Kayes")).remote(client).dispatch();
        assert_eq!(app.client.get("/nothing/98765").remote(client).dispatch().status(), Status::NotFound);

        let after = scrape();
        // Privacy: what the public moved is published when the day turns (unit test:
        // `metrics::tests::the_public_figures_are_published_when_the_day_turns_…`), so the same
        // day's scrape still shows none of it: a scrape cannot date a report or a look-up.
        for channel in ["api", "web"] {
            assert_eq!(sample(&after, "vigie_reports_received_total", &[("channel", channel)]), 0.0);
        }
        for result in ["opened", "unknown", "refused"] {
            assert_eq!(sample(&after, "vigie_receipt_lookups_total", &[("result", result)]), 0.0);
        }
        assert_eq!(sample(&after, "vigie_argon2_wait_seconds_count", &[("queue", "reporters")]), 0.0);
        assert!(!after.contains("vigie_argon2_waiting{queue=\"reporters\"}"), "no live gauge of receipts");
        assert_eq!(sample(&after, "vigie_argon2_wait_seconds_count", &[("queue", "receipts")]), 0.0);
        assert!(!after.contains("vigie_argon2_waiting{queue=\"receipts\"}"), "nor of look-ups");
        assert_eq!(sample(&after, "vigie_argon2_waiting", &[("queue", "staff")]), 0.0);
        assert!(sample(&after, "vigie_db_pool_connections", &[("state", "max")]) >= 1.0);
        assert_eq!(sample(&after, "vigie_mail_outbox", &[("state", "queued")]), 0.0);
        let route = |method: &str, r: &str| {
            sample(&after, "vigie_http_request_duration_seconds_count", &[("method", method), ("route", r)])
        };
        // The staff page is counted at once; the public routes not before the day turns.
        assert_eq!(route("GET", "/staff/reports/<id>"), 1.0);
        for public in
            ["route=\"/api/v1/reports\"", "route=\"/api/v1/receipts/status\"", "route=\"unmatched\""]
        {
            assert!(!after.contains(public), "{public} in\n{after}");
        }
        assert_eq!(
            sample(&after, "vigie_http_responses_total", &[("class", "4xx")]),
            0.0,
            "public 404 and 429"
        );

        // No label value carries a receipt, an id, an address or a concrete path.
        let digits = receipt.replace(' ', "");
        for (name, labels, _) in samples(&after) {
            for (key, value) in labels {
                let what = format!("{name} {key}=\"{value}\"");
                assert!(!value.contains(&digits) && !value.contains(&receipt), "a receipt: {what}");
                assert!(value.parse::<std::net::IpAddr>().is_err(), "an address: {what}");
                assert!(!value.contains("192.0.2") && !value.contains("127.0.0"), "an address: {what}");
                assert!(!value.contains("Kayes") && !value.contains('?'), "a query: {what}");
                if key != "le" {
                    let runs = value.split(|c: char| !c.is_ascii_digit());
                    assert!(runs.clone().all(|run| run.len() < 2), "a number: {what}");
                    let segments = value.split('/').filter(|s| !s.is_empty());
                    assert!(
                        !segments.clone().any(|s| s.chars().all(|c| c.is_ascii_digit())),
                        "an id: {what}"
                    );
                }
            }
        }
        assert!(!after.contains(&format!("/staff/reports/{id}")));

        // The next day, the day's public figures are published, as they stood when it turned.
        clock.pin(Some(noon + chrono::Duration::days(1)));
        let next = scrape();
        assert_eq!(sample(&next, "vigie_reports_received_total", &[("channel", "api")]), 1.0);
        assert_eq!(sample(&next, "vigie_receipt_lookups_total", &[("result", "opened")]), 1.0);
        assert_eq!(sample(&next, "vigie_receipt_lookups_total", &[("result", "unknown")]), 2.0);
        assert!(next.contains("route=\"/api/v1/reports\""), "{next}");

        // Anyone else: the ordinary 404, as if there were no such page.
        for (peer, forwarded) in [
            ("192.0.2.44:50000", None),
            ("127.0.0.1:40000", Some("203.0.113.9")),
            ("[::ffff:198.51.100.1]:1", None),
        ] {
            let mut r = app.client.get("/metrics").remote(peer.parse().unwrap());
            if let Some(f) = forwarded {
                r = r.header(rocket::http::Header::new("X-Forwarded-For", f));
            }
            let r = r.dispatch();
            assert_eq!(r.status(), Status::NotFound, "{peer} {forwarded:?}");
            assert!(!r.into_string().unwrap_or_default().contains("vigie_"));
        }
        assert_eq!(app.client.get("/metrics").dispatch().status(), Status::NotFound, "no address at all");
    });
}

/// `metrics_allowed` names who may read `/metrics`; `vigie check-config` refuses a bad entry.
#[test]
fn metrics_allowed_opens_metrics_to_a_listed_network_and_check_config_names_a_bad_entry() {
    let app = TestApp::with_figment(TestDb::new(Engine::Sqlite), |f| {
        f.merge(("metrics_allowed", vec!["10.1.0.0/16"]))
    });
    let get = |peer: &str| app.client.get("/metrics").remote(peer.parse().unwrap()).dispatch().status();
    assert_eq!(get("10.1.2.3:9000"), Status::Ok);
    assert_eq!(get("127.0.0.1:9000"), Status::NotFound, "the list replaces the default");
    let out = vigie_cmd(
        &app.db,
        &["check-config"],
        &[("ROCKET_METRICS_ALLOWED", "[\"10.0.0.0/8\", \"monitor.local\"]")],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("metrics_allowed") && text(&out).contains("monitor.local"), "{}", text(&out));
}

/// Sends `GET path` with an `X-Forwarded-For`; the answer's status.
fn get_forwarded(port: u16, path: &str, forwarded: &str) -> u16 {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Forwarded-For: {forwarded}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// Structured logs (issue 14): with `log_format = "json"` every line the server writes is one
/// JSON object; a staff request is logged with its route, a failing public request only as its
/// error, held and counted until the server stops (or the hour ends), and neither the query
/// string nor the client's address (here forwarded by a trusted proxy) appears anywhere.
#[test]
fn json_logs_name_the_route_and_the_error_but_never_the_query_or_the_address() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let port = crate::races::free_port();
        let (out_path, err_path) = (db.data_dir().join("stdout.log"), db.data_dir().join("stderr.log"));
        std::fs::create_dir_all(db.data_dir()).unwrap();
        // A table the statistics read is gone before the server starts: nothing is kept for
        // the public page to fall back on, so it fails on our side. (Once tables are kept, a
        // failed refresh is logged and the kept tables are answered.)
        vigie::db::migrate(&mut db.conn()).unwrap();
        diesel::sql_query("ALTER TABLE stats_changes RENAME TO stats_changes_gone")
            .execute(&mut db.conn())
            .unwrap();
        let server = crate::browser::Server::spawn(
            std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env("DATABASE_URL", &db.url)
                .env("ROCKET_DATA_DIR", db.data_dir())
                .env("ROCKET_PORT", port.to_string())
                .env("ROCKET_ADDRESS", "127.0.0.1")
                .env("ROCKET_MAIL", "{transport=\"disabled\"}")
                .env("ROCKET_SECRET_KEY", crate::races::SECRET)
                .env("ROCKET_LOG_FORMAT", "json")
                .env("ROCKET_TRUSTED_PROXIES", "[\"127.0.0.1\"]")
                .stdout(std::fs::File::create(&out_path).unwrap())
                .stderr(std::fs::File::create(&err_path).unwrap()),
        );
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(60), "vigie did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let client = "203.0.113.77";
        assert_eq!(get_forwarded(port, "/staff/cases?scope=Tombouctou-secret", client), 303);
        let failed = get_forwarded(port, "/stats?period=2026-Q1&q=Tombouctou-secret", client);
        assert_eq!(failed, 500);
        let failed = get_forwarded(port, "/stats?period=2026-Q2", client);
        assert_eq!(failed, 500);
        // Privacy: nothing of the public requests is written while the server runs (the
        // journal's stamp would date the visits).
        std::thread::sleep(Duration::from_millis(300));
        let early =
            std::fs::read_to_string(&err_path).unwrap() + &std::fs::read_to_string(&out_path).unwrap();
        assert!(
            !early.contains("since the last summary") && !early.contains("\"/stats\""),
            "written at once: {early}"
        );
        // Stopped (SIGTERM), the server writes the errors it held, counted.
        let mut server = server;
        std::process::Command::new("kill").args(["-TERM", &server.pid().to_string()]).status().unwrap();
        assert!(server.wait_exit(Duration::from_secs(60)).is_some(), "vigie did not stop");
        drop(server);
        let log = format!(
            "{}{}",
            std::fs::read_to_string(&out_path).unwrap(),
            std::fs::read_to_string(&err_path).unwrap()
        );
        let lines: Vec<Value> = log
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
            .collect();
        let staff = lines
            .iter()
            .find(|l| l["kind"] == "request" && l["path"] == "/staff/cases")
            .unwrap_or_else(|| panic!("the staff request is logged: {log}"));
        assert_eq!(staff["status"], 303);
        assert_eq!(staff["route"], "/staff/cases");
        assert!(
            !lines.iter().any(|l| l["kind"] == "request" && l["path"] == "/stats"),
            "a public request is not logged: {log}"
        );
        let held: Vec<&str> = lines
            .iter()
            .filter(|l| l["kind"] == "error")
            .filter_map(|l| l["message"].as_str())
            .filter(|m| m.contains("stats_changes") && m.contains("since the last summary"))
            .collect();
        assert_eq!(held.len(), 1, "the error is written once, with its count: {log}");
        assert!(held[0].contains("2×"), "{}", held[0]);
        for line in lines.iter().filter(|l| l["kind"] != "start") {
            let text = line.to_string();
            assert!(!text.contains("Tombouctou") && !text.contains('?'), "a query string: {text}");
            assert!(!text.contains("203.0.113") && !text.contains("127.0.0.1"), "an address: {text}");
        }
    });
}

/// Posts a staff door's form (`path`, fields after the CSRF token) from the client `peer`.
fn door(client: &Client, peer: &str, path: &str, fields: &str) -> Status {
    let peer: std::net::SocketAddr = peer.parse().unwrap();
    let page = client.get("/staff/sign-in").remote(peer).dispatch().into_string().unwrap();
    let token = between(&page, "name=\"csrf\" value=\"").unwrap();
    let token = token.split('"').next().unwrap().to_string();
    client
        .post(path)
        .header(ContentType::Form)
        .remote(peer)
        .body(format!("csrf={token}&{fields}"))
        .dispatch()
        .status()
}

/// The staff doors' throttles (issue 14) on PostgreSQL are counted in the database: a client
/// spreading its sign-in tries or forgot-password requests over two instances gets no more than
/// from one, and an unknown email is slowed down after the same failures wherever they were
/// made. (SQLite runs one instance; its counters stay in memory.)
#[test]
fn staff_door_throttles_are_summed_over_two_instances_on_postgresql() {
    if !engines().contains(&Engine::Postgres) {
        eprintln!("shared staff throttles: skipped (set VIGIE_TEST_POSTGRES)");
        return;
    }
    let db = TestDb::new(Engine::Postgres);
    let instance = || {
        let f = figment(&db)
            .merge(("sign_in_tries_per_client", 4))
            .merge(("forgot_per_client", 2))
            .merge(("totp_required_roles", Vec::<String>::new()));
        Client::tracked(vigie::build(f).expect("build vigie")).expect("valid rocket")
    };
    let (a, b) = (instance(), instance());
    let both = [&a, &b];
    let attacker = "192.0.2.9:40000";
    for i in 0..4 {
        let s = door(both[i % 2], attacker, "/staff/sign-in", &format!("email=n{i}%40cndh.ml&password=x"));
        assert_eq!(s, Status::Unauthorized, "try {i}");
    }
    for (n, c) in both.iter().enumerate() {
        let s = door(c, attacker, "/staff/sign-in", "email=late%40cndh.ml&password=x");
        assert_eq!(s, Status::TooManyRequests, "the fifth try, on instance {n}");
    }
    let other = door(&b, "198.51.100.3:1", "/staff/sign-in", "email=n0%40cndh.ml&password=x");
    assert_eq!(other, Status::Unauthorized, "another client keeps its own budget");

    assert_eq!(door(&a, attacker, "/staff/password/forgot", "email=x%40cndh.ml"), Status::Ok);
    assert_eq!(door(&b, attacker, "/staff/password/forgot", "email=x%40cndh.ml"), Status::Ok);
    assert_eq!(door(&a, attacker, "/staff/password/forgot", "email=x%40cndh.ml"), Status::TooManyRequests);
    assert_eq!(door(&b, attacker, "/staff/password/forgot", "email=x%40cndh.ml"), Status::TooManyRequests);

    // An unknown email: three failures spread over both instances (from three clients), then
    // the fourth is slowed down (0.5 s) as a real account's would be.
    for i in 0..3 {
        let peer = format!("203.0.113.{i}:1");
        let s = door(both[i % 2], &peer, "/staff/sign-in", "email=ghost%40cndh.ml&password=x");
        assert_eq!(s, Status::Unauthorized);
    }
    let start = Instant::now();
    assert_eq!(
        door(&b, "203.0.113.50:1", "/staff/sign-in", "email=ghost%40cndh.ml&password=x"),
        Status::Unauthorized
    );
    assert!(start.elapsed() >= Duration::from_millis(500), "slowed down: {:?}", start.elapsed());
    let kinds: Vec<String> = {
        use vigie::schema::rate_counts;
        rate_counts::table.select(rate_counts::kind).distinct().load(&mut db.conn()).unwrap()
    };
    assert!(kinds.iter().any(|k| k == "sign_in") && kinds.iter().any(|k| k == "forgot"), "{kinds:?}");
}

/// A tmpfs of `mib` MiB mounted at `at` for the test's life (unmounted when dropped); `None`
/// when this machine does not let the tests mount (not root, no CAP_SYS_ADMIN).
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(at: &std::path::Path, mib: u32) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m,mode=0700"), "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk(at.to_path_buf()))
    }

    /// Fills the disk with one file until the device says it is full; the file's path.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.0.join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        for chunk in [1 << 20, 4096, 512] {
            let block = vec![0u8; chunk];
            while f.write_all(&block).is_ok() {}
        }
        let _ = f.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// A full disk under SQLite (issue 14), for real: the database lives on a small tmpfs that the
/// test fills to the last byte while Vigie runs. A report through the form gets the 503 page
/// in the visitor's language, the API a JSON 503, nothing of either is written (no report, no
/// form token, no held audit entry), `/healthz` says `disk full`; once space is freed, Vigie
/// files reports again without a restart.
#[test]
fn a_full_disk_under_sqlite_answers_503_writes_nothing_and_healthz_says_disk_full() {
    let db = TestDb::new(Engine::Sqlite);
    let Some(disk) = SmallDisk::mount(&db.dir.path().join("disk"), 96) else {
        eprintln!("disk full: skipped (the tests cannot mount a tmpfs here)");
        return;
    };
    let file = disk.0.join("vigie.db");
    let f = figment(&db)
        .merge(("database_url", format!("sqlite://{}", file.display())))
        .merge(("upload_max_mb", 1))
        .merge(("upload_max_files", 1));
    let client = Client::tracked(vigie::build(f).expect("build vigie")).expect("valid rocket");
    let health = || {
        let r = client.get("/healthz").dispatch();
        (r.status(), r.into_string().unwrap_or_default())
    };
    assert_eq!(health(), (Status::Ok, "ok".to_string()));
    let api = |i: usize| {
        let r = client.post("/api/v1/reports").header(ContentType::JSON).body(report_json(i)).dispatch();
        (r.status(), r.into_string().unwrap_or_default())
    };
    assert_eq!(api(1).0, Status::Created);
    let rows = || {
        let mut c = diesel::SqliteConnection::establish(file.to_str().unwrap()).unwrap();
        let mut n = |t: &str| {
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {t}")).get_result::<N>(&mut c).unwrap().n
        };
        (n("reports"), n("report_violations"), n("form_tokens"), n("pending_reporter_events"), n("audit_log"))
    };
    let before = rows();

    let filler = disk.fill();
    let (status, body) = health();
    assert_eq!(status, Status::ServiceUnavailable);
    assert!(body.starts_with("disk full"), "{body}");
    let token = csrf(&client);
    let r = client
        .post("/reports")
        .header(ContentType::Form)
        .body(format!("csrf={token}&{}", form_fields(2)))
        .dispatch();
    assert_eq!(r.status(), Status::ServiceUnavailable);
    let page = r.into_string().unwrap();
    assert!(
        page.contains("Rien n'a été enregistré") || page.contains("Rien n&#x27;a été enregistré"),
        "{page}"
    );
    let (status, body) = api(3);
    assert_eq!(status, Status::ServiceUnavailable, "{body}");
    assert!(body.contains("\"error\""), "{body}");
    assert_eq!(rows(), before, "nothing written, not even in part");

    std::fs::remove_file(filler).unwrap();
    assert_eq!(health(), (Status::Ok, "ok".to_string()), "serving again without a restart");
    assert_eq!(api(4).0, Status::Created);
    assert_eq!(rows().0, before.0 + 1);
    let mut c =
        vigie::db::DbConn::Sqlite(diesel::SqliteConnection::establish(file.to_str().unwrap()).unwrap());
    assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    drop(client);
}
