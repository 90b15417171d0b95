//! An evidence file's stored bytes (issue 15): the original, sealed or in clear, kept as rows
//! of `attachment_pieces` of at most [`PIECE`] bytes, written and read one piece at a time, so
//! that a file's size does not change the memory it takes to store, check or open it. Sealing
//! is the STREAM of `crypto::seal` (64 KiB chunks, each authenticated, the end marked) under
//! the report's data key and the associated data the caller gives; the pieces hold the sealed
//! stream cut at piece boundaries, so reordering, removing or cutting a piece is refused.

mod model;

pub use model::{delete, read, sha256, store, Stored, PIECE};
