//! Queries on the reference tables of places: regions, cercles and the gazetteer, kept in step
//! with the boundary files at start-up.

use std::collections::HashSet;

use diesel::prelude::*;

use super::{Boundaries, Gazetteer};
use crate::db::DbConn;
use crate::schema::{cercles, places, regions};

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

/// Inserts the regions, cercles and places the database lacks and refreshes region and
/// cercle names. Rows already referenced by reports are never deleted.
pub fn sync_reference(conn: &mut DbConn, b: &Boundaries, g: &Gazetteer) -> QueryResult<usize> {
    conn.transaction(|conn| {
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
        let have: i64 = places::table.count().get_result(conn)?;
        if have as usize == g.all().len() {
            return Ok(0);
        }
        let known: HashSet<i32> = places::table.select(places::id).load(conn)?.into_iter().collect();
        let region_ok: HashSet<&str> = b.regions.iter().map(|r| r.code.as_str()).collect();
        let cercle_ok: HashSet<&str> = b.cercles.iter().map(|c| c.code.as_str()).collect();
        let rows: Vec<NewPlace> = g
            .all()
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
