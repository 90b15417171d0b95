//! Issue #9: every state change is CSRF-protected — not by a list someone keeps, but by walking
//! every mounted POST route outside the API, as every role and as nobody, without a token.
//! A route added tomorrow is walked too.

use diesel::prelude::*;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::blocking::Client;

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;
use vigie::schema::audit_log;

fn non_auth_entries(db: &TestDb) -> i64 {
    audit_log::table
        .filter(audit_log::action.not_like("auth.%"))
        .filter(audit_log::action.not_like("%.view%"))
        .count()
        .get_result(&mut db.conn())
        .unwrap()
}

#[test]
fn every_post_route_outside_the_api_refuses_a_request_without_the_csrf_token_or_from_another_site() {
    each_engine(|engine| {
        let figment = |db: &TestDb| {
            figment(db)
                .merge(("totp_required_roles", Vec::<String>::new()))
                .merge(("reports_per_hour", 10_000))
                .merge(("sign_in_tries_per_client", 10_000))
        };
        let db = TestDb::new(engine);
        let public = Client::tracked(vigie::build(figment(&db)).unwrap()).unwrap();
        let roles = [
            ("admin", None),
            ("intake", None),
            ("investigator", Some("cndh")),
            ("ombudsman", Some("mediateur")),
            ("trainer", None),
            ("monitor", None),
            ("auditor", None),
        ];
        for (role, inst) in roles {
            add_user(&db, &format!("{role}@vigie.ml"), role, inst);
        }
        // Something to act on: a report, its event, an allegation routed to a case.
        let body = serde_json::json!({
            "narrative": "Des gendarmes ont frappé un commerçant au marché de Sévaré.",
            "occurred_on": "2026-10-20", "violations": ["integrity.beating"], "force": "gendarmerie",
            "location": {"lat": 14.54, "lon": -4.09},
        });
        let status = public
            .post("/api/v1/reports")
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch()
            .status();
        assert_eq!(status, Status::Created);
        let intake = Client::tracked(vigie::build(figment(&db)).unwrap()).unwrap();
        sign_in(&intake, "intake@vigie.ml", PW);
        for (path, body) in [
            ("/staff/reports/1/events", "title=Sévaré"),
            ("/staff/events/1/allegations", "violation_type=integrity.beating&force=gendarmerie"),
            ("/staff/events/1/route", ""),
        ] {
            let token = csrf(&intake);
            let s = intake
                .post(path)
                .header(ContentType::Form)
                .body(format!("csrf={token}&{body}"))
                .dispatch()
                .status();
            assert!(s.code < 400, "setting up: {path} answered {s}");
        }
        assert!(count(&db, "cases") >= 1, "a case to act on");

        let routes: Vec<String> = public
            .rocket()
            .routes()
            .filter(|r| r.method == Method::Post)
            .map(|r| r.uri.path().to_string())
            .filter(|p| !p.starts_with("/api/"))
            // Gateways' callbacks (issue 16): no cookie is read, the secret in the path (and the
            // signature) is the check; tests/app/channels.rs attacks them.
            .filter(|p| !p.starts_with("/channels/"))
            .collect();
        assert!(routes.len() >= 30, "the walk sees the routes ({})", routes.len());
        let concrete = |p: &str| {
            p.split('/').map(|seg| if seg.starts_with('<') { "1" } else { seg }).collect::<Vec<_>>().join("/")
        };
        let before = non_auth_entries(&db);
        let mut reached: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        let mut clients = vec![("nobody".to_string(), public)];
        for (role, _) in roles {
            let c = Client::tracked(vigie::build(figment(&db)).unwrap()).unwrap();
            assert_eq!(sign_in(&c, &format!("{role}@vigie.ml"), PW).0, Status::SeeOther, "{role}");
            clients.push((role.to_string(), c));
        }
        // A form with every field a handler might want, except the token (multipart, which
        // every form accepts, with a file for the routes that take one).
        let (ct, fields) = multipart(
            &[
                ("email", "x@y.ml"),
                ("name", "X"),
                ("role", "trainer"),
                ("reason", "because"),
                ("note", "n"),
                ("body", "b"),
                ("title", "t"),
                ("status", "closed"),
                ("violation_type", "integrity.beating"),
                ("force", "police"),
                ("code", "123456"),
                ("password", "Un mot de passe long"),
                ("confirm", "Un mot de passe long"),
                ("receipt", "1234567812345678"),
                ("narrative", "n"),
                ("enabled", "true"),
                ("action", "submit"),
            ],
            &[("file", "a.png", PNG)],
        );
        for route in &routes {
            let path = concrete(route);
            for (who, c) in &clients {
                let r = c.post(path.as_str()).header(ct.clone()).body(&fields).dispatch();
                let s = r.status();
                let loc = r.headers().get_one("Location").unwrap_or("").to_string();
                let refused_by_guard = s == Status::NotFound
                    || s == Status::Unauthorized
                    || (s == Status::SeeOther && (loc.starts_with("/staff/sign-in") || loc == "/staff/totp"));
                if s == Status::BadRequest || s == Status::Forbidden {
                    reached.entry(route.clone()).or_default().push(who.clone());
                } else {
                    assert!(refused_by_guard, "{who} POST {path} without a token: {s} {loc}");
                }
            }
        }
        // With the right token but sent from another site: a handler that compared the token
        // by hand would act here; the form guard refuses before it reads a field.
        let mut refused_cross_site: std::collections::BTreeSet<String> = Default::default();
        for (who, c) in &clients {
            let token = csrf(c);
            let (ct, fields) =
                multipart(&[("csrf", token.as_str()), ("reason", "because"), ("note", "n")], &[]);
            for route in &routes {
                let path = concrete(route);
                for header in [
                    Header::new("Sec-Fetch-Site", "cross-site"),
                    Header::new("Sec-Fetch-Site", "same-site"),
                    Header::new("Origin", "https://evil.example"),
                ] {
                    let r = c
                        .post(path.as_str())
                        .header(ct.clone())
                        .header(header.clone())
                        .body(&fields)
                        .dispatch();
                    let s = r.status();
                    let loc = r.headers().get_one("Location").unwrap_or("").to_string();
                    let refused_by_guard = s == Status::NotFound
                        || s == Status::Unauthorized
                        || (s == Status::SeeOther
                            && (loc.starts_with("/staff/sign-in") || loc == "/staff/totp"));
                    if s == Status::Forbidden {
                        refused_cross_site.insert(route.clone());
                    } else {
                        assert!(refused_by_guard, "{who} POST {path} with a token, {header}: {s} {loc}");
                    }
                }
            }
        }
        for route in &routes {
            assert!(refused_cross_site.contains(route), "no one reached the same-site check of POST {route}");
        }
        for route in &routes {
            assert!(
                reached.contains_key(route),
                "no one reached the token check of POST {route}: the walk proves nothing for it"
            );
        }
        assert_eq!(non_auth_entries(&db), before, "nothing was changed or recorded without a token");
    });
}

/// The same-site check lets this site through: no `Origin` (or `null`, which browsers send for
/// our own forms under `no-referrer`), an `Origin` naming the host the
/// request was sent to (a mirror under another name), or the configured `public_url` (behind a
/// proxy that rewrites `Host`); `Sec-Fetch-Site` absent, `same-origin` or `none`. Anything
/// else is refused (403) even with the right token, and nothing is recorded.
#[test]
fn forms_from_this_site_pass_and_forms_from_another_site_are_refused_with_the_right_token() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
                .merge(("public_url", "https://vigie.example.ml/"))
        });
        add_user(&app.db, "mon@ngo.ml", "monitor", None);
        let attempt = |headers: &[(&'static str, &'static str)]| {
            let token = csrf(&app.client);
            let mut req = app
                .client
                .post("/staff/sign-in")
                .header(ContentType::Form)
                .body(format!("csrf={token}&email=mon%40ngo.ml&password={}", crate::accounts::enc(PW)));
            for (k, v) in headers {
                req = req.header(Header::new(*k, *v));
            }
            req.dispatch().status()
        };
        // The right password signs in (303), which is past the guard.
        for ok in [
            &[][..],
            &[("Sec-Fetch-Site", "same-origin")][..],
            &[("Sec-Fetch-Site", "none")][..],
            &[("Origin", "https://vigie.example.ml")][..],
            &[("Origin", "http://mirror.example.onion"), ("Host", "mirror.example.onion")][..],
            &[
                ("Origin", "http://localhost:8000"),
                ("Host", "localhost:8000"),
                ("Sec-Fetch-Site", "same-origin"),
            ][..],
            // A browser posting our own form under `Referrer-Policy: no-referrer`.
            &[("Origin", "null"), ("Sec-Fetch-Site", "same-origin")][..],
        ] {
            assert_eq!(attempt(ok), Status::SeeOther, "{ok:?}");
        }
        for refused in [
            &[("Sec-Fetch-Site", "cross-site")][..],
            &[("Sec-Fetch-Site", "same-site")][..],
            &[("Origin", "https://evil.example")][..],
            &[("Origin", "https://vigie.example.ml.evil.example")][..],
            &[("Origin", "http://vigie.example.ml")][..],
            &[("Origin", "null"), ("Sec-Fetch-Site", "cross-site")][..],
            &[("Origin", "https://evil.example"), ("Sec-Fetch-Site", "same-origin")][..],
        ] {
            assert_eq!(attempt(refused), Status::Forbidden, "{refused:?}");
        }
        let sign_ins: i64 = audit_log::table
            .filter(audit_log::action.eq("auth.sign_in"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(sign_ins, 7, "only the seven same-site tries reached the handler");
    });
}
