//! The lists Vigie classifies with: violation groups and types, forces, dispositions, case
//! statuses, institutions. They are data (seeded by migration, editable by admins), read once
//! at start into [`Taxonomy`], with a label in each language.

pub mod model;

pub use model::Taxonomy;

/// A labelled entry of a list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    pub id: i32,
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
}

impl Entry {
    pub fn label(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.label_en
        } else {
            &self.label_fr
        }
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
