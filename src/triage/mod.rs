//! Triage, for intake officers: the queue of new reports, a report with its duplicate
//! candidates, admissibility, events (a report opens one or joins one; reports are never
//! changed), allegations, and routing them to the competent bodies, which opens their cases.

pub mod duplicates;
pub mod model;
mod routes;

pub use routes::routes;

use chrono::Duration;
use diesel::QueryResult;

use crate::auth::{CurrentUser, Role};
use crate::db::DbConn;
use crate::geo::Geo;
use crate::taxonomy::Taxonomy;
use duplicates::{Incident, Kind, Params, Scored};
use model::{Area, Scope};

/// A candidate report and its event, if any.
pub type ReportEvent = (i32, Option<i32>);

/// How many reports and events of the area and window are scored, at most (the newest).
pub const CANDIDATE_REPORTS: i64 = 2000;
pub const CANDIDATE_EVENTS: i64 = 500;

/// The duplicate candidates of a report, best first (at most `limit`), and the event of each
/// candidate report. Read only: the caller writes its audit entry in a short transaction of its
/// own, so the scoring never runs under the write lock.
///
/// Where: with a cercle or a point, the cercles of `Geo::candidate_cercles` (the configured
/// distance is honoured, however large) plus the reports and events of its region known only by
/// the region; with only a region, the whole region (scored lower, see `duplicates`).
#[expect(clippy::too_many_arguments, reason = "the report, what it is compared with, and the reader's scope")]
pub fn duplicate_candidates(
    conn: &mut DbConn,
    geo: &Geo,
    tax: &Taxonomy,
    r: &model::StaffReport,
    violation_types: &[i32],
    params: Params,
    scope: Scope,
    limit: usize,
) -> QueryResult<(Vec<Scored>, Vec<ReportEvent>)> {
    let from = r.occurred_on - Duration::days(params.window_days);
    let to = r.occurred_on + Duration::days(params.window_days);
    let point = r.lat.zip(r.lon);
    let cercles = geo.candidate_cercles(r.cercle_code.as_deref(), point, params.distance_km);
    let mut all: Vec<Incident> = vec![];
    let mut areas: Vec<Area<'_>> = vec![];
    if !cercles.is_empty() {
        areas.push(Area::Cercles(&cercles));
        if let Some(region) = r.region_code.as_deref() {
            areas.push(Area::RegionOnly(region));
        }
    } else if let Some(region) = r.region_code.as_deref() {
        areas.push(Area::Region(region));
    }
    for area in areas {
        all.extend(model::report_candidates(conn, from, to, area, CANDIDATE_REPORTS, scope)?);
        all.extend(model::event_candidates(conn, from, to, area, CANDIDATE_EVENTS, scope)?);
    }
    // Reports already in this report's event are not candidates, nor is that event.
    all.retain(|c| !(c.kind == Kind::Event && Some(c.id) == r.event_id));
    for c in all.iter_mut() {
        c.groups = groups_of(tax, &c.violation_types);
    }
    let subject = Incident {
        kind: Kind::Report,
        id: r.id,
        lat: r.lat,
        lon: r.lon,
        cercle: r.cercle_code.clone(),
        region: r.region_code.clone(),
        occurred_on: r.occurred_on,
        violation_types: violation_types.to_vec(),
        groups: groups_of(tax, violation_types),
        forces: vec![r.force_id],
    };
    let ranked = duplicates::rank(&subject, &all, params, &|a, b| geo.adjacent(a, b), limit);
    let ids: Vec<i32> = ranked.iter().filter(|s| s.kind == Kind::Report).map(|s| s.id).collect();
    let events = model::events_of_reports(conn, &ids)?;
    Ok((ranked, events))
}

/// The violation groups of some violation types.
fn groups_of(tax: &Taxonomy, types: &[i32]) -> Vec<i32> {
    let mut g: Vec<i32> =
        types.iter().filter_map(|t| tax.violation_type_by_id(*t)).map(|(g, _)| g.entry.id).collect();
    g.sort_unstable();
    g.dedup();
    g
}

/// Which reports a signed-in person may read, or None.
pub fn scope_of(user: &CurrentUser) -> Option<Scope> {
    match user.role {
        Role::Intake | Role::Auditor => Some(Scope::All),
        Role::Investigator | Role::Ombudsman => user.user.institution_id.map(Scope::Institution),
        _ => None,
    }
}

/// Why an allegation went where it did, in words for the officer (issue 10, item 16): the rule
/// and its legal basis in the page's language, or the intake officer's written reason for an
/// override; never the rule engine's trace.
pub fn routing_basis(
    rules: &[crate::routing::Rule],
    a: &model::Allegation,
    catalog: &crate::i18n::Catalog,
    lang: &str,
) -> String {
    let mut args = fluent_bundle::FluentArgs::new();
    if let Some(reason) = &a.override_reason {
        args.set("reason", reason.clone());
        return catalog.message(lang, "triage-basis-override", Some(&args));
    }
    let rule = a.routing_rule_id.and_then(|id| rules.iter().find(|r| r.id == id));
    let basis = rule.map(|r| r.legal_basis(lang).to_string()).unwrap_or_default();
    let fact = a.routing_fact.as_deref().and_then(crate::routing::RoutingFact::parse);
    if let Some(crate::routing::RoutingFact::Rule { position, name, conditions: Some(conditions), .. }) = fact
    {
        args.set("position", position);
        args.set("name", name);
        args.set("conditions", conditions_text(&conditions, catalog, lang));
        args.set("basis", basis);
        return catalog.message(lang, "triage-basis-rule-facts", Some(&args));
    }
    match rule {
        Some(rule) => {
            args.set("name", rule.name.clone());
            args.set("basis", basis);
            catalog.message(lang, "triage-basis-rule", Some(&args))
        }
        None => String::new(),
    }
}

/// The conditions of a rule that held, in words of `lang`: "groupe : Arrestations et
/// disparitions ; force : Police nationale", or "toute allégation" for a rule without any.
fn conditions_text(
    conditions: &[crate::routing::Condition],
    catalog: &crate::i18n::Catalog,
    lang: &str,
) -> String {
    use crate::i18n::label_key;
    if conditions.is_empty() {
        return catalog.message(lang, "routing-cond-any", None);
    }
    let parts: Vec<String> = conditions
        .iter()
        .map(|c| {
            let value = match c.on.as_str() {
                "group" => catalog.message_or(lang, &label_key("vg", &c.value), &c.value),
                "type" => catalog.message_or(lang, &label_key("vt", &c.value), &c.value),
                "force" => catalog.message_or(lang, &label_key("force", &c.value), &c.value),
                _ => catalog.message_or(lang, &label_key("routing-yes-no", &c.value), &c.value),
            };
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("value", value);
            catalog.message(lang, &label_key("routing-cond", &c.on), Some(&args))
        })
        .collect();
    parts.join(&catalog.message(lang, "routing-cond-separator", None))
}
