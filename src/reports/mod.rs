//! The public side: a witness files a report without an account, gets a receipt, and follows
//! it up with that receipt; monitors and gateways do the same through `/api/v1`.

pub mod model;

use rocket::fairing::AdHoc;

/// The installation's salt for receipt hashes (random, stored in the database).
#[derive(Clone)]
pub struct ReceiptSalt(pub Vec<u8>);

pub fn stage() -> AdHoc {
    AdHoc::on_ignite("reports", |rocket| async { rocket })
}
