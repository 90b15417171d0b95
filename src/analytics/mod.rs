//! Staff analytics: the staff map of events with their hotspots (`hotspots.rs`, DBSCAN), its
//! filters and exports (`routes.rs`), over the queries of `model.rs`. Exact points: for the
//! roles that work on events (intake officers, case workers, auditors), never for trainers or
//! the public, whose figures are `stats`'.

pub mod hotspots;
pub mod model;
mod routes;

pub use routes::routes;

pub fn stage() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_ignite("staff analytics", |rocket| async { rocket.mount("/", routes()) })
}
