//! What a report must be before it is saved: the raw input of the web form or of the API is
//! parsed into a [`Draft`], or refused with one message per field. Free of web and database
//! types, so every rule has a plain unit test below.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::geo::Geo;
use crate::taxonomy::{Taxonomy, DATE_PRECISIONS, REPORTER_RELATIONS};

pub const NARRATIVE_MIN: usize = 10;
pub const NARRATIVE_MAX: usize = 20_000;
pub const SHORT_TEXT_MAX: usize = 500;
/// The largest victim count a report or an allegation takes.
pub const VICTIMS_MAX: i32 = 100_000;

/// Where the reporter says it happened, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum RawLocation {
    #[default]
    None,
    /// A point from the phone's position or a click on the map.
    Point {
        lat: String,
        lon: String,
        method: String,
    },
    Place {
        id: String,
    },
    Admin {
        region: String,
        cercle: String,
    },
}

/// A report as typed, before any check. Strings stay strings so a refused form comes back
/// exactly as the person wrote it.
#[derive(Debug, Clone, Default)]
pub struct RawReport {
    pub violations: Vec<String>,
    pub narrative: String,
    /// When, by picture: `today`, `yesterday`, `week` (the last seven days), or empty or
    /// `date` for the date fields.
    pub when: String,
    pub occurred_on: String,
    pub date_precision: String,
    pub occurred_time: String,
    pub location: RawLocation,
    pub force: String,
    pub unit_description: String,
    pub uniform_seen: String,
    pub insignia_seen: String,
    pub vehicle_seen: String,
    pub victim_count: String,
    pub children_involved: bool,
    pub victim_details: String,
    pub reporter_relation: String,
    pub reporter_name: String,
    pub reporter_contact: String,
    /// A voice recording comes with the report as its narrative: the text may then be empty.
    pub voice: bool,
}

/// Where it happened, once checked. `lat`/`lon` only for a real point (GPS or map): a place
/// from the gazetteer or a region/cercle choice is not an exact point.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub place_id: Option<i32>,
    pub region_code: Option<String>,
    pub cercle_code: Option<String>,
    pub method: &'static str,
}

/// A report ready to be saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub violation_type_ids: Vec<i32>,
    pub narrative: String,
    pub occurred_on: NaiveDate,
    pub date_precision: &'static str,
    pub occurred_time: Option<String>,
    pub location: Location,
    pub force_id: i32,
    pub unit_description: String,
    pub uniform_seen: String,
    pub insignia_seen: String,
    pub vehicle_seen: String,
    pub victim_count: Option<i32>,
    pub children_involved: bool,
    pub victim_details: String,
    pub reporter_relation: &'static str,
    pub reporter_name: Option<String>,
    pub reporter_contact: Option<String>,
}

/// A report a monitor files for someone else.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorFiling {
    pub monitor_id: i32,
    pub email: String,
    pub on_behalf_of: String,
    pub consent: bool,
}

/// Field name → translation key of the message.
pub type FieldErrors = BTreeMap<&'static str, &'static str>;

/// A text as typed, without the control characters no one types (NUL, the C0 and C1 codes,
/// DEL; tab and line breaks stay): PostgreSQL refuses a NUL in text (a report lost to a 500),
/// and the others can hide what a staff member reads or disturb a terminal.
pub fn plain(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')).collect()
}

fn short(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    let v = plain(value);
    let v = v.trim();
    if v.chars().count() > SHORT_TEXT_MAX {
        errors.insert(field, "err-text-too-long");
    }
    v.to_string()
}

fn optional(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

pub fn parse_coordinate(s: &str) -> Option<f64> {
    let v: f64 = s.trim().replace(',', ".").parse().ok()?;
    v.is_finite().then_some(v)
}

/// Checks a raw report against the taxonomy, the map and today's date.
pub fn validate(raw: &RawReport, tax: &Taxonomy, geo: &Geo, today: NaiveDate) -> Result<Draft, FieldErrors> {
    let mut errors = FieldErrors::new();

    let mut violation_type_ids = vec![];
    if raw.violations.iter().all(|v| v.trim().is_empty()) {
        errors.insert("violations", "err-violations-empty");
    }
    for code in raw.violations.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match tax.violation_type(code) {
            Some((_, t)) if !violation_type_ids.contains(&t.id) => violation_type_ids.push(t.id),
            Some(_) => {}
            None => {
                errors.insert("violations", "err-violations-unknown");
            }
        }
    }

    let narrative = plain(&raw.narrative).trim().to_string();
    let n = narrative.chars().count();
    if n < NARRATIVE_MIN && !raw.voice {
        errors.insert("narrative", "err-narrative-short");
    } else if n > NARRATIVE_MAX {
        errors.insert("narrative", "err-narrative-long");
    }

    // The pictures for when: a day told by a tap, for people who cannot use a date picker.
    let (date_owned, precision_raw) = match raw.when.trim() {
        "today" => (today.to_string(), "exact"),
        "yesterday" => ((today - chrono::Days::new(1)).to_string(), "exact"),
        "week" => ((today - chrono::Days::new(3)).to_string(), "approximate"),
        "" | "date" => (raw.occurred_on.clone(), raw.date_precision.trim()),
        _ => {
            // An unknown choice is the one error of the date (the date fields are not read).
            errors.insert("occurred_on", "err-choice-unknown");
            (today.to_string(), "exact")
        }
    };
    let precision = if precision_raw.is_empty() { "exact" } else { precision_raw };
    let date_precision = DATE_PRECISIONS.iter().copied().find(|p| *p == precision);
    if date_precision.is_none() {
        errors.insert("date_precision", "err-choice-unknown");
    }
    let date_text = date_owned.trim();
    let occurred_on = if date_text.is_empty() {
        if date_precision == Some("unknown") {
            Some(today)
        } else {
            errors.insert("occurred_on", "err-date-missing");
            None
        }
    } else {
        // A month alone ("2026-03", from a month picker) is the month's first day.
        let parsed = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(&format!("{date_text}-01"), "%Y-%m-%d"));
        match parsed {
            Ok(d) if d > today => {
                errors.insert("occurred_on", "err-date-future");
                None
            }
            Ok(d) if d.year() < 1960 => {
                errors.insert("occurred_on", "err-date-too-old");
                None
            }
            Ok(d) if date_precision == Some("month") => d.with_day(1),
            Ok(d) => Some(d),
            Err(_) => {
                errors.insert("occurred_on", "err-date-invalid");
                None
            }
        }
    };

    let time = raw.occurred_time.trim();
    let occurred_time = if time.is_empty() {
        None
    } else if chrono::NaiveTime::parse_from_str(time, "%H:%M").is_ok() {
        Some(time.to_string())
    } else {
        errors.insert("occurred_time", "err-time-invalid");
        None
    };

    let location = match &raw.location {
        RawLocation::None => {
            errors.insert("location", "err-location-missing");
            None
        }
        RawLocation::Point { lat, lon, method } => match (parse_coordinate(lat), parse_coordinate(lon)) {
            (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {
                match geo.boundaries.locate(lat, lon) {
                    Some(a) => Some(Location {
                        lat: Some(lat),
                        lon: Some(lon),
                        place_id: None,
                        region_code: Some(a.region_code),
                        cercle_code: Some(a.cercle_code),
                        method: if method == "gps" { "gps" } else { "map" },
                    }),
                    None => {
                        errors.insert("location", "err-location-outside");
                        None
                    }
                }
            }
            _ => {
                errors.insert("location", "err-location-invalid");
                None
            }
        },
        RawLocation::Place { id } => match id.trim().parse::<i32>().ok().and_then(|id| geo.gazetteer.get(id))
        {
            Some(p) => Some(Location {
                lat: None,
                lon: None,
                place_id: Some(p.id),
                region_code: geo.boundaries.region(&p.region_code).map(|r| r.code.clone()),
                cercle_code: geo.boundaries.cercle(&p.cercle_code).map(|c| c.code.clone()),
                method: "place",
            }),
            None => {
                errors.insert("location", "err-place-unknown");
                None
            }
        },
        RawLocation::Admin { region, cercle } => {
            let (region, cercle) = (region.trim(), cercle.trim());
            match geo.boundaries.region(region) {
                None => {
                    errors.insert("location", "err-region-unknown");
                    None
                }
                Some(r) if cercle.is_empty() => Some(Location {
                    lat: None,
                    lon: None,
                    place_id: None,
                    region_code: Some(r.code.clone()),
                    cercle_code: None,
                    method: "admin",
                }),
                Some(r) => match geo.boundaries.cercle(cercle) {
                    Some(c) if c.region_code == r.code => Some(Location {
                        lat: None,
                        lon: None,
                        place_id: None,
                        region_code: Some(r.code.clone()),
                        cercle_code: Some(c.code.clone()),
                        method: "admin",
                    }),
                    _ => {
                        errors.insert("location", "err-cercle-unknown");
                        None
                    }
                },
            }
        }
    };

    let force_code = if raw.force.trim().is_empty() { "unknown" } else { raw.force.trim() };
    let force_id = match tax.force(force_code) {
        Some(f) => Some(f.id),
        None => {
            errors.insert("force", "err-force-unknown");
            None
        }
    };

    let victims = raw.victim_count.trim();
    let victim_count = if victims.is_empty() {
        None
    } else {
        match victims.parse::<i32>() {
            Ok(n) if (0..=VICTIMS_MAX).contains(&n) => Some(n),
            _ => {
                errors.insert("victim_count", "err-victims-invalid");
                None
            }
        }
    };

    let relation =
        if raw.reporter_relation.trim().is_empty() { "other" } else { raw.reporter_relation.trim() };
    let reporter_relation = REPORTER_RELATIONS.iter().copied().find(|r| *r == relation);
    if reporter_relation.is_none() {
        errors.insert("reporter_relation", "err-choice-unknown");
    }

    let unit_description = short(&mut errors, "unit_description", &raw.unit_description);
    let uniform_seen = short(&mut errors, "uniform_seen", &raw.uniform_seen);
    let insignia_seen = short(&mut errors, "insignia_seen", &raw.insignia_seen);
    let vehicle_seen = short(&mut errors, "vehicle_seen", &raw.vehicle_seen);
    let reporter_name = short(&mut errors, "reporter_name", &raw.reporter_name);
    let reporter_contact = short(&mut errors, "reporter_contact", &raw.reporter_contact);
    let victim_details = plain(&raw.victim_details).trim().to_string();
    if victim_details.chars().count() > NARRATIVE_MAX {
        errors.insert("victim_details", "err-text-too-long");
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Draft {
        violation_type_ids,
        narrative,
        occurred_on: occurred_on.unwrap_or(today),
        date_precision: date_precision.unwrap_or("exact"),
        occurred_time,
        location: location.expect("checked above"),
        force_id: force_id.expect("checked above"),
        unit_description,
        uniform_seen,
        insignia_seen,
        vehicle_seen,
        victim_count,
        children_involved: raw.children_involved,
        victim_details,
        reporter_relation: reporter_relation.unwrap_or("other"),
        reporter_name: optional(&reporter_name),
        reporter_contact: optional(&reporter_contact),
    })
}

/// A form token is good for this many days after the page was drawn…
pub const FORM_TOKEN_VALID_DAYS: i64 = 2;
/// …and a used one is remembered longer than that, so that no resend within its validity can
/// slip through after a purge.
pub const FORM_TOKEN_KEEP_DAYS: i64 = 4;

/// A one-time form token: the day the form was drawn and 16 random bytes (`random`).
pub fn new_form_token(today: NaiveDate, random: &str) -> String {
    format!("{}.{random}", today.format("%Y%m%d"))
}

#[derive(Debug, PartialEq, Eq)]
pub enum FormToken {
    /// No token (an older page, a script): sent as before, without the once-only check.
    Missing,
    /// Drawn too long ago: the form comes back with a new token.
    Expired,
    Fresh,
}

pub fn form_token_state(token: &str, today: NaiveDate) -> FormToken {
    let token = token.trim();
    if token.is_empty() {
        return FormToken::Missing;
    }
    let day = token
        .split_once('.')
        .filter(|(_, random)| random.len() >= 16)
        .and_then(|(d, _)| NaiveDate::parse_from_str(d, "%Y%m%d").ok());
    match day {
        Some(d) if d <= today && (today - d).num_days() <= FORM_TOKEN_VALID_DAYS => FormToken::Fresh,
        _ => FormToken::Expired,
    }
}

/// Which of the form's location controls holds the place to send. The page keeps one confirmed
/// choice (`confirmed`: `point`, `place`, `admin` or empty) in hidden fields; a place picked in a
/// result list or a region/cercle picked in the list that differs from the confirmed one is
/// newer, so it wins. Without JavaScript both may change on one page: then the person is asked
/// to keep one rather than the server guessing.
pub fn newest_location(
    confirmed: &str,
    picked_place: &str,
    admin: &str,
    confirmed_admin: &str,
) -> Result<&'static str, &'static str> {
    let picked = !picked_place.trim().is_empty();
    let admin_changed = !admin.trim().is_empty() && (confirmed != "admin" || admin != confirmed_admin);
    match (picked, admin_changed) {
        (true, true) => Err("err-location-two"),
        (true, false) => Ok("place"),
        (false, true) => Ok("admin"),
        (false, false) => Ok(match confirmed {
            "point" => "point",
            "place" => "place",
            // The list was set back to "—": no place any more.
            "admin" if !admin.trim().is_empty() => "admin",
            _ => "",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_tokens_are_fresh_for_two_days_then_expire() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let t = |d: NaiveDate| new_form_token(d, "abcdefghijklmnopqrstuv");
        assert_eq!(form_token_state("", today), FormToken::Missing);
        assert_eq!(form_token_state(&t(today), today), FormToken::Fresh);
        assert_eq!(form_token_state(&t(today - chrono::Days::new(2)), today), FormToken::Fresh);
        assert_eq!(form_token_state(&t(today - chrono::Days::new(3)), today), FormToken::Expired);
        assert_eq!(form_token_state(&t(today + chrono::Days::new(1)), today), FormToken::Expired);
        assert_eq!(form_token_state("20261129.short", today), FormToken::Expired);
        assert_eq!(form_token_state("nonsense", today), FormToken::Expired);
    }

    #[test]
    fn the_newest_location_choice_wins_and_two_new_ones_are_refused() {
        // A map point stays until a place is picked from a newer result list.
        assert_eq!(newest_location("point", "", "", ""), Ok("point"));
        assert_eq!(newest_location("point", "42", "", ""), Ok("place"));
        assert_eq!(newest_location("place", "", "ML-MOP|ML.MO.MO", ""), Ok("admin"));
        assert_eq!(newest_location("admin", "", "ML-MOP", "ML-MOP"), Ok("admin"));
        assert_eq!(newest_location("admin", "", "", "ML-MOP"), Ok(""));
        assert_eq!(newest_location("admin", "7", "ML-MOP", "ML-MOP"), Ok("place"));
        assert_eq!(newest_location("point", "7", "ML-MOP", ""), Err("err-location-two"));
        assert_eq!(newest_location("", "", "", ""), Ok(""));
    }
    use crate::taxonomy::{Entry, Group};
    use std::path::Path;
    use std::sync::OnceLock;

    fn geo() -> &'static Geo {
        static G: OnceLock<Geo> = OnceLock::new();
        G.get_or_init(|| {
            Geo::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/resources/mali"))).unwrap()
        })
    }

    fn entry(id: i32, code: &str) -> Entry {
        Entry::new(id, "vt", code)
    }

    fn tax() -> Taxonomy {
        Taxonomy {
            groups: vec![Group {
                entry: entry(1, "integrity"),
                icon: "integrity".into(),
                types: vec![entry(10, "integrity.torture"), entry(11, "integrity.beating")],
            }],
            forces: vec![entry(1, "police"), entry(2, "unknown")],
            ..Default::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn good() -> RawReport {
        RawReport {
            violations: vec!["integrity.torture".into()],
            narrative: "Des soldats ont frappé mon frère au poste.".into(),
            occurred_on: "2026-11-20".into(),
            location: RawLocation::Point {
                lat: "12.6392".into(),
                lon: "-8.0029".into(),
                method: "gps".into(),
            },
            force: "police".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_report_passes_and_gets_its_cercle() {
        let d = validate(&good(), &tax(), geo(), today()).unwrap();
        assert_eq!(d.violation_type_ids, vec![10]);
        assert_eq!(d.location.region_code.as_deref(), Some("ML-BKO"));
        assert_eq!(d.location.method, "gps");
        assert_eq!(d.reporter_relation, "other");
        assert_eq!(d.reporter_name, None);
    }

    #[test]
    fn control_characters_are_taken_out_of_every_text_and_line_breaks_kept() {
        assert_eq!(plain("a\0b\u{1b}[31mc\u{7f}\u{85}d\te\r\nf"), "ab[31mcd\te\r\nf");
        let mut r = good();
        r.narrative = "Des soldats ont frappé\0 mon frère au poste.\u{1b}".into();
        r.reporter_name = "Awa\0".into();
        r.victim_details = "\0deux\0".into();
        let d = validate(&r, &tax(), geo(), today()).unwrap();
        assert_eq!(d.narrative, "Des soldats ont frappé mon frère au poste.");
        assert_eq!(d.reporter_name.as_deref(), Some("Awa"));
        assert_eq!(d.victim_details, "deux");
    }

    #[test]
    fn a_voice_narrative_needs_no_text_and_the_day_can_be_told_by_a_picture() {
        let mut r = good();
        r.narrative = String::new();
        assert_eq!(
            validate(&r, &tax(), geo(), today()).unwrap_err().get("narrative"),
            Some(&"err-narrative-short")
        );
        r.voice = true;
        assert_eq!(validate(&r, &tax(), geo(), today()).unwrap().narrative, "");
        let day = |when: &str| {
            let mut r = good();
            r.when = when.into();
            r.occurred_on = "garbage the pictures override".into();
            validate(&r, &tax(), geo(), today()).map(|d| (d.occurred_on.to_string(), d.date_precision))
        };
        assert_eq!(day("today").unwrap(), ("2026-11-28".into(), "exact"));
        assert_eq!(day("yesterday").unwrap(), ("2026-11-27".into(), "exact"));
        assert_eq!(day("week").unwrap(), ("2026-11-25".into(), "approximate"));
        assert_eq!(day("date").unwrap_err().get("occurred_on"), Some(&"err-date-invalid"));
        assert_eq!(day("tomorrow").unwrap_err().get("occurred_on"), Some(&"err-choice-unknown"));
    }

    #[test]
    fn each_rule_names_its_field() {
        let check = |f: &dyn Fn(&mut RawReport), field: &str, key: &str| {
            let mut r = good();
            f(&mut r);
            let e = validate(&r, &tax(), geo(), today()).unwrap_err();
            assert_eq!(e.get(field).copied(), Some(key), "{e:?}");
        };
        check(&|r| r.violations = vec![], "violations", "err-violations-empty");
        check(&|r| r.violations = vec!["life.nope".into()], "violations", "err-violations-unknown");
        check(&|r| r.narrative = "court".into(), "narrative", "err-narrative-short");
        check(&|r| r.narrative = "x".repeat(20_001), "narrative", "err-narrative-long");
        check(&|r| r.occurred_on = "2026-12-01".into(), "occurred_on", "err-date-future");
        check(&|r| r.occurred_on = "hier".into(), "occurred_on", "err-date-invalid");
        check(&|r| r.occurred_on = "".into(), "occurred_on", "err-date-missing");
        check(&|r| r.occurred_time = "25:99".into(), "occurred_time", "err-time-invalid");
        check(
            &|r| {
                r.location =
                    RawLocation::Point { lat: "13.51".into(), lon: "2.12".into(), method: "map".into() }
            },
            "location",
            "err-location-outside",
        );
        check(&|r| r.location = RawLocation::None, "location", "err-location-missing");
        check(&|r| r.location = RawLocation::Place { id: "-5".into() }, "location", "err-place-unknown");
        check(
            &|r| r.location = RawLocation::Admin { region: "ML-1".into(), cercle: "ML.GA.GA".into() },
            "location",
            "err-cercle-unknown",
        );
        check(&|r| r.force = "martians".into(), "force", "err-force-unknown");
        check(&|r| r.victim_count = "-3".into(), "victim_count", "err-victims-invalid");
        check(&|r| r.reporter_relation = "boss".into(), "reporter_relation", "err-choice-unknown");
    }

    #[test]
    fn unknown_date_and_month_precision() {
        let mut r = good();
        r.occurred_on = String::new();
        r.date_precision = "unknown".into();
        assert_eq!(validate(&r, &tax(), geo(), today()).unwrap().occurred_on, today());
        r.occurred_on = "2026-03".into();
        r.date_precision = "month".into();
        assert_eq!(validate(&r, &tax(), geo(), today()).unwrap().occurred_on.to_string(), "2026-03-01");
    }

    #[test]
    fn places_and_regions_give_no_exact_point() {
        let mut r = good();
        r.location = RawLocation::Place { id: "2460596".into() };
        let d = validate(&r, &tax(), geo(), today()).unwrap();
        assert_eq!((d.location.lat, d.location.cercle_code.as_deref()), (None, Some("ML.BA.BM")));
        r.location = RawLocation::Admin { region: "ML-7".into(), cercle: "".into() };
        let d = validate(&r, &tax(), geo(), today()).unwrap();
        assert_eq!((d.location.region_code.as_deref(), d.location.cercle_code), (Some("ML-7"), None));
    }
}
