//! Evidence files: what is accepted, recognised by content (magic bytes), never by name.
//! Originals are kept unchanged; the SHA-256 taken here starts the chain of custody.
//!
//! Security:
//! - An upload is read from where it was spooled (disk) in fixed-size chunks: the type is
//!   sniffed from the first chunk, the SHA-256 and the PDF check are fed chunk by chunk, and no
//!   copy of the whole file is made here, nor when it is stored: it is sealed and written to the
//!   database a chunk and a piece at a time (`crate::pieces::store`), in constant memory.
//! - Photos are shown to staff only as a copy re-encoded from their pixels: no EXIF, XMP, IPTC
//!   or comment survives (GPS position, device serial), nor anything appended to or hidden in the
//!   file (a GIF that is also an HTML page becomes a plain PNG). The orientation is applied
//!   first, so the copy looks as the photo did.
//! - PDFs are never re-rendered here: they are flagged when they hold JavaScript, automatic or
//!   launch actions, or compressed object streams that this scan cannot see into.
//!
//! Free of web and database types.

use std::io::{BufRead, BufReader, Cursor, Read, Seek};
use std::path::PathBuf;

use sha2::{Digest, Sha256};

/// How much is read at once.
const CHUNK: usize = 64 * 1024;
/// The longest side of a staff copy, in pixels: a 12-megapixel phone photo keeps every pixel.
pub const SAFE_MAX_SIDE: u32 = 4096;
/// What decoding one photo may allocate (a 40-megapixel RGB photo fits; past that the photo
/// gets no staff copy and only the auditor opens it). Photos are decoded one at a time.
const DECODE_MAX_ALLOC: u64 = 128 * 1024 * 1024;

/// Where the bytes of an upload are until they are saved: the file Rocket spooled to disk, or a
/// small buffer (a part sent as a plain value).
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Bytes(Vec<u8>),
}

pub trait ReadSeek: BufRead + Seek + Send {}
impl<T: BufRead + Seek + Send> ReadSeek for T {}

impl Source {
    /// The upload's bytes, read from where they are, a chunk at a time.
    pub fn open(&self) -> std::io::Result<Box<dyn ReadSeek + '_>> {
        Ok(match self {
            Source::File(p) => Box::new(BufReader::with_capacity(CHUNK, std::fs::File::open(p)?)),
            Source::Bytes(b) => Box::new(Cursor::new(b.as_slice())),
        })
    }
}

/// The copy of a photo that staff see.
#[derive(Debug, Clone)]
pub struct SafeCopy {
    pub content_type: &'static str,
    pub data: Vec<u8>,
}

/// A checked evidence file, ready to be stored.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub kind: &'static str,
    pub content_type: String,
    pub sha256: String,
    pub size: u64,
    /// `pdf-active` (JavaScript, automatic or launch actions found) or `pdf-unchecked`
    /// (compressed object streams this scan cannot see into); None otherwise.
    pub warning: Option<&'static str>,
    /// For photos: the re-encoded copy without metadata; None when it could not be made (the
    /// photo is then readable by the custodian only).
    pub safe: Option<SafeCopy>,
    pub source: Source,
    /// `evidence`, `narrative` (the report told by voice) or `message` (see [`as_voice`]).
    pub purpose: &'static str,
}

/// A checked file given as a recording (`purpose`: `narrative` or `message`): a sound. A WebM
/// file is taken as one (browsers record voice as Opus in WebM, which sniffing calls a video).
pub fn as_voice(mut e: Evidence, purpose: &'static str) -> Result<Evidence, EvidenceError> {
    match (e.kind, e.content_type.as_str()) {
        ("audio", _) => {}
        ("video", "video/webm") => {
            e.kind = "audio";
            e.content_type = "audio/webm".into();
        }
        _ => return Err(EvidenceError::NotVoice),
    }
    e.purpose = purpose;
    Ok(e)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceError {
    Empty,
    TooLarge,
    /// Not a photo, sound, video or PDF, whatever its name says.
    Refused,
    Unreadable,
    /// More files in one form than allowed.
    TooMany,
    /// The report holds all the evidence it may hold.
    ReportFull,
    /// The report received all the evidence it may receive today.
    DailyFull,
    /// Given as the spoken narrative, but not a sound recording.
    NotVoice,
}

impl EvidenceError {
    pub fn key(self) -> &'static str {
        match self {
            EvidenceError::Empty => "err-file-empty",
            EvidenceError::TooLarge => "err-file-too-large",
            EvidenceError::Refused => "err-file-type",
            EvidenceError::Unreadable => "err-file-unreadable",
            EvidenceError::TooMany => "err-too-many-files",
            EvidenceError::ReportFull => "err-report-files-full",
            EvidenceError::DailyFull => "err-report-files-today",
            EvidenceError::NotVoice => "err-voice-type",
        }
    }
}

/// How much evidence is allowed (bytes for sizes).
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub per_form_files: u64,
    pub file_bytes: u64,
    pub report_files: u64,
    pub report_bytes: u64,
    pub daily_files: u64,
    pub daily_bytes: u64,
}

/// The evidence a report already holds: in all, and received today.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub files: u64,
    pub bytes: u64,
    pub files_today: u64,
    pub bytes_today: u64,
}

/// Checks the sizes of incoming files (as spooled, before anything is read) against the caps.
pub fn check_caps(caps: &Caps, usage: &Usage, incoming: &[u64]) -> Result<(), EvidenceError> {
    let n = incoming.len() as u64;
    let bytes: u64 = incoming.iter().sum();
    if n > caps.per_form_files {
        return Err(EvidenceError::TooMany);
    }
    if incoming.iter().any(|&b| b > caps.file_bytes) {
        return Err(EvidenceError::TooLarge);
    }
    if usage.files + n > caps.report_files || usage.bytes + bytes > caps.report_bytes {
        return Err(EvidenceError::ReportFull);
    }
    if usage.files_today + n > caps.daily_files || usage.bytes_today + bytes > caps.daily_bytes {
        return Err(EvidenceError::DailyFull);
    }
    Ok(())
}

/// The kind for a content type we accept. Cheap phones record AMR and 3GPP: they are in.
fn kind_of(mime: &str) -> Option<&'static str> {
    match mime {
        "image/jpeg" | "image/png" | "image/webp" | "image/gif" | "image/heif" | "image/avif" => {
            Some("image")
        }
        "audio/mpeg" | "audio/ogg" | "audio/x-wav" | "audio/wav" | "audio/amr" | "audio/aac"
        | "audio/m4a" | "audio/x-m4a" | "audio/mp4" | "audio/opus" | "audio/x-flac" | "audio/webm" => {
            Some("audio")
        }
        "video/mp4" | "video/3gpp" | "video/3gpp2" | "video/webm" | "video/quicktime"
        | "video/x-matroska" | "video/x-msvideo" => Some("video"),
        "application/pdf" => Some("pdf"),
        _ => None,
    }
}

/// Checks one file by its content and size limit (bytes), reading it in chunks. Blocking I/O:
/// call it off the async threads.
pub fn inspect(source: Source, max_bytes: u64) -> Result<Evidence, EvidenceError> {
    let mut reader = source.open().map_err(|_| EvidenceError::Unreadable)?;
    let mut hasher = Sha256::new();
    let mut pdf = PdfScan::default();
    let mut head: Vec<u8> = Vec::new();
    let mut mime: Option<&'static str> = None;
    let mut size: u64 = 0;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = reader.read(&mut buf).map_err(|_| EvidenceError::Unreadable)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        if size > max_bytes {
            return Err(EvidenceError::TooLarge);
        }
        let chunk = &buf[..n];
        hasher.update(chunk);
        if mime.is_none() {
            // The type is told by the first bytes; keep up to one chunk of them.
            let want = CHUNK.saturating_sub(head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..want]);
            if head.len() >= CHUNK {
                mime = Some(infer::get(&head).map(|t| t.mime_type()).ok_or(EvidenceError::Refused)?);
            }
        }
        pdf.feed(chunk);
    }
    if size == 0 {
        return Err(EvidenceError::Empty);
    }
    let mime = match mime {
        Some(m) => m,
        None => infer::get(&head).map(|t| t.mime_type()).ok_or(EvidenceError::Refused)?,
    };
    let kind = kind_of(mime).ok_or(EvidenceError::Refused)?;
    drop(reader);
    let warning = if kind == "pdf" { pdf.finish() } else { None };
    let safe = if kind == "image" { safe_image(&source) } else { None };
    Ok(Evidence {
        kind,
        content_type: mime.to_string(),
        sha256: hex::encode(hasher.finalize()),
        size,
        warning,
        safe,
        source,
        purpose: "evidence",
    })
}

/// Tells whether a file is of a kind we accept from its first bytes only (at most one chunk):
/// no hashing, no decoding. Used to answer a form that has other mistakes in one go.
pub fn sniff(source: &Source) -> Result<(), EvidenceError> {
    let reader = source.open().map_err(|_| EvidenceError::Unreadable)?;
    let mut head = Vec::with_capacity(CHUNK);
    reader.take(CHUNK as u64).read_to_end(&mut head).map_err(|_| EvidenceError::Unreadable)?;
    if head.is_empty() {
        return Err(EvidenceError::Empty);
    }
    let mime = infer::get(&head).map(|t| t.mime_type()).ok_or(EvidenceError::Refused)?;
    kind_of(mime).map(|_| ()).ok_or(EvidenceError::Refused)
}

/// A photo re-encoded from its pixels alone: JPEG stays JPEG, the others become PNG (a GIF's
/// first frame). None when it cannot be decoded within the limits (HEIF, AVIF, damaged, huge).
pub fn safe_image(source: &Source) -> Option<SafeCopy> {
    use image::{ImageDecoder, ImageFormat};
    let reader = image::ImageReader::new(source.open().ok()?).with_guessed_format().ok()?;
    let format = reader.format()?;
    let mut reader = reader;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(30_000);
    limits.max_image_height = Some(30_000);
    limits.max_alloc = Some(DECODE_MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let orientation = decoder.orientation().ok();
    let mut img = image::DynamicImage::from_decoder(decoder).ok()?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    if img.width() > SAFE_MAX_SIDE || img.height() > SAFE_MAX_SIDE {
        img = img.resize(SAFE_MAX_SIDE, SAFE_MAX_SIDE, image::imageops::FilterType::Triangle);
    }
    let mut out = Cursor::new(Vec::new());
    if format == ImageFormat::Jpeg {
        let rgb = image::DynamicImage::ImageRgb8(img.into_rgb8());
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
        rgb.write_with_encoder(enc).ok()?;
        Some(SafeCopy { content_type: "image/jpeg", data: out.into_inner() })
    } else {
        img.write_to(&mut out, ImageFormat::Png).ok()?;
        Some(SafeCopy { content_type: "image/png", data: out.into_inner() })
    }
}

/// Finds the PDF names that run something when a document is opened, chunk by chunk and with
/// `#xx` escapes decoded (`/J#61vaScript` is `/JavaScript`).
#[derive(Default)]
struct PdfScan {
    in_name: bool,
    name: Vec<u8>,
    /// Hex digits seen after a `#` in the current name.
    hex: Option<Vec<u8>>,
    active: bool,
    object_streams: bool,
}

const ACTIVE_NAMES: [&[u8]; 6] = [b"JavaScript", b"JS", b"OpenAction", b"AA", b"Launch", b"RichMedia"];

impl PdfScan {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.in_name {
                if let Some(h) = &mut self.hex {
                    if b.is_ascii_hexdigit() {
                        h.push(b);
                        if h.len() == 2 {
                            let v = std::str::from_utf8(h).ok().and_then(|s| u8::from_str_radix(s, 16).ok());
                            self.hex = None;
                            if let Some(v) = v {
                                self.push(v);
                            }
                        }
                        continue;
                    }
                    self.hex = None;
                }
                if b == b'#' {
                    self.hex = Some(Vec::with_capacity(2));
                } else if b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b) {
                    self.end_name();
                    if b == b'/' {
                        self.in_name = true;
                    }
                } else {
                    self.push(b);
                }
            } else if b == b'/' {
                self.in_name = true;
            }
        }
    }

    fn push(&mut self, b: u8) {
        if self.name.len() < 32 {
            self.name.push(b);
        }
    }

    fn end_name(&mut self) {
        if ACTIVE_NAMES.contains(&self.name.as_slice()) {
            self.active = true;
        }
        if self.name == b"ObjStm" {
            self.object_streams = true;
        }
        self.name.clear();
        self.hex = None;
        self.in_name = false;
    }

    fn finish(&mut self) -> Option<&'static str> {
        if self.in_name {
            self.end_name();
        }
        if self.active {
            Some("pdf-active")
        } else if self.object_streams {
            Some("pdf-unchecked")
        } else {
            None
        }
    }
}

/// Reads a whole small buffer through [`inspect`] (tests and small values).
/// The longest side of a thumbnail on the staff pages, in pixels.
pub const THUMB_SIDE: u32 = 240;

/// A small PNG of a staff copy (already free of metadata), for the case and report pages.
/// None if the copy cannot be decoded.
pub fn thumbnail(safe_copy: &[u8]) -> Option<Vec<u8>> {
    let img = image::load_from_memory(safe_copy).ok()?;
    let small = img.thumbnail(THUMB_SIDE, THUMB_SIDE);
    let mut out = std::io::Cursor::new(Vec::new());
    small.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

pub fn check(data: Vec<u8>, max_bytes: u64) -> Result<Evidence, EvidenceError> {
    inspect(Source::Bytes(data), max_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0,
        0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89,
    ];

    #[test]
    fn accepts_by_content_and_refuses_disguised_files() {
        let e = check(PNG.to_vec(), 1000).unwrap();
        assert_eq!((e.kind, e.content_type.as_str()), ("image", "image/png"));
        assert_eq!(e.sha256.len(), 64);
        assert_eq!(e.size, PNG.len() as u64);
        assert_eq!(check(b"%PDF-1.4\n%...".to_vec(), 1000).unwrap().kind, "pdf");
        assert_eq!(check(b"#!/bin/sh\nrm -rf /".to_vec(), 1000).unwrap_err(), EvidenceError::Refused);
        assert_eq!(check(b"MZ\x90\x00\x03\x00\x00\x00".to_vec(), 1000).unwrap_err(), EvidenceError::Refused);
        assert_eq!(check(vec![], 1000).unwrap_err(), EvidenceError::Empty);
        assert_eq!(check(PNG.to_vec(), 10).unwrap_err(), EvidenceError::TooLarge);
        assert_eq!(check(b"#!AMR\n\x3c\x91\x17\x16\xbe\x66\x78".to_vec(), 1000).unwrap().kind, "audio");
        assert_eq!(sniff(&Source::Bytes(PNG.to_vec())), Ok(()));
        assert_eq!(sniff(&Source::Bytes(b"#!/bin/sh\n".to_vec())), Err(EvidenceError::Refused));
    }

    #[test]
    fn the_hash_of_a_file_read_in_chunks_is_the_hash_of_the_file() {
        let mut big = b"%PDF-1.7\n".to_vec();
        big.extend((0..300_000u32).map(|i| (i % 251) as u8));
        let e = check(big.clone(), 1 << 20).unwrap();
        assert_eq!(e.sha256, crate::crypto::sha256_hex(&big));
        assert_eq!(e.size, big.len() as u64);
    }

    #[test]
    fn active_pdfs_are_flagged_even_across_chunks_and_escapes() {
        let flag = |body: &[u8]| {
            let mut d = b"%PDF-1.7\n".to_vec();
            d.extend_from_slice(body);
            check(d, 1 << 24).unwrap().warning
        };
        assert_eq!(flag(b"1 0 obj << /Type /Catalog >> endobj"), None);
        assert_eq!(flag(b"<< /S /JavaScript /JS (app.alert(1)) >>"), Some("pdf-active"));
        assert_eq!(flag(b"<</OpenAction 3 0 R>>"), Some("pdf-active"));
        assert_eq!(flag(b"<</AA<</O 4 0 R>>>>"), Some("pdf-active"));
        assert_eq!(flag(b"<</S/Launch/F(calc.exe)>>"), Some("pdf-active"));
        assert_eq!(flag(b"<</S /J#61vaScript>>"), Some("pdf-active"));
        assert_eq!(flag(b"<</Type /ObjStm /N 3>>"), Some("pdf-unchecked"));
        assert_eq!(flag(b"<</JSON 1>> /AAA"), None, "other names are not actions");
        // A name cut by a chunk boundary is still seen.
        let mut d = b"%PDF-1.7\n".to_vec();
        d.resize(CHUNK - 5, b' ');
        d.extend_from_slice(b"/JavaScript (x)");
        assert_eq!(check(d, 1 << 24).unwrap().warning, Some("pdf-active"));
    }

    #[test]
    fn caps_count_files_and_bytes_per_form_report_and_day() {
        let caps = Caps {
            per_form_files: 2,
            file_bytes: 100,
            report_files: 4,
            report_bytes: 300,
            daily_files: 3,
            daily_bytes: 200,
        };
        let none = Usage::default();
        assert_eq!(check_caps(&caps, &none, &[10, 10]), Ok(()));
        assert_eq!(check_caps(&caps, &none, &[10, 10, 10]), Err(EvidenceError::TooMany));
        assert_eq!(check_caps(&caps, &none, &[101]), Err(EvidenceError::TooLarge));
        let full = Usage { files: 4, bytes: 40, files_today: 0, bytes_today: 0 };
        assert_eq!(check_caps(&caps, &full, &[1]), Err(EvidenceError::ReportFull));
        let heavy = Usage { files: 1, bytes: 250, files_today: 0, bytes_today: 0 };
        assert_eq!(check_caps(&caps, &heavy, &[60]), Err(EvidenceError::ReportFull));
        let today = Usage { files: 3, bytes: 30, files_today: 3, bytes_today: 30 };
        assert_eq!(check_caps(&caps, &today, &[1]), Err(EvidenceError::DailyFull));
        let today = Usage { files: 1, bytes: 150, files_today: 1, bytes_today: 150 };
        assert_eq!(check_caps(&caps, &today, &[60]), Err(EvidenceError::DailyFull));
    }

    #[test]
    fn photos_are_re_encoded_without_metadata_or_hidden_payload() {
        // A 2x2 JPEG with an EXIF block carrying a serial number, and a GIF with an HTML page
        // after its trailer.
        let img = image::DynamicImage::new_rgb8(2, 2);
        let mut jpeg = Cursor::new(Vec::new());
        img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
        let mut jpeg = jpeg.into_inner();
        let exif = b"Exif\0\0MM\0*\0\0\0\x08SERIAL-0042";
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        app1.extend_from_slice(exif);
        jpeg.splice(2..2, app1);
        let e = check(jpeg.clone(), 1 << 20).unwrap();
        let safe = e.safe.expect("a safe copy");
        assert_eq!(safe.content_type, "image/jpeg");
        assert!(!safe.data.windows(4).any(|w| w == b"Exif"));
        assert!(!safe.data.windows(6).any(|w| w == b"SERIAL"));
        assert_eq!(e.sha256, crate::crypto::sha256_hex(&jpeg), "the original's hash");

        let mut gif = Cursor::new(Vec::new());
        image::DynamicImage::new_rgba8(1, 1).write_to(&mut gif, image::ImageFormat::Gif).unwrap();
        let mut gif = gif.into_inner();
        gif.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
        let safe = check(gif, 1 << 20).unwrap().safe.expect("a safe copy");
        assert_eq!(safe.content_type, "image/png");
        assert!(safe.data.starts_with(b"\x89PNG"));
        assert!(!safe.data.windows(7).any(|w| w == b"<script"));
        // HEIF cannot be decoded here: no copy, the custodian keeps the only readable file.
        assert!(safe_image(&Source::Bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec())).is_none());
    }
}
