//! What the case page shows, typed: each struct is what the page may put in front of its
//! reader (a case worker of the institution, or an auditor), labels already in the reader's
//! language. The reporter's identity is `events::views::Identity`, present only for the case's
//! institution; nothing here carries a field the page does not show.

use serde::Serialize;

use crate::events::views::{FileView, Identity, MessageView};

/// The case itself: its step, deadlines and outcome.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub id: i32,
    pub status: String,
    pub status_label: String,
    pub assignee: Option<i32>,
    pub opened_at: String,
    pub acknowledge_by: Option<String>,
    pub triage_by: Option<String>,
    pub response_due_on: Option<String>,
    pub recommended_outcome: Option<String>,
    pub authority_response: Option<String>,
    pub final_outcome: Option<String>,
    pub disciplined: Option<bool>,
    pub close_reason: Option<String>,
    pub institution: Option<String>,
}

/// The event the case is about: the place as names (cercle, region), and the exact point for
/// the page's map.
#[derive(Debug, Clone, Serialize)]
pub struct CaseEventView {
    pub title: String,
    pub occurred_on: String,
    pub summary: String,
    pub r#where: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// One of the case's allegations, with its finding if recorded.
#[derive(Debug, Clone, Serialize)]
pub struct AllegationView {
    pub id: i32,
    pub violation: Option<String>,
    pub force: Option<String>,
    pub unit: String,
    pub involvement: String,
    pub confidence: String,
    pub victims: Option<i32>,
    /// Why it was routed here, in the reader's language.
    pub reason: String,
    pub disposition_code: String,
    pub disposition: Option<String>,
    pub standard: Option<String>,
    pub reasoning: Option<String>,
}

/// A report of the case's event, with its files and the case's thread with the reporter.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReportView {
    pub id: i32,
    pub submitted_on: String,
    pub narrative: String,
    /// The reporter's identity: the case's institution only (None for an auditor).
    pub identity: Option<Identity>,
    /// An identity was given and is withheld from this reader.
    pub identity_withheld: bool,
    pub relation: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub victims: Option<i32>,
    pub children: bool,
    pub files: Vec<FileView>,
    pub messages: Vec<MessageView>,
    /// The reporter's messages this reader had not seen before this view.
    pub unread: usize,
    /// How the report came: `web`, `api`, `monitor`, `sms`, `ussd` (its label).
    pub channel: String,
    /// The reporter said yes to replies by SMS: a message to them leaves as an SMS.
    pub sms_reply: bool,
    /// Why the protected fields are not shown, when this reader cannot open them (a message
    /// key, `events::views::sealed_note`).
    pub sealed_note: Option<&'static str>,
}

/// A deadline that applies to the case.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    pub kind: String,
    pub on: String,
    pub threshold: &'static str,
    pub label: String,
}

/// A line of the case's history: a step, an assignment or the opening.
#[derive(Debug, Clone, Serialize)]
pub struct TransitionView {
    pub what: String,
    pub who: Option<String>,
    pub why: String,
    pub at: String,
}

/// A staff note on the case.
#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    pub who: String,
    pub body: String,
    pub at: String,
}

/// A planned investigative action.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub id: i32,
    pub description: String,
    pub due_on: Option<String>,
    pub done: bool,
    pub late: bool,
}

/// A recommendation sent, and the authority's response if recorded.
#[derive(Debug, Clone, Serialize)]
pub struct RecommendationView {
    pub id: i32,
    pub addressee: String,
    pub content: String,
    pub due_on: Option<String>,
    pub response: Option<String>,
}
