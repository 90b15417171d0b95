//! Queries on the taxonomy tables.

use diesel::prelude::*;

use super::{Entry, Group};
use crate::db::DbConn;
use crate::schema::{case_statuses, dispositions, forces, institutions, violation_groups, violation_types};

#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    pub groups: Vec<Group>,
    pub forces: Vec<Entry>,
    pub dispositions: Vec<Entry>,
    pub institutions: Vec<Entry>,
    /// (code, label_fr, label_en, public_code)
    pub case_statuses: Vec<(String, String, String, String)>,
}

impl Taxonomy {
    pub fn load(conn: &mut DbConn) -> QueryResult<Taxonomy> {
        let groups: Vec<(i32, String, String, String, String)> = violation_groups::table
            .order(violation_groups::position)
            .select((
                violation_groups::id,
                violation_groups::code,
                violation_groups::icon,
                violation_groups::label_fr,
                violation_groups::label_en,
            ))
            .load(conn)?;
        let types: Vec<(i32, i32, String, String, String)> = violation_types::table
            .filter(violation_types::active.eq(true))
            .order((violation_types::group_id, violation_types::position))
            .select((
                violation_types::id,
                violation_types::group_id,
                violation_types::code,
                violation_types::label_fr,
                violation_types::label_en,
            ))
            .load(conn)?;
        let groups = groups
            .into_iter()
            .map(|(id, code, icon, label_fr, label_en)| Group {
                types: types
                    .iter()
                    .filter(|t| t.1 == id)
                    .map(|t| Entry {
                        id: t.0,
                        code: t.2.clone(),
                        label_fr: t.3.clone(),
                        label_en: t.4.clone(),
                    })
                    .collect(),
                entry: Entry { id, code, label_fr, label_en },
                icon,
            })
            .collect();
        let forces = forces::table
            .filter(forces::active.eq(true))
            .order(forces::position)
            .select((forces::id, forces::code, forces::label_fr, forces::label_en))
            .load::<(i32, String, String, String)>(conn)?
            .into_iter()
            .map(|(id, code, label_fr, label_en)| Entry { id, code, label_fr, label_en })
            .collect();
        let dispositions = dispositions::table
            .order(dispositions::position)
            .select((dispositions::id, dispositions::code, dispositions::label_fr, dispositions::label_en))
            .load::<(i32, String, String, String)>(conn)?
            .into_iter()
            .map(|(id, code, label_fr, label_en)| Entry { id, code, label_fr, label_en })
            .collect();
        let institutions = institutions::table
            .order(institutions::id)
            .select((institutions::id, institutions::code, institutions::name_fr, institutions::name_en))
            .load::<(i32, String, String, String)>(conn)?
            .into_iter()
            .map(|(id, code, label_fr, label_en)| Entry { id, code, label_fr, label_en })
            .collect();
        let case_statuses = case_statuses::table
            .order(case_statuses::position)
            .select((
                case_statuses::code,
                case_statuses::label_fr,
                case_statuses::label_en,
                case_statuses::public_code,
            ))
            .load(conn)?;
        Ok(Taxonomy { groups, forces, dispositions, institutions, case_statuses })
    }

    pub fn violation_type(&self, code: &str) -> Option<(&Group, &Entry)> {
        self.groups.iter().find_map(|g| g.types.iter().find(|t| t.code == code).map(|t| (g, t)))
    }

    pub fn violation_type_by_id(&self, id: i32) -> Option<(&Group, &Entry)> {
        self.groups.iter().find_map(|g| g.types.iter().find(|t| t.id == id).map(|t| (g, t)))
    }

    pub fn force(&self, code: &str) -> Option<&Entry> {
        self.forces.iter().find(|f| f.code == code)
    }

    pub fn force_by_id(&self, id: i32) -> Option<&Entry> {
        self.forces.iter().find(|f| f.id == id)
    }
}
