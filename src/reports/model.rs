//! Queries on reports, their violations, messages and attachments.

use diesel::prelude::*;

use super::ReceiptSalt;
use crate::db::DbConn;
use crate::schema::settings;

/// Reads the receipt salt, creating it on first use.
pub fn receipt_salt(conn: &mut DbConn) -> QueryResult<ReceiptSalt> {
    conn.transaction(|conn| {
        crate::db::begin_write(conn)?;
        let found: Option<String> =
            settings::table.find("receipt_salt").select(settings::value).first(conn).optional()?;
        let hexed = match found {
            Some(v) => v,
            None => {
                let mut salt = [0u8; 16];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
                let v = hex::encode(salt);
                diesel::insert_into(settings::table)
                    .values((settings::key.eq("receipt_salt"), settings::value.eq(&v)))
                    .execute(conn)?;
                v
            }
        };
        Ok(ReceiptSalt(hex::decode(hexed).unwrap_or_default()))
    })
}
