//! Issue #13, public statistics, on each engine: hand-built data of known counts against every
//! public table (JSON, CSV and the page agree), the open quarter left out, small counts
//! withheld, the map's shading classes, the kept tables recomputed when a finding changes, and
//! no narrative, name, contact, id, coordinate or place finer than a region in any response.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use crate::common::*;
use vigie::schema::{
    allegations, case_transitions, cases, dispositions, events, forces, institutions, reports,
    violation_types,
};

const NARRATIVE: &str = "NARRATIF-TEMOIN-7781 au marché de Djenné";
const NAME: &str = "Oumou Zerbo-Traoré";
const CONTACT: &str = "+223 76 54 32 10";
const EVENT_TITLE: &str = "TITRE-EVENEMENT-4410";
const EVENT_SUMMARY: &str = "RESUME-EVENEMENT-9932";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> NaiveDateTime {
    day(s).and_hms_opt(9, 0, 0).unwrap()
}

fn id_of(db: &TestDb, table: &str, code: &str) -> i32 {
    let c = &mut db.conn();
    match table {
        "vt" => {
            violation_types::table.filter(violation_types::code.eq(code)).select(violation_types::id).first(c)
        }
        "force" => forces::table.filter(forces::code.eq(code)).select(forces::id).first(c),
        "disposition" => {
            dispositions::table.filter(dispositions::code.eq(code)).select(dispositions::id).first(c)
        }
        _ => institutions::table.filter(institutions::code.eq(code)).select(institutions::id).first(c),
    }
    .unwrap()
}

/// An event with a point and a cercle (which must never come out), on `on`, in `region`.
fn event(db: &TestDb, region: &str, on: &str) -> i32 {
    diesel::insert_into(events::table)
        .values((
            events::title.eq(EVENT_TITLE),
            events::summary.eq(EVENT_SUMMARY),
            events::occurred_on.eq(day(on)),
            events::date_precision.eq("exact"),
            events::region_code.eq(Some(region)),
            events::cercle_code.eq(Some("ML.MO.DJ")),
            events::lat.eq(Some(13.9061)),
            events::lon.eq(Some(-4.5533)),
            events::created_at.eq(at("2026-11-01")),
        ))
        .returning(events::id)
        .get_result(&mut db.conn())
        .unwrap()
}

/// `n` allegations of `vt` by `force` in `event`, with a finding or none.
fn allegations_in(db: &TestDb, event: i32, vt: &str, force: &str, disposition: Option<&str>, n: usize) {
    let (vt, force) = (id_of(db, "vt", vt), id_of(db, "force", force));
    let disposition = disposition.map(|d| id_of(db, "disposition", d));
    for _ in 0..n {
        diesel::insert_into(allegations::table)
            .values((
                allegations::event_id.eq(event),
                allegations::violation_type_id.eq(vt),
                allegations::force_id.eq(force),
                allegations::unit_description.eq("UNITE-DECRITE-5512"),
                allegations::victim_details.eq("VICTIME-DETAILS-3391"),
                allegations::involvement.eq("carried_out"),
                allegations::confidence.eq("confirmed"),
                allegations::disposition_id.eq(disposition),
                allegations::created_at.eq(at("2026-11-01")),
            ))
            .execute(&mut db.conn())
            .unwrap();
    }
}

/// A report through the public API (narrative, name, contact, a point in Djenné), linked to
/// `event` and dated `submitted`.
fn report_for(app: &TestApp, event: i32, submitted: &str) {
    let body = json!({
        "narrative": NARRATIVE,
        "occurred_on": "2026-05-02",
        "violations": ["integrity.beating"],
        "force": "police",
        "location": {"lat": 13.9061, "lon": -4.5533},
        "victim_count": 1,
        "children_involved": false,
        "reporter_relation": "victim",
        "reporter_name": NAME,
        "reporter_contact": CONTACT,
    });
    let r = app.client.post("/api/v1/reports").header(ContentType::JSON).body(body.to_string()).dispatch();
    assert_eq!(r.status(), Status::Created);
    let c = &mut app.db.conn();
    let id: i32 = reports::table.order(reports::id.desc()).select(reports::id).first(c).unwrap();
    diesel::update(reports::table.find(id))
        .set((reports::event_id.eq(Some(event)), reports::submitted_on.eq(day(submitted))))
        .execute(c)
        .unwrap();
}

/// A case at `institution` opened through the case workflow's own function.
fn case_for(db: &TestDb, event: i32, institution: &str, opened: &str) -> i32 {
    let inst = id_of(db, "institution", institution);
    vigie::cases::model::open_case(&mut db.conn(), event, inst, 7, 30, at(opened)).unwrap().0
}

fn step(db: &TestDb, case: i32, to: &str, on: &str) {
    let c = &mut db.conn();
    diesel::insert_into(case_transitions::table)
        .values((
            case_transitions::case_id.eq(case),
            case_transitions::to_status.eq(to),
            case_transitions::reason.eq("RAISON-CONFIDENTIELLE-2210"),
            case_transitions::at.eq(at(on)),
        ))
        .execute(c)
        .unwrap();
    let closed = (to == "closed").then(|| at(on));
    diesel::update(cases::table.find(case))
        .set((cases::status.eq(to), cases::closed_at.eq(closed)))
        .execute(c)
        .unwrap();
}

/// The data: 2026-Q2 with no count from 1 to 4 anywhere (everything published, exactly),
/// 2026-Q3 with one small cell, 2026-Q4 (open on 2026-11-29) that must not show.
fn seed(app: &TestApp) {
    let db = &app.db;
    // Q2: ten events in Mopti (one torture by the police and one killing by the army each),
    // five in Bamako (one beating by the police each).
    for k in 0..10 {
        let e = event(db, "ML-5", &format!("2026-05-{:02}", k + 1));
        let disp = (k < 5).then_some("substantiated");
        allegations_in(db, e, "integrity.torture", "police", disp, 1);
        allegations_in(db, e, "life.extrajudicial_execution", "fama_army", disp, 1);
        let case = case_for(db, e, "cndh", "2026-06-01");
        if k < 5 {
            // Reported on 2026-06-01; opened 1..5 days later, acknowledged after 2, closed after 10.
            report_for(app, e, "2026-06-01");
            diesel::update(cases::table.find(case))
                .set(cases::opened_at.eq(at(&format!("2026-06-{:02}", 2 + k))))
                .execute(&mut db.conn())
                .unwrap();
            step(db, case, "acknowledged", "2026-06-03");
            step(db, case, "closed", "2026-06-11");
            vigie::cases::model::set_outcome(
                &mut db.conn(),
                case,
                "SANCTION-RECOMMANDEE-8812",
                "",
                "Mutation",
                Some(true),
            )
            .unwrap();
        }
    }
    for k in 0..5 {
        let e = event(db, "ML-BKO", &format!("2026-06-{:02}", k + 10));
        allegations_in(db, e, "integrity.beating", "police", None, 1);
        case_for(db, e, "cndh", "2026-06-20");
    }
    // Q3: a row with a single small cell (three arrests in Kayes).
    let kayes = event(db, "ML-1", "2026-08-05");
    allegations_in(db, kayes, "liberty.arbitrary_arrest", "gendarmerie", None, 3);
    for k in 0..4 {
        let e = event(db, "ML-5", &format!("2026-07-{:02}", k + 1));
        allegations_in(db, e, "integrity.torture", "police", None, 6);
        allegations_in(db, e, "life.extrajudicial_execution", "fama_army", None, 5);
    }
    // Q4, open: must not be counted anywhere.
    let open = event(db, "ML-5", "2026-10-15");
    allegations_in(db, open, "integrity.torture", "police", None, 20);
}

/// The seeded data with no period withheld whole (`stats_period_floor` 0): these tests check
/// the tables' own protection; `a_sparse_period_is_withheld_whole_…` checks the floor.
fn pinned(engine: Engine) -> TestApp {
    let app = TestApp::with_figment(TestDb::new(engine), |f| {
        f.merge(("reports_per_hour", 10_000)).merge(("stats_period_floor", 0))
    });
    app.client.rocket().state::<vigie::clock::Clock>().unwrap().pin(Some(at("2026-11-29").and_utc()));
    app
}

fn get_json(c: &Client, path: &str) -> Value {
    let r = c.get(path).dispatch();
    assert_eq!(r.status(), Status::Ok, "{path}");
    r.into_json().unwrap()
}

fn table<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["tables"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap_or_else(|| panic!("no table {id}"))
}

/// The cell of `t` at `coords` (in the table's dimension order).
fn cell<'a>(t: &'a Value, coords: &[&str]) -> &'a Value {
    let dims: Vec<&str> = t["dimensions"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    t["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| dims.iter().zip(coords).all(|(d, v)| c[*d] == *v))
        .unwrap_or_else(|| panic!("no cell {coords:?} in {}", t["id"]))
}

fn count(t: &Value, coords: &[&str]) -> Option<i64> {
    cell(t, coords)["count"].as_i64()
}

/// Every figure of `t` as the page shows it, in the page's order (rows, then columns).
fn shown(t: &Value) -> Vec<String> {
    t["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            if c["suppressed"] == true {
                "—".to_string()
            } else if let Some(n) = c["count"].as_i64() {
                n.to_string()
            } else if let Some(m) = c["median_days"].as_f64() {
                if m.fract() == 0.0 {
                    format!("{m:.0}")
                } else {
                    format!("{m:.1}")
                }
            } else {
                "—".to_string()
            }
        })
        .collect()
}

/// The figures of one table on the page, in order.
fn page_figures(html: &str, id: &str) -> Vec<String> {
    let start =
        html.find(&format!("<section class=\"stats-table\" id=\"{id}\">")).unwrap_or_else(|| panic!("{id}"));
    let part = html[start..].split("</section>").next().unwrap();
    part.split("<td class=\"num\">").skip(1).map(|s| s.split("</td>").next().unwrap().to_string()).collect()
}

#[test]
fn every_public_table_has_the_known_counts_and_json_csv_and_page_agree() {
    each_engine(|engine| {
        let app = pinned(engine);
        seed(&app);
        let c = &app.client;

        let periods = get_json(c, "/api/v1/stats/periods");
        assert_eq!(
            periods,
            json!({"periods": [
                {"kind": "quarter", "label": "2026-Q3"},
                {"kind": "quarter", "label": "2026-Q2"},
            ]}),
            "closed quarters only: not 2026-Q4, not the open year 2026"
        );
        for bad in ["2026-Q4", "2026", "2025-Q4x", "x", "2026-Q1"] {
            let r = c.get(format!("/api/v1/stats?period={bad}")).dispatch();
            assert_eq!(r.status(), Status::NotFound, "{bad}");
            assert_eq!(c.get(format!("/stats?period={bad}")).dispatch().status(), Status::NotFound, "{bad}");
        }

        // 2026-Q2: no count from 1 to 4, so every cell is published as it is.
        let q2 = get_json(c, "/api/v1/stats?period=2026-Q2&lang=en");
        assert_eq!(q2["period"], json!({"kind": "quarter", "label": "2026-Q2"}));
        let ids: Vec<&str> =
            q2["tables"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "allegations_by_region",
                "allegations_by_force",
                "allegations_by_disposition",
                "cases_by_status",
                "accountability",
                "median_days"
            ]
        );
        for t in q2["tables"].as_array().unwrap().iter().filter(|t| t["id"] != "median_days") {
            for cl in t["cells"].as_array().unwrap() {
                assert!(cl.get("suppressed").is_none(), "no count to withhold in 2026-Q2: {cl}");
            }
        }
        let region = table(&q2, "allegations_by_region");
        assert_eq!(region["title"], "Allegations by region and kind of violation");
        assert_eq!(region["dimensions"], json!(["region", "violation_group"]));
        let expected_region: HashMap<(&str, &str), i64> = HashMap::from([
            (("ML-5", "integrity"), 10),
            (("ML-5", "life"), 10),
            (("ML-BKO", "integrity"), 5),
            (("ML-5", "*"), 20),
            (("ML-BKO", "*"), 5),
            (("*", "integrity"), 15),
            (("*", "life"), 10),
            (("*", "*"), 25),
        ]);
        for cl in region["cells"].as_array().unwrap() {
            let k = (cl["region"].as_str().unwrap(), cl["violation_group"].as_str().unwrap());
            assert_eq!(cl["count"].as_i64(), Some(*expected_region.get(&k).unwrap_or(&0)), "{k:?}");
        }
        assert_eq!(count(region, &["unknown", "*"]), Some(0));
        let force = table(&q2, "allegations_by_force");
        assert_eq!(count(force, &["police", "integrity"]), Some(15));
        assert_eq!(count(force, &["fama_army", "life"]), Some(10));
        assert_eq!(count(force, &["gendarmerie", "*"]), Some(0));
        assert_eq!(count(force, &["*", "*"]), Some(25));
        let disp = table(&q2, "allegations_by_disposition");
        assert_eq!(count(disp, &["substantiated"]), Some(10));
        assert_eq!(count(disp, &["pending"]), Some(15));
        assert_eq!(count(disp, &["*"]), Some(25));
        let cases = table(&q2, "cases_by_status");
        assert_eq!(count(cases, &["cndh", "closed"]), Some(5));
        assert_eq!(count(cases, &["cndh", "received"]), Some(10));
        assert_eq!(count(cases, &["cndh", "*"]), Some(15));
        assert_eq!(count(cases, &["mediateur", "*"]), Some(0));
        let acc = table(&q2, "accountability");
        assert_eq!(count(acc, &["cndh", "outcome_disciplined"]), Some(5));
        assert_eq!(count(acc, &["cndh", "no_final_outcome"]), Some(0));
        assert_eq!(count(acc, &["*", "*"]), Some(5));
        let med = table(&q2, "median_days");
        assert_eq!(
            cell(med, &["cndh", "routing"])["median_days"],
            3.0,
            "opened 1 to 5 days after the report"
        );
        assert_eq!(cell(med, &["cndh", "acknowledgement"])["median_days"], 2.0);
        assert_eq!(cell(med, &["cndh", "closure"])["median_days"], 10.0);
        assert_eq!(cell(med, &["*", "closure"])["median_days"], 10.0);
        let none = cell(med, &["mediateur", "routing"]);
        assert!(
            none["median_days"].is_null() && none["suppressed"] == true,
            "no case measured looks as 1 to 4 do: {none}"
        );
        assert!(med["cells"].as_array().unwrap().iter().all(|c| c.get("count").is_none()));

        // 2026-Q3: the three arrests in Kayes are withheld, and their row, and enough else;
        // every figure published is the true one; the open quarter's twenty are nowhere.
        let q3 = get_json(c, "/api/v1/stats");
        assert_eq!(q3["period"]["label"], "2026-Q3", "the latest closed quarter by default");
        let region = table(&q3, "allegations_by_region");
        let truth: HashMap<(&str, &str), i64> = HashMap::from([
            (("ML-1", "liberty"), 3),
            (("ML-5", "integrity"), 24),
            (("ML-5", "life"), 20),
            (("ML-1", "*"), 3),
            (("ML-5", "*"), 44),
            (("*", "liberty"), 3),
            (("*", "integrity"), 24),
            (("*", "life"), 20),
            (("*", "*"), 47),
        ]);
        let mut published = 0;
        for cl in region["cells"].as_array().unwrap() {
            let k = (cl["region"].as_str().unwrap(), cl["violation_group"].as_str().unwrap());
            let t = *truth.get(&k).unwrap_or(&0);
            if cl["suppressed"] == true {
                assert!(cl["count"].is_null() && t > 0, "{k:?}: only a non-zero count is withheld");
            } else {
                assert_eq!(cl["count"].as_i64(), Some(t), "{k:?}");
                assert!(t == 0 || t >= 5, "{k:?}: {t} is published");
                published += 1;
            }
        }
        assert!(published > 100, "zeros and most figures stay: {published}");
        assert_eq!(cell(region, &["ML-1", "liberty"])["suppressed"], true);
        assert_eq!(cell(region, &["ML-1", "*"])["suppressed"], true);
        let disp = table(&q3, "allegations_by_disposition");
        assert!(count(disp, &["pending"]).is_none_or(|n| n == 47));
        assert_eq!(count(disp, &["substantiated"]), Some(0));

        // The CSV and the page say the same as the JSON, for every table of both quarters.
        for (label, v) in [("2026-Q2", &q2), ("2026-Q3", &q3)] {
            page_and_csv_agree(c, label, v);
            // The bars by kind of violation and by disposition draw the published figures.
            let html = c.get(format!("/stats?period={label}&lang=en")).dispatch().into_string().unwrap();
            let mut drawn = 0;
            for (id, total_first) in [("allegations_by_region", true), ("allegations_by_disposition", false)]
            {
                for cl in table(v, id)["cells"].as_array().unwrap() {
                    let key = if total_first {
                        if cl["region"] != "*" || cl["violation_group"] == "*" {
                            continue;
                        }
                        cl["violation_group"].as_str().unwrap()
                    } else {
                        if cl["disposition"] == "*" {
                            continue;
                        }
                        cl["disposition"].as_str().unwrap()
                    };
                    let want = match cl["count"].as_i64() {
                        Some(n) => format!("data-key=\"{key}\" data-count=\"{n}\""),
                        None => format!("data-key=\"{key}\" data-withheld=\"true\""),
                    };
                    assert!(html.contains(&want), "{label} {id}: {want}");
                    drawn += 1;
                }
            }
            assert!(drawn >= 8, "{label}: every group and disposition drawn ({drawn})");
            assert_eq!(html.matches("class=\"bars\"").count(), 2, "{label}: two bar charts");
        }
        assert_eq!(c.get("/stats/2026-Q3/nothing.csv").dispatch().status(), Status::NotFound);
        let r = c.get("/api/v1/stats/2026-Q4/allegations_by_region.csv").dispatch();
        assert_eq!(r.status(), Status::NotFound);
        assert!(r.into_json::<Value>().unwrap()["error"].is_string(), "the API's 404 is JSON");
        assert_eq!(c.get("/stats/2026-Q4/allegations_by_region.csv").dispatch().status(), Status::NotFound);

        // The page in French, with the methodology, the chart and the map.
        let html = c.get("/stats?lang=fr").dispatch().into_string().unwrap();
        assert!(html.contains("<html lang=\"fr\""));
        assert!(html.contains("Statistiques publiques") && html.contains("Méthode"));
        assert!(html.contains("class=\"trend\""), "the bar chart");
        assert!(html.contains("href=\"/stats?period=2026-Q2\""), "the period chooser is links");
        assert!(!html.contains("<script"), "no script needed");
    });
}

/// The map's class of each region on the page of `period`.
fn classes(c: &Client, period: &str) -> HashMap<String, String> {
    let html = c.get(format!("/stats?period={period}")).dispatch().into_string().unwrap();
    html.split("data-region=\"")
        .skip(1)
        .map(|s| {
            let code = s.split('"').next().unwrap().to_string();
            let class = s.split("data-class=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
            (code, class)
        })
        .collect()
}

/// The page and each table's CSV say what the JSON of period `label` says.
fn page_and_csv_agree(c: &Client, label: &str, v: &Value) {
    let html = c.get(format!("/stats?period={label}&lang=en")).dispatch().into_string().unwrap();
    for t in v["tables"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        assert_eq!(page_figures(&html, id), shown(t), "{label} {id}: the page");
        let r = c.get(format!("/stats/{label}/{id}.csv")).dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.content_type(), Some(ContentType::CSV));
        let csv = r.into_string().unwrap();
        // The same file under the API's prefix, where OpenAPI describes it.
        let api = c.get(format!("/api/v1/stats/{label}/{id}.csv")).dispatch();
        assert_eq!(api.content_type(), Some(ContentType::CSV));
        assert_eq!(api.into_string().unwrap(), csv, "{label} {id}: the API's CSV");
        let mut lines = csv.lines();
        let dims: Vec<&str> =
            t["dimensions"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
        let value = if id == "median_days" { "median_days" } else { "count" };
        assert_eq!(lines.next().unwrap(), format!("{},{value},suppressed", dims.join(",")));
        for (line, cl) in lines.zip(t["cells"].as_array().unwrap()) {
            let coords: Vec<String> = dims.iter().map(|d| cl[*d].as_str().unwrap().to_string()).collect();
            let v = match &cl[value] {
                Value::Null => String::new(),
                Value::Number(n) if id == "median_days" => n.as_f64().unwrap().to_string(),
                other => other.to_string(),
            };
            let suppressed = cl["suppressed"] == true;
            assert_eq!(line, format!("{},{v},{suppressed}", coords.join(",")), "{label} {id}");
        }
    }
}

#[test]
fn a_closed_year_is_published_as_the_sum_of_its_quarters_and_its_page_and_csv_agree() {
    each_engine(|engine| {
        let app = pinned(engine);
        seed(&app);
        // 2026 closed: its year table is published beside its quarters.
        app.client.rocket().state::<vigie::clock::Clock>().unwrap().pin(Some(at("2027-01-15").and_utc()));
        let c = &app.client;
        let periods = get_json(c, "/api/v1/stats/periods");
        let listed: Vec<(String, String)> = periods["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["kind"].as_str().unwrap().to_string(), p["label"].as_str().unwrap().to_string()))
            .collect();
        assert!(listed.contains(&("year".into(), "2026".into())), "{listed:?}");
        assert!(listed.contains(&("quarter".into(), "2026-Q4".into())), "{listed:?}");
        assert!(!listed.iter().any(|p| p.1.starts_with("2027")), "the open quarter and year: {listed:?}");
        let year = get_json(c, "/api/v1/stats?period=2026&lang=en");
        assert_eq!(year["period"], json!({"kind": "year", "label": "2026"}));
        let quarters: Vec<Value> = listed
            .iter()
            .filter(|(k, l)| k == "quarter" && l.starts_with("2026-"))
            .map(|(_, l)| get_json(c, &format!("/api/v1/stats?period={l}&lang=en")))
            .collect();
        assert!(quarters.len() >= 3, "2026-Q2, Q3 and Q4 at least");
        let mut checked = 0;
        for t in year["tables"].as_array().unwrap().iter().filter(|t| t["id"] != "median_days") {
            let dims: Vec<&str> =
                t["dimensions"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
            for cl in t["cells"].as_array().unwrap() {
                let coords: Vec<&str> = dims.iter().map(|d| cl[*d].as_str().unwrap()).collect();
                let parts: Vec<Option<i64>> =
                    quarters.iter().map(|q| count(table(q, t["id"].as_str().unwrap()), &coords)).collect();
                let known: i64 = parts.iter().flatten().sum();
                match cl["count"].as_i64() {
                    Some(n) if parts.iter().all(Option::is_some) => {
                        assert_eq!(n, known, "{} {coords:?}: the year is the sum of its quarters", t["id"]);
                        checked += 1;
                    }
                    Some(n) => assert!(n >= known, "{} {coords:?}", t["id"]),
                    None => assert_eq!(cl["suppressed"], true),
                }
            }
        }
        assert!(checked > 20, "most cells are published in both: {checked}");
        // The grand total of allegations: every allegation seeded in 2026.
        let seeded: i64 = allegations::table.count().get_result(&mut app.db.conn()).unwrap();
        assert_eq!(count(table(&year, "allegations_by_region"), &["*", "*"]), Some(seeded));
        page_and_csv_agree(c, "2026", &year);
    });
}

/// Records a finding "substantiated" on each of the five Bamako allegations of 2026-Q2 through
/// the case workflow's function.
fn substantiate_bamako(app: &TestApp) {
    let sub = id_of(&app.db, "disposition", "substantiated");
    let pending: Vec<(i32, Option<i32>)> = allegations::table
        .inner_join(events::table.on(events::id.eq(allegations::event_id)))
        .filter(events::region_code.eq("ML-BKO"))
        .select((allegations::id, allegations::case_id))
        .load(&mut app.db.conn())
        .unwrap();
    for (id, _) in &pending {
        let case: i32 = cases::table
            .inner_join(events::table)
            .inner_join(allegations::table.on(allegations::event_id.eq(events::id)))
            .filter(allegations::id.eq(id))
            .select(cases::id)
            .first(&mut app.db.conn())
            .unwrap();
        diesel::update(allegations::table.find(id))
            .set(allegations::case_id.eq(Some(case)))
            .execute(&mut app.db.conn())
            .unwrap();
        vigie::cases::model::record_finding(
            &mut app.db.conn(),
            case,
            *id,
            sub,
            "balance",
            "RAISONNEMENT-7734",
        )
        .unwrap();
    }
}

#[test]
fn a_visitor_gets_the_kept_tables_at_once_while_a_change_is_read_in_the_background() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("reports_per_hour", 10_000))
                .merge(("stats_refresh_wait_ms", 0))
                .merge(("stats_period_floor", 0))
        });
        app.client.rocket().state::<vigie::clock::Clock>().unwrap().pin(Some(at("2026-11-29").and_utc()));
        seed(&app);
        let c = &app.client;
        let substantiated = |c: &Client| -> Option<i64> {
            let r = c.get("/api/v1/stats?period=2026-Q2").dispatch();
            if r.status() != Status::Ok {
                return None;
            }
            count(table(&r.into_json::<Value>().unwrap(), "allegations_by_disposition"), &["substantiated"])
        };
        // Tables kept from before the data (the start's warm-up) are answered until the refresh
        // the requests started has read the data; then the new figures.
        let until = |want: i64| {
            for _ in 0..200 {
                if substantiated(c) == Some(want) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            panic!("never {want}");
        };
        until(10);
        substantiate_bamako(&app);
        assert_eq!(substantiated(c), Some(10), "the kept tables, at once");
        until(15);
    });
}

#[test]
fn the_map_shades_regions_by_class_and_a_finding_recomputes_the_kept_tables() {
    each_engine(|engine| {
        let app = pinned(engine);
        seed(&app);
        let c = &app.client;
        let q2 = classes(c, "2026-Q2");
        assert_eq!(q2.len(), 9, "every region drawn");
        assert_eq!(q2["ML-5"], "c2", "20 allegations");
        assert_eq!(q2["ML-BKO"], "c1", "5");
        assert_eq!(q2["ML-1"], "zero");
        let q3 = classes(c, "2026-Q3");
        assert_eq!(q3["ML-1"], "suppressed", "3: hatched, no figure");
        assert!(matches!(q3["ML-5"].as_str(), "c2" | "suppressed"), "44, or withheld to protect Kayes");

        // A finding recorded through the case workflow's function changes the kept tables.
        let before = get_json(c, "/api/v1/stats?period=2026-Q2");
        assert_eq!(count(table(&before, "allegations_by_disposition"), &["substantiated"]), Some(10));
        substantiate_bamako(&app);
        let after = get_json(c, "/api/v1/stats?period=2026-Q2");
        assert_eq!(count(table(&after, "allegations_by_disposition"), &["substantiated"]), Some(15));
        assert_eq!(count(table(&after, "allegations_by_disposition"), &["pending"]), Some(10));
        // Nothing changed: the same answer.
        assert_eq!(get_json(c, "/api/v1/stats?period=2026-Q2"), after);
    });
}

#[test]
fn no_public_statistic_carries_a_narrative_a_name_a_contact_an_id_a_point_or_a_cercle() {
    each_engine(|engine| {
        let app = pinned(engine);
        seed(&app);
        let c = &app.client;
        let mut bodies = vec![];
        let mut json_bodies = vec![];
        for lang in ["fr", "en"] {
            for path in ["/stats", "/stats?period=2026-Q2", "/stats?period=2026-Q3"] {
                bodies.push(
                    c.get(format!("{path}{}lang={lang}", if path.contains('?') { "&" } else { "?" }))
                        .dispatch()
                        .into_string()
                        .unwrap(),
                );
            }
        }
        json_bodies.push(get_json(c, "/api/v1/stats/periods"));
        for p in ["2026-Q2", "2026-Q3"] {
            let v = get_json(c, &format!("/api/v1/stats?period={p}"));
            for t in v["tables"].as_array().unwrap() {
                bodies.push(
                    c.get(format!("/stats/{p}/{}.csv", t["id"].as_str().unwrap()))
                        .dispatch()
                        .into_string()
                        .unwrap(),
                );
            }
            json_bodies.push(v);
        }
        let receipt_hashes: Vec<String> =
            reports::table.select(reports::receipt_hash).load(&mut app.db.conn()).unwrap();
        bodies.extend(json_bodies.iter().map(|v| v.to_string()));
        // The regions' GeoJSON: boundaries are drawn with many decimals, so it is scanned for
        // every text below but not for the event's coordinates (its properties are checked
        // key by key in `the_regions_geojson_carries_each_regions_total_withheld_as_in_the_table`).
        let geojson: Vec<String> = ["2026-Q2", "2026-Q3"]
            .iter()
            .map(|p| c.get(format!("/api/v1/stats/regions?period={p}")).dispatch().into_string().unwrap())
            .collect();
        for b in &geojson {
            assert!(b.contains("\"FeatureCollection\""), "{}", &b[..b.len().min(200)]);
            for secret in [NARRATIVE, NAME, CONTACT, EVENT_TITLE, EVENT_SUMMARY, "RAISONNEMENT", "Djenné"] {
                assert!(!b.contains(secret), "{secret} in the regions' GeoJSON");
            }
            for h in &receipt_hashes {
                assert!(!b.contains(h.as_str()));
            }
        }
        for b in &bodies {
            for secret in [
                NARRATIVE,
                "NARRATIF",
                NAME,
                "Zerbo",
                CONTACT,
                "76 54 32 10",
                EVENT_TITLE,
                EVENT_SUMMARY,
                "UNITE-DECRITE",
                "VICTIME-DETAILS",
                "RAISON-CONFIDENTIELLE",
                "SANCTION-RECOMMANDEE",
                "RAISONNEMENT",
                "Mutation",
                "ML.MO",
                "Djenné",
                "13.906",
                "4.553",
            ] {
                assert!(!b.contains(secret), "{secret} in a public response");
            }
            for h in &receipt_hashes {
                assert!(!b.contains(h.as_str()));
            }
        }
        // The JSON's keys are the documented ones only: no id of a report or a case.
        let allowed = [
            "periods",
            "period",
            "kind",
            "label",
            "tables",
            "id",
            "title",
            "dimensions",
            "cells",
            "count",
            "median_days",
            "suppressed",
            "region",
            "violation_group",
            "force",
            "disposition",
            "institution",
            "public_status",
            "outcome",
            "step",
            "note",
        ];
        fn keys(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        out.push(k.clone());
                        keys(x, out);
                    }
                }
                Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
                _ => {}
            }
        }
        for v in &json_bodies {
            let mut ks = vec![];
            keys(v, &mut ks);
            for k in ks {
                assert!(allowed.contains(&k.as_str()), "unexpected key {k}");
            }
            // Every "id" is a table's id, never a number.
            for t in v["tables"].as_array().into_iter().flatten() {
                assert!(t["id"].is_string());
            }
        }
        // And the only places are region codes, `unknown` or `*`.
        for v in &json_bodies[1..] {
            for cl in v["tables"].as_array().unwrap().iter().flat_map(|t| t["cells"].as_array().unwrap()) {
                if let Some(r) = cl.get("region") {
                    let r = r.as_str().unwrap();
                    assert!(r.starts_with("ML-") || r == "unknown" || r == "*", "{r}");
                }
            }
        }
    });
}

#[test]
fn the_statistics_logic_files_import_neither_rocket_nor_diesel() {
    for f in [
        "src/stats/suppress.rs",
        "src/stats/figures.rs",
        "src/geo/map.rs",
        "src/analytics/hotspots.rs",
        "src/analytics/trends.rs",
    ] {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + f).unwrap();
        for word in ["rocket", "diesel"] {
            assert!(
                !text.lines().any(|l| l.trim_start().starts_with("use ") && l.contains(word)),
                "{f} imports {word}"
            );
            assert!(!text.contains(&format!("{word}::")), "{f} names {word}");
        }
    }
}

#[test]
fn the_regions_geojson_carries_each_regions_total_withheld_as_in_the_table() {
    each_engine(|engine| {
        let app = pinned(engine);
        seed(&app);
        let c = &app.client;
        for p in ["2026-Q2", "2026-Q3"] {
            let stats = get_json(c, &format!("/api/v1/stats?period={p}"));
            let t = table(&stats, "allegations_by_region");
            let r = c.get(format!("/api/v1/stats/regions?period={p}")).dispatch();
            assert_eq!(r.status(), Status::Ok);
            assert_eq!(r.content_type().unwrap().to_string(), "application/geo+json");
            let gj: Value = r.into_json().unwrap();
            assert_eq!(gj["type"], "FeatureCollection");
            assert_eq!(gj["period"]["label"], p);
            let features = gj["features"].as_array().unwrap();
            let regions = vigie::geo::Geo::load(std::path::Path::new("resources/mali"))
                .unwrap()
                .boundaries
                .regions
                .len();
            assert_eq!(features.len(), regions, "every region of Mali once");
            for f in features {
                let props = &f["properties"];
                let keys: Vec<&String> = props.as_object().unwrap().keys().collect();
                assert_eq!(keys, ["count", "name", "region", "suppressed"], "nothing else in a feature");
                let code = props["region"].as_str().unwrap();
                assert!(code.starts_with("ML-"), "a region's code, never a cercle's: {code}");
                assert!(f["geometry"]["type"].as_str().unwrap().ends_with("Polygon"));
                // The table's row total, withheld exactly as there; a region with no row is 0.
                let row = t["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["region"] == code && x["violation_group"] == "*");
                match row {
                    Some(row) => {
                        assert_eq!(props["count"], row["count"], "{p} {code}");
                        assert_eq!(
                            props["suppressed"],
                            row.get("suppressed").cloned().unwrap_or(json!(false))
                        );
                    }
                    None => assert_eq!(props["count"], 0, "{p} {code}"),
                }
            }
        }
        // An open period is not published here either.
        assert_eq!(c.get("/api/v1/stats/regions?period=2026-Q4").dispatch().status(), Status::NotFound);
    });
}

#[test]
fn a_sparse_period_is_withheld_whole_and_a_late_report_of_an_old_event_does_not_show() {
    assert_eq!(vigie::config::Config::default().stats_period_floor, 20);
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("reports_per_hour", 10_000)).merge(("stats_period_floor", 10))
        });
        app.client.rocket().state::<vigie::clock::Clock>().unwrap().pin(Some(at("2026-11-29").and_utc()));
        seed(&app);
        // A killing by the army in Kayes in 2015, reported in 2026: alone in its quarter, it
        // would be the one non-zero cell of every table, and start the list of periods.
        let old = event(&app.db, "ML-1", "2015-08-20");
        allegations_in(&app.db, old, "life.extrajudicial_execution", "fama_army", None, 1);
        report_for(&app, old, "2026-06-01");
        let c = &app.client;
        // 2026-Q2 (15 events) is published; 2026-Q3 (5 events) is listed, withheld whole;
        // nothing of 2015, not even withheld: the list starts at the oldest published quarter.
        assert_eq!(
            get_json(c, "/api/v1/stats/periods"),
            json!({"periods": [
                {"kind": "quarter", "label": "2026-Q3", "suppressed": true},
                {"kind": "quarter", "label": "2026-Q2"},
            ]})
        );
        for gone in ["2015-Q3", "2015", "2026-Q1"] {
            assert_eq!(c.get(format!("/api/v1/stats?period={gone}")).dispatch().status(), Status::NotFound);
            assert_eq!(c.get(format!("/stats?period={gone}")).dispatch().status(), Status::NotFound);
        }
        // The default is the latest published quarter, its figures as without the floor.
        let q2 = get_json(c, "/api/v1/stats");
        assert_eq!(q2["period"], json!({"kind": "quarter", "label": "2026-Q2"}));
        assert_eq!(count(table(&q2, "allegations_by_region"), &["*", "*"]), Some(25));
        // The withheld quarter: said so, in the reader's language, and no table.
        let q3 = get_json(c, "/api/v1/stats?period=2026-Q3");
        assert_eq!(q3["period"], json!({"kind": "quarter", "label": "2026-Q3", "suppressed": true}));
        assert_eq!(q3["tables"], json!([]));
        assert!(q3["note"].as_str().unwrap().contains("moins de 10 événements"), "{q3}");
        let en = get_json(c, "/api/v1/stats?period=2026-Q3&lang=en");
        assert!(en["note"].as_str().unwrap().contains("fewer than 10 events"), "{en}");
        for (lang, words) in [("fr", "moins de 10 événements"), ("en", "fewer than 10 events")] {
            let html = c.get(format!("/stats?period=2026-Q3&lang={lang}")).dispatch().into_string().unwrap();
            assert!(html.contains("id=\"period-withheld\"") && html.contains(words), "{lang}: {html}");
            assert!(
                !html.contains("class=\"stats-table\"") && !html.contains("stats-map"),
                "{lang}: no figure"
            );
            assert!(html.contains("href=\"/stats?period=2026-Q2\""), "{lang}: the other periods");
        }
        for path in ["/stats/2026-Q3/allegations_by_region.csv", "/api/v1/stats/regions?period=2026-Q3"] {
            assert_eq!(c.get(path).dispatch().status(), Status::NotFound, "{path}");
        }
        // The published quarter's page marks the withheld one in its list of periods.
        let html = c.get("/stats?period=2026-Q2&lang=en").dispatch().into_string().unwrap();
        assert!(html.contains("class=\"stats-table\""));
        assert!(html.contains("2026-Q3</a> <small class=\"hint\">(withheld)</small>"), "{html}");
        // Once 2026 closes, the year is withheld with its sparse quarters (Q1: none; Q3: 5;
        // Q4: 1): the year minus Q2 would give them back.
        app.client.rocket().state::<vigie::clock::Clock>().unwrap().pin(Some(at("2027-01-15").and_utc()));
        let listed = get_json(c, "/api/v1/stats/periods");
        assert_eq!(
            listed,
            json!({"periods": [
                {"kind": "year", "label": "2026", "suppressed": true},
                {"kind": "quarter", "label": "2026-Q4", "suppressed": true},
                {"kind": "quarter", "label": "2026-Q3", "suppressed": true},
                {"kind": "quarter", "label": "2026-Q2"},
            ]})
        );
        let year = get_json(c, "/api/v1/stats?period=2026&lang=fr");
        assert_eq!(year["tables"], json!([]));
        assert!(year["note"].as_str().unwrap().contains("l'un de ses trimestres"), "{year}");
        assert_eq!(
            count(table(&get_json(c, "/api/v1/stats?period=2026-Q2"), "allegations_by_region"), &["*", "*"]),
            Some(25)
        );
    });
}
