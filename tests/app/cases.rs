//! Issue #5: triage, duplicates, routing, cases, deadlines, the full path on both engines.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;
use vigie::schema::{allegations, audit_log, cases, events, mail_outbox, reports};

fn app(engine: Engine) -> TestApp {
    TestApp::with_figment(TestDb::new(engine), |f| {
        f.merge(("totp_required_roles", Vec::<String>::new())).merge(("reports_per_hour", 10_000))
    })
}

fn client(app: &TestApp) -> Client {
    Client::tracked(
        vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
    )
    .unwrap()
}

fn post(c: &Client, path: &str, body: &str) -> (Status, Option<String>, String) {
    let token = csrf(c);
    let r = c.post(path).header(ContentType::Form).body(format!("csrf={token}&{body}")).dispatch();
    let loc = r.headers().get_one("Location").map(String::from);
    (r.status(), loc, r.into_string().unwrap_or_default())
}

fn file_report(c: &Client, body: Value) -> String {
    let r = c.post("/api/v1/reports").header(ContentType::JSON).body(body.to_string()).dispatch();
    assert_eq!(r.status(), Status::Created);
    r.into_json::<Value>().unwrap()["receipt"].as_str().unwrap().to_string()
}

fn report_json(narrative: &str, on: &str, lat: f64, lon: f64, violations: &[&str], force: &str) -> Value {
    json!({"narrative": narrative, "occurred_on": on, "violations": violations, "force": force,
           "location": {"lat": lat, "lon": lon}, "reporter_name": "Fatoumata K.", "reporter_contact": "+223 66 00 00 00"})
}

fn status_of(c: &Client, receipt: &str) -> Value {
    let r = c
        .post("/api/v1/receipts/status")
        .header(ContentType::JSON)
        .body(json!({"receipt": receipt}).to_string())
        .dispatch();
    assert_eq!(r.status(), Status::Ok);
    r.into_json().unwrap()
}

/// An intake officer and a CNDH investigator, and one report filed, opened as an event with one
/// allegation and routed: case 1 at the CNDH, nobody assigned. Returns the officer's and the
/// investigator's signed-in clients and the investigator's id.
fn routed_case(app: &TestApp) -> (Client, Client, i32) {
    add_user(&app.db, "intake@cndh.ml", "intake", None);
    let inv_id = add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
    file_report(
        &app.client,
        report_json(
            "Arrestation sans motif à Kayes, détenu depuis.",
            "2026-09-01",
            14.4469,
            -11.4445,
            &["liberty.arbitrary_arrest"],
            "police",
        ),
    );
    let intake = client(app);
    sign_in(&intake, "intake@cndh.ml", PW);
    post(&intake, "/staff/reports/1/events", "title=Kayes");
    post(&intake, "/staff/events/1/allegations", "violation_type=liberty.arbitrary_arrest&force=police");
    post(&intake, "/staff/events/1/route", "");
    let inv = client(app);
    sign_in(&inv, "inv@cndh.ml", PW);
    (intake, inv, inv_id)
}

#[test]
fn full_path_from_report_to_two_institutions_findings_recommendation_and_reporter_status() {
    each_engine(|engine| {
        let app = app(engine);
        let public = &app.client;
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        let inv = add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        add_user(&app.db, "om@mediateur.ml", "ombudsman", Some("mediateur"));

        // 1. A report filed through the API.
        let receipt = file_report(
            public,
            report_json(
                "À Sévaré, des gendarmes ont battu mon frère au poste et gardé sa carte d'identité.",
                "2026-10-20",
                14.5400,
                -4.0900,
                &["integrity.beating", "maladministration.confiscated_documents"],
                "gendarmerie",
            ),
        );
        assert_eq!(status_of(public, &receipt)["status"], "received");

        // 2. Triage: the queue, the report (audited), a new event, two allegations, routing.
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        let q = intake.get("/staff/triage").dispatch().into_string().unwrap();
        assert!(q.contains("href=\"/staff/reports/1\""), "the report is in the queue");
        let page = intake.get("/staff/reports/1").dispatch();
        assert_eq!(page.status(), Status::Ok);
        let page = page.into_string().unwrap();
        assert!(page.contains("battu mon frère"));
        // Reporter safety: the identity is the case's institution's, not the intake desk's.
        assert!(!page.contains("Fatoumata K.") && !page.contains("66 00 00 00"), "no identity for intake");
        assert!(page.contains("id=\"identity-withheld\""), "intake is told one was given");
        let (s, loc, _) = post(&intake, "/staff/reports/1/events", "title=Sévaré+poste&prior_approach=true");
        assert_eq!(s, Status::SeeOther, "{loc:?}");
        let event_path = loc.unwrap();
        let event_id: i32 = event_path.rsplit('/').next().unwrap().parse().unwrap();
        for (vt, children) in [("integrity.beating", ""), ("maladministration.confiscated_documents", "")] {
            let body = format!("violation_type={vt}&force=gendarmerie&involvement=carried_out&confidence=probable&victim_count=1{children}");
            let (s, _, _) = post(&intake, &format!("/staff/events/{event_id}/allegations"), &body);
            assert_eq!(s, Status::SeeOther);
        }
        let (s, _, _) = post(&intake, &format!("/staff/events/{event_id}/route"), "");
        assert_eq!(s, Status::SeeOther);
        let mut c = app.db.conn();
        type Routed = (i32, Option<i32>, Option<i32>, Option<String>);
        let routed: Vec<Routed> = allegations::table
            .order(allegations::id)
            .select((
                allegations::id,
                allegations::case_id,
                allegations::routing_rule_id,
                allegations::routing_fact,
            ))
            .load(&mut c)
            .unwrap();
        assert_eq!(routed.len(), 2);
        assert!(
            routed.iter().all(|a| a.1.is_some() && a.2.is_some()),
            "each decision records its rule: {routed:?}"
        );
        // Stored as facts, not as a sentence in one language.
        assert!(
            routed[1].3.as_deref().unwrap().contains(r#"{"on":"prior_approach","value":"yes"}"#),
            "{:?}",
            routed[1].3
        );
        let case_rows: Vec<(i32, i32)> =
            cases::table.order(cases::id).select((cases::id, cases::institution_id)).load(&mut c).unwrap();
        assert_eq!(case_rows.len(), 2, "one case per institution");
        let cndh_case = routed[0].1.unwrap();
        let med_case = routed[1].1.unwrap();
        assert_ne!(cndh_case, med_case);
        assert_eq!(status_of(public, &receipt)["status"], "forwarded");
        let st = status_of(public, &receipt);
        assert_eq!(st["forwarded_to"].as_array().unwrap().len(), 2);

        // 3. Each institution sees only its own case.
        let investigator = client(&app);
        sign_in(&investigator, "inv@cndh.ml", PW);
        let ombud = client(&app);
        sign_in(&ombud, "om@mediateur.ml", PW);
        let case_page = investigator.get(format!("/staff/cases/{cndh_case}")).dispatch();
        assert_eq!(case_page.status(), Status::Ok);
        let case_page = case_page.into_string().unwrap();
        assert!(
            case_page.contains("Fatoumata K.") && case_page.contains("+223 66 00 00 00"),
            "the institution sees it"
        );
        let report_page = investigator.get("/staff/reports/1").dispatch().into_string().unwrap();
        assert!(report_page.contains("Fatoumata K.") && report_page.contains("+223 66 00 00 00"));
        assert_eq!(
            investigator.get(format!("/staff/cases/{med_case}")).dispatch().status(),
            Status::NotFound
        );
        assert_eq!(ombud.get(format!("/staff/cases/{med_case}")).dispatch().status(), Status::Ok);
        assert_eq!(ombud.get(format!("/staff/cases/{cndh_case}")).dispatch().status(), Status::NotFound);
        let page = investigator.get(format!("/staff/cases/{cndh_case}")).dispatch().into_string().unwrap();
        assert!(
            page.contains("allegation-1") && !page.contains("allegation-2"),
            "only the allegation routed here"
        );
        let list = investigator.get("/staff/cases?scope=institution").dispatch().into_string().unwrap();
        assert!(
            list.contains(&format!("/staff/cases/{cndh_case}\""))
                && !list.contains(&format!("/staff/cases/{med_case}\""))
        );

        // 4. The CNDH works its case.
        let base = format!("/staff/cases/{cndh_case}");
        assert_eq!(
            post(&investigator, &format!("{base}/assign"), &format!("user_id={inv}")).0,
            Status::SeeOther
        );
        let mail: (String, String) = mail_outbox::table
            .filter(mail_outbox::kind.eq("case-assigned"))
            .select((mail_outbox::to_addr, mail_outbox::body))
            .first(&mut c)
            .unwrap();
        assert_eq!(mail.0, "inv@cndh.ml");
        assert!(
            mail.1.contains(&format!("/staff/cases/{cndh_case}"))
                && !mail.1.contains("Sévaré")
                && !mail.1.contains("Fatoumata")
        );
        for to in ["acknowledged", "triage", "assigned", "investigation"] {
            let (s, _, body) =
                post(&investigator, &format!("{base}/transition"), &format!("to={to}&reason="));
            assert_eq!(s, Status::SeeOther, "→ {to}: {body}");
        }
        assert_eq!(status_of(public, &receipt)["status"], "investigation");
        // A refused step says why.
        let (s, _, body) = post(&investigator, &format!("{base}/transition"), "to=closed&reason=x");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(body.contains("pas possible"), "{body}");
        assert_eq!(
            post(&investigator, &format!("{base}/transition"), "to=findings&reason=").0,
            Status::SeeOther
        );
        let (s, _, _) = post(&investigator, &format!("{base}/findings"), "allegation_id=1&disposition=substantiated&standard=balance+of+probabilities&reasoning=Certificat+m%C3%A9dical+et+deux+t%C3%A9moins");
        assert_eq!(s, Status::SeeOther);
        // The other institution's allegation cannot be decided from here.
        let (s, _, _) = post(
            &investigator,
            &format!("{base}/findings"),
            "allegation_id=2&disposition=unfounded&reasoning=x",
        );
        assert_eq!(s, Status::NotFound);
        assert_eq!(
            post(
                &investigator,
                &format!("{base}/recommendations"),
                "addressee=Direction+de+la+Gendarmerie&content=Sanction+disciplinaire&due_on=2027-03-01"
            )
            .0,
            Status::SeeOther
        );
        // Issue 10, item 12: sending the recommendation is the step "recommendation sent",
        // and the one way on from there (awaiting the response) follows by itself.
        let st: String = cases::table.find(cndh_case).select(cases::status).first(&mut c).unwrap();
        assert_eq!(st, "awaiting_response");
        let due: Option<chrono::NaiveDate> =
            cases::table.find(cndh_case).select(cases::response_due_on).first(&mut c).unwrap();
        assert!(due.is_some(), "the 90-day response deadline starts");
        let (s, _, _) = post(
            &investigator,
            &format!("{base}/messages"),
            "report_id=1&body=Nous+avons+transmis+une+recommandation.",
        );
        assert_eq!(s, Status::SeeOther);

        // 5. The reporter sees the status and the message; their answer reaches the assignee.
        let st = status_of(public, &receipt);
        assert_eq!(st["status"], "investigation");
        let msgs = st["messages"].as_array().unwrap();
        assert!(msgs
            .iter()
            .any(|m| m["from"] == "staff" && m["body"].as_str().unwrap().contains("recommandation")));
        let r = public
            .post("/api/v1/receipts/messages")
            .header(ContentType::JSON)
            .body(json!({"receipt": receipt, "body": "Merci. Mon frère va mieux."}).to_string())
            .dispatch();
        assert_eq!(r.status(), Status::Created);
        // The reporter's audit entries and the mail they cause are written later, at random
        // (issue #9, item 6): here, as the worker would hours later.
        let later = chrono::Utc::now().naive_utc() + chrono::Duration::hours(29);
        vigie::audit::flush_reporter_events(&mut c, later).unwrap();
        let (to, body): (String, String) = mail_outbox::table
            .filter(mail_outbox::kind.eq("reporter-message"))
            .select((mail_outbox::to_addr, mail_outbox::body))
            .first(&mut c)
            .unwrap();
        assert_eq!(to, "inv@cndh.ml");
        assert!(!body.contains("Mon frère"), "mail carries a link, never the message");

        // 6. Everything is in the audit chain, which still verifies.
        let actions: Vec<String> = audit_log::table.select(audit_log::action).load(&mut c).unwrap();
        for a in [
            "report.create",
            "report.view",
            "event.create",
            "allegation.create",
            "allegation.route",
            "case.open",
            "case.view",
            "case.assign",
            "case.transition",
            "case.finding",
            "case.recommendation",
            "case.message",
            "report.message",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} missing from the audit log");
        }
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

#[test]
fn the_seeded_routing_rules_send_each_allegation_to_its_body() {
    each_engine(|engine| {
        let app = app(engine);
        let mut c = app.db.conn();
        let rules = vigie::routing::model::load(&mut c).unwrap();
        let decide = |group: &str, t: &str, prior: bool, court: bool, children: bool| {
            let facts = vigie::routing::Facts {
                violation_group: group.into(),
                violation_type: t.into(),
                force: "police".into(),
                prior_approach: prior,
                court_pending: court,
                children_involved: children,
            };
            vigie::routing::decide(&rules, &facts).expect("a rule fires").destination
        };
        for (g, t) in [
            ("life", "life.extrajudicial_execution"),
            ("integrity", "integrity.torture"),
            ("sexual", "sexual.rape"),
            ("liberty", "liberty.enforced_disappearance"),
            ("due_process", "due_process.forced_confession"),
            ("property", "property.extortion"),
            ("movement", "movement.blockade"),
            ("expression", "expression.journalist_arrest"),
            ("children", "children.recruitment"),
            ("obstruction", "obstruction.reprisals"),
            ("discrimination", "discrimination.profiling"),
        ] {
            assert_eq!(decide(g, t, false, false, false), "cndh", "{t}");
            assert_eq!(decide(g, t, true, true, true), "cndh", "{t} whatever the other facts");
        }
        let m = ("maladministration", "maladministration.undue_delay");
        assert_eq!(decide(m.0, m.1, true, false, false), "mediateur");
        assert_eq!(
            decide(m.0, m.1, true, true, false),
            "prosecutor",
            "nothing pending before a court goes to the Médiateur"
        );
        assert_eq!(decide(m.0, m.1, false, false, false), "cndh", "no prior approach: the CNDH receives it");
        // Every active seeded rule fires for some facts: none is dead.
        let mut fired = std::collections::HashSet::new();
        for g in &[
            "life",
            "integrity",
            "sexual",
            "liberty",
            "due_process",
            "property",
            "movement",
            "expression",
            "children",
            "obstruction",
            "discrimination",
            "maladministration",
            "other",
        ] {
            for prior in [false, true] {
                for court in [false, true] {
                    for children in [false, true] {
                        let facts = vigie::routing::Facts {
                            violation_group: g.to_string(),
                            violation_type: format!("{g}.x"),
                            force: "police".into(),
                            prior_approach: prior,
                            court_pending: court,
                            children_involved: children,
                        };
                        if let Some(d) = vigie::routing::decide(&rules, &facts) {
                            fired.insert(d.rule_id);
                        }
                    }
                }
            }
        }
        let active: Vec<i32> = rules
            .iter()
            .filter(|r| r.active && r.violation_type.is_none() && r.force.is_none())
            .map(|r| r.id)
            .collect();
        for id in active {
            assert!(fired.contains(&id), "rule {id} never fires");
        }
    });
}

#[test]
fn an_intake_officer_overrides_routing_only_with_a_written_reason() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        file_report(
            &app.client,
            report_json(
                "Un militaire a tué un berger près de Gao.",
                "2026-09-01",
                16.27,
                -0.04,
                &["life.extrajudicial_execution"],
                "fama_army",
            ),
        );
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        post(&intake, "/staff/reports/1/events", "title=Gao");
        post(&intake, "/staff/events/1/allegations", "violation_type=life.extrajudicial_execution&force=fama_army&involvement=carried_out&confidence=possible");
        post(&intake, "/staff/events/1/route", "");
        let (s, _, _) =
            post(&intake, "/staff/allegations/1/override", "destination=military_justice&reason=");
        assert_eq!(s, Status::UnprocessableEntity);
        // An unknown destination (issue 11): the event page again, with the reason as typed
        // and the message at the destination, not a bare 400.
        let (s, _, page) =
            post(&intake, "/staff/allegations/1/override", "destination=nowhere&reason=Motif+saisi");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(
            page.contains("id=\"override-destination-error-1\"") && page.contains("Destination inconnue"),
            "{page}"
        );
        assert!(page.contains("value=\"Motif saisi\""), "the reason as typed");
        let (s, _, _) = post(
            &intake,
            "/staff/allegations/1/override",
            "destination=military_justice&reason=Crime+commis+en+op%C3%A9ration+militaire",
        );
        assert_eq!(s, Status::SeeOther);
        let mut c = app.db.conn();
        let (over, rule): (Option<String>, Option<i32>) = allegations::table
            .find(1)
            .select((allegations::override_reason, allegations::routing_rule_id))
            .first(&mut c)
            .unwrap();
        assert_eq!(over.as_deref(), Some("Crime commis en opération militaire"));
        assert_eq!(rule, None);
        let n: i64 = audit_log::table
            .filter(audit_log::action.eq("allegation.override"))
            .count()
            .get_result(&mut c)
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            count(&app.db, "cases"),
            1,
            "the military justice case opens; the CNDH case, left with nothing and untouched, is withdrawn"
        );
        // Least privilege: the typed reason is in the log for the auditors; an admin, who reads
        // no case content, sees that a reason was typed, not what.
        add_user(&app.db, "admin@cndh.ml", "admin", None);
        add_user(&app.db, "auditor@cndh.ml", "auditor", None);
        let log = |email: &str| {
            let c = client(&app);
            sign_in(&c, email, PW);
            let r = c.get("/staff/audit?action=allegation.override").dispatch();
            assert_eq!(r.status(), Status::Ok);
            r.into_string().unwrap()
        };
        let (admin, auditor) = (log("admin@cndh.ml"), log("auditor@cndh.ml"));
        assert!(auditor.contains("Crime commis en opération militaire"), "{auditor}");
        assert!(!admin.contains("Crime commis"), "{admin}");
        assert!(
            admin.contains("lisible par les auditeurs seulement") && admin.contains("to=military_justice")
        );
    });
}

/// An intake officer corrects an allegation recorded wrong (a force typed in haste, the wrong
/// violation type), with a written reason, until a finding is recorded on it: the form keeps
/// what was typed when refused, a correction made from a page drawn before another one is
/// refused, the unit of the force it no longer names is untied (its training count follows),
/// the public statistics' data version moves, the audit log holds what changed, and the event
/// page says where the rules would now send it.
#[test]
fn an_intake_officer_corrects_an_allegation_with_a_reason_until_a_finding() {
    use vigie::schema::{forces, stats_changes, training_counts, units};
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        file_report(
            &app.client,
            report_json(
                "Les policiers ont gardé ma carte et m'ont retenu au poste de Kayes.",
                "2026-09-01",
                14.4469,
                -11.4445,
                &["liberty.arbitrary_arrest"],
                "police",
            ),
        );
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        post(&intake, "/staff/reports/1/events", "title=Kayes&prior_approach=true");
        post(
            &intake,
            "/staff/events/1/allegations",
            "violation_type=liberty.arbitrary_arrest&force=police&confidence=probable&unit=Commissariat+1",
        );
        post(&intake, "/staff/events/1/route", "");
        let mut c = app.db.conn();
        let police: i32 =
            forces::table.filter(forces::code.eq("police")).select(forces::id).first(&mut c).unwrap();
        let unit: i32 = diesel::insert_into(units::table)
            .values((
                units::force_id.eq(police),
                units::name.eq("Commissariat 1"),
                units::search_key.eq("commissariat1"),
            ))
            .returning(units::id)
            .get_result(&mut c)
            .unwrap();
        let (s, _, _) = post(&intake, "/staff/allegations/1/unit", &format!("unit={unit}"));
        assert_eq!(s, Status::SeeOther);
        let counted = |c: &mut vigie::db::DbConn| -> i64 {
            let n: Option<i64> = training_counts::table
                .filter(training_counts::unit_id.eq(unit))
                .select(diesel::dsl::sum(training_counts::pending))
                .first(c)
                .unwrap();
            n.unwrap_or(0)
        };
        assert_eq!(counted(&mut c), 1, "probable, under investigation: counted for the unit");
        let row = |c: &mut vigie::db::DbConn| -> (i32, Option<i32>, String) {
            allegations::table
                .find(1)
                .inner_join(forces::table)
                .select((allegations::violation_type_id, allegations::unit_id, forces::code))
                .first(c)
                .unwrap()
        };
        let before = row(&mut c);
        assert_eq!(before.2, "police");

        // The event page offers the correction; the page starts on the allegation as recorded.
        let ev = intake.get("/staff/events/1").dispatch().into_string().unwrap();
        assert!(ev.contains("href=\"/staff/allegations/1/correct\""), "{ev}");
        assert!(!ev.contains("id=\"rules-now-1\""), "routed by the rules, as the rules say");
        let form = intake.get("/staff/allegations/1/correct").dispatch();
        assert_eq!(form.status(), Status::Ok);
        let form = form.into_string().unwrap();
        assert!(form.contains("<option value=\"police\" selected>"), "{form}");
        assert!(form.contains("value=\"Commissariat 1\"") && form.contains("id=\"tied-unit\""));
        let start = form.find("name=\"seen\" value=\"").unwrap() + "name=\"seen\" value=\"".len();
        let seen = form[start..].split('"').next().unwrap().to_string();
        let stats_before: i64 = stats_changes::table.count().get_result(&mut c).unwrap();

        // No reason: refused, the form as typed, nothing changed.
        let body = |reason: &str, seen: &str| {
            format!(
                "violation_type=maladministration.confiscated_documents&force=gendarmerie&unit=Brigade+de+Kayes\
                 &confidence=probable&victim_count=1&seen={seen}&reason={reason}"
            )
        };
        let (s, _, page) = post(&intake, "/staff/allegations/1/correct", &body("", &seen));
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(
            page.contains("id=\"reason-error\"") && page.contains("Écrivez pourquoi vous corrigez"),
            "{page}"
        );
        assert!(
            page.contains("<option value=\"gendarmerie\" selected>")
                && page.contains("value=\"Brigade de Kayes\"")
        );
        // A count that is no count: refused at its field.
        let (s, _, page) = post(
            &intake,
            "/staff/allegations/1/correct",
            &body("Erreur", &seen).replace("victim_count=1", "victim_count=beaucoup"),
        );
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("id=\"victim_count-error\"") && page.contains("value=\"beaucoup\""), "{page}");
        // A refused form keeps the fingerprint it was drawn with: a correction made meanwhile
        // is still caught when it is sent again.
        let (_, _, page) = post(&intake, "/staff/allegations/1/correct", &body("", "0123abcd"));
        assert!(page.contains("name=\"seen\" value=\"0123abcd\""), "{page}");
        // From a page drawn before another correction: refused, nothing laid over it.
        let (s, _, page) = post(&intake, "/staff/allegations/1/correct", &body("Erreur", "0123abcd"));
        assert_eq!(s, Status::Conflict);
        assert!(
            page.contains("a changé depuis l&#x27;affichage") && page.contains("value=\"Brigade de Kayes\""),
            "{page}"
        );
        assert_eq!(row(&mut c), before, "nothing changed by a refused correction");
        assert_eq!(
            audit_log::table
                .filter(audit_log::action.eq("allegation.correct"))
                .count()
                .get_result::<i64>(&mut c),
            Ok(0)
        );

        // The correction: another type and another force.
        let (s, loc, _) = post(
            &intake,
            "/staff/allegations/1/correct",
            &body("Le+t%C3%A9moin+a+pr%C3%A9cis%C3%A9+%3A+gendarmes%2C+carte+confisqu%C3%A9e", &seen),
        );
        assert_eq!((s, loc.as_deref()), (Status::SeeOther, Some("/staff/events/1")));
        let after = row(&mut c);
        assert_eq!(after.2, "gendarmerie");
        assert_ne!(after.0, before.0, "another violation type");
        assert_eq!(after.1, None, "a police unit is no gendarmerie allegation's unit");
        assert_eq!(counted(&mut c), 0, "the unit's count follows");
        let stats_after: i64 = stats_changes::table.count().get_result(&mut c).unwrap();
        assert!(stats_after > stats_before, "the public statistics' data version moves");
        let details: String = audit_log::table
            .filter(audit_log::action.eq("allegation.correct"))
            .select(audit_log::details)
            .first(&mut c)
            .unwrap();
        assert!(
            details.contains("type liberty.arbitrary_arrest → maladministration.confiscated_documents")
                && details.contains("force police → gendarmerie")
                && details.contains("unit description changed")
                && details.contains("unit untied")
                && details.contains("carte confisquée"),
            "{details}"
        );
        assert!(!details.contains("Brigade de Kayes"), "free text is not copied into the log: {details}");
        let ev = intake.get("/staff/events/1").dispatch().into_string().unwrap();
        assert!(ev.contains("détachée de son unité"), "{ev}");
        // Maladministration, the administration approached first: the rules now say Médiateur;
        // the allegation stays where it is until the officer moves it.
        let rules_now = ev.split("id=\"rules-now-1\">").nth(1).expect("the rules' new answer is shown");
        assert!(
            rules_now.starts_with("Les règles l&#x27;orienteraient aujourd&#x27;hui vers : Médiateur"),
            "{rules_now}"
        );
        assert_eq!(count(&app.db, "cases"), 1, "no case moved by itself");

        // The same values again: nothing said to the log.
        let form = intake.get("/staff/allegations/1/correct").dispatch().into_string().unwrap();
        let start = form.find("name=\"seen\" value=\"").unwrap() + "name=\"seen\" value=\"".len();
        let seen = form[start..].split('"').next().unwrap().to_string();
        let (s, _, _) = post(&intake, "/staff/allegations/1/correct", &body("Encore", &seen));
        assert_eq!(s, Status::SeeOther);
        let ev = intake.get("/staff/events/1").dispatch().into_string().unwrap();
        assert!(ev.contains("Rien n&#x27;a changé"), "{ev}");
        assert_eq!(
            audit_log::table
                .filter(audit_log::action.eq("allegation.correct"))
                .count()
                .get_result::<i64>(&mut c),
            Ok(1)
        );

        // A case worker may not correct it: 404, as every record they may not touch.
        let inv = client(&app);
        sign_in(&inv, "inv@cndh.ml", PW);
        assert_eq!(inv.get("/staff/allegations/1/correct").dispatch().status(), Status::NotFound);

        // A finding recorded: the page says so, without a form, and a correction is refused.
        let disposition: i32 =
            vigie::schema::dispositions::table.select(vigie::schema::dispositions::id).first(&mut c).unwrap();
        diesel::update(allegations::table.find(1))
            .set(allegations::disposition_id.eq(Some(disposition)))
            .execute(&mut c)
            .unwrap();
        let page = intake.get("/staff/allegations/1/correct").dispatch().into_string().unwrap();
        assert!(page.contains("id=\"finding\"") && !page.contains("id=\"correct\""), "{page}");
        let (s, _, _) = post(
            &intake,
            "/staff/allegations/1/correct",
            &body("Encore", &seen).replace("gendarmerie", "police"),
        );
        assert_eq!(s, Status::Conflict);
        assert_eq!(row(&mut c).2, "gendarmerie");
        let ev = intake.get("/staff/events/1").dispatch().into_string().unwrap();
        assert!(!ev.contains("href=\"/staff/allegations/1/correct\"") && !ev.contains("id=\"rules-now-1\""));
    });
}

/// At the step "assigned" the case is handed to someone else, not to nobody: it stayed
/// "assigned" with nobody holding it. Before and after that step, nobody is allowed.
#[test]
fn a_case_at_the_step_assigned_cannot_be_given_to_nobody() {
    each_engine(|engine| {
        let app = app(engine);
        let (_intake, inv, inv_id) = routed_case(&app);
        let other = add_user(&app.db, "inv2@cndh.ml", "investigator", Some("cndh"));
        for to in ["acknowledged", "triage"] {
            assert_eq!(
                post(&inv, "/staff/cases/1/transition", &format!("to={to}")).0,
                Status::SeeOther,
                "{to}"
            );
        }
        assert_eq!(post(&inv, "/staff/cases/1/assign", "user_id=").0, Status::SeeOther, "nobody, at triage");
        assert_eq!(post(&inv, "/staff/cases/1/assign", &format!("user_id={inv_id}")).0, Status::SeeOther);
        assert_eq!(post(&inv, "/staff/cases/1/transition", "to=assigned").0, Status::SeeOther);
        let entries = || -> i64 {
            audit_log::table
                .filter(audit_log::action.eq("case.assign"))
                .count()
                .get_result(&mut app.db.conn())
                .unwrap()
        };
        let before = entries();
        let (s, _, page) = post(&inv, "/staff/cases/1/assign", "user_id=");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(
            page.contains("quelqu'un tient le dossier") || page.contains("quelqu&#x27;un tient le dossier"),
            "{page}"
        );
        assert_eq!(entries(), before, "nothing written");
        let (status, assignee): (String, Option<i32>) = cases::table
            .find(1)
            .select((cases::status, cases::assignee_id))
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!((status.as_str(), assignee), ("assigned", Some(inv_id)));
        // Handed to someone else: taken.
        assert_eq!(post(&inv, "/staff/cases/1/assign", &format!("user_id={other}")).0, Status::SeeOther);
    });
}

/// The routing rules' form (admin): a rule on codes of the lists is saved and audited; a code
/// that is in no list (or a type of another group) would never fire and is refused, naming it,
/// with nothing written.
#[test]
fn a_routing_rule_on_a_code_of_no_list_is_refused() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "admin@cndh.ml", "admin", None);
        let admin = client(&app);
        sign_in(&admin, "admin@cndh.ml", PW);
        let rules = || count(&app.db, "routing_rules");
        let before = rules();
        let rule = |group: &str, vt: &str, force: &str| {
            format!(
                "position=5&name=Essai&group={group}&violation_type={vt}&force={force}&destination=cndh\
                 &basis_fr=Loi&basis_en=Law&active=true"
            )
        };
        for (body, code) in [
            (rule("nowhere", "", ""), "nowhere"),
            (rule("", "integrity.nothing", ""), "integrity.nothing"),
            (rule("life", "integrity.torture", ""), "integrity.torture"),
            (rule("", "", "martians"), "martians"),
        ] {
            let (s, _, page) = post(&admin, "/staff/admin/routing", &body);
            assert_eq!(s, Status::UnprocessableEntity, "{body}");
            assert!(
                page.contains(&format!("Code inconnu : \u{2068}{code}\u{2069}"))
                    || page.contains(&format!("Code inconnu : {code}")),
                "{page}"
            );
        }
        assert_eq!(rules(), before, "nothing written");
        let (s, _, _) =
            post(&admin, "/staff/admin/routing", &rule("integrity", "integrity.torture", "police"));
        assert_eq!(s, Status::SeeOther);
        assert_eq!(rules(), before + 1);
        let audited: i64 = audit_log::table
            .filter(audit_log::action.eq("routing.create"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(audited, 1);
    });
}

/// Least privilege: an institution whose case loses its last allegation by an override does
/// not keep the event. Untouched, the case is withdrawn and its investigators get 404 on the
/// case and the report; worked on (a note), it is finished as out of scope (suspended, after
/// the investigation began) and they keep what they worked on.
#[test]
fn a_case_left_without_allegations_by_an_override_is_withdrawn_or_finished() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        for place in ["Gao", "Tombouctou", "Kidal"] {
            file_report(
                &app.client,
                report_json(
                    &format!("Un militaire a tué un berger près de {place}."),
                    "2026-09-01",
                    16.27,
                    -0.04,
                    &["life.extrajudicial_execution"],
                    "fama_army",
                ),
            );
        }
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        let allegation = "violation_type=life.extrajudicial_execution&force=fama_army&involvement=carried_out&confidence=possible";
        // Event 1 has two allegations (1 and 3), event 2 one (2).
        for n in 1..=2 {
            post(&intake, &format!("/staff/reports/{n}/events"), "title=Lieu");
            post(&intake, &format!("/staff/events/{n}/allegations"), allegation);
        }
        post(&intake, "/staff/events/1/allegations", allegation);
        // Event 3 has one (4), on a case whose only work is an outcome typed.
        post(&intake, "/staff/reports/3/events", "title=Lieu");
        post(&intake, "/staff/events/3/allegations", allegation);
        for n in 1..=3 {
            assert_eq!(post(&intake, &format!("/staff/events/{n}/route"), "").0, Status::SeeOther);
        }
        let mut c = app.db.conn();
        let case_of = |c: &mut vigie::db::DbConn, event: i32| -> Option<(i32, String)> {
            cases::table
                .inner_join(vigie::schema::institutions::table)
                .filter(cases::event_id.eq(event))
                .filter(vigie::schema::institutions::code.eq("cndh"))
                .select((cases::id, cases::status))
                .first(c)
                .optional()
                .unwrap()
        };
        let (untouched, _) = case_of(&mut c, 1).expect("the CNDH case of event 1");
        let (worked, _) = case_of(&mut c, 2).expect("the CNDH case of event 2");
        let inv = client(&app);
        sign_in(&inv, "inv@cndh.ml", PW);
        let status = |path: &str| inv.get(path.to_string()).dispatch().status();
        for path in
            [format!("/staff/cases/{untouched}"), "/staff/reports/1".into(), format!("/staff/cases/{worked}")]
        {
            assert_eq!(status(&path), Status::Ok, "{path} before");
        }
        let (s, _, _) = post(&inv, &format!("/staff/cases/{worked}/notes"), "body=Témoin+à+rappeler");
        assert_eq!(s, Status::SeeOther);
        let (typed, _) = case_of(&mut c, 3).expect("the CNDH case of event 3");
        let (s, _, _) =
            post(&inv, &format!("/staff/cases/{typed}/outcome"), "recommended=Sanction+disciplinaire");
        assert_eq!(s, Status::SeeOther);
        let send = |allegation: i32, to: &str| {
            let (s, _, _) = post(
                &intake,
                &format!("/staff/allegations/{allegation}/override"),
                &format!("destination={to}&reason=Hors+mandat"),
            );
            assert_eq!(s, Status::SeeOther);
        };

        // A case that keeps an allegation is left alone.
        send(1, "military_justice");
        assert_eq!(case_of(&mut c, 1), Some((untouched, "received".to_string())));
        assert_eq!(status("/staff/reports/1"), Status::Ok);
        // Its last allegation gone, the untouched case is withdrawn; the public statistics'
        // data version moves (a deleted case is a change).
        let version = |c: &mut vigie::db::DbConn| -> Option<i32> {
            use vigie::schema::stats_changes;
            stats_changes::table.select(diesel::dsl::max(stats_changes::id)).first(c).unwrap()
        };
        let before = version(&mut c);
        send(3, "military_justice");
        assert!(version(&mut c) > before, "the statistics see the withdrawal");
        assert_eq!(case_of(&mut c, 1), None, "the untouched case is withdrawn");
        assert_eq!(status(&format!("/staff/cases/{untouched}")), Status::NotFound);
        assert_eq!(
            status("/staff/reports/1"),
            Status::NotFound,
            "the report of an event CNDH no longer holds"
        );
        let cases_page = inv.get("/staff/cases").dispatch().into_string().unwrap();
        assert!(!cases_page.contains(&format!("href=\"/staff/cases/{untouched}\"")), "not listed");
        // The worked case is finished as out of scope; its workers keep what they did.
        send(2, "mediateur");
        assert_eq!(case_of(&mut c, 2), Some((worked, "out_of_scope".to_string())));
        assert_eq!(status(&format!("/staff/cases/{worked}")), Status::Ok, "its workers keep what they did");
        assert_eq!(status("/staff/reports/2"), Status::Ok, "and the report they worked on");
        // A report linked to the event afterwards is not theirs (found in review, session 19:
        // any case of the institution on the event, emptied or not, opened every report of it,
        // names and contacts included, and the case page offered to write to its reporter).
        file_report(
            &app.client,
            report_json(
                "Un autre témoin du meurtre près de Gao.",
                "2026-09-01",
                16.27,
                -0.04,
                &["life.extrajudicial_execution"],
                "fama_army",
            ),
        );
        assert_eq!(post(&intake, "/staff/reports/4/link", "event_id=2").0, Status::SeeOther);
        assert_eq!(status("/staff/reports/4"), Status::NotFound, "linked after the case was emptied");
        let page = inv.get(format!("/staff/cases/{worked}")).dispatch().into_string().unwrap();
        assert!(page.contains("href=\"/staff/reports/2\""), "{page}");
        assert!(!page.contains("href=\"/staff/reports/4\""), "not on the case page");
        let (s, _, _) = post(&inv, &format!("/staff/cases/{worked}/messages"), "report_id=4&body=Bonjour");
        assert_ne!(s, Status::SeeOther, "nor written to");
        let written: i64 = vigie::schema::messages::table
            .filter(vigie::schema::messages::report_id.eq(4))
            .count()
            .get_result(&mut c)
            .unwrap();
        assert_eq!(written, 0);
        // An outcome typed is work too: finished, not deleted with what was typed.
        send(4, "mediateur");
        assert_eq!(case_of(&mut c, 3), Some((typed, "out_of_scope".to_string())));
        // After routing and every override, each allegation's destination is its case's
        // institution: a case worker's analytics count by destination (migration 000061).
        let routed: Vec<(Option<i32>, Option<i32>)> = allegations::table
            .left_join(cases::table)
            .select((allegations::destination_id, cases::institution_id.nullable()))
            .load(&mut c)
            .unwrap();
        assert_eq!(routed.len(), 4);
        assert!(routed.iter().all(|(to, of_case)| to.is_some() && to == of_case), "{routed:?}");
        let audited: Vec<(String, String, String)> = audit_log::table
            .filter(audit_log::object_type.eq("case"))
            .filter(audit_log::action.eq_any(["case.withdraw", "case.transition"]))
            .select((audit_log::action, audit_log::object_id, audit_log::details))
            .load(&mut c)
            .unwrap();
        let withdrawn: Vec<_> = audited.iter().filter(|(a, _, _)| a == "case.withdraw").collect();
        assert_eq!(withdrawn.len(), 1, "{audited:?}");
        assert!(*withdrawn[0].1 == untouched.to_string() && withdrawn[0].2.contains("military_justice"));
        assert!(
            audited.iter().any(|(a, id, d)| a == "case.transition"
                && *id == worked.to_string()
                && d.contains("received → out_of_scope")),
            "{audited:?}"
        );
    });
}

#[test]
fn duplicate_candidates_are_ranked_with_reasons_and_merging_keeps_reports_untouched() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        let near = |n: &str| {
            report_json(n, "2026-08-10", 14.4843, -4.1830, &["integrity.torture"], "national_guard")
        };
        file_report(&app.client, near("Premier récit de la torture au camp de Mopti."));
        let mut second = near("Deuxième témoin : le même soir, au camp de Mopti.");
        second["location"] = json!({"lat": 14.50, "lon": -4.20});
        second["occurred_on"] = json!("2026-08-11");
        file_report(&app.client, second);
        file_report(
            &app.client,
            report_json(
                "Autre chose, ailleurs, bien plus tard.",
                "2026-10-30",
                12.64,
                -8.0,
                &["property.looting"],
                "police",
            ),
        );
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        let page = intake.get("/staff/reports/1").dispatch().into_string().unwrap();
        let table = page.split("id=\"candidates\"").nth(1).expect("candidates listed");
        assert!(
            table.contains("/staff/reports/2") && !table.contains("/staff/reports/3"),
            "only the near one"
        );
        assert!(table.contains("même force") && table.contains("km"), "reasons shown");
        post(&intake, "/staff/reports/1/events", "title=Camp+de+Mopti");
        // Report 2 now sees the event as a candidate and is linked to it.
        let page = intake.get("/staff/reports/2").dispatch().into_string().unwrap();
        assert!(page.contains("/staff/events/1"));
        let mut c = app.db.conn();
        let before: String = reports::table.find(2).select(reports::narrative).first(&mut c).unwrap();
        let (s, _, _) = post(&intake, "/staff/reports/2/link", "event_id=1");
        assert_eq!(s, Status::SeeOther);
        let (after, ev): (String, Option<i32>) =
            reports::table.find(2).select((reports::narrative, reports::event_id)).first(&mut c).unwrap();
        assert_eq!((after, ev), (before, Some(1)));
        let n: i64 = events::table.count().get_result(&mut c).unwrap();
        assert_eq!(n, 1);
    });
}

#[test]
fn the_queue_filters_and_pages_oldest_first() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        for i in 0..60 {
            let (lat, lon, force) =
                if i % 2 == 0 { (16.27, -0.04, "police") } else { (12.64, -8.0, "gendarmerie") };
            file_report(
                &app.client,
                report_json(
                    &format!("Récit numéro {i} assez long."),
                    "2026-07-01",
                    lat,
                    lon,
                    &["property.extortion"],
                    force,
                ),
            );
        }
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        let first = intake.get("/staff/triage").dispatch().into_string().unwrap();
        assert!(first.contains("href=\"/staff/reports/1\"") && !first.contains("href=\"/staff/reports/51\""));
        let next = first
            .split("id=\"next-page\" href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        let second = intake.get(next).dispatch().into_string().unwrap();
        assert!(
            second.contains("href=\"/staff/reports/51\"") && !second.contains("href=\"/staff/reports/50\"")
        );
        let gao = intake.get("/staff/triage?region=ML-7").dispatch().into_string().unwrap();
        assert!(gao.contains("href=\"/staff/reports/1\"") && !gao.contains("href=\"/staff/reports/2\""));
        let g =
            intake.get("/staff/triage?force=gendarmerie&group=property").dispatch().into_string().unwrap();
        assert!(g.contains("href=\"/staff/reports/2\"") && !g.contains("href=\"/staff/reports/1\""));
        let none = intake.get("/staff/triage?group=sexual").dispatch().into_string().unwrap();
        assert!(!none.contains("href=\"/staff/reports/"));
    });
}

#[test]
fn deadlines_come_in_one_daily_digest_per_person_with_links_only() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        add_user(&app.db, "inv1@cndh.ml", "investigator", Some("cndh"));
        add_user(&app.db, "inv2@cndh.ml", "investigator", Some("cndh"));
        file_report(
            &app.client,
            report_json(
                "Arrestation sans motif à Kayes, détenu depuis.",
                "2026-09-01",
                14.4469,
                -11.4445,
                &["liberty.arbitrary_arrest"],
                "police",
            ),
        );
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        post(&intake, "/staff/reports/1/events", "title=Kayes");
        post(&intake, "/staff/events/1/allegations", "violation_type=liberty.arbitrary_arrest&force=police");
        post(&intake, "/staff/events/1/route", "");
        let mut c = app.db.conn();
        let today = chrono::Utc::now().date_naive();
        diesel::update(cases::table)
            .set((
                cases::acknowledge_by.eq(Some(today - chrono::Duration::days(1))),
                cases::triage_by.eq(Some(today + chrono::Duration::days(1))),
            ))
            .execute(&mut c)
            .unwrap();
        let db = app.client.rocket().state::<vigie::db::Db>().unwrap();
        let catalog = app.client.rocket().state::<std::sync::Arc<vigie::i18n::Catalog>>().unwrap();
        let config = app.client.rocket().state::<std::sync::Arc<vigie::config::Config>>().unwrap();
        assert_eq!(
            vigie::cases::remind(db, catalog, config, today).unwrap(),
            2,
            "unassigned: one digest for each CNDH case worker, with both deadlines"
        );
        assert_eq!(vigie::cases::remind(db, catalog, config, today).unwrap(), 0, "one a day");
        let mails: Vec<(String, String, String)> = mail_outbox::table
            .filter(mail_outbox::kind.eq("digest"))
            .select((mail_outbox::to_addr, mail_outbox::subject, mail_outbox::body))
            .load(&mut c)
            .unwrap();
        assert_eq!(mails.len(), 2, "{mails:?}");
        for (_, subject, body) in &mails {
            assert!(subject.contains("(2)"), "{subject}");
            assert!(body.contains("/staff/cases/1") && body.contains("dépassée"), "{body}");
            assert!(!body.contains("Kayes") && !body.contains("Arrestation"), "links only: {body}");
        }
        // The next day: a new digest each. A person who switched it off gets none.
        let inv2: i32 = vigie::schema::users::table
            .filter(vigie::schema::users::email.eq("inv2@cndh.ml"))
            .select(vigie::schema::users::id)
            .first(&mut c)
            .unwrap();
        vigie::auth::User::set_digest(&mut c, inv2, false).unwrap();
        assert_eq!(vigie::cases::remind(db, catalog, config, today + chrono::Duration::days(1)).unwrap(), 1);
    });
}

#[test]
fn a_reminder_pass_at_national_scale_queues_at_most_one_mail_per_staff_member() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let out = vigie_cmd(&db, &["seed-synthetic", "--reports", "20000", "--seed", "3"], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let out = vigie_cmd(&db, &["remind"], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let staff = count(&db, "users");
        let mut c = db.conn();
        let per_person: Vec<(String, i64)> = mail_outbox::table
            .group_by(mail_outbox::to_addr)
            .select((mail_outbox::to_addr, diesel::dsl::count_star()))
            .load(&mut c)
            .unwrap();
        assert!(!per_person.is_empty(), "the synthetic cases have deadlines due: {}", text(&out));
        assert!(per_person.len() as i64 <= staff);
        assert!(per_person.iter().all(|(_, n)| *n == 1), "{per_person:?}");
        let again = vigie_cmd(&db, &["remind"], &[]);
        assert!(again.status.success());
        assert_eq!(
            count(&db, "mail_outbox"),
            per_person.len() as i64,
            "a second pass the same day adds none"
        );
        // A person with many cases due gets the most urgent fifty and a count of the others,
        // not a mail of megabytes (13 MB each at 1,000,000 reports, before the cap).
        let bodies: Vec<(String, String)> =
            mail_outbox::table.select((mail_outbox::subject, mail_outbox::body)).load(&mut c).unwrap();
        let mut capped = 0;
        for (subject, body) in &bodies {
            let listed = body.lines().filter(|l| l.contains("/staff/cases/")).count();
            assert!(listed <= vigie::cases::DIGEST_LINES, "{listed} lines listed");
            assert!(body.len() < 20_000, "{} bytes", body.len());
            if body.contains("/staff/cases?scope=institution") {
                capped += 1;
                assert_eq!(listed, vigie::cases::DIGEST_LINES);
                let total: usize = subject
                    .rsplit('(')
                    .next()
                    .and_then(|s| s.trim_end_matches(')').parse().ok())
                    .expect("the subject counts every entry");
                assert!(total > vigie::cases::DIGEST_LINES, "{subject}");
            }
        }
        assert!(capped > 0, "some synthetic workers have more than fifty cases due");
    });
}

/// Issue 10, item 9: a reporter's answer is marked unread on the case list and the case page
/// for each case worker until they open it, and listed (a link only) in the daily digest of
/// the institution's case workers when nobody is assigned.
#[test]
fn a_reporters_answer_is_marked_unread_and_reaches_the_digest_of_unassigned_cases() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        add_user(&app.db, "inv1@cndh.ml", "investigator", Some("cndh"));
        add_user(&app.db, "inv2@cndh.ml", "investigator", Some("cndh"));
        add_user(&app.db, "om@mediateur.ml", "ombudsman", Some("mediateur"));
        let receipt = file_report(
            &app.client,
            report_json(
                "Arrestation sans motif à Kayes, détenu depuis.",
                "2026-09-01",
                14.4469,
                -11.4445,
                &["liberty.arbitrary_arrest"],
                "police",
            ),
        );
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        post(&intake, "/staff/reports/1/events", "title=Kayes");
        post(
            &intake,
            "/staff/events/1/allegations",
            "violation_type=liberty.arbitrary_arrest&force=police&involvement=unknown&confidence=unknown",
        );
        post(&intake, "/staff/events/1/route", "");
        let mut c = app.db.conn();
        let today = chrono::Utc::now().date_naive();
        // No deadline is near: only the message can put the case in a digest.
        diesel::update(cases::table)
            .set((
                cases::acknowledge_by.eq(Some(today + chrono::Duration::days(20))),
                cases::triage_by.eq(Some(today + chrono::Duration::days(20))),
            ))
            .execute(&mut c)
            .unwrap();
        let (inv1, inv2) = (client(&app), client(&app));
        sign_in(&inv1, "inv1@cndh.ml", PW);
        sign_in(&inv2, "inv2@cndh.ml", PW);
        let list = inv1.get("/staff/cases?scope=institution").dispatch().into_string().unwrap();
        assert!(!list.contains("id=\"unread-1\""), "nothing unread yet");

        let r = app
            .client
            .post("/api/v1/receipts/messages")
            .header(ContentType::JSON)
            .body(json!({"receipt": receipt, "body": "Il est toujours détenu au commissariat."}).to_string())
            .dispatch();
        assert_eq!(r.status(), Status::Created);

        for who in [&inv1, &inv2] {
            let list = who.get("/staff/cases?scope=institution").dispatch().into_string().unwrap();
            assert!(list.contains("id=\"unread-1\"") && list.contains("1 message non lu"), "{list}");
        }
        let page = inv1.get("/staff/cases/1").dispatch().into_string().unwrap();
        assert!(page.contains("id=\"unread-report-1\""), "the case page marks the report");
        assert!(page.contains("La personne qui a signalé"), "who wrote, in words");
        let list = inv1.get("/staff/cases?scope=institution").dispatch().into_string().unwrap();
        assert!(!list.contains("id=\"unread-1\""), "read once opened");
        let list = inv2.get("/staff/cases?scope=institution").dispatch().into_string().unwrap();
        assert!(list.contains("id=\"unread-1\""), "still unread for the other worker");

        let db = app.client.rocket().state::<vigie::db::Db>().unwrap();
        let catalog = app.client.rocket().state::<std::sync::Arc<vigie::i18n::Catalog>>().unwrap();
        let config = app.client.rocket().state::<std::sync::Arc<vigie::config::Config>>().unwrap();
        assert_eq!(
            vigie::cases::remind(db, catalog, config, today).unwrap(),
            1,
            "one digest: the worker who has not read it; the other institution none"
        );
        let mails: Vec<(String, String)> = mail_outbox::table
            .filter(mail_outbox::kind.eq("digest"))
            .select((mail_outbox::to_addr, mail_outbox::body))
            .load(&mut c)
            .unwrap();
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].0, "inv2@cndh.ml");
        assert!(
            mails[0].1.contains("/staff/cases/1") && mails[0].1.contains("message non lu"),
            "{}",
            mails[0].1
        );
        assert!(!mails[0].1.contains("commissariat") && !mails[0].1.contains("Kayes"), "links only");
        // The thread says who wrote: the case worker's name and institution.
        let inv1_id: i32 = vigie::schema::users::table
            .filter(vigie::schema::users::email.eq("inv1@cndh.ml"))
            .select(vigie::schema::users::id)
            .first(&mut c)
            .unwrap();
        let name: String = vigie::schema::users::table
            .find(inv1_id)
            .select(vigie::schema::users::name)
            .first(&mut c)
            .unwrap();
        post(&inv1, "/staff/cases/1/messages", "report_id=1&body=Nous+suivons+votre+signalement.");
        let page = inv2.get("/staff/cases/1").dispatch().into_string().unwrap();
        let thread = page.split("class=\"msgs\"").nth(1).unwrap();
        assert!(thread.contains(&format!("{name} · Commission nationale")), "{thread}");
        let n: i64 =
            audit_log::table.filter(audit_log::action.eq("staff.digest")).count().get_result(&mut c).unwrap();
        assert_eq!(n, 1);
    });
}

/// Issue 10, item 11: the allegation form starts from the report's own violations and force;
/// involvement and confidence start on "unknown", never on a grave value.
#[test]
fn the_allegation_form_starts_from_the_report_and_on_unknown_for_grave_fields() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        file_report(
            &app.client,
            report_json(
                "Des policiers ont racketté les commerçants au poste de contrôle de Ségou.",
                "2026-09-01",
                13.43,
                -6.26,
                &["property.extortion", "liberty.arbitrary_arrest"],
                "police",
            ),
        );
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        post(&intake, "/staff/reports/1/events", "title=S%C3%A9gou");
        let page = intake.get("/staff/events/1").dispatch().into_string().unwrap();
        let form = page.split("id=\"add-allegation\"").nth(1).unwrap();
        let first = if form.contains("<option value=\"property.extortion\" selected>") {
            "property.extortion"
        } else {
            assert!(
                form.contains("<option value=\"liberty.arbitrary_arrest\" selected>"),
                "a reported violation"
            );
            "liberty.arbitrary_arrest"
        };
        let second =
            if first == "property.extortion" { "liberty.arbitrary_arrest" } else { "property.extortion" };
        assert!(form.contains("<option value=\"police\" selected>"), "the report's force");
        assert!(
            form.contains("<option value=\"unknown\" selected>"),
            "involvement and confidence on unknown"
        );
        assert!(
            !form.contains("value=\"carried_out\" selected")
                && !form.contains("value=\"confirmed\" selected")
        );
        assert!(!form.contains("<option value=\"life.extrajudicial_execution\" selected>"));
        // Once alleged, the form moves on to the report's next violation.
        post(&intake, "/staff/events/1/allegations", &format!("violation_type={first}&force=police"));
        let page = intake.get("/staff/events/1").dispatch().into_string().unwrap();
        let form = page.split("id=\"add-allegation\"").nth(1).unwrap();
        assert!(form.contains(&format!("<option value=\"{second}\" selected>")));
        let mut c = app.db.conn();
        let (inv, conf): (String, String) = allegations::table
            .find(1)
            .select((allegations::involvement, allegations::confidence))
            .first(&mut c)
            .unwrap();
        assert_eq!(
            (inv.as_str(), conf.as_str()),
            ("unknown", "unknown"),
            "no grave default on the server either"
        );
    });
}

/// Issue 10, item 12: fewer clicks to close a case. Deadlines show from day one, the list's
/// column says what it shows, assignment defaults to "me", confirms and enters the history, a
/// refused step comes back on the case page with the values and the message next to its field,
/// the reason label says which steps need one, and recording a recommendation or a response
/// moves the case on by itself.
#[test]
fn a_case_moves_on_with_fewer_clicks_and_says_what_it_did() {
    each_engine(|engine| {
        let app = app(engine);
        let (_intake, inv, inv_id) = routed_case(&app);
        let mut c = app.db.conn();
        let ack: chrono::NaiveDate =
            cases::table.find(1).select(cases::acknowledge_by).first::<Option<_>>(&mut c).unwrap().unwrap();

        let list = inv.get("/staff/cases?scope=institution").dispatch().into_string().unwrap();
        assert!(list.contains("Étape du dossier"), "the status column says what it shows");
        assert!(list.contains(&format!("accusé de réception : {ack}")), "deadlines from day one: {list}");
        let page = inv.get("/staff/cases/1").dispatch().into_string().unwrap();
        assert!(page.contains(&ack.to_string()) && page.contains("id=\"deadlines\""));
        assert!(
            page.contains(&format!("<option value=\"{inv_id}\" selected>")),
            "the assignee list starts on me"
        );
        assert!(page.contains("<option value=\"\">Personne</option>"), "and offers nobody");
        assert!(page.contains("Motif (requis pour : Irrecevable"), "the label says when a reason is needed");
        assert!(
            page.contains("Dossier ouvert par l&#x27;orientation")
                || page.contains("Dossier ouvert par l'orientation")
        );
        assert!(!page.contains(">routed<"), "no raw code in the history");

        // Assignment confirms and enters the history.
        let (s, loc, _) = post(&inv, "/staff/cases/1/assign", &format!("user_id={inv_id}"));
        assert_eq!((s, loc.as_deref()), (Status::SeeOther, Some("/staff/cases/1")));
        let page = inv.get("/staff/cases/1").dispatch().into_string().unwrap();
        assert!(page.contains("id=\"notice\"") && page.contains("Dossier attribué à"), "confirmed");
        let history = page.split("id=\"history\"").nth(1).unwrap();
        assert!(history.contains("Attribué à"), "in the history: {history}");

        // A refused step: the case page again, with the step chosen and the message at its field.
        let (s, _, body) = post(&inv, "/staff/cases/1/transition", "to=inadmissible&reason=+");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(
            body.contains("id=\"transition\"") && body.contains("class=\"staffnav\""),
            "its page, with the menu"
        );
        assert!(body.contains("id=\"treason-error\"") && body.contains("motif écrit"), "{body}");
        assert!(body.contains("<option value=\"inadmissible\" selected>"), "the value as chosen");

        for to in ["acknowledged", "triage", "assigned", "investigation", "findings"] {
            let (s, _, body) = post(&inv, "/staff/cases/1/transition", &format!("to={to}&reason="));
            assert_eq!(s, Status::SeeOther, "→ {to}: {body}");
        }
        let page = inv.get("/staff/cases/1").dispatch().into_string().unwrap();
        assert!(
            page.contains("Le dossier est passé à l&#x27;étape")
                || page.contains("Le dossier est passé à l'étape")
        );
        // Sending a recommendation moves the case to "recommendation sent", then "awaiting".
        let rec = "addressee=Direction+de+la+Police&content=Lib%C3%A9rer+le+d%C3%A9tenu";
        let (s, _, _) = post(&inv, "/staff/cases/1/recommendations", rec);
        assert_eq!(s, Status::SeeOther);
        // The same one again (a double press) is refused as recorded already.
        let (s, _, body) = post(&inv, "/staff/cases/1/recommendations", rec);
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(body.contains("déjà enregistrée"), "{body}");
        let recs: i64 = vigie::schema::recommendations::table.count().get_result(&mut c).unwrap();
        assert_eq!(recs, 1);
        let st: String = cases::table.find(1).select(cases::status).first(&mut c).unwrap();
        assert_eq!(st, "awaiting_response");
        let due: Option<chrono::NaiveDate> =
            cases::table.find(1).select(cases::response_due_on).first(&mut c).unwrap();
        assert!(due.is_some(), "the response deadline starts");
        // Recording the response moves it to "response received".
        let (s, _, _) =
            post(&inv, "/staff/cases/1/responses", "rec_id=1&response=D%C3%A9tenu+lib%C3%A9r%C3%A9");
        assert_eq!(s, Status::SeeOther);
        let st: String = cases::table.find(1).select(cases::status).first(&mut c).unwrap();
        assert_eq!(st, "response_received");
        // A response recorded is not overwritten by a stale form or a second press.
        let (s, _, body) = post(&inv, "/staff/cases/1/responses", "rec_id=1&response=Autre+chose");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(body.contains("a changé entre-temps"), "{body}");
        let kept: Option<String> = vigie::schema::recommendations::table
            .find(1)
            .select(vigie::schema::recommendations::response)
            .first(&mut c)
            .unwrap();
        assert_eq!(kept.as_deref(), Some("Détenu libéré"));
        let steps: Vec<String> = vigie::schema::case_transitions::table
            .filter(vigie::schema::case_transitions::case_id.eq(1))
            .order(vigie::schema::case_transitions::id)
            .select(vigie::schema::case_transitions::to_status)
            .load(&mut c)
            .unwrap();
        assert!(
            steps.ends_with(&[
                "findings".to_string(),
                "recommendation_sent".to_string(),
                "awaiting_response".to_string(),
                "response_received".to_string()
            ]),
            "{steps:?}"
        );
        assert!(vigie::audit::verify(&mut c).unwrap().is_ok());
    });
}

/// Issue 10, items 14 and 16: the queue says what it holds and in which order, with markers;
/// candidates show an excerpt; each triage action confirms; a refused one comes back on its
/// page with the menu, the values and a message at the field; routing is shown as its rule
/// and legal basis, never as the engine's trace or a raw code.
#[test]
fn triage_confirms_refuses_on_its_page_and_shows_words_not_codes() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        let near = |n: &str| {
            report_json(n, "2026-08-10", 14.4843, -4.1830, &["integrity.torture"], "national_guard")
        };
        file_report(&app.client, near("Premier récit de la torture au camp de Mopti, la nuit du dix août."));
        file_report(&app.client, near("Deuxième témoin : le même soir, au camp de Mopti, des cris."));
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);

        let q = intake.get("/staff/triage").dispatch().into_string().unwrap();
        assert!(q.contains("2 signalements"), "{q}");
        assert!(
            q.contains("les plus anciens d&#x27;abord") || q.contains("les plus anciens d'abord"),
            "the order said"
        );
        assert!(q.contains("À trier"), "admissibility in words");
        let newest = intake.get("/staff/triage?order=newest").dispatch().into_string().unwrap();
        assert!(newest.find("row-2").unwrap() < newest.find("row-1").unwrap(), "newest first");

        // The candidate shows an excerpt of the other report.
        let page = intake.get("/staff/reports/1").dispatch().into_string().unwrap();
        let cands = page.split("id=\"candidates\"").nth(1).unwrap();
        assert!(cands.contains("Deuxième témoin"), "excerpt: {cands}");
        assert!(page.contains("formulaire en ligne") || page.contains("application"), "channel in words");
        assert!(!page.contains("· api ·") && !page.contains("(map)"));

        // Refused: inadmissible without a reason.
        let (s, _, body) = post(&intake, "/staff/reports/1/admissibility", "decision=inadmissible&reason=");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(
            body.contains("class=\"staffnav\"") && body.contains("id=\"reason-error\""),
            "its page: {body}"
        );
        assert!(body.contains("<option value=\"inadmissible\" selected>"), "the value kept");
        assert!(body.contains("Un motif est requis"));
        // Refused: an event without a title; then opened, and confirmed.
        let (s, _, body) = post(&intake, "/staff/reports/1/events", "title=&summary=Nuit+du+10");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(body.contains("id=\"title-error\"") && body.contains("Nuit du 10"));
        let (s, loc, _) = post(&intake, "/staff/reports/1/events", "title=Camp+de+Mopti&prior_approach=true");
        assert_eq!(s, Status::SeeOther);
        let ev = intake.get(loc.unwrap()).dispatch().into_string().unwrap();
        assert!(ev.contains("id=\"notice\"") && ev.contains("Événement n° 1 ouvert"), "{ev}");
        // Refused: an allegation without a force comes back with the violation kept.
        let (s, _, body) =
            post(&intake, "/staff/events/1/allegations", "violation_type=integrity.torture&force=");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(
            body.contains("id=\"force-error\"")
                && body.contains("<option value=\"integrity.torture\" selected>")
        );
        post(&intake, "/staff/events/1/allegations", "violation_type=integrity.torture&force=national_guard");
        let (s, loc, _) = post(&intake, "/staff/events/1/route", "");
        assert_eq!(s, Status::SeeOther);
        let ev = intake.get(loc.unwrap()).dispatch().into_string().unwrap();
        assert!(ev.contains("1 allégation orientée"), "confirmed");
        let table = ev.split("id=\"allegations\"").nth(1).unwrap();
        assert!(table.contains("fondement"), "the legal basis: {table}");
        // The reason, stored as facts, in French words: the rule's position and the
        // condition that held, with the group's French label.
        assert!(
            table.contains("Règle 70 ") && table.contains("(groupe : Torture, coups et menaces)"),
            "{table}"
        );
        assert!(!table.contains("prior_approach=") && !table.contains("override by"), "no engine trace");
        // Refused: an override without a reason, on the event page.
        let (s, _, body) = post(&intake, "/staff/allegations/1/override", "destination=mediateur&reason=");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(body.contains("id=\"override-error-1\"") && body.contains("class=\"staffnav\""));
        let (s, loc, _) = post(
            &intake,
            "/staff/allegations/1/override",
            "destination=mediateur&reason=Mauvaise+administration",
        );
        assert_eq!(s, Status::SeeOther);
        let ev = intake.get(loc.unwrap()).dispatch().into_string().unwrap();
        assert!(ev.contains("réorientée"), "confirmed");
        assert!(
            ev.contains("Orientation décidée par l&#x27;agent du tri")
                || ev.contains("Orientation décidée par l'agent du tri")
        );
        // The queue marks the event and the report's admissibility.
        let q = intake.get("/staff/triage?status=all").dispatch().into_string().unwrap();
        assert!(q.contains("href=\"/staff/events/1\""), "event marker");
    });
}

/// Issue 10, item 16: in English, the staff pages of a case carry words, not codes, and no
/// French spacing before colons; the staff pages are marked for the desktop width.
#[test]
fn staff_pages_in_english_show_words_not_codes() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        file_report(
            &app.client,
            report_json(
                "Soldiers beat my brother at the Sevare post",
                "2026-10-20",
                14.54,
                -4.09,
                &["integrity.beating"],
                "gendarmerie",
            ),
        );
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        post(&intake, "/staff/reports/1/events", "title=Sevare+post&prior_approach=true");
        post(&intake, "/staff/events/1/allegations", "violation_type=integrity.beating&force=gendarmerie");
        post(&intake, "/staff/events/1/route", "");
        let inv = client(&app);
        sign_in(&inv, "inv@cndh.ml", PW);
        let case = inv.get("/staff/cases/1?lang=en").dispatch().into_string().unwrap();
        let report = intake.get("/staff/reports/1?lang=en").dispatch().into_string().unwrap();
        let event = intake.get("/staff/events/1?lang=en").dispatch().into_string().unwrap();
        for (name, page) in [("case", &case), ("report", &report), ("event", &event)] {
            assert!(page.contains("class=\"staff-wide\""), "{name}: desktop width");
            let text = page.split("<main>").nth(1).unwrap();
            for code in [
                ">routed<",
                "override by",
                "(map)",
                "· web",
                "· api",
                "prior_approach=",
                "case_status",
                " o<",
                ">staff<",
                ">reporter<",
            ] {
                assert!(!text.contains(code), "{name} shows `{code}`");
            }
            assert!(!text.contains(" :"), "{name}: French spacing before a colon in English");
        }
        assert!(case.contains("legal basis"), "the legal basis of the routing decision");
        assert!(event.contains("legal basis"));
        // The routing reason in English words on English pages, in French on French ones.
        for page in [&case, &event] {
            assert!(
                page.contains("Rule 70 ") && page.contains("(group: Torture, beatings and threats)"),
                "{page}"
            );
            assert!(!page.contains("Règle") && !page.contains("groupe :"));
        }
        let fr = intake.get("/staff/events/1?lang=fr").dispatch().into_string().unwrap();
        assert!(fr.contains("Règle 70 ") && fr.contains("(groupe : Torture, coups et menaces)"));
    });
}

#[test]
fn a_report_only_candidate_joins_a_new_event_in_one_action() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        let near = |n: &str| {
            report_json(n, "2026-08-10", 14.4843, -4.1830, &["integrity.torture"], "national_guard")
        };
        file_report(&app.client, near("Premier récit de la torture au camp de Mopti."));
        file_report(&app.client, near("Deuxième témoin : le même soir, au camp de Mopti."));
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        let page = intake.get("/staff/reports/1").dispatch().into_string().unwrap();
        let table = page.split("id=\"candidates\"").nth(1).expect("candidates listed");
        assert!(table.contains("name=\"with_report\" value=\"2\""), "a one-action merge is offered");
        let (s, loc, _) = post(&intake, "/staff/reports/1/events", "title=Camp+de+Mopti&with_report=2");
        assert_eq!(s, Status::SeeOther);
        assert!(loc.unwrap().starts_with("/staff/events/"));
        let mut c = app.db.conn();
        let both: Vec<Option<i32>> =
            reports::table.order(reports::id).select(reports::event_id).load(&mut c).unwrap();
        assert_eq!(both.len(), 2);
        assert!(both[0].is_some() && both[0] == both[1], "both reports in the one new event: {both:?}");
        let links: i64 =
            audit_log::table.filter(audit_log::action.eq("report.link")).count().get_result(&mut c).unwrap();
        assert_eq!(links, 1, "the merge is audited");
    });
}

/// Issue 11, item 3: a case worker's mistake (an empty note, an action with a date that is not
/// one, a finding without a disposition, a recommendation without its text, an empty response
/// or message) brings the case page back (422) with the values as typed and the message at the
/// field, in the worker's language; nothing is written.
#[test]
fn case_forms_with_a_mistake_come_back_with_the_values_and_a_message_at_the_field() {
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        file_report(
            &app.client,
            report_json(
                "Arrestation sans motif à Kayes.",
                "2026-09-01",
                14.4469,
                -11.4445,
                &["liberty.arbitrary_arrest"],
                "police",
            ),
        );
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        post(&intake, "/staff/reports/1/events", "title=Kayes");
        post(&intake, "/staff/events/1/allegations", "violation_type=liberty.arbitrary_arrest&force=police");
        post(&intake, "/staff/events/1/route", "");
        let inv = client(&app);
        sign_in(&inv, "inv@cndh.ml", PW);
        let changes = || -> i64 {
            audit_log::table
                .filter(audit_log::action.not_like("%.view%"))
                .count()
                .get_result(&mut app.db.conn())
                .unwrap()
        };
        let before = changes();
        let refused = |path: &str, body: &str, form: &str, typed: &[&str], message: &str| {
            let (s, _, page) = post(&inv, path, body);
            assert_eq!(s, Status::UnprocessableEntity, "{path} {body}");
            assert!(page.contains("class=\"staffnav\""), "its page, with the menu");
            assert!(page.contains(&format!("id=\"{form}\"")), "{form}");
            assert!(page.contains(message), "{path}: the message {message:?}");
            for t in typed {
                assert!(page.contains(t), "{path}: the value {t:?} as typed");
            }
        };
        let required = "Ce champ est obligatoire";
        refused("/staff/cases/1/notes", "body=+++", "note-form", &["id=\"note-error\""], required);
        refused(
            "/staff/cases/1/actions",
            "body=Visiter+le+d%C3%A9tenu&due_on=2026-13-45",
            "action",
            &["value=\"Visiter le détenu\"", "value=\"2026-13-45\""],
            "Cette date n&#x27;est pas valide",
        );
        refused(
            "/staff/cases/1/findings",
            "allegation_id=1&disposition=invented&standard=pr%C3%A9pond%C3%A9rance&reasoning=T%C3%A9moins+concordants",
            "finding-1",
            &["prépondérance", ">Témoins concordants</textarea>"],
            "Choisissez une décision",
        );
        refused(
            "/staff/cases/1/recommendations",
            "addressee=Direction+de+la+Police&content=&due_on=2026-12-31",
            "recommend",
            &["value=\"Direction de la Police\"", "value=\"2026-12-31\"", "id=\"content-error\""],
            required,
        );
        refused(
            "/staff/cases/1/messages",
            "report_id=1&body=",
            "message-1",
            &["id=\"msg-1-error\""],
            required,
        );
        assert_eq!(changes(), before, "nothing written");
        // In English, the same message in English.
        let (s, _, page) = post(&inv, "/staff/cases/1/notes?lang=en", "body=");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(page.contains("This field is required"), "{page}");
        // An allegation of another case is not found (404), not a server error or a form.
        let (s, _, _) =
            post(&inv, "/staff/cases/1/findings", "allegation_id=999&disposition=substantiated&reasoning=x");
        assert_eq!(s, Status::NotFound);
    });
}

/// Issue 10: a routing decision recorded before reasons were kept as facts (an English
/// sentence) becomes facts with the migration, and is shown in the reader's language.
#[test]
fn routing_sentences_recorded_before_the_migration_become_facts() {
    use diesel_migrations::MigrationHarness;
    each_engine(|engine| {
        let app = app(engine);
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        file_report(
            &app.client,
            report_json(
                "Des soldats ont battu mon frère au poste de Sévaré, la nuit du vingt.",
                "2026-10-20",
                14.54,
                -4.09,
                &["integrity.beating"],
                "gendarmerie",
            ),
        );
        let intake = client(&app);
        sign_in(&intake, "intake@cndh.ml", PW);
        post(&intake, "/staff/reports/1/events", "title=Poste+de+Sevare");
        post(&intake, "/staff/events/1/allegations", "violation_type=integrity.beating&force=gendarmerie");
        assert_eq!(post(&intake, "/staff/events/1/route", "").0, Status::SeeOther);
        // Back to the schema before, with the decision as the old code wrote it.
        // Later migrations are reverted first, down to the one that made reasons facts.
        let mut c = app.db.conn();
        let mut reverted = 0;
        loop {
            let version = match &mut c {
                vigie::db::DbConn::Sqlite(c) => c.revert_last_migration(vigie::db::SQLITE_MIGRATIONS),
                vigie::db::DbConn::Pg(c) => c.revert_last_migration(vigie::db::POSTGRES_MIGRATIONS),
            }
            .unwrap()
            .to_string();
            reverted += 1;
            if version.starts_with("2026-11-29-000008") || version.starts_with("20261129000008") {
                break;
            }
            assert!(reverted < 60, "the places-and-labels migration was never reverted");
        }
        diesel::sql_query(
            "UPDATE allegations SET routing_reason = 'rule 70 \"Torture et mauvais traitements → CNDH\" \
             (group=integrity) for integrity.beating by gendarmerie'",
        )
        .execute(&mut c)
        .unwrap();
        assert_eq!(vigie::db::migrate(&mut c).unwrap(), reverted);
        let fact: Option<String> =
            allegations::table.select(allegations::routing_fact).first(&mut c).unwrap();
        let fact: Value = serde_json::from_str(&fact.unwrap()).unwrap();
        assert_eq!(fact["kind"], "rule");
        assert_eq!(fact["position"], 70);
        assert_eq!(fact["destination"], "cndh");
        assert_eq!(fact["violation_type"], "integrity.beating");
        assert_eq!(fact["force"], "gendarmerie");
        assert!(fact.get("conditions").is_none(), "which conditions held then is not known");
        let en = intake.get("/staff/events/1?lang=en").dispatch().into_string().unwrap();
        let table = en.split("id=\"allegations\"").nth(1).unwrap();
        assert!(table.contains("legal basis") && !table.contains("by gendarmerie"), "{table}");
        let fr = intake.get("/staff/events/1?lang=fr").dispatch().into_string().unwrap();
        assert!(fr.split("id=\"allegations\"").nth(1).unwrap().contains("fondement"));
    });
}

/// A refused step (not allowed from here, or a reason missing) wrote a `case.transition`
/// entry with empty details to the audit log: a refusal writes nothing.
#[test]
fn a_refused_step_writes_nothing_to_the_audit_log() {
    each_engine(|engine| {
        let app = app(engine);
        let (intake, inv, inv_id) = routed_case(&app);
        let entries = || -> i64 {
            audit_log::table
                .filter(audit_log::action.eq("case.transition"))
                .count()
                .get_result(&mut app.db.conn())
                .unwrap()
        };
        for body in ["to=closed&reason=x", "to=inadmissible&reason=", "to=nowhere"] {
            let (s, _, _) = post(&inv, "/staff/cases/1/transition", body);
            assert_eq!(s, Status::UnprocessableEntity, "{body}");
        }
        assert_eq!(entries(), 0, "nothing written for a refusal");
        // Values that are no number or no plausible date are refused, not read as "nobody" or
        // "unknown" (an assignee id of letters unassigned the case).
        assert_eq!(post(&inv, "/staff/cases/1/assign", &format!("user_id={inv_id}")).0, Status::SeeOther);
        let (s, _, _) = post(&inv, "/staff/cases/1/assign", "user_id=abc");
        assert_eq!(s, Status::BadRequest);
        let assignee: Option<i32> =
            cases::table.find(1).select(cases::assignee_id).first(&mut app.db.conn()).unwrap();
        assert_eq!(assignee, Some(inv_id));
        assert_eq!(post(&inv, "/staff/cases/1/assign", "user_id=").0, Status::SeeOther, "nobody, on purpose");
        let (s, _, body) = post(&inv, "/staff/cases/1/actions", "body=Relancer&due_on=0001-01-01");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(body.contains("entre 2000 et 2100") && body.contains("0001-01-01"), "{body}");
        // "Done" pressed twice: the first time stays, the second is told, and audited once.
        assert_eq!(post(&inv, "/staff/cases/1/actions", "body=Relancer&due_on=").0, Status::SeeOther);
        let aid: i32 = vigie::schema::case_actions::table
            .select(vigie::schema::case_actions::id)
            .order(vigie::schema::case_actions::id.desc())
            .first(&mut app.db.conn())
            .unwrap();
        let done_at = || -> Option<chrono::NaiveDateTime> {
            vigie::schema::case_actions::table
                .find(aid)
                .select(vigie::schema::case_actions::done_at)
                .first(&mut app.db.conn())
                .unwrap()
        };
        assert_eq!(post(&inv, &format!("/staff/cases/1/actions/{aid}/done"), "").0, Status::SeeOther);
        let first = done_at().expect("done");
        std::thread::sleep(std::time::Duration::from_millis(20));
        let (s, loc, _) = post(&inv, &format!("/staff/cases/1/actions/{aid}/done"), "");
        assert_eq!(s, Status::SeeOther);
        let page = inv.get(loc.unwrap()).dispatch().into_string().unwrap();
        assert!(page.contains("déjà marquée comme faite"), "told");
        assert_eq!(done_at(), Some(first), "the first time stays");
        let audited: i64 = audit_log::table
            .filter(audit_log::action.eq("case.action_done"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(audited, 1);
        assert_eq!(post(&inv, "/staff/cases/1/actions/99999/done", "").0, Status::NotFound);
        for bad in ["abc", "-5", "2147483648"] {
            let (s, _, body) = post(
                &intake,
                "/staff/events/1/allegations",
                &format!("violation_type=integrity.torture&force=police&victim_count={bad}"),
            );
            assert_eq!(s, Status::UnprocessableEntity, "{bad}");
            assert!(body.contains("nombre entier entre 0 et 100"), "{body}");
        }
        let status: String = cases::table.find(1).select(cases::status).first(&mut app.db.conn()).unwrap();
        assert_eq!(status, "received");

        // A new allegation routed to an institution whose case on the event is finished
        // reopens that case (it went into the finished case, unseen).
        // The report of a routed event: triage no longer decides its admissibility (it closed
        // the report and told the reporter "inadmissible" under open cases).
        let (s, _, _) = post(&intake, "/staff/reports/1/admissibility", "decision=inadmissible&reason=non");
        assert_eq!(s, Status::SeeOther);
        let page = intake.get("/staff/reports/1").dispatch().into_string().unwrap();
        assert!(page.contains("déjà orienté"), "{page}");
        let adm: String =
            reports::table.find(1).select(reports::admissibility).first(&mut app.db.conn()).unwrap();
        assert_ne!(adm, "inadmissible");
        // A decision sent twice (a double press) is recorded, told and audited once.
        file_report(
            &app.client,
            report_json(
                "Un autre récit, hors délai.",
                "2026-09-02",
                14.4469,
                -11.4445,
                &["liberty.arbitrary_arrest"],
                "police",
            ),
        );
        for _ in 0..2 {
            let (s, _, _) = post(
                &intake,
                "/staff/reports/2/admissibility",
                "decision=inadmissible&reason=Hors+d%C3%A9lai",
            );
            assert_eq!(s, Status::SeeOther);
        }
        let told: i64 = vigie::schema::messages::table
            .filter(vigie::schema::messages::report_id.eq(2))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        let decided: i64 = audit_log::table
            .filter(audit_log::action.eq("report.admissibility"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!((told, decided), (1, 1));

        // Before findings, no recommendation; on a finished case, neither it nor a finding.
        let rec = "addressee=Police&content=Former";
        let (s, _, body) = post(&inv, "/staff/cases/1/recommendations", rec);
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(body.contains("pas possible à cette étape"), "{body}");
        let (s, _, _) = post(&inv, "/staff/cases/1/transition", "to=out_of_scope&reason=pas+pour+nous");
        assert_eq!(s, Status::SeeOther);
        let (s, _, _) = post(&inv, "/staff/cases/1/recommendations", rec);
        assert_eq!(s, Status::UnprocessableEntity);
        let (s, _, _) =
            post(&inv, "/staff/cases/1/findings", "allegation_id=1&disposition=substantiated&reasoning=x");
        assert_eq!(s, Status::UnprocessableEntity);
        let recs: i64 = vigie::schema::recommendations::table.count().get_result(&mut app.db.conn()).unwrap();
        assert_eq!(recs, 0);
        post(&intake, "/staff/events/1/allegations", "violation_type=integrity.torture&force=police");
        let (s, _, _) = post(&intake, "/staff/events/1/route", "");
        assert_eq!(s, Status::SeeOther);
        let (status, n): (String, i64) = (
            cases::table.find(1).select(cases::status).first(&mut app.db.conn()).unwrap(),
            cases::table.count().get_result(&mut app.db.conn()).unwrap(),
        );
        assert_eq!((status.as_str(), n), ("reopened", 1));
        let last: String = audit_log::table
            .filter(audit_log::action.eq("case.transition"))
            .order(audit_log::id.desc())
            .select(audit_log::details)
            .first(&mut app.db.conn())
            .unwrap();
        assert!(last.starts_with("out_of_scope → reopened"), "{last}");
        let page = inv.get("/staff/cases?scope=institution").dispatch().into_string().unwrap();
        assert!(page.contains("/staff/cases/1"), "back in the open list: {page}");
    });
}
