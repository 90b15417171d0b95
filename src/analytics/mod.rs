//! Staff analytics: the staff map of events with their hotspots (`hotspots.rs`, DBSCAN), its
//! filters and exports (`routes.rs`); the trends, breakdowns, times to decision and overdue
//! counts (`trends.rs` the figures and the chart, `breakdowns.rs` the page and its CSVs); over
//! the queries of `model.rs`. Exact points and unwithheld counts: for the roles that work on
//! events (intake officers, case workers, auditors), never for trainers or the public, whose
//! figures are `stats`'.

mod breakdowns;
pub mod hotspots;
pub mod model;
mod routes;
pub mod trends;

pub fn routes() -> Vec<rocket::Route> {
    let mut all = routes::routes();
    all.extend(breakdowns::routes());
    all
}

pub fn stage() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_ignite("staff analytics", |rocket| async { rocket.mount("/", routes()) })
}
