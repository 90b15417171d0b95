//! Issue 16: reports by USSD and SMS, played through the webhooks as an aggregator and an
//! Android gateway would, with a real HTTP server standing in for the gateway's send API.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use diesel::prelude::*;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;
use vigie::schema::{
    cases, channel_contacts, channel_salts, channel_sessions, report_channels, report_violations, reports,
    sms_outbox, violation_types,
};

const USSD_SECRET: &str = "ussd-secret-0123456789abcdef";
const SMS_SECRET: &str = "sms-secret-0123456789abcdefgh";
const SIGNING_KEY: &str = "gateway-signing-key";
const PHONE: &str = "+223 76 12 34 56";
const PHONE_DIGITS: [&str; 2] = ["76123456", "22376123456"];
const PHONE2: &str = "+22365432198";

/// A gateway's send API: takes every POST, answers 200 (or 500 for the first `fail` ones),
/// and keeps (the Authorization header, the body) of each.
struct Gateway {
    port: u16,
    got: Arc<Mutex<Vec<(String, String)>>>,
    /// How many of the next requests get a 500.
    fail: Arc<std::sync::atomic::AtomicUsize>,
}

impl Gateway {
    fn start() -> Gateway {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(vec![]));
        let store = got.clone();
        let fail = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let failing = fail.clone();
        std::thread::spawn(move || {
            use std::sync::atomic::Ordering::SeqCst;
            for stream in listener.incoming().flatten() {
                let ok = failing.fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1)).is_err();
                let _ = serve(stream, &store, ok);
            }
        });
        Gateway { port, got, fail }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/message", self.port)
    }

    /// The text of each SMS received, with its number.
    fn messages(&self) -> Vec<(String, String)> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| {
                let v: serde_json::Value = serde_json::from_str(body).unwrap();
                (
                    v["phoneNumbers"][0].as_str().unwrap().to_string(),
                    v["textMessage"]["text"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn serve(stream: TcpStream, store: &Mutex<Vec<(String, String)>>, ok: bool) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let (mut len, mut auth) = (0usize, String::new());
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.strip_prefix("Content-Length: ") {
            len = v.parse().unwrap_or(0);
        }
        if let Some(v) = l.strip_prefix("Authorization: ") {
            auth = v.to_string();
        }
    }
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    let mut out = stream;
    if ok {
        store.lock().unwrap().push((auth, String::from_utf8_lossy(&body).into_owned()));
        out.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    } else {
        out.write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }
}

fn app(engine: Engine, gateway: &Gateway) -> TestApp {
    let url = gateway.url();
    TestApp::with_figment(TestDb::new(engine), move |f| {
        f.merge(("totp_required_roles", Vec::<String>::new()))
            .merge(("channels.ussd_secret", USSD_SECRET))
            .merge(("channels.sms_secret", SMS_SECRET))
            .merge(("channels.sms_signing_key", SIGNING_KEY))
            .merge(("channels.gateway_url", url))
            .merge(("channels.gateway_credentials", "vigie:gateway-password"))
            .merge(("channels.sms_poll_seconds", 3600))
    })
}

fn form(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// One USSD session, answered screen by screen.
struct Ussd<'a> {
    c: &'a Client,
    session: String,
    phone: String,
    inputs: Vec<String>,
    screen: String,
}

impl<'a> Ussd<'a> {
    fn start(c: &'a Client, session: &str, phone: &str) -> Ussd<'a> {
        let mut u =
            Ussd { c, session: session.into(), phone: phone.into(), inputs: vec![], screen: String::new() };
        u.post();
        u
    }

    fn post(&mut self) {
        let body = form(&[
            ("sessionId", &self.session),
            ("serviceCode", "*123*45#"),
            ("phoneNumber", &self.phone),
            ("text", &self.inputs.join("*")),
        ]);
        let r = self
            .c
            .post(format!("/channels/ussd/{USSD_SECRET}"))
            .header(ContentType::Form)
            .body(body)
            .dispatch();
        assert_eq!(r.status(), Status::Ok);
        self.screen = r.into_string().unwrap();
        assert!(self.screen.starts_with("CON ") || self.screen.starts_with("END "), "{}", self.screen);
        // Every screen fits a USSD screen.
        assert!(
            self.screen.chars().count() <= 182,
            "{} chars:\n{}",
            self.screen.chars().count(),
            self.screen
        );
    }

    fn send(&mut self, input: &str) -> &str {
        self.inputs.push(input.into());
        self.post();
        &self.screen
    }

    /// Picks the line starting with `label`, going through the pages as a person would.
    fn pick(&mut self, label: &str) {
        for _ in 0..6 {
            if let Some(n) = number_of(&self.screen, label) {
                self.send(&n);
                return;
            }
            assert!(self.screen.contains("\n98 "), "no `{label}` and no next page:\n{}", self.screen);
            self.send("98");
        }
        panic!("`{label}` never shown");
    }
}

fn number_of(screen: &str, label: &str) -> Option<String> {
    screen.lines().find_map(|l| {
        let (n, rest) = l.split_once(' ')?;
        (n.chars().all(|c| c.is_ascii_digit()) && rest.starts_with(label)).then(|| n.to_string())
    })
}

fn receipt_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    for i in 0..chars.len().saturating_sub(18) {
        let w: String = chars[i..i + 19].iter().collect();
        if w.split(' ').count() == 4
            && w.split(' ').all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_digit()))
        {
            return w;
        }
    }
    panic!("no receipt in {text}")
}

/// The report: (violation code, occurred_on, precision, region, cercle, force code, place id).
type Filed = (String, chrono::NaiveDate, String, Option<String>, Option<String>, String, Option<i32>);

fn report_row(db: &TestDb, id: i32) -> Filed {
    let mut c = db.conn();
    let (on, precision, region, cercle, force, place): (
        chrono::NaiveDate,
        String,
        Option<String>,
        Option<String>,
        i32,
        Option<i32>,
    ) = reports::table
        .find(id)
        .select((
            reports::occurred_on,
            reports::date_precision,
            reports::region_code,
            reports::cercle_code,
            reports::force_id,
            reports::place_id,
        ))
        .first(&mut c)
        .unwrap();
    let vt: String = report_violations::table
        .inner_join(violation_types::table)
        .filter(report_violations::report_id.eq(id))
        .select(violation_types::code)
        .first(&mut c)
        .unwrap();
    #[derive(QueryableByName)]
    struct Code {
        #[diesel(sql_type = diesel::sql_types::Text)]
        code: String,
    }
    let force: Code =
        diesel::sql_query(format!("SELECT code FROM forces WHERE id = {force}")).get_result(&mut c).unwrap();
    (vt, on, precision, region, cercle, force.code, place)
}

fn receipt_opens(c: &Client, receipt: &str) -> bool {
    let token = csrf(c);
    let r = c
        .post("/receipt")
        .header(ContentType::Form)
        .body(format!("csrf={token}&receipt={receipt}"))
        .dispatch();
    r.status() == Status::Ok && between(&r.into_string().unwrap(), "id=\"status\">").is_some()
}

fn deliver(app: &TestApp) -> usize {
    let rocket = app.client.rocket();
    let db = rocket.state::<vigie::db::Db>().unwrap();
    let config = rocket.state::<Arc<vigie::config::Config>>().unwrap();
    let ch = rocket.state::<Arc<vigie::channels::Channels>>().unwrap();
    vigie::channels::deliver_due_sms(db, &config.channels, &ch.keys).unwrap()
}

/// An inbound SMS through `adapter`, signed as the gateway signs; the status.
fn sms_signed(c: &Client, adapter: &str, body: &str, ts: u64, signature: Option<String>) -> Status {
    let ts = ts.to_string();
    let sig = signature.unwrap_or_else(|| vigie::channels::adapters::sign(SIGNING_KEY, body.as_bytes(), &ts));
    let ct = if adapter == "android" { ContentType::JSON } else { ContentType::Form };
    c.post(format!("/channels/sms/{adapter}/{SMS_SECRET}"))
        .header(ct)
        .header(Header::new("X-Timestamp", ts))
        .header(Header::new("X-Signature", sig))
        .body(body)
        .dispatch()
        .status()
}

fn next_id() -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    format!("msg-{}", N.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// An SMS from `phone` through the form adapter, then the reply as the phone receives it.
fn sms_form(app: &TestApp, gw: &Gateway, phone: &str, text: &str) -> String {
    let before = gw.messages().len();
    assert_eq!(
        sms_signed(
            &app.client,
            "form",
            // Each inbound SMS has its own id, as aggregators send (the same body signed in the
            // same second would be a replay).
            &form(&[("from", phone), ("to", "36000"), ("text", text), ("id", &next_id())]),
            now(),
            None
        ),
        Status::Ok
    );
    let queued: Vec<(String, chrono::NaiveDateTime)> = sms_outbox::table
        .filter(sms_outbox::body.ne(""))
        .select((sms_outbox::body, sms_outbox::created_at))
        .load(&mut app.db.conn())
        .unwrap();
    deliver(app);
    let got = gw.messages();
    assert_eq!(got.len(), before + 1, "one reply to `{text}`");
    let reply = got.last().unwrap().1.clone();
    // While it waited (a receipt among them), the text was sealed and the row dated to the day.
    assert!(!queued.is_empty());
    for (body, at) in &queued {
        assert!(body.starts_with("v1:") && !body.contains(&reply), "sealed: {body}");
        assert_eq!(at.time(), chrono::NaiveTime::MIN, "dated to the day");
    }
    reply
}

fn sms_android(app: &TestApp, gw: &Gateway, phone: &str, text: &str) -> String {
    let before = gw.messages().len();
    let body = serde_json::json!({
        "deviceId": "dev1", "event": "sms:received", "id": next_id(), "webhookId": "wh1",
        "payload": { "messageId": "m1", "message": text, "phoneNumber": phone, "simNumber": 1, "receivedAt": "2026-11-30T10:00:00+00:00" }
    })
    .to_string();
    assert_eq!(sms_signed(&app.client, "android", &body, now(), None), Status::Ok);
    deliver(app);
    let got = gw.messages();
    assert_eq!(got.len(), before + 1, "one reply to `{text}`");
    got.last().unwrap().1.clone()
}

/// Answers an SMS list question by the label, asking for the next page (98) as needed.
fn sms_pick(app: &TestApp, gw: &Gateway, phone: &str, screen: &str, label: &str, android: bool) -> String {
    let mut screen = screen.to_string();
    for _ in 0..6 {
        let input = number_of(&screen, label).unwrap_or_else(|| "98".into());
        let done = input != "98";
        screen = if android { sms_android(app, gw, phone, &input) } else { sms_form(app, gw, phone, &input) };
        if done {
            return screen;
        }
    }
    panic!("`{label}` never shown");
}

fn days_ago(n: u64) -> chrono::NaiveDate {
    chrono::Utc::now().date_naive() - chrono::Days::new(n)
}

/// Both USSD sessions and both SMS conversations, then staff answering, STOP, the refusals and
/// the scan for numbers: on each engine.
#[test]
fn reports_by_ussd_and_sms_in_french_and_bambara_reach_intake_and_staff_answers_reach_the_phone() {
    each_engine(|engine| {
        let gw = Gateway::start();
        let app = app(engine, &gw);
        let c = &app.client;

        // 1. USSD in French: region and cercle from the lists.
        let mut u = Ussd::start(c, "ATUid_fr", PHONE);
        assert!(u.screen.contains("1 Français\n2 Bamanankan"), "{}", u.screen);
        u.send("1");
        u.send("1");
        u.pick("Torture, coups");
        u.pick("Coups ou force");
        u.send("2");
        u.send("1");
        u.pick("Mopti");
        u.pick("Bandiagara");
        u.pick("Gendarmerie");
        u.send("Ils ont frappe des gens au marche");
        u.send("1");
        assert!(u.screen.starts_with("CON Envoyer ?"), "{}", u.screen);
        u.send("1");
        assert!(u.screen.starts_with("END Merci."), "{}", u.screen);
        let receipt_fr = receipt_in(&u.screen);
        assert_eq!(count(&app.db, "reports"), 1);
        let filed = report_row(&app.db, 1);
        assert_eq!(
            filed,
            (
                "integrity.beating".into(),
                days_ago(1),
                "exact".into(),
                Some("ML-5".into()),
                Some("ML.MO.BD".into()),
                "gendarmerie".into(),
                None
            )
        );
        assert!(receipt_opens(c, &receipt_fr), "the receipt works on /receipt");
        let mut conn = app.db.conn();
        let ch: String =
            report_channels::table.find(1).select(report_channels::channel).first(&mut conn).unwrap();
        assert_eq!(ch, "ussd");
        assert_eq!(count(&app.db, "channel_contacts"), 1, "the reporter said yes to replies");
        assert_eq!(count(&app.db, "channel_sessions"), 0, "USSD keeps nothing");
        // The same held audit entry as a web report, which says the channel.
        let held: Vec<String> = vigie::schema::pending_reporter_events::table
            .filter(vigie::schema::pending_reporter_events::action.eq("report.create"))
            .select(vigie::schema::pending_reporter_events::details)
            .load(&mut conn)
            .unwrap();
        assert_eq!(held, vec!["channel=api files=0 phone=ussd replies=sms".to_string()]);

        // The status by USSD with the receipt.
        let mut s = Ussd::start(c, "ATUid_st", PHONE2);
        s.send("1");
        s.send("2");
        s.send(&receipt_fr.replace(' ', ""));
        assert_eq!(s.screen, "END Dossier : Reçu.");

        // 2. USSD in Bambara: a date typed, a place by its name, no description, no replies.
        let mut u = Ussd::start(c, "ATUid_bm", PHONE2);
        u.send("2");
        assert!(u.screen.starts_with("CON I ni ce"), "{}", u.screen);
        u.send("1");
        assert!(u.screen.starts_with("CON Mun de kèra?"), "Bambara in the popular spelling: {}", u.screen);
        // Bambara labels (main's draft), sent in the popular spelling.
        u.pick("Mògò minèli");
        u.pick("Mògò minèna sariya");
        u.send("4");
        let date = days_ago(10);
        u.send(&date.format("%d%m%Y").to_string());
        u.send("2");
        u.send("Sevare");
        u.pick("Sévaré");
        u.pick("Pulisiw");
        u.send("0");
        u.send("2");
        assert!(u.screen.starts_with("CON K'a ci wa?"), "{}", u.screen);
        u.send("1");
        assert!(u.screen.starts_with("END I ni ce."), "{}", u.screen);
        let receipt_bm = receipt_in(&u.screen);
        let filed = report_row(&app.db, 2);
        assert_eq!(
            filed,
            (
                "liberty.arbitrary_arrest".into(),
                date,
                "exact".into(),
                Some("ML-5".into()),
                Some("ML.MO.MP".into()),
                "police".into(),
                Some(2451285)
            )
        );
        assert!(receipt_opens(c, &receipt_bm));
        let locale: String = reports::table.find(2).select(reports::locale).first(&mut conn).unwrap();
        assert_eq!(locale, "bm");
        assert_eq!(count(&app.db, "channel_contacts"), 1, "no number kept without a yes");

        // 3. SMS in French, a guided conversation (form adapter, signed).
        let sms_phone = "+22370000001";
        let r = sms_form(&app, &gw, sms_phone, "Bonjour");
        assert!(r.contains("1 Français"), "{r}");
        assert_eq!(count(&app.db, "channel_sessions"), 1);
        sms_form(&app, &gw, sms_phone, "1");
        let r = sms_form(&app, &gw, sms_phone, "1");
        let r = sms_pick(&app, &gw, sms_phone, &r, "Biens", false);
        let r = sms_pick(&app, &gw, sms_phone, &r, "Racket", false);
        assert!(r.starts_with("Quand ?"), "{r}");
        sms_form(&app, &gw, sms_phone, "1");
        let r = sms_form(&app, &gw, sms_phone, "1");
        let r = sms_pick(&app, &gw, sms_phone, &r, "Ségou", false);
        let r = sms_pick(&app, &gw, sms_phone, &r, "San", false);
        let r = sms_pick(&app, &gw, sms_phone, &r, "Autres agents", false);
        assert!(r.starts_with("Dites en quelques mots"), "{r}");
        sms_form(&app, &gw, sms_phone, "On nous a pris 5000 francs au poste de controle");
        let r = sms_form(&app, &gw, sms_phone, "2");
        assert!(r.starts_with("Envoyer ?"), "{r}");
        let r = sms_form(&app, &gw, sms_phone, "1");
        assert!(r.starts_with("Merci."), "{r}");
        let receipt_sms = receipt_in(&r);
        assert!(receipt_opens(c, &receipt_sms));
        assert_eq!(
            report_row(&app.db, 3),
            (
                "property.extortion".into(),
                days_ago(0),
                "exact".into(),
                Some("ML-4".into()),
                Some("ML.SG.SN".into()),
                "other_state".into(),
                None
            )
        );
        assert_eq!(count(&app.db, "channel_sessions"), 0, "a filed report ends the conversation");

        // 4. SMS in Bambara, a free first message (the Android gateway's JSON, signed).
        let bm_phone = "+22370000002";
        let first = "Sɔrɔdasiw ye an ka misiw ta kunun su fɛ Niono";
        let r = sms_android(&app, &gw, bm_phone, first);
        assert!(r.contains("2 Bamanankan"), "{r}");
        let r = sms_android(&app, &gw, bm_phone, "2");
        let r = sms_pick(&app, &gw, bm_phone, &r, "Nafolo", true);
        let r = sms_pick(&app, &gw, bm_phone, &r, "Sonyali walima", true);
        assert!(r.starts_with("Tuma jumèn?"), "{r}");
        let r = sms_android(&app, &gw, bm_phone, "2");
        assert!(r.starts_with("Min?"), "{r}");
        let r = sms_android(&app, &gw, bm_phone, "1");
        let r = sms_pick(&app, &gw, bm_phone, &r, "Ségou", true);
        let r = sms_pick(&app, &gw, bm_phone, &r, "Niono", true);
        let r = sms_pick(&app, &gw, bm_phone, &r, "Dugukolo kan", true);
        // The first message is the description: no question about it.
        assert!(r.starts_with("I b'a fè ka jaabiw sòrò SMS fè"), "{r}");
        let r = sms_android(&app, &gw, bm_phone, "1");
        assert!(r.starts_with("K'a ci wa?"), "{r}");
        let r = sms_android(&app, &gw, bm_phone, "1");
        assert!(r.starts_with("I ni ce."), "{r}");
        assert!(receipt_opens(c, &receipt_in(&r)));
        assert_eq!(
            report_row(&app.db, 4),
            (
                "property.looting".into(),
                days_ago(1),
                "exact".into(),
                Some("ML-4".into()),
                Some("ML.SG.NN".into()),
                "fama_army".into(),
                None
            )
        );
        let narrative: String = reports::table.find(4).select(reports::narrative).first(&mut conn).unwrap();
        assert_eq!(narrative, first);
        let ch: String =
            report_channels::table.find(4).select(report_channels::channel).first(&mut conn).unwrap();
        assert_eq!(ch, "sms");
        assert_eq!(count(&app.db, "channel_contacts"), 2);

        // 5. STOP ends a conversation and erases it.
        sms_form(&app, &gw, "+22370000003", "Bonjour");
        sms_form(&app, &gw, "+22370000003", "1");
        assert_eq!(count(&app.db, "channel_sessions"), 1);
        let r = sms_form(&app, &gw, "+22370000003", "STOP");
        assert_eq!(r, "Conversation terminée. Rien n'a été gardé.");
        assert_eq!(count(&app.db, "channel_sessions"), 0);

        // 5b. The number's hash changes every day: a conversation started under yesterday's salt
        // is found and moved under today's.
        let p4 = "+22370000004";
        sms_form(&app, &gw, p4, "Bonjour");
        sms_form(&app, &gw, p4, "1");
        let hash = || -> String {
            channel_sessions::table.select(channel_sessions::number_hash).first(&mut app.db.conn()).unwrap()
        };
        let before = hash();
        diesel::update(channel_salts::table)
            .set(channel_salts::day.eq(days_ago(1)))
            .execute(&mut conn)
            .unwrap();
        let r = sms_form(&app, &gw, p4, "1");
        assert!(r.starts_with("Que s'est-il passé"), "the conversation went on: {r}");
        assert_eq!(count(&app.db, "channel_sessions"), 1);
        assert_ne!(hash(), before, "kept under today's hash");
        assert_eq!(count(&app.db, "channel_salts"), 2, "today's and yesterday's");
        // After 24 hours of silence it is forgotten: the next message starts afresh, and the
        // hourly sweep deletes what is left.
        let old = chrono::Utc::now().naive_utc() - chrono::Duration::hours(25);
        diesel::update(channel_sessions::table)
            .set(channel_sessions::updated_at.eq(old))
            .execute(&mut conn)
            .unwrap();
        let r = sms_form(&app, &gw, p4, "2");
        assert!(r.contains("1 Français"), "a new conversation: {r}");
        diesel::update(channel_sessions::table)
            .set(channel_sessions::updated_at.eq(old))
            .execute(&mut conn)
            .unwrap();
        let sweep = chrono::Utc::now().naive_utc() - chrono::Duration::hours(24);
        assert_eq!(vigie::channels::model::expire_sessions(&mut conn, sweep).unwrap(), 1);
        assert_eq!(count(&app.db, "channel_sessions"), 0);

        // 6. Staff see the channel and answer through it: the message reaches the phone.
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        let intake = Client::tracked(
            vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
        )
        .unwrap();
        sign_in(&intake, "intake@cndh.ml", PW);
        let page = intake.get("/staff/reports/1").dispatch().into_string().unwrap();
        assert!(page.contains("· USSD ·"), "the channel on the report page");
        let post = |cl: &Client, path: &str, body: &str| {
            let token = csrf(cl);
            cl.post(path).header(ContentType::Form).body(format!("csrf={token}&{body}")).dispatch().status()
        };
        assert_eq!(post(&intake, "/staff/reports/1/events", "title=Bandiagara"), Status::SeeOther);
        post(&intake, "/staff/events/1/allegations", "violation_type=integrity.beating&force=gendarmerie");
        assert_eq!(post(&intake, "/staff/events/1/route", ""), Status::SeeOther);
        let case_id: i32 = cases::table.select(cases::id).first(&mut conn).unwrap();
        let inv = Client::tracked(
            vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
        )
        .unwrap();
        sign_in(&inv, "inv@cndh.ml", PW);
        let case_page = inv.get(format!("/staff/cases/{case_id}")).dispatch().into_string().unwrap();
        assert!(case_page.contains("id=\"sms-reply-1\""), "the case worker is told the reply goes by SMS");
        let before = gw.messages().len();
        let s = post(
            &inv,
            &format!("/staff/cases/{case_id}/messages"),
            "report_id=1&body=Pouvez-vous+nous+rappeler+demain+%3F",
        );
        assert_eq!(s, Status::SeeOther);
        // The gateway is down for the first try: the SMS waits and is tried again.
        gw.fail.store(1, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(deliver(&app), 0);
        let (attempts, error): (i32, Option<String>) = sms_outbox::table
            .filter(sms_outbox::sent_at.is_null())
            .select((sms_outbox::attempts, sms_outbox::last_error))
            .first(&mut conn)
            .unwrap();
        assert_eq!(attempts, 1);
        assert!(error.unwrap().contains("500"));
        assert_eq!(deliver(&app), 0, "not before its backoff");
        diesel::update(sms_outbox::table.filter(sms_outbox::sent_at.is_null()))
            .set(sms_outbox::next_attempt_at.eq(chrono::Utc::now().naive_utc()))
            .execute(&mut conn)
            .unwrap();
        assert_eq!(deliver(&app), 1);
        let got = gw.messages();
        assert_eq!(got.len(), before + 1);
        assert_eq!(
            got.last().unwrap(),
            &("+22376123456".to_string(), "Pouvez-vous nous rappeler demain ?".to_string())
        );
        assert!(gw
            .got
            .lock()
            .unwrap()
            .iter()
            .all(|(auth, _)| auth == "Basic dmlnaWU6Z2F0ZXdheS1wYXNzd29yZA=="));
        // Every SMS sent is gone from the outbox (its times would date the reporter's messages).
        assert_eq!(count(&app.db, "sms_outbox"), 0);
        // A text an older version queued in clear is sealed (as at start), and still sent.
        let ch = app.client.rocket().state::<Arc<vigie::channels::Channels>>().unwrap().clone();
        vigie::channels::model::enqueue_sms(&mut conn, &ch.keys.seal("22376123456"), "Texte ancien").unwrap();
        assert_eq!(vigie::channels::model::seal_clear_texts(&mut conn, |t| ch.keys.seal_text(t)).unwrap(), 1);
        let body: String = sms_outbox::table.select(sms_outbox::body).first(&mut conn).unwrap();
        assert!(body.starts_with("v1:") && !body.contains("ancien"), "{body}");
        assert_eq!(vigie::channels::model::seal_clear_texts(&mut conn, |t| ch.keys.seal_text(t)).unwrap(), 0);
        assert_eq!(deliver(&app), 1);
        assert_eq!(gw.messages().last().unwrap().1, "Texte ancien");

        // 7. Forged, replayed, stale and malformed callbacks are refused with nothing written.
        let rows = || {
            ["reports", "channel_sessions", "sms_outbox", "channel_contacts", "report_channels"]
                .map(|t| count(&app.db, t))
        };
        let before = rows();
        let body = form(&[("from", "+22370000009"), ("text", "Bonjour")]);
        assert_eq!(sms_signed(c, "form", &body, now(), Some("00".repeat(32))), Status::Forbidden, "forged");
        let signed_at = now().to_string();
        let sig = vigie::channels::adapters::sign(SIGNING_KEY, body.as_bytes(), &signed_at);
        let replay = |c: &Client| {
            c.post(format!("/channels/sms/form/{SMS_SECRET}"))
                .header(ContentType::Form)
                .header(Header::new("X-Timestamp", signed_at.clone()))
                .header(Header::new("X-Signature", sig.clone()))
                .body(body.clone())
                .dispatch()
                .status()
        };
        assert_eq!(replay(c), Status::Ok, "the first time");
        let after_first = rows();
        assert_eq!(replay(c), Status::Forbidden, "played again");
        // A second instance on the same database refuses it too: the signatures seen are kept
        // in the database, not in one process's memory.
        let other = Client::tracked(
            vigie::build(
                figment(&app.db)
                    .merge(("channels.sms_secret", SMS_SECRET))
                    // Required with `sms_secret`; a closed port, so that this instance's
                    // outbox worker sends nothing the counts below expect queued.
                    .merge(("channels.gateway_url", "http://127.0.0.1:9/message"))
                    .merge(("channels.sms_signing_key", SIGNING_KEY)),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(replay(&other), Status::Forbidden, "played again to another instance");
        assert_eq!(rows(), after_first);
        assert_eq!(sms_signed(c, "form", &body, now() - 3600, None), Status::Forbidden, "an hour old");
        assert_eq!(sms_signed(c, "form", "from=%2B223&text", now(), None), Status::BadRequest, "no number");
        assert_eq!(sms_signed(c, "android", "{\"event\":", now(), None), Status::BadRequest, "not JSON");
        assert_eq!(sms_signed(c, "smpp", &body, now(), None), Status::NotFound, "no such adapter");
        let r = c
            .post("/channels/ussd/wrong-secret-0123456789abcdef")
            .header(ContentType::Form)
            .body("sessionId=1&phoneNumber=%2B22376123456&text=")
            .dispatch();
        assert_eq!(r.status(), Status::NotFound, "a wrong secret");
        let r = c
            .post(format!("/channels/ussd/{USSD_SECRET}"))
            .header(ContentType::Form)
            .body("sessionId=1&text=1")
            .dispatch();
        assert_eq!(r.status(), Status::BadRequest, "no phone number");
        let mut after = rows();
        // The one accepted call above started a conversation and queued its reply.
        after[1] -= 1;
        after[2] -= 1;
        assert_eq!(after, before, "nothing written by a refused callback");
        // The public figures are published when the day turns (`vigie::metrics`): the next day's
        // scrape shows the refusals.
        next_day(c);
        let metrics =
            c.get("/metrics").remote("127.0.0.1:9999".parse().unwrap()).dispatch().into_string().unwrap();
        for (reason, n) in [("secret", 2), ("signature", 1), ("replay", 2), ("malformed", 3)] {
            let line = format!("vigie_channel_refused_total{{reason=\"{reason}\"}} {n}");
            assert!(metrics.contains(&line), "{line} in\n{metrics}");
        }

        // 8. No phone number in clear anywhere in the database.
        let numbers: Vec<String> = PHONE_DIGITS
            .iter()
            .map(|s| s.to_string())
            .chain(["70000001", "70000002", "70000003", "70000004", "65432198"].map(String::from))
            .collect();
        let bytes = database_bytes(&app.db);
        for n in &numbers {
            assert!(!bytes_contain(&bytes, n), "{n} found in the database");
        }
        drop(conn);

        // 9. Ending the case erases the number kept for replies (in the step's transaction).
        let mut conn = app.db.conn();
        let s =
            post(&inv, &format!("/staff/cases/{case_id}/transition"), "to=out_of_scope&reason=Hors+champ");
        assert_eq!(s, Status::SeeOther);
        let left: Vec<i32> =
            channel_contacts::table.select(channel_contacts::report_id).load(&mut conn).unwrap();
        assert_eq!(left, vec![4]);
        // A report closed at triage (no case will end it) loses its number then, after its SMS.
        let queued = count(&app.db, "sms_outbox");
        let s = post(&intake, "/staff/reports/4/admissibility", "decision=inadmissible&reason=Hors+delai");
        assert_eq!(s, Status::SeeOther);
        assert_eq!(count(&app.db, "sms_outbox"), queued + 1, "the decision is sent by SMS");
        assert_eq!(count(&app.db, "channel_contacts"), 0, "and the number erased");
    });
}

#[test]
fn the_channels_logic_files_import_neither_rocket_nor_diesel() {
    for f in ["conversation.rs", "adapters.rs", "numbers.rs", "gateway.rs", "menus.rs"] {
        let path = format!("{}/src/channels/{f}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        for word in ["rocket", "diesel"] {
            assert!(
                !text.lines().any(|l| l.trim_start().starts_with("use ") && l.contains(word)),
                "{f} imports {word}"
            );
            assert!(!text.contains(&format!("{word}::")), "{f} names {word}");
        }
    }
}

/// The allow-list of gateway addresses and the hourly limit of one number, on each engine.
/// Pins the application's clock to this time tomorrow: `/metrics` then publishes what the
/// public moved today.
fn next_day(c: &Client) {
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    c.rocket().state::<vigie::clock::Clock>().unwrap().pin(Some(tomorrow));
}

#[test]
fn only_allowed_gateways_are_heard_and_a_number_over_its_hour_is_told_to_wait() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("channels.ussd_secret", USSD_SECRET))
                .merge(("channels.allowed_gateways", vec!["10.9.9.0/24"]))
                .merge(("channels.number_messages_per_hour", 3))
        });
        let call = |from: &str, phone: &str, text: &str| {
            let r = app
                .client
                .post(format!("/channels/ussd/{USSD_SECRET}"))
                .remote(format!("{from}:5000").parse().unwrap())
                .header(ContentType::Form)
                .body(form(&[("sessionId", "s"), ("phoneNumber", phone), ("text", text)]))
                .dispatch();
            (r.status(), r.into_string().unwrap_or_default())
        };
        assert_eq!(call("192.0.2.7", PHONE, "").0, Status::NotFound, "not an allowed gateway");
        assert_eq!(call("10.9.9.20", PHONE, "").0, Status::Ok);
        assert_eq!(call("10.9.9.20", PHONE, "1").0, Status::Ok);
        assert_eq!(call("10.9.9.20", PHONE, "1*1").0, Status::Ok);
        assert_eq!(
            call("10.9.9.20", PHONE, "1*1*1"),
            (Status::Ok, "END Trop de messages. Réessayez plus tard.".into())
        );
        assert!(call("10.9.9.20", PHONE2, "").1.starts_with("CON "), "another number is not held up");
        next_day(&app.client);
        let metrics = app
            .client
            .get("/metrics")
            .remote("127.0.0.1:9999".parse().unwrap())
            .dispatch()
            .into_string()
            .unwrap();
        assert!(metrics.contains("vigie_channel_refused_total{reason=\"address\"} 1"), "{metrics}");
        assert_eq!(count(&app.db, "reports"), 0);
    });
}

/// Every USSD screen Vigie can show, with the real lists, in French and in Bambara: every page
/// of every list (groups, the types of each group, regions, the cercles of each region, forces,
/// places), and every fixed screen, fits a USSD screen (182 characters with `CON `).
#[test]
fn every_ussd_screen_fits_in_french_and_bambara() {
    let app = TestApp::with_figment(TestDb::new(Engine::Sqlite), |f| {
        f.merge(("channels.ussd_secret", USSD_SECRET)).merge(("channels.number_messages_per_hour", 100_000))
    });
    let screen = |text: &str| {
        let r = app
            .client
            .post(format!("/channels/ussd/{USSD_SECRET}"))
            .header(ContentType::Form)
            .body(form(&[("sessionId", "all"), ("phoneNumber", PHONE), ("text", text)]))
            .dispatch();
        assert_eq!(r.status(), Status::Ok);
        r.into_string().unwrap()
    };
    let mut longest = (0, String::new());
    let mut seen = 0;
    // A screen and every further page of its list.
    let mut all_pages = |text: &str| {
        let first = screen(text);
        let mut t = text.to_string();
        let mut s = first.clone();
        for _ in 0..8 {
            seen += 1;
            let n = s.chars().count();
            assert!(n <= 182, "{t}: {n} characters\n{s}");
            if n > longest.0 {
                longest = (n, t.clone());
            }
            if !s.contains("\n98 ") {
                break;
            }
            t = format!("{t}*98");
            s = screen(&t);
            if s == first {
                break;
            }
        }
        first
    };
    for lang in ["1", "2"] {
        let l = |rest: &str| if rest.is_empty() { lang.to_string() } else { format!("{lang}*{rest}") };
        all_pages("");
        all_pages(lang);
        all_pages(&l("2"));
        all_pages(&l("2*1234"));
        let groups = all_pages(&l("1"));
        let n_groups =
            groups.lines().filter(|x| x.split(' ').next().is_some_and(|n| n.parse::<u32>().is_ok())).count();
        assert!(n_groups >= 5, "{groups}");
        for g in 1..=12 {
            all_pages(&l(&format!("1*{g}")));
        }
        let when = "1*1*1";
        for rest in ["", "*4", "*4*99999999", "*7", "*1", "*1*2", "*1*2*Ségou", "*1*2*zzzzzz", "*1*1"] {
            all_pages(&l(&format!("{when}{rest}")));
        }
        for r in 1..=9 {
            all_pages(&l(&format!("{when}*1*1*{r}")));
        }
        let force = format!("{when}*1*1*1*0");
        all_pages(&l(&force));
        all_pages(&l(&format!("{force}*1")));
        all_pages(&l(&format!("{force}*1*Un texte")));
        all_pages(&l(&format!("{force}*1*Un texte*1")));
        all_pages(&l(&format!("{force}*1*Un texte*1*3")));
        all_pages(&l(&format!("{force}*1*0*2*2")));
    }
    eprintln!("{seen} screens; the longest: {} characters ({})", longest.0, longest.1);
    assert!(seen > 80, "{seen}");
}
