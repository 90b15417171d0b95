//! The group keys' queries: the recovery key's public key, the groups' key versions, each
//! version's private key sealed to members (`group_key_seals`) and to the recovery key; giving
//! a group key to the members who lack it, rotating it when a holder leaves, recovering it.
//! Sealing to a public key needs no private key, so `keys init` and a rotation run without
//! anyone signed in; opening a group key needs a holder's private key or the recovery key.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::report::{
    open_data_key, seal_data_key, seal_for_reporter, Opened, Protected, Reader, MONITOR, REPORTER,
};
use super::{groups_of, seal_aad, INTAKE};
use crate::crypto::{PrivateKey, PublicKey, Refused, SecretKey};
use crate::db::DbConn;
use crate::error::AppError;
use crate::schema::{
    cases, group_key_seals, group_keys, institutions, recovery_keys, report_keys, report_keys_wanted,
    reports, users,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = group_keys)]
pub struct GroupKey {
    pub id: i32,
    pub group_code: String,
    pub version: i32,
    pub public_key: String,
    pub recovery_sealed: String,
}

/// A change to the keys, for the audit log: what, which group and version, whose account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEvent {
    pub action: &'static str,
    pub group: String,
    pub version: i32,
    pub user_id: Option<i32>,
}

impl KeyEvent {
    pub fn details(&self) -> String {
        format!("group={} version={}", self.group, self.version)
    }
}

/// Serialises the changes to group keys on PostgreSQL (two admins disabling two members at once
/// must not both create version n + 1; two holders signing in must not both give the same key):
/// a lock held to the end of the transaction, taken after the rows the transaction locks and
/// before the audit chain's (lock order, docs/ARCHITECTURE.md). SQLite has one writer already.
fn lock_keys(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7210015)").execute(c)?;
    }
    Ok(())
}

/// The recovery key's public key, once `vigie keys init` ran.
pub fn recovery_public_key(conn: &mut DbConn) -> Result<Option<PublicKey>, AppError> {
    let text: Option<String> =
        recovery_keys::table.select(recovery_keys::public_key).first(conn).optional()?;
    Ok(text.map(|t| PublicKey::from_text(&t)).transpose()?)
}

pub fn store_recovery_key(
    conn: &mut DbConn,
    key: &PublicKey,
    shares: u8,
    threshold: u8,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(recovery_keys::table)
        .values((
            recovery_keys::id.eq(1),
            recovery_keys::public_key.eq(key.to_text()),
            recovery_keys::shares.eq(i32::from(shares)),
            recovery_keys::threshold.eq(i32::from(threshold)),
            recovery_keys::created_at.eq(now),
        ))
        .execute(conn)
}

/// Every group: the intake desk, then each institution by code.
pub fn all_groups(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let mut out = vec![INTAKE.to_string()];
    out.extend(
        institutions::table.order(institutions::code).select(institutions::code).load::<String>(conn)?,
    );
    Ok(out)
}

/// A member: the account and its public key, if it has one yet.
pub type Member = (i32, Option<String>);

/// An account as membership sees it: id, role, institution's code, disabled, public key.
type AccountRow = (i32, String, Option<String>, Option<NaiveDateTime>, Option<String>);

/// What an account holds: the (group, version) pairs, and the groups whose latest key it waits for.
pub struct Holdings {
    pub held: Vec<(String, i32)>,
    pub waiting: Vec<String>,
}

/// Each group's current members (enabled accounts, by `groups_of`) with their public key, if
/// they have one yet.
pub fn members(conn: &mut DbConn) -> QueryResult<BTreeMap<String, Vec<Member>>> {
    let rows: Vec<AccountRow> = users::table
        .left_join(institutions::table)
        .select((
            users::id,
            users::role,
            institutions::code.nullable(),
            users::disabled_at,
            users::public_key,
        ))
        .order(users::id)
        .load(conn)?;
    let mut out: BTreeMap<String, Vec<Member>> = BTreeMap::new();
    for (id, role, institution, disabled, key) in rows {
        for g in groups_of(&role, institution.as_deref(), disabled.is_some()) {
            out.entry(g).or_default().push((id, key.clone()));
        }
    }
    Ok(out)
}

pub fn latest(conn: &mut DbConn, group: &str) -> QueryResult<Option<GroupKey>> {
    group_keys::table
        .filter(group_keys::group_code.eq(group))
        .order(group_keys::version.desc())
        .select(GroupKey::as_select())
        .first(conn)
        .optional()
}

fn holders(conn: &mut DbConn, group_key_id: i32) -> QueryResult<BTreeSet<i32>> {
    Ok(group_key_seals::table
        .filter(group_key_seals::group_key_id.eq(group_key_id))
        .select(group_key_seals::user_id)
        .load::<i32>(conn)?
        .into_iter()
        .collect())
}

fn insert_seal(
    conn: &mut DbConn,
    key: &GroupKey,
    user_id: i32,
    private: &PrivateKey,
    to: &PublicKey,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let sealed = to.seal(&seal_aad(&key.group_code, key.version), private.to_bytes().as_ref());
    diesel::insert_into(group_key_seals::table)
        .values((
            group_key_seals::group_key_id.eq(key.id),
            group_key_seals::user_id.eq(user_id),
            group_key_seals::sealed.eq(sealed),
            group_key_seals::created_at.eq(now),
        ))
        .execute(conn)
}

/// A new version of `group`'s key, sealed to the recovery key and to `to` (members and their
/// public keys).
fn create_version(
    conn: &mut DbConn,
    group: &str,
    version: i32,
    recovery: &PublicKey,
    to: &[(i32, PublicKey)],
    now: NaiveDateTime,
) -> QueryResult<GroupKey> {
    let private = PrivateKey::generate();
    let aad = seal_aad(group, version);
    let id: i32 = diesel::insert_into(group_keys::table)
        .values((
            group_keys::group_code.eq(group),
            group_keys::version.eq(version),
            group_keys::public_key.eq(private.public_key().to_text()),
            group_keys::recovery_sealed.eq(recovery.seal(&aad, private.to_bytes().as_ref())),
            group_keys::created_at.eq(now),
        ))
        .returning(group_keys::id)
        .get_result(conn)?;
    let key: GroupKey = group_keys::table.find(id).select(GroupKey::as_select()).first(conn)?;
    for (user_id, public) in to {
        insert_seal(conn, &key, *user_id, &private, public, now)?;
    }
    Ok(key)
}

fn parsed(members: &[Member]) -> Vec<(i32, PublicKey)> {
    members.iter().filter_map(|(id, key)| Some((*id, PublicKey::from_text(key.as_deref()?).ok()?))).collect()
}

/// `vigie keys init`: a first version for every group that has none, sealed to the recovery
/// key and to every current member who has a key pair.
pub fn ensure_group_keys(
    conn: &mut DbConn,
    recovery: &PublicKey,
    now: NaiveDateTime,
) -> Result<Vec<KeyEvent>, AppError> {
    lock_keys(conn)?;
    let members = members(conn)?;
    let mut events = vec![];
    for group in all_groups(conn)? {
        if latest(conn, &group)?.is_some() {
            continue;
        }
        let to = parsed(members.get(&group).map_or(&[][..], |m| &m[..]));
        create_version(conn, &group, 1, recovery, &to, now)?;
        events.push(KeyEvent { action: "keys.group_create", group, version: 1, user_id: None });
    }
    Ok(events)
}

/// After a change of accounts (disabled, role or institution changed): every group whose
/// latest key is held by someone who is no longer a member gets a new version, sealed to the
/// recovery key and to the holders who remain (not to members who never held it: a holder
/// gives it to them, see [`grant_pending`]). Nothing before `vigie keys init`. Data sealed
/// before stays readable with the older version until the background re-sealing (phase 3).
pub fn rotate_after_departures(conn: &mut DbConn, now: NaiveDateTime) -> Result<Vec<KeyEvent>, AppError> {
    let Some(recovery) = recovery_public_key(conn)? else { return Ok(vec![]) };
    lock_keys(conn)?;
    let members = members(conn)?;
    let mut events = vec![];
    for group in all_groups(conn)? {
        let Some(key) = latest(conn, &group)? else { continue };
        let current = members.get(&group).map_or(&[][..], |m| &m[..]);
        let held = holders(conn, key.id)?;
        let staying: Vec<(i32, PublicKey)> =
            parsed(current).into_iter().filter(|(id, _)| held.contains(id)).collect();
        if staying.len() == held.len() {
            continue;
        }
        let version = key.version + 1;
        create_version(conn, &group, version, &recovery, &staying, now)?;
        events.push(KeyEvent { action: "keys.group_rotate", group, version, user_id: None });
    }
    Ok(events)
}

/// At sign-in, with the person's private key open: every group key version they hold is given
/// to the group's current members who have a key pair and lack it (new members, or members
/// whose password was reset). Returns what was given, for the audit log.
pub fn grant_pending(
    conn: &mut DbConn,
    granter: i32,
    key: &PrivateKey,
    now: NaiveDateTime,
) -> Result<Vec<KeyEvent>, AppError> {
    let held: Vec<(GroupKey, String)> = group_keys::table
        .inner_join(group_key_seals::table)
        .filter(group_key_seals::user_id.eq(granter))
        .order((group_keys::group_code, group_keys::version))
        .select((GroupKey::as_select(), group_key_seals::sealed))
        .load(conn)?;
    if held.is_empty() {
        return Ok(vec![]);
    }
    lock_keys(conn)?;
    let members = members(conn)?;
    let mut events = vec![];
    for (gk, sealed) in held {
        let current = members.get(&gk.group_code).map_or(&[][..], |m| &m[..]);
        // Only a member gives the key (a holder who changed role keeps old seals until the
        // rotation, but gives nothing).
        if !current.iter().any(|(id, _)| *id == granter) {
            continue;
        }
        let has = holders(conn, gk.id)?;
        let missing: Vec<(i32, PublicKey)> =
            parsed(current).into_iter().filter(|(id, _)| !has.contains(id)).collect();
        if missing.is_empty() {
            continue;
        }
        let private = PrivateKey::from_bytes_of(
            &zeroize::Zeroizing::new(key.open(&seal_aad(&gk.group_code, gk.version), &sealed)?),
            &PublicKey::from_text(&gk.public_key)?,
        )?;
        for (user_id, public) in missing {
            insert_seal(conn, &gk, user_id, &private, &public, now)?;
            events.push(KeyEvent {
                action: "keys.grant",
                group: gk.group_code.clone(),
                version: gk.version,
                user_id: Some(user_id),
            });
        }
    }
    Ok(events)
}

/// `vigie keys recover`: every version of `group`'s key, opened with the recovery key, sealed
/// to `user_id`'s public key where they lack it. Returns the versions given.
pub fn recover_to(
    conn: &mut DbConn,
    group: &str,
    user_id: i32,
    user_key: &PublicKey,
    recovery: &PrivateKey,
    now: NaiveDateTime,
) -> Result<Vec<KeyEvent>, AppError> {
    let versions: Vec<GroupKey> = group_keys::table
        .filter(group_keys::group_code.eq(group))
        .order(group_keys::version)
        .select(GroupKey::as_select())
        .load(conn)?;
    lock_keys(conn)?;
    let mut events = vec![];
    for gk in versions {
        if holders(conn, gk.id)?.contains(&user_id) {
            continue;
        }
        let private = PrivateKey::from_bytes_of(
            &zeroize::Zeroizing::new(
                recovery.open(&seal_aad(&gk.group_code, gk.version), &gk.recovery_sealed)?,
            ),
            &PublicKey::from_text(&gk.public_key)?,
        )?;
        insert_seal(conn, &gk, user_id, &private, user_key, now)?;
        events.push(KeyEvent {
            action: "keys.recover",
            group: gk.group_code.clone(),
            version: gk.version,
            user_id: Some(user_id),
        });
    }
    Ok(events)
}

/// The group key versions an account holds and the groups it belongs to without holding their
/// latest key (for its account page): (held as (group, version), waiting).
pub fn holdings(conn: &mut DbConn, user_id: i32) -> Result<Holdings, AppError> {
    let held: Vec<(String, i32)> = group_keys::table
        .inner_join(group_key_seals::table)
        .filter(group_key_seals::user_id.eq(user_id))
        .order((group_keys::group_code, group_keys::version))
        .select((group_keys::group_code, group_keys::version))
        .load(conn)?;
    let members = members(conn)?;
    let mut waiting = vec![];
    for (group, list) in &members {
        if !list.iter().any(|(id, _)| *id == user_id) {
            continue;
        }
        if let Some(latest) = latest(conn, group)? {
            if !held.iter().any(|(g, v)| *g == latest.group_code && *v == latest.version) {
                waiting.push(group.clone());
            }
        }
    }
    Ok(Holdings { held, waiting })
}

/// The private key of `group`'s version `version` for the holder whose private key is `key`;
/// None when they do not hold it.
pub fn open_group_key(
    conn: &mut DbConn,
    group: &str,
    version: i32,
    user_id: i32,
    key: &PrivateKey,
) -> Result<Option<PrivateKey>, AppError> {
    let row: Option<(GroupKey, String)> = group_keys::table
        .inner_join(group_key_seals::table)
        .filter(group_keys::group_code.eq(group))
        .filter(group_keys::version.eq(version))
        .filter(group_key_seals::user_id.eq(user_id))
        .select((GroupKey::as_select(), group_key_seals::sealed))
        .first(conn)
        .optional()?;
    let Some((gk, sealed)) = row else { return Ok(None) };
    Ok(Some(PrivateKey::from_bytes_of(
        &zeroize::Zeroizing::new(key.open(&seal_aad(group, version), &sealed)?),
        &PublicKey::from_text(&gk.public_key)?,
    )?))
}

// Reports' data keys (phase 2) ---------------------------------------------------------------

/// A text staff write on case `case_id` (`what` names its row), sealed to the case's
/// institution's group key and the intake desk's; as it is before `vigie keys init`.
pub fn seal_case_text(
    conn: &mut DbConn,
    case_id: i32,
    what: &str,
    text: &str,
    now: NaiveDateTime,
) -> Result<String, AppError> {
    let Some(intake) = latest(conn, INTAKE)? else { return Ok(text.to_string()) };
    let code: String =
        cases::table.find(case_id).inner_join(institutions::table).select(institutions::code).first(conn)?;
    let mut to = vec![(INTAKE.to_string(), intake.version, PublicKey::from_text(&intake.public_key)?)];
    if let Some(gk) = latest_or_create(conn, &code, now)? {
        to.push((code, gk.version, PublicKey::from_text(&gk.public_key)?));
    }
    Ok(super::report::seal_for_groups(text, what, &to))
}

/// A staff text as `reader` reads it: as stored when kept in clear, opened with a group key
/// they hold, or None (they hold none, or the bytes were changed).
pub fn open_case_text(
    conn: &mut DbConn,
    stored: &str,
    what: &str,
    reader: Option<&Reader>,
) -> Result<Option<String>, AppError> {
    let Some(parts) = super::report::sealed_groups(stored) else { return Ok(Some(stored.to_string())) };
    let Some(reader) = reader else { return Ok(None) };
    for (group, version, sealed) in parts {
        let Ok(Some(key)) = open_group_key(conn, &group, version, reader.user_id, &reader.key) else {
            continue;
        };
        return Ok(super::report::open_for_group(&sealed, what, &group, version, &key));
    }
    Ok(None)
}

/// An account's public key, once it has a key pair.
pub fn public_key_of(conn: &mut DbConn, user_id: i32) -> Result<Option<PublicKey>, AppError> {
    let text: Option<String> = users::table.find(user_id).select(users::public_key).first(conn)?;
    Ok(text.map(|t| PublicKey::from_text(&t)).transpose()?)
}

/// A new report's data key sealed to the intake desk's latest group key, inside the filing
/// transaction. None when the keys are not set up (`vigie keys init` not run): the report is
/// then kept in clear, as before.
#[derive(Clone)]
pub struct NewReportKey {
    pub data_key: SecretKey,
    intake: GroupKey,
    intake_public: PublicKey,
}

/// A data key for a report about to be filed, if the intake desk has a group key.
pub fn new_report_key(conn: &mut DbConn) -> Result<Option<NewReportKey>, AppError> {
    let Some(intake) = latest(conn, INTAKE)? else { return Ok(None) };
    let intake_public = PublicKey::from_text(&intake.public_key)?;
    Ok(Some(NewReportKey { data_key: SecretKey::generate(), intake, intake_public }))
}

/// Stores the filed report's data key sealed to the intake desk, to the reporter (under the
/// key their receipt gives) and to the monitor who filed it, if any.
pub fn store_new_report_key(
    conn: &mut DbConn,
    report_id: i32,
    k: &NewReportKey,
    reporter: &SecretKey,
    monitor: Option<&PublicKey>,
) -> QueryResult<()> {
    let mut rows = vec![
        (
            INTAKE,
            Some(k.intake.id),
            seal_data_key(&k.data_key, report_id, INTAKE, k.intake.version, &k.intake_public),
        ),
        (REPORTER, None, seal_for_reporter(&k.data_key, report_id, reporter)),
    ];
    if let Some(public) = monitor {
        rows.push((MONITOR, None, seal_data_key(&k.data_key, report_id, MONITOR, 0, public)));
    }
    // One row each (diesel's batch insert is not there for a connection over both engines).
    for (holder, group, sealed) in rows {
        insert_report_key(conn, report_id, holder, group, &sealed)?;
    }
    Ok(())
}

/// Stores a report's data key sealed for `holder`, unless a copy for that holder is already
/// there: a report linked to an event while the event is routed can be shared to the same
/// institution by both requests at once, and the second finds the first's copy (the same data
/// key) instead of failing on the primary key. Returns the rows written (0 or 1).
fn insert_report_key(
    conn: &mut DbConn,
    report_id: i32,
    holder: &str,
    group_key_id: Option<i32>,
    sealed: &str,
) -> QueryResult<usize> {
    let row = (
        report_keys::report_id.eq(report_id),
        report_keys::holder.eq(holder),
        report_keys::group_key_id.eq(group_key_id),
        report_keys::sealed.eq(sealed),
    );
    match conn {
        DbConn::Pg(pg) => {
            diesel::insert_into(report_keys::table).values(row).on_conflict_do_nothing().execute(pg)
        }
        DbConn::Sqlite(lite) => {
            diesel::insert_into(report_keys::table).values(row).on_conflict_do_nothing().execute(lite)
        }
    }
}

fn sealed_for(conn: &mut DbConn, report_id: i32, holder: &str) -> QueryResult<Option<String>> {
    report_keys::table.find((report_id, holder)).select(report_keys::sealed).first(conn).optional()
}

/// The data key of a sealed report, opened with the reporter's key (from their receipt).
/// Changed bytes are refused (an error), never taken for a key.
pub fn open_for_reporter(
    conn: &mut DbConn,
    report_id: i32,
    reporter: &SecretKey,
) -> Result<Option<SecretKey>, AppError> {
    let Some(sealed) = sealed_for(conn, report_id, REPORTER)? else { return Ok(None) };
    Ok(Some(super::report::open_for_reporter(&sealed, report_id, reporter)?))
}

/// The data key of a sealed report, opened with the key of the monitor who filed it.
pub fn open_for_monitor(
    conn: &mut DbConn,
    report_id: i32,
    key: &PrivateKey,
) -> Result<Option<SecretKey>, AppError> {
    let Some(sealed) = sealed_for(conn, report_id, MONITOR)? else { return Ok(None) };
    Ok(Some(open_data_key(&sealed, report_id, MONITOR, 0, key)?))
}

/// The data key of a report for a staff member: None when the report is kept in clear or
/// they hold no key that opens it (the page says so) or its bytes were changed.
pub fn reading_key(
    conn: &mut DbConn,
    report_id: i32,
    reader: Option<&Reader>,
) -> Result<Option<SecretKey>, AppError> {
    match reader {
        Some(r) => Ok(data_key_for(conn, report_id, r)?.and_then(Result::ok)),
        None => Ok(None),
    }
}

/// The key a staff member's message to a report's reporter is sealed with: None for a report
/// kept in clear; refused (400) for a sealed one they hold no key to, whose reporter could
/// not read what they write in clear.
pub fn writing_key(
    conn: &mut DbConn,
    report_id: i32,
    reader: Option<&Reader>,
) -> Result<Option<SecretKey>, AppError> {
    let sealed: bool = reports::table.find(report_id).select(reports::sealed.is_not_null()).first(conn)?;
    if !sealed {
        return Ok(None);
    }
    match reading_key(conn, report_id, reader)? {
        Some(k) => Ok(Some(k)),
        None => Err(AppError::BadRequest("this report is sealed and your account does not hold its key yet")),
    }
}

/// The data key of `report_id`, opened through any group key the reader holds that the report
/// is sealed to: `Ok(None)` when the reader holds none, `Ok(Some(Err(Refused)))` when one should
/// open it and the stored bytes do not (changed in the database).
fn data_key_for(
    conn: &mut DbConn,
    report_id: i32,
    reader: &Reader,
) -> Result<Option<Result<SecretKey, Refused>>, AppError> {
    let rows: Vec<(String, i32, String, String, String)> = report_keys::table
        .inner_join(group_keys::table.inner_join(group_key_seals::table))
        .filter(report_keys::report_id.eq(report_id))
        .filter(group_key_seals::user_id.eq(reader.user_id))
        .select((
            report_keys::holder,
            group_keys::version,
            group_keys::public_key,
            group_key_seals::sealed,
            report_keys::sealed,
        ))
        .load(conn)?;
    let Some((holder, version, public, group_sealed, key_sealed)) = rows.into_iter().next() else {
        return Ok(None);
    };
    let open = || -> Result<SecretKey, Refused> {
        let group = PrivateKey::from_bytes_of(
            &zeroize::Zeroizing::new(reader.key.open(&seal_aad(&holder, version), &group_sealed)?),
            &PublicKey::from_text(&public)?,
        )?;
        open_data_key(&key_sealed, report_id, &holder, version, &group)
    };
    Ok(Some(open()))
}

/// A report's protected fields for `reader`: `sealed` is the report's `reports.sealed`.
pub fn open_report(
    conn: &mut DbConn,
    report_id: i32,
    sealed: Option<&str>,
    reader: Option<&Reader>,
) -> Result<Opened, AppError> {
    Ok(open_report_key(conn, report_id, sealed, reader)?.0)
}

/// [`open_report`], with the data key when it opened, for the report's messages and files in
/// the same request (the key is opened once).
pub fn open_report_key(
    conn: &mut DbConn,
    report_id: i32,
    sealed: Option<&str>,
    reader: Option<&Reader>,
) -> Result<(Opened, Option<SecretKey>), AppError> {
    let Some(sealed) = sealed else { return Ok((Opened::Clear, None)) };
    let Some(reader) = reader else { return Ok((Opened::NoKey, None)) };
    Ok(match data_key_for(conn, report_id, reader)? {
        None => (Opened::NoKey, None),
        Some(Ok(key)) => match Protected::open(sealed, &key) {
            Ok(p) => (Opened::Open(p), Some(key)),
            Err(Refused) => (Opened::Refused, None),
        },
        Some(Err(Refused)) => (Opened::Refused, None),
    })
}

/// The latest key of `group`, created (version 1, sealed to the recovery key and to the
/// members with a key pair) when an institution added after `vigie keys init` has none yet.
fn latest_or_create(
    conn: &mut DbConn,
    group: &str,
    now: NaiveDateTime,
) -> Result<Option<GroupKey>, AppError> {
    if let Some(k) = latest(conn, group)? {
        return Ok(Some(k));
    }
    let Some(recovery) = recovery_public_key(conn)? else { return Ok(None) };
    lock_keys(conn)?;
    if let Some(k) = latest(conn, group)? {
        return Ok(Some(k));
    }
    let members = members(conn)?;
    let to = parsed(members.get(group).map_or(&[][..], |m| &m[..]));
    Ok(Some(create_version(conn, group, 1, &recovery, &to, now)?))
}

/// What sharing a report's data key did: sealed to the institutions now, or left waiting for
/// a holder of the intake key (the acting officer holds none yet).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Shared {
    pub sealed: usize,
    pub waiting: usize,
}

/// Seals `report_id`'s data key to `holder`'s latest group key if not done, with the key the
/// reader opens; else marks it wanted.
fn share_one(
    conn: &mut DbConn,
    report_id: i32,
    holder: &str,
    reader: Option<&Reader>,
    now: NaiveDateTime,
    out: &mut Shared,
) -> Result<(), AppError> {
    let done: i64 = report_keys::table
        .filter(report_keys::report_id.eq(report_id))
        .filter(report_keys::holder.eq(holder))
        .count()
        .get_result(conn)?;
    if done > 0 {
        return Ok(());
    }
    let key = match reader {
        Some(r) => data_key_for(conn, report_id, r)?.and_then(Result::ok),
        None => None,
    };
    let group = match key {
        Some(_) => latest_or_create(conn, holder, now)?,
        None => None,
    };
    let wanted = report_keys_wanted::table
        .filter(report_keys_wanted::report_id.eq(report_id))
        .filter(report_keys_wanted::holder.eq(holder));
    match (key, group) {
        (Some(key), Some(gk)) => {
            let public = PublicKey::from_text(&gk.public_key)?;
            let sealed = seal_data_key(&key, report_id, holder, gk.version, &public);
            out.sealed += insert_report_key(conn, report_id, holder, Some(gk.id), &sealed)?;
            diesel::delete(wanted).execute(conn)?;
        }
        _ => {
            // At most one row per (report, holder), also when two requests want it at once.
            let row = (report_keys_wanted::report_id.eq(report_id), report_keys_wanted::holder.eq(holder));
            let insert = diesel::insert_into(report_keys_wanted::table).values(row);
            match conn {
                DbConn::Pg(pg) => insert.on_conflict_do_nothing().execute(pg)?,
                DbConn::Sqlite(lite) => insert.on_conflict_do_nothing().execute(lite)?,
            };
            out.waiting += 1;
        }
    }
    Ok(())
}

/// After a case is opened on an event or a report joins an event: every sealed report of the
/// event gets its data key sealed to every institution with a case on the event, opened with
/// the acting intake officer's key (`reader`). What cannot be done now waits for a holder's
/// sign-in ([`share_wanted`]). Runs in the routing transaction, after the event's row lock.
pub fn share_event(
    conn: &mut DbConn,
    event_id: i32,
    reader: Option<&Reader>,
    now: NaiveDateTime,
) -> Result<Shared, AppError> {
    let reports: Vec<i32> = reports::table
        .filter(reports::event_id.eq(event_id))
        .filter(reports::sealed.is_not_null())
        .select(reports::id)
        .load(conn)?;
    let mut out = Shared::default();
    if reports.is_empty() {
        return Ok(out);
    }
    // The institutions whose case holds an allegation of the event: a case an override emptied
    // keeps the keys it has, and gets none for a report linked later.
    let holders: Vec<String> = cases::table
        .inner_join(institutions::table)
        .filter(cases::event_id.eq(event_id))
        .filter(diesel::dsl::exists(
            crate::schema::allegations::table
                .filter(crate::schema::allegations::case_id.eq(cases::id.nullable())),
        ))
        .select(institutions::code)
        .distinct()
        .load(conn)?;
    for r in &reports {
        for h in &holders {
            share_one(conn, *r, h, reader, now, &mut out)?;
        }
    }
    Ok(out)
}

/// At a sign-in: the shares left waiting that this person's keys can make now (at most
/// `limit`, oldest reports first), chosen in the query (one query for the choice, then one
/// share each).
pub fn share_wanted(
    conn: &mut DbConn,
    reader: &Reader,
    limit: i64,
    now: NaiveDateTime,
) -> Result<Shared, AppError> {
    // Only the shares this person can make: reports whose data key is sealed to a group key
    // they hold (a sign-in of someone holding none tries nothing).
    let openable = report_keys::table
        .inner_join(group_keys::table.inner_join(group_key_seals::table))
        .filter(group_key_seals::user_id.eq(reader.user_id))
        .select(report_keys::report_id);
    let wanted: Vec<(i32, String)> = report_keys_wanted::table
        .filter(report_keys_wanted::report_id.eq_any(openable))
        .order((report_keys_wanted::report_id, report_keys_wanted::holder))
        .limit(limit)
        .select((report_keys_wanted::report_id, report_keys_wanted::holder))
        .load(conn)?;
    let mut out = Shared::default();
    // `share_one` opens the key once; a share this person cannot make stays waiting.
    for (report_id, holder) in wanted {
        share_one(conn, report_id, &holder, Some(reader), now, &mut out)?;
    }
    Ok(out)
}

/// After a rotation (a member left): reports' data keys and staff texts (case notes,
/// findings' reasoning) still sealed to an older version of a group are opened with it and
/// sealed to the group's latest version, for the groups whose latest and older versions
/// `reader` holds (at most `limit` rows, at each sign-in, as [`share_wanted`]). Once a row is
/// re-sealed, a departed member's copy of the older version (their own key and a copy of the
/// database) no longer opens it; once nothing is left at that version, every member's copy
/// of it is deleted. Each row is updated only if still as it was read (two sign-ins at once
/// re-seal it once). Texts are found by `LIKE` on their stored form: a scan, done only while
/// a version is being retired.
pub fn reseal_to_latest(conn: &mut DbConn, reader: &Reader, limit: i64) -> Result<usize, AppError> {
    use super::report::reseal_for_group;
    use crate::schema::{allegations, case_notes};
    let held: Vec<(String, i32)> = group_keys::table
        .inner_join(group_key_seals::table)
        .filter(group_key_seals::user_id.eq(reader.user_id))
        .select((group_keys::group_code, group_keys::version))
        .load(conn)?;
    let mut done = 0usize;
    let groups: BTreeSet<&String> = held.iter().map(|h| &h.0).collect();
    for group in groups {
        let Some(newest) = latest(conn, group)? else { continue };
        let older: Vec<i32> =
            held.iter().filter(|h| &h.0 == group && h.1 < newest.version).map(|h| h.1).collect();
        if older.is_empty() || !held.iter().any(|h| &h.0 == group && h.1 == newest.version) {
            continue;
        }
        let to = PublicKey::from_text(&newest.public_key)?;
        for version in older {
            let Some(old_key) = open_group_key(conn, group, version, reader.user_id, &reader.key)? else {
                continue;
            };
            let old_id: i32 = group_keys::table
                .filter(group_keys::group_code.eq(group))
                .filter(group_keys::version.eq(version))
                .select(group_keys::id)
                .first(conn)?;
            let rows: Vec<(i32, String)> = report_keys::table
                .filter(report_keys::holder.eq(group))
                .filter(report_keys::group_key_id.eq(old_id))
                .order(report_keys::report_id)
                .limit(limit - done as i64)
                .select((report_keys::report_id, report_keys::sealed))
                .load(conn)?;
            for (report_id, sealed) in rows {
                // A row whose bytes were changed stays as it is (refused when read).
                let Ok(data_key) = open_data_key(&sealed, report_id, group, version, &old_key) else {
                    continue;
                };
                let resealed = seal_data_key(&data_key, report_id, group, newest.version, &to);
                done += diesel::update(
                    report_keys::table
                        .filter(report_keys::report_id.eq(report_id))
                        .filter(report_keys::holder.eq(group))
                        .filter(report_keys::group_key_id.eq(old_id)),
                )
                .set((report_keys::sealed.eq(resealed), report_keys::group_key_id.eq(newest.id)))
                .execute(conn)?;
            }
            if done as i64 >= limit {
                return Ok(done);
            }
            // Staff texts (case notes, findings' reasoning) with a part for this version.
            let like = format!("%[\"{group}\",{version},%");
            let notes: Vec<(i32, i32, String)> = case_notes::table
                .filter(case_notes::body.like(&like))
                .order(case_notes::id)
                .limit(limit - done as i64)
                .select((case_notes::id, case_notes::case_id, case_notes::body))
                .load(conn)?;
            for (id, case_id, body) in notes {
                let what = super::report::note_what(case_id);
                let Some(new) = reseal_for_group(&body, &what, group, version, &old_key, newest.version, &to)
                else {
                    continue;
                };
                done += diesel::update(case_notes::table.find(id).filter(case_notes::body.eq(&body)))
                    .set(case_notes::body.eq(new))
                    .execute(conn)?;
            }
            let findings: Vec<(i32, Option<String>)> = allegations::table
                .filter(allegations::finding_reasoning.like(&like))
                .order(allegations::id)
                .limit((limit - done as i64).max(0))
                .select((allegations::id, allegations::finding_reasoning))
                .load(conn)?;
            for (id, stored) in findings {
                let Some(stored) = stored else { continue };
                let what = super::report::finding_what(id);
                let Some(new) =
                    reseal_for_group(&stored, &what, group, version, &old_key, newest.version, &to)
                else {
                    continue;
                };
                done += diesel::update(
                    allegations::table.find(id).filter(allegations::finding_reasoning.eq(&stored)),
                )
                .set(allegations::finding_reasoning.eq(Some(new)))
                .execute(conn)?;
            }
            if done as i64 >= limit {
                return Ok(done);
            }
            // Nothing left sealed to this version: its members' copies are deleted, so that
            // no one, a departed member with a copy of the database included, holds it any
            // more (the recovery key's copy stays, as for every version).
            let keys_left: i64 =
                report_keys::table.filter(report_keys::group_key_id.eq(old_id)).count().get_result(conn)?;
            let notes_left: i64 =
                case_notes::table.filter(case_notes::body.like(&like)).count().get_result(conn)?;
            let findings_left: i64 = allegations::table
                .filter(allegations::finding_reasoning.like(&like))
                .count()
                .get_result(conn)?;
            if keys_left + notes_left + findings_left == 0 {
                diesel::delete(group_key_seals::table.filter(group_key_seals::group_key_id.eq(old_id)))
                    .execute(conn)?;
            }
        }
    }
    Ok(done)
}

// Sealing what was kept in clear (`vigie keys seal`, run by `keys init`) -------------------------

/// What one batch of [`seal_existing`] sealed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SealedBatch {
    pub reports: usize,
    pub files: usize,
    pub notes: usize,
    pub findings: usize,
}

impl SealedBatch {
    pub fn is_empty(&self) -> bool {
        *self == SealedBatch::default()
    }
}

type ClearReport = (
    i32,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<i32>,
    Option<f64>,
    Option<f64>,
);

/// Brings every event's point to its cell (`report::cell`: two decimals), as sealed reports
/// keep theirs.
fn round_event_points(conn: &mut DbConn) -> QueryResult<usize> {
    let sql = match conn {
        DbConn::Pg(_) => {
            "UPDATE events SET lat = round(lat::numeric, 2)::float8, lon = round(lon::numeric, 2)::float8 \
             WHERE lat IS NOT NULL AND (lat <> round(lat::numeric, 2)::float8 OR lon <> round(lon::numeric, 2)::float8)"
        }
        DbConn::Sqlite(_) => {
            "UPDATE events SET lat = round(lat, 2), lon = round(lon, 2) \
             WHERE lat IS NOT NULL AND (lat <> round(lat, 2) OR lon <> round(lon, 2))"
        }
    };
    diesel::sql_query(sql).execute(conn)
}

/// Seals up to `limit` reports kept in clear (filed before `vigie keys init`) as if they were
/// filed now: their protected fields, messages, files and transcriptions under a new data key
/// sealed to the intake desk, to each institution with a case on the report's event, to the
/// monitor who filed it and to the reporter (from the Argon2id output the older receipt form
/// stored, which is then replaced by the look-up value); then up to `limit` case notes and
/// findings kept in clear. One transaction: run it again until it seals nothing (resumable).
pub fn seal_existing(conn: &mut DbConn, limit: i64, now: NaiveDateTime) -> Result<SealedBatch, AppError> {
    use super::report::{finding_what, note_what, seal_file, seal_for_monitor, seal_message, FilePart};
    use crate::schema::{allegations, attachments, case_notes, messages};
    let Some(intake) = latest(conn, INTAKE)? else {
        return Err(AppError::Config("no intake key: run `vigie keys init` first".into()));
    };
    let intake_public = PublicKey::from_text(&intake.public_key)?;
    let mut out = SealedBatch::default();
    let rows: Vec<ClearReport> = reports::table
        .filter(reports::sealed.is_null())
        .order(reports::id)
        .limit(limit)
        .select((
            reports::id,
            reports::receipt_hash,
            reports::narrative,
            reports::victim_details,
            reports::reporter_name,
            reports::reporter_contact,
            reports::on_behalf_of,
            reports::monitor_id,
            reports::event_id,
            reports::lat,
            reports::lon,
        ))
        .load(conn)?;
    for (
        id,
        receipt_hash,
        narrative,
        victim_details,
        reporter_name,
        reporter_contact,
        on_behalf_of,
        monitor_id,
        event_id,
        lat,
        lon,
    ) in rows
    {
        let key = SecretKey::generate();
        let point = lat.zip(lon).map(|(a, b)| super::report::micro(a, b));
        let fields =
            Protected { narrative, victim_details, reporter_name, reporter_contact, on_behalf_of, point };
        let monitor = match monitor_id {
            Some(m) => public_key_of(conn, m)?,
            None => None,
        };
        let digest = crate::crypto::ReceiptDigest::from_legacy(&receipt_hash);
        diesel::update(reports::table.find(id))
            .set((
                reports::narrative.eq(""),
                reports::victim_details.eq(""),
                reports::reporter_name.eq(None::<String>),
                reports::reporter_contact.eq(None::<String>),
                reports::on_behalf_of.eq(match (&fields.on_behalf_of, &monitor) {
                    (Some(name), Some(public)) => Some(seal_for_monitor(name, public)),
                    _ => None,
                }),
                reports::sealed.eq(Some(fields.seal(&key))),
                reports::receipt_hash.eq(digest.as_ref().map_or(receipt_hash.clone(), |d| d.lookup())),
                reports::lat.eq(lat.map(super::report::cell)),
                reports::lon.eq(lon.map(super::report::cell)),
            ))
            .execute(conn)?;
        let sealed = seal_data_key(&key, id, INTAKE, intake.version, &intake_public);
        insert_report_key(conn, id, INTAKE, Some(intake.id), &sealed)?;
        if let Some(d) = &digest {
            insert_report_key(conn, id, REPORTER, None, &seal_for_reporter(&key, id, &d.reporter_key()))?;
        }
        if let Some(public) = &monitor {
            insert_report_key(conn, id, MONITOR, None, &seal_data_key(&key, id, MONITOR, 0, public))?;
        }
        if let Some(e) = event_id {
            let holders: Vec<String> = cases::table
                .inner_join(institutions::table)
                .filter(cases::event_id.eq(e))
                .select(institutions::code)
                .distinct()
                .load(conn)?;
            for h in holders {
                if let Some(gk) = latest_or_create(conn, &h, now)? {
                    let public = PublicKey::from_text(&gk.public_key)?;
                    insert_report_key(
                        conn,
                        id,
                        &h,
                        Some(gk.id),
                        &seal_data_key(&key, id, &h, gk.version, &public),
                    )?;
                }
            }
        }
        let bodies: Vec<(i32, String)> = messages::table
            .filter(messages::report_id.eq(id))
            .select((messages::id, messages::body))
            .load(conn)?;
        for (m, body) in bodies {
            diesel::update(messages::table.find(m))
                .set(messages::body.eq(seal_message(&key, &body)))
                .execute(conn)?;
        }
        // Files one at a time (each up to `upload_max_mb`): the original in clear is read,
        // its pieces replaced by the sealed ones.
        let files: Vec<i32> = attachments::table
            .filter(attachments::report_id.eq(id))
            .filter(attachments::stored_sha256.is_null())
            .select(attachments::id)
            .load(conn)?;
        for f in files {
            type FileRow = (Option<Vec<u8>>, Option<String>, Option<String>);
            let (safe, transcription, translation): FileRow = attachments::table
                .find(f)
                .select((attachments::safe_data, attachments::transcription, attachments::translation))
                .first(conn)?;
            let data = zeroize::Zeroizing::new(crate::pieces::read(conn, f, None)?);
            crate::pieces::delete(conn, f)?;
            let sealed = Some((&key, FilePart::Original.aad()));
            let stored = crate::pieces::store(conn, f, data.as_slice(), sealed)?;
            diesel::update(attachments::table.find(f))
                .set((
                    attachments::stored_sha256.eq(Some(stored.sha256)),
                    attachments::safe_data.eq(safe.map(|s| seal_file(&key, FilePart::StaffCopy, &s))),
                    attachments::transcription.eq(transcription.map(|t| seal_message(&key, &t))),
                    attachments::translation.eq(translation.map(|t| seal_message(&key, &t))),
                ))
                .execute(conn)?;
            out.files += 1;
        }
        out.reports += 1;
    }
    // Events keep their reports' cells only (an event's point came from a report's).
    if out.reports > 0 {
        round_event_points(conn)?;
    }
    let notes: Vec<(i32, i32, String)> = case_notes::table
        .filter(case_notes::body.not_like("gs1:%"))
        .order(case_notes::id)
        .limit(limit)
        .select((case_notes::id, case_notes::case_id, case_notes::body))
        .load(conn)?;
    for (id, case_id, body) in notes {
        let sealed = seal_case_text(conn, case_id, &note_what(case_id), &body, now)?;
        diesel::update(case_notes::table.find(id)).set(case_notes::body.eq(sealed)).execute(conn)?;
        out.notes += 1;
    }
    let findings: Vec<(i32, Option<i32>, Option<String>)> = allegations::table
        .filter(allegations::finding_reasoning.is_not_null())
        .filter(allegations::finding_reasoning.not_like("gs1:%"))
        .filter(allegations::case_id.is_not_null())
        .order(allegations::id)
        .limit(limit)
        .select((allegations::id, allegations::case_id, allegations::finding_reasoning))
        .load(conn)?;
    for (id, case_id, text) in findings {
        let (Some(case_id), Some(text)) = (case_id, text) else { continue };
        let sealed = seal_case_text(conn, case_id, &finding_what(id), &text, now)?;
        diesel::update(allegations::table.find(id))
            .set(allegations::finding_reasoning.eq(Some(sealed)))
            .execute(conn)?;
        out.findings += 1;
    }
    Ok(out)
}
