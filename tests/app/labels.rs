//! Issue 10: the labels of the lists (violation groups and types, forces, findings, case
//! statuses, institutions, regions, training norms and modules) and the words of routing
//! reasons come from the Fluent files, so that a new language is only a new folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use diesel::prelude::*;
use rocket::http::Status;

use crate::common::*;

fn catalog() -> vigie::i18n::Catalog {
    vigie::i18n::Catalog::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/locales"))).unwrap()
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = diesel::sql_types::Text)]
    code: String,
}

/// Every key each language folder defines.
fn keys_by_language() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/locales"));
    let mut out = BTreeMap::new();
    for dir in std::fs::read_dir(root).unwrap().flatten().filter(|d| d.path().is_dir()) {
        let mut keys = BTreeSet::new();
        for file in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let text = std::fs::read_to_string(file.path()).unwrap();
            for line in text.lines() {
                let Some((key, _)) = line.split_once(" =") else { continue };
                if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    keys.insert(key.to_string());
                }
            }
        }
        out.insert(dir.file_name().to_string_lossy().to_string(), keys);
    }
    out
}

#[test]
fn every_key_of_one_language_exists_in_every_other() {
    let all = keys_by_language();
    assert!(all.len() >= 2 && all["fr"].len() > 500, "{:?}", all.keys());
    // A draft language (one defining `lang-draft`) may lack keys, shown in French meanwhile;
    // it may not define keys French lacks.
    let union: BTreeSet<&String> = all.values().flatten().filter(|k| *k != "lang-draft").collect();
    let mut missing = vec![];
    for (lang, keys) in &all {
        if keys.contains("lang-draft") {
            missing.extend(
                keys.iter()
                    .filter(|k| *k != "lang-draft" && !all["fr"].contains(*k))
                    .map(|k| format!("{lang} (draft) defines unknown {k}")),
            );
            continue;
        }
        missing.extend(union.iter().filter(|k| !keys.contains(**k)).map(|k| format!("{lang}: {k}")));
    }
    assert!(missing.is_empty(), "missing translations:\n{}", missing.join("\n"));
}

#[test]
fn every_code_of_every_list_has_a_label_in_every_language() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let mut c = app.db.conn();
        let tax = vigie::taxonomy::Taxonomy::load(&mut c).unwrap();
        let mut keys = tax.label_keys();
        assert!(keys.len() > 90, "{}", keys.len());
        for (table, list) in [("training_norms", "norm"), ("training_modules", "module")] {
            let codes: Vec<Code> =
                diesel::sql_query(format!("SELECT code FROM {table}")).load(&mut c).unwrap();
            assert!(!codes.is_empty());
            keys.extend(codes.iter().map(|x| vigie::i18n::label_key(list, &x.code)));
        }
        let geo = vigie::geo::Geo::load(Path::new("resources/mali")).unwrap();
        keys.extend(geo.boundaries.regions.iter().map(|r| vigie::i18n::label_key("region", &r.code)));
        for on in ["any", "group", "type", "force", "prior_approach", "court_pending", "children"] {
            keys.push(vigie::i18n::label_key("routing-cond", on));
        }
        keys.extend(["routing-yes-no-yes", "routing-yes-no-no"].map(String::from));
        keys.extend(["n", "ne", "e", "se", "s", "sw", "w", "nw"].map(|d| format!("compass-{d}")));
        let catalog = catalog();
        let mut missing = vec![];
        // A draft language (Bambara's first version) must label what the public side shows:
        // violation groups and types, forces, institutions, regions, compass points; staff
        // lists may show in French meanwhile.
        let public = ["vg-", "vt-", "force-", "institution-", "region-", "compass-"];
        for (lang, _) in catalog.languages() {
            let needed = |k: &&String| !catalog.is_draft(lang) || public.iter().any(|p| k.starts_with(p));
            missing.extend(
                keys.iter()
                    .filter(needed)
                    .filter(|k| !catalog.has_key(lang, k))
                    .map(|k| format!("{lang}: {k}")),
            );
        }
        assert!(missing.is_empty(), "missing labels:\n{}", missing.join("\n"));
    });
}

#[test]
fn list_labels_follow_the_page_language_and_a_code_without_a_key_shows_as_itself() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let fr = app.client.get("/reports/new?lang=fr").dispatch().into_string().unwrap();
        assert!(fr.contains("Arrestation sans raison légale") && fr.contains("Tombouctou"));
        let en = app.client.get("/reports/new?lang=en").dispatch().into_string().unwrap();
        assert!(!en.contains("Arrestation sans raison légale"));
        assert!(en.contains("Timbuktu"), "the region's English name from the Fluent file");
        // A code added to a list without its translations: shown as its code, nothing breaks.
        let mut c = app.db.conn();
        diesel::sql_query(
            "INSERT INTO forces (code, position, label_fr, label_en, active) VALUES ('new_unit', 99, 'x', 'y', TRUE)",
        )
        .execute(&mut c)
        .unwrap();
        let tax = vigie::taxonomy::Taxonomy::load(&mut c).unwrap().localize(&catalog());
        assert_eq!(tax.force("new_unit").unwrap().label("fr"), "new_unit");
        assert_eq!(
            tax.force("fama_army").unwrap().label("en"),
            catalog().message("en", "force-fama_army", None)
        );
        assert_ne!(tax.force("fama_army").unwrap().label("en"), tax.force("fama_army").unwrap().label("fr"));
        let r = app.client.get("/api/v1/taxonomy?lang=en").dispatch();
        assert_eq!(r.status(), Status::Ok);
    });
}
