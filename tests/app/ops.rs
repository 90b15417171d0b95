//! Issue 14: running Vigie as a service. Backups taken while servers write, restored into an
//! empty database and checked.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use crate::common::*;
use crate::races::{open_cases, report_json, setup_staff, Agent, Cluster};
use vigie::schema::{attachments, audit_log, cases, reports};

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
    let mut c = db.conn();
    attachments::table
        .order(attachments::id)
        .select((
            attachments::id,
            attachments::report_id,
            attachments::sha256,
            attachments::data,
            attachments::safe_data,
        ))
        .load(&mut c)
        .unwrap()
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
