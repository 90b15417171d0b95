//! Mail through the outbox: a real SMTP conversation over TCP with a server started here, a
//! message queued while that server is down and delivered once it is up, and no message
//! claimed twice.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use diesel::prelude::*;

use crate::common::*;
use vigie::config::MailConfig;
use vigie::notify::{self, Transport};
use vigie::schema::mail_outbox;

/// A minimal SMTP server (RFC 5321 commands a client needs) that keeps what it receives.
pub struct SmtpServer {
    pub received: Arc<Mutex<Vec<String>>>,
}

impl SmtpServer {
    pub fn start(listener: TcpListener) -> SmtpServer {
        let received = Arc::new(Mutex::new(vec![]));
        let store = received.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let store = store.clone();
                thread::spawn(move || {
                    let _ = session(stream, &store);
                });
            }
        });
        SmtpServer { received }
    }
}

fn session(stream: TcpStream, store: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    out.write_all(b"220 test.vigie ESMTP ready\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") {
            out.write_all(b"250-test.vigie\r\n250 8BITMIME\r\n")?;
        } else if cmd.starts_with("HELO")
            || cmd.starts_with("MAIL FROM")
            || cmd.starts_with("RCPT TO")
            || cmd.starts_with("RSET")
            || cmd.starts_with("NOOP")
        {
            out.write_all(b"250 OK\r\n")?;
        } else if cmd == "DATA" {
            out.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if reader.read_line(&mut l)? == 0 {
                    return Ok(());
                }
                if l == ".\r\n" {
                    break;
                }
                data.push_str(&l);
            }
            store.lock().unwrap().push(data);
            out.write_all(b"250 OK queued\r\n")?;
        } else if cmd == "QUIT" {
            out.write_all(b"221 Bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"502 Command not implemented\r\n")?;
        }
    }
}

fn smtp_config(port: u16) -> vigie::config::Config {
    vigie::config::Config {
        mail: MailConfig {
            transport: vigie::config::MailTransport::Smtp,
            smtp_host: "127.0.0.1".into(),
            smtp_port: port,
            smtp_tls: vigie::config::SmtpTls::None,
            from: "Vigie <vigie@cndh.ml>".into(),
            ..MailConfig::default()
        },
        ..Default::default()
    }
}

#[test]
fn mail_queued_while_the_smtp_server_is_down_is_delivered_once_it_is_up() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let db = app.client.rocket().state::<vigie::db::Db>().unwrap().clone();
        // A port with nothing listening yet.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let config = smtp_config(port);
        let transport = Transport::from_config(&config.mail).unwrap();
        {
            let mut c = db.get().unwrap();
            notify::enqueue(
                &mut c,
                "awa@cndh.ml",
                "Vigie : dossier 42 assigné",
                "Ouvrez https://vigie.example/staff/cases/42",
                "case-assigned",
            )
            .unwrap();
        }
        assert_eq!(
            notify::deliver_due(&db, &transport, &config.mail).unwrap(),
            0,
            "server down: nothing delivered"
        );
        let mut c = app.db.conn();
        let (attempts, error, sent): (i32, Option<String>, Option<chrono::NaiveDateTime>) =
            mail_outbox::table
                .select((mail_outbox::attempts, mail_outbox::last_error, mail_outbox::sent_at))
                .first(&mut c)
                .unwrap();
        assert_eq!((attempts, sent), (1, None));
        assert!(error.is_some(), "the failure is kept for the admins");
        // Not due again before its backoff.
        assert_eq!(notify::deliver_due(&db, &transport, &config.mail).unwrap(), 0);

        let server = SmtpServer::start(TcpListener::bind(("127.0.0.1", port)).unwrap());
        diesel::update(mail_outbox::table)
            .set(
                mail_outbox::next_attempt_at
                    .eq(chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1)),
            )
            .execute(&mut c)
            .unwrap();
        assert_eq!(notify::deliver_due(&db, &transport, &config.mail).unwrap(), 1);
        let got = server.received.lock().unwrap().clone();
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("To: awa@cndh.ml"), "{}", got[0]);
        assert!(got[0].contains("Subject:"), "{}", got[0]);
        assert!(got[0].contains("staff/cases/42"));
        let (sent, body): (Option<chrono::NaiveDateTime>, String) =
            mail_outbox::table.select((mail_outbox::sent_at, mail_outbox::body)).first(&mut c).unwrap();
        assert!(sent.is_some());
        assert_eq!(body, "", "a delivered mail's body (links, tokens) is not kept");
        // Delivered once: a later pass sends nothing more.
        assert_eq!(notify::deliver_due(&db, &transport, &config.mail).unwrap(), 0);
        assert_eq!(server.received.lock().unwrap().len(), 1);
    });
}

/// A welcome or reset mail waits sealed in the outbox and reaches the SMTP server opened; one
/// sealed under another key (the secret key changed since) is given up at once, not sent.
#[test]
fn a_link_waits_sealed_and_leaves_opened_and_one_that_does_not_open_is_given_up() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let db = app.client.rocket().state::<vigie::db::Db>().unwrap().clone();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = SmtpServer::start(listener);
        let mut config = smtp_config(port);
        let key = app.client.rocket().state::<Arc<MailConfig>>().unwrap().body_key.clone();
        assert!(key.is_some(), "the server derives the key from its secret key");
        config.mail.body_key = key.clone();
        let body = "Ouvrez https://vigie.example/staff/password/reset?token=tok3n0fth3l1nk";
        {
            let mut c = db.get().unwrap();
            notify::model::enqueue_sealed(&mut c, key.as_ref(), "awa@cndh.ml", "s", body, "password-reset")
                .unwrap();
            let other = notify::BodyKey::derive("another installation's secret key");
            notify::model::enqueue_sealed(&mut c, Some(&other), "ba@cndh.ml", "s", body, "password-reset")
                .unwrap();
        }
        let mut c = app.db.conn();
        let stored: Vec<String> =
            mail_outbox::table.order(mail_outbox::id).select(mail_outbox::body).load(&mut c).unwrap();
        assert!(stored.iter().all(|b| !b.contains("tok3n0fth3l1nk")), "a link waits in clear: {stored:?}");
        let transport = Transport::from_config(&config.mail).unwrap();
        assert_eq!(notify::deliver_due(&db, &transport, &config.mail).unwrap(), 1);
        let got = server.received.lock().unwrap().clone();
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("To: awa@cndh.ml") && got[0].contains("tok3n0fth3l1nk"), "{}", got[0]);
        let (next, error): (chrono::NaiveDateTime, Option<String>) = mail_outbox::table
            .filter(mail_outbox::to_addr.eq("ba@cndh.ml"))
            .select((mail_outbox::next_attempt_at, mail_outbox::last_error))
            .first(&mut c)
            .unwrap();
        assert!(error.unwrap_or_default().contains("does not open"));
        assert!(next > chrono::Utc::now().naive_utc() + chrono::Duration::days(365), "given up");
    });
}

#[test]
fn a_mail_that_keeps_failing_is_given_up_after_max_attempts() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let db = app.client.rocket().state::<vigie::db::Db>().unwrap().clone();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut config = smtp_config(port);
        config.mail.max_attempts = 3;
        let transport = Transport::from_config(&config.mail).unwrap();
        notify::enqueue(&mut db.get().unwrap(), "awa@cndh.ml", "s", "b", "case-assigned").unwrap();
        let mut c = app.db.conn();
        let now = || chrono::Utc::now().naive_utc();
        for _ in 0..5 {
            diesel::update(mail_outbox::table.filter(mail_outbox::attempts.lt(3)))
                .set(mail_outbox::next_attempt_at.eq(now() - chrono::Duration::seconds(1)))
                .execute(&mut c)
                .unwrap();
            assert_eq!(notify::deliver_due(&db, &transport, &config.mail).unwrap(), 0);
        }
        let (attempts, next, error): (i32, chrono::NaiveDateTime, Option<String>) = mail_outbox::table
            .select((mail_outbox::attempts, mail_outbox::next_attempt_at, mail_outbox::last_error))
            .first(&mut c)
            .unwrap();
        assert_eq!(attempts, 3, "tried exactly max_attempts times");
        assert!(next > now() + chrono::Duration::days(365), "no further tries");
        assert!(error.unwrap().starts_with("gave up after 3 attempts"));
    });
}

#[test]
fn two_workers_never_claim_the_same_message() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let db = app.client.rocket().state::<vigie::db::Db>().unwrap().clone();
        {
            let mut c = db.get().unwrap();
            for i in 0..40 {
                notify::enqueue(&mut c, &format!("u{i}@cndh.ml"), "s", "b", "test").unwrap();
            }
        }
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let db = db.clone();
                thread::spawn(move || {
                    let mut got = vec![];
                    for _ in 0..5 {
                        let mut c = db.get().unwrap();
                        got.extend(notify::model::claim_due(&mut c, 3).unwrap().into_iter().map(|m| m.id));
                    }
                    got
                })
            })
            .collect();
        let mut all: Vec<i32> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "a message was claimed twice");
        assert_eq!(n, 40, "every message was claimed once");
    });
}

#[test]
fn the_file_transport_writes_eml_files_and_release_refuses_it_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let mail = MailConfig {
        transport: vigie::config::MailTransport::File,
        file_dir: dir.path().to_path_buf(),
        ..MailConfig::default()
    };
    let t = Transport::from_config(&mail).unwrap();
    let msg = vigie::notify::OutboxMessage {
        id: 1,
        to_addr: "a@cndh.ml".into(),
        subject: "Vigie".into(),
        body: "Lien".into(),
        kind: "test".into(),
        created_at: chrono::Utc::now().naive_utc(),
        attempts: 0,
        next_attempt_at: chrono::Utc::now().naive_utc(),
        sent_at: None,
        last_error: None,
    };
    t.send(&mail.from, &msg).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let db = TestDb::new(Engine::Sqlite);
    let f = figment(&db).merge(("mail.transport", "file")).select("release");
    let Err(err) = vigie::build(f) else { panic!("release must refuse the file transport") };
    assert!(err.contains("mail.transport"), "{err}");
    let f = figment(&db)
        .merge(("mail.transport", "file"))
        .merge(("mail.allow_file_transport_in_release", true))
        .select("release");
    assert!(vigie::build(f).is_ok());
}
