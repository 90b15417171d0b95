//! The queries of `attachment_pieces` and the readers and writers over them.

use diesel::prelude::*;
use sha2::Digest;

use crate::crypto::{seal, SecretKey};
use crate::db::DbConn;
use crate::error::AppError;
use crate::schema::attachment_pieces;

/// The largest piece of a file's stored bytes.
pub const PIECE: usize = 1024 * 1024;

/// What was stored: the stored bytes' SHA-256.
pub struct Stored {
    pub sha256: String,
}

/// Writes a file's stored bytes as its pieces, in order from 0: memory is one piece,
/// whatever the file's size. A database error is kept and given back by [`PieceWriter::finish`]
/// (the sealing code only sees an input/output error).
struct PieceWriter<'c> {
    conn: &'c mut DbConn,
    id: i32,
    seq: i32,
    buf: Vec<u8>,
    hash: sha2::Sha256,
    failed: Option<diesel::result::Error>,
}

impl<'c> PieceWriter<'c> {
    fn new(conn: &'c mut DbConn, id: i32) -> Self {
        PieceWriter {
            conn,
            id,
            seq: 0,
            buf: Vec::with_capacity(PIECE),
            hash: sha2::Sha256::new(),
            failed: None,
        }
    }

    fn write_piece(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let written = diesel::insert_into(attachment_pieces::table)
            .values((
                attachment_pieces::attachment_id.eq(self.id),
                attachment_pieces::seq.eq(self.seq),
                attachment_pieces::data.eq(&self.buf),
            ))
            .execute(self.conn);
        if let Err(e) = written {
            self.failed = Some(e);
            return Err(std::io::Error::other("a piece of an evidence file was not stored"));
        }
        self.seq += 1;
        self.buf.clear();
        Ok(())
    }

    /// Writes the last piece; what was stored.
    fn finish(mut self) -> Result<Stored, AppError> {
        let last = self.write_piece();
        if let Some(e) = self.failed.take() {
            return Err(e.into());
        }
        last.map_err(AppError::internal)?;
        Ok(Stored { sha256: hex::encode(self.hash.finalize()) })
    }
}

impl std::io::Write for PieceWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = bytes.len().min(PIECE - self.buf.len());
        self.buf.extend_from_slice(&bytes[..n]);
        self.hash.update(&bytes[..n]);
        if self.buf.len() == PIECE {
            self.write_piece()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // A piece is written when full, the last by `finish`.
        Ok(())
    }
}

/// Reads a file's stored bytes, fetching one piece at a time.
struct PieceReader<'c> {
    conn: &'c mut DbConn,
    id: i32,
    seq: i32,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<'c> PieceReader<'c> {
    fn new(conn: &'c mut DbConn, id: i32) -> Self {
        PieceReader { conn, id, seq: 0, buf: vec![], pos: 0, done: false }
    }
}

impl std::io::Read for PieceReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            if self.done {
                return Ok(0);
            }
            let piece: Option<Vec<u8>> = attachment_pieces::table
                .find((self.id, self.seq))
                .select(attachment_pieces::data)
                .first(self.conn)
                .optional()
                .map_err(std::io::Error::other)?;
            match piece {
                Some(p) => {
                    self.buf = p;
                    self.pos = 0;
                    self.seq += 1;
                }
                None => self.done = true,
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Stores what `reader` gives as file `id`'s pieces, sealed under `seal` (a key and the
/// associated data) when given, in constant memory.
pub fn store(
    conn: &mut DbConn,
    id: i32,
    mut reader: impl std::io::Read,
    sealed: Option<(&SecretKey, &[u8])>,
) -> Result<Stored, AppError> {
    let mut writer = PieceWriter::new(conn, id);
    let copied = match sealed {
        Some((key, aad)) => {
            seal::seal_stream(key, aad, &mut reader, &mut writer).map(|_| ()).map_err(AppError::internal)
        }
        None => std::io::copy(&mut reader, &mut writer).map(|_| ()).map_err(AppError::internal),
    };
    if let Some(e) = writer.failed.take() {
        return Err(e.into());
    }
    copied?;
    writer.finish()
}

/// File `id`'s bytes: its pieces, opened with `sealed` (a key and the associated data) when
/// given; changed, cut or reordered bytes are refused. Read one piece at a time; only the
/// result is whole.
pub fn read(conn: &mut DbConn, id: i32, sealed: Option<(&SecretKey, &[u8])>) -> Result<Vec<u8>, AppError> {
    let mut out = vec![];
    let mut reader = PieceReader::new(conn, id);
    match sealed {
        Some((key, aad)) => {
            seal::open_stream(key, aad, &mut reader, &mut out).map_err(|e| match e {
                seal::StreamError::Refused(r) => AppError::from(r),
                e => AppError::internal(e),
            })?;
        }
        None => {
            std::io::Read::read_to_end(&mut reader, &mut out).map_err(AppError::internal)?;
        }
    }
    Ok(out)
}

/// The SHA-256 of file `id`'s stored bytes, read one piece at a time.
pub fn sha256(conn: &mut DbConn, id: i32) -> Result<String, AppError> {
    let mut hash = sha2::Sha256::new();
    std::io::copy(&mut PieceReader::new(conn, id), &mut hash).map_err(AppError::internal)?;
    Ok(hex::encode(hash.finalize()))
}

/// Deletes file `id`'s pieces (before they are written again, sealed).
pub fn delete(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
    diesel::delete(attachment_pieces::table.filter(attachment_pieces::attachment_id.eq(id))).execute(conn)
}
