//! Issue #2: migrations, seeded taxonomies and places, language, security headers, health,
//! the command line.

use diesel::prelude::*;
use rocket::http::{Header, Status};

use crate::common::*;
use vigie::schema::{forces, places, violation_groups, violation_types};

#[test]
fn migrations_seed_taxonomies_in_both_languages() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let mut c = app.db.conn();
        let groups: Vec<(String, String, String)> = violation_groups::table
            .order(violation_groups::position)
            .select((violation_groups::code, violation_groups::label_fr, violation_groups::label_en))
            .load(&mut c)
            .unwrap();
        assert_eq!(groups.len(), 12);
        assert_eq!(groups[0].0, "life");
        assert!(groups.iter().all(|g| !g.1.is_empty() && !g.2.is_empty()));
        assert!(groups.iter().filter(|g| g.1 != g.2).count() >= 10, "labels are translated");
        let types: i64 = violation_types::table.count().get_result(&mut c).unwrap();
        assert!(types >= 45, "{types} violation types");
        let torture: (String, String) = violation_types::table
            .filter(violation_types::code.eq("integrity.torture"))
            .select((violation_types::label_fr, violation_types::label_en))
            .first(&mut c)
            .unwrap();
        assert!(torture.0.to_lowercase().contains("torture") && torture.1.to_lowercase().contains("torture"));
        let force_codes: Vec<String> = forces::table.select(forces::code).load(&mut c).unwrap();
        for code in ["fama_army", "gendarmerie", "national_guard", "police", "unknown"] {
            assert!(force_codes.iter().any(|f| f == code), "{code}");
        }
        let n: i64 = places::table.count().get_result(&mut c).unwrap();
        assert!(n > 14_000, "{n} places");
        let bamako: (Option<String>, Option<String>) = places::table
            .filter(places::name.eq("Bamako"))
            .select((places::region_code, places::cercle_code))
            .first(&mut c)
            .unwrap();
        assert_eq!(bamako, (Some("ML-BKO".into()), Some("ML.BA.BM".into())));
    });
}

#[test]
fn a_second_start_applies_nothing_and_keeps_data() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let out = vigie_cmd(&db, &["migrate"], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let out = vigie_cmd(&db, &["migrate"], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let mut c = db.conn();
        let n: i64 = places::table.count().get_result(&mut c).unwrap();
        assert!(n > 14_000);
    });
}

#[test]
fn pages_speak_french_by_default_and_english_on_request() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let fr = app.client.get("/about").dispatch();
        assert_eq!(fr.status(), Status::Ok);
        let body = fr.into_string().unwrap();
        assert!(body.contains("<html lang=\"fr\">") && body.contains("Votre sécurité"));
        let en = app.client.get("/about?lang=en").dispatch();
        let cookie = en.cookies().get("lang").map(|c| c.value().to_string());
        assert_eq!(cookie.as_deref(), Some("en"));
        assert!(en.into_string().unwrap().contains("Your safety"));
        // The choice is remembered by the cookie alone.
        let again = app.client.get("/about").dispatch().into_string().unwrap();
        assert!(again.contains("Your safety"));
        let app2 = TestApp::new(engine);
        let negotiated =
            app2.client.get("/about").header(Header::new("Accept-Language", "en-US,en;q=0.8")).dispatch();
        assert!(negotiated.into_string().unwrap().contains("Your safety"));
    });
}

#[test]
fn every_response_carries_the_security_headers() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        for path in ["/about", "/healthz", "/map.svg", "/static/vigie.css", "/no-such-page"] {
            let r = app.client.get(path).dispatch();
            let h = r.headers();
            let csp = h.get_one("Content-Security-Policy").unwrap_or_default();
            assert!(
                csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
                "{path}: {csp}"
            );
            assert_eq!(h.get_one("Referrer-Policy"), Some("no-referrer"), "{path}");
            assert_eq!(h.get_one("X-Content-Type-Options"), Some("nosniff"), "{path}");
            assert!(h.get_one("Permissions-Policy").unwrap_or_default().contains("camera=()"), "{path}");
            let cache = h.get_one("Cache-Control").unwrap_or_default();
            if path.starts_with("/static") || path == "/map.svg" {
                assert!(cache.contains("max-age"), "{path}: {cache}");
            } else {
                assert_eq!(cache, "no-store", "{path}");
            }
        }
    });
}

#[test]
fn healthz_checks_the_database() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let r = app.client.get("/healthz").dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.into_string().as_deref(), Some("ok"));
    });
}

#[test]
fn errors_are_pages_in_the_visitors_language_and_json_for_the_api() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let r = app.client.get("/nowhere?lang=en").dispatch();
        assert_eq!(r.status(), Status::NotFound);
        assert!(r.into_string().unwrap().contains("Page not found"));
        let r = app.client.get("/nowhere").header(Header::new("Accept-Language", "fr")).dispatch();
        let app2 = TestApp::new(engine);
        drop(r);
        let r = app2.client.get("/nowhere").dispatch();
        assert!(r.into_string().unwrap().contains("Page introuvable"));
        let r = app.client.get("/api/v1/nothing").dispatch();
        assert_eq!(r.status(), Status::NotFound);
        assert!(r.into_string().unwrap().contains("\"status\":404"));
    });
}

#[test]
fn text_is_compressed_for_browsers_that_accept_gzip() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let r = app.client.get("/map.svg").header(Header::new("Accept-Encoding", "gzip, br")).dispatch();
        assert_eq!(r.headers().get_one("Content-Encoding"), Some("gzip"));
        let gz = r.into_bytes().unwrap();
        let plain = app.client.get("/map.svg").dispatch().into_bytes().unwrap();
        assert!(gz.len() * 2 < plain.len(), "{} vs {}", gz.len(), plain.len());
        let mut d = flate2::read::GzDecoder::new(&gz[..]);
        let mut out = vec![];
        std::io::Read::read_to_end(&mut d, &mut out).unwrap();
        assert_eq!(out, plain);
    });
}

#[test]
fn place_search_matches_accents_and_other_names() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let json = rocket::http::ContentType::JSON;
        let r = app
            .client
            .post("/api/v1/places")
            .header(json.clone())
            .body(r#"{"q":"segou","limit":3}"#)
            .dispatch();
        assert_eq!(r.status(), Status::Ok);
        let v: serde_json::Value = r.into_json().unwrap();
        assert_eq!(v[0]["name"], "Ségou");
        assert_eq!(v[0]["region"]["code"], "ML-4");
        assert_eq!(v[0]["cercle"]["code"], "ML.SG.SG");
        assert!(v.as_array().unwrap().len() <= 3);
        let r = app
            .client
            .post("/api/v1/places?lang=en")
            .header(json)
            .body(r#"{"q":"Tombouctou","limit":1}"#)
            .dispatch();
        let v: serde_json::Value = r.into_json().unwrap();
        assert_eq!(v[0]["region"]["code"], "ML-6");
    });
}

#[test]
fn cli_user_add_refuses_weak_password_duplicate_email_and_unknown_role() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let add = |email: &str, role: &str, pw: &str| {
            vigie_cmd(
                &db,
                &["user", "add", "--email", email, "--name", "Awa Diallo", "--role", role],
                &[("VIGIE_PASSWORD", pw)],
            )
        };
        let weak = add("awa@cndh.ml", "admin", "password123");
        assert_eq!(weak.status.code(), Some(2), "{}", text(&weak));
        assert!(text(&weak).contains("at least 12 characters"), "{}", text(&weak));
        let common = add("awa@cndh.ml", "admin", "qwertyuiop123");
        assert_eq!(common.status.code(), Some(2));
        assert!(text(&common).contains("too common"), "{}", text(&common));
        let role = add("awa@cndh.ml", "superuser", "Falaise rouge sur le fleuve");
        assert_eq!(role.status.code(), Some(2));
        assert!(text(&role).contains("unknown role `superuser`"), "{}", text(&role));
        assert!(text(&role).contains("investigator"));
        let ok = add("Awa@CNDH.ml", "investigator", "Falaise rouge sur le fleuve");
        assert!(ok.status.success(), "{}", text(&ok));
        let dup = add("awa@cndh.ml", "admin", "Un autre mot de passe long");
        assert_eq!(dup.status.code(), Some(2));
        assert!(text(&dup).contains("already exists"), "{}", text(&dup));
        let list = vigie_cmd(&db, &["user", "list"], &[]);
        let listing = text(&list);
        assert!(listing.contains("awa@cndh.ml") && listing.contains("investigator"), "{listing}");
        // The investigator was attached to the CNDH, and the creation is in the audit log.
        let verify = vigie_cmd(&db, &["audit", "verify"], &[]);
        assert!(verify.status.success(), "{}", text(&verify));
        assert!(text(&verify).contains("1 entries"), "{}", text(&verify));
    });
}

#[test]
fn an_unreachable_postgres_url_is_an_error_naming_its_host() {
    let db = TestDb::new(Engine::Sqlite);
    let out =
        vigie_cmd(&db, &["check-config"], &[("DATABASE_URL", "postgres://vigie:secret@127.0.0.1:9/vigie")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let msg = text(&out);
    assert!(msg.contains("127.0.0.1:9"), "{msg}");
    assert!(!msg.contains("secret"), "{msg}");
    // Never a silent fall-back to SQLite: no file named after the URL appeared.
    assert!(!std::path::Path::new("postgres:").exists());
}

#[test]
fn a_bad_configuration_key_is_named() {
    let db = TestDb::new(Engine::Sqlite);
    let out = vigie_cmd(&db, &["check-config"], &[("ROCKET_UPLOAD_MAX_MB", "0")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("upload_max_mb"), "{}", text(&out));
    let out = vigie_cmd(&db, &["check-config"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("50 cercles"), "{}", text(&out));
}

#[test]
fn first_start_generates_a_private_secret_key() {
    let db = TestDb::new(Engine::Sqlite);
    let figment = vigie::config::figment()
        .merge(("database_url", db.url.clone()))
        .merge(("data_dir", db.data_dir().display().to_string()))
        .merge(("mail.transport", "disabled"));
    let rocket = vigie::build(figment.clone()).unwrap();
    drop(rocket);
    let key = db.data_dir().join("secret.key");
    let first = std::fs::read_to_string(&key).unwrap();
    assert!(first.len() >= 80);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    drop(vigie::build(figment).unwrap());
    assert_eq!(std::fs::read_to_string(&key).unwrap(), first, "the key is reused");
}
