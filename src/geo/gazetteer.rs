//! The place-name gazetteer (GeoNames via Who's On First): loading and searching, accents and
//! alternative names matched. Held in memory: 15,000 places search in well under a
//! millisecond, and the same code serves SQLite and PostgreSQL. Free of web and database types.
//!
//! Two parts: the shipped file, read once and never changed, and the places admins add
//! (`staff`), an `Arc` swapped whole under a lock held only for the swap or the `Arc` clone,
//! so a search never waits on an admin's change and sees the new place as soon as it is saved.

use std::path::Path;
use std::sync::{Arc, RwLock};

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
    /// Added by an admin (not in the shipped file).
    pub staff: bool,
    /// False for a staff-added place an admin disabled: no longer found nor offered, still
    /// named where a report already points at it.
    pub active: bool,
    /// Normalised forms of every name, for matching.
    keys: Vec<String>,
}

impl Place {
    /// A place an admin added: `alt_names` separated by `|`, region and cercle as computed
    /// from the point.
    #[allow(clippy::too_many_arguments)]
    pub fn staff(
        id: i32,
        name: &str,
        alt_names: &str,
        lat: f64,
        lon: f64,
        region_code: &str,
        cercle_code: &str,
        active: bool,
    ) -> Place {
        let ascii_name = deunicode::deunicode(name);
        let mut keys = vec![normalize(name), normalize(&ascii_name)];
        keys.extend(alt_names.split('|').map(normalize).filter(|k| !k.is_empty()));
        keys.dedup();
        Place {
            id,
            name: name.to_string(),
            ascii_name,
            alt_names: alt_names.to_string(),
            lat,
            lon,
            region_code: region_code.to_string(),
            cercle_code: cercle_code.to_string(),
            population: None,
            staff: true,
            active,
            keys,
        }
    }
}

/// The eight directions of the compass, as Fluent key suffixes (`compass-ne`…).
const COMPASS: [&str; 8] = ["n", "ne", "e", "se", "s", "sw", "w", "nw"];

/// What tells a place from another of the same name in the same cercle: its distance and
/// direction from the nearest larger named place ("12 km NE de Bankass"), or, when even that
/// is the same, its coordinates rounded to 0.01° (about a kilometre).
#[derive(Debug, Clone, PartialEq)]
pub enum Hint {
    From { km: u32, compass: &'static str, place: String },
    Coordinates { lat: String, lon: String },
}

/// Distance (km, equirectangular: plenty within a cercle) and compass direction from `a` to `b`.
pub fn distance_and_direction(a: (f64, f64), b: (f64, f64)) -> (f64, &'static str) {
    let k = ((a.0 + b.0) / 2.0).to_radians().cos();
    let (dy, dx) = (b.0 - a.0, (b.1 - a.1) * k);
    let km = (dy * dy + dx * dx).sqrt() * 111.2;
    // Bearing clockwise from north, in eighths of a turn.
    let bearing = dx.atan2(dy).to_degrees().rem_euclid(360.0);
    let octant = ((bearing + 22.5) / 45.0).floor() as usize % 8;
    (km, COMPASS[octant])
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
    /// The shipped file, never changed after loading.
    places: Vec<Place>,
    /// The places admins added (active or not), replaced whole on each change.
    staff: RwLock<Arc<Vec<Place>>>,
}

impl std::fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gazetteer({} places, {} added)", self.places.len(), self.staff_places().len())
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
                staff: false,
                active: true,
                keys,
            });
        }
        Ok(Gazetteer { places, staff: RwLock::new(Arc::new(Vec::new())) })
    }

    /// The places of the shipped file.
    pub fn shipped(&self) -> &[Place] {
        &self.places
    }

    /// The places admins added, active or not: a snapshot, unaffected by later changes.
    pub fn staff_places(&self) -> Arc<Vec<Place>> {
        self.staff.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the places admins added (after each change, and at start from the database).
    pub fn set_staff_places(&self, places: Vec<Place>) {
        let places: Vec<Place> = places.into_iter().map(|p| Place { staff: true, ..p }).collect();
        *self.staff.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(places);
    }

    /// A place that can be chosen: shipped, or added by an admin and not disabled.
    pub fn get(&self, id: i32) -> Option<Place> {
        self.get_any(id).filter(|p| p.active)
    }

    /// A place by id, disabled ones included: for naming where a report already points.
    pub fn get_any(&self, id: i32) -> Option<Place> {
        if let Some(p) = self.places.iter().find(|p| p.id == id) {
            return Some(p.clone());
        }
        self.staff_places().iter().find(|p| p.id == id).cloned()
    }

    /// The named place nearest to a point, within `max_km`, for saying a map point in words.
    /// An equirectangular distance is plenty at the scale of a fingertip on the map.
    pub fn nearest(&self, lat: f64, lon: f64, max_km: f64) -> Option<Place> {
        let k = lat.to_radians().cos();
        let d2 = |p: &Place| {
            let (dy, dx) = (p.lat - lat, (p.lon - lon) * k);
            dy * dy + dx * dx
        };
        let staff = self.staff_places();
        let best = self
            .places
            .iter()
            .chain(staff.iter().filter(|p| p.active))
            .min_by(|a, b| d2(a).total_cmp(&d2(b)))?;
        (d2(best).sqrt() * 111.2 <= max_km).then(|| best.clone())
    }

    /// What tells each of `found` from the others of the same name in the same cercle (`None`
    /// for a place without such a twin among them). The reference is the nearest place of known
    /// population, larger than the place itself, under another name; when two twins get the
    /// same words, their coordinates (rounded to 0.01°) tell them apart.
    pub fn hints(&self, found: &[Place]) -> Vec<Option<Hint>> {
        let twin = |i: usize| {
            let key = normalize(&found[i].name);
            found
                .iter()
                .enumerate()
                .any(|(j, q)| j != i && q.cercle_code == found[i].cercle_code && normalize(&q.name) == key)
        };
        let mut hints: Vec<Option<Hint>> =
            (0..found.len()).map(|i| if twin(i) { self.reference_hint(&found[i]) } else { None }).collect();
        for i in 0..found.len() {
            if !twin(i) {
                continue;
            }
            let same = (0..found.len()).any(|j| {
                j != i
                    && found[j].cercle_code == found[i].cercle_code
                    && normalize(&found[j].name) == normalize(&found[i].name)
                    && hints[j] == hints[i]
            });
            if same || hints[i].is_none() {
                hints[i] = Some(Hint::Coordinates {
                    lat: format!("{:.2}", found[i].lat),
                    lon: format!("{:.2}", found[i].lon),
                });
            }
        }
        hints
    }

    /// "12 km NE of Bankass": from the nearest larger place with a known population.
    fn reference_hint(&self, p: &Place) -> Option<Hint> {
        let own = normalize(&p.name);
        let size = p.population.unwrap_or(0);
        let (d, r) = self
            .places
            .iter()
            .filter(|r| r.population.is_some_and(|n| n > size) && normalize(&r.name) != own)
            .map(|r| (distance_and_direction((r.lat, r.lon), (p.lat, p.lon)).0, r))
            .min_by(|a, b| a.0.total_cmp(&b.0))?;
        let (_, compass) = distance_and_direction((r.lat, r.lon), (p.lat, p.lon));
        Some(Hint::From { km: (d.round() as u32).max(1), compass, place: r.name.clone() })
    }

    /// Places matching `query`, best first: whole-name matches, then names starting with the
    /// query, then names with a word starting with it, then any substring; ties go to the
    /// bigger place (the file is sorted by population).
    pub fn search(&self, query: &str, limit: usize) -> Vec<Place> {
        let q = normalize(query);
        if q.is_empty() || limit == 0 {
            return vec![];
        }
        let staff = self.staff_places();
        let n = self.places.len();
        let at = |i: usize| if i < n { &self.places[i] } else { &staff[i - n] };
        let all = || self.places.iter().chain(staff.iter()).enumerate().filter(|(_, p)| p.active);
        let word_prefix = format!(" {q}");
        let mut scored: Vec<(u8, usize)> = all()
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
            for (i, p) in all() {
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
        scored.into_iter().take(limit).map(|(_, i)| at(i).clone()).collect()
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
        assert!(g.shipped().len() > 14_000);
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

    #[test]
    fn compass_directions_and_distances() {
        // One degree of latitude north is about 111 km.
        let (km, dir) = distance_and_direction((14.0, -3.0), (15.0, -3.0));
        assert!((km - 111.2).abs() < 0.1, "{km}");
        assert_eq!(dir, "n");
        assert_eq!(distance_and_direction((14.0, -3.0), (13.9, -3.0)).1, "s");
        assert_eq!(distance_and_direction((14.0, -3.0), (14.0, -2.9)).1, "e");
        assert_eq!(distance_and_direction((14.0, -3.0), (14.0, -3.1)).1, "w");
        assert_eq!(distance_and_direction((14.0, -3.0), (14.1, -2.9)).1, "ne");
        assert_eq!(distance_and_direction((14.0, -3.0), (13.9, -3.1)).1, "sw");
        assert_eq!(distance_and_direction((14.0, -3.0), (14.1, -3.1)).1, "nw");
        assert_eq!(distance_and_direction((14.0, -3.0), (13.9, -2.9)).1, "se");
    }

    #[test]
    fn twins_in_one_cercle_are_told_apart_and_others_get_no_hint() {
        let g = gazetteer();
        // Two villages called Aghor in the cercle of Nara.
        let found: Vec<Place> =
            g.search("Aghor", 8).into_iter().filter(|p| p.cercle_code == "ML.KK.NA").collect();
        assert_eq!(found.len(), 2, "{found:?}");
        let hints = g.hints(&found);
        assert!(hints.iter().all(Option::is_some), "{hints:?}");
        assert_ne!(hints[0], hints[1]);
        // The reference is a place of known population, not the village itself.
        for h in hints.iter().flatten() {
            match h {
                Hint::From { place, km, .. } => {
                    assert_ne!(normalize(place), "aghor");
                    assert!(*km >= 1);
                }
                Hint::Coordinates { .. } => {}
            }
        }
        // A place alone under its name in its cercle carries none.
        assert_eq!(g.hints(&g.search("Bamako", 1)), vec![None]);

        // Same reference, same distance and direction: coordinates instead.
        let a = Place::staff(-1, "Dogo", "", 14.30, -3.60, "ML-5", "ML.MO.BK", true);
        let b = Place::staff(-2, "Dogo", "", 14.3004, -3.6004, "ML-5", "ML.MO.BK", true);
        let hints = g.hints(&[a, b]);
        assert_eq!(hints[0], Some(Hint::Coordinates { lat: "14.30".into(), lon: "-3.60".into() }));
        assert_ne!(hints[0], hints[1]);
    }

    #[test]
    fn added_places_are_found_at_once_and_disabled_ones_are_not() {
        let g = gazetteer();
        assert!(g.search("Ogossagou", 5).iter().all(|p| !normalize(&p.name).contains("ogossagou")));
        g.set_staff_places(vec![Place::staff(
            -1,
            "Ogossagou",
            "Ogossagou Peul",
            14.2139,
            -3.5089,
            "ML-5",
            "ML.MO.BK",
            true,
        )]);
        assert_eq!(g.search("Ogossagou", 5)[0].id, -1);
        assert_eq!(g.search("Ogosagou", 5)[0].id, -1, "a typo");
        assert_eq!(g.search("ogossagou peul", 5)[0].id, -1, "another name");
        assert_eq!(g.get(-1).unwrap().name, "Ogossagou");
        assert_eq!(g.nearest(14.214, -3.509, 5.0).unwrap().id, -1);
        g.set_staff_places(vec![Place::staff(
            -1,
            "Ogossagou",
            "",
            14.2139,
            -3.5089,
            "ML-5",
            "ML.MO.BK",
            false,
        )]);
        assert!(g.search("Ogossagou", 5).iter().all(|p| p.id != -1));
        assert!(g.get(-1).is_none());
        assert_eq!(g.get_any(-1).unwrap().name, "Ogossagou");
    }
}
