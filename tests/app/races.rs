//! Issue 18: staff acting at the same moment. Each test plays the race through the real
//! `vigie` binary: two servers over one database (PostgreSQL, and the same on SQLite), sockets
//! opened first, then both requests released together by a barrier, repeated over many pairs.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::accounts::{add_user, enc, PW};
use crate::browser::{start_server, Server};
use crate::common::*;
use vigie::schema::{allegations, audit_log, case_transitions, cases, events, mail_outbox, reports};

pub const SECRET: &str = "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=";

/// How many pairs each race plays.
const PAIRS: usize = 24;

/// The environment of a racing server: no second factor, no hourly report limit, a small pool.
fn server_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("ROCKET_TOTP_REQUIRED_ROLES", "[]"),
        ("ROCKET_REPORTS_PER_HOUR", "100000"),
        ("ROCKET_SIGN_IN_TRIES_PER_CLIENT", "1000"),
        ("ROCKET_SECRET_KEY", SECRET),
        // Two servers per test, tests in parallel: a small pool each, within PostgreSQL's
        // max_connections.
        ("ROCKET_DB_POOL_SIZE", "4"),
    ]
}

/// An answer read off the socket.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn read_resp(mut s: TcpStream) -> Resp {
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the answer");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a full answer");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 2 + size + 2..];
        }
        body = out;
    }
    Resp { status, headers, body: String::from_utf8_lossy(&body).to_string() }
}

/// One browser: its cookies and CSRF token, talking to one server.
pub struct Agent {
    pub port: u16,
    jar: BTreeMap<String, String>,
    csrf: String,
}

impl Agent {
    pub fn new(port: u16) -> Agent {
        Agent { port, jar: BTreeMap::new(), csrf: String::new() }
    }

    fn request(&self, method: &str, path: &str, body: Option<(&str, &str)>) -> Vec<u8> {
        let mut r =
            format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n", self.port);
        if !self.jar.is_empty() {
            let c: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            r.push_str(&format!("Cookie: {}\r\n", c.join("; ")));
        }
        match body {
            Some((ct, b)) => {
                r.push_str(&format!("Content-Type: {ct}\r\nContent-Length: {}\r\n\r\n{b}", b.len()))
            }
            None => r.push_str("\r\n"),
        }
        r.into_bytes()
    }

    /// A form post with this browser's token, ready to be sent.
    pub fn form(&self, path: &str, body: &str) -> Vec<u8> {
        let body = if body.is_empty() {
            format!("csrf={}", self.csrf)
        } else {
            format!("csrf={}&{body}", self.csrf)
        };
        self.request("POST", path, Some(("application/x-www-form-urlencoded", &body)))
    }

    pub fn absorb(&mut self, r: &Resp) {
        for (k, v) in &r.headers {
            if !k.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let pair = v.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                let gone = v.contains("Max-Age=0") || value.is_empty();
                if gone {
                    self.jar.remove(name.trim());
                } else {
                    self.jar.insert(name.trim().to_string(), value.trim().to_string());
                }
            }
        }
        if let Some(i) = r.body.find("name=\"csrf\" value=\"") {
            let rest = &r.body[i + "name=\"csrf\" value=\"".len()..];
            self.csrf = rest.split('"').next().unwrap().to_string();
        }
    }

    fn send(&mut self, bytes: Vec<u8>) -> Resp {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.write_all(&bytes).unwrap();
        let r = read_resp(s);
        self.absorb(&r);
        r
    }

    pub fn get(&mut self, path: &str) -> Resp {
        let b = self.request("GET", path, None);
        self.send(b)
    }

    pub fn post(&mut self, path: &str, body: &str) -> Resp {
        let b = self.form(path, body);
        self.send(b)
    }

    pub fn post_json(&mut self, path: &str, json: &str) -> Resp {
        let b = self.request("POST", path, Some(("application/json", json)));
        self.send(b)
    }

    pub fn sign_in(port: u16, email: &str) -> Agent {
        let mut a = Agent::new(port);
        a.get("/staff/sign-in");
        let r = a.post("/staff/sign-in", &format!("email={}&password={}", enc(email), enc(PW)));
        assert_eq!(r.status, 303, "{email} signs in: {}", r.body);
        a.get("/reports/new");
        a
    }
}

/// Sends every request at once: the sockets are opened first, then a barrier releases them.
pub fn race(reqs: Vec<(u16, Vec<u8>)>) -> Vec<Resp> {
    let barrier = Arc::new(Barrier::new(reqs.len()));
    let handles: Vec<_> = reqs
        .into_iter()
        .map(|(port, bytes)| {
            let b = barrier.clone();
            let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            std::thread::spawn(move || {
                b.wait();
                s.write_all(&bytes).unwrap();
                read_resp(s)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn port_of(base: &str) -> u16 {
    base.rsplit(':').next().unwrap().parse().unwrap()
}

/// Two servers over one fresh database.
pub struct Cluster {
    pub db: TestDb,
    pub ports: [u16; 2],
    _servers: Vec<Server>,
}

impl Cluster {
    pub fn start(engine: Engine) -> Cluster {
        Cluster::start_with(engine, &[])
    }

    pub fn start_with(engine: Engine, extra: &[(&'static str, &'static str)]) -> Cluster {
        let db = TestDb::new(engine);
        let mut env = server_env();
        env.extend_from_slice(extra);
        let (a, base_a) = start_server(&db, &env);
        let (b, base_b) = start_server(&db, &env);
        Cluster { db, ports: [port_of(&base_a), port_of(&base_b)], _servers: vec![a, b] }
    }
}

pub fn report_json(i: usize) -> String {
    serde_json::json!({
        "narrative": format!("Arrestation sans motif numéro {i} à Kayes, détenu depuis."),
        "occurred_on": "2026-09-01", "violations": ["liberty.arbitrary_arrest"], "force": "police",
        "location": {"lat": 14.4469, "lon": -11.4445},
    })
    .to_string()
}

/// Files `n` reports through the API; returns their ids.
pub fn file_reports(db: &TestDb, port: u16, n: usize) -> Vec<i32> {
    let mut public = Agent::new(port);
    for i in 0..n {
        let r = public.post_json("/api/v1/reports", &report_json(i));
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let mut c = db.conn();
    reports::table.order(reports::id).select(reports::id).load(&mut c).unwrap()
}

/// An event opened from each report, with one allegation; returns the event ids.
fn events_with_allegations(intake: &mut Agent, rids: &[i32]) -> Vec<i32> {
    rids.iter()
        .map(|rid| {
            let r = intake.post(&format!("/staff/reports/{rid}/events"), &format!("title=Kayes+{rid}"));
            assert_eq!(r.status, 303, "{}", r.body);
            let e: i32 = r.header("Location").unwrap().rsplit('/').next().unwrap().parse().unwrap();
            let r = intake.post(
                &format!("/staff/events/{e}/allegations"),
                "violation_type=liberty.arbitrary_arrest&force=police",
            );
            assert_eq!(r.status, 303, "{}", r.body);
            e
        })
        .collect()
}

/// `n` cases at the CNDH, each on its own event; returns the case ids.
pub fn open_cases(cl: &Cluster, n: usize) -> Vec<i32> {
    let rids = file_reports(&cl.db, cl.ports[0], n);
    let mut intake = Agent::sign_in(cl.ports[0], "intake@cndh.ml");
    for e in events_with_allegations(&mut intake, &rids) {
        let r = intake.post(&format!("/staff/events/{e}/route"), "");
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let mut c = cl.db.conn();
    let ids: Vec<i32> = cases::table.order(cases::id).select(cases::id).load(&mut c).unwrap();
    assert_eq!(ids.len(), n);
    ids
}

fn no_server_error(rs: &[Resp], what: &str) {
    for r in rs {
        assert!(r.status < 500, "{what}: a server error {}: {}", r.status, r.body);
    }
}

/// The case's history, step by step, forms one chain: each step starts where the last ended
/// and the case is where the last step left it, closed exactly when that step closes it.
fn assert_history_chains(db: &TestDb, case_id: i32) -> Vec<String> {
    let mut c = db.conn();
    let steps: Vec<(Option<String>, String)> = case_transitions::table
        .filter(case_transitions::case_id.eq(case_id))
        .order(case_transitions::id)
        .select((case_transitions::from_status, case_transitions::to_status))
        .load(&mut c)
        .unwrap();
    for w in steps.windows(2) {
        assert_eq!(w[1].0.as_deref(), Some(w[0].1.as_str()), "case {case_id}: the history breaks: {steps:?}");
    }
    let (status, closed_at): (String, Option<chrono::NaiveDateTime>) =
        cases::table.find(case_id).select((cases::status, cases::closed_at)).first(&mut c).unwrap();
    let last = steps.last().unwrap().1.clone();
    assert_eq!(status, last, "case {case_id}: the case is not where its history says: {steps:?}");
    let terminal = ["closed", "inadmissible", "duplicate", "out_of_scope"].contains(&status.as_str());
    assert_eq!(closed_at.is_some(), terminal, "case {case_id} ({status}): closed_at");
    steps.into_iter().map(|s| s.1).collect()
}

pub fn setup_staff(db: &TestDb) {
    add_user(db, "intake@cndh.ml", "intake", None);
    add_user(db, "intake2@cndh.ml", "intake", None);
    add_user(db, "inv@cndh.ml", "investigator", Some("cndh"));
    add_user(db, "inv2@cndh.ml", "investigator", Some("cndh"));
}

/// Item 1: two investigators ask for a step of the same case at once, through two servers.
/// One wins; the other gets the case page back (422) saying the case moved meanwhile, and the
/// history never holds a step twice or a step taken from a state the case had left.
#[test]
fn item1_two_steps_of_one_case_at_once_apply_once_and_the_other_gets_the_form_back() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        let ids = open_cases(&cl, PAIRS);
        let a = Agent::sign_in(cl.ports[0], "inv@cndh.ml");
        let b = Agent::sign_in(cl.ports[1], "inv2@cndh.ml");
        let mut refused = 0;
        for (i, id) in ids.iter().enumerate() {
            // Half the pairs ask for the same step; half for two different ones.
            let other =
                if i % 2 == 0 { "to=acknowledged&reason=" } else { "to=inadmissible&reason=Hors+d%C3%A9lai" };
            let path = format!("/staff/cases/{id}/transition");
            let rs = race(vec![
                (a.port, a.form(&path, "to=acknowledged&reason=")),
                (b.port, b.form(&path, other)),
            ]);
            no_server_error(&rs, "a step");
            let won = rs.iter().filter(|r| r.status == 303).count();
            assert!(
                won >= 1,
                "case {id}: nobody moved it: {:?}",
                rs.iter().map(|r| r.status).collect::<Vec<_>>()
            );
            let steps = assert_history_chains(&cl.db, *id);
            for r in rs.iter().filter(|r| r.status != 303) {
                assert_eq!(r.status, 422, "case {id}");
                assert!(r.body.contains("id=\"transition\""), "the loser sees the case page with the form");
                refused += 1;
            }
            if i % 2 == 0 {
                assert_eq!(won, 1, "case {id}: the same step applied twice: {steps:?}");
                assert_eq!(steps, vec!["received", "acknowledged"], "case {id}");
            }
        }
        assert!(refused >= PAIRS / 2, "{refused} refusals");
        let mut c = cl.db.conn();
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

/// Item 1, the message: a step asked from a page that no longer shows the case's state comes
/// back with the form and says the case moved meanwhile (French and English).
#[test]
fn item1_a_step_from_a_stale_page_says_the_case_moved_meanwhile() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        let ids = open_cases(&cl, 1);
        let mut a = Agent::sign_in(cl.ports[0], "inv@cndh.ml");
        let mut b = Agent::sign_in(cl.ports[1], "inv2@cndh.ml");
        let path = format!("/staff/cases/{}/transition", ids[0]);
        // Both pages showed "received"; the first moves it, the second asks for the same step.
        let r = a.post(&path, "to=acknowledged&reason=&shown_status=received");
        assert_eq!(r.status, 303);
        let r = b.post(&path, "to=acknowledged&reason=&shown_status=received");
        assert_eq!(r.status, 422);
        assert!(r.body.contains("id=\"transition\"") && r.body.contains("entre-temps"), "{}", r.body);
        b.get("/reports/new?lang=en");
        let r = b.post(&path, "to=triage&reason=&shown_status=received");
        assert_eq!(r.status, 422);
        assert!(r.body.contains("meanwhile"), "{}", r.body);
        assert_eq!(assert_history_chains(&cl.db, ids[0]), vec!["received", "acknowledged"]);
    });
}

/// Item 2: two officers open an event from the same report at once. One event is opened and
/// audited; the other officer gets the report page back (422) saying it is already in an event.
#[test]
fn item2_opening_an_event_from_one_report_twice_at_once_opens_one() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        let rids = file_reports(&cl.db, cl.ports[0], PAIRS);
        let a = Agent::sign_in(cl.ports[0], "intake@cndh.ml");
        let b = Agent::sign_in(cl.ports[1], "intake2@cndh.ml");
        for rid in &rids {
            let path = format!("/staff/reports/{rid}/events");
            let rs = race(vec![
                (a.port, a.form(&path, &format!("title=Kayes+A+{rid}"))),
                (b.port, b.form(&path, &format!("title=Kayes+B+{rid}"))),
            ]);
            no_server_error(&rs, "opening an event");
            let statuses: Vec<u16> = rs.iter().map(|r| r.status).collect();
            assert_eq!(rs.iter().filter(|r| r.status == 303).count(), 1, "report {rid}: {statuses:?}");
            let loser = rs.iter().find(|r| r.status != 303).unwrap();
            assert_eq!(loser.status, 422, "report {rid}");
            assert!(
                loser.body.contains("id=\"open-event-moved\"") && loser.body.contains("une autre personne"),
                "the loser sees the report page saying someone else opened its event"
            );
        }
        let mut c = cl.db.conn();
        let n_events: i64 = events::table.count().get_result(&mut c).unwrap();
        assert_eq!(n_events, PAIRS as i64, "one event per report");
        let orphans: i64 = events::table
            .filter(diesel::dsl::not(diesel::dsl::exists(
                reports::table.filter(reports::event_id.eq(events::id.nullable())),
            )))
            .count()
            .get_result(&mut c)
            .unwrap();
        assert_eq!(orphans, 0, "no event without a report");
        let created: i64 =
            audit_log::table.filter(audit_log::action.eq("event.create")).count().get_result(&mut c).unwrap();
        assert_eq!(created, PAIRS as i64, "one creation audited per report");
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

/// Item 2, linking: two officers put one report into two different events at once. One link
/// holds; the other officer gets the report page saying someone else did it first, and the
/// report is never silently moved from one event to the other.
#[test]
fn item2_linking_one_report_to_two_events_at_once_links_it_once() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        let rids = file_reports(&cl.db, cl.ports[0], PAIRS + 2);
        let a = Agent::sign_in(cl.ports[0], "intake@cndh.ml");
        let b = Agent::sign_in(cl.ports[1], "intake2@cndh.ml");
        let mut events_opened = vec![];
        for rid in &rids[..2] {
            let r = a.form(&format!("/staff/reports/{rid}/events"), "title=Kayes");
            let rs = race(vec![(a.port, r)]);
            assert_eq!(rs[0].status, 303);
            let mut c = cl.db.conn();
            let e: Option<i32> = reports::table.find(rid).select(reports::event_id).first(&mut c).unwrap();
            events_opened.push(e.unwrap());
        }
        let (e1, e2) = (events_opened[0], events_opened[1]);
        for rid in &rids[2..] {
            let path = format!("/staff/reports/{rid}/link");
            let rs = race(vec![
                (a.port, a.form(&path, &format!("event_id={e1}"))),
                (b.port, b.form(&path, &format!("event_id={e2}"))),
            ]);
            no_server_error(&rs, "linking");
            let statuses: Vec<u16> = rs.iter().map(|r| r.status).collect();
            assert_eq!(rs.iter().filter(|r| r.status == 303).count(), 1, "report {rid}: {statuses:?}");
            let (winner, loser) = if rs[0].status == 303 { (e1, &rs[1]) } else { (e2, &rs[0]) };
            assert_eq!(loser.status, 422, "report {rid}");
            assert!(
                loser.body.contains("id=\"open-event-moved\"") && loser.body.contains("une autre personne"),
                "the loser sees the report page saying someone else did it first"
            );
            let mut c = cl.db.conn();
            let linked: Option<i32> =
                reports::table.find(rid).select(reports::event_id).first(&mut c).unwrap();
            assert_eq!(linked, Some(winner), "report {rid} stays in the event of the link that held");
        }
        let mut c = cl.db.conn();
        let links: i64 =
            audit_log::table.filter(audit_log::action.eq("report.link")).count().get_result(&mut c).unwrap();
        assert_eq!(links, PAIRS as i64, "one link audited per report");
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

/// Item 3: two investigators assign the same case to two different people at once. One
/// assignment holds and one person is told by mail; the other investigator gets the form back.
#[test]
fn item3_two_assignments_at_once_keep_one_and_mail_one_person() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        let mut c = cl.db.conn();
        let ids = open_cases(&cl, PAIRS);
        let (u1, u2): (i32, i32) = (
            vigie::schema::users::table
                .filter(vigie::schema::users::email.eq("inv@cndh.ml"))
                .select(vigie::schema::users::id)
                .first(&mut c)
                .unwrap(),
            vigie::schema::users::table
                .filter(vigie::schema::users::email.eq("inv2@cndh.ml"))
                .select(vigie::schema::users::id)
                .first(&mut c)
                .unwrap(),
        );
        let a = Agent::sign_in(cl.ports[0], "inv@cndh.ml");
        let b = Agent::sign_in(cl.ports[1], "inv2@cndh.ml");
        for id in &ids {
            // Both pages showed the case assigned to nobody.
            let path = format!("/staff/cases/{id}/assign");
            let rs = race(vec![
                (a.port, a.form(&path, &format!("user_id={u1}&shown_assignee="))),
                (b.port, b.form(&path, &format!("user_id={u2}&shown_assignee="))),
            ]);
            no_server_error(&rs, "an assignment");
            let statuses: Vec<u16> = rs.iter().map(|r| r.status).collect();
            assert_eq!(rs.iter().filter(|r| r.status == 303).count(), 1, "case {id}: {statuses:?}");
            let loser = rs.iter().find(|r| r.status != 303).unwrap();
            assert_eq!(loser.status, 422, "case {id}");
            assert!(loser.body.contains("id=\"assign\""), "the loser sees the case page with the form");
            let winner = if rs[0].status == 303 { u1 } else { u2 };
            let held: Option<i32> = cases::table.find(id).select(cases::assignee_id).first(&mut c).unwrap();
            assert_eq!(held, Some(winner), "case {id}: the assignment that held is the one confirmed");
        }
        let mails: i64 = mail_outbox::table
            .filter(mail_outbox::kind.eq("case-assigned"))
            .count()
            .get_result(&mut c)
            .unwrap();
        assert_eq!(mails, PAIRS as i64, "one \"assigned to you\" mail per case");
    });
}

/// Item 3, findings: two investigators record a finding on the same allegation at once; one
/// holds, the other gets the form back with the values as typed.
#[test]
fn item3_two_findings_on_one_allegation_at_once_keep_one() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        let ids = open_cases(&cl, PAIRS);
        let mut c = cl.db.conn();
        let a = Agent::sign_in(cl.ports[0], "inv@cndh.ml");
        let b = Agent::sign_in(cl.ports[1], "inv2@cndh.ml");
        for id in &ids {
            let aid: i32 = allegations::table
                .filter(allegations::case_id.eq(id))
                .select(allegations::id)
                .first(&mut c)
                .unwrap();
            let path = format!("/staff/cases/{id}/findings");
            let body = |d: &str, why: &str| {
                format!(
                    "allegation_id={aid}&disposition={d}&standard=balance&reasoning={why}&shown_disposition="
                )
            };
            let rs = race(vec![
                (a.port, a.form(&path, &body("substantiated", "Deux+t%C3%A9moins"))),
                (b.port, b.form(&path, &body("not_substantiated", "Aucun+t%C3%A9moin"))),
            ]);
            no_server_error(&rs, "a finding");
            let statuses: Vec<u16> = rs.iter().map(|r| r.status).collect();
            assert_eq!(rs.iter().filter(|r| r.status == 303).count(), 1, "case {id}: {statuses:?}");
            let loser = rs.iter().find(|r| r.status != 303).unwrap();
            assert_eq!(loser.status, 422);
            assert!(loser.body.contains(&format!("id=\"finding-{aid}\"")), "the loser sees the finding form");
        }
    });
}

/// Two officers correct one allegation at once from the same page, on two servers: one
/// correction is kept, the other comes back (409) with its values and nothing laid over the
/// first; and a correction at the moment a finding is recorded: either the finding comes first
/// and the correction is refused, or the correction comes first and the finding stands on it;
/// never a server error, never a correction written over a finding.
#[test]
fn two_corrections_of_one_allegation_at_once_keep_one_and_none_lands_over_a_finding() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        let ids = open_cases(&cl, PAIRS);
        let mut c = cl.db.conn();
        let mut a = Agent::sign_in(cl.ports[0], "intake@cndh.ml");
        let mut b = Agent::sign_in(cl.ports[1], "intake2@cndh.ml");
        let inv = Agent::sign_in(cl.ports[1], "inv@cndh.ml");
        let force_of = |c: &mut vigie::db::DbConn, aid: i32| -> (String, Option<i32>) {
            allegations::table
                .find(aid)
                .inner_join(vigie::schema::forces::table)
                .select((vigie::schema::forces::code, allegations::disposition_id))
                .first(c)
                .unwrap()
        };
        for (i, id) in ids.iter().enumerate() {
            let aid: i32 = allegations::table
                .filter(allegations::case_id.eq(id))
                .select(allegations::id)
                .first(&mut c)
                .unwrap();
            let path = format!("/staff/allegations/{aid}/correct");
            let page = a.get(&path).body;
            b.get(&path);
            let start = page.find("name=\"seen\" value=\"").unwrap() + "name=\"seen\" value=\"".len();
            let seen = page[start..].split('"').next().unwrap().to_string();
            let body = |force: &str| {
                format!("violation_type=liberty.arbitrary_arrest&force={force}&seen={seen}&reason=Erreur+de+saisie")
            };
            let before: i64 = audit_log::table
                .filter(audit_log::action.eq("allegation.correct"))
                .count()
                .get_result(&mut c)
                .unwrap();
            let after = |c: &mut vigie::db::DbConn| -> i64 {
                audit_log::table
                    .filter(audit_log::action.eq("allegation.correct"))
                    .count()
                    .get_result::<i64>(c)
                    .unwrap()
                    - before
            };
            if i % 2 == 0 {
                let rs = race(vec![
                    (a.port, a.form(&path, &body("gendarmerie"))),
                    (b.port, b.form(&path, &body("national_guard"))),
                ]);
                no_server_error(&rs, "a correction");
                let statuses: Vec<u16> = rs.iter().map(|r| r.status).collect();
                assert_eq!(
                    rs.iter().filter(|r| r.status == 303).count(),
                    1,
                    "allegation {aid}: {statuses:?}"
                );
                let (winner, loser) = if rs[0].status == 303 { (0, 1) } else { (1, 0) };
                assert_eq!(rs[loser].status, 409, "{}", rs[loser].body);
                assert!(rs[loser].body.contains("id=\"correct\""), "the loser gets the form back");
                let kept = ["gendarmerie", "national_guard"][winner];
                assert_eq!(force_of(&mut c, aid).0, kept);
                assert_eq!(after(&mut c), 1, "one correction in the log");
            } else {
                let finding = format!(
                    "allegation_id={aid}&disposition=substantiated&standard=balance&reasoning=Deux+t%C3%A9moins&shown_disposition="
                );
                let rs = race(vec![
                    (a.port, a.form(&path, &body("gendarmerie"))),
                    (inv.port, inv.form(&format!("/staff/cases/{id}/findings"), &finding)),
                ]);
                no_server_error(&rs, "a correction and a finding");
                assert_eq!(rs[1].status, 303, "the finding is recorded either way: {}", rs[1].body);
                let (force, disposition) = force_of(&mut c, aid);
                assert!(disposition.is_some());
                match rs[0].status {
                    303 => assert_eq!((force.as_str(), after(&mut c)), ("gendarmerie", 1)),
                    409 => assert_eq!((force.as_str(), after(&mut c)), ("police", 0)),
                    s => panic!("allegation {aid}: the correction answered {s}"),
                }
            }
            a.get("/staff/triage");
            b.get("/staff/triage");
        }
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

/// Item 5: two officers route the same event at once. No server error; one case; the second
/// officer is told there was nothing left to route.
#[test]
fn item5_two_officers_routing_one_event_at_once_open_one_case() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        let rids = file_reports(&cl.db, cl.ports[0], PAIRS);
        let mut a = Agent::sign_in(cl.ports[0], "intake@cndh.ml");
        let mut b = Agent::sign_in(cl.ports[1], "intake2@cndh.ml");
        let evs = events_with_allegations(&mut a, &rids);
        for e in &evs {
            let path = format!("/staff/events/{e}/route");
            let rs = race(vec![(a.port, a.form(&path, "")), (b.port, b.form(&path, ""))]);
            no_server_error(&rs, "routing");
            assert!(rs.iter().all(|r| r.status == 303), "event {e}");
            a.absorb(&rs[0]);
            b.absorb(&rs[1]);
        }
        let mut c = cl.db.conn();
        let n: i64 = cases::table.count().get_result(&mut c).unwrap();
        assert_eq!(n, PAIRS as i64, "one case per event");
        // The next page of each says what happened: routed, or nothing left to route.
        let pa = a.get(&format!("/staff/events/{}", evs[0])).body;
        let pb = b.get(&format!("/staff/events/{}", evs[0])).body;
        // (The flash cookies of the last pair are read by these pages.)
        let routed = |p: &str| p.contains("1 allégation orientée");
        let nothing_left = |p: &str| p.contains("Rien à orienter");
        assert!(
            (routed(&pa) && nothing_left(&pb)) || (routed(&pb) && nothing_left(&pa)),
            "one is told it routed, the other that nothing was left"
        );
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

fn spawn_vigie(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigie"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &db.url)
        .env("ROCKET_DATA_DIR", db.data_dir())
        .env("ROCKET_MAIL", "{transport=\"disabled\"}")
        .env("ROCKET_SECRET_KEY", SECRET)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("start vigie")
}

/// Item 9: two reminder passes at once (two instances, or a server and `vigie remind`) queue
/// each digest once, and neither dies at the first person the other claimed.
#[test]
fn item9_two_reminder_passes_at_once_both_finish_and_queue_each_digest_once() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        open_cases(&cl, 1);
        for i in 0..30 {
            add_user(&cl.db, &format!("worker{i}@cndh.ml"), "investigator", Some("cndh"));
        }
        let mut c = cl.db.conn();
        // The case is unassigned and overdue: every case worker of the CNDH gets a digest.
        let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
        diesel::update(cases::table).set(cases::acknowledge_by.eq(Some(yesterday))).execute(&mut c).unwrap();
        let workers = 32;
        for round in 0..5 {
            diesel::delete(vigie::schema::digests_sent::table).execute(&mut c).unwrap();
            diesel::delete(mail_outbox::table.filter(mail_outbox::kind.eq("digest")))
                .execute(&mut c)
                .unwrap();
            let passes: Vec<_> = (0..2).map(|_| spawn_vigie(&cl.db, &["remind"], &[])).collect();
            for p in passes {
                let out = p.wait_with_output().unwrap();
                assert!(out.status.success(), "round {round}: a pass died: {}", text(&out));
            }
            let sent: i64 = vigie::schema::digests_sent::table.count().get_result(&mut c).unwrap();
            let mails: i64 =
                mail_outbox::table.filter(mail_outbox::kind.eq("digest")).count().get_result(&mut c).unwrap();
            assert_eq!((sent, mails), (workers, workers), "round {round}: one digest per person");
        }
    });
}

/// Waits until a port answers, or the process exits (then says what it printed).
fn wait_up(child: &mut std::process::Child, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Err(format!("exited ({status}): {err}"));
        }
        if Instant::now() > deadline {
            return Err("did not start".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Item 8: two instances started together on an empty database both come up (migrations and
/// the reference data are loaded once, under a lock). On SQLite both also turn the new file to
/// WAL at once, which one of them was refused about one round in eight ("database is
/// locked", without the busy timeout): eight rounds there.
#[test]
fn item8_two_servers_started_together_on_an_empty_database_both_come_up() {
    each_engine(|engine| {
        let rounds = if engine == Engine::Sqlite { 8 } else { 3 };
        for round in 0..rounds {
            let db = TestDb::new(engine);
            let ports = [free_port(), free_port()];
            let mut kids: Vec<_> = ports
                .iter()
                .map(|p| {
                    let port = p.to_string();
                    spawn_vigie(&db, &["serve"], &[("ROCKET_PORT", &port), ("ROCKET_ADDRESS", "127.0.0.1")])
                })
                .collect();
            let up: Vec<Result<(), String>> =
                kids.iter_mut().zip(ports).map(|(k, p)| wait_up(k, p)).collect();
            for k in kids.iter_mut() {
                let _ = k.kill();
                let _ = k.wait();
            }
            for (i, u) in up.iter().enumerate() {
                assert!(u.is_ok(), "round {round}: server {i} {}", u.as_ref().unwrap_err());
            }
            let mut c = db.conn();
            let regions: i64 = vigie::schema::regions::table.count().get_result(&mut c).unwrap();
            assert!(regions > 0, "the reference data is there");
        }
    });
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Item 10: while a server writes without a pause, the command line still works: a start-up
/// with unchanged reference data writes nothing, `vigie audit verify` only reads, and a write
/// that must wait waits (busy_timeout) instead of failing with "database is locked".
#[test]
fn item10_the_command_line_works_while_the_server_writes() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        open_cases(&cl, 1);
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Writers: staff notes on the case, through both servers, as fast as they are answered.
        let writers: Vec<_> = cl
            .ports
            .iter()
            .flat_map(|p| [*p, *p])
            .enumerate()
            .map(|(i, port)| {
                let stop = stop.clone();
                let mut a = Agent::sign_in(port, if i % 2 == 0 { "inv@cndh.ml" } else { "inv2@cndh.ml" });
                std::thread::spawn(move || {
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let r = a.post("/staff/cases/1/notes", &format!("body=Note+{i}+{n}"));
                        assert_eq!(r.status, 303, "{}", r.body);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        let mut failures = vec![];
        for i in 0..12 {
            let args: &[&str] = if i % 4 == 3 { &["remind"] } else { &["audit", "verify"] };
            let out = vigie_cmd(&cl.db, args, &[("ROCKET_SECRET_KEY", SECRET)]);
            if !out.status.success() {
                failures.push(format!("{args:?}: {}", text(&out)));
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let notes: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
        assert!(notes > 20, "the servers kept writing ({notes} notes)");
        assert!(failures.is_empty(), "{} of 12 commands failed: {failures:?}", failures.len());
    });
}

/// Item 4: one lock order (the audit chain last). Linking a report to an event while the
/// event's case moves, through two servers: both go through, no deadlock, no server error.
#[test]
fn item4_linking_a_report_while_its_events_case_moves_never_deadlocks() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        let ids = open_cases(&cl, PAIRS);
        let free = file_reports(&cl.db, cl.ports[0], PAIRS);
        let free = &free[PAIRS..];
        let mut c = cl.db.conn();
        let a = Agent::sign_in(cl.ports[0], "intake@cndh.ml");
        let b = Agent::sign_in(cl.ports[1], "inv@cndh.ml");
        for (case_id, rid) in ids.iter().zip(free) {
            let event: i32 = cases::table.find(case_id).select(cases::event_id).first(&mut c).unwrap();
            let rs = race(vec![
                (a.port, a.form(&format!("/staff/reports/{rid}/link"), &format!("event_id={event}"))),
                (b.port, b.form(&format!("/staff/cases/{case_id}/transition"), "to=acknowledged&reason=")),
            ]);
            no_server_error(&rs, "link and step");
            assert!(rs.iter().all(|r| r.status == 303), "case {case_id}");
            let linked: Option<i32> =
                reports::table.find(rid).select(reports::event_id).first(&mut c).unwrap();
            assert_eq!(linked, Some(event));
            // The reporter of the linked report sees the case's step like the others.
            let st: Vec<String> = reports::table
                .filter(reports::event_id.eq(event))
                .select(reports::status)
                .load(&mut c)
                .unwrap();
            assert!(st.iter().all(|s| s == "forwarded"), "{st:?}");
        }
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

/// Item 4: a wrong and a right password for one account at once, through two servers: the
/// right one signs in, the wrong one is refused, nothing fails.
#[test]
fn item4_a_wrong_and_a_right_password_at_once_both_get_their_answer() {
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        for i in 0..PAIRS {
            let mut right = Agent::new(cl.ports[i % 2]);
            let mut wrong = Agent::new(cl.ports[(i + 1) % 2]);
            right.get("/staff/sign-in");
            wrong.get("/staff/sign-in");
            let rs = race(vec![
                (
                    right.port,
                    right.form("/staff/sign-in", &format!("email=inv%40cndh.ml&password={}", enc(PW))),
                ),
                (wrong.port, wrong.form("/staff/sign-in", "email=inv%40cndh.ml&password=pas+le+bon")),
            ]);
            no_server_error(&rs, "sign-ins");
            assert_eq!((rs[0].status, rs[1].status), (303, 401), "pair {i}");
        }
        let mut c = cl.db.conn();
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

/// Item 4: a transaction PostgreSQL aborts as a deadlock's victim runs once more, whole, and
/// succeeds. Two transactions take two rows in opposite orders, held together by a barrier so
/// that the deadlock is certain. (SQLite has one writer at a time: no deadlock to play there.)
#[test]
fn item4_a_transaction_aborted_as_a_deadlock_victim_runs_once_more() {
    each_engine(|engine| {
        if engine != Engine::Postgres {
            eprintln!("SQLite: one writer at a time (db::begin_write), no deadlock to play");
            return;
        }
        let db = TestDb::new(engine);
        let app = TestApp::with_figment(db, |f| f);
        drop(app.client);
        let pool = vigie::db::Db::connect(&app.db.url, 4).unwrap();
        let mut c = app.db.conn();
        for k in ["race-a", "race-b"] {
            diesel::insert_into(vigie::schema::settings::table)
                .values((vigie::schema::settings::key.eq(k), vigie::schema::settings::value.eq("0")))
                .execute(&mut c)
                .unwrap();
        }
        let barrier = Arc::new(Barrier::new(2));
        let tries = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let rt = rocket::tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        let results: Vec<Result<(), vigie::error::AppError>> = rt.block_on(async {
            let run = |first: &'static str, second: &'static str| {
                let (barrier, tries, pool) = (barrier.clone(), tries.clone(), pool.clone());
                let mut mine = 0;
                rocket::tokio::spawn(async move {
                    pool.transaction(move |c| {
                        tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        mine += 1;
                        let bump =
                            |k: &str| format!("UPDATE settings SET value = value || 'x' WHERE key = '{k}'");
                        diesel::sql_query(bump(first)).execute(c)?;
                        if mine == 1 {
                            barrier.wait();
                        }
                        diesel::sql_query(bump(second)).execute(c)?;
                        Ok(())
                    })
                    .await
                })
            };
            let a = run("race-a", "race-b");
            let b = run("race-b", "race-a");
            vec![a.await.unwrap(), b.await.unwrap()]
        });
        for r in &results {
            assert!(r.is_ok(), "{r:?}");
        }
        assert_eq!(tries.load(std::sync::atomic::Ordering::SeqCst), 3, "the victim ran once more");
        let values: Vec<String> = vigie::schema::settings::table
            .filter(vigie::schema::settings::key.eq_any(["race-a", "race-b"]))
            .select(vigie::schema::settings::value)
            .load(&mut c)
            .unwrap();
        assert_eq!(values, vec!["0xx".to_string(), "0xx".to_string()], "each change once");
    });
}

/// Item 6: a stalled holder of the lock every audited change needs (PostgreSQL: the audit
/// chain's advisory lock; SQLite: the write lock) costs a staff member a 503 page saying that
/// nothing was saved and that the form is still one page back, within the lock timeout; never
/// a sign-in page, never half a change.
#[test]
fn item6_a_held_lock_gives_a_503_page_not_a_sign_in_and_nothing_half_saved() {
    each_engine(|engine| {
        let cl = Cluster::start_with(engine, &[("ROCKET_DB_LOCK_TIMEOUT_SECS", "2")]);
        setup_staff(&cl.db);
        open_cases(&cl, 1);
        let mut inv = Agent::sign_in(cl.ports[1], "inv@cndh.ml");
        let mut holder = cl.db.conn();
        use diesel::connection::SimpleConnection;
        match engine {
            Engine::Postgres => holder.batch_execute("SELECT pg_advisory_lock(727274)").unwrap(),
            Engine::Sqlite => holder.batch_execute("BEGIN IMMEDIATE").unwrap(),
        }
        let started = Instant::now();
        let r = inv.post("/staff/cases/1/notes", "body=Une+note+importante");
        let waited = started.elapsed();
        assert_eq!(r.status, 503, "{}", r.body);
        assert!(r.header("Location").is_none(), "not sent to the sign-in page");
        assert!(r.body.contains("id=\"busy\"") && r.body.contains("été enregistré"), "{}", r.body);
        assert!(waited < Duration::from_secs(20), "answered within the lock timeout ({waited:?})");
        match engine {
            Engine::Postgres => holder.batch_execute("SELECT pg_advisory_unlock(727274)").unwrap(),
            Engine::Sqlite => holder.batch_execute("ROLLBACK").unwrap(),
        }
        assert_eq!(count(&cl.db, "case_notes"), 0, "nothing half-saved");
        let r = inv.post("/staff/cases/1/notes", "body=Une+note+importante");
        assert_eq!(r.status, 303, "sent again, it goes through");
        assert_eq!(count(&cl.db, "case_notes"), 1);
    });
}

/// An admin and two training partners, "Ecole" (1) and "Partenaire" (2), each with a trainer
/// signed in on its own server of the cluster. Returns the admin's id and the two trainers.
fn two_partners(cl: &Cluster) -> (i32, Agent, Agent) {
    let admin_id = add_user(&cl.db, "admin@vigie.ml", "admin", None);
    let t1 = add_user(&cl.db, "t1@ecole.ml", "trainer", None);
    let t2 = add_user(&cl.db, "t2@partenaire.org", "trainer", None);
    let mut admin = Agent::sign_in(cl.ports[0], "admin@vigie.ml");
    for body in ["name=Ecole&kind=national_school", "name=Partenaire&kind=international"] {
        let r = admin.post("/staff/training/partners", body);
        assert_eq!(r.status, 303, "{}", r.body);
    }
    for (uid, partner) in [(t1, 1), (t2, 2)] {
        let r =
            admin.post("/staff/training/partners/members", &format!("user_id={uid}&partner_id={partner}"));
        assert_eq!(r.status, 303, "{}", r.body);
    }
    (admin_id, Agent::sign_in(cl.ports[0], "t1@ecole.ml"), Agent::sign_in(cl.ports[1], "t2@partenaire.org"))
}

/// Issue 12: two partners plan the same module for the same unit at the same moment, on two
/// servers. Each plan is checked against the other partners' offers inside its write, under
/// the planning lock, so exactly one goes through and the other is stopped as a duplicate (it
/// would need a written reason): never two plans that each missed the other.
#[test]
fn two_partners_planning_the_same_offer_at_once_one_is_stopped() {
    use vigie::schema::{training_modules, training_sessions, units};
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        let (_, mut a, mut b) = two_partners(&cl);
        let mut c = cl.db.conn();
        for k in 0..PAIRS {
            let r = a.post("/staff/training/units", &format!("name=GTIA+{k}&force=fama_army&strength=600"));
            assert_eq!(r.status, 303, "{}", r.body);
        }
        a.get("/staff/training/sessions");
        b.get("/staff/training/sessions");
        let module: i32 = training_modules::table
            .order(training_modules::id)
            .select(training_modules::id)
            .first(&mut c)
            .unwrap();
        let unit_ids: Vec<i32> = units::table.order(units::id).select(units::id).load(&mut c).unwrap();
        for u in &unit_ids {
            let plan =
                |from: &str| format!("modules={module}&units={u}&planned_from={from}&planned_to=2027-03-12");
            let rs = race(vec![
                (a.port, a.form("/staff/training/sessions", &plan("2027-03-09"))),
                (b.port, b.form("/staff/training/sessions", &plan("2027-03-10"))),
            ]);
            no_server_error(&rs, "planning");
            let mut codes: Vec<u16> = rs.iter().map(|r| r.status).collect();
            codes.sort_unstable();
            assert_eq!(codes, vec![303, 422], "unit {u}: one plan, one stopped: {rs:?}");
            let stopped = rs.iter().find(|r| r.status == 422).unwrap();
            assert!(stopped.body.contains("id=\"go_ahead_reason\""), "asked for a reason: {}", stopped.body);
            let n: i64 = training_sessions::table
                .inner_join(vigie::schema::session_units::table)
                .filter(vigie::schema::session_units::unit_id.eq(u))
                .count()
                .get_result(&mut c)
                .unwrap();
            assert_eq!(n, 1, "unit {u}");
        }
    });
}

/// Issue 12: two case workers propose training remediation from the same case at the same
/// moment, on two servers. The case's row is locked and the units already proposed read again
/// inside the write, so each unit gets one action per case, never two.
#[test]
fn two_case_workers_proposing_remediation_from_one_case_at_once_make_one_action() {
    use vigie::schema::{dispositions, remediation_actions, units};
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        add_user(&cl.db, "t1@ecole.ml", "trainer", None);
        let n = 8;
        let case_ids = open_cases(&cl, n);
        let mut trainer = Agent::sign_in(cl.ports[0], "t1@ecole.ml");
        let r = trainer.post("/staff/training/units", "name=Commissariat+1&force=police&strength=80");
        assert_eq!(r.status, 303, "{}", r.body);
        let mut c = cl.db.conn();
        let unit: i32 = units::table.select(units::id).first(&mut c).unwrap();
        let sub: i32 = dispositions::table
            .filter(dispositions::code.eq("substantiated"))
            .select(dispositions::id)
            .first(&mut c)
            .unwrap();
        // Substantiated findings naming the unit (set in the database: the findings' own flow is
        // not what races here).
        diesel::update(allegations::table)
            .set((allegations::unit_id.eq(Some(unit)), allegations::disposition_id.eq(Some(sub))))
            .execute(&mut c)
            .unwrap();
        // At the findings step, where a recommendation is sent.
        diesel::update(vigie::schema::cases::table)
            .set(vigie::schema::cases::status.eq("findings"))
            .execute(&mut c)
            .unwrap();
        let mut inv = Agent::sign_in(cl.ports[0], "inv@cndh.ml");
        let mut inv2 = Agent::sign_in(cl.ports[1], "inv2@cndh.ml");
        for id in &case_ids {
            let r =
                inv.post(&format!("/staff/cases/{id}/recommendations"), "addressee=Direction&content=Former");
            assert_eq!(r.status, 303, "{}", r.body);
        }
        inv.get("/staff/cases");
        inv2.get("/staff/cases");
        for id in &case_ids {
            let path = format!("/staff/cases/{id}/training-remediation");
            let rs = race(vec![(inv.port, inv.form(&path, "")), (inv2.port, inv2.form(&path, ""))]);
            no_server_error(&rs, "proposing");
            let made: i64 = remediation_actions::table
                .filter(remediation_actions::case_id.eq(id))
                .count()
                .get_result(&mut c)
                .unwrap();
            assert_eq!(made, 1, "case {id}: one action for its unit: {rs:?}");
            let audited: i64 = audit_log::table
                .filter(audit_log::action.eq("case.training_remediation"))
                .filter(audit_log::object_id.eq(id.to_string()))
                .count()
                .get_result(&mut c)
                .unwrap();
            assert_eq!(audited, 1, "case {id}: the one that made it is audited, the other wrote nothing");
        }
    });
}

/// Issue 12: trainers of two partners act at the same moment on a remediation action no
/// partner carries yet (one proposed from a case), on two servers. Taking it is one
/// conditional update, so one partner takes it and the other's write answers 404: never both,
/// never a key action written for the partner that lost.
#[test]
fn two_partners_taking_one_remediation_action_at_once_one_gets_it() {
    use vigie::schema::{remediation_actions, remediation_key_actions};
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        let (creator, mut a, mut b) = two_partners(&cl);
        let mut c = cl.db.conn();
        // Actions no partner carries yet, as a case worker's proposal leaves them.
        let ids: Vec<i32> = (0..PAIRS)
            .map(|k| {
                diesel::insert_into(remediation_actions::table)
                    .values((
                        remediation_actions::status.eq("gap_identified"),
                        remediation_actions::issue.eq(format!("Action {k}")),
                        remediation_actions::created_by.eq(creator),
                        remediation_actions::created_at.eq(chrono::Utc::now().naive_utc()),
                    ))
                    .returning(remediation_actions::id)
                    .get_result(&mut c)
                    .unwrap()
            })
            .collect();
        a.get("/staff/training/remediation");
        b.get("/staff/training/remediation");
        for id in &ids {
            let path = format!("/staff/training/remediation/{id}/key-actions");
            let rs = race(vec![
                (a.port, a.form(&path, "description=Ecole&due_on=2027-01-15")),
                (b.port, b.form(&path, "description=Partenaire&due_on=2027-01-15")),
            ]);
            no_server_error(&rs, "taking");
            let mut codes: Vec<u16> = rs.iter().map(|r| r.status).collect();
            codes.sort_unstable();
            assert_eq!(codes, vec![303, 404], "action {id}: one takes it: {rs:?}");
            let carrier: Option<i32> = remediation_actions::table
                .find(id)
                .select(remediation_actions::partner_id)
                .first(&mut c)
                .unwrap();
            let keys: Vec<String> = remediation_key_actions::table
                .filter(remediation_key_actions::action_id.eq(id))
                .select(remediation_key_actions::description)
                .load(&mut c)
                .unwrap();
            let winner = if codes == [303, 404] && rs[0].status == 303 { "Ecole" } else { "Partenaire" };
            assert_eq!(keys, vec![winner.to_string()], "action {id}: only the winner's key action");
            assert_eq!(carrier, Some(if winner == "Ecole" { 1 } else { 2 }), "action {id}");
        }
    });
}

/// An intake officer sends a case's only allegation elsewhere while an investigator writes the
/// case's first note, at the same moment, on two servers. The case is withdrawn when nobody
/// had worked on it, finished when the note came first: the two writes take the case's event
/// and row in one order (`cases::model::lock_case`), so the note is either seen as work or
/// finds the case gone (404), never a case deleted under a note, never a server error.
#[test]
fn an_override_and_a_first_note_at_once_withdraw_the_case_or_keep_the_note() {
    use vigie::schema::case_notes;
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        setup_staff(&cl.db);
        let n = 12;
        let case_ids = open_cases(&cl, n);
        let intake = Agent::sign_in(cl.ports[0], "intake@cndh.ml");
        let inv = Agent::sign_in(cl.ports[1], "inv@cndh.ml");
        let mut c = cl.db.conn();
        let (mut withdrawn, mut kept) = (0, 0);
        for id in &case_ids {
            let event: i32 = cases::table.find(id).select(cases::event_id).first(&mut c).unwrap();
            let allegation: i32 = allegations::table
                .filter(allegations::event_id.eq(event))
                .select(allegations::id)
                .first(&mut c)
                .unwrap();
            let rs = race(vec![
                (
                    intake.port,
                    intake.form(
                        &format!("/staff/allegations/{allegation}/override"),
                        "destination=mediateur&reason=Refus+de+service",
                    ),
                ),
                (inv.port, inv.form(&format!("/staff/cases/{id}/notes"), "body=T%C3%A9moin+%C3%A0+rappeler")),
            ]);
            no_server_error(&rs, "an override and a note");
            assert_eq!(rs[0].status, 303, "case {id}: the override is always made: {}", rs[0].body);
            let status: Option<String> =
                cases::table.find(id).select(cases::status).first(&mut c).optional().unwrap();
            let notes: i64 =
                case_notes::table.filter(case_notes::case_id.eq(id)).count().get_result(&mut c).unwrap();
            match status.as_deref() {
                None => {
                    assert_eq!(notes, 0, "case {id}: deleted under a note");
                    assert_eq!(rs[1].status, 404, "case {id}: the note finds the case gone");
                    withdrawn += 1;
                }
                Some(s) => {
                    assert_eq!((s, notes), ("out_of_scope", 1), "case {id}: the note came first: finished");
                    assert_eq!(rs[1].status, 303, "case {id}");
                    kept += 1;
                }
            }
        }
        eprintln!("{engine:?}: {withdrawn} withdrawn, {kept} finished with their note");
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

/// Issue 12 (found in review, session 18): a trainer moves a remediation action to "planned"
/// while a lessons form that takes its session off is being saved (held open here by a raw
/// transaction). The move locks the action's row before reading it, so it waits for that save,
/// sees the session gone and is refused; without the lock PostgreSQL read the action from
/// before the save and ended it "planned" with no session.
#[test]
fn a_step_move_waits_for_a_lessons_form_being_saved_and_sees_it() {
    use diesel::connection::SimpleConnection;
    use vigie::schema::{remediation_actions, training_modules, units};
    each_engine(|engine| {
        let cl = Cluster::start(engine);
        let (_, mut a, _) = two_partners(&cl);
        let r = a.post("/staff/training/units", "name=GTIA+1&force=fama_army&strength=300");
        assert_eq!(r.status, 303, "{}", r.body);
        let mut c = cl.db.conn();
        let unit: i32 = units::table.select(units::id).first(&mut c).unwrap();
        let module: i32 = training_modules::table
            .order(training_modules::id)
            .select(training_modules::id)
            .first(&mut c)
            .unwrap();
        let r = a.post(
            "/staff/training/sessions",
            &format!("modules={module}&units={unit}&planned_from=2027-03-01&planned_to=2027-03-03"),
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let r = a.post(
            "/staff/training/remediation",
            &format!("issue=Interrogatoires&unit={unit}&module={module}"),
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let path = r.header("Location").unwrap().to_string();
        let r = a.post(&format!("{path}/lessons"), &format!("module={module}&session=1"));
        assert_eq!(r.status, 303, "{}", r.body);
        a.get(&path);

        let mut holder = cl.db.conn();
        holder.batch_execute(if engine == Engine::Sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" }).unwrap();
        // As every writer of an action's sessions does, the action's row is held first.
        holder
            .batch_execute("UPDATE remediation_actions SET status = status; DELETE FROM remediation_sessions")
            .unwrap();
        let mover = std::thread::spawn(move || a.post(&format!("{path}/move"), "to=planned"));
        std::thread::sleep(Duration::from_millis(700));
        holder.batch_execute("COMMIT").unwrap();
        let r = mover.join().unwrap();
        assert_eq!(r.status, 422, "refused: the session is gone: {}", r.body);
        let status: String =
            remediation_actions::table.select(remediation_actions::status).first(&mut c).unwrap();
        let named: i64 = vigie::schema::remediation_sessions::table.count().get_result(&mut c).unwrap();
        assert_eq!((status.as_str(), named), ("module_assigned", 0));
    });
}
