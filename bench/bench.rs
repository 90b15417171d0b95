//! Vigie's benchmark harness: the read paths at scale, region/cercle assignment, the Argon2id
//! ceiling, intake under concurrent load over real HTTP, page weight and resident memory.
//! `bench/run` drives it and writes the table; each subcommand prints markdown table rows.
//!
//!   bench read --database-url URL [--iterations N] [--by-query]
//!   bench geo [--points N]
//!   bench argon2
//!   bench load --url http://127.0.0.1:PORT [--clients 16] [--requests N]
//!   bench weight --url http://127.0.0.1:PORT
//!   bench rss --pid PID
//!   bench burst --url 127.0.0.1:PORT --pid PID --email E --password P [--uploads 100] [--mb 24]
//!   bench pages --url 127.0.0.1:PORT --database-url URL --email E --password P [--samples 1000]
//!   bench stats --url 127.0.0.1:PORT --database-url URL [--samples 300] [--change-every-ms 500]
//!               [--pause-ms 100]
//!   bench soak --urls HOST:PORT,HOST:PORT --pids PID,PID --database-url URL --email E --password P
//!              [--minutes 10] [--fraction 0.8] [--rate R] [--warmup-secs S] [--think-ms 100]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use vigie::db::Db;
use vigie::triage::duplicates::Params;
use vigie::triage::model::{self as triage, QueueFilter, Scope};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// p50, p95, p99 and the maximum of some timings, as table cells. A percentile is printed only
/// when the samples can carry it (p99 needs at least 1,000: with fewer, the "p99" would be the
/// maximum); otherwise "n/a".
fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let n = times.len();
    let p =
        |q: f64, min: usize| if n >= min { format!("{} ms", ms(percentile(times, q))) } else { "n/a".into() };
    format!(
        "{} | {} | {} | {} ms",
        p(0.5, 1),
        p(0.95, 100),
        p(0.99, 1000),
        ms(times.last().copied().unwrap_or_default())
    )
}

/// Warms caches with `warm` runs on inputs that are not then measured (`f(n + i)`), then runs
/// `f(0..n)`; prints a row with p50, p95, p99 and max.
fn measure(name: &str, n: usize, mut f: impl FnMut(usize)) {
    for i in 0..(n / 20).clamp(3, 50) {
        f(n + i);
    }
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i);
        times.push(t.elapsed());
    }
    println!("| {name} | {n} | {} |", summary(&mut times));
}

/// The `i`-th of `n` ids spread evenly over 1..=max; the warm-up's (`i >= n`) fall half-way
/// between them, so no measured input was warmed.
fn spread(i: usize, n: usize, max: i32) -> i32 {
    let stride = (max as i64 / n.max(1) as i64).max(1);
    let offset = if i >= n { stride / 2 } else { 0 };
    (1 + ((i % n.max(1)) as i64 * stride + offset) % max.max(1) as i64) as i32
}

/// Time spent in each query shape (the SQL up to its first bind list), for `read --by-query`.
static BY_QUERY: std::sync::Mutex<Vec<(String, usize, Duration)>> = std::sync::Mutex::new(Vec::new());

/// A diesel instrumentation that adds each query's time to `BY_QUERY`.
fn by_query() -> Option<Box<dyn diesel::connection::Instrumentation>> {
    let mut started: Option<Instant> = None;
    Some(Box::new(move |event: diesel::connection::InstrumentationEvent<'_>| match event {
        diesel::connection::InstrumentationEvent::StartQuery { .. } => started = Some(Instant::now()),
        diesel::connection::InstrumentationEvent::FinishQuery { query, .. } => {
            let Some(t) = started.take() else { return };
            let sql = query.to_string();
            let shape: String = sql.split(" IN (").next().unwrap_or(&sql).chars().take(150).collect();
            let mut all = BY_QUERY.lock().unwrap();
            match all.iter_mut().find(|e| e.0 == shape) {
                Some(e) => {
                    e.1 += 1;
                    e.2 += t.elapsed();
                }
                None => all.push((shape, 1, t.elapsed())),
            }
        }
        _ => {}
    }))
}

/// Prints and clears the time per query shape gathered since the last call.
fn print_by_query(what: &str, samples: usize) {
    let mut all = std::mem::take(&mut *BY_QUERY.lock().unwrap());
    all.sort_by_key(|e| std::cmp::Reverse(e.2));
    println!("\n| {what}: query | calls per sample | ms per sample |\n|---|---|---|");
    for (shape, calls, total) in all.iter().take(12) {
        let shape = shape.replace('|', "/").replace('`', "");
        println!(
            "| `{shape}` | {:.1} | {:.2} |",
            *calls as f64 / samples as f64,
            total.as_secs_f64() * 1000.0 / samples as f64
        );
    }
    println!();
}

fn read(args: &[String]) {
    let url = arg(args, "--database-url").expect("--database-url");
    let per_query = args.iter().any(|a| a == "--by-query");
    if per_query {
        diesel::connection::set_default_instrumentation(by_query).expect("instrumentation");
    }
    let n: usize = arg(args, "--iterations").and_then(|v| v.parse().ok()).unwrap_or(50);
    let db = Db::connect(&url, 4).expect("connect");
    let mut conn = db.get().expect("connection");
    let c: &mut vigie::db::DbConn = &mut conn;
    let geo = vigie::geo::Geo::load(Path::new("resources/mali")).expect("geo");
    let tax = vigie::taxonomy::Taxonomy::load(c).expect("taxonomy");
    let total: i64 = vigie::schema::reports::table.count().get_result(c).unwrap();
    let max_id: i32 = vigie::schema::reports::table
        .select(diesel::dsl::max(vigie::schema::reports::id))
        .first::<Option<i32>>(c)
        .unwrap()
        .unwrap_or(0);
    println!("| engine | {} | reports | {total} |", db.engine.name());
    let pending =
        QueueFilter { admissibility: Some(vigie::events::Admissibility::Pending), ..Default::default() };
    measure("triage queue, first page", n, |_| {
        triage::queue(c, &pending, None, false, 51).unwrap();
    });
    measure("triage queue, deep page (90 %)", n, |_| {
        triage::queue(c, &pending, Some(max_id * 9 / 10), false, 51).unwrap();
    });
    let integrity = tax.groups.iter().find(|g| g.entry.code == "integrity").map(|g| g.entry.id);
    let filtered = QueueFilter { region: Some("ML-5".into()), group_id: integrity, ..pending.clone() };
    measure("triage queue, region + group filter", n, |_| {
        triage::queue(c, &filtered, None, false, 51).unwrap();
    });
    let force = tax.force("gendarmerie").map(|f| f.id);
    let from = chrono::NaiveDate::from_ymd_opt(2025, 1, 1);
    let filtered2 = QueueFilter {
        force_id: force,
        from,
        to: chrono::NaiveDate::from_ymd_opt(2025, 3, 31),
        ..pending.clone()
    };
    measure("triage queue, force + date range, deep page", n, |_| {
        triage::queue(c, &filtered2, Some(max_id / 2), false, 51).unwrap();
    });
    let cndh = tax.institutions.iter().find(|i| i.code == "cndh").map(|i| i.id);
    measure("institution case list, first page", n, |_| {
        vigie::cases::model::list(c, cndh, None, true, None, &Default::default(), 51).unwrap();
    });
    let max_case: i32 = vigie::schema::cases::table
        .select(diesel::dsl::max(vigie::schema::cases::id))
        .first::<Option<i32>>(c)
        .unwrap()
        .unwrap_or(0);
    measure("institution case list, deep page", n, |_| {
        vigie::cases::model::list(c, cndh, None, true, Some(max_case / 10), &Default::default(), 51).unwrap();
    });
    let params = Params { distance_km: 25.0, window_days: 3 };
    BY_QUERY.lock().unwrap().clear();
    let mut slowest: Vec<(Duration, i32)> = vec![];
    measure("report page with duplicate candidates", n, |i| {
        let t = Instant::now();
        let id = spread(i, n, max_id);
        let r = triage::find_report(c, id, Scope::All).unwrap();
        let vts: Vec<i32> = triage::violations_of(c, &[id]).unwrap().into_iter().map(|v| v.1).collect();
        triage::attachments_of(c, id).unwrap();
        triage::messages_of(c, id, triage::Thread::All).unwrap();
        vigie::triage::duplicate_candidates(c, &geo, &tax, &r, &vts, params, Scope::All, 10).unwrap();
        if i < n {
            slowest.push((t.elapsed(), id));
        }
    });
    if per_query {
        // The tail's reports, to look at by hand (their place and day decide the candidates).
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        let list: Vec<String> = slowest
            .iter()
            .take(8)
            .map(|(t, id)| format!("{id} ({:.1} ms)", t.as_secs_f64() * 1000.0))
            .collect();
        println!("\nslowest report pages: {}", list.join(", "));
    }
    if per_query {
        print_by_query("report page with duplicate candidates", n + (n / 20).clamp(3, 50));
    }
    if let Ok(text) = std::fs::read_to_string(
        arg(args, "--receipts").unwrap_or_else(|| "bench/results/receipts.txt".into()),
    ) {
        let receipts: Vec<vigie::crypto::Receipt> =
            text.lines().filter_map(vigie::crypto::Receipt::parse).collect();
        let salt = vigie::reports::model::receipt_salt(c).unwrap();
        if !receipts.is_empty() {
            measure("receipt status look-up (Argon2id + queries)", n.min(40), |i| {
                let r = &receipts[i % receipts.len()];
                let d = r.digest_with(&salt.0, &mut vigie::crypto::receipt_memory());
                let found = vigie::reports::model::find_by_receipt(c, &d).unwrap().expect("a seeded receipt");
                vigie::reports::model::messages_of(c, found.id).unwrap();
                if let Some(e) = found.event_id {
                    vigie::reports::model::forwarded_to(c, e).unwrap();
                }
            });
        }
    }
}

fn geo_bench(args: &[String]) {
    let n: usize = arg(args, "--points").and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let b = vigie::geo::Boundaries::load(Path::new("resources/mali")).unwrap();
    // Deterministic points over Mali's bounding box (about a third fall outside Mali).
    let mut x: u64 = 0x9E3779B97F4A7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let points: Vec<(f64, f64)> = (0..n).map(|_| (10.1 + next() * 15.0, -12.3 + next() * 16.6)).collect();
    let t = Instant::now();
    let mut inside = 0;
    for (lat, lon) in &points {
        if b.locate(*lat, *lon).is_some() {
            inside += 1;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "| region and cercle assignment, one core | {n} points ({inside} inside) | {:.0} points/s |",
        n as f64 / secs
    );
}

/// The median time of one receipt hash in kept memory, and the ceiling it sets: cores ÷ time.
fn ceiling() -> (Duration, f64) {
    let salt = [7u8; 16];
    let r = vigie::crypto::Receipt::generate();
    let mut memory = vigie::crypto::receipt_memory();
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let _ = r.hash_with(&salt, &mut memory);
            t.elapsed()
        })
        .collect();
    times.sort();
    let one = percentile(&times, 0.5);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    (one, cores as f64 / one.as_secs_f64())
}

fn argon2_bench() -> f64 {
    let salt = [7u8; 16];
    let r = vigie::crypto::Receipt::generate();
    let mut memory = vigie::crypto::receipt_memory();
    let mut times = vec![];
    for _ in 0..20 {
        let t = Instant::now();
        let _ = r.hash_with(&salt, &mut memory);
        times.push(t.elapsed());
    }
    times.sort();
    // The same with fresh work memory each time, as a server without kept buffers would pay.
    let mut fresh = vec![];
    for _ in 0..20 {
        let t = Instant::now();
        let mut m = vigie::crypto::receipt_memory();
        let _ = r.hash_with(&salt, &mut m);
        drop(m);
        fresh.push(t.elapsed());
    }
    fresh.sort();
    println!(
        "| Argon2id with fresh work memory each time | {} ms | (page faults and zeroing of 19 MiB) |",
        ms(percentile(&fresh, 0.5))
    );
    let one = percentile(&times, 0.5).as_secs_f64();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let ceiling = cores as f64 / one;
    println!("| Argon2id receipt hash (19 MiB, t=2, p=1) | {} ms | ceiling {cores} cores ÷ hash = {ceiling:.1} reports/s |", ms(percentile(&times, 0.5)));
    ceiling
}

/// One HTTP/1.1 exchange on a kept-alive connection; returns the status code.
fn exchange(
    stream: &mut BufReader<TcpStream>,
    host: &str,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<u16> {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.get_mut().write_all(req.as_bytes())?;
    let mut line = String::new();
    stream.read_line(&mut line)?;
    let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut len = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut buf = vec![0u8; len];
    stream.read_exact(&mut buf)?;
    Ok(status)
}

fn load(args: &[String]) {
    let url = arg(args, "--url").expect("--url");
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let clients: usize = arg(args, "--clients").and_then(|v| v.parse().ok()).unwrap_or(16);
    let total: usize = arg(args, "--requests").and_then(|v| v.parse().ok()).unwrap_or(2000);
    let per = total.div_ceil(clients);
    // The ceiling is measured in the same invocation, just before the load, on the same cores.
    let (one_hash, ceiling) = ceiling();
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|k| {
            let host = host.clone();
            std::thread::spawn(move || {
                let mut stream = BufReader::new(TcpStream::connect(&host).expect("connect"));
                let mut times = vec![];
                let mut failures = 0;
                for i in 0..per {
                    // Points inside Ségou and Sikasso regions.
                    let lat = 12.5 + ((k * 31 + i * 7) % 150) as f64 / 100.0;
                    let lon = -6.0 + ((k * 17 + i * 3) % 100) as f64 / 100.0;
                    let body = format!(
                        r#"{{"narrative":"Rapport de charge {k}-{i} : des agents ont frappé un commerçant.","occurred_on":"2026-10-01","violations":["integrity.beating"],"force":"police","location":{{"lat":{lat},"lon":{lon}}}}}"#
                    );
                    let t = Instant::now();
                    match exchange(&mut stream, &host, "POST", "/api/v1/reports", &body) {
                        Ok(201) => times.push(t.elapsed()),
                        Ok(_) => failures += 1,
                        Err(_) => {
                            failures += 1;
                            stream = BufReader::new(TcpStream::connect(&host).expect("reconnect"));
                        }
                    }
                }
                (times, failures)
            })
        })
        .collect();
    let mut times = vec![];
    let mut failures = 0;
    for h in handles {
        let (t, f) = h.join().unwrap();
        times.extend(t);
        failures += f;
    }
    let secs = started.elapsed().as_secs_f64();
    times.sort();
    if failures > 0 || times.is_empty() {
        eprintln!("load: {failures} request(s) failed");
        std::process::exit(1);
    }
    let rate = times.len() as f64 / secs;
    println!(
        "| intake POST /api/v1/reports, {clients} clients | {} ok, {failures} failed | {rate:.1} reports/s = {:.2} × ceiling {ceiling:.1} (hash {} ms, measured just before) | {} |",
        times.len(),
        rate / ceiling,
        ms(one_hash),
        summary(&mut times)
    );
}

/// GET with gzip accepted; returns (status, bytes on the wire, decoded body).
fn get_gz(host: &str, path: &str) -> (u16, usize, String) {
    let mut s = TcpStream::connect(host).expect("connect");
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip, br\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = vec![];
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4).unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    let body = &raw[split..];
    let text = if head.to_ascii_lowercase().contains("content-encoding: gzip") {
        let mut d = flate2::read::GzDecoder::new(body);
        let mut out = String::new();
        d.read_to_string(&mut out).unwrap_or_default();
        out
    } else {
        String::from_utf8_lossy(body).to_string()
    };
    (status, raw.len(), text)
}

fn weight(args: &[String]) {
    let url = arg(args, "--url").expect("--url");
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    for path in ["/", "/receipt", "/about", "/staff/sign-in"] {
        let (status, bytes, html) = get_gz(&host, path);
        let mut total = bytes;
        let mut requests = 1;
        let mut seen = vec![];
        for attr in ["src=\"", "href=\""] {
            for part in html.split(attr).skip(1) {
                let u = part.split('"').next().unwrap_or("").split('#').next().unwrap_or("").to_string();
                let asset = u.starts_with("/static/") || u == "/map.svg";
                if asset && !seen.contains(&u) {
                    let (_, b, _) = get_gz(&host, &u);
                    total += b;
                    requests += 1;
                    seen.push(u);
                }
            }
        }
        println!("| page weight {path} (status {status}) | {requests} requests | {:.1} KB transferred (gzip, headers included) |", total as f64 / 1024.0);
    }
}

/// A kept-alive HTTP/1.1 connection with a cookie jar: enough of a browser to sign in and read
/// pages (Content-Length and chunked bodies; gzip accepted but not decoded).
struct Browser {
    host: String,
    stream: BufReader<TcpStream>,
    cookies: Vec<(String, String)>,
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Browser {
    fn new(host: &str) -> Browser {
        Browser {
            host: host.to_string(),
            stream: BufReader::new(TcpStream::connect(host).expect("connect")),
            cookies: vec![],
        }
    }

    fn request(&mut self, method: &str, path: &str, form: Option<&str>, gzip: bool) -> Answer {
        match self.try_request(method, path, form, gzip) {
            Ok(a) => a,
            Err(_) => {
                // The server closed a kept-alive connection: once more on a new one.
                self.stream = BufReader::new(TcpStream::connect(&self.host).expect("reconnect"));
                self.try_request(method, path, form, gzip).expect("request")
            }
        }
    }

    fn try_request(
        &mut self,
        method: &str,
        path: &str,
        form: Option<&str>,
        gzip: bool,
    ) -> std::io::Result<Answer> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        if gzip {
            req.push_str("Accept-Encoding: gzip\r\n");
        }
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        let body = form.unwrap_or("");
        if form.is_some() {
            req.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        self.stream.get_mut().write_all(req.as_bytes())?;
        let mut line = String::new();
        if self.stream.read_line(&mut line)? == 0 {
            return Err(std::io::Error::other("closed"));
        }
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut headers = vec![];
        loop {
            line.clear();
            self.stream.read_line(&mut line)?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.trim_end().split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let header = |name: &str| headers.iter().find(|h| h.0 == name).map(|h| h.1.clone());
        let mut body = vec![];
        if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            loop {
                line.clear();
                self.stream.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0u8; size + 2];
                self.stream.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            let len: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
            body = vec![0u8; len];
            self.stream.read_exact(&mut body)?;
        }
        for (k, v) in &headers {
            if k == "set-cookie" {
                let pair = v.split(';').next().unwrap_or("");
                if let Some((name, value)) = pair.split_once('=') {
                    self.cookies.retain(|c| c.0 != name);
                    if !value.is_empty() {
                        self.cookies.push((name.to_string(), value.to_string()));
                    }
                }
            }
        }
        if header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) {
            self.stream = BufReader::new(TcpStream::connect(&self.host)?);
        }
        Ok(Answer { status, headers, body })
    }

    /// Signs in with a password (the server runs with `totp_required_roles = []`, see bench/run).
    fn sign_in(&mut self, email: &str, password: &str) {
        let page = self.request("GET", "/staff/sign-in", None, false);
        let html = String::from_utf8_lossy(&page.body).to_string();
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("a CSRF field on the sign-in page")
            .to_string();
        let form = format!(
            "csrf={}&email={}&password={}&next=",
            urlencode(&csrf),
            urlencode(email),
            urlencode(password)
        );
        let a = self.request("POST", "/staff/sign-in", Some(&form), false);
        let to = a.headers.iter().find(|h| h.0 == "location").map(|h| h.1.clone()).unwrap_or_default();
        if a.status != 303 || to.contains("sign-in") {
            eprintln!("sign-in failed: status {} to {to:?}", a.status);
            std::process::exit(1);
        }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The pages people wait for, over real HTTP, each requested `--samples` times by one signed-in
/// browser (gzip accepted, as a browser would), after a warm-up on other inputs; while
/// `--writers` clients file reports through the API (a pause of `--writer-pause-ms` after each)
/// and the server's background workers (outbox, digest, reporter-event flush) run. Any answer
/// other than 200 fails the run.
fn pages(args: &[String]) {
    let url = arg(args, "--url").expect("--url");
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let db_url = arg(args, "--database-url").expect("--database-url");
    let email = arg(args, "--email").expect("--email");
    let password = arg(args, "--password").expect("--password");
    let n: usize = arg(args, "--samples").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let writers: usize = arg(args, "--writers").and_then(|v| v.parse().ok()).unwrap_or(1);
    let pause: u64 = arg(args, "--writer-pause-ms").and_then(|v| v.parse().ok()).unwrap_or(500);
    let (max_report, max_case, max_audit, last_event) = {
        let db = Db::connect(&db_url, 1).expect("connect");
        let mut conn = db.get().expect("connection");
        let c: &mut vigie::db::DbConn = &mut conn;
        use vigie::schema::{audit_log, cases, events, reports};
        let r: Option<i32> = reports::table.select(diesel::dsl::max(reports::id)).first(c).unwrap();
        let k: Option<i32> = cases::table.select(diesel::dsl::max(cases::id)).first(c).unwrap();
        let a: Option<i32> = audit_log::table.select(diesel::dsl::max(audit_log::id)).first(c).unwrap();
        let e: Option<chrono::NaiveDate> =
            events::table.select(diesel::dsl::max(events::occurred_on)).first(c).unwrap();
        (r.unwrap_or(1), k.unwrap_or(1), a.unwrap_or(1), e.unwrap_or_default())
    };
    // The staff map over the 90 days that end with the data's last event.
    let map_period = format!("from={}&to={last_event}", last_event - chrono::Duration::days(89));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let filed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writer_threads: Vec<_> = (0..writers)
        .map(|k| {
            let (host, stop, filed) = (host.clone(), stop.clone(), filed.clone());
            std::thread::spawn(move || {
                let mut stream = BufReader::new(TcpStream::connect(&host).expect("connect"));
                let mut i = 0usize;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let lat = 12.5 + ((k * 31 + i * 7) % 150) as f64 / 100.0;
                    let lon = -6.0 + ((k * 17 + i * 3) % 100) as f64 / 100.0;
                    let body = format!(
                        r#"{{"narrative":"Rapport de fond {k}-{i} : des agents ont frappé un commerçant.","occurred_on":"2026-10-01","violations":["integrity.beating"],"force":"police","location":{{"lat":{lat},"lon":{lon}}}}}"#
                    );
                    match exchange(&mut stream, &host, "POST", "/api/v1/reports", &body) {
                        Ok(201) => {
                            filed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Ok(s) => {
                            eprintln!("writer: status {s}");
                            std::process::exit(1);
                        }
                        Err(_) => stream = BufReader::new(TcpStream::connect(&host).expect("reconnect")),
                    }
                    i += 1;
                    std::thread::sleep(Duration::from_millis(pause));
                }
            })
        })
        .collect();
    let started = Instant::now();
    let mut staff = Browser::new(&host);
    staff.sign_in(&email, &password);
    let mut public = Browser::new(&host);
    type PathOf = Box<dyn Fn(usize) -> String>;
    let staff_pages: Vec<(&str, PathOf)> = vec![
        ("staff: triage queue, first page", Box::new(|_| "/staff/triage".to_string())),
        (
            "staff: triage queue, pages across the table",
            Box::new(move |i| format!("/staff/triage?after={}", spread(i, n, max_report))),
        ),
        (
            "staff: report page with duplicate candidates",
            Box::new(move |i| format!("/staff/reports/{}", spread(i, n, max_report))),
        ),
        ("staff: case list, first page", Box::new(|_| "/staff/cases".to_string())),
        (
            "staff: case list, pages across the table",
            Box::new(move |i| format!("/staff/cases?before={}", spread(i, n, max_case))),
        ),
        ("staff: case page", Box::new(move |i| format!("/staff/cases/{}", spread(i, n, max_case)))),
        ("staff: audit log, first page", Box::new(|_| "/staff/audit".to_string())),
        ("staff: map with hotspots, 90 days", {
            let p = map_period.clone();
            Box::new(move |_| format!("/staff/map?{p}"))
        }),
        ("staff: map with hotspots, 90 days, one violation group", {
            let p = map_period.clone();
            Box::new(move |_| format!("/staff/map?{p}&group=integrity"))
        }),
        ("staff: analytics, the last 8 quarters", Box::new(|_| "/staff/analytics".to_string())),
        (
            "staff: analytics, the last 8 quarters, one violation group",
            Box::new(|_| "/staff/analytics?group=integrity".to_string()),
        ),
        (
            "staff: audit log, pages across the log",
            Box::new(move |i| format!("/staff/audit?before={}", spread(i, n, max_audit))),
        ),
    ];
    let run = |name: &str, b: &mut Browser, path: &dyn Fn(usize) -> String| {
        measure(name, n, |i| {
            let p = path(i);
            let a = b.request("GET", &p, None, true);
            if a.status != 200 {
                eprintln!("GET {p}: status {}", a.status);
                std::process::exit(1);
            }
        });
    };
    for (name, path) in &staff_pages {
        run(name, &mut staff, path.as_ref());
    }
    run("public: the report form /", &mut public, &|_| "/".to_string());
    run("public: the follow-up page /receipt", &mut public, &|_| "/receipt".to_string());
    // Public statistics (issue 13): the first request computes every closed period's tables
    // (timed once), the others read the kept tables (the writers' reports change no count).
    let first = Instant::now();
    let a = public.request("GET", "/stats", None, true);
    if a.status != 200 {
        eprintln!("GET /stats: status {}", a.status);
        std::process::exit(1);
    }
    let mut once = [first.elapsed()];
    println!("| public: /stats, first request (computes and keeps) | 1 | {} |", summary(&mut once));
    run("public: statistics page /stats", &mut public, &|_| "/stats".to_string());
    run("public: statistics JSON /api/v1/stats", &mut public, &|_| "/api/v1/stats".to_string());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in writer_threads {
        let _ = t.join();
    }
    println!(
        "| (meanwhile: {} reports filed by {writers} writer(s) over {:.0} s; background workers on) | | | | | |",
        filed.load(std::sync::atomic::Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
}

/// The resident memory of a process, in KB.
fn rss_kb(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// A burst of evidence uploads (issue 18, item 7): files `--uploads` reports through the API,
/// then sends one `--mb` MB file to each of them at the same instant, through the receipt
/// upload API (multipart), while a signed-in staff member loads the triage queue again and
/// again. Prints the uploads' answers and times, the staff page's times during the burst, and
/// the server's resident memory before, at its peak (sampled every 20 ms) and after.
fn burst(args: &[String]) {
    let url = arg(args, "--url").expect("--url");
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let pid = arg(args, "--pid").expect("--pid");
    let email = arg(args, "--email").expect("--email");
    let password = arg(args, "--password").expect("--password");
    let uploads: usize = arg(args, "--uploads").and_then(|v| v.parse().ok()).unwrap_or(100);
    let mb: usize = arg(args, "--mb").and_then(|v| v.parse().ok()).unwrap_or(24);
    let mut stream = BufReader::new(TcpStream::connect(&host).expect("connect"));
    let receipts: Vec<String> = (0..uploads)
        .map(|i| {
            let body = format!(
                r#"{{"narrative":"Rapport avec pièce {i} : des agents ont frappé un commerçant.","occurred_on":"2026-10-01","violations":["integrity.beating"],"force":"police","location":{{"lat":12.6,"lon":-7.98}}}}"#
            );
            let req = format!(
                "POST /api/v1/reports HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let (status, text) = http(&mut stream, req.as_bytes());
            assert_eq!(status, 201, "filing report {i}: {text}");
            let v: serde_json::Value = serde_json::from_str(&text).expect("json");
            v["receipt"].as_str().expect("a receipt").to_string()
        })
        .collect();
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(mb * 1024 * 1024, b' ');
    let pdf = std::sync::Arc::new(pdf);
    let before = rss_kb(&pid);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (pid, done) = (pid.clone(), done.clone());
        std::thread::spawn(move || {
            let mut peak = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rss_kb(&pid));
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        })
    };
    let staff = {
        let (host, done) = (host.clone(), done.clone());
        std::thread::spawn(move || {
            let mut b = Browser::new(&host);
            b.sign_in(&email, &password);
            let mut times = vec![];
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                let a = b.request("GET", "/staff/triage", None, true);
                assert_eq!(a.status, 200, "the staff page during the burst");
                times.push(t.elapsed());
                std::thread::sleep(Duration::from_millis(50));
            }
            times
        })
    };
    // Every connection is opened and every request head sent first; the bodies then go at once.
    let gate = std::sync::Arc::new(std::sync::Barrier::new(uploads));
    let started = Instant::now();
    let senders: Vec<_> = receipts
        .into_iter()
        .enumerate()
        .map(|(i, receipt)| {
            let (host, pdf, gate) = (host.clone(), pdf.clone(), gate.clone());
            std::thread::spawn(move || {
                let boundary = "vigie-burst-boundary";
                let mut body = format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"receipt\"\r\n\r\n{receipt}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{i}.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                )
                .into_bytes();
                body.extend_from_slice(&pdf);
                body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
                let head = format!(
                    "POST /api/v1/receipts/attachments HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let mut stream = BufReader::new(TcpStream::connect(&host).expect("connect"));
                stream.get_mut().write_all(head.as_bytes()).expect("head");
                gate.wait();
                let t = Instant::now();
                if stream.get_mut().write_all(&body).is_err() {
                    return (0, t.elapsed());
                }
                let (status, _) = read_answer(&mut stream);
                (status, t.elapsed())
            })
        })
        .collect();
    let answers: Vec<(u16, Duration)> = senders.into_iter().map(|h| h.join().unwrap()).collect();
    let wall = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let peak = sampler.join().unwrap();
    let mut staff_times = staff.join().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let after = rss_kb(&pid);
    let ok = answers.iter().filter(|a| a.0 == 201).count();
    let refused: Vec<u16> = answers.iter().filter(|a| a.0 != 201).map(|a| a.0).collect();
    let mut times: Vec<Duration> = answers.iter().filter(|a| a.0 == 201).map(|a| a.1).collect();
    println!(
        "| burst: {uploads} uploads of {mb} MB at once | {ok} stored, {} refused {:?} | all done in {:.1} s | upload {} |",
        refused.len(),
        refused,
        wall.as_secs_f64(),
        summary(&mut times)
    );
    println!(
        "| burst: staff triage queue during the burst | {} samples | {} |",
        staff_times.len(),
        summary(&mut staff_times)
    );
    println!(
        "| burst: server resident memory | before {} MB | peak {} MB | 2 s after {} MB |",
        before / 1024,
        peak / 1024,
        after / 1024
    );
}

/// Sends a request and reads its answer: (status, body as text).
fn http(stream: &mut BufReader<TcpStream>, req: &[u8]) -> (u16, String) {
    stream.get_mut().write_all(req).expect("send");
    read_answer(stream)
}

fn read_answer(stream: &mut BufReader<TcpStream>) -> (u16, String) {
    let mut line = String::new();
    if stream.read_line(&mut line).is_err() {
        return (0, String::new());
    }
    let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut len = 0usize;
    loop {
        line.clear();
        if stream.read_line(&mut line).is_err() || line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut buf = vec![0u8; len];
    let _ = stream.read_exact(&mut buf);
    (status, String::from_utf8_lossy(&buf).into_owned())
}

/// `rss --pid P [--private]`: the resident size in KB, or with `--private` only the process's
/// own memory (`RssAnon`: without the mapped database file and shared libraries, which are the
/// OS page cache).
fn rss(args: &[String]) {
    let pid = arg(args, "--pid").expect("--pid");
    let field = if args.iter().any(|a| a == "--private") { "RssAnon:" } else { "VmRSS:" };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    let kb = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("0");
    println!("{kb}");
}

/// Soak (issue 14): for `--minutes`, reports filed at a steady `--fraction` (0.8) of the intake
/// ceiling (cores ÷ one receipt hash, measured here first, or `--rate` reports/s), spread evenly
/// over the instances of `--urls`, while one signed-in staff member per instance reads the
/// triage queue, report pages, the case list, case pages and the audit log (a `--think-ms`
/// pause after each). Prints: the answers that were 5xx (and other failures), each instance's
/// resident memory after the warm-up and at the end (/proc), the staff pages' p99 after the
/// warm-up, and whether each goal of the issue is met (no 5xx; RSS at the end within 10 % of
/// the value after warm-up; staff p99 ≤ 100 ms). Exits 1 when a goal is missed.
fn soak(args: &[String]) {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
    use std::sync::{Arc, Mutex};
    let hosts: Vec<String> = arg(args, "--urls")
        .expect("--urls")
        .split(',')
        .map(|u| u.trim_start_matches("http://").trim_end_matches('/').to_string())
        .collect();
    let pids: Vec<String> = arg(args, "--pids").expect("--pids").split(',').map(str::to_string).collect();
    assert_eq!(hosts.len(), pids.len(), "one pid per url");
    let db_url = arg(args, "--database-url").expect("--database-url");
    let email = arg(args, "--email").expect("--email");
    let password = arg(args, "--password").expect("--password");
    let minutes: f64 = arg(args, "--minutes").and_then(|v| v.parse().ok()).unwrap_or(10.0);
    let fraction: f64 = arg(args, "--fraction").and_then(|v| v.parse().ok()).unwrap_or(0.8);
    let think = Duration::from_millis(arg(args, "--think-ms").and_then(|v| v.parse().ok()).unwrap_or(100));
    let total = Duration::from_secs_f64(minutes * 60.0);
    let warmup = Duration::from_secs_f64(
        arg(args, "--warmup-secs")
            .and_then(|v| v.parse().ok())
            .unwrap_or((total.as_secs_f64() / 4.0).min(60.0)),
    );
    let (one_hash, ceiling) = ceiling();
    let rate: f64 = arg(args, "--rate").and_then(|v| v.parse().ok()).unwrap_or(ceiling * fraction);
    let (max_report, max_case) = {
        let db = Db::connect(&db_url, 1).expect("connect");
        let mut conn = db.get().expect("connection");
        let c: &mut vigie::db::DbConn = &mut conn;
        use vigie::schema::{cases, reports};
        let r: Option<i32> = reports::table.select(diesel::dsl::max(reports::id)).first(c).unwrap();
        let k: Option<i32> = cases::table.select(diesel::dsl::max(cases::id)).first(c).unwrap();
        (r.unwrap_or(1), k.unwrap_or(1))
    };
    let stop = Arc::new(AtomicBool::new(false));
    let server_errors = Arc::new(AtomicU64::new(0));
    let other_failures = Arc::new(AtomicU64::new(0));
    let filed = Arc::new(AtomicU64::new(0));
    let staff_times: Arc<Mutex<Vec<(usize, Duration)>>> = Arc::new(Mutex::new(vec![]));
    let started = Instant::now();
    // Writers: each has its share of the rate and its own schedule (open loop: a slow answer
    // does not lower the rate asked; the writer catches up without a pause).
    let writers = 8usize;
    let period = Duration::from_secs_f64(writers as f64 / rate);
    let writer_threads: Vec<_> = (0..writers)
        .map(|k| {
            let host = hosts[k % hosts.len()].clone();
            let (stop, errors, failures, filed) =
                (stop.clone(), server_errors.clone(), other_failures.clone(), filed.clone());
            std::thread::spawn(move || {
                let mut stream = BufReader::new(TcpStream::connect(&host).expect("connect"));
                let first = started + period.mul_f64(k as f64 / writers as f64);
                let mut i = 0usize;
                while !stop.load(Relaxed) {
                    let due = first + period.mul_f64(i as f64);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    if stop.load(Relaxed) {
                        break;
                    }
                    let lat = 12.5 + ((k * 31 + i * 7) % 150) as f64 / 100.0;
                    let lon = -6.0 + ((k * 17 + i * 3) % 100) as f64 / 100.0;
                    let body = format!(
                        r#"{{"narrative":"Rapport d'endurance {k}-{i} : des agents ont frappé un commerçant.","occurred_on":"2026-10-01","violations":["integrity.beating"],"force":"police","location":{{"lat":{lat},"lon":{lon}}}}}"#
                    );
                    match exchange(&mut stream, &host, "POST", "/api/v1/reports", &body) {
                        Ok(201) => {
                            filed.fetch_add(1, Relaxed);
                        }
                        Ok(s) if s >= 500 => {
                            errors.fetch_add(1, Relaxed);
                            eprintln!("soak: POST /api/v1/reports to {host}: status {s}");
                        }
                        Ok(_) => {
                            failures.fetch_add(1, Relaxed);
                        }
                        Err(_) => {
                            failures.fetch_add(1, Relaxed);
                            stream = BufReader::new(TcpStream::connect(&host).expect("reconnect"));
                        }
                    }
                    i += 1;
                }
            })
        })
        .collect();
    // Staff: one reader per instance, timed after the warm-up.
    let reader_threads: Vec<_> = hosts
        .iter()
        .enumerate()
        .map(|(h, host)| {
            let (host, email, password) = (host.clone(), email.clone(), password.clone());
            let (stop, errors, failures, times) =
                (stop.clone(), server_errors.clone(), other_failures.clone(), staff_times.clone());
            std::thread::spawn(move || {
                let mut staff = Browser::new(&host);
                staff.sign_in(&email, &password);
                let mut i = 0usize;
                while !stop.load(Relaxed) {
                    let n = 997 + h;
                    let path = match i % 5 {
                        0 => "/staff/triage".to_string(),
                        1 => format!("/staff/reports/{}", spread(i, n, max_report)),
                        2 => "/staff/cases".to_string(),
                        3 => format!("/staff/cases/{}", spread(i, n, max_case)),
                        _ => "/staff/audit".to_string(),
                    };
                    let t = Instant::now();
                    let a = staff.request("GET", &path, None, true);
                    let took = t.elapsed();
                    if a.status >= 500 {
                        errors.fetch_add(1, Relaxed);
                        eprintln!("soak: GET {path} on {host}: status {}", a.status);
                    } else if a.status != 200 {
                        failures.fetch_add(1, Relaxed);
                        eprintln!("soak: GET {path}: status {}", a.status);
                    } else if started.elapsed() >= warmup {
                        times.lock().unwrap().push((i % 5, took));
                    }
                    i += 1;
                    std::thread::sleep(think);
                }
            })
        })
        .collect();
    std::thread::sleep(warmup);
    let rss_warm: Vec<u64> = pids.iter().map(|p| rss_kb(p)).collect();
    let filed_warm = filed.load(Relaxed);
    std::thread::sleep(total.saturating_sub(started.elapsed()));
    let rss_end: Vec<u64> = pids.iter().map(|p| rss_kb(p)).collect();
    stop.store(true, Relaxed);
    for t in writer_threads.into_iter().chain(reader_threads) {
        let _ = t.join();
    }
    let secs = started.elapsed().as_secs_f64();
    let after_warm = (secs - warmup.as_secs_f64()).max(1e-9);
    let measured_rate = (filed.load(Relaxed) - filed_warm) as f64 / after_warm;
    let errors = server_errors.load(Relaxed);
    let failures = other_failures.load(Relaxed);
    println!(
        "| soak: {} instance(s), {minutes} min, warm-up {:.0} s | value | goal | met |",
        hosts.len(),
        warmup.as_secs_f64()
    );
    println!("|---|---|---|---|");
    println!(
        "| intake asked | {rate:.2} reports/s = {:.2} × ceiling {ceiling:.2} (hash {} ms) | 0.8 × ceiling | |",
        rate / ceiling,
        ms(one_hash)
    );
    println!(
        "| intake filed after warm-up | {measured_rate:.2} reports/s ({} in all) | the rate asked | {} |",
        filed.load(Relaxed),
        if measured_rate >= rate * 0.95 { "yes" } else { "no" }
    );
    println!("| 5xx answers | {errors} | 0 | {} |", if errors == 0 { "yes" } else { "no" });
    println!(
        "| other failed requests (non-2xx, cut connections) | {failures} | 0 | {} |",
        if failures == 0 { "yes" } else { "no" }
    );
    let mut memory_flat = true;
    for (k, pid) in pids.iter().enumerate() {
        let (w, e) = (rss_warm[k], rss_end[k]);
        let change = (e as f64 - w as f64) / (w.max(1) as f64);
        let ok = change <= 0.10;
        memory_flat &= ok;
        println!(
            "| RSS of instance {} (pid {pid}) | {} MB after warm-up, {} MB at the end ({:+.1} %) | within +10 % | {} |",
            k + 1,
            w / 1024,
            e / 1024,
            change * 100.0,
            if ok { "yes" } else { "no" }
        );
    }
    let mut all: Vec<Duration> = staff_times.lock().unwrap().iter().map(|t| t.1).collect();
    all.sort();
    let p99 = percentile(&all, 0.99);
    let names = ["triage queue", "report page", "case list", "case page", "audit log"];
    for (k, name) in names.iter().enumerate() {
        let mut t: Vec<Duration> =
            staff_times.lock().unwrap().iter().filter(|t| t.0 == k).map(|t| t.1).collect();
        t.sort();
        println!(
            "| staff: {name} | {} samples, p50 {} ms, p99 {} ms, max {} ms | | |",
            t.len(),
            ms(percentile(&t, 0.5)),
            ms(percentile(&t, 0.99)),
            ms(t.last().copied().unwrap_or_default())
        );
    }
    let p99_ok = p99 <= Duration::from_millis(100) && !all.is_empty();
    println!(
        "| staff pages, all, after warm-up | {} samples, p99 {} ms | ≤ 100 ms | {} |",
        all.len(),
        ms(p99),
        if p99_ok { "yes" } else { "no" }
    );
    if errors > 0 || !memory_flat || !p99_ok {
        std::process::exit(1);
    }
}

/// The process's peak resident memory so far (VmHWM), in KiB.
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// `bench seal [--mb 25]`: seals a generated stream of that many MB into a counting sink and
/// opens it back chunk by chunk (issue 15: evidence files), printing the time and the growth
/// of the process's peak memory, which stays at a few chunks whatever the size.
fn seal_bench(args: &[String]) {
    struct Gen(u64);
    impl std::io::Read for Gen {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0 as usize);
            buf[..n].iter_mut().enumerate().for_each(|(i, b)| *b = (i * 7) as u8);
            self.0 -= n as u64;
            Ok(n)
        }
    }
    struct Sink(Vec<u8>, usize);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            // Keeps only the last bytes, as a file on disk would not be held in memory.
            self.1 += buf.len();
            self.0.clear();
            self.0.extend_from_slice(&buf[..buf.len().min(64)]);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mb: u64 = arg(args, "--mb").map_or(25, |v| v.parse().expect("--mb N"));
    let len = mb * 1024 * 1024;
    let key = vigie::crypto::SecretKey::generate();
    let before = peak_kb();
    let t = Instant::now();
    // Seal into a temporary file, then open it back into a sink: nothing holds the whole file.
    let path = std::env::temp_dir().join(format!("vigie-seal-bench-{}", std::process::id()));
    let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("temp file"));
    vigie::crypto::seal::seal_stream(&key, b"bench", Gen(len), file).expect("seal");
    let sealed = t.elapsed();
    let t = Instant::now();
    let mut sink = Sink(vec![], 0);
    let file = std::io::BufReader::new(std::fs::File::open(&path).expect("temp file"));
    let opened = vigie::crypto::seal::open_stream(&key, b"bench", file, &mut sink).expect("open");
    let open_time = t.elapsed();
    let _ = std::fs::remove_file(&path);
    assert_eq!(opened, len);
    let after = peak_kb();
    println!(
        "seal {mb} MB: sealed in {:.0} ms, opened in {:.0} ms; peak memory {} KiB before, {} KiB after (+{} KiB)",
        sealed.as_secs_f64() * 1000.0,
        open_time.as_secs_f64() * 1000.0,
        before,
        after,
        after.saturating_sub(before)
    );
}

fn main() {
    // Like the server (src/main.rs): large blocks go back to the system when freed.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("read") => read(&args),
        Some("geo") => geo_bench(&args),
        Some("argon2") => {
            argon2_bench();
        }
        Some("load") => load(&args),
        Some("weight") => weight(&args),
        Some("rss") => rss(&args),
        Some("pages") => pages(&args),
        Some("burst") => burst(&args),
        Some("soak") => soak(&args),
        Some("seal") => seal_bench(&args),
        Some("stats") => stats_bench(&args),
        _ => {
            eprintln!(
                "usage: bench read|geo|argon2|load|weight|rss|pages|burst|soak|seal [options] (see bench/run)"
            );
            std::process::exit(2);
        }
    }
}

/// `bench stats`: the public statistics over HTTP while the data keep changing, as they do when
/// staff work (issue 13): a thread moves the data version every `--change-every-ms` (one row
/// appended to `stats_changes`, what a finding, a case step or a new allegation does to the
/// version), and `/stats` and `/api/v1/stats` are timed meanwhile. Then the same pages once the
/// changes stop.
fn stats_bench(args: &[String]) {
    let url = arg(args, "--url").expect("--url");
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let db_url = arg(args, "--database-url").expect("--database-url");
    let n: usize = arg(args, "--samples").and_then(|v| v.parse().ok()).unwrap_or(300);
    let every: u64 = arg(args, "--change-every-ms").and_then(|v| v.parse().ok()).unwrap_or(500);
    let pause: u64 = arg(args, "--pause-ms").and_then(|v| v.parse().ok()).unwrap_or(100);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let changes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let changer = {
        let (stop, changes) = (stop.clone(), changes.clone());
        std::thread::spawn(move || {
            let db = Db::connect(&db_url, 1).expect("connect");
            let mut conn = db.get().expect("connection");
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                diesel::sql_query("INSERT INTO stats_changes DEFAULT VALUES")
                    .execute(&mut *conn)
                    .expect("change");
                changes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(every));
            }
        })
    };
    let mut public = Browser::new(&host);
    let pages = [("/stats", "public: /stats"), ("/api/v1/stats", "public: /api/v1/stats")];
    let started = Instant::now();
    // Paced, so that the run lasts (samples × pause) and spans many changes and refreshes.
    for (path, name) in pages {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            let a = public.request("GET", path, None, true);
            assert_eq!(a.status, 200, "GET {path}");
            times.push(t.elapsed());
            std::thread::sleep(Duration::from_millis(pause));
        }
        println!(
            "| {name}, data version moving every {every} ms, a request every {pause} ms | {n} | {} |",
            summary(&mut times)
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    changer.join().unwrap();
    let moved = changes.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "| changes of the data version meanwhile | {moved} in {:.0} s | | | | |",
        started.elapsed().as_secs_f64()
    );
    std::thread::sleep(Duration::from_secs(2));
    for (path, name) in pages {
        measure(&format!("{name}, data unchanged"), n, |_| {
            let a = public.request("GET", path, None, true);
            assert_eq!(a.status, 200, "GET {path}");
        });
    }
}
