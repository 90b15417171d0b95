//! The bulk inserts of `vigie seed-synthetic`: rows are built in memory and written in
//! multi-row statements inside large transactions, children after parents.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::Rng;

use super::{
    case_status, date_between, pick, places_by_region, rng, FORCE_WEIGHTS, GROUP_WEIGHTS, REGION_WEIGHTS,
};
use crate::cases::workflow::Status;
use crate::db::DbConn;
use crate::error::AppError;
use crate::geo::Geo;
use crate::schema::{
    allegations, case_transitions, cases, events, messages, remediation_actions, report_violations, reports,
    users,
};
use crate::taxonomy::Taxonomy;

#[derive(Insertable)]
#[diesel(table_name = reports, treat_none_as_default_value = false)]
struct ReportRow {
    id: i32,
    receipt_hash: String,
    status: &'static str,
    channel: &'static str,
    locale: &'static str,
    submitted_on: NaiveDate,
    narrative: String,
    occurred_on: NaiveDate,
    date_precision: &'static str,
    occurred_time: Option<String>,
    force_id: i32,
    unit_description: String,
    uniform_seen: String,
    insignia_seen: String,
    vehicle_seen: String,
    victim_count: Option<i32>,
    children_involved: bool,
    victim_details: String,
    reporter_relation: &'static str,
    reporter_name: Option<String>,
    reporter_contact: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    place_id: Option<i32>,
    region_code: Option<String>,
    cercle_code: Option<String>,
    location_method: &'static str,
    monitor_id: Option<i32>,
    on_behalf_of: Option<String>,
    consent_obtained: bool,
    event_id: Option<i32>,
    admissibility: &'static str,
    admissibility_reason: Option<String>,
    triaged_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = events, treat_none_as_default_value = false)]
struct EventRow {
    id: i32,
    title: String,
    occurred_on: NaiveDate,
    date_precision: &'static str,
    lat: Option<f64>,
    lon: Option<f64>,
    region_code: Option<String>,
    cercle_code: Option<String>,
    summary: String,
    prior_approach: bool,
    court_pending: bool,
    created_by: Option<i32>,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = cases, treat_none_as_default_value = false)]
struct CaseRow {
    id: i32,
    event_id: i32,
    institution_id: i32,
    status: &'static str,
    assignee_id: Option<i32>,
    opened_at: NaiveDateTime,
    acknowledge_by: Option<NaiveDate>,
    triage_by: Option<NaiveDate>,
    response_due_on: Option<NaiveDate>,
    closed_at: Option<NaiveDateTime>,
    close_reason: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = allegations, treat_none_as_default_value = false)]
struct AllegationRow {
    event_id: i32,
    violation_type_id: i32,
    force_id: i32,
    unit_description: String,
    identifiers_seen: String,
    involvement: &'static str,
    confidence: &'static str,
    victim_count: Option<i32>,
    children_involved: bool,
    victim_details: String,
    destination_id: Option<i32>,
    routing_reason: Option<String>,
    case_id: Option<i32>,
    disposition_id: Option<i32>,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = report_violations)]
struct ViolationRow {
    report_id: i32,
    violation_type_id: i32,
}

#[derive(Insertable)]
#[diesel(table_name = case_transitions, treat_none_as_default_value = false)]
struct TransitionRow {
    case_id: i32,
    from_status: Option<String>,
    to_status: &'static str,
    user_id: Option<i32>,
    reason: String,
    at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = messages, treat_none_as_default_value = false)]
struct MessageRow {
    report_id: i32,
    author: &'static str,
    user_id: Option<i32>,
    body: String,
    sent_on: NaiveDate,
}

/// Multi-row inserts, typed per engine, in chunks under SQLite's bound-parameter limit.
macro_rules! batch {
    ($conn:expr, $table:expr, $rows:expr, $cols:expr) => {{
        let per = (30_000 / $cols).max(1);
        for chunk in $rows.chunks(per) {
            match $conn {
                DbConn::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
        $rows.clear();
    }};
}

#[derive(Default)]
struct Buffers {
    events: Vec<EventRow>,
    cases: Vec<CaseRow>,
    reports: Vec<ReportRow>,
    violations: Vec<ViolationRow>,
    allegations: Vec<AllegationRow>,
    transitions: Vec<TransitionRow>,
    messages: Vec<MessageRow>,
}

impl Buffers {
    fn flush(&mut self, conn: &mut DbConn) -> Result<(), AppError> {
        conn.transaction(|c| {
            crate::db::begin_write(c)?;
            batch!(c, events::table, self.events, 13);
            batch!(c, cases::table, self.cases, 11);
            batch!(c, reports::table, self.reports, 34);
            batch!(c, report_violations::table, self.violations, 2);
            batch!(c, allegations::table, self.allegations, 15);
            batch!(c, case_transitions::table, self.transitions, 6);
            batch!(c, messages::table, self.messages, 5);
            Ok::<(), AppError>(())
        })
    }
}

const NARRATIVES: [&str; 6] = [
    "Des hommes en uniforme sont arrivés au village à l'aube et ont emmené plusieurs personnes.",
    "Au poste de contrôle, les agents ont exigé de l'argent et frappé ceux qui refusaient.",
    "Mon voisin a été arrêté au marché ; sa famille n'a aucune nouvelle depuis.",
    "Les militaires ont brûlé des greniers et tiré sur le bétail pendant l'opération.",
    "Pendant la garde à vue, il a été battu pour signer des aveux.",
    "Les agents ont gardé nos papiers d'identité et refusent de les rendre.",
];

/// Fills an empty database with `n` reports; returns what was written, per table.
pub fn seed(
    conn: &mut DbConn,
    geo: &Geo,
    tax: &Taxonomy,
    n: usize,
    seed: u64,
    real_receipts: &[(usize, String)],
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<(&'static str, usize)>, AppError> {
    let existing: i64 = reports::table.count().get_result(conn)?;
    if existing > 0 {
        return Err(AppError::Config("seed-synthetic needs a database without reports".into()));
    }
    let mut r = rng(seed);
    let today = chrono::Utc::now().date_naive();
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or(today);
    let places = places_by_region(&geo.gazetteer);
    let all = geo.gazetteer.shipped();
    let inst = |code: &str| tax.institutions.iter().find(|i| i.code == code).map(|i| i.id).unwrap_or(1);
    let (cndh, mediateur) = (inst("cndh"), inst("mediateur"));
    let types_of =
        |g: &str| tax.groups.iter().find(|x| x.entry.code == g).map(|x| x.types.clone()).unwrap_or_default();
    let group_types: Vec<(String, Vec<crate::taxonomy::Entry>)> =
        GROUP_WEIGHTS.iter().map(|(g, _)| (g.to_string(), types_of(g))).collect();
    let dispositions: Vec<i32> = tax.dispositions.iter().map(|d| d.id).collect();

    // Case workers to assign cases to.
    let mut workers: Vec<(i32, i32)> = vec![];
    let base_user: i32 =
        users::table.select(diesel::dsl::max(users::id)).first::<Option<i32>>(conn)?.unwrap_or(0);
    let now = chrono::Utc::now().naive_utc();
    for k in 0..30 {
        let (role, i) = if k < 20 { ("investigator", cndh) } else { ("ombudsman", mediateur) };
        let id = base_user + k + 1;
        diesel::insert_into(users::table)
            .values((
                users::id.eq(id),
                users::email.eq(format!("synthetic-{k}@vigie.invalid")),
                users::name.eq(format!("Agent {k}")),
                users::role.eq(role),
                users::institution_id.eq(Some(i)),
                users::password_hash.eq("synthetic: no password"),
                users::password_changed_at.eq(now),
                users::created_at.eq(now),
            ))
            .execute(conn)?;
        workers.push((id, i));
    }

    let mut buf = Buffers::default();
    let (mut report_id, mut event_id, mut case_id) = (0i32, 0i32, 0i32);
    let mut counts = [0usize; 7];
    while (report_id as usize) < n {
        // One incident: a place, a date, a force, a few violations, one to four reports.
        let region = pick(&mut r, &REGION_WEIGHTS);
        let list = &places.iter().find(|p| p.0 == region).map(|p| &p.1).filter(|l| !l.is_empty());
        let place = match list {
            Some(l) => &all[l[r.gen_range(0..l.len())]],
            None => &all[r.gen_range(0..all.len())],
        };
        let occurred = date_between(&mut r, start, today - Duration::days(1));
        let force_code = pick(&mut r, &FORCE_WEIGHTS);
        let force = tax.force(force_code).map(|f| f.id).unwrap_or(1);
        let mut vts = vec![];
        for _ in 0..r.gen_range(1..=3) {
            let g = pick(&mut r, &GROUP_WEIGHTS);
            let types = &group_types.iter().find(|x| x.0 == g).map(|x| &x.1);
            if let Some(types) = types.filter(|t| !t.is_empty()) {
                let t = types[r.gen_range(0..types.len())].id;
                if !vts.iter().any(|v: &(i32, &str)| v.0 == t) {
                    vts.push((t, g));
                }
            }
        }
        let k = (1 + r.gen_range(0..4usize).min(r.gen_range(0..4usize))).min(n - report_id as usize);
        let age = (today - occurred).num_days();
        let triaged = age > 45 && r.gen_bool(0.8);
        let decision = if !triaged {
            "pending"
        } else {
            match r.gen_range(0..100) {
                0..=6 => "inadmissible",
                7..=9 => "out_of_scope",
                _ => "admissible",
            }
        };
        let children = r.gen_bool(0.08);
        let ev = if decision == "admissible" {
            event_id += 1;
            let opened = occurred.and_hms_opt(9, 0, 0).unwrap_or(now) + Duration::days(r.gen_range(2..30));
            buf.events.push(EventRow {
                id: event_id,
                title: format!("{} — {}", place.name, occurred),
                occurred_on: occurred,
                date_precision: "exact",
                lat: Some(place.lat),
                lon: Some(place.lon),
                region_code: Some(place.region_code.clone()),
                cercle_code: Some(place.cercle_code.clone()),
                summary: String::new(),
                prior_approach: r.gen_bool(0.3),
                court_pending: r.gen_bool(0.05),
                created_by: None,
                created_at: opened,
            });
            counts[0] += 1;
            // Allegations routed to the CNDH, or to the Médiateur for maladministration.
            let mut case_of = std::collections::HashMap::new();
            for (t, g) in &vts {
                let dest = if *g == "maladministration" { mediateur } else { cndh };
                let cid = *case_of.entry(dest).or_insert_with(|| {
                    case_id += 1;
                    let status = case_status(&mut r);
                    let assignee = (status != Status::Received && r.gen_bool(0.7)).then(|| {
                        let ws: Vec<i32> = workers.iter().filter(|w| w.1 == dest).map(|w| w.0).collect();
                        ws[r.gen_range(0..ws.len())]
                    });
                    let terminal = status.is_terminal();
                    buf.cases.push(CaseRow {
                        id: case_id,
                        event_id,
                        institution_id: dest,
                        status: status.as_str(),
                        assignee_id: assignee,
                        opened_at: opened,
                        acknowledge_by: Some(opened.date() + Duration::days(7)),
                        triage_by: Some(opened.date() + Duration::days(14)),
                        response_due_on: matches!(
                            status,
                            Status::RecommendationSent
                                | Status::AwaitingResponse
                                | Status::ResponseReceived
                                | Status::FollowUp
                        )
                        .then(|| opened.date() + Duration::days(90)),
                        closed_at: terminal.then(|| opened + Duration::days(r.gen_range(30..300))),
                        close_reason: terminal.then(|| "synthetic".to_string()),
                    });
                    buf.transitions.push(TransitionRow {
                        case_id,
                        from_status: None,
                        to_status: "received",
                        user_id: None,
                        reason: "routed".into(),
                        at: opened,
                    });
                    if status != Status::Received {
                        buf.transitions.push(TransitionRow {
                            case_id,
                            from_status: Some("received".into()),
                            to_status: status.as_str(),
                            user_id: assignee,
                            reason: String::new(),
                            at: opened + Duration::days(r.gen_range(1..60)),
                        });
                    }
                    counts[1] += 1;
                    (case_id, status)
                });
                let decided = matches!(
                    cid.1,
                    Status::Findings
                        | Status::RecommendationSent
                        | Status::AwaitingResponse
                        | Status::ResponseReceived
                        | Status::FollowUp
                        | Status::Closed
                );
                buf.allegations.push(AllegationRow {
                    event_id,
                    violation_type_id: *t,
                    force_id: force,
                    unit_description: String::new(),
                    identifiers_seen: String::new(),
                    involvement: "carried_out",
                    confidence: ["confirmed", "probable", "possible"][r.gen_range(0..3)],
                    victim_count: Some(r.gen_range(1..6)),
                    children_involved: children,
                    victim_details: String::new(),
                    destination_id: Some(dest),
                    routing_reason: Some("synthetic".into()),
                    case_id: Some(cid.0),
                    disposition_id: decided.then(|| dispositions[r.gen_range(0..dispositions.len())]),
                    created_at: opened,
                });
                counts[2] += 1;
            }
            Some(event_id)
        } else {
            None
        };
        for _ in 0..k {
            report_id += 1;
            let i = report_id as usize;
            let receipt_hash =
                real_receipts.iter().find(|x| x.0 == i).map(|x| x.1.clone()).unwrap_or_else(|| {
                    format!("synthetic${}", crate::crypto::sha256_hex(format!("{seed}:{i}").as_bytes()))
                });
            let method = match r.gen_range(0..10) {
                0..=5 => "gps",
                6..=8 => "place",
                _ => "admin",
            };
            let point = method == "gps";
            let submitted = (occurred + Duration::days(r.gen_range(0..20))).min(today);
            buf.reports.push(ReportRow {
                id: report_id,
                receipt_hash,
                status: match (decision, ev) {
                    ("pending", _) => "received",
                    ("admissible", _) => "forwarded",
                    _ => "closed",
                },
                channel: ["web", "web", "web", "api", "monitor"][r.gen_range(0..5)],
                locale: if r.gen_bool(0.85) { "fr" } else { "en" },
                submitted_on: submitted,
                narrative: NARRATIVES[r.gen_range(0..NARRATIVES.len())].to_string(),
                occurred_on: occurred
                    + Duration::days(r.gen_range(-1..=1))
                        .min(Duration::days((today - occurred).num_days() - 1)),
                date_precision: ["exact", "exact", "approximate", "month"][r.gen_range(0..4)],
                occurred_time: None,
                force_id: force,
                unit_description: String::new(),
                uniform_seen: String::new(),
                insignia_seen: String::new(),
                vehicle_seen: String::new(),
                victim_count: Some(r.gen_range(1..6)),
                children_involved: children,
                victim_details: String::new(),
                reporter_relation: ["victim", "witness", "relative", "other"][r.gen_range(0..4)],
                reporter_name: None,
                reporter_contact: None,
                lat: point.then(|| place.lat + r.gen_range(-0.01..0.01)),
                lon: point.then(|| place.lon + r.gen_range(-0.01..0.01)),
                place_id: (method == "place").then_some(place.id),
                region_code: Some(place.region_code.clone()),
                cercle_code: (method != "admin").then(|| place.cercle_code.clone()),
                location_method: method,
                monitor_id: None,
                on_behalf_of: None,
                consent_obtained: false,
                event_id: ev,
                admissibility: decision,
                admissibility_reason: (decision != "admissible" && decision != "pending")
                    .then(|| "synthetic".to_string()),
                triaged_at: triaged
                    .then(|| submitted.and_hms_opt(10, 0, 0).unwrap_or(now) + Duration::days(3)),
            });
            counts[3] += 1;
            for (t, _) in &vts {
                buf.violations.push(ViolationRow { report_id, violation_type_id: *t });
                counts[4] += 1;
            }
            if r.gen_bool(0.2) {
                for m in 0..r.gen_range(1..=2) {
                    buf.messages.push(MessageRow {
                        report_id,
                        author: if m % 2 == 0 { "reporter" } else { "staff" },
                        user_id: None,
                        body: "Y a-t-il du nouveau ?".into(),
                        sent_on: submitted + Duration::days(m * 5),
                    });
                    counts[5] += 1;
                }
            }
        }
        if buf.reports.len() >= 5000 {
            buf.flush(conn)?;
            progress(report_id as usize);
        }
    }
    buf.flush(conn)?;
    progress(report_id as usize);
    // Training sessions: remediation actions for forces, modules and regions.
    let modules: Vec<i32> =
        crate::schema::training_modules::table.select(crate::schema::training_modules::id).load(conn)?;
    let statuses = [
        "gap_identified",
        "module_assigned",
        "planned",
        "delivered",
        "evaluated",
        "reviewed",
        "closed",
        "escalated",
    ];
    let sessions = (n / 500).max(1);
    conn.transaction(|c| {
        crate::db::begin_write(c)?;
        for s in 0..sessions {
            let starts = date_between(&mut r, start, today);
            diesel::insert_into(remediation_actions::table)
                .values((
                    remediation_actions::status.eq(statuses[s % statuses.len()]),
                    remediation_actions::issue.eq("synthetic training need"),
                    remediation_actions::module_id
                        .eq(modules.get(r.gen_range(0..modules.len().max(1))).copied()),
                    remediation_actions::force_id.eq(tax.force(pick(&mut r, &FORCE_WEIGHTS)).map(|f| f.id)),
                    remediation_actions::region_code.eq(Some(pick(&mut r, &REGION_WEIGHTS))),
                    remediation_actions::partner.eq(["EUTM", "CICR", "PNUD", "École de gendarmerie"][s % 4]),
                    remediation_actions::starts_on.eq(Some(starts)),
                    remediation_actions::ends_on.eq(Some(starts + Duration::days(5))),
                    remediation_actions::attendance.eq(Some(r.gen_range(10..60))),
                    remediation_actions::created_at.eq(now),
                ))
                .execute(c)?;
        }
        Ok::<(), AppError>(())
    })?;
    counts[6] = sessions;
    crate::db::reset_sequences(
        conn,
        &["users", "events", "cases", "reports", "allegations", "case_transitions", "messages"],
    )?;
    crate::db::analyze(conn)?;
    Ok(vec![
        ("events", counts[0]),
        ("cases", counts[1]),
        ("allegations", counts[2]),
        ("reports", counts[3]),
        ("report_violations", counts[4]),
        ("messages", counts[5]),
        ("training sessions", counts[6]),
    ])
}
