//! Issue #11: duplicate candidates of region-only reports and at any configured distance, and
//! background passes that hold the write lock only in short batches, on both engines.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;
use vigie::schema::audit_log;

fn settings(f: rocket::figment::Figment, distance_km: f64) -> rocket::figment::Figment {
    f.merge(("totp_required_roles", Vec::<String>::new()))
        .merge(("reports_per_hour", 10_000))
        .merge(("duplicate_distance_km", distance_km))
}

fn app_with(engine: Engine, distance_km: f64) -> TestApp {
    TestApp::with_figment(TestDb::new(engine), |f| settings(f, distance_km))
}

/// A signed-in staff client of the same installation (the same settings).
fn staff(app: &TestApp, email: &str, distance_km: f64) -> Client {
    let c = Client::tracked(vigie::build(settings(figment(&app.db), distance_km)).unwrap()).unwrap();
    sign_in(&c, email, PW);
    c
}

fn file(c: &Client, narrative: &str, on: &str, location: Value, violation: &str, force: &str) {
    let body = json!({"narrative": narrative, "occurred_on": on, "violations": [violation],
                      "force": force, "location": location});
    let r = c.post("/api/v1/reports").header(ContentType::JSON).body(body.to_string()).dispatch();
    assert_eq!(r.status(), Status::Created, "{narrative}");
}

/// The candidate links of a report page, in the order shown.
fn candidates(c: &Client, id: i32) -> Vec<String> {
    let r = c.get(format!("/staff/reports/{id}")).dispatch();
    assert_eq!(r.status(), Status::Ok);
    let page = r.into_string().unwrap();
    let Some(table) = page.split("id=\"candidates\"").nth(1) else { return vec![] };
    let table = table.split("</table>").next().unwrap_or("");
    table
        .split("href=\"")
        .skip(1)
        .filter_map(|p| p.split('"').next())
        .filter(|l| l.starts_with("/staff/reports/") || l.starts_with("/staff/events/"))
        .map(String::from)
        .fold(vec![], |mut v, l| {
            if !v.contains(&l) {
                v.push(l);
            }
            v
        })
}

#[test]
fn a_region_only_report_gets_candidates_of_its_region_ranked_below_point_matches() {
    each_engine(|engine| {
        let app = app_with(engine, 25.0);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        let c = &app.client;
        let mopti = json!({"region": "ML-5"});
        // 1: known only by its region (Mopti).
        file(
            c,
            "Des gardes ont torturé un berger, région de Mopti.",
            "2026-08-10",
            mopti.clone(),
            "integrity.torture",
            "national_guard",
        );
        // 2: a point in Mopti, a day later, the same violation: a candidate of 1 (same region).
        file(
            c,
            "Un berger torturé près de Mopti.",
            "2026-08-11",
            json!({"lat": 14.4843, "lon": -4.1830}),
            "integrity.torture",
            "police",
        );
        // 3: the same violation and force in Bamako: another region, no candidate.
        file(
            c,
            "Torture à Bamako.",
            "2026-08-10",
            json!({"lat": 12.64, "lon": -8.0}),
            "integrity.torture",
            "national_guard",
        );
        // 4: region-only in Mopti, the same force but a violation of another group: the force
        // alone is too weak over a whole region.
        file(c, "Pillage d'une boutique.", "2026-08-10", mopti.clone(), "property.looting", "national_guard");
        // 5: a point 2.7 km from 2, the same day as 1: a candidate of both.
        file(
            c,
            "Le même berger, vu au camp.",
            "2026-08-10",
            json!({"lat": 14.50, "lon": -4.20}),
            "integrity.torture",
            "police",
        );
        // 6: region-only in Mopti, a violation of the same group (integrity), another force.
        file(c, "Des coups portés à un commerçant.", "2026-08-11", mopti, "integrity.beating", "gendarmerie");
        // 7: region-only in Mopti, well outside the date window.
        file(
            c,
            "Torture, bien plus tard.",
            "2026-09-20",
            json!({"region": "ML-5"}),
            "integrity.torture",
            "national_guard",
        );
        let intake = staff(&app, "intake@cndh.ml", 25.0);
        let of_1 = candidates(&intake, 1);
        // 5 (same day) before 2 (a day apart) before 6 (same group only).
        assert_eq!(of_1, ["/staff/reports/5", "/staff/reports/2", "/staff/reports/6"]);
        let page = intake.get("/staff/reports/1").dispatch().into_string().unwrap();
        assert!(page.contains("même région") && page.contains("violations de même nature"), "reasons shown");
        // From a point report: the point match first, then the region-only reports of its region.
        let of_2 = candidates(&intake, 2);
        assert_eq!(of_2, ["/staff/reports/5", "/staff/reports/1", "/staff/reports/6"]);
        let of_3 = candidates(&intake, 3);
        assert!(of_3.is_empty(), "{of_3:?}");
    });
}

#[test]
fn the_configured_duplicate_distance_is_honoured_beyond_neighbouring_cercles() {
    each_engine(|engine| {
        for (km, expected) in [(25.0, false), (100.0, true)] {
            let app = app_with(engine, km);
            add_user(&app.db, "intake@cndh.ml", "intake", None);
            let c = &app.client;
            // Mopti, and Bankass 66 km away: Bankass's cercle does not border Mopti's.
            file(
                c,
                "Torture au camp de Mopti.",
                "2026-08-10",
                json!({"lat": 14.4843, "lon": -4.1830}),
                "integrity.torture",
                "police",
            );
            file(
                c,
                "Torture au camp de Bankass.",
                "2026-08-10",
                json!({"lat": 14.1343, "lon": -3.683}),
                "integrity.torture",
                "police",
            );
            let geo = vigie::geo::Geo::load(std::path::Path::new("resources/mali")).unwrap();
            assert!(!geo.with_neighbours("ML.MO.MP").contains(&"ML.MO.BK".to_string()));
            let intake = staff(&app, "intake@cndh.ml", km);
            let of_1 = candidates(&intake, 1);
            assert_eq!(of_1.contains(&"/staff/reports/2".to_string()), expected, "{km} km: {of_1:?}");
            if expected {
                let page = intake.get("/staff/reports/1").dispatch().into_string().unwrap();
                assert!(page.contains("66.5 km") || page.contains("66,5 km"), "the distance shown");
            }
        }
    });
}

#[test]
fn a_crowded_day_in_a_neighbouring_cercle_does_not_push_a_near_candidate_out() {
    each_engine(|engine| {
        let app = app_with(engine, 25.0);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        let c = &app.client;
        // 1 in Mopti; 2 a day earlier 2.7 km away, the same violation: a candidate of 1.
        let torture = "integrity.torture";
        file(c, "Torture au camp.", "2026-08-10", json!({"lat": 14.4843, "lon": -4.1830}), torture, "police");
        file(c, "Le même camp.", "2026-08-09", json!({"lat": 14.50, "lon": -4.20}), torture, "police");
        // 3 and more than the candidate limit of copies, a day after 1 (so the newest of the
        // window), in Bandiagara: a neighbouring cercle, about 63 km away.
        file(
            c,
            "Torture à Bandiagara.",
            "2026-08-11",
            json!({"lat": 14.35, "lon": -3.61}),
            torture,
            "police",
        );
        let copies = vigie::triage::CANDIDATE_REPORTS + 10;
        let mut conn = app.db.conn();
        diesel::sql_query(format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {copies}) \
             INSERT INTO reports (receipt_hash, channel, submitted_on, narrative, occurred_on, \
                 date_precision, force_id, lat, lon, region_code, cercle_code, location_method) \
             SELECT receipt_hash || '-' || CAST(n.i AS TEXT), channel, submitted_on, narrative, \
                 occurred_on, date_precision, force_id, lat, lon, region_code, cercle_code, location_method \
             FROM reports, n WHERE reports.id = 3"
        ))
        .execute(&mut conn)
        .unwrap();
        let intake = staff(&app, "intake@cndh.ml", 25.0);
        assert_eq!(candidates(&intake, 1), ["/staff/reports/2"]);
    });
}

#[test]
fn held_reporter_events_are_written_in_short_batches_all_of_them() {
    each_engine(|engine| {
        let app = app_with(engine, 25.0);
        let mut c = app.db.conn();
        // Held today: due early tomorrow, so nothing is due now and all is 29 hours on.
        let now = chrono::Utc::now().naive_utc();
        let day = now.date();
        let held = vigie::audit::FLUSH_BATCH as usize * 2 + 7;
        for i in 0..held {
            vigie::audit::hold_reporter(&mut c, day, "report.test", "report", &i.to_string(), "", None)
                .unwrap();
        }
        assert_eq!(vigie::audit::flush_reporter_events(&mut c, now).unwrap(), 0, "none due yet");
        let later = now + chrono::Duration::hours(29);
        assert_eq!(vigie::audit::flush_reporter_events(&mut c, later).unwrap(), held);
        let written: i64 =
            audit_log::table.filter(audit_log::action.eq("report.test")).count().get_result(&mut c).unwrap();
        assert_eq!(written as usize, held);
        assert_eq!(vigie::audit::flush_reporter_events(&mut c, later).unwrap(), 0);
        // The chain holds across the batches.
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

fn post(c: &Client, path: &str, body: &str) -> Status {
    let token = csrf(c);
    let r = c.post(path).header(ContentType::Form).body(format!("csrf={token}&{body}")).dispatch();
    r.status()
}

#[test]
fn case_deadlines_count_from_the_pinned_clock_not_the_system_clock() {
    each_engine(|engine| {
        let app = app_with(engine, 25.0);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        file(
            &app.client,
            "Un commerçant battu au poste de Sévaré.",
            "2026-10-20",
            json!({"lat": 14.54, "lon": -4.09}),
            "integrity.beating",
            "gendarmerie",
        );
        // The installation's clock, pinned to a day far from the test machine's (before signing
        // in: the session's timeouts follow the same clock).
        let intake = Client::tracked(vigie::build(settings(figment(&app.db), 25.0)).unwrap()).unwrap();
        let opened = chrono::DateTime::parse_from_rfc3339("2030-03-01T23:59:30Z").unwrap().to_utc();
        intake.rocket().state::<vigie::clock::Clock>().unwrap().pin(Some(opened));
        sign_in(&intake, "intake@cndh.ml", PW);
        assert_eq!(post(&intake, "/staff/reports/1/events", "title=S%C3%A9var%C3%A9"), Status::SeeOther);
        let body = "violation_type=integrity.beating&force=gendarmerie&involvement=carried_out&confidence=probable&victim_count=1";
        assert_eq!(post(&intake, "/staff/events/1/allegations", body), Status::SeeOther);
        assert_eq!(post(&intake, "/staff/events/1/route", ""), Status::SeeOther);
        let mut c = app.db.conn();
        use vigie::schema::cases;
        let (at, ack, tri): (chrono::NaiveDateTime, Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) =
            cases::table
                .select((cases::opened_at, cases::acknowledge_by, cases::triage_by))
                .first(&mut c)
                .unwrap();
        let day = opened.date_naive();
        assert_eq!(at, opened.naive_utc());
        let config = vigie::config::Config::default();
        assert_eq!(ack, Some(day + chrono::Duration::days(config.acknowledge_days)));
        assert_eq!(tri, Some(day + chrono::Duration::days(config.triage_days)));
    });
}

#[test]
fn the_hourly_report_limit_follows_the_pinned_clock_to_the_second() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| f.merge(("reports_per_hour", 1)));
        let clock = app.client.rocket().state::<vigie::clock::Clock>().unwrap();
        let last_second = chrono::DateTime::parse_from_rfc3339("2030-03-01T10:59:59Z").unwrap().to_utc();
        clock.pin(Some(last_second - chrono::Duration::minutes(59)));
        let send = |n: &str| {
            let body = json!({"narrative": format!("Rapport {n} : des agents ont frappé un commerçant."),
                              "occurred_on": "2026-10-01", "violations": ["integrity.beating"],
                              "force": "police", "location": {"lat": 14.54, "lon": -4.09}});
            app.client
                .post("/api/v1/reports")
                .header(ContentType::JSON)
                .body(body.to_string())
                .dispatch()
                .status()
        };
        assert_eq!(send("un"), Status::Created);
        clock.pin(Some(last_second));
        assert_eq!(send("deux"), Status::TooManyRequests, "the same hour, to its last second");
        clock.pin(Some(last_second + chrono::Duration::seconds(1)));
        assert_eq!(send("trois"), Status::Created, "a new hour");
    });
}

/// The queue counts what its filters match up to 10,000 and then says "more than": an
/// unbounded count over hundreds of thousands of pending reports was most of its time.
#[test]
fn the_queue_counts_its_reports_up_to_ten_thousand_then_says_more_than() {
    each_engine(|engine| {
        let app = app_with(engine, 25.0);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        let point = json!({"lat": 12.65, "lon": -8.0});
        file(&app.client, "Un signalement copié.", "2026-08-01", point, "integrity.beating", "police");
        let c = staff(&app, "intake@cndh.ml", 25.0);
        let count = |path: &str| {
            let page = c.get(path).dispatch().into_string().unwrap();
            between(&page, "<p id=\"queue-count\"><strong>").unwrap().split('<').next().unwrap().to_string()
        };
        assert_eq!(count("/staff/triage"), "1 signalement");
        // 10,004 more copies of that report, written in one statement on either engine.
        let cols = "receipt_hash, status, channel, locale, submitted_on, narrative, occurred_on, \
                    date_precision, occurred_time, force_id, unit_description, uniform_seen, insignia_seen, \
                    vehicle_seen, victim_count, children_involved, victim_details, reporter_relation, \
                    reporter_name, reporter_contact, lat, lon, place_id, region_code, cercle_code, \
                    location_method, monitor_id, on_behalf_of, consent_obtained, event_id, admissibility, \
                    admissibility_reason, triaged_at";
        let sql = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10004) \
             INSERT INTO reports ({cols}) SELECT {} FROM reports, n",
            cols.replacen("receipt_hash", "receipt_hash || '-' || i", 1)
        );
        let mut conn = app.db.conn();
        diesel::sql_query(sql).execute(&mut conn).unwrap();
        assert_eq!(count("/staff/triage"), "Plus de 10000 signalements");
        assert_eq!(count("/staff/triage?status=all&region=ML-3"), "0 signalement");
        let page = c.get("/staff/triage?lang=en").dispatch().into_string().unwrap();
        assert!(page.contains("More than 10000 reports"), "English too");
    });
}
