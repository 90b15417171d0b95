//! The lists Vigie classifies with: violation groups and types, forces, dispositions, case
//! statuses, institutions. They are data (seeded by migration, editable by admins), read once
//! at start into [`Taxonomy`]. Their labels come from the Fluent files
//! (`locales/<lang>/taxonomy.ftl`, keys `<list>-<code>`, see [`crate::i18n::label_key`]), so a
//! new language is a new folder; a code without a key shows as its code. The `label_fr` and
//! `label_en` columns remain in the database, unread.

pub mod model;

pub use model::Taxonomy;

/// A labelled entry of a list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    pub id: i32,
    pub code: String,
    /// The list's Fluent prefix (`vg`, `vt`, `force`, `disposition`, `institution`).
    pub list: &'static str,
    /// Language → label, filled from the Fluent files by [`Taxonomy::localize`].
    pub labels: std::collections::BTreeMap<String, String>,
}

impl Entry {
    pub fn new(id: i32, list: &'static str, code: &str) -> Entry {
        Entry { id, code: code.to_string(), list, labels: Default::default() }
    }

    /// The label in `lang`, else in French, else the code.
    pub fn label(&self, lang: &str) -> &str {
        self.labels
            .get(lang)
            .or_else(|| self.labels.get(crate::i18n::DEFAULT_LANG))
            .map(String::as_str)
            .unwrap_or(&self.code)
    }

    /// The Fluent key of its label.
    pub fn key(&self) -> String {
        crate::i18n::label_key(self.list, &self.code)
    }

    pub(crate) fn localize(&mut self, catalog: &crate::i18n::Catalog) {
        let key = self.key();
        self.labels = catalog
            .languages()
            .iter()
            .map(|(lang, _)| (lang.clone(), catalog.message_or(lang, &key, &self.code)))
            .collect();
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub entry: Entry,
    pub icon: String,
    pub types: Vec<Entry>,
}

/// Fixed lists whose codes the code relies on; their labels live in the Fluent files.
pub const REPORTER_RELATIONS: [&str; 4] = ["victim", "witness", "relative", "other"];
pub const DATE_PRECISIONS: [&str; 4] = ["exact", "approximate", "month", "unknown"];
pub const INVOLVEMENTS: [&str; 5] = ["carried_out", "ordered", "present", "failed_to_prevent", "unknown"];
pub const CONFIDENCES: [&str; 4] = ["confirmed", "probable", "possible", "unknown"];
