//! Browser tests: the real `vigie` binary on a free port, driven by Debian's Chromium through
//! playwright-core (tests/browser). CI sets `VIGIE_BROWSER_TESTS=1` after installing Chromium
//! and the npm packages, and then these tests must run; elsewhere they say they were skipped.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

pub struct Server(Child);

impl Server {
    /// Starts a command as a server that is killed when dropped.
    pub fn spawn(cmd: &mut Command) -> Server {
        Server(cmd.spawn().expect("start vigie"))
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Waits up to `timeout` for the process to exit; its status, or `None` if still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.0.try_wait().unwrap() {
                return Some(s);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `vigie serve` on a fresh database; returns the server and its base URL.
pub fn start_server(db: &TestDb, extra_env: &[(&str, &str)]) -> (Server, String) {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigie"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &db.url)
        .env("ROCKET_DATA_DIR", db.data_dir())
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_MAIL", "{transport=\"disabled\"}")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let server = Server(cmd.spawn().expect("start vigie"));
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "vigie did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, base)
}

pub fn browser_tests_enabled(name: &str) -> bool {
    let on = std::env::var("VIGIE_BROWSER_TESTS").is_ok_and(|v| v == "1");
    // In CI the browser tests must run: a missing switch is a failure, not a skip (and a
    // missing Chromium fails the script's launch).
    assert!(
        on || !std::env::var("CI").is_ok_and(|v| v == "true"),
        "{name}: CI=true but VIGIE_BROWSER_TESTS is not 1"
    );
    if on {
        assert!(
            std::path::Path::new(&std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()))
                .exists(),
            "{name}: VIGIE_BROWSER_TESTS=1 but Chromium is not installed"
        );
    }
    if !on {
        eprintln!("{name}: skipped (set VIGIE_BROWSER_TESTS=1 with Chromium and tests/browser/node_modules installed)");
    }
    on
}

pub fn run_script(script: &str, base: &str) {
    run_script_with(script, base, &[]);
}

/// A script with arguments of its own after the base address and the screenshots' folder.
pub fn run_script_with(script: &str, base: &str, args: &[String]) {
    let dir =
        std::env::var("VIGIE_SCREENSHOTS").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    let out = Command::new("node")
        .arg(script)
        .arg(base)
        .arg(&dir)
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser"))
        .output()
        .expect("run node (install nodejs)");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{script} failed:\n{text}");
    eprintln!("{text}");
}

#[test]
fn a_witness_files_reports_with_and_without_javascript_and_follows_up_in_chromium() {
    if !browser_tests_enabled("browser intake") {
        return;
    }
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let (_server, base) = start_server(&db, &[]);
        run_script("intake.mjs", &base);
        assert_eq!(count(&db, "reports"), 2);
        assert_eq!(count(&db, "messages"), 2);
    });
}

#[test]
fn an_intake_officer_triages_and_an_investigator_moves_the_case_in_chromium() {
    if !browser_tests_enabled("browser staff") {
        return;
    }
    each_engine(|engine| {
        let db = TestDb::new(engine);
        for (email, role) in [("intake@cndh.ml", "intake"), ("inv@cndh.ml", "investigator")] {
            let out = vigie_cmd(
                &db,
                &["user", "add", "--email", email, "--name", "Test", "--role", role],
                &[("VIGIE_PASSWORD", "Falaise rouge sur le fleuve")],
            );
            assert!(out.status.success(), "{}", text(&out));
        }
        let (_server, base) = start_server(&db, &[("ROCKET_TOTP_REQUIRED_ROLES", "[]")]);
        run_script("staff.mjs", &base);
        assert_eq!(count(&db, "cases"), 2);
    });
}

#[test]
fn the_figures_pages_fit_a_phone_without_javascript_and_filter_by_get_in_chromium() {
    if !browser_tests_enabled("browser analytics") {
        return;
    }
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let out = vigie_cmd(&db, &["seed-synthetic", "--reports", "300", "--seed", "5"], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let out = vigie_cmd(
            &db,
            &["user", "add", "--email", "auditor@cndh.ml", "--name", "Test", "--role", "auditor"],
            &[("VIGIE_PASSWORD", "Falaise rouge sur le fleuve")],
        );
        assert!(out.status.success(), "{}", text(&out));
        // 300 reports spread from 2023 on: a quarter holds about 20 events, around the default
        // floor, so periods could be withheld whole; the layout of the figures is what is walked.
        let (_server, base) =
            start_server(&db, &[("ROCKET_TOTP_REQUIRED_ROLES", "[]"), ("ROCKET_STATS_PERIOD_FLOOR", "0")]);
        run_script("analytics.mjs", &base);
    });
}

#[test]
fn the_trainers_pages_fit_a_phone_without_javascript_and_a_remediation_moves_in_chromium() {
    if !browser_tests_enabled("browser training") {
        return;
    }
    each_engine(|engine| {
        use diesel::prelude::*;
        use vigie::schema::users;
        let db = TestDb::new(engine);
        // Units, partners and sessions are planted with a truth file.
        let truth = db.data_dir().join("truth.json");
        let truth = truth.to_str().unwrap();
        let out =
            vigie_cmd(&db, &["seed-synthetic", "--reports", "300", "--seed", "5", "--truth-out", truth], &[]);
        assert!(out.status.success(), "{}", text(&out));
        let out = vigie_cmd(
            &db,
            &["user", "add", "--email", "trainer@ecole.ml", "--name", "Test", "--role", "trainer"],
            &[("VIGIE_PASSWORD", "Falaise rouge sur le fleuve")],
        );
        assert!(out.status.success(), "{}", text(&out));
        // One of the synthetic partners' trainers (a remediation action is its partner's).
        diesel::update(users::table.filter(users::email.eq("trainer@ecole.ml")))
            .set(users::partner_id.eq(Some(1)))
            .execute(&mut db.conn())
            .unwrap();
        // A delivered session of that partner, one of its units and one of its modules: the
        // action is opened for that unit and module and names the session.
        let (session, unit, module): (i32, i32, i32) = {
            use vigie::schema::{session_modules, session_units, training_sessions as ts};
            ts::table
                .inner_join(session_units::table)
                .inner_join(session_modules::table)
                .filter(ts::partner_id.eq(1).and(ts::status.eq("delivered")))
                .order(ts::id)
                .select((ts::id, session_units::unit_id, session_modules::module_id))
                .first(&mut db.conn())
                .expect("the synthetic partner 1 delivered a session")
        };
        let (_server, base) = start_server(&db, &[("ROCKET_TOTP_REQUIRED_ROLES", "[]")]);
        run_script_with("training.mjs", &base, &[session.to_string(), unit.to_string(), module.to_string()]);
        let carried: Vec<Option<i32>> = vigie::schema::remediation_actions::table
            .filter(vigie::schema::remediation_actions::issue.like("Arrestations sans registre%"))
            .select(vigie::schema::remediation_actions::partner_id)
            .load(&mut db.conn())
            .unwrap();
        assert_eq!(carried, vec![Some(1)], "opened by the trainer, carried by their partner");
        let named: Vec<i32> = vigie::schema::remediation_sessions::table
            .select(vigie::schema::remediation_sessions::session_id)
            .load(&mut db.conn())
            .unwrap();
        assert_eq!(named, vec![session], "the ticked session is the action's");
    });
}

#[test]
fn a_witness_reports_by_voice_in_bambara_with_and_without_javascript_and_staff_transcribe_in_chromium() {
    if !browser_tests_enabled("browser voice") {
        return;
    }
    each_engine(|engine| {
        let db = TestDb::new(engine);
        let out = vigie_cmd(
            &db,
            &["user", "add", "--email", "intake@cndh.ml", "--name", "Awa", "--role", "intake"],
            &[("VIGIE_PASSWORD", "Falaise rouge sur le fleuve")],
        );
        assert!(out.status.success(), "{}", text(&out));
        let (_server, base) = start_server(&db, &[("ROCKET_TOTP_REQUIRED_ROLES", "[]")]);
        run_script("voice.mjs", &base);
        let mut c = db.conn();
        use diesel::prelude::*;
        use vigie::schema::{attachments, reports};
        let narratives: Vec<String> = reports::table.select(reports::narrative).load(&mut c).unwrap();
        assert_eq!(narratives, ["", ""], "two reports told by voice alone");
        let voices: Vec<(String, String, Option<String>)> = attachments::table
            .order(attachments::id)
            .select((attachments::purpose, attachments::content_type, attachments::translation))
            .load(&mut c)
            .unwrap();
        assert_eq!(voices.len(), 2, "{voices:?}");
        assert!(voices.iter().all(|v| v.0 == "narrative"), "{voices:?}");
        assert_eq!(voices[0].2.as_deref(), Some("Des gendarmes ont arrêté mon frère au marché."));
    });
}
