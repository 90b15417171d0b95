//! A report's protected fields and its data key (issue 15, phase 2; docs/SECURITY.md,
//! "Encryption at rest"). Each report gets a random 256-bit data key; the protected fields are
//! sealed together under it (XChaCha20-Poly1305), and the data key is sealed to each holder's
//! group key (the intake desk, then each institution a case is opened at), bound to the
//! report, the holder and the group key's version. Free of web and database types.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::crypto::{seal, PrivateKey, PublicKey, Refused, SecretKey};

/// The report's fields that a copy of the database must not reveal: what happened in the
/// reporter's words, the victims, who the reporter is and how to reach them, and the person a
/// monitor filed for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protected {
    pub narrative: String,
    pub victim_details: String,
    pub reporter_name: Option<String>,
    pub reporter_contact: Option<String>,
    pub on_behalf_of: Option<String>,
    /// The exact point, in millionths of a degree (latitude, longitude); the columns keep only
    /// its cell ([`cell`]). Absent from values sealed before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<(i64, i64)>,
}

/// The size of the cell a sealed report's point is kept at in clear: 0.01° (about 1.1 km of
/// latitude, 1.07 km of longitude at Mali's 10–25° N), enough for duplicates (25 km), hotspots
/// (5 km) and the maps, not enough to find a house.
pub const CELL_DEGREES: f64 = 0.01;

/// The centre line of the 0.01° cell a coordinate falls in: the coordinate to two decimals (as
/// SQL's `round(x, 2)`, which `keys seal` uses for the events).
pub fn cell(x: f64) -> f64 {
    let per_degree = (1.0 / CELL_DEGREES).round();
    (x * per_degree).round() / per_degree
}

/// A point as [`Protected::point`] keeps it.
pub fn micro(lat: f64, lon: f64) -> (i64, i64) {
    ((lat * 1e6).round() as i64, (lon * 1e6).round() as i64)
}

/// A point kept by [`micro`], back in degrees.
pub fn degrees(p: (i64, i64)) -> (f64, f64) {
    (p.0 as f64 / 1e6, p.1 as f64 / 1e6)
}

const FIELDS_AAD: &[u8] = b"vigie report fields v1";

/// A staff member able to open what their groups hold: their account and its opened private
/// key (from the session row, `auth::CurrentUser::session_key`).
#[derive(Clone)]
pub struct Reader {
    pub user_id: i32,
    pub key: PrivateKey,
}

/// What a reader got of a report's protected fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// Filed before sealing was set up (`vigie keys init`): the clear columns hold them.
    Clear,
    /// Sealed and opened with the reader's key.
    Open(Protected),
    /// Sealed, and the reader holds no key that opens it (not signed in with a key, or
    /// waiting for a group key a holder will give them).
    NoKey,
    /// Sealed, and the sealed bytes do not open with the key that should open them: changed
    /// in the database. Refused, never shown.
    Refused,
}

impl Protected {
    /// The fields sealed under `key`, as stored in `reports.sealed`.
    pub fn seal(&self, key: &SecretKey) -> String {
        let json = zeroize::Zeroizing::new(serde_json::to_vec(self).expect("plain strings serialise"));
        B64.encode(seal::seal(key, FIELDS_AAD, &json))
    }

    pub fn open(sealed: &str, key: &SecretKey) -> Result<Protected, Refused> {
        let raw = B64.decode(sealed).map_err(|_| Refused)?;
        let json = zeroize::Zeroizing::new(seal::open(key, FIELDS_AAD, &raw)?);
        serde_json::from_slice(&json).map_err(|_| Refused)
    }
}

/// The associated data of a report's data key sealed to `holder`'s group key `version`: moved
/// to another report, holder or version, it does not open.
fn key_aad(report_id: i32, holder: &str, version: i32) -> Vec<u8> {
    format!("vigie report {report_id} data key for {holder} v{version}").into_bytes()
}

/// `data_key` sealed to a group's public key, for `report_keys.sealed`.
pub fn seal_data_key(
    data_key: &SecretKey,
    report_id: i32,
    holder: &str,
    version: i32,
    to: &PublicKey,
) -> String {
    to.seal(&key_aad(report_id, holder, version), data_key.as_bytes())
}

/// A report's data key, opened with the holder group's private key.
pub fn open_data_key(
    sealed: &str,
    report_id: i32,
    holder: &str,
    version: i32,
    group: &PrivateKey,
) -> Result<SecretKey, Refused> {
    let raw = zeroize::Zeroizing::new(group.open(&key_aad(report_id, holder, version), sealed)?);
    SecretKey::from_slice(&raw)
}

/// The holder names of the report's own people in `report_keys` (an institution's code never
/// starts with `@`).
pub const REPORTER: &str = "@reporter";
pub const MONITOR: &str = "@monitor";

/// The data key sealed for the reporter under the key their receipt gives
/// (`crypto::ReceiptDigest::reporter_key`).
pub fn seal_for_reporter(data_key: &SecretKey, report_id: i32, reporter: &SecretKey) -> String {
    B64.encode(seal::seal(reporter, &key_aad(report_id, REPORTER, 0), data_key.as_bytes()))
}

pub fn open_for_reporter(sealed: &str, report_id: i32, reporter: &SecretKey) -> Result<SecretKey, Refused> {
    let raw = B64.decode(sealed).map_err(|_| Refused)?;
    let key = zeroize::Zeroizing::new(seal::open(reporter, &key_aad(report_id, REPORTER, 0), &raw)?);
    SecretKey::from_slice(&key)
}

const MESSAGE_AAD: &[u8] = b"vigie report message v1";
const MESSAGE_PREFIX: &str = "m1:";

/// A message's body sealed under its report's data key, as stored in `messages.body`.
pub fn seal_message(key: &SecretKey, body: &str) -> String {
    format!("{MESSAGE_PREFIX}{}", B64.encode(seal::seal(key, MESSAGE_AAD, body.as_bytes())))
}

/// A stored message body as its reader sees it: as it is for a report kept in clear; opened
/// with the data key for a sealed one; None when it does not open (no key, or changed bytes).
pub fn open_message(stored: &str, report_sealed: bool, key: Option<&SecretKey>) -> Option<String> {
    if !report_sealed {
        return Some(stored.to_string());
    }
    let raw = B64.decode(stored.strip_prefix(MESSAGE_PREFIX)?).ok()?;
    String::from_utf8(seal::open(key?, MESSAGE_AAD, &raw).ok()?).ok()
}

const FILE_AAD: &[u8] = b"vigie evidence file v1";
const COPY_AAD: &[u8] = b"vigie evidence staff copy v1";

/// Which bytes of an evidence file: the original as uploaded, or the staff copy of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilePart {
    Original,
    StaffCopy,
}

impl FilePart {
    /// The associated data a file's part is sealed with.
    pub fn aad(self) -> &'static [u8] {
        match self {
            FilePart::Original => FILE_AAD,
            FilePart::StaffCopy => COPY_AAD,
        }
    }
}

/// An evidence file's bytes sealed under its report's data key, 64 KiB at a time
/// (`crypto::seal::seal_stream`).
pub fn seal_file(key: &SecretKey, part: FilePart, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(seal::sealed_stream_len(data.len() as u64) as usize);
    seal::seal_stream(key, part.aad(), data, &mut out).expect("writing into memory cannot fail");
    out
}

/// An evidence file's bytes opened; changed, cut or reordered bytes are refused.
pub fn open_file(key: &SecretKey, part: FilePart, sealed: &[u8]) -> Result<Vec<u8>, Refused> {
    let mut out = Vec::with_capacity(sealed.len());
    seal::open_stream(key, part.aad(), sealed, &mut out).map_err(|_| Refused)?;
    Ok(out)
}

/// What a case's note is sealed for (its associated data: moved to another case, it does not
/// open).
pub fn note_what(case_id: i32) -> String {
    format!("case note of case {case_id}")
}

/// What an allegation's finding's reasoning is sealed for.
pub fn finding_what(allegation_id: i32) -> String {
    format!("finding reasoning of allegation {allegation_id}")
}

const STAFF_PREFIX: &str = "gs1:";

/// A text staff write on a case (a note, a finding's reasoning), sealed to each group that
/// reads the case: its institution and the intake desk (whose auditors read every case).
/// `what` names the row it belongs to ("case note 12 …"): moved to another row, it does not
/// open. Stored as `gs1:` and JSON of (group, version, sealed box) for each group.
pub fn seal_for_groups(text: &str, what: &str, to: &[(String, i32, PublicKey)]) -> String {
    let parts: Vec<(String, i32, String)> = to
        .iter()
        .map(|(g, v, public)| (g.clone(), *v, public.seal(&staff_aad(what, g, *v), text.as_bytes())))
        .collect();
    format!("{STAFF_PREFIX}{}", serde_json::to_string(&parts).expect("strings serialise"))
}

/// The groups and versions a stored staff text is sealed to, and their boxes; None for a text
/// kept in clear (written before the keys were set up).
pub fn sealed_groups(stored: &str) -> Option<Vec<(String, i32, String)>> {
    serde_json::from_str(stored.strip_prefix(STAFF_PREFIX)?).ok().or(Some(vec![]))
}

/// A staff text opened with a group's private key (`box` from [`sealed_groups`]).
pub fn open_for_group(
    sealed: &str,
    what: &str,
    group: &str,
    version: i32,
    key: &PrivateKey,
) -> Option<String> {
    String::from_utf8(key.open(&staff_aad(what, group, version), sealed).ok()?).ok()
}

/// A stored staff text with its part for `group` at version `from` opened with that version's
/// `key` and sealed to the group's version `to_version` (`to`) instead, the other parts kept;
/// None when it has no such part or the part does not open (changed bytes stay as they are).
pub fn reseal_for_group(
    stored: &str,
    what: &str,
    group: &str,
    from: i32,
    key: &PrivateKey,
    to_version: i32,
    to: &PublicKey,
) -> Option<String> {
    let mut parts = sealed_groups(stored)?;
    let i = parts.iter().position(|p| p.0 == group && p.1 == from)?;
    let text = zeroize::Zeroizing::new(open_for_group(&parts[i].2, what, group, from, key)?);
    parts[i] = (group.to_string(), to_version, to.seal(&staff_aad(what, group, to_version), text.as_bytes()));
    Some(format!("{STAFF_PREFIX}{}", serde_json::to_string(&parts).ok()?))
}

fn staff_aad(what: &str, group: &str, version: i32) -> Vec<u8> {
    format!("vigie {what} for {group} v{version}").into_bytes()
}

const MONITOR_AAD: &[u8] = b"vigie report on behalf of, for its monitor v1";

/// The person a monitor filed for, sealed to the monitor's own public key: kept in the
/// report's clear `on_behalf_of` column so that "my reports" lists it for the monitor alone
/// (the institutions read it from the sealed fields).
pub fn seal_for_monitor(name: &str, monitor: &PublicKey) -> String {
    monitor.seal(MONITOR_AAD, name.as_bytes())
}

/// What "my reports" shows of a stored `on_behalf_of`: a value sealed to the monitor, opened
/// with their key (empty when it does not open), or a value from before sealing as it is.
pub fn on_behalf_of_for_monitor(stored: &str, key: Option<&PrivateKey>) -> String {
    if !crate::crypto::keys::is_sealed_box(stored) {
        return stored.to_string();
    }
    key.and_then(|k| k.open(MONITOR_AAD, stored).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Protected {
        Protected {
            narrative: "Ils ont frappé mon frère au marché".into(),
            victim_details: "un homme de 30 ans".into(),
            reporter_name: Some("Awa".into()),
            reporter_contact: Some("+223 70 00 00 00".into()),
            on_behalf_of: None,
            point: Some(micro(14.496_913, -4.197_052)),
        }
    }

    #[test]
    fn a_staff_text_is_resealed_to_a_groups_new_version_and_the_old_one_no_longer_opens_it() {
        let (intake, cndh1, cndh2) = (PrivateKey::generate(), PrivateKey::generate(), PrivateKey::generate());
        let to =
            vec![("intake".to_string(), 1, intake.public_key()), ("cndh".to_string(), 1, cndh1.public_key())];
        let stored = seal_for_groups("Témoin vu au camp", "case note of case 4", &to);
        let new = reseal_for_group(&stored, "case note of case 4", "cndh", 1, &cndh1, 2, &cndh2.public_key())
            .unwrap();
        let parts = sealed_groups(&new).unwrap();
        assert_eq!(
            parts.iter().map(|p| (p.0.as_str(), p.1)).collect::<Vec<_>>(),
            [("intake", 1), ("cndh", 2)]
        );
        assert_eq!(
            open_for_group(&parts[1].2, "case note of case 4", "cndh", 2, &cndh2).as_deref(),
            Some("Témoin vu au camp")
        );
        assert_eq!(open_for_group(&parts[1].2, "case note of case 4", "cndh", 1, &cndh1), None);
        assert_eq!(parts[0], sealed_groups(&stored).unwrap()[0], "the intake desk's part is untouched");
        // No part at that version, or the wrong key, or another row's text: nothing.
        assert!(reseal_for_group(&new, "case note of case 4", "cndh", 1, &cndh1, 2, &cndh2.public_key())
            .is_none());
        assert!(reseal_for_group(&stored, "case note of case 5", "cndh", 1, &cndh1, 2, &cndh2.public_key())
            .is_none());
    }

    #[test]
    fn the_point_is_kept_sealed_to_the_millionth_and_in_clear_to_its_cell() {
        let key = SecretKey::generate();
        let opened = Protected::open(&fields().seal(&key), &key).unwrap();
        assert_eq!(degrees(opened.point.unwrap()), (14.496_913, -4.197_052));
        // The cell: two decimals, about a kilometre.
        assert_eq!((cell(14.496_913), cell(-4.197_052)), (14.5, -4.2));
        assert_eq!((cell(12.634_9), cell(-8.004_9)), (12.63, -8.0));
        // A value sealed before the point was added opens without it.
        let older = Protected { point: None, ..fields() };
        let sealed = older.seal(&key);
        assert_eq!(Protected::open(&sealed, &key).unwrap().point, None);
    }

    #[test]
    fn the_fields_open_with_their_data_key_only_and_a_changed_byte_is_refused() {
        let key = SecretKey::generate();
        let sealed = fields().seal(&key);
        // No field in clear, in the text or its bytes; looked for with runs long enough that a
        // random ciphertext cannot hold them by chance ("Awa", three letters, is in about one
        // base64 text in a thousand: this test failed so once, in CI).
        let raw = B64.decode(&sealed).unwrap();
        for clear in ["Ils ont frapp", "un homme de 30", "+223 70 00"] {
            assert!(!sealed.contains(clear), "{clear}");
            assert!(!raw.windows(clear.len()).any(|w| w == clear.as_bytes()), "{clear}");
        }
        assert_eq!(Protected::open(&sealed, &key).unwrap(), fields());
        assert_eq!(Protected::open(&sealed, &SecretKey::generate()), Err(Refused));
        let mut raw = B64.decode(&sealed).unwrap();
        for i in [0, 1, 30, raw.len() - 1] {
            raw[i] ^= 1;
            assert_eq!(Protected::open(&B64.encode(&raw), &key), Err(Refused), "byte {i}");
            raw[i] ^= 1;
        }
    }

    #[test]
    fn the_person_a_monitor_filed_for_opens_for_that_monitor_only() {
        let monitor = PrivateKey::generate();
        let s = seal_for_monitor("Fatoumata K.", &monitor.public_key());
        assert!(!s.contains("Fatoumata"));
        assert_eq!(on_behalf_of_for_monitor(&s, Some(&monitor)), "Fatoumata K.");
        assert_eq!(on_behalf_of_for_monitor(&s, Some(&PrivateKey::generate())), "");
        assert_eq!(on_behalf_of_for_monitor(&s, None), "");
        assert_eq!(on_behalf_of_for_monitor("Ancien nom", None), "Ancien nom");
    }

    #[test]
    fn messages_and_the_reporters_copy_open_with_their_keys_only() {
        let key = SecretKey::generate();
        let m = seal_message(&key, "Ils sont revenus hier soir");
        assert!(!m.contains("revenus"));
        assert_eq!(open_message(&m, true, Some(&key)).as_deref(), Some("Ils sont revenus hier soir"));
        assert_eq!(open_message(&m, true, Some(&SecretKey::generate())), None);
        assert_eq!(open_message(&m, true, None), None);
        assert_eq!(open_message("m1:en clair", false, None).as_deref(), Some("m1:en clair"));
        let reporter = SecretKey::generate();
        let s = seal_for_reporter(&key, 4, &reporter);
        assert_eq!(open_for_reporter(&s, 4, &reporter).unwrap(), key);
        assert!(open_for_reporter(&s, 5, &reporter).is_err());
        assert!(open_for_reporter(&s, 4, &SecretKey::generate()).is_err());
    }

    #[test]
    fn a_staff_text_opens_with_each_group_key_for_its_row_only() {
        let (cndh, intake, other) = (PrivateKey::generate(), PrivateKey::generate(), PrivateKey::generate());
        let to =
            vec![("cndh".to_string(), 2, cndh.public_key()), ("intake".to_string(), 1, intake.public_key())];
        let s = seal_for_groups("Témoin vu au camp", "case note 4", &to);
        assert!(!s.contains("Témoin"));
        let parts = sealed_groups(&s).unwrap();
        assert_eq!(parts.len(), 2);
        let (g, v, b) = &parts[0];
        assert_eq!(open_for_group(b, "case note 4", g, *v, &cndh).as_deref(), Some("Témoin vu au camp"));
        assert_eq!(open_for_group(b, "case note 5", g, *v, &cndh), None, "another row");
        assert_eq!(open_for_group(b, "case note 4", g, *v, &other), None, "another key");
        let (g, v, b) = &parts[1];
        assert_eq!(open_for_group(b, "case note 4", g, *v, &intake).as_deref(), Some("Témoin vu au camp"));
        assert_eq!(sealed_groups("une note d'avant"), None);
    }

    #[test]
    fn an_evidence_file_opens_with_its_key_and_part_only() {
        let key = SecretKey::generate();
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let sealed = seal_file(&key, FilePart::Original, &data);
        assert_ne!(&sealed[sealed.len() - 1000..], &data[data.len() - 1000..]);
        assert_eq!(open_file(&key, FilePart::Original, &sealed).unwrap(), data);
        assert!(open_file(&key, FilePart::StaffCopy, &sealed).is_err());
        assert!(open_file(&SecretKey::generate(), FilePart::Original, &sealed).is_err());
        let mut bad = sealed.clone();
        bad[70_000] ^= 1;
        assert!(open_file(&key, FilePart::Original, &bad).is_err());
    }

    #[test]
    fn a_data_key_opens_for_its_report_holder_and_version_only() {
        let group = PrivateKey::generate();
        let other = PrivateKey::generate();
        let key = SecretKey::generate();
        let s = seal_data_key(&key, 7, "cndh", 2, &group.public_key());
        assert_eq!(open_data_key(&s, 7, "cndh", 2, &group).unwrap(), key);
        assert!(open_data_key(&s, 8, "cndh", 2, &group).is_err(), "another report");
        assert!(open_data_key(&s, 7, "mediateur", 2, &group).is_err(), "another holder");
        assert!(open_data_key(&s, 7, "cndh", 1, &group).is_err(), "another version");
        assert!(open_data_key(&s, 7, "cndh", 2, &other).is_err(), "another group's key");
    }
}
