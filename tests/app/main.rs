//! Vigie's integration tests: one binary, each test on a fresh database of each engine under
//! test (SQLite always; PostgreSQL when `VIGIE_TEST_POSTGRES` names a server, see common.rs).

mod accounts;
mod analytics;
mod browser;
mod cases;
mod channels;
mod common;
mod csrf_walk;
mod foundation;
mod gazetteer;
mod intake;
mod keys;
mod labels;
mod languages;
mod mail;
mod ops;
mod races;
mod scale;
mod security_accounts;
mod security_cases;
mod security_evidence;
mod stats;
mod structure;
mod training;
