//! Issue #11 (issue 13), the staff map, on each engine: hand-built events of known places and
//! dates; the page's cercle shading, its hotspots, the CSV and the GeoJSON agree; the filters by
//! period and violation group narrow them; a case worker sees their institution's events only;
//! a trainer or a monitor gets 404; every export is audited. And the trends page
//! (`/staff/analytics`): known allegations, cases, reports and deadlines; every table on the
//! page equals its CSV; scoped to a case worker's institution; audited exports; 404 otherwise.

use chrono::NaiveDate;
use diesel::prelude::*;
use rocket::http::Status;
use rocket::local::blocking::Client;
use serde_json::Value;

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;
use vigie::schema::{
    allegations, audit_log, cases, events, forces, institutions, reports, units, violation_types,
};

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
    allege_by(db, event, vt, "gendarmerie", None)
}

fn allege_by(db: &TestDb, event: i32, vt: &str, force: &str, unit: Option<i32>) {
    let c = &mut db.conn();
    let vt: i32 = violation_types::table
        .filter(violation_types::code.eq(vt))
        .select(violation_types::id)
        .first(c)
        .unwrap();
    let force: i32 = forces::table.filter(forces::code.eq(force)).select(forces::id).first(c).unwrap();
    diesel::insert_into(allegations::table)
        .values((
            allegations::event_id.eq(event),
            allegations::violation_type_id.eq(vt),
            allegations::force_id.eq(force),
            allegations::unit_id.eq(unit),
            allegations::unit_description.eq(""),
            allegations::involvement.eq("carried_out"),
            allegations::confidence.eq("probable"),
            allegations::created_at.eq(day("2026-07-01").and_hms_opt(9, 0, 0).unwrap()),
        ))
        .execute(c)
        .unwrap();
}

/// A case of `inst` on `event` opened at `at`, holding the event's allegations that no case
/// holds yet, routed to `inst`, as routing leaves them.
fn case_on(db: &TestDb, event: i32, inst: i32, at: chrono::NaiveDateTime) -> i32 {
    let (case, _) = vigie::cases::model::open_case(&mut db.conn(), event, inst, 7, 30, at).unwrap();
    diesel::update(
        allegations::table.filter(allegations::event_id.eq(event)).filter(allegations::case_id.is_null()),
    )
    .set((allegations::case_id.eq(Some(case)), allegations::destination_id.eq(Some(inst))))
    .execute(&mut db.conn())
    .unwrap();
    case
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
            case_on(db, e, cndh, day("2026-04-05").and_hms_opt(9, 0, 0).unwrap());
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

/// The group of hotspot rings drawn on a staff map page.
fn rings_of(html: &str) -> &str {
    html.split("fill=\"#c0392b\" fill-opacity=\"0.25\"").nth(1).unwrap().split("</g>").next().unwrap()
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

        // Shaded by region instead: Mopti holds Djenné's six, Kayes none; each region with
        // events links to the queue behind it, and the form keeps the choice.
        let (_, by_region) = get(&intake, &format!("/staff/map?{PERIOD}&level=region"));
        assert!(by_region.contains("data-region=\"ML-5\" data-class=\"c1\""), "Mopti shaded");
        assert!(by_region.contains("data-region=\"ML-1\" data-class=\"zero\""), "Kayes, none");
        assert!(!by_region.contains("data-cercle="), "regions only");
        assert!(by_region.contains(&format!(
            "/staff/triage?region=ML-5&amp;status=all&amp;{}",
            PERIOD.replace('&', "&amp;")
        )));
        assert!(by_region.contains("<option value=\"region\" selected>"));
        assert!(by_region.contains("Régions colorées selon") && html.contains("Cercles colorés selon"));

        // Both hotspots are drawn as rings on the map, each with its title.
        let rings = rings_of(&html);
        assert_eq!(rings.matches("<circle").count(), 2, "{rings}");
        assert_eq!(rings.matches("<title>").count(), 2, "{rings}");

        // The violation group narrows to Djenné's torture; a shorter period to Bamako's week.
        let (_, html) = get(&intake, &format!("/staff/map?{PERIOD}&group=integrity"));
        assert!(html.contains("6 événement(s)"), "group filter");
        // The force: every allegation is the gendarmerie's; none is the police's.
        let (_, html) = get(&intake, &format!("/staff/map?{PERIOD}&force=gendarmerie"));
        assert!(html.contains("11 événement(s)"), "force filter: {html}");
        let (_, html) = get(&intake, &format!("/staff/map?{PERIOD}&force=police"));
        assert!(html.contains("0 événement(s)"), "force filter, none");
        let rings = rings_of(&html);
        assert_eq!(rings.matches("<circle").count(), 0, "no hotspot without events");
        let (_, csv) = get(&intake, "/staff/map/events.csv?from=2026-04-01&to=2026-04-30");
        let ids: Vec<i32> = csv_rows(&csv).into_iter().map(|r| r.0).collect();
        assert_eq!(ids, s.bamako);
        // A date that does not parse: the default period, and the page says so.
        let (st, html) = get(&intake, "/staff/map?from=2026-13-45");
        assert_eq!(st, Status::Ok);
        assert!(html.contains("role=\"alert\""));
    });
}

/// Twenty events in Ségou's cercle, one every 20 days from 2025-01-01: a busier class than
/// Djenné's six, and a hotspot only when the reach in time spans two of them on each side.
#[test]
fn hotspots_are_bounded_in_time_and_a_busier_cercle_is_shaded_darker() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let geo = vigie::geo::Geo::load(std::path::Path::new("resources/mali")).unwrap();
        const SEGOU: (f64, f64) = (13.4317, -6.2157);
        let start = day("2025-01-01");
        for i in 0..20 {
            let on = (start + chrono::Duration::days(20 * i)).to_string();
            let e = event(&app.db, &geo, &on, Some(near(SEGOU.0, SEGOU.1, i as f64 * 0.05, 0.0)));
            allege(&app.db, e, "integrity.torture");
        }
        let cercle = geo.boundaries.locate(SEGOU.0, SEGOU.1).unwrap().cercle_code;
        add_user(&app.db, "intake@vigie.test", "intake", None);
        let period = "from=2025-01-01&to=2026-06-30";
        let hotspot_sizes = |days: i64| {
            let c = Client::tracked(
                vigie::build(
                    figment(&app.db)
                        .merge(("totp_required_roles", Vec::<String>::new()))
                        .merge(("hotspot_days", days)),
                )
                .unwrap(),
            )
            .unwrap();
            assert_eq!(sign_in(&c, "intake@vigie.test", PW).0, Status::SeeOther);
            let (st, html) = get(&c, &format!("/staff/map?{period}"));
            assert_eq!(st, Status::Ok);
            assert!(html.contains("20 événement(s)"), "{html}");
            let tag = format!("data-cercle=\"{cercle}\" data-class=\"c2\"");
            assert!(html.contains(&tag), "twenty events: the second class");
            assert!(html.contains(&format!("et de {days} jours")), "the caption gives the reach");
            let table = html.split("id=\"hotspots\"").nth(1).unwrap().split("</section>").next().unwrap();
            let sizes: Vec<String> = table
                .split("<td class=\"num\">")
                .skip(1)
                .step_by(2)
                .map(|x| x.split('<').next().unwrap().to_string())
                .collect();
            (sizes, rings_of(&html).matches("<circle").count())
        };
        // The default 30 days: each event has the two beside it within reach, three of five.
        assert_eq!(hotspot_sizes(30), (vec![], 0));
        // 40 days: two on each side, five; the twenty are one hotspot.
        assert_eq!(hotspot_sizes(40), (vec!["20".to_string()], 1));
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
        // No link to the triage queue for a case worker: Bamako's cercle links to the CNDH's
        // cases there instead, and that list holds the five cases, closed ones included.
        assert!(!html.contains("/staff/triage?"));
        let geo = vigie::geo::Geo::load(std::path::Path::new("resources/mali")).unwrap();
        let bamako_cercle = geo.boundaries.locate(BAMAKO.0, BAMAKO.1).unwrap().cercle_code;
        let href = format!("/staff/cases?scope=all&cercle={bamako_cercle}&{PERIOD}");
        assert!(html.contains(&href.replace('&', "&amp;")), "the area links to the case list");
        let five: Vec<i32> = cases::table
            .filter(cases::event_id.eq_any(&s.bamako))
            .select(cases::id)
            .load(&mut app.db.conn())
            .unwrap();
        assert_eq!(five.len(), 5);
        let listed = |path: &str| -> Vec<i32> {
            let (st, html) = get(&cndh, path);
            assert_eq!(st, Status::Ok, "{path}");
            let mut ids: Vec<i32> = html
                .split("<a href=\"/staff/cases/")
                .skip(1)
                .map(|x| x.split('"').next().unwrap().parse().unwrap())
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(listed(&href), five);
        let (_, page) = get(&cndh, &href);
        assert!(page.contains("Dossiers des événements de : "), "the page says it is narrowed");
        // Each narrowing narrows: another cercle, a later period, another violation group or
        // force; the right group keeps the five.
        let djenne = format!("/staff/cases?scope=all&cercle={}", s.djenne_cercle);
        assert!(listed(&djenne).is_empty());
        assert!(listed(&format!("/staff/cases?scope=all&cercle={bamako_cercle}&from=2026-04-03")).is_empty());
        assert!(listed(&format!("{href}&group=integrity")).is_empty());
        assert_eq!(listed(&format!("{href}&group=life")), five);
        assert!(listed(&format!("{href}&force=police")).is_empty());
        assert_eq!(listed(&format!("{href}&force=gendarmerie&group=life")), five);
        // A code that is not a place narrows nothing rather than failing.
        assert_eq!(listed("/staff/cases?scope=all&region=nowhere"), five);
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

// ---- The trends page -------------------------------------------------------------------------

fn institution(db: &TestDb, code: &str) -> i32 {
    institutions::table
        .filter(institutions::code.eq(code))
        .select(institutions::id)
        .first(&mut db.conn())
        .unwrap()
}

fn unit(db: &TestDb, force: &str, name: &str) -> i32 {
    let c = &mut db.conn();
    let force: i32 = forces::table.filter(forces::code.eq(force)).select(forces::id).first(c).unwrap();
    diesel::insert_into(units::table)
        .values((units::force_id.eq(force), units::name.eq(name), units::search_key.eq(name.to_lowercase())))
        .returning(units::id)
        .get_result(c)
        .unwrap()
}

/// A report through the public API, linked to `event` and dated `submitted`.
fn report_for(app: &TestApp, event: i32, submitted: &str) {
    let body = serde_json::json!({
        "narrative": "Des hommes en uniforme ont frappé des habitants au marché.",
        "occurred_on": "2026-04-02",
        "violations": ["integrity.beating"],
        "force": "fama_army",
        "location": {"lat": BAMAKO.0, "lon": BAMAKO.1},
        "victim_count": 1,
        "children_involved": false,
        "reporter_relation": "witness",
    });
    let r = app
        .client
        .post("/api/v1/reports")
        .header(rocket::http::ContentType::JSON)
        .body(body.to_string())
        .dispatch();
    assert_eq!(r.status(), Status::Created);
    let c = &mut app.db.conn();
    let id: i32 = reports::table.order(reports::id.desc()).select(reports::id).first(c).unwrap();
    diesel::update(reports::table.find(id))
        .set((reports::event_id.eq(Some(event)), reports::submitted_on.eq(day(submitted))))
        .execute(c)
        .unwrap();
}

/// Known figures for 2026-01-01 – 2026-06-30, judged on 2026-07-15:
/// - 2026-Q1: six events near Djenné (Mopti), torture by the gendarmerie, four by "Brigade A";
///   a Médiateur case opened on 2026-03-20 on the first (its deadlines passed by July) and
///   another on 2026-07-10 on the second (after the period; acknowledgement near, not passed).
/// - 2026-Q2: five events near Bamako, killings by the army, three by "Bataillon B"; each with a
///   report dated 2026-04-03 and a CNDH case opened on 2026-04-05; two closed on 2026-05-05.
/// - Outside: an event of 2025-11-01 with an allegation.
fn seed_trends(app: &TestApp) -> (i32, i32) {
    let geo = vigie::geo::Geo::load(std::path::Path::new("resources/mali")).unwrap();
    let db = &app.db;
    let (a, b) = (unit(db, "gendarmerie", "Brigade A"), unit(db, "fama_army", "Bataillon B"));
    let (cndh, med) = (institution(db, "cndh"), institution(db, "mediateur"));
    let at = |s: &str| day(s).and_hms_opt(9, 0, 0).unwrap();
    let djenne: Vec<i32> = (0..6)
        .map(|i| {
            let e = event(db, &geo, "2026-03-10", Some(near(DJENNE.0, DJENNE.1, i as f64 * 0.15, 0.1)));
            allege_by(db, e, "integrity.torture", "gendarmerie", (i < 4).then_some(a));
            e
        })
        .collect();
    case_on(db, djenne[0], med, at("2026-03-20"));
    case_on(db, djenne[1], med, at("2026-07-10"));
    for i in 0..5 {
        let e = event(db, &geo, "2026-04-02", Some(near(BAMAKO.0, BAMAKO.1, 0.0, i as f64 * 0.4)));
        allege_by(db, e, "life.extrajudicial_execution", "fama_army", (i < 3).then_some(b));
        report_for(app, e, "2026-04-03");
        let case = case_on(db, e, cndh, at("2026-04-05"));
        if i < 2 {
            diesel::update(cases::table.find(case))
                .set((cases::status.eq("closed"), cases::closed_at.eq(Some(at("2026-05-05")))))
                .execute(&mut db.conn())
                .unwrap();
        }
    }
    let old = event(db, &geo, "2025-11-01", Some(near(BAMAKO.0, BAMAKO.1, 0.1, 0.1)));
    allege_by(db, old, "integrity.torture", "gendarmerie", None);
    (a, b)
}

/// A client signed in with the clock pinned to `on`.
fn signed_in_on(app: &TestApp, email: &str, on: &str) -> Client {
    let c = Client::tracked(
        vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
    )
    .unwrap();
    let noon = day(on).and_hms_opt(12, 0, 0).unwrap().and_utc();
    c.rocket().state::<vigie::clock::Clock>().unwrap().pin(Some(noon));
    let (s, _) = sign_in(&c, email, PW);
    assert_eq!(s, Status::SeeOther, "{email} signs in");
    c
}

/// (code, values) of a table's rows.
type Rows = Vec<(String, Vec<String>)>;

/// (code, values) of each row of the page's table `id` ("—" read as empty).
fn page_rows(html: &str, id: &str) -> Rows {
    let section = html
        .split(&format!("id=\"table-{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("table {id}"))
        .split("</section>")
        .next()
        .unwrap();
    section
        .split("<tr data-code=\"")
        .skip(1)
        .map(|row| {
            let code = row.split('"').next().unwrap().to_string();
            let values = row
                .split("<td class=\"num\">")
                .skip(1)
                .map(|v| v.split('<').next().unwrap().replace('—', ""))
                .collect();
            (code, values)
        })
        .collect()
}

/// The same from the CSV: the first column and the last `n` of each row.
fn csv_table(body: &str, n: usize) -> Rows {
    let mut r = csv::Reader::from_reader(body.as_bytes());
    r.records()
        .map(|x| x.unwrap())
        .map(|x| (x[0].to_string(), x.iter().skip(x.len() - n).map(String::from).collect()))
        .collect()
}

fn rows(want: &[(&str, &[&str])]) -> Rows {
    want.iter().map(|(c, v)| (c.to_string(), v.iter().map(|s| s.to_string()).collect())).collect()
}

const HALF: &str = "from=2026-01-01&to=2026-06-30";

#[test]
fn the_trends_page_counts_known_allegations_cases_and_deadlines_and_each_csv_equals_it() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let (a, b) = seed_trends(&app);
        let geo = vigie::geo::Geo::load(std::path::Path::new("resources/mali")).unwrap();
        let mopti = geo.boundaries.locate(DJENNE.0, DJENNE.1).unwrap().region_code;
        let bamako = geo.boundaries.locate(BAMAKO.0, BAMAKO.1).unwrap().region_code;
        add_user(&app.db, "intake@vigie.test", "intake", None);
        let intake = signed_in_on(&app, "intake@vigie.test", "2026-07-15");
        let (st, html) = get(&intake, &format!("/staff/analytics?{HALF}"));
        assert_eq!(st, Status::Ok);
        assert!(html.contains("<svg") && html.contains("class=\"bar\""), "the chart is drawn");
        assert!(html.contains("href=\"/staff/analytics\""), "linked from the staff navigation");
        let (gend, army) = ("Gendarmerie nationale", "Armée de terre (FAMa)");
        let (a, b) = (a.to_string(), b.to_string());
        let expected: Vec<(&str, Rows)> = vec![
            ("trend", rows(&[("2026-Q1", &["6", "1", "0"]), ("2026-Q2", &["5", "5", "2"])])),
            ("force", rows(&[("gendarmerie", &["6"]), ("fama_army", &["5"])])),
            ("unit", rows(&[(&a, &[gend, "4"]), (&b, &[army, "3"]), ("", &[army, "2"]), ("", &[gend, "2"])])),
            ("region", rows(&[(&mopti, &["6"]), (&bamako, &["5"])])),
            (
                "timing",
                rows(&[
                    ("cndh", &["5", "2", "2", "30", "32"]),
                    ("mediateur", &["1", "0", "", "", ""]),
                    ("*", &["6", "2", "2", "30", "32"]),
                ]),
            ),
            // On 2026-07-15: the three open CNDH cases are past both deadlines; of the Médiateur's
            // two, the one opened in March is, the one opened on 07-10 is not yet.
            (
                "overdue",
                rows(&[("cndh", &["3", "3", "3", "3", "0"]), ("mediateur", &["2", "1", "1", "1", "0"])]),
            ),
        ];
        for (id, want) in &expected {
            let shown = page_rows(&html, id);
            assert_eq!(&shown, want, "page table {id}");
            let (st, csv) = get(&intake, &format!("/staff/analytics/{id}.csv?{HALF}"));
            assert_eq!(st, Status::Ok, "{id}.csv");
            let n = want[0].1.len();
            assert_eq!(&csv_table(&csv, n), want, "CSV {id} equals the page");
        }
        assert!(html.contains(">Brigade A<") && html.contains(">Unité non identifiée<"));
        // Each export audited: the table, the period, the rows.
        let audited: Vec<String> = audit_log::table
            .filter(audit_log::action.eq("analytics.export_csv"))
            .order(audit_log::id)
            .select(audit_log::details)
            .load(&mut app.db.conn())
            .unwrap();
        assert_eq!(audited.len(), 6);
        assert_eq!(audited[0], "table=trend from=2026-01-01 to=2026-06-30 rows=2");
        assert_eq!(audited[2], "table=unit from=2026-01-01 to=2026-06-30 rows=4");
        // The group narrows the allegations; the force too.
        let (_, html) = get(&intake, &format!("/staff/analytics?{HALF}&group=integrity"));
        assert_eq!(page_rows(&html, "force"), rows(&[("gendarmerie", &["6"])]));
        let (_, html) = get(&intake, &format!("/staff/analytics?{HALF}&force=fama_army"));
        assert_eq!(page_rows(&html, "region"), rows(&[(&bamako, &["5"])]));
        // The default range (eight quarters to today) holds the older allegation too.
        let (_, html) = get(&intake, "/staff/analytics");
        assert!(html.contains("value=\"2024-10-01\""), "from the quarter seven before");
        assert_eq!(page_rows(&html, "force"), rows(&[("gendarmerie", &["7"]), ("fama_army", &["5"])]));
        // A table that does not exist.
        assert_eq!(get(&intake, "/staff/analytics/nope.csv").0, Status::NotFound);
        assert_eq!(get(&intake, "/staff/analytics/force").0, Status::NotFound);
    });
}

#[test]
fn a_case_worker_sees_their_institutions_trends_and_others_get_404() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        seed_trends(&app);
        add_user(&app.db, "cndh@vigie.test", "investigator", Some("cndh"));
        add_user(&app.db, "med@vigie.test", "ombudsman", Some("mediateur"));
        add_user(&app.db, "trainer@vigie.test", "trainer", None);
        add_user(&app.db, "monitor@vigie.test", "monitor", None);
        let cndh = signed_in_on(&app, "cndh@vigie.test", "2026-07-15");
        let (st, html) = get(&cndh, &format!("/staff/analytics?{HALF}"));
        assert_eq!(st, Status::Ok);
        assert!(html.contains("votre institution"), "the page says it is scoped");
        assert_eq!(
            page_rows(&html, "trend"),
            rows(&[("2026-Q1", &["0", "0", "0"]), ("2026-Q2", &["5", "5", "2"])])
        );
        assert_eq!(page_rows(&html, "force"), rows(&[("fama_army", &["5"])]));
        assert_eq!(page_rows(&html, "timing"), rows(&[("cndh", &["5", "2", "2", "30", "32"])]));
        assert_eq!(page_rows(&html, "overdue"), rows(&[("cndh", &["3", "3", "3", "3", "0"])]));
        let (_, csv) = get(&cndh, &format!("/staff/analytics/overdue.csv?{HALF}"));
        assert_eq!(csv_table(&csv, 5), rows(&[("cndh", &["3", "3", "3", "3", "0"])]));
        // The Médiateur: the two events it has a case on, its own cases.
        let med = signed_in_on(&app, "med@vigie.test", "2026-07-15");
        let (_, html) = get(&med, &format!("/staff/analytics?{HALF}"));
        assert_eq!(
            page_rows(&html, "trend"),
            rows(&[("2026-Q1", &["2", "1", "0"]), ("2026-Q2", &["0", "0", "0"])])
        );
        assert_eq!(page_rows(&html, "timing"), rows(&[("mediateur", &["1", "0", "", "", ""])]));
        assert_eq!(page_rows(&html, "overdue"), rows(&[("mediateur", &["2", "1", "1", "1", "0"])]));
        for who in ["trainer@vigie.test", "monitor@vigie.test"] {
            let c = signed_in(&app, who);
            for path in ["/staff/analytics", "/staff/analytics/force.csv"] {
                assert_eq!(get(&c, path).0, Status::NotFound, "{who} {path}");
            }
            let (_, home) = get(&c, "/staff");
            assert!(!home.contains("href=\"/staff/analytics\""), "{who}: no link");
        }
        let exports: i64 = audit_log::table
            .filter(audit_log::action.eq("analytics.export_csv"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(exports, 1, "refused exports are not audited");
    });
}

/// The day of the first report of a case's event is kept on the case (migration 000055) through
/// every change: a report linked, moved to another event or unlinked, a case moved to another
/// event; the time to decision reads it.
#[test]
fn the_first_report_day_kept_on_a_case_follows_its_events_reports() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let geo = vigie::geo::Geo::load(std::path::Path::new("resources/mali")).unwrap();
        let db = &app.db;
        let (cndh, med) = (institution(db, "cndh"), institution(db, "mediateur"));
        let (e1, e2) = (event(db, &geo, "2026-03-01", None), event(db, &geo, "2026-03-01", None));
        let at = day("2026-03-20").and_hms_opt(9, 0, 0).unwrap();
        let kept = |case: i32| -> Option<NaiveDate> {
            cases::table.find(case).select(cases::reported_on).first(&mut db.conn()).unwrap()
        };
        let last_report = || -> i32 {
            reports::table.order(reports::id.desc()).select(reports::id).first(&mut db.conn()).unwrap()
        };
        report_for(&app, e1, "2026-03-10");
        let (case, _) = vigie::cases::model::open_case(&mut db.conn(), e1, cndh, 7, 30, at).unwrap();
        assert_eq!(kept(case), Some(day("2026-03-10")), "opened after its first report");
        report_for(&app, e1, "2026-03-05");
        let earlier = last_report();
        assert_eq!(kept(case), Some(day("2026-03-05")), "an earlier report linked");
        report_for(&app, e1, "2026-03-12");
        assert_eq!(kept(case), Some(day("2026-03-05")), "a later report changes nothing");
        let relink = |r: i32, e: Option<i32>| {
            diesel::update(reports::table.find(r))
                .set(reports::event_id.eq(e))
                .execute(&mut db.conn())
                .unwrap();
        };
        relink(earlier, Some(e2));
        assert_eq!(kept(case), Some(day("2026-03-10")), "the earlier report moved away");
        let (other, _) = vigie::cases::model::open_case(&mut db.conn(), e2, med, 7, 30, at).unwrap();
        assert_eq!(kept(other), Some(day("2026-03-05")));
        relink(earlier, None);
        assert_eq!(kept(other), None, "no report left on its event");
        diesel::update(cases::table.find(other)).set(cases::event_id.eq(e1)).execute(&mut db.conn()).unwrap();
        assert_eq!(kept(other), Some(day("2026-03-10")), "a case moved to another event");
        diesel::update(reports::table.find(earlier))
            .set((reports::event_id.eq(Some(e1)), reports::submitted_on.eq(day("2026-02-27"))))
            .execute(&mut db.conn())
            .unwrap();
        assert_eq!((kept(case), kept(other)), (Some(day("2026-02-27")), Some(day("2026-02-27"))));
    });
}

/// Found in review (session 19): on an event with allegations routed to two institutions, a
/// case worker's analytics counted the other institution's allegations (their force and unit),
/// and their map and case list matched them by group and force. Each counts and matches the
/// allegations its own case holds.
#[test]
fn a_case_worker_counts_and_matches_only_their_institutions_allegations_on_a_shared_event() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let geo = vigie::geo::Geo::load(std::path::Path::new("resources/mali")).unwrap();
        let db = &app.db;
        let at = day("2026-04-05").and_hms_opt(9, 0, 0).unwrap();
        let e = event(db, &geo, "2026-04-02", Some(BAMAKO));
        allege_by(db, e, "integrity.torture", "fama_army", None);
        case_on(db, e, institution(db, "cndh"), at);
        allege_by(db, e, "life.extrajudicial_execution", "police", None);
        let med_case = case_on(db, e, institution(db, "mediateur"), at);
        add_user(db, "med@vigie.test", "ombudsman", Some("mediateur"));
        let med = signed_in_on(&app, "med@vigie.test", "2026-07-15");
        let (_, html) = get(&med, &format!("/staff/analytics?{HALF}"));
        assert_eq!(page_rows(&html, "force"), rows(&[("police", &["1"])]), "not the army's torture");
        let (_, csv) = get(&med, &format!("/staff/analytics/force.csv?{HALF}"));
        assert!(!csv.contains("fama_army"), "{csv}");
        let listed = |group: &str| {
            let (_, html) = get(&med, &format!("/staff/cases?scope=institution&group={group}"));
            html.contains(&format!("href=\"/staff/cases/{med_case}\""))
        };
        assert!(listed("life"), "its own allegation's group");
        assert!(!listed("integrity"), "not the other institution's");
        let mapped = |group: &str| {
            let (st, csv) = get(&med, &format!("/staff/map/events.csv?{HALF}&group={group}"));
            assert_eq!(st, Status::Ok);
            csv_rows(&csv).len()
        };
        assert_eq!((mapped("life"), mapped("integrity")), (1, 0), "the map matches their own only");
    });
}
