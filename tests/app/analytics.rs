//! Issue #11 (issue 13), the staff map, on each engine: hand-built events of known places and
//! dates; the page's cercle shading, its hotspots, the CSV and the GeoJSON agree; the filters by
//! period and violation group narrow them; a case worker sees their institution's events only;
//! a trainer or a monitor gets 404; every export is audited.

use chrono::NaiveDate;
use diesel::prelude::*;
use rocket::http::Status;
use rocket::local::blocking::Client;
use serde_json::Value;

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;
use vigie::schema::{allegations, audit_log, events, forces, institutions, violation_types};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A point `dx`, `dy` km east and north of (`lat`, `lon`).
fn near(lat: f64, lon: f64, dx: f64, dy: f64) -> (f64, f64) {
    let lat2 = lat + dy / 111.2;
    (lat2, lon + dx / (111.2 * lat2.to_radians().cos()))
}

/// An event at a point (its region and cercle located as the app does), or without one.
fn event(db: &TestDb, geo: &vigie::geo::Geo, on: &str, point: Option<(f64, f64)>) -> i32 {
    let place = point.and_then(|(lat, lon)| geo.boundaries.locate(lat, lon));
    diesel::insert_into(events::table)
        .values((
            events::title.eq("T"),
            events::summary.eq(""),
            events::occurred_on.eq(day(on)),
            events::date_precision.eq("exact"),
            events::region_code.eq(place.as_ref().map(|p| p.region_code.clone())),
            events::cercle_code.eq(place.as_ref().map(|p| p.cercle_code.clone())),
            events::lat.eq(point.map(|p| p.0)),
            events::lon.eq(point.map(|p| p.1)),
            events::created_at.eq(day("2026-07-01").and_hms_opt(9, 0, 0).unwrap()),
        ))
        .returning(events::id)
        .get_result(&mut db.conn())
        .unwrap()
}

fn allege(db: &TestDb, event: i32, vt: &str) {
    let c = &mut db.conn();
    let vt: i32 = violation_types::table
        .filter(violation_types::code.eq(vt))
        .select(violation_types::id)
        .first(c)
        .unwrap();
    let force: i32 =
        forces::table.filter(forces::code.eq("gendarmerie")).select(forces::id).first(c).unwrap();
    diesel::insert_into(allegations::table)
        .values((
            allegations::event_id.eq(event),
            allegations::violation_type_id.eq(vt),
            allegations::force_id.eq(force),
            allegations::unit_description.eq(""),
            allegations::involvement.eq("carried_out"),
            allegations::confidence.eq("probable"),
            allegations::created_at.eq(day("2026-07-01").and_hms_opt(9, 0, 0).unwrap()),
        ))
        .execute(c)
        .unwrap();
}

struct Seeded {
    djenne: Vec<i32>,
    bamako: Vec<i32>,
    djenne_cercle: String,
}

const DJENNE: (f64, f64) = (13.9061, -4.5533);
const BAMAKO: (f64, f64) = (12.6392, -8.0029);

/// Six events within a kilometre near Djenné (torture), five within two near Bamako (killings,
/// a CNDH case each), one in Gao and one in Kidal (alone), one without a point, one near Bamako
/// before the period.
fn seed(app: &TestApp) -> Seeded {
    let geo = vigie::geo::Geo::load(std::path::Path::new("resources/mali")).unwrap();
    let db = &app.db;
    let djenne: Vec<i32> = (0..6)
        .map(|i| {
            let e = event(db, &geo, "2026-03-10", Some(near(DJENNE.0, DJENNE.1, i as f64 * 0.15, 0.1)));
            allege(db, e, "integrity.torture");
            e
        })
        .collect();
    let cndh: i32 = institutions::table
        .filter(institutions::code.eq("cndh"))
        .select(institutions::id)
        .first(&mut db.conn())
        .unwrap();
    let bamako: Vec<i32> = (0..5)
        .map(|i| {
            let e = event(db, &geo, "2026-04-02", Some(near(BAMAKO.0, BAMAKO.1, 0.0, i as f64 * 0.4)));
            allege(db, e, "life.extrajudicial_execution");
            let opened = day("2026-04-05").and_hms_opt(9, 0, 0).unwrap();
            vigie::cases::model::open_case(&mut db.conn(), e, cndh, 7, 30, opened).unwrap();
            e
        })
        .collect();
    event(db, &geo, "2026-05-01", Some((16.27, -0.04))); // Gao
    event(db, &geo, "2026-05-02", Some((18.44, 1.41))); // Kidal
    event(db, &geo, "2026-05-03", None);
    event(db, &geo, "2025-11-01", Some(near(BAMAKO.0, BAMAKO.1, 0.1, 0.1)));
    let djenne_cercle = geo.boundaries.locate(DJENNE.0, DJENNE.1).unwrap().cercle_code;
    Seeded { djenne, bamako, djenne_cercle }
}

fn signed_in(app: &TestApp, email: &str) -> Client {
    let c = Client::tracked(
        vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
    )
    .unwrap();
    let (s, _) = sign_in(&c, email, PW);
    assert_eq!(s, Status::SeeOther, "{email} signs in");
    c
}

fn get(c: &Client, path: &str) -> (Status, String) {
    let r = c.get(path).dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

/// (event id, hotspot) of each CSV row.
fn csv_rows(body: &str) -> Vec<(i32, String)> {
    let mut r = csv::Reader::from_reader(body.as_bytes());
    r.records().map(|x| x.unwrap()).map(|x| (x[0].parse().unwrap(), x[6].to_string())).collect()
}

const PERIOD: &str = "from=2026-01-01&to=2026-06-30";

#[test]
fn the_staff_map_shades_cercles_finds_hotspots_and_its_exports_agree() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let s = seed(&app);
        add_user(&app.db, "intake@vigie.test", "intake", None);
        let intake = signed_in(&app, "intake@vigie.test");
        let (st, html) = get(&intake, &format!("/staff/map?{PERIOD}"));
        assert_eq!(st, Status::Ok);
        // 6 + 5 + Gao + Kidal + the one without a point; the older one is outside the period.
        assert!(
            html.contains("14 événement(s) du 2026-01-01 au 2026-06-30, dont 13 avec un point"),
            "{html}"
        );
        // Djenné's cercle holds six events: the first class, linking to the queue behind it.
        let tag = format!("data-cercle=\"{}\" data-class=\"c1\"", s.djenne_cercle);
        assert!(html.contains(&tag), "Djenné's cercle shaded");
        assert!(html.contains(&format!(
            "/staff/triage?cercle={}&amp;status=all&amp;{}",
            s.djenne_cercle,
            PERIOD.replace('&', "&amp;")
        )));
        // Two hotspots, the larger first: six events at Djenné, five at Bamako.
        let table = html.split("id=\"hotspots\"").nth(1).unwrap().split("</section>").next().unwrap();
        let counts: Vec<&str> =
            table.split("<td class=\"num\">").skip(1).map(|x| x.split('<').next().unwrap()).collect();
        assert_eq!(counts.iter().step_by(2).copied().collect::<Vec<_>>(), vec!["6", "5"], "{table}");
        assert!(table.contains("2026-03-10 – 2026-03-10") && table.contains("2026-04-02 – 2026-04-02"));

        // The CSV: every event of the period once, the hotspots as the page numbers them.
        let (st, csv) = get(&intake, &format!("/staff/map/events.csv?{PERIOD}"));
        assert_eq!(st, Status::Ok);
        let rows = csv_rows(&csv);
        assert_eq!(rows.len(), 14);
        for (id, h) in &rows {
            let want = if s.djenne.contains(id) {
                "1"
            } else if s.bamako.contains(id) {
                "2"
            } else {
                ""
            };
            assert_eq!(h, want, "event {id}");
        }
        // The GeoJSON: the same events, those with a point.
        let (st, gj) = get(&intake, &format!("/staff/map/events.geojson?{PERIOD}"));
        assert_eq!(st, Status::Ok);
        let gj: Value = serde_json::from_str(&gj).unwrap();
        let features = gj["features"].as_array().unwrap();
        assert_eq!(features.len(), 13);
        let in_first: usize = features.iter().filter(|f| f["properties"]["hotspot"] == 1).count();
        assert_eq!(in_first, 6);
        // Each export is audited, with the period and the number of events.
        let audited: Vec<String> = audit_log::table
            .filter(audit_log::action.like("map.export%"))
            .select(audit_log::details)
            .load(&mut app.db.conn())
            .unwrap();
        assert_eq!(
            audited,
            vec!["from=2026-01-01 to=2026-06-30 events=14", "from=2026-01-01 to=2026-06-30 events=13"]
        );

        // The violation group narrows to Djenné's torture; a shorter period to Bamako's week.
        let (_, html) = get(&intake, &format!("/staff/map?{PERIOD}&group=integrity"));
        assert!(html.contains("6 événement(s)"), "group filter");
        let (_, csv) = get(&intake, "/staff/map/events.csv?from=2026-04-01&to=2026-04-30");
        let ids: Vec<i32> = csv_rows(&csv).into_iter().map(|r| r.0).collect();
        assert_eq!(ids, s.bamako);
        // A date that does not parse: the default period, and the page says so.
        let (st, html) = get(&intake, "/staff/map?from=2026-13-45");
        assert_eq!(st, Status::Ok);
        assert!(html.contains("role=\"alert\""));
    });
}

#[test]
fn a_case_worker_sees_their_institutions_events_and_others_get_404() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let s = seed(&app);
        add_user(&app.db, "cndh@vigie.test", "investigator", Some("cndh"));
        add_user(&app.db, "med@vigie.test", "ombudsman", Some("mediateur"));
        add_user(&app.db, "trainer@vigie.test", "trainer", None);
        add_user(&app.db, "monitor@vigie.test", "monitor", None);
        let cndh = signed_in(&app, "cndh@vigie.test");
        let (st, html) = get(&cndh, &format!("/staff/map?{PERIOD}"));
        assert_eq!(st, Status::Ok);
        assert!(html.contains("5 événement(s)"), "CNDH: its five events");
        // No link to the triage queue for a case worker.
        assert!(!html.contains("/staff/triage?"));
        let (_, csv) = get(&cndh, &format!("/staff/map/events.csv?{PERIOD}"));
        assert_eq!(csv_rows(&csv).into_iter().map(|r| r.0).collect::<Vec<_>>(), s.bamako);
        let med = signed_in(&app, "med@vigie.test");
        let (_, csv) = get(&med, &format!("/staff/map/events.csv?{PERIOD}"));
        assert!(csv_rows(&csv).is_empty(), "the Médiateur has no case here");
        for who in ["trainer@vigie.test", "monitor@vigie.test"] {
            let c = signed_in(&app, who);
            for path in ["/staff/map", "/staff/map/events.csv", "/staff/map/events.geojson"] {
                assert_eq!(get(&c, path).0, Status::NotFound, "{who} {path}");
            }
        }
        let anonymous = Client::tracked(vigie::build(figment(&app.db)).unwrap()).unwrap();
        let r = anonymous.get("/staff/map").dispatch();
        assert_eq!(r.status(), Status::SeeOther, "not signed in");
        assert!(
            r.headers().get_one("Location").unwrap().starts_with("/staff/sign-in"),
            "to the sign-in page"
        );
    });
}
