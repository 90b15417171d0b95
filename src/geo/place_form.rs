//! The rules of a place an admin adds to the gazetteer: a name, other names or spellings, a
//! point in decimal degrees inside Mali, and, if the admin names one, the cercle the point must
//! fall in. The region and cercle are always computed from the point (point-in-polygon), never
//! typed. Free of web and database types.

use std::collections::BTreeMap;

use super::Boundaries;

/// The form as typed, every field text.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PlaceFields {
    pub name: String,
    /// Other names or spellings, separated by commas, semicolons, `|` or new lines.
    pub alt_names: String,
    pub lat: String,
    pub lon: String,
    /// A cercle code, or empty for "computed from the point".
    pub cercle: String,
}

/// A place ready to be saved.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPlace {
    pub name: String,
    /// Joined with `|`, as in the shipped file.
    pub alt_names: String,
    pub lat: f64,
    pub lon: f64,
    pub region_code: String,
    pub cercle_code: String,
}

/// Field → message key; `point_cercle` is the cercle the point is really in when it is not
/// the one chosen (the message names it).
#[derive(Debug, Default, PartialEq)]
pub struct Refusal {
    pub fields: BTreeMap<&'static str, &'static str>,
    pub point_cercle: Option<String>,
}

pub const MAX_NAME: usize = 100;
pub const MAX_ALT: usize = 1000;

/// Parses a decimal degree: "14.29", "14,29" (French decimal comma) or "-3.6".
fn degrees(s: &str, max: f64) -> Option<f64> {
    let v: f64 = s.trim().replace(',', ".").parse().ok()?;
    (v.is_finite() && v.abs() <= max).then_some(v)
}

pub fn check(f: &PlaceFields, b: &Boundaries) -> Result<CheckedPlace, Refusal> {
    let mut r = Refusal::default();
    let name = f.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_NAME || super::normalize(&name).is_empty() {
        r.fields.insert("name", "place-err-name");
    }
    let alts: Vec<String> = f
        .alt_names
        .split([',', ';', '|', '\n'])
        .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|a| !a.is_empty() && *a != name)
        .collect();
    let alt_names = alts.join("|");
    if alts.iter().any(|a| a.chars().count() > MAX_NAME) || alt_names.chars().count() > MAX_ALT {
        r.fields.insert("alt_names", "place-err-alt-names");
    }
    let lat = degrees(&f.lat, 90.0);
    let lon = degrees(&f.lon, 180.0);
    if lat.is_none() {
        r.fields.insert("lat", "place-err-lat");
    }
    if lon.is_none() {
        r.fields.insert("lon", "place-err-lon");
    }
    let chosen = f.cercle.trim();
    if !chosen.is_empty() && b.cercle(chosen).is_none() {
        r.fields.insert("cercle", "place-err-cercle");
    }
    let mut at = None;
    if let (Some(lat), Some(lon)) = (lat, lon) {
        match b.locate(lat, lon) {
            None => {
                r.fields.insert("point", "place-err-outside");
            }
            Some(a) if !chosen.is_empty() && b.cercle(chosen).is_some() && a.cercle_code != chosen => {
                r.fields.insert("cercle", "place-err-not-in-cercle");
                r.point_cercle = Some(a.cercle_code);
            }
            Some(a) => at = Some(a),
        }
    }
    match (at, lat, lon) {
        (Some(a), Some(lat), Some(lon)) if r.fields.is_empty() => Ok(CheckedPlace {
            name,
            alt_names,
            lat,
            lon,
            region_code: a.region_code,
            cercle_code: a.cercle_code,
        }),
        _ => Err(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boundaries() -> Boundaries {
        Boundaries::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/resources/mali")))
            .unwrap()
    }

    fn fields(name: &str, lat: &str, lon: &str, cercle: &str) -> PlaceFields {
        PlaceFields {
            name: name.into(),
            alt_names: "Ogossagou Peul, Ogossogou ;  Ogosagou".into(),
            lat: lat.into(),
            lon: lon.into(),
            cercle: cercle.into(),
        }
    }

    #[test]
    fn a_point_in_mali_gets_its_region_and_cercle_from_the_boundaries() {
        let b = boundaries();
        let p = check(&fields("  Ogossagou ", "14,2139", "-3.5089", ""), &b).unwrap();
        assert_eq!(p.name, "Ogossagou");
        assert_eq!(p.alt_names, "Ogossagou Peul|Ogossogou|Ogosagou");
        assert_eq!((p.region_code.as_str(), p.cercle_code.as_str()), ("ML-5", "ML.MO.BK"));
        assert_eq!(check(&fields("Ogossagou", "14.2139", "-3.5089", "ML.MO.BK"), &b).unwrap(), p);
    }

    #[test]
    fn bad_points_names_and_cercles_are_refused_field_by_field() {
        let b = boundaries();
        let r = check(&fields("", "91", "abc", ""), &b).unwrap_err();
        assert_eq!(r.fields.get("name"), Some(&"place-err-name"));
        assert_eq!(r.fields.get("lat"), Some(&"place-err-lat"));
        assert_eq!(r.fields.get("lon"), Some(&"place-err-lon"));
        // Dakar is not in Mali.
        let r = check(&fields("Dakar", "14.69", "-17.44", ""), &b).unwrap_err();
        assert_eq!(r.fields.get("point"), Some(&"place-err-outside"));
        // A point of Bankass said to be in the cercle of Kayes.
        let r = check(&fields("Ogossagou", "14.2139", "-3.5089", "ML.KY.KI"), &b).unwrap_err();
        assert_eq!(r.fields.get("cercle"), Some(&"place-err-not-in-cercle"));
        assert_eq!(r.point_cercle.as_deref(), Some("ML.MO.BK"));
        let r = check(&fields("Ogossagou", "14.2139", "-3.5089", "ML.XX.XX"), &b).unwrap_err();
        assert_eq!(r.fields.get("cercle"), Some(&"place-err-cercle"));
        let long = "x".repeat(MAX_NAME + 1);
        assert!(check(&fields(&long, "14.2139", "-3.5089", ""), &b).unwrap_err().fields.contains_key("name"));
    }
}
