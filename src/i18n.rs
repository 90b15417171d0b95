//! Languages. Each folder under `locales/` is a language (`fr`, `en`, `bm`…) holding Fluent
//! files; adding a language is adding a folder, with no code change. French is the default
//! and the fallback for a key another language lacks. A language whose files define
//! `lang-draft` is a draft (a first version under review, or one still being translated): it
//! may lack keys, which show in French, and [`Catalog::missing`] lists them for translators
//! (`vigie locales --missing <lang>`). Any other language must be complete (tested).
//! Templates call `t(key=…, lang=…)`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The visitor's language: `?lang=` (remembered in a `lang` cookie that holds only the
/// language code), then that cookie, then `Accept-Language`, then French.
#[derive(Debug, Clone)]
pub struct Locale(pub String);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Locale {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r rocket::Request<'_>) -> rocket::request::Outcome<Self, Self::Error> {
        rocket::request::Outcome::Success(locale_of(req))
    }
}

pub fn locale_of(req: &rocket::Request<'_>) -> Locale {
    let cached = req.local_cache(|| {
        let catalog = req.rocket().state::<Arc<Catalog>>();
        let known = |l: &str| catalog.is_some_and(|c| c.has_lang(l));
        if let Some(Ok(lang)) = req.query_value::<String>("lang") {
            if known(&lang) {
                req.cookies().add(lang_cookie(&lang));
                return Locale(lang);
            }
        }
        if let Some(c) = req.cookies().get("lang") {
            if known(c.value()) {
                return Locale(c.value().to_string());
            }
        }
        let accept = req.headers().get_one("Accept-Language");
        Locale(catalog.map(|c| c.negotiate(accept)).unwrap_or_else(|| DEFAULT_LANG.into()))
    });
    cached.clone()
}

/// The language preference cookie. Privacy: nothing but the language code, gone when the
/// browser closes (nothing left on a reporter's phone).
pub fn lang_cookie(lang: &str) -> rocket::http::Cookie<'static> {
    let mut c = rocket::http::Cookie::new("lang", lang.to_string());
    c.set_same_site(rocket::http::SameSite::Lax);
    c.set_path("/");
    c.set_expires(None::<rocket::time::OffsetDateTime>);
    c
}

pub const DEFAULT_LANG: &str = "fr";

pub struct Catalog {
    bundles: BTreeMap<String, FluentBundle<FluentResource>>,
    /// The message keys each language defines.
    keys: BTreeMap<String, BTreeSet<String>>,
    /// Each language's own name, from its `lang-name` key, for the language switch.
    names: Vec<(String, String)>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").field("langs", &self.names).finish()
    }
}

impl Catalog {
    /// Loads every `locales/<lang>/*.ftl`. A syntax error is a start-up failure.
    pub fn load(dir: &Path) -> Result<Catalog, String> {
        let mut bundles = BTreeMap::new();
        let mut keys = BTreeMap::new();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read the locales folder {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            let lang = entry.file_name().to_string_lossy().to_string();
            let id: LanguageIdentifier =
                lang.parse().map_err(|_| format!("locales/{lang}: not a language tag"))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Unicode isolation marks would show up as boxes on old phones.
            bundle.set_use_isolating(false);
            let mut files: Vec<_> = std::fs::read_dir(&path)
                .map_err(|e| e.to_string())?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
                .collect();
            files.sort();
            let mut lang_keys = BTreeSet::new();
            for file in files {
                let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
                let res = FluentResource::try_new(text)
                    .map_err(|(_, errs)| format!("{}: {errs:?}", file.display()))?;
                lang_keys.extend(res.entries().filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                    _ => None,
                }));
                bundle
                    .add_resource(res)
                    .map_err(|errs| format!("{}: duplicate keys {errs:?}", file.display()))?;
            }
            keys.insert(lang.clone(), lang_keys);
            bundles.insert(lang, bundle);
        }
        if !bundles.contains_key(DEFAULT_LANG) {
            return Err(format!("locales/{DEFAULT_LANG} is missing: French is the default language"));
        }
        let mut catalog = Catalog { bundles, keys, names: vec![] };
        let langs: Vec<String> = catalog.bundles.keys().cloned().collect();
        // French first, then the others in alphabetical order.
        let mut ordered = vec![DEFAULT_LANG.to_string()];
        ordered.extend(langs.into_iter().filter(|l| l != DEFAULT_LANG));
        catalog.names = ordered
            .into_iter()
            .map(|l| {
                let name = catalog.message(&l, "lang-name", None);
                (l, name)
            })
            .collect();
        Ok(catalog)
    }

    pub fn languages(&self) -> &[(String, String)] {
        &self.names
    }

    pub fn has_lang(&self, lang: &str) -> bool {
        self.bundles.contains_key(lang)
    }

    /// A draft language (its files define `lang-draft`) may lack keys; they show in French.
    pub fn is_draft(&self, lang: &str) -> bool {
        lang != DEFAULT_LANG && self.has_key(lang, "lang-draft")
    }

    /// The French keys `lang` does not define, in order: what a translator has left to do.
    pub fn missing(&self, lang: &str) -> Vec<String> {
        let Some(own) = self.keys.get(lang) else { return vec![] };
        self.keys[DEFAULT_LANG].iter().filter(|k| !own.contains(*k)).cloned().collect()
    }

    /// The keys `lang` defines that French does not (a typo or a removed key).
    pub fn unknown(&self, lang: &str) -> Vec<String> {
        let Some(own) = self.keys.get(lang) else { return vec![] };
        own.iter()
            .filter(|k| !self.keys[DEFAULT_LANG].contains(*k) && k.as_str() != "lang-draft")
            .cloned()
            .collect()
    }

    pub fn has_key(&self, lang: &str, key: &str) -> bool {
        self.bundles.get(lang).is_some_and(|b| b.has_message(key))
    }

    /// The text for `key` in `lang`, falling back to French, then to the key itself (so a
    /// missing translation shows up plainly instead of breaking a page; a test catches it).
    pub fn message(&self, lang: &str, key: &str, args: Option<&FluentArgs>) -> String {
        for l in [lang, DEFAULT_LANG] {
            let Some(bundle) = self.bundles.get(l) else { continue };
            let Some(msg) = bundle.get_message(key) else { continue };
            let Some(pattern) = msg.value() else { continue };
            let mut errors = vec![];
            return bundle.format_pattern(pattern, args, &mut errors).into_owned();
        }
        key.to_string()
    }

    /// The text for `key` in `lang`, then in French, then `fallback` (for labels of data whose
    /// key may be missing: a code added to a list without its translations shows as its code).
    pub fn message_or(&self, lang: &str, key: &str, fallback: &str) -> String {
        if self.has_key(lang, key) || self.has_key(DEFAULT_LANG, key) {
            self.message(lang, key, None)
        } else {
            fallback.to_string()
        }
    }

    /// The best supported language for an `Accept-Language` header.
    pub fn negotiate(&self, accept_language: Option<&str>) -> String {
        if let Some(header) = accept_language {
            let mut prefs: Vec<(f32, String)> = header
                .split(',')
                .filter_map(|part| {
                    let mut it = part.trim().split(';');
                    let tag = it.next()?.trim().to_ascii_lowercase();
                    let q = it
                        .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                        .unwrap_or(1.0);
                    Some((q, tag))
                })
                .collect();
            prefs.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (_, tag) in prefs {
                let primary = tag.split('-').next().unwrap_or("");
                if self.has_lang(primary) {
                    return primary.to_string();
                }
            }
        }
        DEFAULT_LANG.to_string()
    }
}

/// The Tera function `t(key="…", lang="…", name=value…)`: extra arguments become Fluent
/// variables.
/// The Fluent key of a list entry's label: `<list>-<code>`, a dot becoming a dash
/// (`vt-liberty-arbitrary_arrest`, `force-fama`, `region-ML-5`).
pub fn label_key(list: &str, code: &str) -> String {
    format!("{list}-{}", code.replace('.', "-"))
}

pub fn tera_function(catalog: Arc<Catalog>) -> impl rocket_dyn_templates::tera::Function {
    move |args: &HashMap<String, rocket_dyn_templates::tera::Value>| -> rocket_dyn_templates::tera::Result<rocket_dyn_templates::tera::Value> {
        let key = args
            .get("key")
            .and_then(|v| v.as_str())
            .ok_or_else(|| rocket_dyn_templates::tera::Error::msg("t() needs key"))?;
        let lang = args.get("lang").and_then(|v| v.as_str()).unwrap_or(DEFAULT_LANG);
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            if k == "key" || k == "lang" {
                continue;
            }
            match v {
                rocket_dyn_templates::tera::Value::Number(n) => {
                    fargs.set(k.clone(), FluentValue::from(n.as_f64().unwrap_or(0.0)))
                }
                rocket_dyn_templates::tera::Value::String(s) => fargs.set(k.clone(), FluentValue::from(s.clone())),
                other => fargs.set(k.clone(), FluentValue::from(other.to_string())),
            }
        }
        let args = if fargs.iter().next().is_some() { Some(&fargs) } else { None };
        Ok(rocket_dyn_templates::tera::Value::String(catalog.message(lang, key, args)))
    }
}

/// The operator's recorded prompts: `<dir>/<lang>/<key>.ogg`, found once at start-up.
#[derive(Debug, Default)]
pub struct AudioPrompts {
    dir: std::path::PathBuf,
    found: BTreeSet<(String, String)>,
}

impl AudioPrompts {
    /// Reads the folder; a missing folder is no prompts (the usual case).
    pub fn load(dir: &Path) -> AudioPrompts {
        let mut found = BTreeSet::new();
        for lang in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let code = lang.file_name().to_string_lossy().to_string();
            for f in std::fs::read_dir(lang.path()).into_iter().flatten().flatten() {
                let name = f.file_name().to_string_lossy().to_string();
                if let Some(key) = name.strip_suffix(".ogg") {
                    let plain =
                        |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                    if plain(&code) && plain(key) {
                        found.insert((code.clone(), key.to_string()));
                    }
                }
            }
        }
        AudioPrompts { dir: dir.to_path_buf(), found }
    }

    /// The file of the recording of `key` in `lang`, if the operator made one.
    pub fn file(&self, lang: &str, key: &str) -> Option<std::path::PathBuf> {
        self.found
            .contains(&(lang.to_string(), key.to_string()))
            .then(|| self.dir.join(lang).join(format!("{key}.ogg")))
    }

    /// The address of the recording of `key` in `lang`, if the operator made one.
    pub fn url(&self, lang: &str, key: &str) -> Option<String> {
        self.found.contains(&(lang.to_string(), key.to_string())).then(|| format!("/audio/{lang}/{key}.ogg"))
    }
}

/// The Tera function `listen(key="…", lang="…")`: a small "listen" link to the recording of
/// that text, or nothing when there is none. Without JavaScript the link opens the phone's
/// player; with it the sound plays in the page.
pub fn tera_listen(
    prompts: Arc<AudioPrompts>,
    catalog: Arc<Catalog>,
) -> impl rocket_dyn_templates::tera::Function {
    move |args: &HashMap<String, rocket_dyn_templates::tera::Value>| -> rocket_dyn_templates::tera::Result<rocket_dyn_templates::tera::Value> {
        let key = args.get("key").and_then(|v| v.as_str()).unwrap_or_default();
        let lang = args.get("lang").and_then(|v| v.as_str()).unwrap_or(DEFAULT_LANG);
        let html = match prompts.url(lang, key) {
            Some(url) => format!(
                "<a class=\"listen\" href=\"{url}\" data-audio aria-label=\"{}\">&#9654;</a>",
                catalog.message(lang, "listen", None).replace('"', "&quot;")
            ),
            None => String::new(),
        };
        Ok(rocket_dyn_templates::tera::Value::String(html))
    }
}

/// A file size in words for people: kilobytes or megabytes, in the page's language.
pub fn size_text(catalog: &Catalog, lang: &str, bytes: i64) -> String {
    let mut a = fluent_bundle::FluentArgs::new();
    if bytes >= 1_000_000 {
        a.set("n", format!("{:.1}", bytes as f64 / 1_000_000.0));
        catalog.message(lang, "size-mb", Some(&a))
    } else {
        a.set("n", ((bytes + 999) / 1000).max(1));
        catalog.message(lang, "size-kb", Some(&a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/locales"))).unwrap()
    }

    #[test]
    fn french_is_default_and_english_is_there() {
        let c = catalog();
        assert_eq!(c.languages()[0].0, "fr");
        assert!(c.has_lang("en"));
        assert_eq!(c.negotiate(None), "fr");
        assert_eq!(c.negotiate(Some("en-GB,en;q=0.9")), "en");
        assert_eq!(c.negotiate(Some("de-DE, en;q=0.5, fr;q=0.8")), "fr");
        assert_eq!(c.negotiate(Some("de")), "fr");
    }

    #[test]
    fn every_complete_language_has_every_french_key_and_drafts_list_what_they_lack() {
        let c = catalog();
        assert!(c.keys["fr"].len() > 500);
        for (lang, _) in c.languages() {
            assert!(
                c.unknown(lang).is_empty(),
                "locales/{lang} defines keys French lacks: {:?}",
                c.unknown(lang)
            );
            let missing = c.missing(lang);
            if c.is_draft(lang) {
                // Listed for translators; shown in French meanwhile.
                println!("locales/{lang} (draft) lacks {} keys: {}", missing.len(), missing.join(", "));
            } else {
                assert!(missing.is_empty(), "locales/{lang} lacks: {}", missing.join(", "));
            }
        }
        assert!(!c.is_draft("fr") && !c.is_draft("en"));
    }

    #[test]
    fn a_draft_language_falls_back_to_french_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        for lang in ["fr", "ff"] {
            std::fs::create_dir(dir.path().join(lang)).unwrap();
        }
        std::fs::write(dir.path().join("fr/main.ftl"), "lang-name = Français\na = un\nb = deux\n").unwrap();
        std::fs::write(
            dir.path().join("ff/main.ftl"),
            "lang-name = Fulfulde\nlang-draft = draft\na = go'o\n",
        )
        .unwrap();
        let c = Catalog::load(dir.path()).unwrap();
        assert!(c.is_draft("ff"));
        assert_eq!(c.message("ff", "a", None), "go'o");
        assert_eq!(c.message("ff", "b", None), "deux");
        assert_eq!(c.missing("ff"), vec!["b".to_string()]);
        assert_eq!(c.languages()[1], ("ff".to_string(), "Fulfulde".to_string()));
        assert_eq!(c.negotiate(Some("ff-ML, fr;q=0.5")), "ff");
    }
}
