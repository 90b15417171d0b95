//! Queries on `routing_rules`.

use diesel::prelude::*;

use super::rules::Rule;
use crate::db::DbConn;
use crate::schema::{institutions, routing_rules};

type Row = (
    i32,
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
    String,
    String,
    String,
    bool,
);

/// Every rule, in position order, with its destination's institution code.
pub fn load(conn: &mut DbConn) -> QueryResult<Vec<Rule>> {
    let rows: Vec<Row> = routing_rules::table
        .inner_join(institutions::table)
        .order((routing_rules::position, routing_rules::id))
        .select((
            routing_rules::id,
            routing_rules::position,
            routing_rules::name,
            routing_rules::violation_group_code,
            routing_rules::violation_type_code,
            routing_rules::force_code,
            routing_rules::prior_approach,
            routing_rules::court_pending,
            routing_rules::children_involved,
            institutions::code,
            routing_rules::legal_basis_fr,
            routing_rules::legal_basis_en,
            routing_rules::active,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Rule {
            id: r.0,
            position: r.1,
            name: r.2,
            violation_group: r.3,
            violation_type: r.4,
            force: r.5,
            prior_approach: r.6,
            court_pending: r.7,
            children_involved: r.8,
            destination: r.9,
            legal_basis_fr: r.10,
            legal_basis_en: r.11,
            active: r.12,
        })
        .collect())
}

fn destination_id(conn: &mut DbConn, code: &str) -> QueryResult<i32> {
    institutions::table.filter(institutions::code.eq(code)).select(institutions::id).first(conn)
}

/// Saves a rule: a new one when `rule.id` is 0. Returns its id.
pub fn save(conn: &mut DbConn, rule: &Rule) -> QueryResult<i32> {
    let dest = destination_id(conn, &rule.destination)?;
    let values = (
        routing_rules::position.eq(rule.position),
        routing_rules::name.eq(&rule.name),
        routing_rules::violation_group_code.eq(&rule.violation_group),
        routing_rules::violation_type_code.eq(&rule.violation_type),
        routing_rules::force_code.eq(&rule.force),
        routing_rules::prior_approach.eq(rule.prior_approach),
        routing_rules::court_pending.eq(rule.court_pending),
        routing_rules::children_involved.eq(rule.children_involved),
        routing_rules::destination_id.eq(dest),
        routing_rules::legal_basis_fr.eq(&rule.legal_basis_fr),
        routing_rules::legal_basis_en.eq(&rule.legal_basis_en),
        routing_rules::active.eq(rule.active),
    );
    if rule.id == 0 {
        diesel::insert_into(routing_rules::table).values(values).returning(routing_rules::id).get_result(conn)
    } else {
        let n = diesel::update(routing_rules::table.find(rule.id)).set(values).execute(conn)?;
        if n == 0 {
            return Err(diesel::result::Error::NotFound);
        }
        Ok(rule.id)
    }
}
