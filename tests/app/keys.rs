//! Issue 15, phase 1: the key hierarchy. Accounts' key pairs opened at sign-in and kept only
//! sealed in the session's row; the recovery key split into shares (`vigie keys init`) and
//! recovered with k of them, not k−1 (`vigie keys recover`); group keys given to new members
//! at a holder's sign-in, rotated when a member is disabled; a password change keeps the key,
//! a reset loses the group keys until they are given again.

use std::io::Write;

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;

use crate::accounts::{add_user, enc, sign_in, PW};
use crate::common::*;
use vigie::crypto::{PrivateKey, PublicKey};
use vigie::schema::{audit_log, group_key_seals, group_keys, sessions, users};

fn app(engine: Engine) -> TestApp {
    TestApp::with_figment(TestDb::new(engine), |f| f.merge(("totp_required_roles", Vec::<String>::new())))
}

fn post(client: &Client, path: &str, body: &str) -> (Status, Option<String>, String) {
    let r = client.post(path).header(ContentType::Form).body(body).dispatch();
    let loc = r.headers().get_one("Location").map(String::from);
    (r.status(), loc, r.into_string().unwrap_or_default())
}

fn sign_out(client: &Client) {
    let token = csrf(client);
    let (s, _, _) = post(client, "/staff/sign-out", &format!("csrf={token}"));
    assert_eq!(s, Status::SeeOther);
}

fn enter(client: &Client, email: &str) {
    let (s, loc) = sign_in(client, email, PW);
    assert_eq!((s, loc.as_deref()), (Status::SeeOther, Some("/staff")), "{email} signs in");
}

/// The account's stored key pair: (public key, sealed private key).
fn stored_keys(db: &TestDb, id: i32) -> (Option<String>, Option<String>) {
    users::table
        .find(id)
        .select((users::public_key, users::sealed_private_key))
        .first(&mut db.conn())
        .unwrap()
}

fn private_key(db: &TestDb, id: i32, password: &str) -> PrivateKey {
    PrivateKey::open_with_password(&stored_keys(db, id).1.expect("a key pair"), password).expect("opens")
}

/// The (group, version) pairs an account holds.
fn held(db: &TestDb, id: i32) -> Vec<(String, i32)> {
    group_keys::table
        .inner_join(group_key_seals::table)
        .filter(group_key_seals::user_id.eq(id))
        .order((group_keys::group_code, group_keys::version))
        .select((group_keys::group_code, group_keys::version))
        .load(&mut db.conn())
        .unwrap()
}

/// Runs `vigie` with `input` on its standard input.
fn vigie_with_input(db: &TestDb, args: &[&str], input: &str) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &db.url)
        .env("ROCKET_DATA_DIR", db.data_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// `vigie keys init`, returning the printed shares' lines.
fn init(db: &TestDb, shares: u8, threshold: u8) -> Vec<String> {
    let out = vigie_cmd(
        db,
        &["keys", "init", "--shares", &shares.to_string(), "--threshold", &threshold.to_string()],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("share "))
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), usize::from(shares), "{}", text(&out));
    lines
}

#[test]
fn sign_in_opens_the_private_key_and_the_session_row_holds_it_only_sealed_until_sign_out_or_expiry() {
    each_engine(|engine| {
        let app = app(engine);
        let id = add_user(&app.db, "accueil@cndh.ml", "intake", None);
        assert_eq!(stored_keys(&app.db, id), (None, None), "an account from before issue 15");
        enter(&app.client, "accueil@cndh.ml");
        // The first sign-in made the key pair, sealed under the password.
        let (public, sealed) = stored_keys(&app.db, id);
        let key = private_key(&app.db, id, PW);
        assert_eq!(PublicKey::from_text(&public.unwrap()).unwrap(), key.public_key());
        assert!(
            PrivateKey::open_with_password(sealed.as_deref().unwrap(), "Falaise rouge sur le fleuv").is_err()
        );
        let raw = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(key.to_bytes().as_ref())
        };
        let rows: Vec<(i32, Option<String>, Option<chrono::NaiveDateTime>)> = sessions::table
            .filter(sessions::user_id.eq(id))
            .select((sessions::id, sessions::sealed_key, sessions::revoked_at))
            .load(&mut app.db.conn())
            .unwrap();
        assert_eq!(rows.len(), 1);
        let in_session = rows[0].1.clone().expect("the session holds the key, sealed");
        assert!(in_session.starts_with("tok1:") && !in_session.contains(&raw));
        assert!(!sealed.unwrap().contains(&raw));

        // A second sign-in opens the same key (not a new pair).
        sign_out(&app.client);
        let after: Option<String> =
            sessions::table.find(rows[0].0).select(sessions::sealed_key).first(&mut app.db.conn()).unwrap();
        assert_eq!(after, None, "signing out empties the session's sealed key");
        enter(&app.client, "accueil@cndh.ml");
        assert_eq!(stored_keys(&app.db, id).0, Some(key.public_key().to_text()));

        // The session times out: the sweep empties its key.
        let db = app.client.rocket().state::<vigie::db::Db>().unwrap().clone();
        let limits = *app.client.rocket().state::<vigie::auth::SessionLimits>().unwrap();
        let live = || {
            sessions::table
                .filter(sessions::user_id.eq(id))
                .filter(sessions::sealed_key.is_not_null())
                .count()
                .get_result::<i64>(&mut app.db.conn())
                .unwrap()
        };
        assert_eq!(live(), 1);
        let rt = rocket::tokio::runtime::Runtime::new().unwrap();
        let now = chrono::Utc::now().naive_utc();
        rt.block_on(vigie::accounts::forget_expired_session_keys(&db, limits, now));
        assert_eq!(live(), 1, "a live session keeps its key");
        let later = now + chrono::Duration::minutes(limits.idle_minutes + 1);
        rt.block_on(vigie::accounts::forget_expired_session_keys(&db, limits, later));
        assert_eq!(live(), 0, "an idle session's key is emptied");
    });
}

#[test]
fn keys_init_prints_shares_once_and_recover_needs_k_shares_not_k_minus_one() {
    each_engine(|engine| {
        let app = app(engine);
        let intake = add_user(&app.db, "accueil@cndh.ml", "intake", None);
        let inv = add_user(&app.db, "enqueteur@cndh.ml", "investigator", Some("cndh"));
        for email in ["accueil@cndh.ml", "enqueteur@cndh.ml"] {
            enter(&app.client, email);
            sign_out(&app.client);
        }
        let shares = init(&app.db, 5, 3);
        assert_eq!(held(&app.db, intake), vec![("intake".to_string(), 1)]);
        assert_eq!(held(&app.db, inv), vec![("cndh".to_string(), 1)]);
        let groups: i64 = group_keys::table.count().get_result(&mut app.db.conn()).unwrap();
        assert!(groups >= 3, "the intake desk and each institution");
        // Again: nothing printed, refused.
        let again = vigie_cmd(&app.db, &["keys", "init"], &[]);
        assert!(!again.status.success() && !text(&again).contains("vigie-share"), "{}", text(&again));

        // A new investigator: no member has signed in since, so they wait.
        let newcomer = add_user(&app.db, "nouveau@cndh.ml", "investigator", Some("cndh"));
        enter(&app.client, "nouveau@cndh.ml");
        let page = app.client.get("/staff/account").dispatch().into_string().unwrap();
        assert!(page.contains("id=\"keys-waiting\""), "the account page says they wait");
        sign_out(&app.client);
        let recover = |lines: &[&String]| {
            let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
            vigie_with_input(
                &app.db,
                &["keys", "recover", "--group", "cndh", "--to", "nouveau@cndh.ml"],
                &input,
            )
        };
        // k − 1 shares, any two: refused, nothing given.
        for pair in [[0, 1], [1, 4], [2, 3]] {
            let out = recover(&[&shares[pair[0]], &shares[pair[1]]]);
            assert!(!out.status.success(), "{pair:?}: {}", text(&out));
            assert!(text(&out).contains("do not give the recovery key"), "{}", text(&out));
        }
        assert!(held(&app.db, newcomer).is_empty());
        // A mistyped share is named.
        let typo = shares[0].replace("vigie-share-1-1-", "vigie-share-1-1-0");
        let out = recover(&[&typo, &shares[1], &shares[2]]);
        assert!(!out.status.success() && text(&out).contains("line 1"), "{}", text(&out));
        // k shares: given.
        let out = recover(&[&shares[4], &shares[1], &shares[3]]);
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(held(&app.db, newcomer), vec![("cndh".to_string(), 1)]);
        // The key they got opens the group key's version with their own private key.
        let conn = &mut app.db.conn();
        let key = private_key(&app.db, newcomer, PW);
        let group = vigie::keyring::model::open_group_key(conn, "cndh", 1, newcomer, &key).unwrap().unwrap();
        let public: String = group_keys::table
            .filter(group_keys::group_code.eq("cndh"))
            .select(group_keys::public_key)
            .first(conn)
            .unwrap();
        assert_eq!(group.public_key().to_text(), public);
        // Not to someone outside the group.
        let out = vigie_with_input(
            &app.db,
            &["keys", "recover", "--group", "cndh", "--to", "accueil@cndh.ml"],
            &format!("{}\n{}\n{}\n", shares[0], shares[1], shares[2]),
        );
        assert!(!out.status.success() && text(&out).contains("not an enabled member"), "{}", text(&out));
        let recorded: i64 = audit_log::table
            .filter(audit_log::action.eq("keys.recover"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(recorded, 1);
    });
}

#[test]
fn a_holder_gives_the_group_key_at_sign_in_and_a_disabled_member_cannot_open_what_is_sealed_after() {
    each_engine(|engine| {
        let app = app(engine);
        let a = add_user(&app.db, "a@cndh.ml", "intake", None);
        enter(&app.client, "a@cndh.ml");
        sign_out(&app.client);
        init(&app.db, 3, 2);
        let d = add_user(&app.db, "d@cndh.ml", "intake", None);
        enter(&app.client, "d@cndh.ml");
        sign_out(&app.client);
        assert!(held(&app.db, d).is_empty(), "waiting");
        // A holder signs in: D gets the key.
        enter(&app.client, "a@cndh.ml");
        sign_out(&app.client);
        assert_eq!(held(&app.db, d), vec![("intake".to_string(), 1)]);
        let granted: i64 = audit_log::table
            .filter(audit_log::action.eq("keys.grant"))
            .filter(audit_log::object_id.eq(d.to_string()))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(granted, 1);
        enter(&app.client, "d@cndh.ml");
        let page = app.client.get("/staff/account").dispatch().into_string().unwrap();
        assert!(!page.contains("id=\"keys-waiting\""), "no longer waiting");
        sign_out(&app.client);
        // A report filed now: its data key sealed to the intake desk's version 1, which D holds;
        // and a case note, sealed to the intake desk's version 1 too (and the CNDH's).
        crate::security_cases::file_report(&app.client, json_report("Au marché, RECIT", "V", "N", "C"));
        let note_id = {
            use vigie::schema::{case_notes, events, institutions};
            let c = &mut app.db.conn();
            let now = chrono::Utc::now().naive_utc();
            let event: i32 = diesel::insert_into(events::table)
                .values((
                    events::title.eq("T"),
                    events::occurred_on.eq(now.date()),
                    events::date_precision.eq("exact"),
                    events::created_at.eq(now),
                ))
                .returning(events::id)
                .get_result(c)
                .unwrap();
            let cndh: i32 = institutions::table
                .filter(institutions::code.eq("cndh"))
                .select(institutions::id)
                .first(c)
                .unwrap();
            let (case, _) = vigie::cases::model::open_case(c, event, cndh, 7, 30, now).unwrap();
            let what = vigie::keyring::report::note_what(case);
            let body =
                vigie::keyring::model::seal_case_text(c, case, &what, "NOTE-AVANT-DEPART", now).unwrap();
            diesel::insert_into(case_notes::table)
                .values((
                    case_notes::case_id.eq(case),
                    case_notes::user_id.eq(a),
                    case_notes::body.eq(body),
                    case_notes::created_at.eq(now),
                ))
                .returning(case_notes::id)
                .get_result::<i32>(c)
                .unwrap()
        };

        // An admin disables D: a new version, held by A and not by D.
        add_user(&app.db, "admin@cndh.ml", "admin", None);
        enter(&app.client, "admin@cndh.ml");
        let token = csrf(&app.client);
        let (s, _, page) =
            post(&app.client, &format!("/staff/admin/users/{d}/disable"), &format!("csrf={token}"));
        assert_eq!(s, Status::SeeOther, "{page}");
        sign_out(&app.client);
        assert_eq!(held(&app.db, a), vec![("intake".to_string(), 1), ("intake".to_string(), 2)]);
        assert_eq!(held(&app.db, d), vec![("intake".to_string(), 1)]);
        let conn = &mut app.db.conn();
        let v2: String = group_keys::table
            .filter(group_keys::group_code.eq("intake"))
            .filter(group_keys::version.eq(2))
            .select(group_keys::public_key)
            .first(conn)
            .unwrap();
        // Data sealed to the new version after D left: A opens it, D with every key they hold
        // (their own, and version 1 of the group's) cannot.
        let sealed = PublicKey::from_text(&v2).unwrap().seal(b"report 9", b"sealed after D left");
        let ka = private_key(&app.db, a, PW);
        let g2 = vigie::keyring::model::open_group_key(conn, "intake", 2, a, &ka).unwrap().unwrap();
        assert_eq!(g2.open(b"report 9", &sealed).unwrap(), b"sealed after D left");
        let kd = private_key(&app.db, d, PW);
        assert!(vigie::keyring::model::open_group_key(conn, "intake", 2, d, &kd).unwrap().is_none());
        let g1 = vigie::keyring::model::open_group_key(conn, "intake", 1, d, &kd).unwrap().unwrap();
        assert!(kd.open(b"report 9", &sealed).is_err() && g1.open(b"report 9", &sealed).is_err());
        let rotated: i64 = audit_log::table
            .filter(audit_log::action.eq("keys.group_rotate"))
            .count()
            .get_result(conn)
            .unwrap();
        assert_eq!(rotated, 1);

        // A signs in: the report's data key, sealed to version 1 before D left, is sealed to
        // version 2. D's copy of version 1 no longer opens it; A's version 2 does.
        use vigie::schema::report_keys;
        let row = || -> (Option<i32>, String) {
            report_keys::table
                .find((1, "intake"))
                .select((report_keys::group_key_id, report_keys::sealed))
                .first(&mut app.db.conn())
                .unwrap()
        };
        let v2_id: i32 = group_keys::table
            .filter(group_keys::group_code.eq("intake"))
            .filter(group_keys::version.eq(2))
            .select(group_keys::id)
            .first(conn)
            .unwrap();
        let (before_id, before) = row();
        assert_ne!(before_id, Some(v2_id));
        assert!(
            vigie::keyring::report::open_data_key(&before, 1, "intake", 1, &g1).is_ok(),
            "D could, before"
        );
        enter(&app.client, "a@cndh.ml");
        sign_out(&app.client);
        let (after_id, after) = row();
        assert_eq!(after_id, Some(v2_id));
        assert!(
            vigie::keyring::report::open_data_key(&after, 1, "intake", 1, &g1).is_err(),
            "D cannot, after"
        );
        let opened = vigie::keyring::report::open_data_key(&after, 1, "intake", 2, &g2).unwrap();
        let was = vigie::keyring::report::open_data_key(&before, 1, "intake", 1, &g1).unwrap();
        assert_eq!(opened.as_bytes(), was.as_bytes(), "the same data key");
        let resealed: i64 = audit_log::table
            .filter(audit_log::action.eq("report.keys_reseal"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(resealed, 1);
        // The note's intake part too: version 2 opens it, D's version 1 does not.
        let (case_id, body): (i32, String) = vigie::schema::case_notes::table
            .find(note_id)
            .select((vigie::schema::case_notes::case_id, vigie::schema::case_notes::body))
            .first(&mut app.db.conn())
            .unwrap();
        let what = vigie::keyring::report::note_what(case_id);
        let parts = vigie::keyring::report::sealed_groups(&body).unwrap();
        let intake_part = parts.iter().find(|p| p.0 == "intake").unwrap();
        assert_eq!(intake_part.1, 2, "{parts:?}");
        let open = |v: i32, k: &PrivateKey| {
            vigie::keyring::report::open_for_group(&intake_part.2, &what, "intake", v, k)
        };
        assert_eq!(open(2, &g2).as_deref(), Some("NOTE-AVANT-DEPART"));
        assert_eq!(open(1, &g1), None);
        // Nothing is left at version 1: every member's copy of it is gone (D's included), the
        // recovery key's stays.
        assert_eq!(held(&app.db, a), vec![("intake".to_string(), 2)]);
        assert!(vigie::keyring::model::open_group_key(&mut app.db.conn(), "intake", 1, d, &kd)
            .unwrap()
            .is_none());
        // Signing in again finds nothing more to re-seal.
        enter(&app.client, "a@cndh.ml");
        sign_out(&app.client);
        assert_eq!(row(), (after_id, after));
    });
}

#[test]
fn a_password_change_keeps_the_key_and_its_group_keys_and_a_reset_loses_them_until_given_again() {
    each_engine(|engine| {
        let app = app(engine);
        let a = add_user(&app.db, "a@cndh.ml", "intake", None);
        let b = add_user(&app.db, "b@cndh.ml", "intake", None);
        for e in ["a@cndh.ml", "b@cndh.ml"] {
            enter(&app.client, e);
            sign_out(&app.client);
        }
        init(&app.db, 3, 2);
        let before = private_key(&app.db, a, PW).public_key();
        // A changes their password in the session that holds the key.
        enter(&app.client, "a@cndh.ml");
        let new_pw = "Le fleuve Niger coule vers Gao";
        let token = csrf(&app.client);
        let (s, _, page) = post(
            &app.client,
            "/staff/account/password",
            &format!("csrf={token}&current={}&password={}&confirm={}", enc(PW), enc(new_pw), enc(new_pw)),
        );
        assert_eq!(s, Status::SeeOther, "{page}");
        assert_eq!(private_key(&app.db, a, new_pw).public_key(), before, "the same key pair");
        assert!(PrivateKey::open_with_password(&stored_keys(&app.db, a).1.unwrap(), PW).is_err());
        assert_eq!(held(&app.db, a), vec![("intake".to_string(), 1)]);

        // B's password is reset (the CLI, as an admin's link would): a new key pair, the
        // group keys sealed to the old one forgotten.
        let old_b = private_key(&app.db, b, PW).public_key();
        let out = vigie_cmd(
            &app.db,
            &["user", "reset-password", "--email", "b@cndh.ml"],
            &[("VIGIE_PASSWORD", new_pw)],
        );
        assert!(out.status.success(), "{}", text(&out));
        assert_ne!(private_key(&app.db, b, new_pw).public_key(), old_b);
        assert!(held(&app.db, b).is_empty());
        let (s, loc) = sign_in(&app.client, "b@cndh.ml", new_pw);
        assert_eq!((s, loc.as_deref()), (Status::SeeOther, Some("/staff")));
        let page = app.client.get("/staff/account").dispatch().into_string().unwrap();
        assert!(page.contains("id=\"keys-waiting\""), "the account page says so");
        sign_out(&app.client);
        // A remaining member signs in: B has it again.
        let (s, _) = sign_in(&app.client, "a@cndh.ml", new_pw);
        assert_eq!(s, Status::SeeOther);
        assert_eq!(held(&app.db, b), vec![("intake".to_string(), 1)]);
        sign_out(&app.client);
        // `vigie user disable` rotates too: version 2 for A only.
        let out = vigie_cmd(&app.db, &["user", "disable", "--email", "b@cndh.ml"], &[]);
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(held(&app.db, a), vec![("intake".to_string(), 1), ("intake".to_string(), 2)]);
        assert_eq!(held(&app.db, b), vec![("intake".to_string(), 1)]);
    });
}

/// Issue 15, phase 2: a report filed once the keys are set up keeps its narrative, victim
/// details and reporter identity only sealed. The bytes of the SQLite files and a `pg_dump`
/// hold none of the markers, while the intake officer reads the narrative, the routed
/// institution reads the identity too, and the other institution cannot, neither by the web
/// (404) nor with a database connection and its own key. A routing officer who holds no key
/// yet leaves the share waiting; a holder's sign-in makes it. Changed bytes are refused, not
/// shown.
#[test]
fn reports_filed_after_keys_init_are_sealed_at_rest_and_open_for_intake_and_the_routed_institution_only() {
    use crate::security_cases::{case_of, file_report, get, route, signed_in};
    use vigie::keyring::{model::open_report, Opened, Reader};
    use vigie::schema::{report_keys, report_keys_wanted, reports};
    each_engine(|engine| {
        let app = crate::security_cases::app(engine);
        let intake_id = add_user(&app.db, "intake@vigie.ml", "intake", None);
        let inv_id = add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        let om_id = add_user(&app.db, "om@mediateur.ml", "ombudsman", Some("mediateur"));
        add_user(&app.db, "audit@vigie.ml", "auditor", None);
        for email in ["intake@vigie.ml", "inv@cndh.ml", "om@mediateur.ml", "audit@vigie.ml"] {
            drop(signed_in(&app, email));
        }
        // Before the keys are set up, a report is kept in clear (as before issue 15).
        let marked = |n: u32| {
            json_report(
                &format!("Au marché de Sévaré MARQUEUR-RECIT-{n}, des gendarmes ont battu mon frère."),
                &format!("MARQUEUR-VICTIME-{n}, un homme de trente ans"),
                &format!("MARQUEUR-NOM-{n}"),
                &format!("MARQUEUR-CONTACT-{n}"),
            )
        };
        file_report(&app.client, marked(100));
        assert!(
            bytes_contain(&database_bytes(&app.db), "MARQUEUR-RECIT-100"),
            "the detector finds clear text"
        );
        init(&app.db, 5, 3);
        // A second intake officer, after the keys: a key pair at sign-in, no group key yet.
        let late_id = add_user(&app.db, "tard@vigie.ml", "intake", None);
        let late = signed_in(&app, "tard@vigie.ml");
        let receipt2 = file_report(&app.client, marked(201)); // report 2
        file_report(&app.client, marked(202)); // report 3
        let mut markers: Vec<String> = [201, 202]
            .iter()
            .flat_map(|n| ["RECIT", "VICTIME", "NOM", "CONTACT"].map(|f| format!("MARQUEUR-{f}-{n}")))
            .collect();
        markers.push("MARQUEUR-MESSAGE-SIGNALANT-201".into());
        markers.push("MARQUEUR-MESSAGE-CNDH-201".into());
        markers.push("MARQUEUR-NOTE-201".into());
        markers.push("MARQUEUR-FICHIER-201".into());
        markers.push("MARQUEUR-FICHIER-FORMULAIRE".into());
        markers.push("MARQUEUR-TRANSCRIPTION".into());
        markers.push("MARQUEUR-TRADUCTION".into());
        markers.push("MARQUEUR-CONCLUSION-201".into());
        let at_rest = |when: &str| {
            let bytes = database_bytes(&app.db);
            for m in &markers {
                assert!(!bytes_contain(&bytes, m), "{m} readable in the database's bytes {when}");
            }
        };
        at_rest("after filing");
        // A sealed report stores the look-up value, which does not give the reporter's key.
        let stored: String =
            reports::table.find(2).select(reports::receipt_hash).first(&mut app.db.conn()).unwrap();
        assert!(stored.starts_with("argon2id+hkdf$"), "{stored}");
        // The exact point is sealed; the columns keep its ~1 km cell (report 1 too, sealed by
        // `keys init`).
        let point = |id: i32| -> (Option<f64>, Option<f64>) {
            reports::table.find(id).select((reports::lat, reports::lon)).first(&mut app.db.conn()).unwrap()
        };
        assert!([1, 2, 3].iter().all(|id| point(*id) == (Some(14.54), Some(-4.09))), "{:?}", point(2));

        // The late officer holds no key: the page says so and shows none of it.
        let page = get(&late, "/staff/reports/3");
        assert!(page.contains("id=\"sealed-note\"") && !page.contains("MARQUEUR-RECIT-202"), "{page}");
        assert!(page.contains("14.54, -4.09") && !page.contains("14.54217"), "the cell only: {page}");
        // They route report 3 anyway: the CNDH's share waits.
        let cases3 = route(&late, &app.db, 3, &["integrity.beating"], false);
        let case3 = case_of(&cases3, "cndh");
        let waiting: i64 = report_keys_wanted::table.count().get_result(&mut app.db.conn()).unwrap();
        assert_eq!(waiting, 1, "the CNDH's key for report 3 waits");
        let inv = signed_in(&app, "inv@cndh.ml");
        let page = get(&inv, &format!("/staff/cases/{case3}"));
        assert!(page.contains("id=\"sealed-note-3\"") && !page.contains("MARQUEUR-NOM-202"), "{page}");

        // The first intake officer signs in: gives the late one the intake key and makes the
        // waiting share.
        let intake = signed_in(&app, "intake@vigie.ml");
        let waiting: i64 = report_keys_wanted::table.count().get_result(&mut app.db.conn()).unwrap();
        assert_eq!(waiting, 0, "made at the holder's sign-in");
        let page = get(&inv, &format!("/staff/cases/{case3}"));
        for m in ["MARQUEUR-RECIT-202", "MARQUEUR-NOM-202", "MARQUEUR-CONTACT-202"] {
            assert!(page.contains(m), "the CNDH reads {m}");
        }

        // The intake officer reads report 2's narrative and victims, not the identity, and
        // its exact point.
        let page = get(&intake, "/staff/reports/2");
        assert!(page.contains("MARQUEUR-RECIT-201") && page.contains("MARQUEUR-VICTIME-201"), "{page}");
        assert!(page.contains("14.54217, -4.09368"), "{page}");
        assert!(!page.contains("MARQUEUR-NOM-201") && page.contains("id=\"identity-withheld\""));
        let cases2 = route(&intake, &app.db, 2, &["integrity.beating"], false);
        let case2 = case_of(&cases2, "cndh");
        // The event opened from it keeps the cell, not the point its reader opened.
        let event_point: (Option<f64>, Option<f64>) = vigie::schema::events::table
            .inner_join(reports::table.on(reports::event_id.eq(vigie::schema::events::id.nullable())))
            .filter(reports::id.eq(2))
            .select((vigie::schema::events::lat, vigie::schema::events::lon))
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!(event_point, (Some(14.54), Some(-4.09)));
        let page = get(&inv, &format!("/staff/cases/{case2}"));
        for m in ["MARQUEUR-RECIT-201", "MARQUEUR-NOM-201", "MARQUEUR-CONTACT-201"] {
            assert!(page.contains(m), "the CNDH reads {m}");
        }
        let page = get(&inv, "/staff/reports/2");
        assert!(page.contains("MARQUEUR-VICTIME-201") && page.contains("MARQUEUR-CONTACT-201"));
        // Messages both ways: the reporter's to the CNDH, the CNDH's answer, each read by the other
        // side (the reporter through the receipt, which opens their copy of the data key).
        crate::security_cases::reply(
            &app.client,
            &receipt2,
            "MARQUEUR-MESSAGE-SIGNALANT-201 ils sont revenus",
            Some("cndh"),
        );
        let (s, _, _) = crate::security_cases::post(
            &inv,
            &format!("/staff/cases/{case2}/messages"),
            "report_id=2&body=MARQUEUR-MESSAGE-CNDH-201+merci",
        );
        assert_eq!(s, Status::SeeOther);
        let page = get(&inv, &format!("/staff/cases/{case2}"));
        assert!(
            page.contains("MARQUEUR-MESSAGE-SIGNALANT-201") && page.contains("MARQUEUR-MESSAGE-CNDH-201")
        );
        let seen = crate::security_cases::status_of(&app.client, &receipt2).to_string();
        assert!(
            seen.contains("MARQUEUR-MESSAGE-CNDH-201") && seen.contains("MARQUEUR-MESSAGE-SIGNALANT-201"),
            "{seen}"
        );
        // A note and a finding's reasoning, sealed to the CNDH's and the intake desk's keys.
        let post = crate::security_cases::post;
        let base = format!("/staff/cases/{case2}");
        assert_eq!(
            post(&inv, &format!("{base}/notes"), "body=MARQUEUR-NOTE-201+temoin+au+camp").0,
            Status::SeeOther
        );
        assert_eq!(post(&inv, &format!("{base}/assign"), &format!("user_id={inv_id}")).0, Status::SeeOther);
        for to in ["acknowledged", "triage", "assigned", "investigation", "findings"] {
            assert_eq!(
                post(&inv, &format!("{base}/transition"), &format!("to={to}&reason=")).0,
                Status::SeeOther,
                "{to}"
            );
        }
        let alleg: i32 = vigie::schema::allegations::table
            .filter(vigie::schema::allegations::case_id.eq(case2))
            .select(vigie::schema::allegations::id)
            .first(&mut app.db.conn())
            .unwrap();
        let body = format!("allegation_id={alleg}&disposition=substantiated&standard=balance+of+probabilities&reasoning=MARQUEUR-CONCLUSION-201+certificat");
        assert_eq!(post(&inv, &format!("{base}/findings"), &body).0, Status::SeeOther);
        let page = get(&inv, &base);
        assert!(page.contains("MARQUEUR-NOTE-201") && page.contains("MARQUEUR-CONCLUSION-201"), "{page}");
        let audit = signed_in(&app, "audit@vigie.ml");
        let page = get(&audit, &base);
        assert!(
            page.contains("MARQUEUR-NOTE-201") && page.contains("MARQUEUR-CONCLUSION-201"),
            "the auditor reads them"
        );
        drop(audit);
        // The clear report of before still reads as before.
        assert!(get(&intake, "/staff/reports/1").contains("MARQUEUR-RECIT-100"));
        at_rest("after routing and reading");

        // The Médiateur: 404 on the web, and nothing opens with its own key and the database.
        let om = signed_in(&app, "om@mediateur.ml");
        assert_eq!(om.get("/staff/reports/2").dispatch().status(), Status::NotFound);
        let mut conn = app.db.conn();
        let sealed: Option<String> = reports::table.find(2).select(reports::sealed).first(&mut conn).unwrap();
        let as_reader = |id: i32| Reader { user_id: id, key: private_key(&app.db, id, PW) };
        let om_reader = as_reader(om_id);
        assert_eq!(open_report(&mut conn, 2, sealed.as_deref(), Some(&om_reader)).unwrap(), Opened::NoKey);
        // Its own group key, opened, against the CNDH's sealed data key: refused.
        let cndh_sealed: String = report_keys::table
            .filter(report_keys::report_id.eq(2))
            .filter(report_keys::holder.eq("cndh"))
            .select(report_keys::sealed)
            .first(&mut conn)
            .unwrap();
        let med = vigie::keyring::model::open_group_key(&mut conn, "mediateur", 1, om_id, &om_reader.key)
            .unwrap()
            .expect("the Médiateur's officer holds their group's key");
        for holder in ["cndh", "mediateur"] {
            assert!(vigie::keyring::report::open_data_key(&cndh_sealed, 2, holder, 1, &med).is_err());
        }
        // The holders' keys do open it (so the test above can fail).
        for (id, who) in [(intake_id, "intake"), (late_id, "late intake"), (inv_id, "cndh")] {
            match open_report(&mut conn, 2, sealed.as_deref(), Some(&as_reader(id))).unwrap() {
                Opened::Open(p) => assert!(p.narrative.contains("MARQUEUR-RECIT-201"), "{who}"),
                other => panic!("{who}: {other:?}"),
            }
        }

        // Evidence: a file sent later with the receipt (several 64 KiB chunks) and one sent with
        // the form, both stored sealed; the CNDH and the intake officer get them back whole.
        let mut pdf = b"%PDF-1.4\n% MARQUEUR-FICHIER-201\n".to_vec();
        pdf.resize(150_000, b' ');
        let (ct, body) = multipart(&[("receipt", &receipt2)], &[("file", "preuve.pdf", &pdf)]);
        let r = app.client.post("/api/v1/receipts/attachments").header(ct).body(body).dispatch();
        assert_eq!(r.status(), Status::Created, "{:?}", r.into_string());
        let mut pdf4 = b"%PDF-1.4\n% MARQUEUR-FICHIER-FORMULAIRE\n".to_vec();
        pdf4.resize(2_000, b' ');
        crate::security_evidence::file_with(&app.client, &[("evidence", "f.pdf", &pdf4)]); // report 4
        at_rest("after the files");
        let file_of = |report: i32| -> i32 {
            vigie::schema::attachments::table
                .filter(vigie::schema::attachments::report_id.eq(report))
                .select(vigie::schema::attachments::id)
                .first(&mut app.db.conn())
                .unwrap()
        };
        let r = inv.get(format!("/staff/attachments/{}", file_of(2))).dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.into_bytes().unwrap(), pdf, "the CNDH gets the file back whole");
        let r = intake.get(format!("/staff/attachments/{}", file_of(4))).dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.into_bytes().unwrap(), pdf4, "the intake officer too");
        // A larger file is stored sealed in pieces of at most 1 MiB (written and read one at a
        // time); opened whole, and refused when two pieces are swapped.
        let mut big = b"%PDF-1.4\n% MARQUEUR-GROS-FICHIER\n".to_vec();
        big.extend((0..2_600_000u32).map(|i| b"abcdefghij"[(i % 10) as usize]));
        let (ct, body) = multipart(&[("receipt", &receipt2)], &[("file", "gros.pdf", &big)]);
        let r = app.client.post("/api/v1/receipts/attachments").header(ct).body(body).dispatch();
        assert_eq!(r.status(), Status::Created, "{:?}", r.into_string());
        let big_id: i32 = vigie::schema::attachments::table
            .filter(vigie::schema::attachments::report_id.eq(2))
            .select(vigie::schema::attachments::id)
            .order(vigie::schema::attachments::id.desc())
            .first(&mut conn)
            .unwrap();
        {
            use vigie::schema::attachment_pieces as p;
            let sizes: Vec<(i32, i32)> = p::table
                .filter(p::attachment_id.eq(big_id))
                .order(p::seq)
                .select((p::seq, diesel::dsl::sql::<diesel::sql_types::Integer>("length(data)")))
                .load(&mut conn)
                .unwrap();
            assert_eq!(sizes.iter().map(|s| s.0).collect::<Vec<_>>(), vec![0, 1, 2], "{sizes:?}");
            assert!(sizes.iter().all(|s| s.1 <= 1024 * 1024), "{sizes:?}");
            let r = inv.get(format!("/staff/attachments/{big_id}")).dispatch();
            assert_eq!(r.status(), Status::Ok);
            assert!(r.into_bytes().unwrap() == big, "the CNDH gets the large file back whole");
            let swap = |a: i32, b: i32| {
                for (from, to) in [(a, -1), (b, a), (-1, b)] {
                    diesel::update(p::table.filter(p::attachment_id.eq(big_id)).filter(p::seq.eq(from)))
                        .set(p::seq.eq(to))
                        .execute(&mut app.db.conn())
                        .unwrap();
                }
            };
            swap(0, 1);
            let r = inv.get(format!("/staff/attachments/{big_id}")).dispatch();
            assert_ne!(r.status(), Status::Ok, "swapped pieces are refused, not shown");
            swap(0, 1);
            assert!(inv.get(format!("/staff/attachments/{big_id}")).dispatch().into_bytes().unwrap() == big);
            assert!(!bytes_contain(&database_bytes(&app.db), "MARQUEUR-GROS-FICHIER"));
        }
        // A recording told with the form (report 5), played and transcribed by the intake officer.
        const OGG: &[u8] = b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00";
        crate::security_evidence::file_with(&app.client, &[("voice", "voix.ogg", OGG)]);
        let aid = file_of(5);
        let r = intake.get(format!("/staff/attachments/{aid}")).dispatch();
        assert_eq!(r.into_bytes().unwrap(), OGG);
        let body =
            "back=/staff/reports/5&transcription=MARQUEUR-TRANSCRIPTION&translation=MARQUEUR-TRADUCTION";
        assert_eq!(
            post(&intake, &format!("/staff/attachments/{aid}/transcription"), body).0,
            Status::SeeOther
        );
        let page = get(&intake, "/staff/reports/5");
        assert!(page.contains("MARQUEUR-TRANSCRIPTION") && page.contains("MARQUEUR-TRADUCTION"));
        at_rest("after the transcription");
        // The database itself refuses protected text in clear once the keys exist, whatever the
        // code above it does (migration 000057); writes that keep things sealed pass.
        let refused = [
            "UPDATE reports SET narrative = 'EN CLAIR' WHERE id = 2".to_string(),
            "UPDATE reports SET reporter_contact = '+223 70 00 00 00' WHERE id = 2".into(),
            "UPDATE reports SET lat = 14.542171 WHERE id = 2".into(),
            "UPDATE reports SET sealed = NULL WHERE id = 2".into(),
            "INSERT INTO messages (report_id, author, body, sent_on) VALUES (2, 'reporter', 'EN CLAIR', CURRENT_DATE)".into(),
            "UPDATE attachments SET stored_sha256 = NULL WHERE report_id = 2".into(),
            format!("INSERT INTO case_notes (case_id, user_id, body, created_at) VALUES ({case2}, {inv_id}, 'EN CLAIR', CURRENT_TIMESTAMP)"),
            "UPDATE allegations SET finding_reasoning = 'EN CLAIR'".into(),
        ];
        for sql in &refused {
            assert!(diesel::sql_query(sql.as_str()).execute(&mut conn).is_err(), "refused: {sql}");
        }
        for sql in [
            "UPDATE reports SET status = status, lat = lat WHERE id = 2",
            "UPDATE messages SET body = body WHERE report_id = 2",
            "UPDATE attachments SET stored_sha256 = stored_sha256 WHERE report_id = 2",
        ] {
            assert!(diesel::sql_query(sql).execute(&mut conn).unwrap() > 0, "allowed: {sql}");
        }

        // One changed character of the sealed fields: refused, shown as such, never as text.
        let mut bad = sealed.clone().unwrap();
        let i = bad.len() / 2;
        let c = if &bad[i..=i] == "A" { "B" } else { "A" };
        bad.replace_range(i..=i, c);
        diesel::update(reports::table.find(2)).set(reports::sealed.eq(&bad)).execute(&mut conn).unwrap();
        let page = get(&inv, &format!("/staff/cases/{case2}"));
        assert!(page.contains("id=\"sealed-note-2\"") && !page.contains("MARQUEUR-RECIT-201"), "{page}");
        let r = inv.get("/staff/reports/2").dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert!(r.into_string().unwrap().contains("id=\"sealed-note\""));
    });
}

fn json_report(narrative: &str, victims: &str, name: &str, contact: &str) -> serde_json::Value {
    serde_json::json!({"narrative": narrative, "victim_details": victims, "occurred_on": "2026-10-20",
        "violations": ["integrity.beating"], "force": "gendarmerie", "location": {"lat": 14.542_17, "lon": -4.093_68},
        "reporter_name": name, "reporter_contact": contact})
}

/// Issue 15, the migration: an installation that took reports before `vigie keys init` has
/// them sealed by it (in batches, resumable: `vigie keys seal`). The narrative, identity,
/// messages both ways, a file and a case note are gone from the database's bytes; the intake
/// officer, the routed institution and the reporter (with the same receipt) read them as before.
#[test]
fn keys_init_seals_what_was_kept_in_clear_and_everyone_reads_it_as_before() {
    use crate::security_cases::{case_of, file_report, get, post, reply, route, signed_in, status_of};
    each_engine(|engine| {
        let app = crate::security_cases::app(engine);
        add_user(&app.db, "intake@vigie.ml", "intake", None);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        for email in ["intake@vigie.ml", "inv@cndh.ml"] {
            drop(signed_in(&app, email));
        }
        // Before the keys: a report with a file and a thread, routed, with a case note.
        let receipt = file_report(
            &app.client,
            json_report(
                "Au marché ANCIEN-RECIT-1, des gendarmes ont battu mon frère.",
                "ANCIEN-VICTIME-1",
                "ANCIEN-NOM-1",
                "ANCIEN-CONTACT-1",
            ),
        );
        let mut pdf = b"%PDF-1.4\n% ANCIEN-FICHIER-1\n".to_vec();
        pdf.resize(100_000, b' ');
        let (ct, body) = multipart(&[("receipt", &receipt)], &[("file", "preuve.pdf", &pdf)]);
        assert_eq!(
            app.client.post("/api/v1/receipts/attachments").header(ct).body(body).dispatch().status(),
            Status::Created
        );
        let intake = signed_in(&app, "intake@vigie.ml");
        let case = case_of(&route(&intake, &app.db, 1, &["integrity.beating"], false), "cndh");
        let inv = signed_in(&app, "inv@cndh.ml");
        reply(&app.client, &receipt, "ANCIEN-MESSAGE-SIGNALANT", Some("cndh"));
        assert_eq!(
            post(&inv, &format!("/staff/cases/{case}/messages"), "report_id=1&body=ANCIEN-MESSAGE-CNDH").0,
            Status::SeeOther
        );
        assert_eq!(post(&inv, &format!("/staff/cases/{case}/notes"), "body=ANCIEN-NOTE").0, Status::SeeOther);
        let markers = [
            "ANCIEN-RECIT-1",
            "ANCIEN-VICTIME-1",
            "ANCIEN-NOM-1",
            "ANCIEN-CONTACT-1",
            "ANCIEN-FICHIER-1",
            "ANCIEN-MESSAGE-SIGNALANT",
            "ANCIEN-MESSAGE-CNDH",
            "ANCIEN-NOTE",
        ];
        let bytes = database_bytes(&app.db);
        for m in markers {
            assert!(bytes_contain(&bytes, m), "{m} is in clear before the keys (the detector works)");
        }

        // The keys: created, then what was in clear sealed.
        let out = vigie_cmd(&app.db, &["keys", "init", "--shares", "3", "--threshold", "2"], &[]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("nothing left in clear"), "{}", text(&out));
        let bytes = database_bytes(&app.db);
        for m in markers {
            assert!(!bytes_contain(&bytes, m), "{m} still readable in the database's bytes after keys init");
        }
        // The point too: the report's and its event's columns now keep the cell only.
        use vigie::schema::{events, reports};
        let mut points: Vec<(Option<f64>, Option<f64>)> =
            reports::table.select((reports::lat, reports::lon)).load(&mut app.db.conn()).unwrap();
        points.extend(
            events::table
                .select((events::lat, events::lon))
                .load::<(Option<f64>, Option<f64>)>(&mut app.db.conn())
                .unwrap(),
        );
        assert_eq!(points, vec![(Some(14.54), Some(-4.09)); 2], "no exact point left in clear");
        // Run again: nothing left, nothing changed.
        let again = vigie_cmd(&app.db, &["keys", "seal", "--batch", "1"], &[]);
        assert!(again.status.success() && !text(&again).contains("sealed so far"), "{}", text(&again));

        // Everyone reads as before (the staff after signing in again, so that their sessions
        // hold keys that open the new group keys).
        drop((intake, inv));
        let intake = signed_in(&app, "intake@vigie.ml");
        let page = get(&intake, "/staff/reports/1");
        assert!(page.contains("ANCIEN-RECIT-1") && page.contains("ANCIEN-VICTIME-1"), "{page}");
        assert!(page.contains("14.54217, -4.09368"), "the exact point, opened: {page}");
        let inv = signed_in(&app, "inv@cndh.ml");
        let page = get(&inv, &format!("/staff/cases/{case}"));
        for m in [
            "ANCIEN-RECIT-1",
            "ANCIEN-NOM-1",
            "ANCIEN-CONTACT-1",
            "ANCIEN-MESSAGE-SIGNALANT",
            "ANCIEN-MESSAGE-CNDH",
            "ANCIEN-NOTE",
        ] {
            assert!(page.contains(m), "the CNDH reads {m}");
        }
        let file: i32 = vigie::schema::attachments::table
            .select(vigie::schema::attachments::id)
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!(inv.get(format!("/staff/attachments/{file}")).dispatch().into_bytes().unwrap(), pdf);
        let seen = status_of(&app.client, &receipt).to_string();
        assert!(seen.contains("ANCIEN-MESSAGE-CNDH") && seen.contains("ANCIEN-MESSAGE-SIGNALANT"), "{seen}");
        // The reporter still writes, sealed.
        reply(&app.client, &receipt, "NOUVEAU-MESSAGE-SIGNALANT", Some("cndh"));
        assert!(get(&inv, &format!("/staff/cases/{case}")).contains("NOUVEAU-MESSAGE-SIGNALANT"));
        assert!(!bytes_contain(&database_bytes(&app.db), "NOUVEAU-MESSAGE-SIGNALANT"));
        // A restore would check the stored bytes: the recorded SHA-256 is the sealed bytes'.
        let out =
            vigie_cmd(&app.db, &["backup", &app.db.dir.path().join("copie.bak").to_string_lossy()], &[]);
        assert!(out.status.success(), "{}", text(&out));
    });
}

#[test]
fn keys_init_whose_shares_cannot_be_written_out_stores_nothing_and_can_be_run_again() {
    each_engine(|engine| {
        let app = app(engine);
        // A full disk: every write to the standard output fails.
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"));
        cmd.args(["keys", "init", "--shares", "3", "--threshold", "2"])
            .current_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
            .env("DATABASE_URL", &app.db.url)
            .env("ROCKET_DATA_DIR", app.db.data_dir())
            .stdin(std::process::Stdio::null())
            .stdout(full);
        let out = cmd.output().unwrap();
        assert!(!out.status.success(), "{}", text(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains("void"), "{}", text(&out));
        let mut c = app.db.conn();
        let kept: i64 = vigie::schema::recovery_keys::table.count().get_result(&mut c).unwrap();
        let groups: i64 = group_keys::table.count().get_result(&mut c).unwrap();
        assert_eq!((kept, groups), (0, 0), "nothing stored when the shares were not written out");
        // Run again: the shares come out, and the key is kept.
        assert_eq!(init(&app.db, 3, 2).len(), 3);
        let kept: i64 = vigie::schema::recovery_keys::table.count().get_result(&mut c).unwrap();
        assert_eq!(kept, 1);
    });
}
