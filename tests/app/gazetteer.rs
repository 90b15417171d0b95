//! Issue 10, item 7: the gazetteer extended by admins (villages such as Ogossagou), found at
//! once and after a restart by every public place search, and places of the same name in one
//! cercle told apart.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use crate::accounts::{add_user, sign_in, PW};
use crate::common::*;
use vigie::schema::{audit_log, places, reports};

/// Ogossagou (cercle of Bankass, region of Mopti), missing from the shipped file.
const LAT: &str = "14.2139";
const LON: &str = "-3.5089";

fn client(db: &TestDb) -> Client {
    let figment = figment(db).merge(("totp_required_roles", Vec::<String>::new()));
    Client::tracked(vigie::build(figment).expect("build vigie")).expect("valid rocket")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn post(client: &Client, path: &str, fields: &[(&str, &str)]) -> (Status, Option<String>, String) {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
    let r = client.post(path).header(ContentType::Form).body(body.join("&")).dispatch();
    let loc = r.headers().get_one("Location").map(String::from);
    (r.status(), loc, r.into_string().unwrap_or_default())
}

fn add_place(client: &Client, name: &str, alt: &str, lat: &str, lon: &str, cercle: &str) -> (Status, String) {
    let token = csrf(client);
    let (s, _, html) = post(
        client,
        "/staff/admin/places",
        &[
            ("csrf", &token),
            ("name", name),
            ("alt_names", alt),
            ("lat", lat),
            ("lon", lon),
            ("cercle", cercle),
        ],
    );
    (s, html)
}

/// The API's place search, as the form's script sends it (with the page's CSRF token).
fn api_search(client: &Client, q: &str, lang: &str) -> Vec<Value> {
    let token = csrf(client);
    let r = client
        .post(format!("/api/v1/places?lang={lang}"))
        .header(ContentType::JSON)
        .header(rocket::http::Header::new("X-CSRF-Token", token))
        .body(json!({ "q": q, "limit": 10 }).to_string())
        .dispatch();
    assert_eq!(r.status(), Status::Ok);
    r.into_json::<Vec<Value>>().unwrap()
}

fn form_fields(token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", token.to_string()),
        ("violations", "integrity.torture".into()),
        ("narrative", "Des hommes armés ont attaqué le village et brûlé des maisons.".into()),
        ("occurred_on", "2026-01-15".into()),
        ("date_precision", "exact".into()),
        ("force", "gendarmerie".into()),
        ("reporter_relation", "witness".into()),
    ]
}

fn post_report(client: &Client, fields: &[(&str, String)]) -> (Status, String) {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (ct, body) = multipart(&f, &[]);
    let r = client.post("/reports").header(ct).body(body).dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

fn sign_out(client: &Client) {
    let token = csrf(client);
    assert_eq!(post(client, "/staff/sign-out", &[("csrf", &token)]).0, Status::SeeOther);
}

fn staff_ids(db: &TestDb) -> Vec<i32> {
    let mut c = db.conn();
    places::table
        .filter(places::added_by.is_not_null())
        .select(places::id)
        .order(places::id.desc())
        .load(&mut c)
        .unwrap()
}

#[test]
fn an_admin_adds_ogossagou_and_every_public_search_finds_it_now_and_after_a_restart() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let admin = client(&db);
        let admin_id = add_user(&db, "admin@vigie.ml", "admin", None);
        assert_eq!(sign_in(&admin, "admin@vigie.ml", PW).0, Status::SeeOther);
        assert!(api_search(&admin, "Ogossagou", "fr").iter().all(|p| p["name"] != "Ogossagou"));

        let page = admin.get("/staff/admin/places").dispatch().into_string().unwrap();
        assert!(page.contains("action=\"/staff/admin/places\""), "the form to add one");
        let home = admin.get("/staff").dispatch().into_string().unwrap();
        assert!(home.contains("href=\"/staff/admin/places\""), "linked from the admin pages");

        // Without the CSRF token nothing is written.
        let (s, _, _) = post(
            &admin,
            "/staff/admin/places",
            &[("name", "Ogossagou"), ("lat", LAT), ("lon", LON), ("cercle", "")],
        );
        assert_eq!(s, Status::BadRequest);
        assert!(staff_ids(&db).is_empty());

        let (s, _) = add_place(&admin, "Ogossagou", "Ogossagou Peul, Ogossogou", LAT, LON, "ML.MO.BK");
        assert_eq!(s, Status::SeeOther);
        let id = staff_ids(&db)[0];
        assert!(id < 0, "staff ids never meet GeoNames ids: {id}");
        let mut c = db.conn();
        let row: (String, Option<String>, Option<String>, Option<i32>, bool) = places::table
            .find(id)
            .select((
                places::name,
                places::region_code,
                places::cercle_code,
                places::added_by,
                places::active,
            ))
            .first(&mut c)
            .unwrap();
        assert_eq!(
            row,
            ("Ogossagou".into(), Some("ML-5".into()), Some("ML.MO.BK".into()), Some(admin_id), true)
        );
        let audit: Vec<(String, String, String)> = audit_log::table
            .filter(audit_log::action.eq("place.create"))
            .select((audit_log::object_id, audit_log::details, audit_log::actor))
            .load(&mut c)
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].0, id.to_string());
        assert!(audit[0].1.contains("cercle=ML.MO.BK"), "{:?}", audit[0]);
        let listed = admin.get("/staff/admin/places").dispatch().into_string().unwrap();
        assert!(
            listed.contains("Ogossagou") && listed.contains("admin@vigie.ml") && listed.contains("Bankass")
        );

        // At once, without a restart, for anyone: the API, a typo, another spelling.
        sign_out(&admin);
        let public = &admin;
        let found = api_search(public, "Ogossagou", "fr");
        assert_eq!(found[0]["id"], id);
        assert_eq!(found[0]["cercle"]["code"], "ML.MO.BK");
        assert_eq!(found[0]["region"]["code"], "ML-5");
        assert_eq!(api_search(public, "Ogosagou", "fr")[0]["id"], id, "a typo");
        assert_eq!(api_search(public, "ogossagou peul", "fr")[0]["id"], id, "another name");

        // The form's search (without JavaScript) offers it; the report there gets its cercle.
        let token = csrf(public);
        let mut fields = form_fields(&token);
        fields.push(("place_query", "ogossagou".into()));
        fields.push(("action", "search_place".into()));
        let (s, html) = post_report(public, &fields);
        assert_eq!(s, Status::Ok);
        assert!(html.contains(&format!("name=\"place_id\" value=\"{id}\"")), "offered");
        assert!(html.contains("Ogossagou — cercle de Bankass, région de Mopti"), "in words");
        let mut fields = form_fields(&token);
        fields.push(("place_id", id.to_string()));
        fields.push(("action", "submit".into()));
        let (s, html) = post_report(public, &fields);
        assert_eq!(s, Status::Created, "{html}");
        let r: (Option<i32>, Option<String>, Option<String>) = reports::table
            .select((reports::place_id, reports::region_code, reports::cercle_code))
            .first(&mut c)
            .unwrap();
        assert_eq!(r, (Some(id), Some("ML-5".into()), Some("ML.MO.BK".into())));

        // A tapped point nearby is said by its name.
        let token = csrf(public);
        let (s, _, body) =
            post(public, "/reports/locate", &[("csrf", &token), ("lat", "14.215"), ("lon", "-3.51")]);
        assert_eq!(s, Status::Ok);
        assert!(body.contains("Ogossagou"), "{body}");

        // A restart: a second app on the same database finds it.
        let again = client(&db);
        assert_eq!(api_search(&again, "Ogossagou", "fr")[0]["id"], id);

        // Edited: the new name is found at once; disabled: no longer offered; enabled again.
        sign_in(&admin, "admin@vigie.ml", PW);
        let token = csrf(&admin);
        let (s, _, _) = post(
            &admin,
            &format!("/staff/admin/places/{id}"),
            &[
                ("csrf", &token),
                ("name", "Ogossagou Peul"),
                ("alt_names", "Ogossagou"),
                ("lat", LAT),
                ("lon", LON),
                ("cercle", ""),
            ],
        );
        assert_eq!(s, Status::SeeOther);
        assert_eq!(api_search(&admin, "Ogossagou Peul", "fr")[0]["name"], "Ogossagou Peul");
        let (s, _, _) = post(&admin, &format!("/staff/admin/places/{id}/disable"), &[("csrf", &token)]);
        assert_eq!(s, Status::SeeOther);
        assert!(api_search(&admin, "Ogossagou", "fr").iter().all(|p| p["id"] != id));
        let (s, _, _) = post(&admin, &format!("/staff/admin/places/{id}/enable"), &[("csrf", &token)]);
        assert_eq!(s, Status::SeeOther);
        assert_eq!(api_search(&admin, "Ogossagou", "fr")[0]["id"], id);
        let actions: Vec<String> = audit_log::table
            .filter(audit_log::object_type.eq("place"))
            .order(audit_log::id)
            .select(audit_log::action)
            .load(&mut c)
            .unwrap();
        assert_eq!(actions, ["place.create", "place.update", "place.disable", "place.enable"]);

        // Shipped places stay read-only: no edit page, no change.
        assert_eq!(admin.get("/staff/admin/places/2460596").dispatch().status(), Status::NotFound);
        let (s, _, _) = post(&admin, "/staff/admin/places/2460596/disable", &[("csrf", &token)]);
        assert_eq!(s, Status::NotFound);
    });
}

#[test]
fn bad_places_come_back_with_the_values_kept_and_one_message_per_field() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let admin = client(&db);
        add_user(&db, "admin@vigie.ml", "admin", None);
        sign_in(&admin, "admin@vigie.ml", PW);

        let (s, html) = add_place(&admin, "Ogossagou", "Ogossogou", "91", "abc", "");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(html.contains("value=\"Ogossagou\"") && html.contains("value=\"Ogossogou\""), "kept");
        assert!(html.contains("value=\"91\"") && html.contains("value=\"abc\""));
        assert!(html.contains("Latitude invalide") && html.contains("Longitude invalide"));

        // Dakar is not in Mali.
        let (s, html) = add_place(&admin, "Dakar", "", "14.69", "-17.44", "");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(html.contains("n&#x27;est pas au Mali") || html.contains("n'est pas au Mali"), "{html}");

        // A point of Bankass said to be in the cercle of Kayes: refused, naming where it is.
        let (s, html) = add_place(&admin, "Ogossagou", "", LAT, LON, "ML.KY.KI");
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(html.contains("dans le cercle de Bankass"), "names the point's cercle");
        assert!(html.contains("value=\"ML.KY.KI\" selected"), "the chosen cercle kept");

        // In English for an English page.
        let token = csrf(&admin);
        let (s, _, html) = post(
            &admin,
            "/staff/admin/places?lang=en",
            &[("csrf", &token), ("name", ""), ("lat", LAT), ("lon", LON), ("cercle", "")],
        );
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(html.contains("Give the place"), "{html}");
        assert!(staff_ids(&db).is_empty(), "nothing written");
    });
}

#[test]
fn only_admins_see_or_change_the_places() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let admin = client(&db);
        add_user(&db, "admin@vigie.ml", "admin", None);
        sign_in(&admin, "admin@vigie.ml", PW);
        assert_eq!(add_place(&admin, "Ogossagou", "", LAT, LON, "").0, Status::SeeOther);
        let id = staff_ids(&db)[0];
        let anon = client(&db);
        let r = anon.get("/staff/admin/places").dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        assert!(r.headers().get_one("Location").unwrap().starts_with("/staff/sign-in"));
        for (role, inst) in
            [("intake", None), ("auditor", None), ("investigator", Some("cndh")), ("monitor", None)]
        {
            add_user(&db, &format!("{role}@vigie.ml"), role, inst);
            let c = client(&db);
            assert_eq!(sign_in(&c, &format!("{role}@vigie.ml"), PW).0, Status::SeeOther);
            assert_eq!(c.get("/staff/admin/places").dispatch().status(), Status::NotFound, "{role}");
            assert_eq!(
                c.get(format!("/staff/admin/places/{id}")).dispatch().status(),
                Status::NotFound,
                "{role}"
            );
            let token = csrf(&c);
            let (s, _) = add_place(&c, "Kouloguel", "", LAT, LON, "");
            assert_eq!(s, Status::NotFound, "{role}");
            let (s, _, _) = post(&c, &format!("/staff/admin/places/{id}/disable"), &[("csrf", &token)]);
            assert_eq!(s, Status::NotFound, "{role}");
        }
        assert_eq!(staff_ids(&db), vec![id]);
        let mut c = db.conn();
        let active: bool = places::table.find(id).select(places::active).first(&mut c).unwrap();
        assert!(active);
    });
}

#[test]
fn places_of_the_same_name_in_one_cercle_look_different_in_search_results() {
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let admin = client(&db);
        add_user(&db, "admin@vigie.ml", "admin", None);
        sign_in(&admin, "admin@vigie.ml", PW);
        let public = &admin;

        // Two villages called Aghor in the cercle of Nara, shipped.
        let found: Vec<Value> = api_search(public, "Aghor", "fr")
            .into_iter()
            .filter(|p| p["cercle"]["code"] == "ML.KK.NA")
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        let hints: Vec<&str> = found.iter().map(|p| p["hint"].as_str().expect("a hint")).collect();
        assert_ne!(hints[0], hints[1]);
        assert!(hints.iter().all(|h| h.contains(" km ")), "{hints:?}");
        let en: Vec<Value> = api_search(public, "Aghor", "en")
            .into_iter()
            .filter(|p| p["cercle"]["code"] == "ML.KK.NA")
            .collect();
        assert!(en.iter().all(|p| p["hint"].as_str().unwrap().contains(" of ")), "{en:?}");
        // A place alone under its name carries none.
        assert!(api_search(public, "Bamako", "fr")[0].get("hint").is_none());

        // Two Ogossagou added in the cercle of Bankass, a few kilometres apart: the form shows
        // them differently, in words of the reader's language.
        assert_eq!(add_place(&admin, "Ogossagou", "", LAT, LON, "").0, Status::SeeOther);
        assert_eq!(add_place(&admin, "Ogossagou", "", "14.15", "-3.55", "").0, Status::SeeOther);
        sign_out(&admin);
        let token = csrf(public);
        let mut fields = form_fields(&token);
        fields.push(("place_query", "Ogossagou".into()));
        fields.push(("action", "search_place".into()));
        let (s, html) = post_report(public, &fields);
        assert_eq!(s, Status::Ok);
        let labels: Vec<String> = html
            .split("name=\"place_id\" value=\"")
            .skip(1)
            .map(|p| p.split("</label>").next().unwrap().split("> ").nth(1).unwrap_or("").to_string())
            .filter(|l| l.starts_with("Ogossagou"))
            .collect();
        assert_eq!(labels.len(), 2, "{labels:?}");
        assert_ne!(labels[0], labels[1]);
        assert!(labels.iter().all(|l| l.contains(" km ") && l.contains("Bankass")), "{labels:?}");
    });
}
