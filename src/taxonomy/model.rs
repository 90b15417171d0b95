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
    /// (code, public_code); their labels are the `case-status-<code>` keys.
    pub case_statuses: Vec<(String, String)>,
}

impl Taxonomy {
    /// The lists' codes, labelled by their codes until [`Taxonomy::localize`].
    pub fn load(conn: &mut DbConn) -> QueryResult<Taxonomy> {
        let groups: Vec<(i32, String, String)> = violation_groups::table
            .order(violation_groups::position)
            .select((violation_groups::id, violation_groups::code, violation_groups::icon))
            .load(conn)?;
        let types: Vec<(i32, i32, String)> = violation_types::table
            .filter(violation_types::active.eq(true))
            .order((violation_types::group_id, violation_types::position))
            .select((violation_types::id, violation_types::group_id, violation_types::code))
            .load(conn)?;
        let groups = groups
            .into_iter()
            .map(|(id, code, icon)| Group {
                types: types.iter().filter(|t| t.1 == id).map(|t| Entry::new(t.0, "vt", &t.2)).collect(),
                entry: Entry::new(id, "vg", &code),
                icon,
            })
            .collect();
        let entries = |rows: Vec<(i32, String)>, list: &'static str| -> Vec<Entry> {
            rows.into_iter().map(|(id, code)| Entry::new(id, list, &code)).collect()
        };
        let forces = entries(
            forces::table
                .filter(forces::active.eq(true))
                .order(forces::position)
                .select((forces::id, forces::code))
                .load(conn)?,
            "force",
        );
        let dispositions = entries(
            dispositions::table
                .order(dispositions::position)
                .select((dispositions::id, dispositions::code))
                .load(conn)?,
            "disposition",
        );
        let institutions = entries(
            institutions::table
                .order(institutions::id)
                .select((institutions::id, institutions::code))
                .load(conn)?,
            "institution",
        );
        let case_statuses = case_statuses::table
            .order(case_statuses::position)
            .select((case_statuses::code, case_statuses::public_code))
            .load(conn)?;
        Ok(Taxonomy { groups, forces, dispositions, institutions, case_statuses })
    }

    /// Every code of the lists with a label (for the test that each has its translations).
    pub fn label_keys(&self) -> Vec<String> {
        let mut keys = vec![];
        for g in &self.groups {
            keys.push(g.entry.key());
            keys.extend(g.types.iter().map(Entry::key));
        }
        for e in self.forces.iter().chain(&self.dispositions).chain(&self.institutions) {
            keys.push(e.key());
        }
        keys.extend(self.case_statuses.iter().map(|(code, _)| crate::i18n::label_key("case-status", code)));
        keys
    }

    /// Fills every entry's labels, in each language of the catalog, from its Fluent key.
    pub fn localize(mut self, catalog: &crate::i18n::Catalog) -> Taxonomy {
        for g in &mut self.groups {
            g.entry.localize(catalog);
            g.types.iter_mut().for_each(|t| t.localize(catalog));
        }
        for e in self.forces.iter_mut().chain(&mut self.dispositions).chain(&mut self.institutions) {
            e.localize(catalog);
        }
        self
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
