//! Issue 17: Bambara on the public side, a new language as a folder with no code change, and a
//! report told by voice that staff listen to and transcribe.

use diesel::prelude::*;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;
use vigie::schema::{attachments, audit_log, reports};

/// Words of a page that look like a message key (`report-title`, `vt-life-…`): what the page
/// shows when a key is missing in its language and in French.
fn raw_keys(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    let mut in_script = false;
    for (i, ch) in html.char_indices() {
        if html[i..].starts_with("<script") || html[i..].starts_with("<style") {
            in_script = true;
        }
        if html[i..].starts_with("</script") || html[i..].starts_with("</style") {
            in_script = false;
        }
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag && !in_script => text.push(ch),
            _ => {}
        }
    }
    // Attribute texts people read or hear.
    for attr in ["aria-label=\"", "alt=\"", "data-none=\"", "data-leave=\"", "data-say=\"", "title=\""] {
        for part in html.split(attr).skip(1) {
            text.push(' ');
            text.push_str(part.split('"').next().unwrap_or(""));
        }
    }
    let (keys, prefixes) = template_keys();
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| ",.;:()«»".contains(c)))
        .filter(|w| {
            keys.contains(*w) || prefixes.iter().any(|p| w.starts_with(p.as_str()) && !w.contains(' '))
        })
        .map(String::from)
        .collect()
}

/// The keys the templates name (`t(key="…")`), and the prefixes of the keys they build
/// (`t(key="evidence-kind-" ~ f.kind)`): a word of a page equal to one is a raw key.
fn template_keys() -> (std::collections::BTreeSet<String>, Vec<String>) {
    let (mut keys, mut prefixes) = (std::collections::BTreeSet::new(), vec![]);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
                continue;
            }
            let t = std::fs::read_to_string(e.path()).unwrap();
            for part in t.split("key=\"").skip(1) {
                let Some((k, rest)) = part.split_once('"') else { continue };
                if rest.trim_start().starts_with('~') {
                    prefixes.push(k.to_string());
                } else {
                    keys.insert(k.to_string());
                }
            }
        }
    }
    (keys, prefixes)
}

fn voice_form(csrf: &str, when: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_string()),
        ("violations", "liberty.arbitrary_arrest".into()),
        ("narrative", String::new()),
        ("when", when.into()),
        ("loc", "admin".into()),
        ("admin", "ML-4|ML.SG.SG".into()),
        ("force", "gendarmerie".into()),
        ("action", "submit".into()),
    ]
}

/// A tiny Ogg stream head: what content sniffing recognises as a sound.
const OGG: &[u8] = b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00";

fn post(client: &Client, fields: &[(&str, String)], files: &[(&str, &str, &[u8])]) -> (Status, String) {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (ct, body) = multipart(&f, files);
    let r = client.post("/reports").header(ct).body(body).dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

#[test]
fn every_public_page_renders_in_bambara_with_no_raw_message_key() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| f.merge(("reports_per_hour", 1000)));
        let c = &app.client;
        assert_eq!(
            raw_keys("<p>report-title</p><b>evidence-kind-audio</b>"),
            ["report-title", "evidence-kind-audio"]
        );
        // Chosen by the visible link on the first screen, then kept for the visit.
        let first = c.get("/reports/new").dispatch().into_string().unwrap();
        assert!(first.contains(">Bamanankan<"), "a visible Bamanankan link");
        let mut pages = vec![];
        for path in ["/reports/new?lang=bm", "/receipt", "/about", "/stats", "/no-such-page"] {
            let r = c.get(path).dispatch();
            pages.push((path.to_string(), r.into_string().unwrap_or_default()));
        }
        // The form refused (nothing chosen), then filed; the receipt; the follow-up page.
        let token = csrf(c);
        let (s, refused) = post(c, &[("csrf", token.clone()), ("action", "submit".into())], &[]);
        assert_eq!(s, Status::UnprocessableEntity);
        pages.push(("refused form".into(), refused));
        let (s, receipt_page) = post(c, &voice_form(&token, "today"), &[("voice", "kan.ogg", OGG)]);
        assert_eq!(s, Status::Created, "{receipt_page}");
        let receipt = between(&receipt_page, "id=\"receipt\">").unwrap();
        pages.push(("receipt".into(), receipt_page));
        let status = c
            .post("/receipt")
            .header(ContentType::Form)
            .body(format!("csrf={token}&receipt={}", receipt.replace(' ', "")))
            .dispatch();
        let status_page = status.into_string().unwrap();
        assert!(status_page.contains("lang=\"bm\""), "{status_page}");
        pages.push(("status".into(), status_page));
        for (path, html) in &pages {
            assert!(html.contains("<html lang=\"bm\">"), "{path} is not in Bambara");
            let raw = raw_keys(html);
            assert!(raw.is_empty(), "{path} shows raw message keys: {raw:?}");
        }
        // The form's labels are Bambara, not the French fallback.
        assert!(pages[0].1.contains("Bamanankan") && !pages[0].1.contains("Envoyer le signalement"));
        // Accept-Language alone picks it too, on a fresh visit.
        let fresh = Client::tracked(vigie::build(figment(&app.db)).unwrap()).unwrap();
        let r = fresh.get("/about").header(Header::new("Accept-Language", "bm-ML, fr;q=0.5")).dispatch();
        assert!(r.into_string().unwrap().contains("<html lang=\"bm\">"));
    });
}

#[test]
fn a_language_folder_made_up_for_the_test_works_with_no_code_change() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    for lang in ["fr", "en"] {
        std::fs::create_dir(dir.path().join(lang)).unwrap();
        for f in std::fs::read_dir(root.join(lang)).unwrap().flatten() {
            std::fs::copy(f.path(), dir.path().join(lang).join(f.file_name())).unwrap();
        }
    }
    // Songhay, as a translator would start it: a name, the draft mark, one text.
    std::fs::create_dir(dir.path().join("son")).unwrap();
    std::fs::write(
        dir.path().join("son/main.ftl"),
        "lang-name = Soŋay senni\nlang-draft = yes\nnav-about = Vigie ga\n",
    )
    .unwrap();
    let locales = dir.path().display().to_string();
    let app = TestApp::with_figment(TestDb::new(engines()[0]), |f| f.merge(("locales_dir", locales)));
    let page = app.client.get("/about?lang=son").dispatch().into_string().unwrap();
    assert!(page.contains("<html lang=\"son\">"));
    assert!(page.contains(">Vigie ga<"), "the translated text");
    assert!(page.contains("Soŋay senni"), "in the language switch");
    assert!(page.contains("À propos de Vigie"), "the rest in French");
    assert!(raw_keys(&page).is_empty(), "{:?}", raw_keys(&page));
    let out = vigie_cmd(
        &app.db,
        &["locales", "--missing", "son"],
        &[("ROCKET_LOCALES_DIR", dir.path().to_str().unwrap())],
    );
    let missing = text(&out);
    assert!(out.status.success(), "{missing}");
    assert!(missing.lines().any(|l| l == "report-title") && !missing.lines().any(|l| l == "nav-about"));
}

#[test]
fn a_report_told_by_voice_alone_is_filed_and_staff_listen_and_transcribe_it() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new())).merge(("reports_per_hour", 1000))
        });
        let c = &app.client;
        let token = csrf(c);
        // No voice and no text: refused, the field named.
        let (s, html) = post(c, &voice_form(&token, "yesterday"), &[]);
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(html.contains("id=\"narrative-error\""));
        // A picture, not a sound, as the voice: refused under the voice field.
        let (s, html) = post(c, &voice_form(&token, "yesterday"), &[("voice", "x.png", PNG)]);
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(html.contains("id=\"voice-error\""), "{html}");
        let (s, html) = post(c, &voice_form(&token, "yesterday"), &[("voice", "kan.ogg", OGG)]);
        assert_eq!(s, Status::Created, "{html}");
        let mut conn = app.db.conn();
        let (rid, narrative, on): (i32, String, chrono::NaiveDate) = reports::table
            .select((reports::id, reports::narrative, reports::occurred_on))
            .first(&mut conn)
            .unwrap();
        assert_eq!(narrative, "");
        assert_eq!(on, chrono::Utc::now().date_naive() - chrono::Days::new(1));
        let (aid, purpose, kind): (i32, String, String) = attachments::table
            .filter(attachments::report_id.eq(rid))
            .select((attachments::id, attachments::purpose, attachments::kind))
            .first(&mut conn)
            .unwrap();
        assert_eq!((purpose.as_str(), kind.as_str()), ("narrative", "audio"));

        // The intake officer listens and transcribes.
        add_user(&app.db, "intake@cndh.ml", "intake", None);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        let staff = Client::tracked(
            vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
        )
        .unwrap();
        sign_in(&staff, "intake@cndh.ml", PW);
        let page = staff.get(format!("/staff/reports/{rid}")).dispatch().into_string().unwrap();
        assert!(page.contains(&format!("<audio controls preload=\"none\" src=\"/staff/attachments/{aid}\">")));
        let audio = staff.get(format!("/staff/attachments/{aid}")).dispatch();
        assert_eq!(audio.status(), Status::Ok);
        assert_eq!(audio.into_bytes().unwrap(), OGG);
        let token = csrf(&staff);
        let r = staff
            .post(format!("/staff/attachments/{aid}/transcription"))
            .header(ContentType::Form)
            .body(format!(
                "csrf={token}&back=/staff/reports/{rid}&transcription=Sorodasiw%20ye%20n%20ba%20minE&translation=Des%20soldats%20ont%20arr%C3%AAt%C3%A9%20ma%20m%C3%A8re"
            ))
            .dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let page = staff.get(format!("/staff/reports/{rid}")).dispatch().into_string().unwrap();
        assert!(page.contains("Des soldats ont arrêté ma mère"), "the translation is shown");
        assert!(page.contains("Test Person, "), "who transcribed it");
        let audited: i64 = audit_log::table
            .filter(audit_log::action.eq("attachment.transcribe"))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(audited, 1);
        // Without the CSRF token nothing is written; an investigator without a case gets 404.
        let r = staff
            .post(format!("/staff/attachments/{aid}/transcription"))
            .header(ContentType::Form)
            .body("transcription=x")
            .dispatch();
        assert_ne!(r.status(), Status::SeeOther);
        let inv = Client::tracked(
            vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
        )
        .unwrap();
        sign_in(&inv, "inv@cndh.ml", PW);
        let token = csrf(&inv);
        let r = inv
            .post(format!("/staff/attachments/{aid}/transcription"))
            .header(ContentType::Form)
            .body(format!("csrf={token}&transcription=x"))
            .dispatch();
        assert_eq!(r.status(), Status::NotFound);
        // The auditor reads everything and writes nothing: no form, and a post answers 404.
        add_user(&app.db, "aud@vigie.ml", "auditor", None);
        let aud = Client::tracked(
            vigie::build(figment(&app.db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap(),
        )
        .unwrap();
        sign_in(&aud, "aud@vigie.ml", PW);
        let page = aud.get(format!("/staff/reports/{rid}")).dispatch().into_string().unwrap();
        assert!(page.contains("Des soldats ont arrêté ma mère"), "the auditor reads it");
        assert!(!page.contains("/transcription\""), "but has no form");
        let token = csrf(&aud);
        let r = aud
            .post(format!("/staff/attachments/{aid}/transcription"))
            .header(ContentType::Form)
            .body(format!("csrf={token}&back=/staff/reports/{rid}&transcription=x"))
            .dispatch();
        assert_eq!(r.status(), Status::NotFound);
        let kept: Option<String> =
            attachments::table.find(aid).select(attachments::transcription).first(&mut conn).unwrap();
        assert_eq!(kept.as_deref(), Some("Sorodasiw ye n ba minE"));
    });
}

#[test]
fn a_recorded_prompt_gets_a_listen_link_and_a_text_without_one_gets_none() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bm")).unwrap();
    std::fs::write(dir.path().join("bm/report-what.ogg"), OGG).unwrap();
    // Not a prompt: another extension, and a name that is not a key.
    std::fs::write(dir.path().join("bm/report-when.mp3"), OGG).unwrap();
    std::fs::write(dir.path().join("bm/../x.ogg"), OGG).unwrap();
    let audio = dir.path().display().to_string();
    let app = TestApp::with_figment(TestDb::new(engines()[0]), |f| f.merge(("audio_dir", audio)));
    let bm = app.client.get("/reports/new?lang=bm").dispatch().into_string().unwrap();
    assert_eq!(bm.matches("class=\"listen\"").count(), 1, "one recording, one link");
    assert!(bm.contains("href=\"/audio/bm/report-what.ogg\""));
    let fr = app.client.get("/reports/new?lang=fr").dispatch().into_string().unwrap();
    assert!(!fr.contains("class=\"listen\""), "no French recording, no link");
    let r = app.client.get("/audio/bm/report-what.ogg").dispatch();
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(r.into_bytes().unwrap(), OGG);
    assert_eq!(app.client.get("/audio/x.ogg").dispatch().status(), Status::NotFound);
}
