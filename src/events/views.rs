//! What the staff report page shows, typed by who reads it: the type says what a role may see.
//! The reporter's identity and contact (and the person a monitor filed for) are the case's
//! institution's only (DOMAIN.md, reporter safety): an intake officer or an auditor gets a
//! `ReportView` whose `identity` is `None`, and only learns that one was given.

use serde::Serialize;

use super::model::{AttachmentMeta, Scope, StaffMessage, StaffReport};

/// Who the reporter is and how to reach them: built only for a case worker of an institution
/// that holds a case on the report (`Scope::Institution`, which `find_report` has checked).
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub name: Option<String>,
    pub contact: Option<String>,
    pub on_behalf_of: Option<String>,
}

impl Identity {
    /// The identity a reader of `scope` may see, or None.
    pub fn for_reader(r: &StaffReport, scope: Scope) -> Option<Identity> {
        match scope {
            Scope::Institution(_) => Some(Identity {
                name: r.reporter_name.clone(),
                contact: r.reporter_contact.clone(),
                on_behalf_of: r.on_behalf_of.clone(),
            }),
            Scope::All => None,
        }
    }

    /// Whether the reporter gave one that a reader of `scope` may not see.
    pub fn withheld(r: &StaffReport, scope: Scope) -> bool {
        !matches!(scope, Scope::Institution(_)) && Identity::given(r)
    }

    /// Whether the reporter gave any of it.
    fn given(r: &StaffReport) -> bool {
        [&r.reporter_name, &r.reporter_contact, &r.on_behalf_of]
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
    }
}

/// A report as the staff report page shows it, labels already in the reader's language.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub id: i32,
    pub status: String,
    pub channel: String,
    pub submitted_on: String,
    pub narrative: String,
    pub occurred_on: String,
    pub date_precision: String,
    pub occurred_time: Option<String>,
    pub force: Option<String>,
    pub unit: String,
    pub uniform: String,
    pub insignia: String,
    pub vehicle: String,
    pub victim_count: Option<i32>,
    pub children: bool,
    pub victim_details: String,
    pub relation: String,
    /// The reporter's identity, for the case's institution only.
    pub identity: Option<Identity>,
    /// An identity was given and is withheld from this reader.
    pub identity_withheld: bool,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub place: Option<String>,
    pub r#where: String,
    pub method: String,
    pub consent: bool,
    pub event_id: Option<i32>,
    pub admissibility: String,
    pub admissibility_reason: Option<String>,
    pub violations: Vec<String>,
    /// Why the protected fields are not shown (a message key), when they are sealed and this
    /// reader cannot open them: see [`sealed_note`].
    pub sealed_note: Option<&'static str>,
}

/// The message that takes the place of a report's protected fields the reader cannot open.
pub fn sealed_note(opened: &crate::keyring::Opened) -> Option<&'static str> {
    match opened {
        crate::keyring::Opened::NoKey => Some("report-sealed-nokey"),
        crate::keyring::Opened::Refused => Some("report-sealed-refused"),
        _ => None,
    }
}

/// The labels of a report's codes, in the reader's language (looked up by the caller).
pub struct Labels {
    pub force: Option<String>,
    pub place: Option<String>,
    pub r#where: String,
    pub violations: Vec<String>,
}

impl ReportView {
    pub fn new(r: StaffReport, scope: Scope, labels: Labels) -> ReportView {
        let identity = Identity::for_reader(&r, scope);
        let identity_withheld = Identity::withheld(&r, scope);
        ReportView {
            id: r.id,
            status: r.status,
            channel: r.channel,
            submitted_on: r.submitted_on.to_string(),
            narrative: r.narrative,
            occurred_on: r.occurred_on.to_string(),
            date_precision: r.date_precision,
            occurred_time: r.occurred_time,
            force: labels.force,
            unit: r.unit_description,
            uniform: r.uniform_seen,
            insignia: r.insignia_seen,
            vehicle: r.vehicle_seen,
            victim_count: r.victim_count,
            children: r.children_involved,
            victim_details: r.victim_details,
            relation: r.reporter_relation,
            identity,
            identity_withheld,
            lat: r.lat,
            lon: r.lon,
            place: labels.place,
            r#where: labels.r#where,
            method: r.location_method,
            consent: r.consent_obtained,
            event_id: r.event_id,
            admissibility: r.admissibility,
            admissibility_reason: r.admissibility_reason,
            violations: labels.violations,
            sealed_note: None,
        }
    }
}

/// An evidence file as the staff pages list it (never its content or original name).
#[derive(Debug, Clone, Serialize)]
pub struct FileView {
    pub id: i32,
    pub kind: String,
    pub r#type: String,
    pub size: i32,
    pub size_text: String,
    pub sha256: String,
    pub on: String,
    pub safe: bool,
    pub warning: Option<String>,
    /// `evidence`, or `narrative` (the report told by voice).
    pub purpose: String,
    pub transcription: Option<String>,
    pub translation: Option<String>,
    /// "name, date" of the last transcription.
    pub transcribed: Option<String>,
}

impl FileView {
    /// `size_text` is the size in the reader's language (`i18n::size_text`).
    pub fn new(f: AttachmentMeta, size_text: String) -> FileView {
        FileView {
            id: f.id,
            kind: f.kind,
            r#type: f.content_type,
            size: f.size_bytes,
            size_text,
            sha256: f.sha256,
            on: f.uploaded_on.to_string(),
            safe: f.safe,
            warning: f.warning,
            purpose: f.purpose,
            transcription: f.transcription,
            translation: f.translation,
            transcribed: f
                .transcribed_at
                .map(|at| format!("{}, {}", f.transcriber.unwrap_or_default(), at.format("%Y-%m-%d %H:%M"))),
        }
    }
}

/// A message of a reporter's thread as staff read it: who wrote it in the reader's language
/// ("the reporter", or the staff member's name and institution), and whether it is a reporter's
/// message this reader had not seen before this view.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub author: String,
    pub body: String,
    pub on: String,
    pub institution: Option<String>,
    pub who: String,
    pub new: bool,
    /// A voice message: the attachment to play.
    pub voice: Option<i32>,
}

impl MessageView {
    /// `institution` is the label of the message's institution (None: the intake desk's or the
    /// reporter's); `reporter` and `intake` are the reader's words for them; `seen` is the last
    /// message id this reader had seen.
    pub fn new(
        m: StaffMessage,
        institution: Option<String>,
        reporter: &str,
        intake: &str,
        seen: i32,
    ) -> MessageView {
        let (id, author, body, on, _, name, voice) = m;
        let who = if author == "reporter" {
            reporter.to_string()
        } else {
            let inst = institution.clone().unwrap_or_else(|| intake.to_string());
            match name {
                Some(name) => format!("{name} · {inst}"),
                None => inst,
            }
        };
        let new = author == "reporter" && id > seen;
        MessageView { author, body, on: on.to_string(), institution, who, new, voice }
    }
}

/// An event as the event page shows it to intake officers and auditors: the place as names
/// (cercle, region), never a point.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub id: i32,
    pub title: String,
    pub occurred_on: String,
    pub summary: String,
    pub r#where: String,
    pub prior_approach: bool,
    pub court_pending: bool,
}

/// A report of the event, as a link: no narrative and no identity on the event page.
#[derive(Debug, Clone, Serialize)]
pub struct EventReportView {
    pub id: i32,
    pub submitted_on: String,
    pub channel: String,
}

/// An allegation on the event page, with where it was routed and why.
#[derive(Debug, Clone, Serialize)]
pub struct EventAllegationView {
    pub id: i32,
    pub violation: Option<String>,
    pub force: Option<String>,
    pub unit: String,
    /// Codes: the template labels them.
    pub involvement: String,
    pub confidence: String,
    pub victims: Option<i32>,
    pub children: bool,
    pub destination: Option<String>,
    pub reason: String,
    pub r#override: Option<String>,
    pub case_id: Option<i32>,
    /// No finding yet: an intake officer may still correct it.
    pub correctable: bool,
    /// The institution the routing rules would choose today, when it is not the current one.
    pub rules_now: Option<String>,
}

/// A case opened on the event.
#[derive(Debug, Clone, Serialize)]
pub struct EventCaseView {
    pub id: i32,
    pub institution: String,
    pub status: String,
}
