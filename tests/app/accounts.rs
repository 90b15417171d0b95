//! Issue #4: staff accounts, roles, TOTP, sessions, CSRF, monitors, mail, the audit chain.

use diesel::prelude::*;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;

use crate::common::*;
use vigie::auth::model::NewUser;
use vigie::auth::User;
use vigie::schema::{audit_log, mail_outbox, password_resets, users};

pub const PW: &str = "Falaise rouge sur le fleuve";

/// Creates an account directly; returns its id.
pub fn add_user(db: &TestDb, email: &str, role: &str, institution: Option<&str>) -> i32 {
    let mut c = db.conn();
    let inst =
        institution.map(|code| vigie::auth::model::institution_id_by_code(&mut c, code).unwrap().unwrap());
    let hash = vigie::crypto::hash_password(PW);
    User::insert(
        &mut c,
        &NewUser {
            email,
            name: "Test Person",
            role,
            institution_id: inst,
            locale: "fr",
            password_hash: &hash,
        },
    )
    .unwrap()
}

fn form(client: &Client, path: &str, body: &str) -> (Status, Option<String>, String) {
    let r = client.post(path).header(ContentType::Form).body(body).dispatch();
    let loc = r.headers().get_one("Location").map(String::from);
    (r.status(), loc, r.into_string().unwrap_or_default())
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.@".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Signs in with the password; returns where the server sends the browser next.
pub fn sign_in(client: &Client, email: &str, password: &str) -> (Status, Option<String>) {
    let token = csrf(client);
    let (s, loc, _) = form(
        client,
        "/staff/sign-in",
        &format!("csrf={token}&email={}&password={}", enc(email), enc(password)),
    );
    (s, loc)
}

/// RFC 4648 base32, written here so the test computes codes independently of the app.
fn b32(s: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buf, mut bits, mut out) = (0u32, 0, vec![]);
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        buf = (buf << 5) | alphabet.iter().position(|&a| a as char == c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

thread_local! {
    /// The moment a test pinned the app's clock to (its codes are computed for it), if any.
    static PINNED: std::cell::Cell<Option<i64>> = const { std::cell::Cell::new(None) };
}

/// Pins the app's clock and this test's code computations to one moment, so that no 30-second
/// step boundary passes in the middle of the test.
fn pin_clock(client: &Client, at: i64) {
    let clock = client.rocket().state::<vigie::clock::Clock>().unwrap();
    clock.pin(chrono::DateTime::from_timestamp(at, 0));
    PINNED.with(|p| p.set(Some(at)));
}

fn code(secret: &str, offset_steps: i64) -> String {
    let now = PINNED.with(|p| p.get()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
    });
    let t = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, b32(secret));
    t.generate((now + offset_steps * 30) as u64)
}

/// Signs in a role that must use TOTP: enrols, and returns the secret and recovery codes.
fn enrol(client: &Client, email: &str) -> (String, Vec<String>) {
    let (s, loc) = sign_in(client, email, PW);
    assert_eq!((s, loc.as_deref()), (Status::SeeOther, Some("/staff/totp")));
    // Until enrolled, staff pages send the person to enrolment.
    let r = client.get("/staff/admin/users").dispatch();
    assert_eq!(r.headers().get_one("Location"), Some("/staff/totp"));
    let page = client.get("/staff/totp").dispatch().into_string().unwrap();
    assert!(page.contains("<svg"), "a QR code drawn by the server");
    let secret = between(&page, "id=\"secret\">").unwrap().replace(' ', "");
    let token = csrf(client);
    let (s, _, _) = form(client, "/staff/totp", &format!("csrf={token}&code=000000"));
    assert_eq!(s, Status::UnprocessableEntity, "a wrong code is refused");
    let (s, _, page) = form(client, "/staff/totp", &format!("csrf={token}&code={}", code(&secret, 0)));
    assert_eq!(s, Status::Ok);
    let list = page.split("id=\"recovery-codes\">").nth(1).unwrap().split("</ul>").next().unwrap();
    let codes: Vec<String> =
        list.split("<li>").skip(1).map(|c| c.split('<').next().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

fn sign_out(client: &Client) {
    let token = csrf(client);
    let (s, loc, _) = form(client, "/staff/sign-out", &format!("csrf={token}"));
    assert_eq!((s, loc.as_deref()), (Status::SeeOther, Some("/staff/sign-in?msg=signed-out")));
}

/// The token a session cookie holds, as the server sees it (the cookie is private).
fn session_token(client: &Client) -> String {
    client.cookies().get_private("session").expect("a session cookie").value().to_string()
}

/// Whether a session row answers to `token` (what a copied cookie would still open).
fn session_answers(db: &TestDb, token: &str) -> bool {
    use vigie::schema::sessions;
    let hash = vigie::crypto::sha256_hex(token.as_bytes());
    sessions::table
        .filter(sessions::token_hash.eq(hash))
        .filter(sessions::revoked_at.is_null())
        .count()
        .get_result::<i64>(&mut db.conn())
        .unwrap()
        == 1
}

/// Session fixation: a password-only session's cookie (which someone may have planted in the
/// browser, or copied) is worth nothing once the code is given: the session goes on under a
/// new token, at enrolment and at each sign-in.
#[test]
fn giving_the_second_factor_moves_the_session_to_a_new_token() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let now = chrono::Utc::now().timestamp();
        pin_clock(&app.client, now - now % 30 + 15);
        add_user(&app.db, "admin@cndh.ml", "admin", None);
        // Enrolment: the password-only token stops answering when the first code is given.
        let (s, _) = sign_in(&app.client, "admin@cndh.ml", PW);
        assert_eq!(s, Status::SeeOther);
        let before = session_token(&app.client);
        assert!(session_answers(&app.db, &before));
        let page = app.client.get("/staff/totp").dispatch().into_string().unwrap();
        let secret = between(&page, "id=\"secret\">").unwrap().replace(' ', "");
        let token = csrf(&app.client);
        let (s, _, _) = form(&app.client, "/staff/totp", &format!("csrf={token}&code={}", code(&secret, 0)));
        assert_eq!(s, Status::Ok);
        let after = session_token(&app.client);
        assert_ne!(before, after);
        assert!(!session_answers(&app.db, &before), "the password-only token still opens the session");
        assert!(session_answers(&app.db, &after));
        assert_eq!(app.client.get("/staff/admin/users").dispatch().status(), Status::Ok);
        sign_out(&app.client);
        // Sign-in: the same with the code prompt.
        sign_in(&app.client, "admin@cndh.ml", PW);
        let before = session_token(&app.client);
        let token = csrf(&app.client);
        let (s, _, _) =
            form(&app.client, "/staff/sign-in/totp", &format!("csrf={token}&code={}", code(&secret, 1)));
        assert_eq!(s, Status::SeeOther);
        let after = session_token(&app.client);
        assert!(!session_answers(&app.db, &before), "the password-only token still opens the session");
        assert!(session_answers(&app.db, &after));
        assert_eq!(app.client.get("/staff/admin/users").dispatch().status(), Status::Ok);
        // The session's private key went with it, sealed under the new token.
        use vigie::schema::sessions;
        let sealed: Option<String> = sessions::table
            .filter(sessions::token_hash.eq(vigie::crypto::sha256_hex(after.as_bytes())))
            .select(sessions::sealed_key)
            .first(&mut app.db.conn())
            .unwrap();
        assert!(vigie::crypto::PrivateKey::open_with_token(&sealed.expect("a sealed key"), &after).is_ok());
    });
}

/// A session already complete (a role that may go without the factor) that enrols by choice
/// keeps its token and its CSRF token: a form open in another tab still goes through.
#[test]
fn enrolling_by_choice_keeps_the_session_and_the_forms_open_elsewhere() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        let now = chrono::Utc::now().timestamp();
        pin_clock(&app.client, now - now % 30 + 15);
        add_user(&app.db, "monitor@cndh.ml", "monitor", None);
        let (s, loc) = sign_in(&app.client, "monitor@cndh.ml", PW);
        assert_eq!((s, loc.as_deref()), (Status::SeeOther, Some("/staff")));
        let (before, token) = (session_token(&app.client), csrf(&app.client));
        let page = app.client.get("/staff/totp").dispatch().into_string().unwrap();
        let secret = between(&page, "id=\"secret\">").unwrap().replace(' ', "");
        let (s, _, _) = form(&app.client, "/staff/totp", &format!("csrf={token}&code={}", code(&secret, 0)));
        assert_eq!(s, Status::Ok);
        assert_eq!(session_token(&app.client), before);
        assert_eq!(csrf(&app.client), token, "a form open in another tab would be refused");
    });
}

#[test]
fn totp_enrolment_and_sign_in_with_a_code_computed_here_and_single_use_recovery_codes() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        // In the middle of a step, pinned: the code of enrolment and the next one are known.
        let now = chrono::Utc::now().timestamp();
        pin_clock(&app.client, now - now % 30 + 15);
        add_user(&app.db, "admin@cndh.ml", "admin", None);
        let (secret, codes) = enrol(&app.client, "admin@cndh.ml");
        assert_eq!(app.client.get("/staff/admin/users").dispatch().status(), Status::Ok);
        sign_out(&app.client);

        // Next sign-in: the password alone is not enough.
        let (_, loc) = sign_in(&app.client, "admin@cndh.ml", PW);
        assert_eq!(loc.as_deref(), Some("/staff/sign-in/totp?next=/staff"));
        let r = app.client.get("/staff/admin/users").dispatch();
        assert_eq!(r.headers().get_one("Location"), Some("/staff/sign-in/totp"));
        let token = csrf(&app.client);
        // The code used at enrolment cannot be replayed; the next one (one step of drift) works.
        let (s, _, _) =
            form(&app.client, "/staff/sign-in/totp", &format!("csrf={token}&code={}", code(&secret, 0)));
        assert_eq!(s, Status::Unauthorized);
        let (s, loc, _) =
            form(&app.client, "/staff/sign-in/totp", &format!("csrf={token}&code={}", code(&secret, 1)));
        assert_eq!((s, loc.as_deref()), (Status::SeeOther, Some("/staff")));
        assert_eq!(app.client.get("/staff/admin/users").dispatch().status(), Status::Ok);
        sign_out(&app.client);

        // A recovery code works once.
        for (attempt, expect) in
            [(&codes[0], Status::SeeOther), (&codes[0], Status::Unauthorized), (&codes[1], Status::SeeOther)]
        {
            sign_in(&app.client, "admin@cndh.ml", PW);
            let token = csrf(&app.client);
            let (s, _, _) =
                form(&app.client, "/staff/sign-in/totp", &format!("csrf={token}&code=&recovery={attempt}"));
            assert_eq!(s, expect, "recovery code {attempt}");
            if s == Status::SeeOther {
                sign_out(&app.client);
            }
        }
        let mut c = app.db.conn();
        let actions: Vec<String> = audit_log::table.select(audit_log::action).load(&mut c).unwrap();
        for a in [
            "auth.sign_in",
            "auth.totp_enrolled",
            "auth.second_factor",
            "auth.second_factor_failure",
            "auth.sign_out",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} not audited: {actions:?}");
        }
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

#[test]
fn wrong_passwords_lock_the_account_and_the_message_never_says_whether_the_email_exists() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("lockout_after", 3)).merge(("totp_required_roles", Vec::<String>::new()))
        });
        let id = add_user(&app.db, "intake@cndh.ml", "intake", None);
        let (s, _) = sign_in(&app.client, "nobody@cndh.ml", PW);
        assert_eq!(s, Status::Unauthorized);
        let token = csrf(&app.client);
        let (_, _, unknown_page) =
            form(&app.client, "/staff/sign-in", &format!("csrf={token}&email=nobody%40cndh.ml&password=x"));
        let (_, _, known_page) =
            form(&app.client, "/staff/sign-in", &format!("csrf={token}&email=intake%40cndh.ml&password=x"));
        let msg = |p: &str| between(p, "id=\"signin-error\">").unwrap();
        assert_eq!(msg(&unknown_page), msg(&known_page), "same message for unknown and known emails");
        sign_in(&app.client, "intake@cndh.ml", "wrong password 2");
        sign_in(&app.client, "intake@cndh.ml", "wrong password 3");
        // Locked now: even the right password fails.
        let (s, _) = sign_in(&app.client, "intake@cndh.ml", PW);
        assert_eq!(s, Status::Unauthorized);
        let mut c = app.db.conn();
        let (failed, locked): (i32, Option<chrono::NaiveDateTime>) =
            users::table.find(id).select((users::failed_logins, users::locked_until)).first(&mut c).unwrap();
        assert!(failed >= 3 && locked.is_some());
        let locks: i64 =
            audit_log::table.filter(audit_log::action.eq("auth.lock")).count().get_result(&mut c).unwrap();
        assert_eq!(locks, 1);
        let failures: Vec<String> = audit_log::table
            .filter(audit_log::action.eq("auth.failure"))
            .select(audit_log::details)
            .load(&mut c)
            .unwrap();
        assert!(
            failures.iter().any(|d| d == "unknown account"),
            "an unknown email is not recorded: {failures:?}"
        );
        // An admin lifts the lock (enable resets the counters).
        User::enable(&mut c, id).unwrap();
        assert_eq!(sign_in(&app.client, "intake@cndh.ml", PW).0, Status::SeeOther);
    });
}

#[test]
fn sessions_end_on_sign_out_password_change_and_disable() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "admin@cndh.ml", "admin", None);
        let trainer = add_user(&app.db, "trainer@ecole.ml", "trainer", None);

        let token = csrf(&app.client);
        let r = app
            .client
            .post("/staff/sign-in")
            .header(ContentType::Form)
            .body(format!("csrf={token}&email=admin%40cndh.ml&password={}", enc(PW)))
            .dispatch();
        let old = r.cookies().get("session").cloned().expect("a session cookie");
        assert!(old.http_only().unwrap_or(false));
        assert_eq!(old.same_site(), Some(rocket::http::SameSite::Strict));
        drop(r);
        assert_eq!(app.client.get("/staff/admin/users").dispatch().status(), Status::Ok);
        sign_out(&app.client);
        // The old cookie, replayed, opens nothing.
        let r = app.client.get("/staff/admin/users").private_cookie(old.clone()).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        assert!(r.headers().get_one("Location").unwrap().starts_with("/staff/sign-in"));

        // Disabled while signed in: the next request is signed out.
        let other = Client::tracked(
            vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
        )
        .unwrap();
        assert_eq!(sign_in(&other, "trainer@ecole.ml", PW).0, Status::SeeOther);
        assert_eq!(other.get("/staff").dispatch().status(), Status::Ok);
        sign_in(&app.client, "admin@cndh.ml", PW);
        let token = csrf(&app.client);
        let (s, _, _) =
            form(&app.client, &format!("/staff/admin/users/{trainer}/disable"), &format!("csrf={token}"));
        assert_eq!(s, Status::SeeOther);
        assert_eq!(other.get("/staff").dispatch().status(), Status::SeeOther);
        assert_eq!(sign_in(&other, "trainer@ecole.ml", PW).0, Status::Unauthorized);

        // A password change ends the session too, and refuses weak passwords first.
        let token = csrf(&app.client);
        for (pw, msg) in
            [("court", "au moins 12"), ("password1234", "trop courant"), ("admin@cndh.ml is mine", "adresse")]
        {
            let (s, _, page) = form(
                &app.client,
                "/staff/account/password",
                &format!("csrf={token}&current={}&password={}&confirm={}", enc(PW), enc(pw), enc(pw)),
            );
            assert_eq!(s, Status::UnprocessableEntity, "{pw}");
            assert!(page.contains(msg), "{pw}: {msg}");
        }
        let new = "Une autre phrase assez longue";
        let (s, loc, _) = form(
            &app.client,
            "/staff/account/password",
            &format!("csrf={token}&current={}&password={}&confirm={}", enc(PW), enc(new), enc(new)),
        );
        assert_eq!((s, loc.as_deref()), (Status::SeeOther, Some("/staff/sign-in?msg=password-changed")));
        assert_eq!(app.client.get("/staff").dispatch().status(), Status::SeeOther);
        assert_eq!(sign_in(&app.client, "admin@cndh.ml", new).0, Status::SeeOther);
    });
}

#[test]
fn reset_tokens_are_mailed_single_use_and_expire() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        let token = csrf(&app.client);
        let (s, _, page) =
            form(&app.client, "/staff/password/forgot", &format!("csrf={token}&email=inv%40cndh.ml"));
        assert_eq!(s, Status::Ok);
        let (_, _, page2) =
            form(&app.client, "/staff/password/forgot", &format!("csrf={token}&email=nobody%40cndh.ml"));
        assert_eq!(between(&page, "role=\"status\">"), between(&page2, "role=\"status\">"), "same answer");
        let mut c = app.db.conn();
        let mails: Vec<(String, String, String)> = mail_outbox::table
            .select((mail_outbox::to_addr, mail_outbox::subject, mail_outbox::body))
            .load(&mut c)
            .unwrap();
        assert_eq!(mails.len(), 1);
        let (to, subject, sealed) = &mails[0];
        // Security: the live link waits sealed in the outbox (a copy of the database taken
        // while mail cannot leave opens no account); the transport gets it opened.
        assert!(sealed.starts_with("sealed-body:") && !sealed.contains("token="), "{sealed}");
        let body = &sent_body(&app.client, sealed);
        assert_eq!(to, "inv@cndh.ml");
        assert!(subject.contains("mot de passe"), "in the user's language: {subject}");
        assert!(!body.contains("Test Person"), "no name in mail");
        let link = body.lines().find(|l| l.contains("/staff/password/reset?token=")).unwrap().trim();
        let token_value = link.split("token=").nth(1).unwrap();
        let path = format!("/staff/password/reset?token={token_value}");
        assert!(!app
            .client
            .get(path.as_str())
            .dispatch()
            .into_string()
            .unwrap()
            .contains("id=\"reset-invalid\""));
        let new = "Le fleuve Niger au matin";
        let body = format!("csrf={token}&token={token_value}&password={}&confirm={}", enc(new), enc(new));
        let (s, loc, _) = form(&app.client, "/staff/password/reset", &body);
        assert_eq!((s, loc.as_deref()), (Status::SeeOther, Some("/staff/sign-in?msg=password-reset")));
        // Used once: the same link is dead.
        let (s, _, _) = form(&app.client, "/staff/password/reset", &body);
        assert_eq!(s, Status::NotFound);
        assert!(app
            .client
            .get(path.as_str())
            .dispatch()
            .into_string()
            .unwrap()
            .contains("id=\"reset-invalid\""));
        // Expired: a fresh token whose hour has passed is dead too.
        form(&app.client, "/staff/password/forgot", &format!("csrf={token}&email=inv%40cndh.ml"));
        let body2: String =
            mail_outbox::table.order(mail_outbox::id.desc()).select(mail_outbox::body).first(&mut c).unwrap();
        let body2 = sent_body(&app.client, &body2);
        let token2 = body2.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
        diesel::update(password_resets::table.filter(password_resets::used_at.is_null()))
            .set(
                password_resets::expires_at.eq(chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1)),
            )
            .execute(&mut c)
            .unwrap();
        let body = format!("csrf={token}&token={token2}&password={}&confirm={}", enc(new), enc(new));
        assert_eq!(form(&app.client, "/staff/password/reset", &body).0, Status::NotFound);
        // Only hashes are stored.
        let stored: Vec<String> =
            password_resets::table.select(password_resets::token_hash).load(&mut c).unwrap();
        assert!(stored.iter().all(|h| h != token_value && h != &token2));
    });
}

#[test]
fn staff_forms_and_session_api_calls_without_the_csrf_token_are_refused() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "mon@ngo.ml", "monitor", None);
        let (s, _, _) =
            form(&app.client, "/staff/sign-in", &format!("email=mon%40ngo.ml&password={}", enc(PW)));
        assert_eq!(s, Status::BadRequest);
        assert_eq!(sign_in(&app.client, "mon@ngo.ml", PW).0, Status::SeeOther);
        let (s, _, _) = form(&app.client, "/staff/sign-out", "csrf=forged");
        assert_eq!(s, Status::BadRequest);
        // With a session cookie, a JSON call must carry the token in a header.
        let body = serde_json::json!({"receipt": "1234 5678 1234 5678"}).to_string();
        let r = app
            .client
            .post("/api/v1/receipts/status")
            .header(ContentType::JSON)
            .body(body.clone())
            .dispatch();
        assert_eq!(r.status(), Status::Forbidden);
        let token = csrf(&app.client);
        let r = app
            .client
            .post("/api/v1/receipts/status")
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", token))
            .body(body)
            .dispatch();
        assert_eq!(r.status(), Status::NotFound, "accepted, and the receipt is unknown");
    });
}

/// Every staff route, tried unauthenticated and with every role.
#[test]
fn role_route_matrix() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let build = || {
            Client::tracked(
                vigie::build(figment(&db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
            )
            .unwrap()
        };
        let anon = build();
        let mut ids = std::collections::HashMap::new();
        for (role, inst) in [
            ("admin", None),
            ("intake", None),
            ("investigator", Some("cndh")),
            ("ombudsman", Some("mediateur")),
            ("trainer", None),
            ("monitor", None),
            ("auditor", None),
        ] {
            ids.insert(role, add_user(&db, &format!("{role}@vigie.ml"), role, inst));
        }
        let target = ids["trainer"];
        let all = ["admin", "intake", "investigator", "ombudsman", "trainer", "monitor", "auditor"];
        let routes: Vec<(&str, String, Vec<&str>)> = vec![
            ("GET", "/staff".into(), all.to_vec()),
            ("GET", "/staff/account".into(), all.to_vec()),
            ("GET", "/staff/admin/users".into(), vec!["admin"]),
            ("GET", "/staff/admin/mail".into(), vec!["admin"]),
            ("POST", "/staff/admin/users".into(), vec!["admin"]),
            ("POST", format!("/staff/admin/users/{target}/enable"), vec!["admin"]),
            ("POST", format!("/staff/admin/users/{target}/reset"), vec!["admin"]),
            ("POST", format!("/staff/admin/users/{target}/role"), vec!["admin"]),
            ("GET", "/staff/audit".into(), vec!["admin", "auditor"]),
            ("GET", "/staff/my-reports".into(), vec!["monitor"]),
            ("GET", "/staff/triage".into(), vec!["intake", "auditor"]),
            ("GET", "/staff/cases".into(), vec!["investigator", "ombudsman", "auditor"]),
            ("GET", "/staff/map".into(), vec!["intake", "investigator", "ombudsman", "auditor"]),
            ("GET", "/staff/map/events.csv".into(), vec!["intake", "investigator", "ombudsman", "auditor"]),
            (
                "GET",
                "/staff/map/events.geojson".into(),
                vec!["intake", "investigator", "ombudsman", "auditor"],
            ),
            ("GET", "/staff/analytics".into(), vec!["intake", "investigator", "ombudsman", "auditor"]),
            (
                "GET",
                "/staff/analytics/overdue.csv".into(),
                vec!["intake", "investigator", "ombudsman", "auditor"],
            ),
            ("GET", "/staff/admin/routing".into(), vec!["admin"]),
            ("POST", "/staff/admin/routing".into(), vec!["admin"]),
            ("POST", "/staff/events/1/allegations".into(), vec!["intake"]),
            ("POST", "/staff/reports/1/admissibility".into(), vec!["intake"]),
            ("POST", "/staff/cases/1/notes".into(), vec!["investigator", "ombudsman"]),
        ];
        for (method, path, _) in &routes {
            let token = csrf(&anon);
            let r = match *method {
                "GET" => anon.get(path.as_str()).dispatch(),
                _ => anon
                    .post(path.as_str())
                    .header(ContentType::Form)
                    .body(format!("csrf={token}&role=trainer"))
                    .dispatch(),
            };
            assert_eq!(r.status(), Status::SeeOther, "anonymous {method} {path}");
            assert!(
                r.headers().get_one("Location").unwrap().starts_with("/staff/sign-in"),
                "anonymous {method} {path}"
            );
        }
        for role in all {
            let client = build();
            assert_eq!(
                sign_in(&client, &format!("{role}@vigie.ml"), PW).0,
                Status::SeeOther,
                "{role} signs in"
            );
            for (method, path, allowed) in &routes {
                let token = csrf(&client);
                let r = match *method {
                    "GET" => client.get(path.as_str()).dispatch(),
                    _ => client
                        .post(path.as_str())
                        .header(ContentType::Form)
                        .body(format!("csrf={token}&role=trainer&email=x"))
                        .dispatch(),
                };
                let s = r.status();
                if allowed.contains(&role) {
                    assert!(
                        s != Status::NotFound
                            && s.code < 500
                            && r.headers()
                                .get_one("Location")
                                .is_none_or(|l| !l.starts_with("/staff/sign-in")),
                        "{role} {method} {path}: {s}"
                    );
                } else {
                    assert_eq!(s, Status::NotFound, "{role} {method} {path}");
                }
            }
        }
    });
}

#[test]
fn monitors_file_with_consent_and_see_only_their_reports() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "mon1@ngo.ml", "monitor", None);
        add_user(&app.db, "mon2@ngo.ml", "monitor", None);
        sign_in(&app.client, "mon1@ngo.ml", PW);
        let token = csrf(&app.client);
        let page = app.client.get("/reports/new").dispatch().into_string().unwrap();
        assert!(page.contains("name=\"consent\""), "monitors get the consent field");
        let mut fields = vec![
            ("csrf", token.clone()),
            ("violations", "liberty.arbitrary_detention".to_string()),
            ("narrative", "Détenu trois semaines sans voir de juge à Ségou.".to_string()),
            ("occurred_on", "2026-09-01".to_string()),
            ("admin", "ML-4|ML.SG.SG".to_string()),
            ("on_behalf_of", "A.T.".to_string()),
            ("reporter_contact", "+223 70 00 00 00".to_string()),
            ("action", "submit".to_string()),
        ];
        let send = |fields: &Vec<(&str, String)>| {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (ct, body) = multipart(&f, &[]);
            let r = app.client.post("/reports").header(ct).body(body).dispatch();
            (r.status(), r.into_string().unwrap_or_default())
        };
        let (s, page) = send(&fields);
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("consentement"));
        assert_eq!(count(&app.db, "reports"), 0);
        fields.push(("consent", "true".to_string()));
        let (s, _) = send(&fields);
        assert_eq!(s, Status::Created);
        let mine = app.client.get("/staff/my-reports").dispatch().into_string().unwrap();
        assert!(mine.contains("A.T.") && mine.contains("Ségou") && mine.contains("Reçu"));
        assert!(!mine.contains("trois semaines"), "no narrative in the monitor's list");
        assert_eq!(app.client.get("/staff/audit").dispatch().status(), Status::NotFound);
        sign_out(&app.client);
        sign_in(&app.client, "mon2@ngo.ml", PW);
        let mine = app.client.get("/staff/my-reports").dispatch().into_string().unwrap();
        assert!(!mine.contains("A.T."), "another monitor sees nothing of it");
        let mut c = app.db.conn();
        let (channel, consent): (String, bool) = vigie::schema::reports::table
            .select((vigie::schema::reports::channel, vigie::schema::reports::consent_obtained))
            .first(&mut c)
            .unwrap();
        assert_eq!((channel.as_str(), consent), ("monitor", true));
    });
}

#[test]
fn editing_an_audit_row_makes_audit_verify_fail_naming_it() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        for email in ["a@cndh.ml", "b@cndh.ml", "c@cndh.ml"] {
            let out = vigie_cmd(
                &db,
                &["user", "add", "--email", email, "--name", "X", "--role", "trainer"],
                &[("VIGIE_PASSWORD", PW)],
            );
            assert!(out.status.success(), "{}", text(&out));
        }
        let ok = vigie_cmd(&db, &["audit", "verify"], &[]);
        assert!(ok.status.success() && text(&ok).contains("3 entries"), "{}", text(&ok));
        let mut c = db.conn();
        let second: i32 =
            audit_log::table.order(audit_log::id).select(audit_log::id).offset(1).first(&mut c).unwrap();
        diesel::update(audit_log::table.find(second))
            .set(audit_log::details.eq("role=admin"))
            .execute(&mut c)
            .unwrap();
        let bad = vigie_cmd(&db, &["audit", "verify"], &[]);
        assert_eq!(bad.status.code(), Some(1));
        assert!(text(&bad).contains(&format!("entry {second}")), "{}", text(&bad));
        // Deleting a row instead breaks the link of the next one.
        let db2 = TestDb::new(engine);
        for email in ["a@cndh.ml", "b@cndh.ml", "c@cndh.ml"] {
            vigie_cmd(
                &db2,
                &["user", "add", "--email", email, "--name", "X", "--role", "trainer"],
                &[("VIGIE_PASSWORD", PW)],
            );
        }
        let mut c2 = db2.conn();
        let ids: Vec<i32> =
            audit_log::table.order(audit_log::id).select(audit_log::id).load(&mut c2).unwrap();
        diesel::delete(audit_log::table.find(ids[1])).execute(&mut c2).unwrap();
        let bad = vigie_cmd(&db2, &["audit", "verify"], &[]);
        assert_eq!(bad.status.code(), Some(1));
        assert!(text(&bad).contains(&format!("broken at entry {}", ids[2])), "{}", text(&bad));
    });
}

#[test]
fn admins_create_accounts_whose_owners_set_their_password_from_the_mail() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "admin@cndh.ml", "admin", None);
        sign_in(&app.client, "admin@cndh.ml", PW);
        let token = csrf(&app.client);
        let (s, _, page) = form(
            &app.client,
            "/staff/admin/users",
            &format!(
                "csrf={token}&email=om%40mediateur.ml&name=Oumou&role=ombudsman&institution=cndh&locale=en"
            ),
        );
        assert_eq!(s, Status::UnprocessableEntity, "an ombudsman officer belongs to the Médiateur");
        assert!(page.contains("autre institution"));
        let (s, _, _) = form(
            &app.client,
            "/staff/admin/users",
            &format!("csrf={token}&email=om%40mediateur.ml&name=Oumou&role=ombudsman&institution=&locale=en"),
        );
        assert_eq!(s, Status::SeeOther);
        let mut c = app.db.conn();
        let u = User::find_by_email(&mut c, "om@mediateur.ml").unwrap().unwrap();
        let inst = vigie::auth::model::institution_code(&mut c, u.institution_id.unwrap()).unwrap();
        // Issue #9, item 9: the ombudsman role waits for a second admin; the account is a
        // disabled trainer until then.
        assert_eq!((u.role.as_str(), inst.as_str(), u.locale.as_str()), ("trainer", "mediateur", "en"));
        assert!(u.disabled_at.is_some());
        let (subject, body): (String, String) =
            mail_outbox::table.select((mail_outbox::subject, mail_outbox::body)).first(&mut c).unwrap();
        assert!(subject.contains("account was created"), "{subject}");
        assert!(!body.contains("token="), "the welcome link waits sealed");
        assert!(sent_body(&app.client, &body).contains("/staff/password/reset?token="));
        let actions: Vec<String> = audit_log::table.select(audit_log::action).load(&mut c).unwrap();
        assert!(actions.contains(&"user.create".to_string()));
    });
}

#[test]
fn monitors_open_the_reports_they_filed_without_typing_the_receipt() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "mon1@ngo.ml", "monitor", None);
        add_user(&app.db, "mon2@ngo.ml", "monitor", None);
        sign_in(&app.client, "mon1@ngo.ml", PW);
        let token = csrf(&app.client);
        let fields = [
            ("csrf", token.as_str()),
            ("violations", "liberty.arbitrary_detention"),
            ("narrative", "Détenu trois semaines sans voir de juge à Ségou."),
            ("occurred_on", "2026-09-01"),
            ("admin", "ML-4|ML.SG.SG"),
            ("on_behalf_of", "A.T."),
            ("consent", "true"),
            ("action", "submit"),
        ];
        let (ct, body) = multipart(&fields, &[]);
        assert_eq!(app.client.post("/reports").header(ct).body(body).dispatch().status(), Status::Created);
        let list = app.client.get("/staff/my-reports").dispatch().into_string().unwrap();
        assert!(list.contains("href=\"/staff/my-reports/1\""), "the list links to the report");
        let page = app.client.get("/staff/my-reports/1").dispatch().into_string().unwrap();
        assert!(page.contains("id=\"status\"") && page.contains("action=\"/staff/my-reports/1/messages\""));
        assert!(!page.contains("name=\"receipt\""), "no receipt to type or carry");
        let token = csrf(&app.client);
        let r = app
            .client
            .post("/staff/my-reports/1/messages")
            .header(ContentType::Form)
            .body(format!("csrf={token}&body=Il+a+%C3%A9t%C3%A9+lib%C3%A9r%C3%A9+hier."))
            .dispatch();
        assert_eq!(r.status(), Status::Created);
        assert!(r.into_string().unwrap().contains("Il a été libéré hier."));
        let (ct, body) = multipart(&[("csrf", token.as_str())], &[("file", "photo.png", PNG)]);
        let r = app.client.post("/staff/my-reports/1/attachments").header(ct).body(body).dispatch();
        assert_eq!(r.status(), Status::Created);
        assert_eq!(count(&app.db, "attachments"), 1);
        assert_eq!(count(&app.db, "messages"), 1);
        // Another monitor: the report does not exist for them.
        sign_out(&app.client);
        sign_in(&app.client, "mon2@ngo.ml", PW);
        assert_eq!(app.client.get("/staff/my-reports/1").dispatch().status(), Status::NotFound);
        let token = csrf(&app.client);
        let r = app
            .client
            .post("/staff/my-reports/1/messages")
            .header(ContentType::Form)
            .body(format!("csrf={token}&body=x"))
            .dispatch();
        assert_eq!(r.status(), Status::NotFound);
        assert_eq!(count(&app.db, "messages"), 1);
    });
}

/// An account's language (chosen by the admin who made it, and the language of its mail) is
/// the language of its pages after signing in, unless the person chose one in this browser.
#[test]
fn an_accounts_language_is_the_language_of_its_pages_unless_one_was_chosen() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        let id = add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        diesel::update(vigie::schema::users::table.find(id))
            .set(vigie::schema::users::locale.eq("en"))
            .execute(&mut app.db.conn())
            .unwrap();
        let fresh = || {
            Client::tracked(
                vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
            )
            .unwrap()
        };
        let browser = fresh();
        assert!(browser.get("/staff/sign-in").dispatch().into_string().unwrap().contains("lang=\"fr\""));
        assert_eq!(sign_in(&browser, "inv@cndh.ml", PW).0, Status::SeeOther);
        let page = browser.get("/staff/cases").dispatch().into_string().unwrap();
        assert!(page.contains("lang=\"en\"") && page.contains("Sign out"), "{page}");
        // Chosen in this browser before signing in: kept.
        let chose = fresh();
        chose.get("/staff/sign-in?lang=fr").dispatch();
        assert_eq!(sign_in(&chose, "inv@cndh.ml", PW).0, Status::SeeOther);
        let page = chose.get("/staff/cases").dispatch().into_string().unwrap();
        assert!(page.contains("lang=\"fr\"") && page.contains("Se déconnecter"), "{page}");
    });
}
