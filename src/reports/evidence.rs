//! Evidence files: what is accepted, recognised by content (magic bytes), never by name.
//! Originals are kept unchanged; the SHA-256 taken here starts the chain of custody.
//! Free of web and database types.

/// A checked evidence file, ready to be stored.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub kind: &'static str,
    pub content_type: String,
    pub sha256: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceError {
    Empty,
    TooLarge,
    /// Not a photo, sound, video or PDF, whatever its name says.
    Refused,
}

impl EvidenceError {
    pub fn key(self) -> &'static str {
        match self {
            EvidenceError::Empty => "err-file-empty",
            EvidenceError::TooLarge => "err-file-too-large",
            EvidenceError::Refused => "err-file-type",
        }
    }
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

/// Checks one file by its content and size limit (bytes).
pub fn check(data: Vec<u8>, max_bytes: usize) -> Result<Evidence, EvidenceError> {
    if data.is_empty() {
        return Err(EvidenceError::Empty);
    }
    if data.len() > max_bytes {
        return Err(EvidenceError::TooLarge);
    }
    let mime = infer::get(&data).map(|t| t.mime_type()).ok_or(EvidenceError::Refused)?;
    let kind = kind_of(mime).ok_or(EvidenceError::Refused)?;
    Ok(Evidence { kind, content_type: mime.to_string(), sha256: crate::crypto::sha256_hex(&data), data })
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
        assert_eq!(check(b"%PDF-1.4\n%...".to_vec(), 1000).unwrap().kind, "pdf");
        assert_eq!(check(b"#!/bin/sh\nrm -rf /".to_vec(), 1000).unwrap_err(), EvidenceError::Refused);
        assert_eq!(check(b"MZ\x90\x00\x03\x00\x00\x00".to_vec(), 1000).unwrap_err(), EvidenceError::Refused);
        assert_eq!(check(vec![], 1000).unwrap_err(), EvidenceError::Empty);
        assert_eq!(check(PNG.to_vec(), 10).unwrap_err(), EvidenceError::TooLarge);
        assert_eq!(check(b"#!AMR\n\x3c\x91\x17\x16\xbe\x66\x78".to_vec(), 1000).unwrap().kind, "audio");
    }
}
