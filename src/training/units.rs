//! Matching a unit named in free text against the managed list: accent- and case-insensitive,
//! and blind to spaces and punctuation, so "GTIA 8", "gtia8" and "G.T.I.A-8" meet.

/// The normalised search key of a unit name: lower case, no accents, letters and digits only.
pub fn search_key(name: &str) -> String {
    deunicode::deunicode(name).to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// The words of a free text, normalised, and every run of consecutive words glued together up
/// to `longest` characters ("gtia 8" → "gtia8", "g t i a 8" → "gtia8"), so that a unit written
/// with spaces or dots is found whatever its number of words; a unit is suggested only when its
/// whole key is one of them, from a word's start to a word's end ("gtia 18" is not "GTIA 1").
/// Found in review (session 21): runs of at most four words missed "G.T.I.A-8" and any unit
/// named in five words or more.
fn text_keys(text: &str, longest: usize) -> std::collections::HashSet<String> {
    let plain = deunicode::deunicode(text).to_lowercase();
    let words: Vec<&str> =
        plain.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let mut keys = std::collections::HashSet::new();
    for start in 0..words.len() {
        let mut key = String::new();
        for w in &words[start..] {
            key.push_str(w);
            if key.len() > longest {
                break;
            }
            keys.insert(key.clone());
        }
    }
    keys
}

/// The units whose key appears in the text, best first (longest key first: "gtia8" before
/// "gtia"), at most `limit`. `units` are (id, search key).
pub fn suggest(text: &str, units: &[(i32, String)], limit: usize) -> Vec<i32> {
    let longest = units.iter().map(|(_, k)| k.len()).max().unwrap_or(0);
    let keys = text_keys(text, longest);
    let mut hits: Vec<(usize, i32)> = units
        .iter()
        .filter(|(_, k)| k.len() >= 2)
        .filter(|(_, k)| keys.contains(k))
        .map(|(id, k)| (k.len(), *id))
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    hits.into_iter().map(|h| h.1).take(limit).collect()
}

/// Whether making `parent` the parent of unit `id` would close a loop: `id` is `parent`
/// itself or above it. `parent_of` gives each unit's parent as stored.
pub fn makes_loop(id: i32, parent: i32, parent_of: &std::collections::HashMap<i32, Option<i32>>) -> bool {
    let mut at = Some(parent);
    let mut steps = 0;
    while let Some(u) = at {
        if u == id {
            return true;
        }
        steps += 1;
        if steps > parent_of.len() {
            // A loop already stored above: a parent there would only join it.
            return true;
        }
        at = parent_of.get(&u).copied().flatten();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_cannot_be_placed_under_itself_or_its_own_subunits() {
        // 1 ← 2 ← 3 (3's parent is 2, 2's is 1); 4 alone.
        let parents = std::collections::HashMap::from([(1, None), (2, Some(1)), (3, Some(2)), (4, None)]);
        assert!(makes_loop(1, 1, &parents));
        assert!(makes_loop(1, 3, &parents), "3 is under 1");
        assert!(makes_loop(2, 3, &parents));
        assert!(!makes_loop(3, 1, &parents));
        assert!(!makes_loop(4, 3, &parents));
        assert!(!makes_loop(1, 4, &parents));
        let looped = std::collections::HashMap::from([(5, Some(6)), (6, Some(5)), (7, None)]);
        assert!(makes_loop(7, 5, &looped), "ends, even above a loop stored before");
    }

    #[test]
    fn keys_ignore_case_accents_spaces_and_punctuation() {
        assert_eq!(search_key("GTIA 8"), "gtia8");
        assert_eq!(search_key("gtia8"), "gtia8");
        assert_eq!(search_key("G.T.I.A-8"), "gtia8");
        assert_eq!(search_key("Brigade de Sévaré"), "brigadedesevare");
    }

    #[test]
    fn suggestions_come_from_the_reporters_words() {
        let units = vec![
            (1, search_key("GTIA 8")),
            (2, search_key("GTIA 1")),
            (3, search_key("Brigade de Sévaré")),
            (4, search_key("Commissariat du 3e arrondissement")),
        ];
        assert_eq!(suggest("des soldats du gtia8 sont venus", &units, 5), vec![1]);
        assert_eq!(suggest("Les militaires du GTIA 8, puis ceux du Gtia-1", &units, 5), vec![1, 2]);
        assert_eq!(suggest("les gendarmes de la brigade de SEVARE", &units, 5), vec![3]);
        assert_eq!(suggest("gtia 18", &units, 5), Vec::<i32>::new(), "8 is not 18");
        assert_eq!(suggest("rien de reconnaissable", &units, 5), Vec::<i32>::new());
        // Dotted abbreviations and names of five words or more (found in review, session 21).
        assert_eq!(suggest("les soldats du G.T.I.A-8 au camp", &units, 5), vec![1]);
        assert_eq!(suggest("au commissariat du 3e arrondissement de Bamako", &units, 5), vec![4]);
        let long = vec![(5, search_key("Compagnie de la Garde nationale de Mopti"))];
        assert_eq!(suggest("des gardes de la compagnie de la garde nationale de Mopti", &long, 5), vec![5]);
        assert_eq!(
            suggest("la garde nationale de Mopti", &long, 5),
            Vec::<i32>::new(),
            "only the whole name"
        );
    }
}
