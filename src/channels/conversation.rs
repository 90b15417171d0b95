//! The questions a reporter answers on a basic phone, the same by USSD and by SMS: language,
//! report or follow-up, what happened (group, then type), when, where (region and cercle, or a
//! place name matched against the gazetteer), which force, a short description, replies by
//! SMS or not, confirm. One machine: [`advance`] applies one answer to the [`Answers`] so far,
//! [`screen`] words the next question. USSD keeps nothing: [`ussd`] replays the session's whole
//! `text` through the machine at each callback; SMS stores the `Answers` between messages
//! ([`sms`]). Free of web and database types.
//!
//! Every screen fits [`SCREEN_MAX`] characters (USSD shows about 182): long lists are cut into
//! pages, `98` shows the next one.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::reports::submit::{RawLocation, RawReport, NARRATIVE_MIN};

/// The longest screen (characters, before `CON `/`END `), for USSD's ~182.
pub const SCREEN_MAX: usize = 160;
/// The answer that shows the next page of a list.
pub const NEXT_PAGE: &str = "98";
/// The languages offered, in the order of the first screen.
pub const LANGS: [&str; 2] = ["fr", "bm"];
/// The longest description kept from a phone (a few SMS).
pub const DESCRIPTION_MAX: usize = 1000;
/// Places offered for a typed name.
pub const PLACES_SHOWN: usize = 5;

/// A choice in a list: its code and its label in the reporter's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub code: String,
    pub label: String,
}

impl Item {
    pub fn new(code: impl Into<String>, label: impl Into<String>) -> Item {
        Item { code: code.into(), label: label.into() }
    }
}

/// What the machine needs of the world, in the reporter's language: the words (`ch-*` keys of
/// `locales/<lang>/channels.ftl`) and the lists.
pub trait Menus {
    fn text(&self, lang: &str, key: &str) -> String;
    fn groups(&self, lang: &str) -> Vec<Item>;
    fn types(&self, lang: &str, group: &str) -> Vec<Item>;
    fn forces(&self, lang: &str) -> Vec<Item>;
    fn regions(&self, lang: &str) -> Vec<Item>;
    fn cercles(&self, region: &str) -> Vec<Item>;
    /// Places whose name matches `query` (code: the place's id).
    fn places(&self, query: &str) -> Vec<Item>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    Report,
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WhereMode {
    List,
    Name,
}

/// The answers so far. Stored between SMS (as JSON, under the number's keyed hash); rebuilt
/// from the text at each USSD callback.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Answers {
    pub lang: Option<String>,
    pub task: Option<Task>,
    pub group: Option<String>,
    pub vtype: Option<String>,
    /// "A date" was chosen: the next answer is the date.
    pub asked_date: bool,
    pub occurred_on: Option<NaiveDate>,
    pub precision: Option<String>,
    pub where_mode: Option<WhereMode>,
    pub region: Option<String>,
    /// `Some("")`: the reporter does not know the cercle.
    pub cercle: Option<String>,
    pub place_query: Option<String>,
    pub place: Option<String>,
    pub force: Option<String>,
    /// `Some("")`: no description.
    pub narrative: Option<String>,
    pub keep_number: Option<bool>,
    /// The page of the list being shown.
    #[serde(default)]
    pub page: usize,
}

/// The question the answers call for next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Lang,
    Task,
    Receipt,
    Group,
    Type,
    When,
    Date,
    WhereMode,
    Region,
    Cercle,
    PlaceName,
    Place,
    Force,
    Narrative,
    KeepNumber,
    Confirm,
}

pub fn question(a: &Answers) -> Question {
    use Question as Q;
    if a.lang.is_none() {
        return Q::Lang;
    }
    match a.task {
        None => return Q::Task,
        Some(Task::Status) => return Q::Receipt,
        Some(Task::Report) => {}
    }
    if a.group.is_none() {
        Q::Group
    } else if a.vtype.is_none() {
        Q::Type
    } else if a.occurred_on.is_none() {
        if a.asked_date {
            Q::Date
        } else {
            Q::When
        }
    } else if a.region.is_none() && a.place.is_none() {
        match a.where_mode {
            None => Q::WhereMode,
            Some(WhereMode::List) => Q::Region,
            Some(WhereMode::Name) if a.place_query.is_none() => Q::PlaceName,
            Some(WhereMode::Name) => Q::Place,
        }
    } else if a.place.is_none() && a.cercle.is_none() {
        Q::Cercle
    } else if a.force.is_none() {
        Q::Force
    } else if a.narrative.is_none() {
        Q::Narrative
    } else if a.keep_number.is_none() {
        Q::KeepNumber
    } else {
        Q::Confirm
    }
}

/// What an answer finished.
#[derive(Debug, Clone, PartialEq)]
pub enum Done {
    /// Confirmed: file the report.
    File,
    /// Look up this receipt.
    Status(String),
    /// The reporter cancelled at the last screen.
    Cancel,
}

/// An answer that does not fit the question: the question is asked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

fn pick(input: &str, items: &[Item]) -> Option<String> {
    let n: usize = input.trim().parse().ok()?;
    items.get(n.checked_sub(1)?).map(|i| i.code.clone())
}

/// A date typed as `JJMMAAAA`, `JJ/MM/AAAA`, `JJ MM AAAA` or with a two-digit year.
pub fn parse_date(input: &str, today: NaiveDate) -> Option<NaiveDate> {
    let parts: Vec<&str> = input.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).collect();
    let (d, m, y) = match parts.as_slice() {
        [one] if one.len() == 8 => (&one[0..2], &one[2..4], &one[4..8]),
        [one] if one.len() == 6 => (&one[0..2], &one[2..4], &one[4..6]),
        [d, m, y] => (*d, *m, *y),
        _ => return None,
    };
    let (d, m, mut y): (u32, u32, i32) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    if y < 100 {
        y += 2000;
    }
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    (date <= today && date.year() >= 1960).then_some(date)
}

/// Applies one answer. `Ok(None)`: the next question follows; `Ok(Some(_))`: finished;
/// `Err(Invalid)`: the same question again (nothing changed).
pub fn advance(
    a: &mut Answers,
    input: &str,
    today: NaiveDate,
    menus: &dyn Menus,
) -> Result<Option<Done>, Invalid> {
    let input = input.trim();
    let q = question(a);
    let lang = a.lang.clone().unwrap_or_else(|| "fr".into());
    // The next page of a list.
    if input == NEXT_PAGE && list_of(q, a, &lang, menus).is_some() {
        a.page += 1;
        return Ok(None);
    }
    let yes_no = |input: &str| match input {
        "1" => Ok(true),
        "2" => Ok(false),
        _ => Err(Invalid),
    };
    let list = |items: Vec<Item>| pick(input, &items).ok_or(Invalid);
    match q {
        Question::Lang => {
            let n: usize = input.parse().map_err(|_| Invalid)?;
            a.lang = Some(LANGS.get(n.checked_sub(1).ok_or(Invalid)?).ok_or(Invalid)?.to_string());
        }
        Question::Task => a.task = Some(if yes_no(input)? { Task::Report } else { Task::Status }),
        Question::Receipt => {
            let digits: String = input.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < 8 {
                return Err(Invalid);
            }
            return Ok(Some(Done::Status(digits)));
        }
        Question::Group => a.group = Some(list(menus.groups(&lang))?),
        Question::Type => {
            let group = a.group.clone().unwrap_or_default();
            a.vtype = Some(list(menus.types(&lang, &group))?);
        }
        Question::When => {
            let (days, precision) = match input {
                "1" => (0, "exact"),
                "2" => (1, "exact"),
                "3" => (3, "approximate"),
                "4" => {
                    a.asked_date = true;
                    a.page = 0;
                    return Ok(None);
                }
                "5" => (0, "unknown"),
                _ => return Err(Invalid),
            };
            a.occurred_on = Some(today - chrono::Days::new(days));
            a.precision = Some(precision.into());
        }
        Question::Date => {
            a.occurred_on = Some(parse_date(input, today).ok_or(Invalid)?);
            a.precision = Some("exact".into());
        }
        Question::WhereMode => {
            a.where_mode = Some(if yes_no(input)? { WhereMode::List } else { WhereMode::Name })
        }
        Question::Region => a.region = Some(list(menus.regions(&lang))?),
        Question::Cercle => {
            if input == "0" {
                a.cercle = Some(String::new());
            } else {
                let region = a.region.clone().unwrap_or_default();
                a.cercle = Some(list(menus.cercles(&region))?);
            }
        }
        Question::PlaceName => {
            if input.chars().count() < 2 || input.chars().all(|c| c.is_ascii_digit()) {
                return Err(Invalid);
            }
            a.place_query = Some(input.chars().take(60).collect());
        }
        Question::Place => {
            if input == "0" {
                // Another name, or the region list.
                a.place_query = None;
                a.where_mode = None;
            } else {
                let query = a.place_query.clone().unwrap_or_default();
                let found: Vec<Item> = menus.places(&query).into_iter().take(PLACES_SHOWN).collect();
                a.place = Some(list(found)?);
            }
        }
        Question::Force => a.force = Some(list(menus.forces(&lang))?),
        Question::Narrative => {
            a.narrative =
                Some(if input == "0" { String::new() } else { input.chars().take(DESCRIPTION_MAX).collect() })
        }
        Question::KeepNumber => a.keep_number = Some(yes_no(input)?),
        Question::Confirm => {
            a.page = 0;
            return Ok(Some(if yes_no(input)? { Done::File } else { Done::Cancel }));
        }
    }
    a.page = 0;
    Ok(None)
}

/// The list a question chooses from, with its title key.
fn list_of(q: Question, a: &Answers, lang: &str, menus: &dyn Menus) -> Option<(&'static str, Vec<Item>)> {
    Some(match q {
        Question::Group => ("ch-group", menus.groups(lang)),
        Question::Type => ("ch-type", menus.types(lang, a.group.as_deref().unwrap_or_default())),
        Question::Region => ("ch-region", menus.regions(lang)),
        Question::Cercle => ("ch-cercle", menus.cercles(a.region.as_deref().unwrap_or_default())),
        Question::Place => (
            "ch-place",
            menus
                .places(a.place_query.as_deref().unwrap_or_default())
                .into_iter()
                .take(PLACES_SHOWN)
                .collect(),
        ),
        Question::Force => ("ch-force", menus.forces(lang)),
        _ => return None,
    })
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('.');
    out
}

/// One page of a numbered list under `title`, ending with `tail` lines (always shown) and the
/// next-page line when more follow; the items are numbered from 1 across pages. Pages are cut
/// so that the whole fits `max` characters.
fn paged(title: &str, items: &[Item], tail: &[String], more: &str, page: usize, max: usize) -> String {
    let fixed = |lines: &[String]| lines.iter().map(|l| l.chars().count() + 1).sum::<usize>();
    let more_line = format!("{NEXT_PAGE} {more}");
    let base = title.chars().count() + fixed(tail);
    // Cut the list into pages.
    let mut pages: Vec<(usize, usize)> = vec![];
    let mut start = 0;
    while start < items.len() {
        let mut used = base + more_line.chars().count() + 1;
        let mut end = start;
        while end < items.len() {
            let line = format!("{} {}", end + 1, items[end].label);
            let len = line.chars().count() + 1;
            if used + len > max && end > start {
                break;
            }
            used += len;
            end += 1;
        }
        // Whole remainder fits without the next-page line?
        pages.push((start, end));
        start = end;
    }
    // The last page needs no next-page line: merge when the remainder fits.
    if pages.len() >= 2 {
        let (s, _) = pages[pages.len() - 2];
        let lines: usize = items[s..]
            .iter()
            .enumerate()
            .map(|(i, it)| format!("{} {}", s + i + 1, it.label).chars().count() + 1)
            .sum();
        if base + lines <= max {
            pages.truncate(pages.len() - 2);
            pages.push((s, items.len()));
        }
    }
    let page = if pages.is_empty() { 0 } else { page % pages.len() };
    let mut out = title.to_string();
    if let Some(&(s, e)) = pages.get(page) {
        let room = max.saturating_sub(base + more_line.chars().count() + 1 + (e - s) * 4);
        let per = room / (e - s).max(1);
        for (i, it) in items[s..e].iter().enumerate() {
            out.push('\n');
            out.push_str(&format!("{} {}", s + i + 1, cut(&it.label, per.max(8))));
        }
    }
    for t in tail {
        out.push('\n');
        out.push_str(t);
    }
    if pages.len() > 1 {
        out.push('\n');
        out.push_str(&more_line);
    }
    out
}

/// The words of the next question (and, after an answer that did not fit, a line saying so).
pub fn screen(a: &Answers, invalid: bool, menus: &dyn Menus, today: NaiveDate) -> String {
    let lang = a.lang.clone().unwrap_or_else(|| "fr".into());
    let t = |k: &str| menus.text(&lang, k);
    let q = question(a);
    let mut out = String::new();
    if invalid {
        out.push_str(&t("ch-invalid"));
        out.push('\n');
    }
    let max = SCREEN_MAX.saturating_sub(out.chars().count());
    let opts = |title: &str, keys: &[&str]| {
        let mut s = title.to_string();
        for (i, k) in keys.iter().enumerate() {
            s.push_str(&format!("\n{} {}", i + 1, t(k)));
        }
        s
    };
    let body = match q {
        Question::Lang => format!("{}\n1 Français\n2 Bamanankan", menus.text("fr", "ch-lang")),
        Question::Task => opts(&t("ch-task"), &["ch-task-report", "ch-task-status"]),
        Question::Receipt => t("ch-receipt"),
        Question::When => opts(
            &t("ch-when"),
            &["ch-when-today", "ch-when-yesterday", "ch-when-week", "ch-when-date", "ch-when-unknown"],
        ),
        Question::Date => t("ch-date"),
        Question::WhereMode => opts(&t("ch-where"), &["ch-where-list", "ch-where-name"]),
        Question::PlaceName => t("ch-place-name"),
        Question::Narrative => t("ch-narrative"),
        Question::KeepNumber => opts(&t("ch-keep"), &["ch-yes", "ch-no"]),
        Question::Confirm => {
            let summary = summary(a, menus, today);
            let head = t("ch-confirm");
            let tail = format!("\n1 {}\n2 {}", t("ch-send"), t("ch-cancel"));
            let room = max.saturating_sub(head.chars().count() + tail.chars().count() + 1);
            format!("{head}\n{}{tail}", cut(&summary, room))
        }
        list_q => {
            let (title, items) = list_of(list_q, a, &lang, menus).unwrap_or(("ch-invalid", vec![]));
            let mut tail = vec![];
            match list_q {
                Question::Cercle => tail.push(format!("0 {}", t("ch-cercle-unknown"))),
                Question::Place => tail.push(format!("0 {}", t("ch-place-again"))),
                _ => {}
            }
            let title =
                if list_q == Question::Place && items.is_empty() { t("ch-place-none") } else { t(title) };
            paged(&title, &items, &tail, &t("ch-more"), a.page, max)
        }
    };
    out.push_str(&body);
    out
}

/// The answers in a line, for the confirmation screen.
fn summary(a: &Answers, menus: &dyn Menus, _today: NaiveDate) -> String {
    let lang = a.lang.clone().unwrap_or_else(|| "fr".into());
    let label = |items: Vec<Item>, code: &Option<String>| {
        code.as_ref()
            .and_then(|c| items.into_iter().find(|i| &i.code == c))
            .map(|i| i.label)
            .unwrap_or_default()
    };
    let what = label(menus.types(&lang, a.group.as_deref().unwrap_or_default()), &a.vtype);
    let when = match (a.occurred_on, a.precision.as_deref()) {
        (_, Some("unknown")) => menus.text(&lang, "ch-when-unknown"),
        (Some(d), _) => d.format("%d/%m/%Y").to_string(),
        _ => String::new(),
    };
    let place = match &a.place {
        Some(_) => label(menus.places(a.place_query.as_deref().unwrap_or_default()), &a.place),
        None => {
            let r = label(menus.regions(&lang), &a.region);
            let c = label(menus.cercles(a.region.as_deref().unwrap_or_default()), &a.cercle);
            if c.is_empty() {
                r
            } else {
                c
            }
        }
    };
    let force = label(menus.forces(&lang), &a.force);
    let short = |s: String| cut(&s, 34);
    format!("{}; {}; {}; {}", short(what), when, short(place), short(force))
}

/// The report the answers make, as typed; the intake checks it like any other. A description
/// shorter than the form's minimum is completed by `no_description` (the reporter's language).
pub fn raw_report(a: &Answers, no_description: &str) -> RawReport {
    let narrative = a.narrative.clone().unwrap_or_default();
    let narrative = if narrative.trim().chars().count() < NARRATIVE_MIN {
        format!("{no_description} {narrative}").trim().to_string()
    } else {
        narrative
    };
    let location = match &a.place {
        Some(id) => RawLocation::Place { id: id.clone() },
        None => RawLocation::Admin {
            region: a.region.clone().unwrap_or_default(),
            cercle: a.cercle.clone().unwrap_or_default(),
        },
    };
    RawReport {
        violations: a.vtype.iter().cloned().collect(),
        narrative,
        occurred_on: a.occurred_on.map(|d| d.to_string()).unwrap_or_default(),
        date_precision: a.precision.clone().unwrap_or_default(),
        location,
        force: a.force.clone().unwrap_or_default(),
        reporter_relation: "other".into(),
        ..RawReport::default()
    }
}

/// A USSD callback's answer, from the whole `text` of its session.
#[derive(Debug, Clone, PartialEq)]
pub enum Ussd {
    /// `CON …`: ask the next question.
    Ask(String),
    /// `END …`
    End(String),
    /// The answers are confirmed: file them, then `END` with the receipt.
    File(Box<Answers>),
    /// Look up a receipt, then `END` with the status.
    Status { lang: String, receipt: String },
}

/// Replays a USSD session's `text` (the answers joined by `*`) through the machine.
pub fn ussd(text: &str, today: NaiveDate, menus: &dyn Menus) -> Ussd {
    let mut a = Answers::default();
    let inputs: Vec<&str> = if text.trim().is_empty() { vec![] } else { text.split('*').collect() };
    let mut invalid = false;
    for (i, input) in inputs.iter().enumerate() {
        let last = i + 1 == inputs.len();
        match advance(&mut a, input, today, menus) {
            Ok(None) => invalid = false,
            Err(Invalid) => invalid = last,
            Ok(Some(done)) if last => {
                let lang = a.lang.clone().unwrap_or_else(|| "fr".into());
                return match done {
                    Done::File => Ussd::File(Box::new(a)),
                    Done::Status(receipt) => Ussd::Status { lang, receipt },
                    Done::Cancel => Ussd::End(menus.text(&lang, "ch-cancelled")),
                };
            }
            // Answers after the end of a session: the aggregator should have closed it.
            Ok(Some(_)) => {
                let lang = a.lang.clone().unwrap_or_else(|| "fr".into());
                return Ussd::End(menus.text(&lang, "ch-cancelled"));
            }
        }
    }
    Ussd::Ask(screen(&a, invalid, menus, today))
}

/// Text as it goes to a basic phone: Bambara's ɛ, ɔ and ɲ are written è, ò and ny (the popular
/// spelling, which the GSM 7-bit alphabet of SMS and USSD carries; many basic phones show ɛ or
/// ɔ as a box, and one such letter makes an SMS hold 70 characters instead of 160).
pub fn for_phone(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'ɛ' => out.push('è'),
            'Ɛ' => out.push('E'),
            'ɔ' => out.push('ò'),
            'Ɔ' => out.push('O'),
            'ɲ' => out.push_str("ny"),
            'Ɲ' => out.push_str("Ny"),
            'ŋ' => out.push_str("ng"),
            'Ŋ' => out.push_str("Ng"),
            '’' => out.push('\''),
            c => out.push(c),
        }
    }
    out
}

/// What an SMS does to a conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum Sms {
    /// Keep these answers and send this reply.
    Reply(Answers, String),
    /// File the report, reply with the receipt, forget the conversation.
    File(Answers),
    /// Look up a receipt, reply with the status, forget the conversation.
    Status { lang: String, receipt: String },
    /// Forget the conversation and send this reply (cancelled at the last question).
    End(String),
    /// STOP: forget the conversation; the reply confirms it.
    Stop(String),
}

/// The words that stop a conversation and erase it.
pub fn is_stop(message: &str) -> bool {
    let m = message.trim().to_uppercase();
    ["STOP", "ARRET", "ARRÊT", "FIN"].contains(&m.as_str())
}

/// One SMS in a conversation. Without a conversation, a long first message is a free report:
/// it is kept as the description and the questions follow for the rest.
pub fn sms(state: Option<Answers>, message: &str, today: NaiveDate, menus: &dyn Menus) -> Sms {
    let lang_of = |a: &Answers| a.lang.clone().unwrap_or_else(|| "fr".into());
    if is_stop(message) {
        let lang = state.as_ref().map(lang_of).unwrap_or_else(|| "fr".into());
        return Sms::Stop(menus.text(&lang, "ch-stopped"));
    }
    let Some(mut a) = state else {
        let mut a = Answers::default();
        let m = message.trim();
        if m.chars().count() >= 20 && !m.chars().all(|c| c.is_ascii_digit() || c.is_whitespace()) {
            a.narrative = Some(m.chars().take(DESCRIPTION_MAX).collect());
            a.task = Some(Task::Report);
        }
        let s = screen(&a, false, menus, today);
        return Sms::Reply(a, s);
    };
    match advance(&mut a, message, today, menus) {
        Ok(None) => {
            let s = screen(&a, false, menus, today);
            Sms::Reply(a, s)
        }
        Err(Invalid) => {
            let s = screen(&a, true, menus, today);
            Sms::Reply(a, s)
        }
        Ok(Some(Done::File)) => Sms::File(a),
        Ok(Some(Done::Status(receipt))) => Sms::Status { lang: lang_of(&a), receipt },
        Ok(Some(Done::Cancel)) => Sms::End(menus.text(&lang_of(&a), "ch-cancelled")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists shaped like the real ones: twelve groups, long type labels, eleven forces.
    struct Fake;
    impl Menus for Fake {
        fn text(&self, lang: &str, key: &str) -> String {
            format!("{lang}:{key}")
        }
        fn groups(&self, _: &str) -> Vec<Item> {
            (1..=12).map(|i| Item::new(format!("g{i}"), format!("Groupe numéro {i}"))).collect()
        }
        fn types(&self, _: &str, g: &str) -> Vec<Item> {
            (1..=6)
                .map(|i| Item::new(format!("{g}t{i}"), format!("Un type de fait assez long à lire n° {i}")))
                .collect()
        }
        fn forces(&self, _: &str) -> Vec<Item> {
            (1..=11).map(|i| Item::new(format!("f{i}"), format!("Force {i}"))).collect()
        }
        fn regions(&self, _: &str) -> Vec<Item> {
            (1..=9).map(|i| Item::new(format!("r{i}"), format!("Région {i}"))).collect()
        }
        fn cercles(&self, r: &str) -> Vec<Item> {
            (1..=8).map(|i| Item::new(format!("{r}c{i}"), format!("Cercle {i}"))).collect()
        }
        fn places(&self, q: &str) -> Vec<Item> {
            if q == "nowhere" {
                return vec![];
            }
            (1..=7).map(|i| Item::new(format!("{i}00"), format!("{q} {i}"))).collect()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    #[test]
    fn a_whole_ussd_session_is_replayed_from_its_text() {
        let m = Fake;
        assert!(matches!(ussd("", today(), &m), Ussd::Ask(s) if s.contains("1 Français")));
        // fr, report, group 2, type 3, yesterday, region list, region 4, cercle 2, force 5,
        // a description, keep the number, confirm.
        let text = "1*1*2*3*2*1*4*2*5*Ils ont frappé mon voisin*1*1";
        let Ussd::File(a) = ussd(text, today(), &m) else { panic!("{:?}", ussd(text, today(), &m)) };
        assert_eq!(a.vtype.as_deref(), Some("g2t3"));
        assert_eq!(a.occurred_on, NaiveDate::from_ymd_opt(2026, 11, 29));
        assert_eq!((a.region.as_deref(), a.cercle.as_deref()), (Some("r4"), Some("r4c2")));
        assert_eq!(a.force.as_deref(), Some("f5"));
        assert_eq!(a.keep_number, Some(true));
        let raw = raw_report(&a, "x");
        assert_eq!(raw.narrative, "Ils ont frappé mon voisin");
        assert_eq!(raw.location, RawLocation::Admin { region: "r4".into(), cercle: "r4c2".into() });
        // The last screen before confirming.
        let Ussd::Ask(s) = ussd("1*1*2*3*2*1*4*2*5*0*2", today(), &m) else { panic!() };
        assert!(s.starts_with("fr:ch-confirm"), "{s}");
        assert_eq!(ussd("1*1*2*3*2*1*4*2*5*0*2*2", today(), &m), Ussd::End("fr:ch-cancelled".into()));
    }

    #[test]
    fn a_wrong_answer_asks_again_and_a_later_right_one_goes_on() {
        let m = Fake;
        let Ussd::Ask(s) = ussd("2*7", today(), &m) else { panic!() };
        assert!(s.starts_with("bm:ch-invalid\nbm:ch-task"), "{s}");
        let Ussd::Ask(s) = ussd("2*7*1", today(), &m) else { panic!() };
        assert!(s.starts_with("bm:ch-group"), "{s}");
    }

    #[test]
    fn long_lists_are_paged_and_numbers_hold_across_pages() {
        let m = Fake;
        let Ussd::Ask(first) = ussd("1*1", today(), &m) else { panic!() };
        assert!(first.contains("\n98 fr:ch-more"), "{first}");
        assert!(!first.contains("\n12 "), "{first}");
        let Ussd::Ask(second) = ussd("1*1*98", today(), &m) else { panic!() };
        assert!(second.contains("12 Groupe numéro 12"), "{second}");
        // The twelfth group may be picked from any page.
        let Ussd::Ask(s) = ussd("1*1*12", today(), &m) else { panic!() };
        assert!(s.starts_with("fr:ch-type"), "{s}");
        // Past the last page, the first again.
        let pages = (1..10)
            .find(|n| ussd(&format!("1*1{}", "*98".repeat(*n)), today(), &m) == ussd("1*1", today(), &m));
        assert!(pages.is_some());
    }

    #[test]
    fn every_screen_fits_a_ussd_screen() {
        let m = Fake;
        let mut texts = vec![String::new()];
        for path in [
            "1*1*2*3*2*1*4*2*5*0*1",
            "2*1*12*6*4*31122025*2*kati*3*11*0*2",
            "1*1*1*1*5*2*nowhere",
            "1*2",
            "1*1*1*1*4",
        ] {
            let parts: Vec<&str> = path.split('*').collect();
            for n in 1..=parts.len() {
                texts.push(parts[..n].join("*"));
                texts.push(format!("{}*98", parts[..n].join("*")));
                texts.push(format!("{}*77", parts[..n].join("*")));
            }
        }
        for t in texts {
            if let Ussd::Ask(s) = ussd(&t, today(), &m) {
                assert!(s.chars().count() <= SCREEN_MAX, "{t}: {} chars\n{s}", s.chars().count());
            }
        }
    }

    #[test]
    fn bambara_goes_to_phones_in_the_popular_spelling() {
        assert_eq!(for_phone("Mun kɛra? Ɔwɔ, ɲɛfɔli"), "Mun kèra? Owò, nyèfòli");
    }

    #[test]
    fn dates_by_keypad_and_places_by_name() {
        assert_eq!(parse_date("03112026", today()), NaiveDate::from_ymd_opt(2026, 11, 3));
        assert_eq!(parse_date("3/11/26", today()), NaiveDate::from_ymd_opt(2026, 11, 3));
        assert_eq!(parse_date("01122026", today()), None, "in the future");
        assert_eq!(parse_date("31022026", today()), None);
        let m = Fake;
        let Ussd::File(a) = ussd("1*1*1*1*4*03112026*2*Kati*2*1*0*2*1", today(), &m) else { panic!() };
        assert_eq!(a.place.as_deref(), Some("200"));
        assert_eq!(raw_report(&a, "Sans description.").narrative, "Sans description.");
        assert_eq!(raw_report(&a, "x").location, RawLocation::Place { id: "200".into() });
        // No place found: 0 goes back to the choice between the lists and a name.
        let Ussd::Ask(s) = ussd("1*1*1*1*1*2*nowhere", today(), &m) else { panic!() };
        assert!(s.starts_with("fr:ch-place-none"), "{s}");
        let Ussd::Ask(s) = ussd("1*1*1*1*1*2*nowhere*0", today(), &m) else { panic!() };
        assert!(s.starts_with("fr:ch-where"), "{s}");
    }

    #[test]
    fn an_sms_conversation_keeps_a_free_first_message_and_stops_on_stop() {
        let m = Fake;
        let Sms::Reply(a, s) = sms(None, "Des hommes en uniforme ont pris le bétail hier", today(), &m)
        else {
            panic!()
        };
        assert!(s.contains("1 Français"));
        assert_eq!(a.task, Some(Task::Report));
        let mut state = a;
        for answer in ["2", "6", "1", "2", "1", "3", "1", "9", "2"] {
            match sms(Some(state), answer, today(), &m) {
                Sms::Reply(a, _) => state = a,
                other => panic!("{answer}: {other:?}"),
            }
        }
        // No description asked: the first message is it.
        assert_eq!(question(&state), Question::Confirm);
        let Sms::File(a) = sms(Some(state.clone()), "1", today(), &m) else { panic!() };
        assert_eq!(a.narrative.as_deref(), Some("Des hommes en uniforme ont pris le bétail hier"));
        assert_eq!(sms(Some(state), "stop", today(), &m), Sms::Stop("bm:ch-stopped".into()));
        // A short first message starts the questions from the language.
        let Sms::Reply(a, _) = sms(None, "Bonjour", today(), &m) else { panic!() };
        assert_eq!(a, Answers::default());
    }
}
