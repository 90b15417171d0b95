//! The place-name gazetteer (GeoNames via Who's On First): loading and searching, accents and
//! alternative names matched. Held in memory: 15,000 places search in well under a
//! millisecond, and the same code serves SQLite and PostgreSQL. Free of web and database types.

use std::path::Path;

#[derive(Debug, Clone)]
pub struct Place {
    /// The GeoNames id (stable across newer files), or the Who's On First id when missing.
    pub id: i32,
    pub name: String,
    pub ascii_name: String,
    pub alt_names: String,
    pub lat: f64,
    pub lon: f64,
    pub region_code: String,
    pub cercle_code: String,
    pub population: Option<i32>,
    /// Normalised forms of every name, for matching.
    keys: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
struct Row {
    geonameid: Option<i64>,
    name: String,
    ascii_name: String,
    alt_names: String,
    lat: f64,
    lon: f64,
    admin1_code: String,
    admin2_code: String,
    /// The cercle's name, in French.
    #[serde(default)]
    admin2: String,
    population: Option<i64>,
    wof_id: Option<i64>,
}

/// Lower-case, accents removed, anything but letters and digits turned into single spaces:
/// "Ségou-Koro" and "segou koro" meet.
pub fn normalize(s: &str) -> String {
    let plain = deunicode::deunicode(s).to_lowercase();
    let mut out = String::with_capacity(plain.len());
    for word in plain.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

pub struct Gazetteer {
    places: Vec<Place>,
}

impl std::fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gazetteer({} places)", self.places.len())
    }
}

impl Gazetteer {
    pub fn load(path: &Path) -> Result<Gazetteer, String> {
        let mut reader =
            csv::Reader::from_path(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut places = Vec::with_capacity(16_000);
        let mut seen = std::collections::HashSet::new();
        for (line, row) in reader.deserialize::<Row>().enumerate() {
            let row = row.map_err(|e| format!("{} line {}: {e}", path.display(), line + 2))?;
            let id = row.geonameid.or(row.wof_id).and_then(|v| i32::try_from(v).ok()).ok_or_else(|| {
                format!("{} line {}: no usable geonameid or wof_id", path.display(), line + 2)
            })?;
            if !seen.insert(id) {
                continue;
            }
            let mut keys = vec![normalize(&row.name), normalize(&row.ascii_name)];
            keys.extend(row.alt_names.split('|').map(normalize).filter(|k| !k.is_empty()));
            keys.dedup();
            // French names in French: a town that is the seat of its cercle, known under the
            // cercle's (French) name among its other names, is shown under that name
            // ("Tombouctou", not "Timbuktu"); every other name still finds it.
            let french = normalize(&row.admin2);
            let name = if row.population.is_some() && french != keys[0] && keys.contains(&french) {
                row.admin2.clone()
            } else {
                row.name
            };
            places.push(Place {
                id,
                name,
                ascii_name: row.ascii_name,
                alt_names: row.alt_names,
                lat: row.lat,
                lon: row.lon,
                region_code: row.admin1_code,
                cercle_code: row.admin2_code,
                population: row.population.and_then(|p| i32::try_from(p).ok()),
                keys,
            });
        }
        Ok(Gazetteer { places })
    }

    pub fn all(&self) -> &[Place] {
        &self.places
    }

    pub fn get(&self, id: i32) -> Option<&Place> {
        self.places.iter().find(|p| p.id == id)
    }

    /// The named place nearest to a point, within `max_km`, for saying a map point in words.
    /// An equirectangular distance is plenty at the scale of a fingertip on the map.
    pub fn nearest(&self, lat: f64, lon: f64, max_km: f64) -> Option<&Place> {
        let k = lat.to_radians().cos();
        let d2 = |p: &Place| {
            let (dy, dx) = (p.lat - lat, (p.lon - lon) * k);
            dy * dy + dx * dx
        };
        let best = self.places.iter().min_by(|a, b| d2(a).total_cmp(&d2(b)))?;
        (d2(best).sqrt() * 111.2 <= max_km).then_some(best)
    }

    /// Places matching `query`, best first: whole-name matches, then names starting with the
    /// query, then names with a word starting with it, then any substring; ties go to the
    /// bigger place (the file is sorted by population).
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Place> {
        let q = normalize(query);
        if q.is_empty() || limit == 0 {
            return vec![];
        }
        let word_prefix = format!(" {q}");
        let mut scored: Vec<(u8, usize)> = self
            .places
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let mut best = u8::MAX;
                for (k, key) in p.keys.iter().enumerate() {
                    // The main names rank above alternative names of equal quality.
                    let alt = u8::from(k >= 2);
                    let score = if *key == q {
                        0
                    } else if key.starts_with(&q) {
                        2
                    } else if key.contains(&word_prefix) {
                        4
                    } else if q.len() >= 3 && key.contains(&q) {
                        6
                    } else {
                        continue;
                    };
                    best = best.min(score + alt);
                }
                (best != u8::MAX).then_some((best, i))
            })
            .collect();
        // A typo ("Tombouctu") still finds the place: when too few names match, names one or
        // two letters away (two for longer queries) come after every closer match.
        if scored.len() < limit && q.len() >= 4 {
            let max = if q.len() >= 8 { 2 } else { 1 };
            let found: std::collections::HashSet<usize> = scored.iter().map(|s| s.1).collect();
            for (i, p) in self.places.iter().enumerate() {
                if found.contains(&i) {
                    continue;
                }
                let best = p
                    .keys
                    .iter()
                    .flat_map(|k| std::iter::once(k.as_str()).chain(k.split(' ')))
                    .filter(|w| w.len().abs_diff(q.len()) <= max)
                    .filter_map(|w| edit_distance_at_most(&q, w, max))
                    .min();
                if let Some(d) = best {
                    scored.push((8 + d as u8, i));
                }
            }
        }
        scored.sort_unstable();
        scored.into_iter().take(limit).map(|(_, i)| &self.places[i]).collect()
    }
}

/// The number of single-letter insertions, deletions, substitutions or swaps of neighbours
/// that turn `a` into `b`, if it is at most `max`.
fn edit_distance_at_most(a: &str, b: &str, max: usize) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        let mut row_min = usize::MAX;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
    }
    (d[n][m] <= max).then_some(d[n][m])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gazetteer() -> Gazetteer {
        Gazetteer::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/resources/mali/places.csv"))).unwrap()
    }

    #[test]
    fn normalizes_accents_and_punctuation() {
        assert_eq!(normalize("Ségou-Koro"), "segou koro");
        assert_eq!(normalize("  Tombouctou  "), "tombouctou");
    }

    #[test]
    fn finds_places_with_or_without_accents_and_by_other_names() {
        let g = gazetteer();
        assert!(g.all().len() > 14_000);
        assert_eq!(g.search("Bamako", 5)[0].name, "Bamako");
        assert_eq!(g.search("segou", 5)[0].name, "Ségou");
        assert_eq!(g.search("Ségou", 5)[0].name, "Ségou");
        let timbuktu = g.search("Timbuktu", 5);
        assert!(timbuktu.iter().any(|p| p.cercle_code == "ML.TB.TB"), "{timbuktu:?}");
        assert!(g.search("zzzzqqq", 5).is_empty());
        // French names in French, and a typo still finds the town (issue 10, item 7).
        assert_eq!(g.get(2449067).unwrap().name, "Tombouctou");
        assert_eq!(g.search("Tombouctu", 5)[0].id, 2449067);
        assert_eq!(g.search("Tombuctou", 5)[0].id, 2449067);
        assert_eq!(g.search("Sevarre", 5)[0].name, "Sévaré");
        assert_eq!(edit_distance_at_most("segou", "sgeou", 1), Some(1));
        assert_eq!(edit_distance_at_most("segou", "kayes", 2), None);
        assert_eq!(g.search("ba", 3).len(), 3);
    }
}
