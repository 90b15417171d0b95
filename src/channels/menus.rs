//! The lists the phone menus offer, from the taxonomy, the boundaries and the gazetteer, with
//! their labels in the reporter's language (`conversation::Menus`). A language without its
//! own label of a list entry shows the French one (Bambara, for now, for violation types and
//! forces: `locales/bm/`).

use super::conversation::{Item, Menus};
use crate::geo::Geo;
use crate::i18n::Catalog;
use crate::taxonomy::Taxonomy;

pub struct Lists<'a> {
    pub taxonomy: &'a Taxonomy,
    pub geo: &'a Geo,
    pub catalog: &'a Catalog,
}

impl Menus for Lists<'_> {
    fn text(&self, lang: &str, key: &str) -> String {
        self.catalog.message(lang, key, None)
    }

    fn groups(&self, lang: &str) -> Vec<Item> {
        self.taxonomy.groups.iter().map(|g| Item::new(g.entry.code.clone(), g.entry.label(lang))).collect()
    }

    fn types(&self, lang: &str, group: &str) -> Vec<Item> {
        self.taxonomy
            .groups
            .iter()
            .find(|g| g.entry.code == group)
            .map(|g| g.types.iter().map(|t| Item::new(t.code.clone(), t.label(lang))).collect())
            .unwrap_or_default()
    }

    fn forces(&self, lang: &str) -> Vec<Item> {
        self.taxonomy.forces.iter().map(|f| Item::new(f.code.clone(), f.label(lang))).collect()
    }

    fn regions(&self, lang: &str) -> Vec<Item> {
        let mut out: Vec<Item> = self
            .geo
            .boundaries
            .regions
            .iter()
            .map(|r| {
                Item::new(
                    r.code.clone(),
                    self.geo.region_name(&r.code, lang).unwrap_or_else(|| r.name.clone()),
                )
            })
            .collect();
        out.sort_by(|a, b| a.label.cmp(&b.label));
        out
    }

    fn cercles(&self, region: &str) -> Vec<Item> {
        let mut out: Vec<Item> = self
            .geo
            .boundaries
            .cercles
            .iter()
            .filter(|c| c.region_code == region)
            .map(|c| Item::new(c.code.clone(), c.name.clone()))
            .collect();
        out.sort_by(|a, b| a.label.cmp(&b.label));
        out
    }

    fn places(&self, query: &str) -> Vec<Item> {
        self.geo
            .gazetteer
            .search(query, super::conversation::PLACES_SHOWN)
            .into_iter()
            .map(|p| {
                let cercle = self.geo.cercle_name(&p.cercle_code).unwrap_or_default();
                let label = if cercle.is_empty() || cercle == p.name {
                    p.name.clone()
                } else {
                    format!("{} ({cercle})", p.name)
                };
                Item::new(p.id.to_string(), label)
            })
            .collect()
    }
}
