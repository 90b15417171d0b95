//! Queries on the reference tables of places: regions, cercles and the gazetteer, kept in step
//! with the boundary files at start-up.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::place_form::CheckedPlace;
use super::{Boundaries, Gazetteer, Place};
use crate::db::DbConn;
use crate::schema::{cercles, places, regions, users};

#[derive(Insertable)]
#[diesel(table_name = places, treat_none_as_default_value = false)]
struct NewPlace<'a> {
    id: i32,
    name: &'a str,
    ascii_name: &'a str,
    alt_names: &'a str,
    lat: f64,
    lon: f64,
    region_code: Option<&'a str>,
    cercle_code: Option<&'a str>,
    population: Option<i32>,
}

/// Whether the database already holds the reference data of the files, read without any write:
/// every region and cercle with the same names, and as many shipped places.
fn reference_is_current(conn: &mut DbConn, b: &Boundaries, g: &Gazetteer) -> QueryResult<bool> {
    let have: HashMap<String, (String, String, String)> = regions::table
        .select((regions::code, regions::name, regions::name_en, regions::hasc))
        .load::<(String, String, String, String)>(conn)?
        .into_iter()
        .map(|(code, name, en, hasc)| (code, (name, en, hasc)))
        .collect();
    let regions_ok = b
        .regions
        .iter()
        .all(|r| have.get(&r.code).is_some_and(|h| h.0 == r.name && h.1 == r.name_en && h.2 == r.hasc));
    if !regions_ok {
        return Ok(false);
    }
    let have: HashMap<String, (String, String)> = cercles::table
        .select((cercles::code, cercles::name, cercles::region_code))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(code, name, region)| (code, (name, region)))
        .collect();
    let cercles_ok =
        b.cercles.iter().all(|c| have.get(&c.code).is_some_and(|h| h.0 == c.name && h.1 == c.region_code));
    if !cercles_ok {
        return Ok(false);
    }
    let places: i64 = places::table.filter(places::added_by.is_null()).count().get_result(conn)?;
    Ok(places as usize == g.shipped().len())
}

/// Inserts the regions, cercles and places the database lacks and refreshes region and
/// cercle names. Rows already referenced by reports are never deleted.
///
/// Unchanged reference data is only read: a start (or a command) while a server writes never
/// waits on, nor fails for, the write lock. A change is written in one transaction that takes
/// the write lock first (`db::begin_write`), so on SQLite it waits its turn (busy_timeout)
/// instead of failing on a stale snapshot.
pub fn sync_reference(conn: &mut DbConn, b: &Boundaries, g: &Gazetteer) -> QueryResult<usize> {
    if reference_is_current(conn, b, g)? {
        return Ok(0);
    }
    conn.transaction(|conn| {
        crate::db::begin_write(conn)?;
        let known: HashSet<String> = regions::table.select(regions::code).load(conn)?.into_iter().collect();
        for r in &b.regions {
            if known.contains(&r.code) {
                diesel::update(regions::table.find(&r.code))
                    .set((
                        regions::name.eq(&r.name),
                        regions::name_en.eq(&r.name_en),
                        regions::hasc.eq(&r.hasc),
                    ))
                    .execute(conn)?;
            } else {
                diesel::insert_into(regions::table)
                    .values((
                        regions::code.eq(&r.code),
                        regions::name.eq(&r.name),
                        regions::name_en.eq(&r.name_en),
                        regions::hasc.eq(&r.hasc),
                    ))
                    .execute(conn)?;
            }
        }
        let known: HashSet<String> = cercles::table.select(cercles::code).load(conn)?.into_iter().collect();
        for c in &b.cercles {
            if known.contains(&c.code) {
                diesel::update(cercles::table.find(&c.code))
                    .set((cercles::name.eq(&c.name), cercles::region_code.eq(&c.region_code)))
                    .execute(conn)?;
            } else {
                diesel::insert_into(cercles::table)
                    .values((
                        cercles::code.eq(&c.code),
                        cercles::region_code.eq(&c.region_code),
                        cercles::name.eq(&c.name),
                    ))
                    .execute(conn)?;
            }
        }
        // Places added by admins (`added_by` set) are theirs: never counted, changed or deleted here.
        let have: i64 = places::table.filter(places::added_by.is_null()).count().get_result(conn)?;
        if have as usize == g.shipped().len() {
            return Ok(0);
        }
        let known: HashSet<i32> = places::table.select(places::id).load(conn)?.into_iter().collect();
        let region_ok: HashSet<&str> = b.regions.iter().map(|r| r.code.as_str()).collect();
        let cercle_ok: HashSet<&str> = b.cercles.iter().map(|c| c.code.as_str()).collect();
        let rows: Vec<NewPlace> = g
            .shipped()
            .iter()
            .filter(|p| !known.contains(&p.id))
            .map(|p| NewPlace {
                id: p.id,
                name: &p.name,
                ascii_name: &p.ascii_name,
                alt_names: &p.alt_names,
                lat: p.lat,
                lon: p.lon,
                region_code: region_ok.contains(p.region_code.as_str()).then_some(p.region_code.as_str()),
                cercle_code: cercle_ok.contains(p.cercle_code.as_str()).then_some(p.cercle_code.as_str()),
                population: p.population,
            })
            .collect();
        for chunk in rows.chunks(1000) {
            // Batch inserts are typed per engine; the statement is the same.
            match conn {
                DbConn::Pg(c) => diesel::insert_into(places::table).values(chunk).execute(c)?,
                DbConn::Sqlite(c) => diesel::insert_into(places::table).values(chunk).execute(c)?,
            };
        }
        Ok(rows.len())
    })
}

/// A place an admin added, as listed on the admin page.
#[derive(Debug, Clone, Queryable)]
pub struct StaffPlace {
    pub id: i32,
    pub name: String,
    pub alt_names: String,
    pub lat: f64,
    pub lon: f64,
    pub region_code: Option<String>,
    pub cercle_code: Option<String>,
    pub active: bool,
    pub added_at: Option<chrono::NaiveDateTime>,
    /// The email of the admin who added it.
    pub added_by: String,
}

impl StaffPlace {
    /// The same place for the in-memory gazetteer.
    pub fn to_place(&self) -> Place {
        Place::staff(
            self.id,
            &self.name,
            &self.alt_names,
            self.lat,
            self.lon,
            self.region_code.as_deref().unwrap_or(""),
            self.cercle_code.as_deref().unwrap_or(""),
            self.active,
        )
    }
}

/// Every place admins added, newest first.
pub fn staff_places(conn: &mut DbConn) -> QueryResult<Vec<StaffPlace>> {
    places::table
        .inner_join(users::table.on(places::added_by.eq(users::id.nullable())))
        .order(places::id.asc())
        .select((
            places::id,
            places::name,
            places::alt_names,
            places::lat,
            places::lon,
            places::region_code,
            places::cercle_code,
            places::active,
            places::added_at,
            users::email,
        ))
        .load(conn)
}

/// One place an admin added; a shipped place (or none) is `NotFound`.
pub fn staff_place(conn: &mut DbConn, id: i32) -> QueryResult<StaffPlace> {
    staff_places(conn)?.into_iter().find(|p| p.id == id).ok_or(diesel::result::Error::NotFound)
}

/// Adds a place; its id is negative (below every id given so far), so it never meets a
/// GeoNames or Who's On First id of a newer shipped file. The caller holds the write lock.
pub fn insert_staff_place(
    conn: &mut DbConn,
    p: &CheckedPlace,
    by: i32,
    at: chrono::NaiveDateTime,
) -> QueryResult<i32> {
    // Two admins adding at once must not pick the same id: PostgreSQL serialises on a lock
    // held to the end of the transaction; SQLite already has one writer (`begin_write`).
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7210008)").execute(c)?;
    }
    let lowest: Option<i32> = places::table.select(diesel::dsl::min(places::id)).first(conn)?;
    let id = lowest.unwrap_or(0).min(0) - 1;
    diesel::insert_into(places::table)
        .values((
            places::id.eq(id),
            places::name.eq(&p.name),
            places::ascii_name.eq(deunicode::deunicode(&p.name)),
            places::alt_names.eq(&p.alt_names),
            places::lat.eq(p.lat),
            places::lon.eq(p.lon),
            places::region_code.eq(&p.region_code),
            places::cercle_code.eq(&p.cercle_code),
            places::population.eq(None::<i32>),
            places::added_by.eq(by),
            places::added_at.eq(at),
            places::active.eq(true),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Changes a place an admin added; shipped places are never touched (`NotFound`).
pub fn update_staff_place(conn: &mut DbConn, id: i32, p: &CheckedPlace) -> QueryResult<()> {
    let n = diesel::update(places::table.find(id).filter(places::added_by.is_not_null()))
        .set((
            places::name.eq(&p.name),
            places::ascii_name.eq(deunicode::deunicode(&p.name)),
            places::alt_names.eq(&p.alt_names),
            places::lat.eq(p.lat),
            places::lon.eq(p.lon),
            places::region_code.eq(&p.region_code),
            places::cercle_code.eq(&p.cercle_code),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    Ok(())
}

/// Disables or enables a place an admin added; shipped places are `NotFound`.
pub fn set_staff_place_active(conn: &mut DbConn, id: i32, active: bool) -> QueryResult<()> {
    let n = diesel::update(places::table.find(id).filter(places::added_by.is_not_null()))
        .set(places::active.eq(active))
        .execute(conn)?;
    if n == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    Ok(())
}
