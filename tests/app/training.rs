//! Issue #12: the trainers' side through the web, on each engine: units, partners, the gap
//! rule as pages and JSON, sessions and duplicate offers told to both partners, remediation
//! moves, a trainer's 404s on case material, and a privacy scan over every response a trainer
//! can get.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;
use vigie::schema::{
    allegations, audit_log, dispositions, events, mail_outbox, training_modules, training_sessions, units,
    users,
};

fn app(engine: Engine) -> TestApp {
    TestApp::with_figment(TestDb::new(engine), |f| {
        f.merge(("totp_required_roles", Vec::<String>::new())).merge(("reports_per_hour", 10_000))
    })
}

fn client(app: &TestApp, email: &str) -> Client {
    let c = Client::tracked(
        vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
    )
    .unwrap();
    let (s, _) = sign_in(&c, email, PW);
    assert_eq!(s, Status::SeeOther, "{email} signs in");
    c
}

fn post(c: &Client, path: &str, body: &str) -> (Status, Option<String>, String) {
    let token = csrf(c);
    let r = c.post(path).header(ContentType::Form).body(format!("csrf={token}&{body}")).dispatch();
    let loc = r.headers().get_one("Location").map(String::from);
    (r.status(), loc, r.into_string().unwrap_or_default())
}

/// The part of `html` from `start` to the next `end`.
fn section(html: &str, start: &str, end: &str) -> Option<String> {
    let i = html.find(start)?;
    Some(html[i..].split(end).next()?.to_string())
}

fn get_json(c: &Client, path: &str) -> Value {
    let r = c.get(path).dispatch();
    assert_eq!(r.status(), Status::Ok, "{path}");
    r.into_json().unwrap()
}

fn standing(gaps: &Value, unit: i64, module: i64) -> (String, i64, i64) {
    let g = gaps["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["unit_id"] == unit && g["module_id"] == module)
        .unwrap_or_else(|| panic!("no row for unit {unit} module {module}: {gaps}"));
    (
        g["standing"].as_str().unwrap().to_string(),
        g["count"].as_i64().unwrap(),
        g["since_delivery"].as_i64().unwrap(),
    )
}

fn module_id(db: &TestDb, code: &str) -> i64 {
    training_modules::table
        .filter(training_modules::code.eq(code))
        .select(training_modules::id)
        .first::<i32>(&mut db.conn())
        .unwrap() as i64
}

/// Three substantiated torture allegations against `unit` in a new event on `on`, written
/// directly (the investigation that substantiates them is tested in cases.rs).
fn substantiated_event(db: &TestDb, unit: i32, on: &str) {
    substantiated_allegations(db, unit, on.parse().unwrap(), "integrity.torture", 3);
}

#[test]
fn gaps_sessions_duplicate_offers_remediation_and_what_a_trainer_never_sees() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "admin@vigie.ml", "admin", None);
        let t1 = add_user(&app.db, "t1@ecole.ml", "trainer", None);
        let t2 = add_user(&app.db, "t2@partenaire.org", "trainer", None);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        let admin = client(&app, "admin@vigie.ml");

        // Partners and their trainers, by an admin.
        for body in
            ["name=%C3%89cole+de+Koulikoro&kind=national_school", "name=Partenaire+B&kind=international"]
        {
            let (s, _, _) = post(&admin, "/staff/training/partners", body);
            assert_eq!(s, Status::SeeOther);
        }
        let (s, _, page) = post(&admin, "/staff/training/partners", "name=Partenaire+B&kind=international");
        assert_eq!(s, Status::UnprocessableEntity, "a partner's name is unique");
        assert!(page.contains("value=\"Partenaire B\""), "the value is kept");
        for (uid, pid) in [(t1, 1), (t2, 2)] {
            let (s, _, _) =
                post(&admin, "/staff/training/partners/members", &format!("user_id={uid}&partner_id={pid}"));
            assert_eq!(s, Status::SeeOther);
        }
        // Not signed in, the trainers' JSON answers 401 as documented.
        for path in ["/api/v1/training/flags", "/api/v1/training/gaps", "/api/v1/training/sessions/1/effect"]
        {
            let r = app.client.get(path).dispatch();
            assert_eq!(r.status(), Status::Unauthorized, "{path}");
            assert!(r.into_string().unwrap().contains("\"error\""));
        }
        let trainer1 = client(&app, "t1@ecole.ml");
        let trainer2 = client(&app, "t2@partenaire.org");
        assert_eq!(
            trainer1.get("/staff/training/partners").dispatch().status(),
            Status::NotFound,
            "admins only"
        );

        // A unit, by a trainer; bad input comes back with the values kept.
        let (s, _, page) =
            post(&trainer1, "/staff/training/units", "name=GTIA+8&force=fama_army&strength=beaucoup");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("value=\"beaucoup\"") && page.contains("value=\"GTIA 8\""), "{page}");
        let (s, _, _) = post(&trainer1, "/staff/training/units", "name=GTIA+8&force=fama_army&strength=600");
        assert_eq!(s, Status::SeeOther);
        let (s, _, _) = post(&trainer1, "/staff/training/units", "name=gtia8&force=fama_army");
        assert_eq!(s, Status::UnprocessableEntity, "the same unit written otherwise is refused");
        let unit: i32 = units::table.select(units::id).first(&mut app.db.conn()).unwrap();

        // A reporter's account, triaged into an event with three allegations; the intake
        // officer attaches them to the unit the reporter named ("gtia8").
        let report = json!({"narrative": "Les soldats du gtia8 ont torturé Amadou Traoré au camp.", "occurred_on": "2026-06-10",
            "violations": ["integrity.torture"], "force": "fama_army", "location": {"lat": 14.5400, "lon": -4.0900},
            "reporter_name": "Fatoumata K.", "reporter_contact": "+223 66 00 00 00"});
        let r =
            app.client.post("/api/v1/reports").header(ContentType::JSON).body(report.to_string()).dispatch();
        assert_eq!(r.status(), Status::Created);
        let intake = client(&app, "intake@cndh.ml");
        let (s, loc, _) = post(&intake, "/staff/reports/1/events", "title=Camp");
        assert_eq!(s, Status::SeeOther);
        let event_id: i32 = loc.unwrap().rsplit('/').next().unwrap().parse().unwrap();
        for _ in 0..3 {
            let body = "violation_type=integrity.torture&force=fama_army&involvement=carried_out&confidence=probable&victim_count=1&unit=gtia8";
            let (s, _, _) = post(&intake, &format!("/staff/events/{event_id}/allegations"), body);
            assert_eq!(s, Status::SeeOther);
        }
        let ids: Vec<i32> = allegations::table
            .order(allegations::id)
            .select(allegations::id)
            .load(&mut app.db.conn())
            .unwrap();
        let page =
            intake.get(format!("/staff/allegations/{}/unit", ids[0])).dispatch().into_string().unwrap();
        let suggested = section(&page, "id=\"suggested\"", "</ul>").expect("suggestions");
        assert!(suggested.contains("GTIA 8"), "{suggested}");
        // A unit not in the list is refused on the page; nothing is attached.
        let (s, _, page) = post(&intake, &format!("/staff/allegations/{}/unit", ids[0]), "unit=gtia");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("Choisissez une unité de la liste"), "{page}");
        let attached: Option<i32> =
            allegations::table.find(ids[0]).select(allegations::unit_id).first(&mut app.db.conn()).unwrap();
        assert_eq!(attached, None);
        // A unit of another force is neither offered nor taken (found in review, session 21).
        let (s, _, _) = post(&trainer1, "/staff/training/units", "name=Commissariat+du+3e&force=police");
        assert_eq!(s, Status::SeeOther);
        let police: i32 =
            units::table.select(units::id).order(units::id.desc()).first(&mut app.db.conn()).unwrap();
        let page =
            intake.get(format!("/staff/allegations/{}/unit", ids[0])).dispatch().into_string().unwrap();
        assert!(!page.contains("Commissariat du 3e"), "{page}");
        let (s, _, page) =
            post(&intake, &format!("/staff/allegations/{}/unit", ids[0]), &format!("unit={police}"));
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("pas de la force de l"), "{page}");
        let attached: Option<i32> =
            allegations::table.find(ids[0]).select(allegations::unit_id).first(&mut app.db.conn()).unwrap();
        assert_eq!(attached, None);
        for a in &ids {
            let (s, _, _) = post(&intake, &format!("/staff/allegations/{a}/unit"), &format!("unit={unit}"));
            assert_eq!(s, Status::SeeOther);
        }
        // A unit with allegations tied to it keeps its force (found in review, session 21).
        let (s, _, page) = post(
            &trainer1,
            "/staff/training/units",
            &format!("id={unit}&name=GTIA+8&force=police&strength=600"),
        );
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("sa force ne change plus"), "{page}");
        let force: i32 = units::table.find(unit).select(units::force_id).first(&mut app.db.conn()).unwrap();
        let army: i32 = vigie::schema::forces::table
            .filter(vigie::schema::forces::code.eq("fama_army"))
            .select(vigie::schema::forces::id)
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!(force, army);
        let (s, _, _) = post(&intake, &format!("/staff/events/{event_id}/route"), "");
        assert_eq!(s, Status::SeeOther);
        // Under investigation: counted only at the "credible" threshold (confidence probable).
        let u = unit as i64;
        let (interviewing, captured) =
            (module_id(&app.db, "investigative_interviewing"), module_id(&app.db, "captured_persons"));
        let gaps = get_json(&trainer1, "/api/v1/training/gaps");
        assert!(gaps["gaps"].as_array().unwrap().is_empty(), "{gaps}");
        let gaps = get_json(&trainer1, "/api/v1/training/gaps?evidence=credible");
        assert_eq!(standing(&gaps, u, interviewing).0, "never_trained");
        // Substantiated: a "never trained" gap for each module torture maps to.
        {
            let mut c = app.db.conn();
            let sub: i32 = dispositions::table
                .filter(dispositions::code.eq("substantiated"))
                .select(dispositions::id)
                .first(&mut c)
                .unwrap();
            diesel::update(allegations::table)
                .set(allegations::disposition_id.eq(Some(sub)))
                .execute(&mut c)
                .unwrap();
        }
        let gaps = get_json(&trainer1, "/api/v1/training/gaps");
        assert_eq!(standing(&gaps, u, interviewing), ("never_trained".into(), 3, 0));
        assert_eq!(standing(&gaps, u, captured).0, "never_trained");
        let page = trainer1.get("/staff/training").dispatch().into_string().unwrap();
        assert!(page.contains("Jamais formée") && page.contains("GTIA 8"), "the page says it in words");

        // A module or unit not in the lists comes back with a message beside the field, the
        // dates kept; the same one twice is taken once.
        let (s, _, page) = post(
            &trainer1,
            "/staff/training/sessions",
            &format!("modules=abc&units={unit}&planned_from=2026-07-20&planned_to=2026-07-24"),
        );
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(
            page.contains("Choisissez un module de la liste") && page.contains("value=\"2026-07-20\""),
            "{page}"
        );
        let (s, _, _) = post(
            &trainer1,
            "/staff/training/sessions",
            &format!("modules=99999&units={unit}&planned_from=2026-07-20&planned_to=2026-07-24"),
        );
        assert_eq!(s, Status::UnprocessableEntity, "an unknown module");
        assert_eq!(count(&app.db, "training_sessions"), 0, "nothing written");

        // Partner 1 plans, confirms and delivers the interviewing module: "trained".
        let plan = format!(
            "modules={interviewing}&modules={interviewing}&units={unit}&units={unit}&planned_from=2026-07-20&planned_to=2026-07-24"
        );
        let (s, _, _) = post(&trainer1, "/staff/training/sessions", &plan);
        assert_eq!(s, Status::SeeOther);
        let (s, _, _) = post(
            &trainer1,
            "/staff/training/sessions/1/status",
            "to=delivered&held_from=2026-07-20&held_to=2026-07-24",
        );
        assert_eq!(s, Status::SeeOther);
        let st: String = training_sessions::table
            .find(1)
            .select(training_sessions::status)
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!(st, "planned", "planned cannot jump to delivered");
        let (s, _, _) = post(&trainer2, "/staff/training/sessions/1/status", "to=confirmed");
        assert_eq!(s, Status::NotFound, "another partner's session");
        post(&trainer1, "/staff/training/sessions/1/status", "to=confirmed");
        // A delivery on a date still to come, or a score out of range, comes back on the page
        // with what was typed.
        let (s, _, page) = post(
            &trainer1,
            "/staff/training/sessions/1/status",
            "to=delivered&held_from=2026-07-20&held_to=2999-07-24&attendance=28",
        );
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(
            page.contains("date à venir")
                && page.contains("value=\"2999-07-24\"")
                && page.contains("value=\"28\""),
            "{page}"
        );
        let (s, _, page) = post(
            &trainer1,
            "/staff/training/sessions/1/status",
            "to=delivered&held_from=2026-07-20&held_to=2026-07-24&attendance=28&pre_score=410",
        );
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("id=\"delivery-error\"") && page.contains("value=\"410\""), "{page}");
        post(
            &trainer1,
            "/staff/training/sessions/1/status",
            "to=delivered&held_from=2026-07-20&held_to=2026-07-24&attendance=28&pre_score=41&post_score=73",
        );
        let st: String = training_sessions::table
            .find(1)
            .select(training_sessions::status)
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!(st, "delivered");
        let session_moves: i64 = audit_log::table
            .filter(audit_log::action.eq("training.session.move"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(session_moves, 2, "confirmed and delivered; the refused jump and the 404 write nothing");
        let gaps = get_json(&trainer1, "/api/v1/training/gaps");
        assert_eq!(standing(&gaps, u, interviewing), ("trained".into(), 3, 0));
        assert_eq!(standing(&gaps, u, captured).0, "never_trained", "only the module delivered");
        // Later allegations: "trained, continuing".
        substantiated_event(&app.db, unit, "2026-10-05");
        let gaps = get_json(&trainer1, "/api/v1/training/gaps");
        assert_eq!(standing(&gaps, u, interviewing), ("trained_continuing".into(), 6, 3));
        let row = gaps["gaps"].as_array().unwrap().iter().find(|g| g["module_id"] == interviewing).unwrap();
        assert_eq!(row["last_delivery"], "2026-07", "months only");
        assert_eq!(row["delivered_by"], "École de Koulikoro");

        // Partner 2 plans the same module for the same unit 130 days later: stopped and shown.
        let before = count(&app.db, "mail_outbox");
        let plan2 =
            format!("modules={interviewing}&units={unit}&planned_from=2026-12-01&planned_to=2026-12-03");
        let (s, _, page) = post(&trainer2, "/staff/training/sessions", &plan2);
        assert_eq!(s, Status::UnprocessableEntity);
        let warning = section(&page, "id=\"duplicate-warning\"", "</div>").expect("the warning");
        assert!(warning.contains("à moins de 180 jours"), "the configured window: {warning}");
        assert!(warning.contains("École de Koulikoro") && warning.contains("2026-07-20"), "{warning}");
        assert!(page.contains("value=\"2026-12-01\""), "values kept");
        assert_eq!(count(&app.db, "training_sessions"), 1, "nothing written");
        let (s, _, _) = post(
            &trainer2,
            "/staff/training/sessions",
            &format!("{plan2}&go_ahead_reason=Public+diff%C3%A9rent"),
        );
        assert_eq!(s, Status::SeeOther);
        let mails: Vec<(String, String)> = mail_outbox::table
            .filter(mail_outbox::kind.eq("training-duplicate"))
            .select((mail_outbox::to_addr, mail_outbox::body))
            .load(&mut app.db.conn())
            .unwrap();
        assert_eq!(count(&app.db, "mail_outbox") - before, 2);
        let mut to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
        to.sort();
        assert_eq!(to, vec!["t1@ecole.ml", "t2@partenaire.org"], "both partners");
        for (_, body) in &mails {
            assert!(
                body.contains("Partenaire B")
                    && body.contains("École de Koulikoro")
                    && body.contains("GTIA 8"),
                "{body}"
            );
            for secret in ["Amadou", "Fatoumata", "torturé", "+223", "2026-06-10", "2026-10-05"] {
                assert!(!body.contains(secret), "mail carries {secret}: {body}");
            }
        }
        let mine = trainer1.get("/staff/training/sessions").dispatch().into_string().unwrap();
        let flagged = section(&mine, "class=\"alert duplicates\"", "</div>")
            .unwrap_or_else(|| panic!("partner 1 sees the flag: {mine}"));
        assert!(flagged.contains("Partenaire B"), "{flagged}");

        // A remediation action from the gap; the state machine refuses and accepts, audited.
        let (s, loc, _) = post(
            &trainer1,
            "/staff/training/remediation",
            &format!("issue=Torture+continue&unit={unit}&module={interviewing}&review_on=2027-03-01"),
        );
        assert_eq!(s, Status::SeeOther);
        let rpath = loc.unwrap();
        let (s, _, page) = post(&trainer1, &format!("{rpath}/move"), "to=closed");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("pas possible"), "the refusal in words");
        let (s, _, _) = post(&trainer1, &format!("{rpath}/move"), "to=escalated");
        assert_eq!(s, Status::UnprocessableEntity, "escalating needs a reason");
        // "Planned" needs the action's session: refused until it names one of the partner's.
        let (s, _, page) = post(&trainer1, &format!("{rpath}/move"), "to=planned");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(
            page.contains("Choisissez d&#x27;abord la session")
                || page.contains("Choisissez d'abord la session"),
            "{page}"
        );
        // Another partner's session, or a bad date: refused, what was typed kept, nothing written.
        let (s, _, page) = post(
            &trainer1,
            &format!("{rpath}/lessons"),
            "lessons_unit=Revoir+les+gardes&lessons_institution=&session=2&review_on=2027-03-01",
        );
        assert_eq!(s, Status::UnprocessableEntity, "partner B's session is not partner A's to name");
        assert!(page.contains("Revoir les gardes") && page.contains("session de votre partenaire"), "{page}");
        let (s, _, page) = post(
            &trainer1,
            &format!("{rpath}/lessons"),
            "lessons_unit=Revoir+les+gardes&lessons_institution=&session=1&review_on=mars",
        );
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("Revoir les gardes") && page.contains("value=\"mars\""), "{page}");
        // The other partner reads the action but changes nothing of it: 404 on every write.
        let other = trainer2.get(&rpath).dispatch().into_string().unwrap();
        assert!(other.contains("id=\"not-mine\"") && !other.contains("id=\"move-form\""), "{other}");
        for (path, body) in [
            ("move", "to=escalated&reason=x"),
            ("lessons", "lessons_unit=x&lessons_institution=&session="),
            ("key-actions", "description=x&due_on=2027-01-01"),
        ] {
            let (s, _, _) = post(&trainer2, &format!("{rpath}/{path}"), body);
            assert_eq!(s, Status::NotFound, "{path}");
        }
        let (s, _, _) = post(
            &trainer1,
            &format!("{rpath}/lessons"),
            "lessons_unit=Revoir+les+gardes&lessons_institution=&session=1&review_on=2027-03-01",
        );
        assert_eq!(s, Status::SeeOther);
        let (s, _, _) = post(&trainer1, &format!("{rpath}/move"), "to=planned");
        assert_eq!(s, Status::SeeOther);
        let (s, _, _) = post(
            &trainer1,
            &format!("{rpath}/key-actions"),
            "description=Revoir+le+module&due_on=2026-01-15",
        );
        assert_eq!(s, Status::SeeOther);
        let moves: i64 = audit_log::table
            .filter(audit_log::action.eq("training.remediation.move"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(moves, 1);
        // The overdue key action reaches the carrier partner's trainer once, not the other
        // partner's.
        let cfg = vigie::config::Config::from_figment(&figment(&app.db)).unwrap();
        let db = vigie::db::Db::connect(&app.db.url, 2).unwrap();
        let catalog =
            vigie::i18n::Catalog::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/locales")))
                .unwrap();
        let today = chrono::Utc::now().date_naive();
        assert_eq!(vigie::training::remind(&db, &catalog, &cfg, today).unwrap(), 1);
        assert_eq!(vigie::training::remind(&db, &catalog, &cfg, today).unwrap(), 0, "once");
        let to: Vec<String> = mail_outbox::table
            .filter(mail_outbox::kind.eq("remediation-reminder"))
            .select(mail_outbox::to_addr)
            .load(&mut app.db.conn())
            .unwrap();
        assert_eq!(to, vec!["t1@ecole.ml"]);

        // The effect of the delivered session: the documented keys.
        let e = get_json(&trainer1, "/api/v1/training/sessions/1/effect");
        assert_eq!(e["verdict"], "too_few_data", "{e}");
        // The windows are whole months and stop at the month of the first allegation on record
        // (June, the month before the delivery in July): one month each side, June and August,
        // so the three of June before and none after (October is beyond).
        assert_eq!((e["before"].as_i64(), e["after"].as_i64()), (Some(3), Some(0)), "{e}");
        assert_eq!(e["window_months"], 1, "{e}");
        assert!(e.get("window_days").is_none(), "never a window in days: {e}");
        assert!(
            e["rate_ratio"].is_number()
                && e["ci"].as_array().unwrap().len() == 2
                && e.get("comparison_ratio").is_some()
        );
        // The same effect on the remediation page once the action names its session.
        let (s, _, _) =
            post(&trainer1, &format!("{rpath}/lessons"), "lessons_unit=&lessons_institution=&session=1");
        assert_eq!(s, Status::SeeOther);
        let page = trainer1.get(&rpath).dispatch().into_string().unwrap();
        let shown = section(&page, "id=\"effect\"", "</section>").unwrap_or_else(|| panic!("{page}"));
        assert!(shown.contains("Trop peu de données pour conclure"), "{shown}");
        assert!(shown.contains("3 → 0") && shown.contains("rapport de taux"), "{shown}");
        let page = trainer1.get(format!("{rpath}?lang=en")).dispatch().into_string().unwrap();
        assert!(page.contains("Too few data to say"), "{page}");
        // The session named teaches the action's module: another module with it is refused
        // (found in review, session 21: an action was delivered on any session of its unit).
        let (s, _, page) = post(
            &trainer1,
            &format!("{rpath}/lessons"),
            &format!("lessons_unit=&lessons_institution=&module={captured}&session=1"),
        );
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("does not teach the action"), "in the language last chosen: {page}");
        // An action names one session or several (a second cohort, a refresher): each with its
        // effect on the page.
        let (s, _, _) = post(
            &trainer1,
            "/staff/training/sessions",
            &format!(
                "modules={interviewing}&units={unit}&planned_from=2027-01-11&planned_to=2027-01-13&go_ahead_reason=Seconde+cohorte"
            ),
        );
        assert_eq!(s, Status::SeeOther);
        let cohort: i32 = training_sessions::table
            .select(diesel::dsl::max(training_sessions::id))
            .first::<Option<i32>>(&mut app.db.conn())
            .unwrap()
            .unwrap();
        let (s, _, _) = post(
            &trainer1,
            &format!("{rpath}/lessons"),
            &format!("lessons_unit=&lessons_institution=&session=&session=1&session={cohort}"),
        );
        assert_eq!(s, Status::SeeOther);
        let page = trainer1.get(&rpath).dispatch().into_string().unwrap();
        let shown = section(&page, "id=\"effect\"", "</section>").unwrap_or_else(|| panic!("{page}"));
        assert_eq!(shown.matches("<h3>").count(), 2, "{shown}");
        assert!(shown.contains(&format!("/api/v1/training/sessions/{cohort}/effect")), "{shown}");
        let boxes = section(&page, "id=\"sessions\"", "</fieldset>").unwrap_or_else(|| panic!("{page}"));
        assert_eq!(boxes.matches(" checked").count(), 2, "{boxes}");
        // None ticked at "planned": refused, the action keeps its sessions.
        let (s, _, _) =
            post(&trainer1, &format!("{rpath}/lessons"), "lessons_unit=&lessons_institution=&session=");
        assert_eq!(s, Status::UnprocessableEntity);
        let named: i64 =
            vigie::schema::remediation_sessions::table.count().get_result(&mut app.db.conn()).unwrap();
        assert_eq!(named, 2);
        // Delivered, evaluated; reviewed only once its review date has come (found in review,
        // session 21), the effect measured then kept in the move's audit entry.
        for to in ["delivered", "evaluated"] {
            assert_eq!(
                post(&trainer1, &format!("{rpath}/move"), &format!("to={to}")).0,
                Status::SeeOther,
                "{to}"
            );
        }
        let review_on = |on: chrono::NaiveDate| {
            let body = format!("lessons_unit=&lessons_institution=&review_on={on}");
            assert_eq!(post(&trainer1, &format!("{rpath}/lessons"), &body).0, Status::SeeOther);
        };
        review_on(today + chrono::Duration::days(30));
        let (s, _, page) = post(&trainer1, &format!("{rpath}/move"), "to=reviewed");
        assert_eq!(s, Status::UnprocessableEntity, "the review date is a month ahead");
        assert!(page.contains("on its review date or later"), "{page}");
        // Nor before `training.review_min_months` whole months are over since the delivery
        // (July 2026): a review date set to today is not enough (found in review, session 21).
        review_on(today);
        let over = {
            use chrono::Datelike;
            i64::from(today.year()) * 12 + i64::from(today.month0()) - (2026 * 12 + 6) - 1
        };
        let reviewing = |months: i64| {
            let c = Client::tracked(
                vigie::build(
                    figment(&app.db)
                        .merge(("totp_required_roles", Vec::<String>::new()))
                        .merge(("training.review_min_months", months)),
                )
                .unwrap(),
            )
            .unwrap();
            assert_eq!(sign_in(&c, "t1@ecole.ml", PW).0, Status::SeeOther);
            c
        };
        let (s, _, page) = post(&reviewing(over + 1), &format!("{rpath}/move"), "to=reviewed");
        assert_eq!(s, Status::UnprocessableEntity, "{over} months over");
        assert!(page.contains(&format!("au moins {} mois entiers", over + 1)), "{page}");
        assert_eq!(post(&reviewing(over), &format!("{rpath}/move"), "to=reviewed").0, Status::SeeOther);
        let reviewed: String = audit_log::table
            .filter(audit_log::action.eq("training.remediation.move"))
            .order(audit_log::id.desc())
            .select(audit_log::details)
            .first(&mut app.db.conn())
            .unwrap();
        assert!(
            reviewed.starts_with("evaluated → reviewed; effect of session 1: too_few_data rate_ratio"),
            "{reviewed}"
        );
        assert!(reviewed.contains(&format!("; effect of session {cohort}: too_few_data")), "{reviewed}");

        // The early-warning page: both methods side by side, each flag opening an action.
        let page = trainer1.get("/staff/training/flags").dispatch().into_string().unwrap();
        let thr = section(&page, "id=\"threshold\"", "</section>").unwrap_or_else(|| panic!("{page}"));
        assert!(thr.contains("GTIA 8"), "6 in 90 days or fewer: {thr}");
        assert!(thr.contains(&format!("/staff/training/remediation?unit={unit}")), "{thr}");
        assert!(section(&page, "id=\"statistical\"", "</section>").is_some(), "{page}");
        let gaps_page = trainer1.get("/staff/training").dispatch().into_string().unwrap();
        assert!(gaps_page.contains("href=\"/staff/training/flags\""), "linked from /staff/training");
        let new = trainer1
            .get(format!("/staff/training/remediation?unit={unit}"))
            .dispatch()
            .into_string()
            .unwrap();
        assert!(new.contains(&format!("value=\"{unit}\" selected")), "the unit is filled in: {new}");
        let f = get_json(&trainer1, "/api/v1/training/flags?method=threshold");
        assert_eq!(f["flags"][0]["unit"], "GTIA 8", "6 in 90 days or fewer: {f}");
        assert_eq!(get_json(&trainer1, "/api/v1/training/flags?method=statistical")["method"], "statistical");
        assert_eq!(
            trainer1.get("/api/v1/training/flags?method=guess").dispatch().status(),
            Status::BadRequest
        );
        // Every table has its CSV (found in review, session 21: the flags, the delivered
        // sessions and the trend had none).
        let csv =
            trainer1.get("/staff/training/flags.csv?method=threshold").dispatch().into_string().unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("unit_id,unit,force,region,strength,observed,expected"), "{csv}");
        assert_eq!(lines.len() - 1, f["flags"].as_array().unwrap().len(), "every flag: {csv}");
        assert!(lines[1].contains(",GTIA 8,"), "{csv}");
        let csv = trainer1.get("/staff/training/delivered.csv").dispatch().into_string().unwrap();
        assert!(csv.lines().nth(1).is_some_and(|l| l.starts_with("1,École de Koulikoro,")), "{csv}");
        let csv = trainer1
            .get(format!("/staff/training/units/{unit}/trend.csv?from=2026-01&to=2026-12"))
            .dispatch()
            .into_string()
            .unwrap();
        assert!(csv.starts_with("unit,quarter,allegations,sessions_delivered"), "{csv}");
        assert!(csv.lines().any(|l| l.starts_with("GTIA 8,2026-Q3,") && l.ends_with(",1")), "{csv}");
        assert_eq!(csv.lines().count(), 5, "four quarters: {csv}");
        let page = trainer1.get("/staff/training/flags").dispatch().into_string().unwrap();
        assert!(page.contains("/staff/training/flags.csv?"), "linked from the page");

        // A trainer gets 404 on every case, report and triage page.
        let case_id: i32 = allegations::table
            .filter(allegations::event_id.eq(event_id))
            .order(allegations::id)
            .select(allegations::case_id)
            .first::<Option<i32>>(&mut app.db.conn())
            .unwrap()
            .expect("routed into a case");
        // Every such page mounted, its ids those of this test's records (found in review,
        // session 21: a list typed by hand missed the attachments, the map and the analytics).
        let shut = [
            "/staff/triage",
            "/staff/reports",
            "/staff/events",
            "/staff/allegations",
            "/staff/cases",
            "/staff/attachments",
            "/staff/map",
            "/staff/analytics",
            "/staff/audit",
            "/staff/admin",
        ];
        let paths: Vec<String> = trainer1
            .rocket()
            .routes()
            .filter(|r| r.method == rocket::http::Method::Get)
            .map(|r| r.uri.path().to_string())
            .filter(|p| shut.iter().any(|s| p == s || p.starts_with(&format!("{s}/"))))
            .map(|p| {
                let id = if p.starts_with("/staff/cases") {
                    case_id
                } else if p.starts_with("/staff/events") {
                    event_id
                } else if p.starts_with("/staff/allegations") {
                    ids[0]
                } else {
                    1
                };
                let file =
                    if p.starts_with("/staff/analytics") { "force.csv".to_string() } else { id.to_string() };
                p.split('/')
                    .map(|seg| if seg.starts_with('<') { file.clone() } else { seg.to_string() })
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect();
        assert!(paths.len() >= 20, "{paths:?}");
        // A control: most of them open for the intake officer (the admin's pages for the
        // admin), so a 404 is the trainer's refusal, not a missing record.
        // The case's investigator, the auditor, the admin or the intake officer, as the page
        // is theirs. This test has no file and no place added by an admin: those answer 404 to
        // everyone, the trainer's refusal of them is the guards' (`security_evidence`).
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        add_user(&app.db, "audit@cndh.ml", "auditor", None);
        let (inv, auditor) = (client(&app, "inv@cndh.ml"), client(&app, "audit@cndh.ml"));
        let mut closed = vec![];
        for path in &paths {
            assert_eq!(trainer1.get(path).dispatch().status(), Status::NotFound, "{path}");
            let control = match path.split('/').nth(2) {
                Some("admin") => &admin,
                Some("cases") => &inv,
                Some("audit") => &auditor,
                _ => &intake,
            };
            if control.get(path).dispatch().status() != Status::Ok {
                closed.push(path.as_str());
            }
        }
        let missing = [
            "/staff/admin/places/1",
            "/staff/attachments/1",
            "/staff/attachments/1/original",
            "/staff/attachments/1/thumb",
        ];
        closed.sort_unstable();
        assert_eq!(closed, missing, "every other page opens for its own role");

        // Privacy: nothing a trainer can get carries a narrative, a name, a contact, a point, a
        // cercle, a report or case id, or a day of an incident.
        let cercle: Option<String> =
            events::table.find(event_id).select(events::cercle_code).first(&mut app.db.conn()).unwrap();
        let rid = "/staff/training/remediation/1".to_string();
        let mut paths = vec![
            "/staff".to_string(),
            "/staff/training".into(),
            "/staff/training?evidence=credible&force=fama_army".into(),
            format!("/staff/training?unit={unit}&from=2026-01&to=2026-11"),
            "/staff/training/units".into(),
            "/staff/training/sessions".into(),
            "/staff/training/remediation".into(),
            rid,
            "/staff/training/gaps.csv".into(),
            "/staff/training/matrix.csv".into(),
            format!("/staff/training/units/{unit}/trend.svg"),
            format!("/staff/training/units/{unit}/trend.csv"),
            "/staff/training/flags.csv?method=statistical".into(),
            "/staff/training/flags.csv?method=threshold".into(),
            "/staff/training/delivered.csv".into(),
            "/api/v1/training/gaps".into(),
            "/api/v1/training/gaps?evidence=credible".into(),
            "/api/v1/training/flags?method=statistical".into(),
            "/api/v1/training/flags?method=threshold".into(),
            "/api/v1/training/sessions/1/effect".into(),
            "/api/v1/training/sessions/2/effect".into(),
            "/staff/account".into(),
        ];
        paths.push("/staff/training?lang=en".into());
        paths.push("/staff/training/flags".into());
        paths.push("/staff/training/flags?evidence=credible&lang=en".into());
        let mut forbidden = vec![
            "torturé",
            "Amadou",
            "Traoré",
            "Fatoumata",
            "+223",
            "66 00 00",
            "14.54",
            "-4.09",
            "2026-06-10",
            "2026-10-05",
            "/staff/cases/",
            "/staff/reports/",
            "case_id",
            "report_id",
            "Camp",
        ];
        if let Some(c) = &cercle {
            forbidden.push(c.as_str());
        }
        for path in &paths {
            let r = trainer1.get(path.as_str()).dispatch();
            assert_eq!(r.status(), Status::Ok, "{path}");
            let body = r.into_string().unwrap();
            for f in &forbidden {
                assert!(!body.contains(f), "{path} carries {f}");
            }
        }
    });
}

#[test]
fn seed_synthetic_plants_a_truth_that_training_eval_measures() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let truth = db.data_dir().join("truth.json");
        let t = truth.display().to_string();
        let out =
            vigie_cmd(&db, &["seed-synthetic", "--reports", "3000", "--seed", "5", "--truth-out", &t], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let planted: Value = serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
        let sessions = planted["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 24);
        assert!(sessions
            .iter()
            .all(|s| s["id"].is_number() && ["improved", "none"].contains(&s["effect"].as_str().unwrap())));
        assert!(!planted["elevated_units"].as_array().unwrap().is_empty());
        // Each elevated unit on one to three violation groups (issue 12: "some violation
        // groups"), named in the truth.
        let elevations = planted["elevations"].as_array().unwrap();
        assert_eq!(elevations.len(), planted["elevated_units"].as_array().unwrap().len());
        assert!(
            elevations.iter().all(|e| (1..=3).contains(&e["groups"].as_array().unwrap().len())
                && (1.5..2.5).contains(&e["factor"].as_f64().unwrap())),
            "{elevations:?}"
        );
        assert!(planted["duplicate_offers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.as_array().unwrap().len() == 2));
        let tied: i64 = allegations::table
            .filter(allegations::unit_id.is_not_null())
            .count()
            .get_result(&mut db.conn())
            .unwrap();
        assert!(tied > 1000, "the allegations of the forces with units are tied to units: {tied}");
        let out = vigie_cmd(&db, &["training-eval", "--truth", &t], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let report = text(&out);
        assert!(
            report.contains("statistical fdr 0.1:")
                && report.contains("duplicate offers found: 6/6")
                && report.contains("ranking by the method's evidence (Bayes factor):")
                && report.contains("with the total within its limit")
                && report.contains("share of units elevated: estimated")
                && report
                    .contains("verdicts' ceiling (knowing each session either cuts to 0.6 or does nothing):")
                && report.contains("ranking by the oracle (Bayes factor")
                && report.contains("ranking by the oracle knowing every frailty too"),
            "{report}"
        );
        assert!(report.contains("time with a region filter, counting: ML-BKO"), "{report}");
        // Planted at one strong elevation on every group, the elevated units are found
        // (measured by effect size in docs/PERFORMANCE.md); an elevation out of range is
        // refused.
        let strong = TestDb::new(engine);
        let t8 = strong.data_dir().join("truth8.json").display().to_string();
        let args = [
            "seed-synthetic",
            "--reports",
            "6000",
            "--seed",
            "5",
            "--elevation",
            "8",
            "--elevate-every-group",
            "--truth-out",
            &t8,
        ];
        let out = vigie_cmd(&strong, &args, &[]);
        assert!(out.status.success(), "{}", text(&out));
        let report = text(&vigie_cmd(&strong, &["training-eval", "--truth", &t8], &[]));
        let line = report.lines().find(|l| l.starts_with("statistical fdr 0.1:")).unwrap();
        let recall: f64 = line.split("recall ").nth(1).unwrap()[..4].parse().unwrap();
        assert!(recall >= 0.8, "{line}");
        let out = vigie_cmd(
            &TestDb::new(engine),
            &["seed-synthetic", "--reports", "10", "--elevation", "0.5"],
            &[],
        );
        assert!(!out.status.success() && text(&out).contains("--elevation"), "{}", text(&out));
    });
}

/// `n` substantiated allegations of the violation type `code` against `unit`, on one event.
fn substantiated_allegations(db: &TestDb, unit: i32, on: chrono::NaiveDate, code: &str, n: usize) {
    let mut c = db.conn();
    let now = chrono::Utc::now().naive_utc();
    let ev: i32 = diesel::insert_into(events::table)
        .values((
            events::title.eq("série"),
            events::occurred_on.eq(on),
            events::date_precision.eq("exact"),
            events::created_at.eq(now),
        ))
        .returning(events::id)
        .get_result(&mut c)
        .unwrap();
    let sub: i32 = dispositions::table
        .filter(dispositions::code.eq("substantiated"))
        .select(dispositions::id)
        .first(&mut c)
        .unwrap();
    let vt: i32 = vigie::schema::violation_types::table
        .filter(vigie::schema::violation_types::code.eq(code))
        .select(vigie::schema::violation_types::id)
        .first(&mut c)
        .unwrap();
    let force: i32 = units::table.find(unit).select(units::force_id).first(&mut c).unwrap();
    c.transaction::<_, diesel::result::Error, _>(|c| {
        for _ in 0..n {
            diesel::insert_into(allegations::table)
                .values((
                    allegations::event_id.eq(ev),
                    allegations::violation_type_id.eq(vt),
                    allegations::force_id.eq(force),
                    allegations::unit_id.eq(Some(unit)),
                    allegations::involvement.eq("carried_out"),
                    allegations::confidence.eq("confirmed"),
                    allegations::disposition_id.eq(Some(sub)),
                    allegations::created_at.eq(now),
                ))
                .execute(c)?;
        }
        Ok(())
    })
    .unwrap();
}

/// The statistical early warning names the violation group a unit is out of line in, against
/// its own other allegations, and names no group for a unit that is only busy.
#[test]
fn the_early_warning_names_the_violation_group_a_unit_is_out_of_line_in() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "t1@ecole.ml", "trainer", None);
        let trainer = client(&app, "t1@ecole.ml");
        let on = chrono::Utc::now().date_naive() - chrono::Duration::days(60);
        let mut ids = vec![];
        for k in 1..=12 {
            let (s, _, _) = post(
                &trainer,
                "/staff/training/units",
                &format!("name=GTIA+{k}&force=fama_army&strength=100"),
            );
            assert_eq!(s, Status::SeeOther);
            ids.push(
                units::table
                    .select(units::id)
                    .order(units::id.desc())
                    .first::<i32>(&mut app.db.conn())
                    .unwrap(),
            );
        }
        // Ten ordinary units: about 30 torture and 70 arrests each. GTIA 11 is busy (twice
        // everything); GTIA 12 has the usual arrests but twice the torture.
        for (i, unit) in ids.iter().enumerate() {
            let (torture, arrests) = match i {
                10 => (60, 140),
                11 => (60, 70),
                _ if i % 2 == 0 => (27, 73),
                _ => (33, 67),
            };
            substantiated_allegations(&app.db, *unit, on, "integrity.torture", torture);
            substantiated_allegations(&app.db, *unit, on, "liberty.arbitrary_arrest", arrests);
        }
        let f = get_json(&trainer, "/api/v1/training/flags?method=statistical");
        let flags = f["flags"].as_array().unwrap();
        let of = |name: &str| flags.iter().find(|x| x["unit"] == name).cloned();
        let out_of_line = of("GTIA 12").unwrap_or_else(|| panic!("{f}"));
        assert_eq!(out_of_line["groups"][0]["group"], "integrity", "{f}");
        assert_eq!(out_of_line["groups"][0]["observed"], 60, "{f}");
        assert_eq!(out_of_line["groups"].as_array().unwrap().len(), 1, "{f}");
        // The busy unit is over its strength's limit, but its mix is its peers': no group.
        let busy = of("GTIA 11").unwrap_or_else(|| panic!("{f}"));
        assert!(busy["groups"].as_array().unwrap().is_empty(), "{f}");
        assert_eq!(flags.len(), 2, "no ordinary unit is flagged: {f}");
        // A unit asked for is scored against the others, as without the filter (found in
        // review, session 21: they were counted as empty and the unit compared with itself).
        let alone =
            get_json(&trainer, &format!("/api/v1/training/flags?method=statistical&unit={}", ids[11]));
        assert_eq!(alone["flags"].as_array().map(|a| a.len()), Some(1), "{alone}");
        assert_eq!(alone["flags"][0]["expected"], out_of_line["expected"], "{alone}");
        assert_eq!(alone["flags"][0]["groups"], out_of_line["groups"], "{alone}");
        for unit in [ids[0], ids[1]] {
            let ordinary =
                get_json(&trainer, &format!("/api/v1/training/flags?method=statistical&unit={unit}"));
            assert_eq!(ordinary["flags"], serde_json::json!([]), "{ordinary}");
            let page =
                trainer.get(format!("/staff/training/flags?unit={unit}")).dispatch().into_string().unwrap();
            let st = section(&page, "id=\"statistical\"", "</section>").unwrap_or_else(|| panic!("{page}"));
            assert!(!st.contains("GTIA"), "{st}");
        }
        // The page says which violations, in the reader's language.
        let page = trainer.get("/staff/training/flags").dispatch().into_string().unwrap();
        let st = section(&page, "id=\"statistical\"", "</section>").unwrap_or_else(|| panic!("{page}"));
        assert!(st.contains("Torture, coups et menaces : 60 pour 39 attendues"), "{st}");
        let page = trainer.get("/staff/training/flags?lang=en").dispatch().into_string().unwrap();
        assert!(page.contains("Torture, beatings and threats: 60 where 39 expected"), "{page}");
    });
}

/// The counting query reads the month kept on each allegation (migration 000012); triggers keep
/// it equal to the month of the allegation's event when allegations are added, when an event's
/// date is corrected, and when an allegation moves to another event.
#[test]
fn the_month_counted_follows_the_event_when_it_is_added_corrected_or_moved() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "t1@ecole.ml", "trainer", None);
        let trainer = client(&app, "t1@ecole.ml");
        let (s, _, _) = post(&trainer, "/staff/training/units", "name=GTIA+8&force=fama_army&strength=600");
        assert_eq!(s, Status::SeeOther);
        let unit: i32 = units::table.select(units::id).first(&mut app.db.conn()).unwrap();
        let interviewing = module_id(&app.db, "investigative_interviewing");
        let count_in = |from: &str, to: &str| -> i64 {
            let gaps = get_json(&trainer, &format!("/api/v1/training/gaps?from={from}&to={to}"));
            gaps["gaps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["unit_id"] == unit as i64 && g["module_id"] == interviewing)
                .map_or(0, |g| g["count"].as_i64().unwrap())
        };
        substantiated_event(&app.db, unit, "2026-03-31");
        substantiated_event(&app.db, unit, "2026-05-02");
        assert_eq!((count_in("2026-03", "2026-03"), count_in("2026-04", "2026-05")), (3, 3));
        assert_eq!(count_in("2026-01", "2026-06"), 6);
        let mut c = app.db.conn();
        let first: i32 = events::table.order(events::id).select(events::id).first(&mut c).unwrap();
        let second: i32 = events::table.order(events::id.desc()).select(events::id).first(&mut c).unwrap();
        // The first event's date is corrected to April: its three allegations move with it.
        diesel::update(events::table.find(first))
            .set(events::occurred_on.eq(chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()))
            .execute(&mut c)
            .unwrap();
        assert_eq!((count_in("2026-03", "2026-03"), count_in("2026-04", "2026-04")), (0, 3));
        // One allegation of the second event (May) is moved to the first (April).
        let moved: i32 = allegations::table
            .filter(allegations::event_id.eq(second))
            .select(allegations::id)
            .first(&mut c)
            .unwrap();
        diesel::update(allegations::table.find(moved))
            .set(allegations::event_id.eq(first))
            .execute(&mut c)
            .unwrap();
        assert_eq!((count_in("2026-04", "2026-04"), count_in("2026-05", "2026-05")), (4, 2));
        let months: Vec<Option<chrono::NaiveDate>> = allegations::table
            .order(allegations::id)
            .select(allegations::occurred_month)
            .load(&mut c)
            .unwrap();
        let d = |m| chrono::NaiveDate::from_ymd_opt(2026, m, 1);
        assert_eq!(months, vec![d(4), d(4), d(4), d(4), d(5), d(5)]);
    });
}

/// The counts the gap analysis and the flags read (`training_counts`, kept by triggers,
/// migration 000018) stay equal to the allegations grouped afresh, at both evidence thresholds,
/// through every change that moves an allegation in or out of a count: added, its confidence
/// and finding changed, moved to another unit or to none, another violation type, its event's
/// date corrected, moved to another event, deleted. The table keeps no row counted at zero.
#[test]
fn the_month_counts_stay_right_through_every_change() {
    use vigie::schema::{cases, institutions, training_counts};
    use vigie::training::model::{self as tm, Evidence, Filter};
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "t1@ecole.ml", "trainer", None);
        let trainer = client(&app, "t1@ecole.ml");
        let ids = add_units(
            &app,
            &trainer,
            ["name=GTIA+8&force=fama_army&strength=600", "name=GTIA+9&force=fama_army&strength=400"],
        );
        let (a, b) = (ids[0], ids[1]);
        let mut c = app.db.conn();
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // (unit, type, month, n) as the gap analysis reads them, checked against a fresh count.
        let mut counts = |ev: Evidence| -> Vec<(i32, i32, chrono::NaiveDate, usize)> {
            let sorted = |v: Vec<tm::Count>| {
                let mut v: Vec<_> =
                    v.into_iter().map(|x| (x.unit_id, x.violation_type_id, x.month, x.n)).collect();
                v.sort();
                v
            };
            let kept = sorted(tm::counted(&mut c, ev, &Filter::default()).unwrap());
            let fresh = sorted(tm::counted_from_allegations(&mut c, ev, &Filter::default()).unwrap());
            assert_eq!(kept, fresh, "{ev:?}: the kept counts against the allegations");
            // By region (the unit based there, or the event there), from the two kept tables.
            for region in ["ML-1", "ML-5", "ML-BKO"] {
                let f = Filter { region_code: Some(region.into()), ..Filter::default() };
                let kept = sorted(tm::counted(&mut c, ev, &f).unwrap());
                let fresh = sorted(tm::counted_from_allegations(&mut c, ev, &f).unwrap());
                assert_eq!(kept, fresh, "{ev:?} in {region}: the kept counts against the allegations");
            }
            let rows: i64 = training_counts::table.count().get_result(&mut c).unwrap();
            if ev == Evidence::Credible {
                assert_eq!(rows as usize, kept.len(), "no row counted at zero is kept");
            }
            kept
        };
        let both = |counts: &mut dyn FnMut(Evidence) -> Vec<(i32, i32, chrono::NaiveDate, usize)>| {
            (counts(Evidence::Substantiated), counts(Evidence::Credible))
        };
        substantiated_event(&app.db, a, "2026-03-31");
        let torture: i32 =
            allegations::table.select(allegations::violation_type_id).first(&mut app.db.conn()).unwrap();
        let march = vec![(a, torture, d(2026, 3, 1), 3)];
        assert_eq!(both(&mut counts), (march.clone(), march.clone()), "added");
        // The event placed in Mopti afterwards (its allegations follow), unit b based in Kayes.
        let mut p = app.db.conn();
        diesel::update(events::table).set(events::region_code.eq("ML-5")).execute(&mut p).unwrap();
        diesel::update(units::table.find(b)).set(units::region_code.eq("ML-1")).execute(&mut p).unwrap();
        let in_mopti = Filter { region_code: Some("ML-5".into()), ..Filter::default() };
        let n: usize = tm::counted(&mut p, Evidence::Credible, &in_mopti).unwrap().iter().map(|x| x.n).sum();
        assert_eq!(n, 3, "the event's region, set after the allegations");
        assert_eq!(both(&mut counts), (march.clone(), march.clone()), "placed");

        // An allegation under investigation: counted at "credible" once its confidence is
        // probable, at "substantiated" once the finding says so.
        let mut w = app.db.conn();
        let event: i32 = events::table.select(events::id).first(&mut w).unwrap();
        let institution: i32 = institutions::table.select(institutions::id).first(&mut w).unwrap();
        let case: i32 = diesel::insert_into(cases::table)
            .values((
                cases::event_id.eq(event),
                cases::institution_id.eq(institution),
                cases::status.eq("received"),
                cases::opened_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .returning(cases::id)
            .get_result(&mut w)
            .unwrap();
        let pending: i32 = diesel::insert_into(allegations::table)
            .values((
                allegations::event_id.eq(event),
                allegations::violation_type_id.eq(torture),
                allegations::force_id.eq(units::table
                    .find(a)
                    .select(units::force_id)
                    .first::<i32>(&mut w)
                    .unwrap()),
                allegations::unit_id.eq(Some(a)),
                allegations::involvement.eq("carried_out"),
                allegations::confidence.eq("possible"),
                allegations::case_id.eq(Some(case)),
                allegations::created_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .returning(allegations::id)
            .get_result(&mut w)
            .unwrap();
        assert_eq!(both(&mut counts), (march.clone(), march.clone()), "confidence possible: not counted");
        let set = |w: &mut vigie::db::DbConn, id: i32, conf: &str| {
            diesel::update(allegations::table.find(id))
                .set(allegations::confidence.eq(conf))
                .execute(w)
                .unwrap();
        };
        set(&mut w, pending, "probable");
        assert_eq!(both(&mut counts), (march.clone(), vec![(a, torture, d(2026, 3, 1), 4)]), "now probable");
        let disposition = |w: &mut vigie::db::DbConn, code: &str| -> i32 {
            dispositions::table.filter(dispositions::code.eq(code)).select(dispositions::id).first(w).unwrap()
        };
        let (sub, unfounded) = (disposition(&mut w, "substantiated"), disposition(&mut w, "unfounded"));
        diesel::update(allegations::table.find(pending))
            .set(allegations::disposition_id.eq(Some(sub)))
            .execute(&mut w)
            .unwrap();
        let four = vec![(a, torture, d(2026, 3, 1), 4)];
        assert_eq!(both(&mut counts), (four.clone(), four.clone()), "substantiated");
        let first: i32 =
            allegations::table.order(allegations::id).select(allegations::id).first(&mut w).unwrap();
        diesel::update(allegations::table.find(first))
            .set(allegations::disposition_id.eq(Some(unfounded)))
            .execute(&mut w)
            .unwrap();
        assert_eq!(both(&mut counts).1, march, "a finding of unfounded leaves the count");

        // Another unit, then none; another violation type.
        diesel::update(allegations::table.find(pending))
            .set(allegations::unit_id.eq(Some(b)))
            .execute(&mut w)
            .unwrap();
        let (_, credible) = both(&mut counts);
        assert_eq!(credible, vec![(a, torture, d(2026, 3, 1), 2), (b, torture, d(2026, 3, 1), 1)]);
        diesel::update(allegations::table.find(pending))
            .set(allegations::unit_id.eq(None::<i32>))
            .execute(&mut w)
            .unwrap();
        assert_eq!(both(&mut counts).1, vec![(a, torture, d(2026, 3, 1), 2)], "no unit: not counted");
        let other: i32 = vigie::schema::violation_types::table
            .filter(vigie::schema::violation_types::id.ne(torture))
            .select(vigie::schema::violation_types::id)
            .first(&mut w)
            .unwrap();
        let second: i32 = allegations::table
            .order(allegations::id)
            .select(allegations::id)
            .offset(1)
            .first(&mut w)
            .unwrap();
        diesel::update(allegations::table.find(second))
            .set(allegations::violation_type_id.eq(other))
            .execute(&mut w)
            .unwrap();
        let mut by_type = vec![(a, torture, d(2026, 3, 1), 1), (a, other, d(2026, 3, 1), 1)];
        by_type.sort();
        assert_eq!(both(&mut counts).1, by_type, "another violation type");

        // The event's date corrected to April; one allegation moved to a May event.
        diesel::update(events::table.find(event))
            .set(events::occurred_on.eq(d(2026, 4, 1)))
            .execute(&mut w)
            .unwrap();
        let april = both(&mut counts).1;
        assert!(april.iter().all(|x| x.2 == d(2026, 4, 1)) && april.len() == 2, "{april:?}");
        substantiated_event(&app.db, b, "2026-05-02");
        let may: i32 = events::table.order(events::id.desc()).select(events::id).first(&mut w).unwrap();
        diesel::update(events::table.find(may))
            .set(events::region_code.eq("ML-BKO"))
            .execute(&mut w)
            .unwrap();
        diesel::update(allegations::table.find(second))
            .set(allegations::event_id.eq(may))
            .execute(&mut w)
            .unwrap();
        let (_, credible) = both(&mut counts);
        assert!(
            credible.contains(&(a, other, d(2026, 5, 1), 1))
                && credible.contains(&(b, torture, d(2026, 5, 1), 3))
        );
        assert!(!credible.iter().any(|x| x.1 == other && x.2 == d(2026, 4, 1)), "{credible:?}");

        // Deleted, one then all.
        diesel::delete(allegations::table.find(second)).execute(&mut w).unwrap();
        assert!(!both(&mut counts).1.iter().any(|x| x.1 == other));
        diesel::delete(allegations::table).execute(&mut w).unwrap();
        assert_eq!(both(&mut counts), (vec![], vec![]));
        let rows: i64 = training_counts::table.count().get_result(&mut w).unwrap();
        assert_eq!(rows, 0);
    });
}

/// Issue 12: "from a case's recommendation". The case worker of the case's institution (who can
/// read it; trainers and admins cannot) proposes a remediation action for the unit a
/// substantiated finding names: linked to the case, audited, once per unit; the trainers see
/// the unit, the module and that it came from an institution, never the case.
#[test]
fn a_case_workers_recommendation_becomes_a_remediation_action_for_the_unit() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        add_user(&app.db, "med@mediateur.ml", "ombudsman", Some("mediateur"));
        add_user(&app.db, "t1@ecole.ml", "trainer", None);
        add_user(&app.db, "admin@vigie.ml", "admin", None);
        let trainer = client(&app, "t1@ecole.ml");
        let (s, _, _) = post(&trainer, "/staff/training/units", "name=GTIA+8&force=fama_army&strength=600");
        assert_eq!(s, Status::SeeOther);
        let unit: i32 = units::table.select(units::id).first(&mut app.db.conn()).unwrap();
        let report = json!({"narrative": "Les soldats du gtia8 ont torturé un détenu au camp.", "occurred_on": "2026-06-10",
            "violations": ["integrity.torture"], "force": "fama_army", "location": {"lat": 14.5400, "lon": -4.0900}});
        let r =
            app.client.post("/api/v1/reports").header(ContentType::JSON).body(report.to_string()).dispatch();
        assert_eq!(r.status(), Status::Created);
        let intake = client(&app, "intake@cndh.ml");
        let (_, loc, _) = post(&intake, "/staff/reports/1/events", "title=Camp");
        let event_id: i32 = loc.unwrap().rsplit('/').next().unwrap().parse().unwrap();
        let body = format!("violation_type=integrity.torture&force=fama_army&involvement=carried_out&confidence=probable&victim_count=1&unit={unit}");
        let (s, _, _) = post(&intake, &format!("/staff/events/{event_id}/allegations"), &body);
        assert_eq!(s, Status::SeeOther);
        let aid: i32 = allegations::table.select(allegations::id).first(&mut app.db.conn()).unwrap();
        post(&intake, &format!("/staff/allegations/{aid}/unit"), &format!("unit={unit}"));
        let (s, _, _) = post(&intake, &format!("/staff/events/{event_id}/route"), "");
        assert_eq!(s, Status::SeeOther);
        let case_id: i32 = allegations::table
            .find(aid)
            .select(allegations::case_id)
            .first::<Option<i32>>(&mut app.db.conn())
            .unwrap()
            .expect("routed to a case");
        let path = format!("/staff/cases/{case_id}/training-remediation");
        let inv = client(&app, "inv@cndh.ml");
        let remediations = || count(&app.db, "remediation_actions");

        // Not yet substantiated, no recommendation: nothing proposed, and the page says why.
        let page = inv.get(format!("/staff/cases/{case_id}")).dispatch().into_string().unwrap();
        assert!(!page.contains("id=\"training-remediation\""), "offered once there is a recommendation");
        let (s, _, _) = post(&inv, &path, "");
        assert_eq!(s, Status::SeeOther);
        assert_eq!(remediations(), 0);
        // At the findings step (set in the database: the case's own flow is tested in cases.rs).
        diesel::update(vigie::schema::cases::table.find(case_id))
            .set(vigie::schema::cases::status.eq("findings"))
            .execute(&mut app.db.conn())
            .unwrap();
        let (s, _, _) = post(
            &inv,
            &format!("/staff/cases/{case_id}/recommendations"),
            "addressee=Direction+de+l%27Arm%C3%A9e&content=Former+l%27unit%C3%A9+%C3%A0+l%27entretien",
        );
        assert_eq!(s, Status::SeeOther);
        let page = inv.get(format!("/staff/cases/{case_id}")).dispatch().into_string().unwrap();
        assert!(page.contains("id=\"training-remediation\""), "offered on the case page");
        post(&inv, &path, "");
        assert_eq!(remediations(), 0, "no substantiated finding yet");
        let page = inv.get(format!("/staff/cases/{case_id}")).dispatch().into_string().unwrap();
        assert!(page.contains("Aucune constatation fondée"), "the page says why");
        {
            let mut c = app.db.conn();
            let sub: i32 = dispositions::table
                .filter(dispositions::code.eq("substantiated"))
                .select(dispositions::id)
                .first(&mut c)
                .unwrap();
            diesel::update(allegations::table.find(aid))
                .set(allegations::disposition_id.eq(Some(sub)))
                .execute(&mut c)
                .unwrap();
        }
        // Others: trainers, admins and the other institution's case worker get 404.
        for who in ["t1@ecole.ml", "admin@vigie.ml", "med@mediateur.ml"] {
            let (s, _, _) = post(&client(&app, who), &path, "");
            assert_eq!(s, Status::NotFound, "{who}");
        }
        assert_eq!(remediations(), 0);
        // The case worker proposes it: one action, for the unit, with the module, linked.
        let (s, _, _) = post(&inv, &path, "");
        assert_eq!(s, Status::SeeOther);
        use vigie::schema::remediation_actions as ra;
        let row: (Option<i32>, Option<i32>, Option<i32>, String, String) = ra::table
            .select((ra::unit_id, ra::case_id, ra::module_id, ra::status, ra::issue))
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!((row.0, row.1), (Some(unit), Some(case_id)));
        assert!(row.2.is_some() && row.3 == "module_assigned", "{row:?}");
        assert!(row.4.contains("Torture") && !row.4.contains("détenu"), "worded from the label: {}", row.4);
        let audited: i64 = audit_log::table
            .filter(audit_log::action.eq("case.training_remediation"))
            .filter(audit_log::object_id.eq(case_id.to_string()))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(audited, 1);
        // Once per unit.
        post(&inv, &path, "");
        assert_eq!(remediations(), 1);
        // The trainers see it as an institution's recommendation, with its unit and module.
        let list = trainer.get("/staff/training/remediation").dispatch().into_string().unwrap();
        let table = section(&list, "id=\"remediations\"", "</table>").unwrap();
        assert!(
            table.contains("recommandation d&#x27;une institution")
                || table.contains("recommandation d'une institution"),
            "{table}"
        );
        assert!(table.contains("GTIA 8"), "{table}");
        assert!(!table.contains("Former l"), "never the recommendation's words");
        // Worded in each reader's language, though the case worker read French.
        let list = trainer.get("/staff/training/remediation?lang=en").dispatch().into_string().unwrap();
        let table = section(&list, "id=\"remediations\"", "</table>").unwrap();
        assert!(
            table.contains("An institution&#x27;s recommendation: Torture")
                || table.contains("An institution's recommendation: Torture"),
            "{table}"
        );
        // No partner carries it yet. A trainer with no partner, and the admin, change nothing
        // of it (404); the first partner's trainer to act on it takes it for their partner.
        let rid: i32 = ra::table.select(ra::id).first(&mut app.db.conn()).unwrap();
        let key = format!("/staff/training/remediation/{rid}/key-actions");
        let (s, _, _) = post(&trainer, &key, "description=Planifier&due_on=2027-01-15");
        assert_eq!(s, Status::NotFound, "a trainer with no partner");
        let admin = client(&app, "admin@vigie.ml");
        let (s, _, _) = post(&admin, &key, "description=Planifier&due_on=2027-01-15");
        assert_eq!(s, Status::NotFound, "an admin");
        let list = admin.get("/staff/training/remediation").dispatch().into_string().unwrap();
        assert!(list.contains("id=\"remediations\"") && !list.contains("id=\"remediation-form\""), "{list}");
        let (s, _, _) = post(&admin, "/staff/training/partners", "name=Partenaire+A&kind=international");
        assert_eq!(s, Status::SeeOther);
        let t1: i32 = users::table
            .filter(users::email.eq("t1@ecole.ml"))
            .select(users::id)
            .first(&mut app.db.conn())
            .unwrap();
        let (s, _, _) =
            post(&admin, "/staff/training/partners/members", &format!("user_id={t1}&partner_id=1"));
        assert_eq!(s, Status::SeeOther);
        let trainer = client(&app, "t1@ecole.ml");
        let (s, _, _) = post(&trainer, &key, "description=Planifier&due_on=2027-01-15");
        assert_eq!(s, Status::SeeOther);
        let carrier: Option<i32> = ra::table.select(ra::partner_id).first(&mut app.db.conn()).unwrap();
        assert_eq!(carrier, Some(1), "taken by the partner that acted");
    });
}

/// Issue 12: allegations and gaps by force or by region, on the page, in the JSON and the CSV.
#[test]
fn gaps_and_allegations_group_by_force_or_region() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "t1@ecole.ml", "trainer", None);
        let trainer = client(&app, "t1@ecole.ml");
        let ids = add_units(
            &app,
            &trainer,
            [
                "name=GTIA+8&force=fama_army&strength=600&region=ML-1",
                "name=GTIA+9&force=fama_army&strength=600&region=ML-2",
                "name=Brigade+3&force=gendarmerie&strength=80&region=ML-1",
            ],
        );
        for (unit, n) in [(ids[0], 2), (ids[1], 1), (ids[2], 1)] {
            for _ in 0..n {
                substantiated_event(&app.db, unit, "2026-03-10");
            }
        }
        let q = "from=2026-01&to=2026-06";
        let interviewing = module_id(&app.db, "investigative_interviewing");
        let j = get_json(&trainer, &format!("/api/v1/training/gaps?{q}&by=force"));
        assert_eq!(j["by"], "force");
        let row = |j: &Value, key: &str, name: &str| -> Value {
            j["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g[key] == name && g["module_id"] == interviewing)
                .unwrap_or_else(|| panic!("no {name}: {j}"))
                .clone()
        };
        // The army: GTIA 8 (6 allegations) and GTIA 9 (3), both never trained; the gendarmerie's
        // brigade: 3.
        let army = row(&j, "force", "Armée de terre (FAMa)");
        assert_eq!(
            (army["units"].as_i64(), army["never_trained"].as_i64(), army["count"].as_i64()),
            (Some(2), Some(2), Some(9)),
            "{army}"
        );
        let j = get_json(&trainer, &format!("/api/v1/training/gaps?{q}&by=region"));
        let r1 = j["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == "ML-1" && g["module_id"] == interviewing)
            .unwrap()
            .clone();
        assert_eq!(
            (r1["units"].as_i64(), r1["count"].as_i64()),
            (Some(2), Some(9)),
            "GTIA 8 and Brigade 3: {r1}"
        );
        assert!(
            get_json(&trainer, &format!("/api/v1/training/gaps?{q}")).get("groups").is_none(),
            "by unit: the rows only"
        );
        let csv =
            trainer.get(format!("/staff/training/gaps.csv?{q}&by=region")).dispatch().into_string().unwrap();
        assert!(
            csv.starts_with("region,module,units,never_trained,trained_continuing,trained,count"),
            "{csv}"
        );
        let csv =
            trainer.get(format!("/staff/training/matrix.csv?{q}&by=force")).dispatch().into_string().unwrap();
        assert!(csv.starts_with("violation,force,count"), "{csv}");
        assert!(csv.lines().any(|l| l.contains("Torture") && l.contains(",9,")), "{csv}");
        // A unit name a spreadsheet would run as a formula is defused in every CSV.
        let gtia8: i32 = units::table
            .filter(units::name.eq("GTIA 8"))
            .select(units::id)
            .first(&mut app.db.conn())
            .unwrap();
        diesel::update(units::table.find(gtia8))
            .set(units::name.eq("=HYPERLINK(\"http://x.invalid\")"))
            .execute(&mut app.db.conn())
            .unwrap();
        let csv = trainer.get(format!("/staff/training/gaps.csv?{q}")).dispatch().into_string().unwrap();
        assert!(
            csv.contains("'=HYPERLINK") && !csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"),
            "{csv}"
        );
        // A period from year 1 is read as the last twenty years: a chart of at most 81 quarters
        // (240 months starting within a quarter), one bar each.
        let r = trainer
            .get(format!("/staff/training/units/{gtia8}/trend.svg?from=0001-01&to=2026-11"))
            .dispatch();
        assert_eq!(r.status(), Status::Ok);
        let svg = r.into_string().unwrap();
        let bars = svg.matches("<rect").count();
        assert!((80..=83).contains(&bars), "{bars} rects");
        assert!(!svg.contains("2005-") && svg.contains("2007-"), "from December 2006: {svg}");
        let page = trainer.get(format!("/staff/training?{q}&by=force")).dispatch().into_string().unwrap();
        let table = section(&page, "id=\"groups\"", "</table>").expect("the grouped table");
        assert!(table.contains("Gendarmerie"), "{table}");
        assert!(page.contains("<option value=\"force\" selected"), "the choice kept");
    });
}

/// The analysis page shows the first hundred rows of each long table (gaps first, then the
/// largest counts) and each violation's norms and modules once; the CSV and the JSON keep
/// every row. (At 1,000,000 synthetic reports the page was 1.9 MB of HTML.)
#[test]
fn a_long_analysis_shows_its_first_rows_and_the_downloads_keep_them_all() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "t1@ecole.ml", "trainer", None);
        let trainer = client(&app, "t1@ecole.ml");
        let ids =
            add_units(&app, &trainer, (1..=8).map(|i| format!("name=GTIA+{i}&force=fama_army&strength=600")));
        let codes: Vec<String> = vigie::schema::violation_types::table
            .filter(vigie::schema::violation_types::active.eq(true))
            .order(vigie::schema::violation_types::id)
            .select(vigie::schema::violation_types::code)
            .load(&mut app.db.conn())
            .unwrap();
        // Every unit: one allegation of each type, and the first type thrice, so that its
        // rows come first.
        for unit in &ids {
            for (k, code) in codes.iter().enumerate() {
                let n = if k == 0 { 3 } else { 1 };
                substantiated_allegations(&app.db, *unit, "2026-03-10".parse().unwrap(), code, n);
            }
        }
        let q = "from=2026-01&to=2026-06";
        let rows = ids.len() * codes.len();
        let page = trainer.get(format!("/staff/training?{q}")).dispatch().into_string().unwrap();
        let matrix = section(&page, "id=\"matrix\"", "</table>").expect("the matrix");
        assert_eq!(matrix.matches("<tr>").count(), 1 + 100, "the header and the first hundred rows");
        assert!(
            page.contains(&format!("Les 100 premières lignes sur {rows}")),
            "the page says how many rows it leaves out"
        );
        let first = section(&matrix, "<tbody>", "</tr>").unwrap();
        assert!(first.contains("<td>3</td>"), "the largest counts first: {first}");
        // The norms and modules, once per violation type, not on every row.
        let legend = section(&page, "id=\"legend\"", "</table>").expect("the legend");
        let torture = tax_label(&app, &codes[0]);
        assert_eq!(legend.matches(&format!("<td>{torture}</td>")).count(), 1, "{legend}");
        assert!(!matrix.contains("class=\"meta\""), "no norms or modules on the rows");
        let csv = trainer.get(format!("/staff/training/matrix.csv?{q}")).dispatch().into_string().unwrap();
        assert_eq!(csv.lines().count(), 1 + rows, "every row in the CSV");
        // The gaps: as many rows as unit × module pairs, the first hundred on the page.
        let gaps = get_json(&trainer, &format!("/api/v1/training/gaps?{q}"));
        let all = gaps["gaps"].as_array().unwrap().len();
        assert!(all > 100, "{all} gap rows");
        let table = section(&page, "id=\"gaps\"", "</table>").expect("the gaps");
        assert_eq!(table.matches("<tr class=\"standing-").count(), 100);
        assert!(page.contains(&format!("Les 100 premières lignes sur {all}")), "the gaps' hint");
        let csv = trainer.get(format!("/staff/training/gaps.csv?{q}")).dispatch().into_string().unwrap();
        assert_eq!(csv.lines().count(), 1 + all, "every gap row in the CSV");
        // A short table shows everything and no hint.
        let one = ids[0];
        let page = trainer.get(format!("/staff/training?{q}&unit={one}")).dispatch().into_string().unwrap();
        assert!(!page.contains("premières lignes"), "one unit: every row shown");
    });
}

/// A violation type's French label, as the page shows it.
fn tax_label(app: &TestApp, code: &str) -> String {
    vigie::schema::violation_types::table
        .filter(vigie::schema::violation_types::code.eq(code))
        .select(vigie::schema::violation_types::label_fr)
        .first(&mut app.db.conn())
        .unwrap()
}

/// The remediation list: open actions by default, a status and "mine" filter, fifty a page.
#[test]
fn the_remediation_list_is_filtered_and_paged() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "admin@vigie.ml", "admin", None);
        let t1 = add_user(&app.db, "t1@ecole.ml", "trainer", None);
        let t2 = add_user(&app.db, "t2@partenaire.org", "trainer", None);
        let admin = client(&app, "admin@vigie.ml");
        for body in ["name=%C3%89cole&kind=national_school", "name=Partenaire+B&kind=international"] {
            assert_eq!(post(&admin, "/staff/training/partners", body).0, Status::SeeOther);
        }
        for (uid, pid) in [(t1, 1), (t2, 2)] {
            let body = format!("user_id={uid}&partner_id={pid}");
            assert_eq!(post(&admin, "/staff/training/partners/members", &body).0, Status::SeeOther);
        }
        let (trainer1, trainer2) = (client(&app, "t1@ecole.ml"), client(&app, "t2@partenaire.org"));
        let mut paths = vec![];
        for i in 1..=53 {
            let (s, loc, _) = post(&trainer1, "/staff/training/remediation", &format!("issue=Action+{i}"));
            assert_eq!(s, Status::SeeOther);
            paths.push(loc.unwrap());
        }
        let (s, _, _) = post(&trainer2, "/staff/training/remediation", "issue=Action+B");
        assert_eq!(s, Status::SeeOther);
        let (s, _, _) =
            post(&trainer1, &format!("{}/move", paths[52]), "to=escalated&reason=Hors+de+port%C3%A9e");
        assert_eq!(s, Status::SeeOther);
        let rows = |page: &str| page.matches("<a href=\"/staff/training/remediation/").count();
        let list = |c: &Client, q: &str| {
            c.get(format!("/staff/training/remediation{q}")).dispatch().into_string().unwrap()
        };
        // Open by default: 53 of the 54 (the escalated one left out), newest first, 50 a page.
        let page = list(&trainer1, "");
        assert!(page.contains("53 actions · page 1 sur 2"), "{page}");
        assert_eq!(rows(&page), 50);
        assert!(
            page.contains("Action B") && !page.contains(">Action 53<"),
            "newest first, the escalated one out"
        );
        assert!(page.contains("rel=\"next\"") && !page.contains("rel=\"prev\""));
        let page = list(&trainer1, "?status=open&mine=false&page=2");
        assert_eq!(rows(&page), 3);
        assert!(page.contains(">Action 1<") && page.contains("rel=\"prev\""), "the oldest on the last page");
        // One step, every step, mine.
        let page = list(&trainer1, "?status=escalated");
        assert!(page.contains("Une action · page 1 sur 1") && page.contains(">Action 53<"), "{page}");
        assert!(list(&trainer1, "?status=all").contains("54 actions"));
        let page = list(&trainer2, "?mine=true&status=all");
        assert!(page.contains("Une action") && page.contains("Action B"), "partner B's only: {page}");
        // A page past the end is empty, an unknown status is the default.
        assert_eq!(rows(&list(&trainer1, "?page=9")), 0);
        let r = trainer1.get("/staff/training/remediation?page=9223372036854775807").dispatch();
        assert_eq!(r.status(), Status::Ok, "no overflowing offset");
        assert_eq!(rows(&r.into_string().unwrap()), 0);
        assert_eq!(rows(&list(&trainer1, "?page=-3&mine=maybe")), 50, "read as the first page, everyone's");
        assert!(list(&trainer1, "?status=nonsense").contains("53 actions"));
        assert!(list(&admin, "?mine=true").contains("Aucune action"), "an admin carries none");
        assert!(list(&trainer1, "?lang=en").contains("53 actions · page 1 of 2"));
    });
}

/// The early-warning page shows the first hundred units of each method (the fixed threshold
/// flags every busy unit); the JSON lists them all.
#[test]
fn the_early_warning_page_shows_the_first_hundred_flags_and_the_json_all() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "t1@ecole.ml", "trainer", None);
        let trainer = client(&app, "t1@ecole.ml");
        let ids =
            add_units(&app, &trainer, (1..=101).map(|i| format!("name=Poste+{i}&force=police&strength=40")));
        for unit in &ids {
            substantiated_event(&app.db, *unit, "2026-03-10");
        }
        let q = "from=2026-01&to=2026-06";
        let j = get_json(&trainer, &format!("/api/v1/training/flags?{q}&method=threshold"));
        assert_eq!(j["flags"].as_array().unwrap().len(), 101, "three in a month: every unit");
        let page = trainer.get(format!("/staff/training/flags?{q}")).dispatch().into_string().unwrap();
        let threshold = section(&page, "id=\"threshold\"", "</section>").expect("the threshold");
        assert_eq!(threshold.matches("<tr><td>Poste").count(), 100);
        assert!(threshold.contains("Les 100 premières sur 101"), "{threshold}");
        let page =
            trainer.get(format!("/staff/training/flags?{q}&lang=en")).dispatch().into_string().unwrap();
        assert!(page.contains("The first 100 of 101"));
    });
}

/// Units added by a trainer through the form, each answered 303; every unit's id, in order.
fn add_units<B: AsRef<str>>(
    app: &TestApp,
    trainer: &Client,
    bodies: impl IntoIterator<Item = B>,
) -> Vec<i32> {
    for body in bodies {
        let (s, _, _) = post(trainer, "/staff/training/units", body.as_ref());
        assert_eq!(s, Status::SeeOther, "{}", body.as_ref());
    }
    units::table.order(units::id).select(units::id).load(&mut app.db.conn()).unwrap()
}

/// What an attack on the trainers' forms found (session 16): a refused step took the action
/// for the trainer's partner; the lessons form undid what a step needs and changed closed
/// actions; forms sent twice added twice; dates of the year 1 or 9999, any attendance and any
/// strength were taken; a score of 0 was not shown; a go-ahead reason was kept with nothing to
/// go ahead of; a second press of "done" was a 404; an unknown partner was a 500; units could
/// be each other's parent. Each is refused with a message, or adds nothing, on both engines.
#[test]
fn the_trainers_forms_refuse_what_cannot_be_meant_and_a_form_sent_twice_adds_nothing() {
    use vigie::schema::{remediation_actions, remediation_key_actions};
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "admin@vigie.ml", "admin", None);
        let t1 = add_user(&app.db, "t1@ecole.ml", "trainer", None);
        let admin = client(&app, "admin@vigie.ml");
        assert_eq!(
            post(&admin, "/staff/training/partners", "name=%C3%89cole&kind=national_school").0,
            Status::SeeOther
        );
        // An unknown partner, or one that is no number, is refused; the trainer keeps theirs.
        let (s, _, _) =
            post(&admin, "/staff/training/partners/members", &format!("user_id={t1}&partner_id=1"));
        assert_eq!(s, Status::SeeOther);
        for bad in ["999", "abc"] {
            let (s, _, _) =
                post(&admin, "/staff/training/partners/members", &format!("user_id={t1}&partner_id={bad}"));
            assert_eq!(s, Status::SeeOther, "{bad}: back to the page with a message, not a 500");
            let page = admin.get("/staff/training/partners").dispatch().into_string().unwrap();
            assert!(
                page.contains("class=\"alert\"") && page.contains("Choisissez un partenaire de la liste")
            );
        }
        let partner: Option<i32> =
            users::table.find(t1).select(users::partner_id).first(&mut app.db.conn()).unwrap();
        assert_eq!(partner, Some(1));
        let trainer = client(&app, "t1@ecole.ml");

        // Units: a strength past 100,000 is refused; no unit is placed under itself or its own
        // sub-unit, nor under another force's unit.
        let (s, _, page) =
            post(&trainer, "/staff/training/units", "name=GTIA+1&force=fama_army&strength=2147483647");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("au plus de 100 000"), "{page}");
        let ids = add_units(
            &app,
            &trainer,
            [
                "name=GTIA+1&force=fama_army&strength=30",
                "name=Compagnie+A&force=fama_army&strength=20&parent=1",
            ],
        );
        let (gtia, company) = (ids[0], ids[1]);
        let (s, _, page) = post(
            &trainer,
            "/staff/training/units",
            &format!("id={gtia}&name=GTIA+1&force=fama_army&strength=30&parent={company}"),
        );
        assert_eq!(s, Status::UnprocessableEntity, "a loop");
        assert!(page.contains("déjà au-dessus"), "{page}");
        let (s, _, page) =
            post(&trainer, "/staff/training/units", &format!("name=Poste&force=police&parent={gtia}"));
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("autre force"), "{page}");

        // Sessions: the year 1 or 9999, or a session of more than a year, is refused.
        let m = module_id(&app.db, "investigative_interviewing");
        for (from, to, says) in [
            ("0001-01-01", "2027-01-01", "entre l'an 2000"),
            ("2027-01-01", "9999-12-31", "entre l'an 2000"),
            ("2027-01-01", "2028-06-01", "au plus un an"),
        ] {
            let (s, _, page) = post(
                &trainer,
                "/staff/training/sessions",
                &format!("modules={m}&units={gtia}&planned_from={from}&planned_to={to}"),
            );
            assert_eq!(s, Status::UnprocessableEntity, "{from} {to}");
            assert!(page.contains(&says.replace('\'', "&#x27;")) || page.contains(says), "{says}: {page}");
        }
        // The same plan twice adds one session; a go-ahead reason with no duplicate is not kept.
        let plan = format!(
            "modules={m}&units={gtia}&units={company}&planned_from=2026-03-02&planned_to=2026-03-04&go_ahead_reason=au+cas+o%C3%B9"
        );
        for _ in 0..2 {
            assert_eq!(post(&trainer, "/staff/training/sessions", &plan).0, Status::SeeOther);
        }
        let page = trainer.get("/staff/training/sessions").dispatch().into_string().unwrap();
        assert!(page.contains("déjà prévue (session 1)"), "{page}");
        assert_eq!(count(&app.db, "training_sessions"), 1);
        let reason: Option<String> = training_sessions::table
            .find(1)
            .select(training_sessions::go_ahead_reason)
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!(reason, None);
        post(&trainer, "/staff/training/sessions/1/status", "to=confirmed");
        // More participants than the units number (30 + 20) is refused; a score of 0 is shown.
        let (s, _, page) = post(
            &trainer,
            "/staff/training/sessions/1/status",
            "to=delivered&held_from=2026-03-02&held_to=2026-03-04&attendance=51",
        );
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("(50 en tout)"), "{page}");
        let (s, _, _) = post(
            &trainer,
            "/staff/training/sessions/1/status",
            "to=delivered&held_from=2026-03-02&held_to=2026-03-04&attendance=50&pre_score=0",
        );
        assert_eq!(s, Status::SeeOther);
        let page = trainer.get("/staff/training/sessions").dispatch().into_string().unwrap();
        assert!(page.contains("50 · 0 → –"), "a score of 0 and no post-test: {page}");
        // A move the session's status does not allow comes back as an alert, not a notice.
        post(&trainer, "/staff/training/sessions/1/status", "to=planned");
        let page = trainer.get("/staff/training/sessions").dispatch().into_string().unwrap();
        assert!(page.contains("<p class=\"alert\" role=\"alert\" id=\"notice\">"), "{page}");

        // Actions: a text past 2,000 characters or a review in the year 1 is refused, with what
        // was typed; the same action twice adds one.
        let long = "x".repeat(2001);
        let (s, _, page) = post(&trainer, "/staff/training/remediation", &format!("issue={long}"));
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("2 000 caractères au plus") && page.contains(&long));
        let (s, _, page) =
            post(&trainer, "/staff/training/remediation", "issue=Interrogatoires&review_on=0001-01-01");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("entre l&#x27;an 2000") || page.contains("entre l'an 2000"), "{page}");
        let action = format!("issue=Interrogatoires&unit={gtia}&module={m}");
        let (_, first, _) = post(&trainer, "/staff/training/remediation", &action);
        let (s, again, _) = post(&trainer, "/staff/training/remediation", &action);
        assert_eq!((s, &again), (Status::SeeOther, &first));
        assert_eq!(count(&app.db, "remediation_actions"), 1);
        let path = first.unwrap();
        let page = trainer.get(&path).dispatch().into_string().unwrap();
        assert!(page.contains("existe déjà"), "{page}");
        // At "module assigned" the module stays; at "planned" the session; at "delivered" a
        // delivered one.
        let (s, _, page) = post(&trainer, &format!("{path}/lessons"), "module=&session=");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("besoin de son module"), "{page}");
        assert_eq!(
            post(&trainer, &format!("{path}/lessons"), &format!("module={m}&session=1")).0,
            Status::SeeOther
        );
        for to in ["planned", "delivered"] {
            assert_eq!(post(&trainer, &format!("{path}/move"), &format!("to={to}")).0, Status::SeeOther);
        }
        let (s, _, page) = post(&trainer, &format!("{path}/lessons"), &format!("module={m}&session="));
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("besoin de sa session"), "{page}");
        let stored: (Option<i32>, String) = remediation_actions::table
            .select((remediation_actions::module_id, remediation_actions::status))
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!(stored, (Some(m as i32), "delivered".to_string()));
        let named: Vec<i32> = vigie::schema::remediation_sessions::table
            .select(vigie::schema::remediation_sessions::session_id)
            .load(&mut app.db.conn())
            .unwrap();
        assert_eq!(named, vec![1]);
        // A key action done twice: the second press is told so.
        assert_eq!(
            post(&trainer, &format!("{path}/key-actions"), "description=Relire&due_on=2026-12-20").0,
            Status::SeeOther
        );
        let kid: i32 = remediation_key_actions::table
            .select(remediation_key_actions::id)
            .first(&mut app.db.conn())
            .unwrap();
        for _ in 0..2 {
            assert_eq!(post(&trainer, &format!("{path}/key-actions/{kid}/done"), "").0, Status::SeeOther);
        }
        let page = trainer.get(&path).dispatch().into_string().unwrap();
        assert!(page.contains("était déjà faite"), "{page}");
        // A reason past 2,000 characters is refused before anything is written, with the text.
        let (s, _, page) = post(&trainer, &format!("{path}/move"), &format!("to=escalated&reason={long}"));
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("2 000 caractères au plus") && page.contains(&long), "the reason is kept");
        let status: String =
            remediation_actions::table.select(remediation_actions::status).first(&mut app.db.conn()).unwrap();
        assert_eq!(status, "delivered");
        // Escalated: no form any more, and a form sent anyway changes nothing.
        let (s, _, _) = post(&trainer, &format!("{path}/move"), "to=escalated&reason=Hors+de+port%C3%A9e");
        assert_eq!(s, Status::SeeOther);
        let page = trainer.get(&path).dispatch().into_string().unwrap();
        assert!(!page.contains("id=\"lessons-form\"") && !page.contains("id=\"key-form\""), "{page}");
        let (s, _, page) =
            post(&trainer, &format!("{path}/lessons"), "module=&session=&lessons_unit=trop+tard");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("ne change plus"), "{page}");
        let (s, _, _) =
            post(&trainer, &format!("{path}/key-actions"), "description=Encore&due_on=2026-12-20");
        assert_eq!(s, Status::UnprocessableEntity);
        assert_eq!(count(&app.db, "remediation_key_actions"), 1);

        // A refused step on an action nobody carries yet (proposed from a case) leaves it
        // nobody's, with no audit entry.
        let id = vigie::training::model::insert_remediation(
            &mut app.db.conn(),
            &vigie::training::model::NewRemediation {
                issue: "Recommandation",
                module_id: None,
                unit_id: Some(gtia),
                review_on: None,
                created_by: t1,
                case_id: None,
                partner_id: None,
                violation_type_id: None,
            },
        )
        .unwrap();
        let entries = || -> i64 {
            audit_log::table
                .filter(audit_log::action.like("training.remediation%"))
                .count()
                .get_result(&mut app.db.conn())
                .unwrap()
        };
        let before = entries();
        for body in ["to=bogus", "to=escalated", "to=module_assigned"] {
            let (s, _, _) = post(&trainer, &format!("/staff/training/remediation/{id}/move"), body);
            assert_eq!(s, Status::UnprocessableEntity, "{body}");
        }
        let carrier: Option<i32> = remediation_actions::table
            .find(id)
            .select(remediation_actions::partner_id)
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!((carrier, entries()), (None, before), "nothing written");

        // A NUL in a staff text: PostgreSQL refuses it, answered 400 (not a 500); SQLite keeps it.
        let (s, _, _) = post(&trainer, "/staff/training/remediation", "issue=a%00b");
        let want = if engine == Engine::Postgres { Status::BadRequest } else { Status::SeeOther };
        assert_eq!(s, want);

        // A unit's update is audited with what it changed, before and after; a name another
        // unit of the force has (written otherwise) is refused with what was typed.
        let (s, _, _) = post(
            &trainer,
            "/staff/training/units",
            &format!("id={gtia}&name=GTIA+1&force=fama_army&strength=40&parent="),
        );
        assert_eq!(s, Status::SeeOther);
        let details: Vec<String> = audit_log::table
            .filter(audit_log::action.eq("training.unit.update"))
            .select(audit_log::details)
            .load(&mut app.db.conn())
            .unwrap();
        assert!(details.iter().any(|d| d.contains("strength 30 → 40")), "{details:?}");
        let (s, _, page) = post(
            &trainer,
            "/staff/training/units",
            &format!("id={company}&name=gtia1&force=fama_army&strength=20&parent={gtia}"),
        );
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("value=\"gtia1\""), "{page}");

        // Months the wrong way round are read in order, and the form says so.
        let page = trainer.get("/staff/training?from=2026-12&to=2020-01").dispatch().into_string().unwrap();
        let form = section(&page, "id=\"filters\"", "</form>").unwrap();
        assert!(form.contains("value=\"2020-01\"") && form.contains("value=\"2026-12\""), "{form}");
        assert!(form.find("2020-01") < form.find("2026-12"), "{form}");
    });
}

/// A delivery held on other dates than planned can duplicate another partner's offer that the
/// planned dates did not (found in review, session 18): both partners are told by mail, as at
/// planning, and the audit entry names the offer; the delivery, a fact, is recorded.
#[test]
fn a_delivery_held_on_other_dates_tells_both_partners_of_the_offer_it_now_duplicates() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "admin@vigie.ml", "admin", None);
        let t1 = add_user(&app.db, "t1@ecole.ml", "trainer", None);
        let t2 = add_user(&app.db, "t2@partenaire.org", "trainer", None);
        let admin = client(&app, "admin@vigie.ml");
        for body in ["name=%C3%89cole&kind=national_school", "name=Partenaire+B&kind=international"] {
            assert_eq!(post(&admin, "/staff/training/partners", body).0, Status::SeeOther);
        }
        for (uid, pid) in [(t1, 1), (t2, 2)] {
            let (s, _, _) =
                post(&admin, "/staff/training/partners/members", &format!("user_id={uid}&partner_id={pid}"));
            assert_eq!(s, Status::SeeOther);
        }
        let (a, b) = (client(&app, "t1@ecole.ml"), client(&app, "t2@partenaire.org"));
        let unit = add_units(&app, &a, ["name=GTIA+3&force=fama_army&strength=300"])[0];
        let m = module_id(&app.db, "investigative_interviewing");
        // B's offer in June 2026; A's plan in 2029, far from it: no warning.
        for (c, from, to) in [(&b, "2026-06-01", "2026-06-03"), (&a, "2029-06-01", "2029-06-03")] {
            let (s, _, page) = post(
                c,
                "/staff/training/sessions",
                &format!("modules={m}&units={unit}&planned_from={from}&planned_to={to}"),
            );
            assert_eq!(s, Status::SeeOther, "{page}");
        }
        assert_eq!(count(&app.db, "mail_outbox"), 0);
        assert_eq!(post(&a, "/staff/training/sessions/2/status", "to=confirmed").0, Status::SeeOther);
        // A holds it in June 2026 after all.
        let (s, _, page) = post(
            &a,
            "/staff/training/sessions/2/status",
            "to=delivered&held_from=2026-06-10&held_to=2026-06-12&attendance=25",
        );
        assert_eq!(s, Status::SeeOther, "{page}");
        let st: String = training_sessions::table
            .find(2)
            .select(training_sessions::status)
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!(st, "delivered", "a delivery is not stopped");
        let mails: Vec<(String, String)> = mail_outbox::table
            .filter(mail_outbox::kind.eq("training-duplicate"))
            .select((mail_outbox::to_addr, mail_outbox::body))
            .order(mail_outbox::to_addr)
            .load(&mut app.db.conn())
            .unwrap();
        let to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(to, vec!["t1@ecole.ml", "t2@partenaire.org"], "both partners");
        for (_, body) in &mails {
            assert!(
                body.contains("Partenaire B") && body.contains("École") && body.contains("2026-06-10"),
                "each sees the other's plan: {body}"
            );
        }
        let details: String = audit_log::table
            .filter(audit_log::action.eq("training.session.move"))
            .order(audit_log::id.desc())
            .select(audit_log::details)
            .first(&mut app.db.conn())
            .unwrap();
        assert!(details.contains("duplicates [1]"), "{details}");
        // Recorded again (a correction is another move, refused): no second mail.
        post(
            &a,
            "/staff/training/sessions/2/status",
            "to=delivered&held_from=2026-06-10&held_to=2026-06-12&attendance=25",
        );
        assert_eq!(count(&app.db, "mail_outbox"), 2);
    });
}
