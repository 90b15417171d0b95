//! Correcting an allegation: an intake officer fixes what was recorded wrong (a violation type,
//! a force typed in haste, the victims), with a written reason, as long as no finding was
//! recorded on it. The counts kept by triggers follow (training counts, the public statistics'
//! data version); a unit of the force it no longer names is untied; where the allegation stays
//! is the officer's decision: the event page says when the rules would now send it elsewhere,
//! and the override moves it.

use super::event_pages::{refused_allegation, AllegationForm};
use super::model::{self, AllegationFields};
use crate::accounts::routes::Auth;
use crate::auth::guards::{Audit, IntakeOfficer};
use crate::error::AppError;
use crate::taxonomy::{Taxonomy, CONFIDENCES, INVOLVEMENTS};
use crate::web::{Checked, Feedback, Page};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{Either, Route, State};
use rocket_dyn_templates::{context, Template};
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub fn routes() -> Vec<Route> {
    rocket::routes![correct_page, correct_save]
}

/// The fingerprint of an allegation's fields as a form showed them: a correction made from a
/// page drawn before another one is refused, not laid over it.
pub fn seen(a: &AllegationFields) -> String {
    hex::encode(&Sha256::digest(format!("{a:?}").as_bytes())[..12])
}

/// What a correction changes, for its audit entry: codes and counts before and after; the free
/// texts (the unit as described, identifiers seen) only as "changed", since the audit log is
/// read by admins who read no case content.
pub fn changes(tax: &Taxonomy, before: &AllegationFields, after: &AllegationFields) -> Vec<String> {
    let vt = |id: i32| tax.violation_type_by_id(id).map_or(id.to_string(), |(_, t)| t.code.clone());
    let force = |id: i32| tax.force_by_id(id).map_or(id.to_string(), |f| f.code.clone());
    let count = |n: Option<i32>| n.map_or("unknown".to_string(), |n| n.to_string());
    let mut out = vec![];
    let mut pair = |name: &str, b: String, a: String| {
        if b != a {
            out.push(format!("{name} {b} → {a}"));
        }
    };
    pair("type", vt(before.violation_type_id), vt(after.violation_type_id));
    pair("force", force(before.force_id), force(after.force_id));
    pair("involvement", before.involvement.clone(), after.involvement.clone());
    pair("confidence", before.confidence.clone(), after.confidence.clone());
    pair("victims", count(before.victim_count), count(after.victim_count));
    pair("children", before.children_involved.to_string(), after.children_involved.to_string());
    if before.unit_description != after.unit_description {
        out.push("unit description changed".into());
    }
    if before.identifiers_seen != after.identifiers_seen {
        out.push("identifiers changed".into());
    }
    out
}

/// The correction page: the allegation as recorded, and the form started on it (or on the
/// values as typed, when a correction came back).
async fn render(
    page: Page,
    auth: &Auth<'_>,
    tax: &Taxonomy,
    id: i32,
    fb: Feedback,
    drawn: Option<String>,
) -> Result<Template, AppError> {
    let lang = page.0.lang.clone();
    let (a, unit) = auth
        .db
        .run(move |c| {
            let a = model::find_allegation(c, id)?;
            let unit = model::tied_unit(c, id)?;
            Ok((a, unit))
        })
        .await?;
    let now = AllegationFields::of(&a);
    let code_of_type =
        |id: i32| tax.violation_type_by_id(id).map(|(_, t)| t.code.clone()).unwrap_or_default();
    let code_of_force = |id: i32| tax.force_by_id(id).map(|f| f.code.clone()).unwrap_or_default();
    // The form starts on the allegation as recorded; a refused one keeps what was typed.
    let values: std::collections::BTreeMap<String, String> = if fb.form.as_deref() == Some("correct") {
        fb.values.clone()
    } else {
        [
            ("violation_type", code_of_type(now.violation_type_id)),
            ("force", code_of_force(now.force_id)),
            ("unit", now.unit_description.clone()),
            ("identifiers", now.identifiers_seen.clone()),
            ("involvement", now.involvement.clone()),
            ("confidence", now.confidence.clone()),
            ("victim_count", now.victim_count.map(|n| n.to_string()).unwrap_or_default()),
            ("children", if now.children_involved { "true".into() } else { String::new() }),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    };
    let (types, forces) = super::event_pages::choices(tax, &lang);
    let recorded = serde_json::json!({
        "violation": tax.violation_type_by_id(now.violation_type_id).map(|(_, t)| t.label(&lang).to_string()),
        "force": tax.force_by_id(now.force_id).map(|f| f.label(&lang).to_string()),
        "unit": unit.as_ref().map(|u| u.0.clone()),
        "unit_force": unit.map(|u| code_of_force(u.1)),
    });
    Ok(Template::render(
        "triage/allegation",
        context! {
            page: page.0, id, event_id: a.event_id, recorded, values, types, forces,
            involvements: INVOLVEMENTS, confidences: CONFIDENCES, seen: drawn.unwrap_or_else(|| seen(&now)),
            finding: a.disposition_id.is_some(), fb,
        },
    ))
}

/// `GET /staff/allegations/<id>/correct`.
#[rocket::get("/staff/allegations/<id>/correct")]
async fn correct_page(
    page: Page,
    auth: Auth<'_>,
    _officer: IntakeOfficer<'_>,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
) -> Result<Template, AppError> {
    render(page, &auth, tax, id, Feedback::default(), None).await
}

/// `POST /staff/allegations/<id>/correct`: the corrected fields and why. Refused with the form
/// as typed: a field not understood, no reason, a finding already recorded, or a correction by
/// someone else since the page was drawn.
#[rocket::post("/staff/allegations/<id>/correct", data = "<form>")]
async fn correct_save(
    page: Page,
    auth: Auth<'_>,
    officer: IntakeOfficer<'_>,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
    form: Checked<AllegationForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>, AppError> {
    let lang = page.0.lang.clone();
    let reason = form.reason.clone().unwrap_or_default().trim().to_string();
    let read = form.read(tax);
    let mut errors = read.clone().err().unwrap_or_default();
    if reason.is_empty() {
        errors.push(("reason", "triage-err-correct-reason"));
    }
    let fields = match read {
        Ok(fields) if errors.is_empty() => fields,
        _ => {
            let fb = refused_allegation(&auth, &lang, "correct", &errors, &form);
            // The fingerprint the form was drawn with, not the allegation's now: a correction
            // made meanwhile is still caught when this one is sent again.
            let t = super::routes::refused_page(render(page, &auth, tax, id, fb, form.seen.clone()).await)?;
            return Ok(Either::Right((Status::UnprocessableEntity, t)));
        }
    };
    let shown = form.seen.clone().unwrap_or_default();
    let tax2 = Arc::clone(tax);
    let done = officer
        .0
        .write_all(move |c| {
            let a = model::find_allegation(c, id)?;
            // The order of routing and of every case worker's write: the event's row first (a
            // finding takes it too), then the lists (a unit's force does not move under the tie).
            crate::reports::model::lock_event(c, a.event_id)?;
            crate::training::model::lock_lists(c)?;
            let a = model::find_allegation(c, id)?;
            let before = AllegationFields::of(&a);
            if a.disposition_id.is_some() || seen(&before) != shown {
                return Err(AppError::Moved);
            }
            let said = changes(&tax2, &before, &fields);
            if said.is_empty() {
                return Ok(((a.event_id, None), vec![]));
            }
            let untie = model::tied_unit(c, id)?.is_some_and(|u| u.1 != fields.force_id);
            if model::correct_allegation(c, id, &fields, untie)? == 0 {
                return Err(AppError::Moved);
            }
            let mut details = said.join("; ");
            if untie {
                details.push_str("; unit untied");
            }
            let details = crate::audit::with_typed(&details, &reason);
            let entry = Audit::new("allegation.correct", "allegation", id, details);
            Ok(((a.event_id, Some(untie)), vec![entry]))
        })
        .await;
    let (event_id, untied) = match done {
        Err(AppError::Moved) => {
            let message = auth.catalog.message(&lang, "triage-err-correct-moved", None);
            let mut fb = refused_allegation(&auth, &lang, "correct", &[], &form);
            fb.notice = Some(message);
            fb.alert = true;
            let t = render(page, &auth, tax, id, fb, None).await?;
            return Ok(Either::Right((Status::Conflict, t)));
        }
        other => other?,
    };
    let said = match untied {
        None => format!("triage-done-unchanged|{id}"),
        Some(true) => format!("triage-done-corrected-untied|{id}"),
        Some(false) => format!("triage-done-corrected|{id}"),
    };
    Ok(Either::Left(Flash::success(Redirect::to(format!("/staff/events/{event_id}")), said)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::{Entry, Group};

    fn tax() -> Taxonomy {
        Taxonomy {
            groups: vec![Group {
                entry: Entry::new(1, "vg", "integrity"),
                icon: "integrity".into(),
                types: vec![
                    Entry::new(10, "vt", "integrity.torture"),
                    Entry::new(11, "vt", "integrity.beating"),
                ],
            }],
            forces: vec![Entry::new(1, "force", "police"), Entry::new(2, "force", "gendarmerie")],
            ..Default::default()
        }
    }

    fn fields(tax: &Taxonomy) -> AllegationFields {
        AllegationFields {
            violation_type_id: tax.violation_type("integrity.beating").unwrap().1.id,
            force_id: tax.force("police").unwrap().id,
            unit_description: "GMS".into(),
            identifiers_seen: "Sergent K.".into(),
            involvement: "carried_out".into(),
            confidence: "probable".into(),
            victim_count: Some(2),
            children_involved: false,
        }
    }

    #[test]
    fn a_correction_names_each_change_and_no_free_text() {
        let tax = tax();
        let before = fields(&tax);
        assert!(changes(&tax, &before, &before).is_empty(), "nothing changed, nothing said");
        let mut after = before.clone();
        after.force_id = tax.force("gendarmerie").unwrap().id;
        after.victim_count = None;
        after.identifiers_seen = "Adjudant D.".into();
        after.children_involved = true;
        let said = changes(&tax, &before, &after);
        assert_eq!(
            said,
            vec![
                "force police → gendarmerie",
                "victims 2 → unknown",
                "children false → true",
                "identifiers changed"
            ]
        );
        assert!(!said.join(" ").contains("Adjudant") && !said.join(" ").contains("Sergent"));
    }

    #[test]
    fn the_fingerprint_moves_with_any_field() {
        let tax = tax();
        let a = fields(&tax);
        let mut b = a.clone();
        assert_eq!(seen(&a), seen(&b));
        b.unit_description.push('.');
        assert_ne!(seen(&a), seen(&b));
        let mut b = a.clone();
        b.confidence = "confirmed".into();
        assert_ne!(seen(&a), seen(&b));
    }
}
