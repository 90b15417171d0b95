//! Rebuilds when a migration is added: `embed_migrations!` reads the folders at compile time,
//! and a new folder alone would not make cargo compile the crate again.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
