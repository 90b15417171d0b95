//! Vigie's benchmark harness: the read paths at scale, region/cercle assignment, the Argon2id
//! ceiling, intake under concurrent load over real HTTP, page weight and resident memory.
//! `bench/run` drives it and writes the table; each subcommand prints markdown table rows.
//!
//!   bench read --database-url URL [--iterations N]
//!   bench geo [--points N]
//!   bench argon2
//!   bench load --url http://127.0.0.1:PORT [--clients 16] [--requests N]
//!   bench weight --url http://127.0.0.1:PORT
//!   bench rss --pid PID

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Duration as Days;
use diesel::prelude::*;
use vigie::db::Db;
use vigie::triage::duplicates::{self, Incident, Kind, Params};
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

/// Runs `f` a few times to warm caches, then `n` times; prints a row with p50 and p99.
fn measure(name: &str, n: usize, mut f: impl FnMut(usize)) {
    for i in 0..3 {
        f(i);
    }
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i);
        times.push(t.elapsed());
    }
    times.sort();
    println!("| {name} | {} | {} ms | {} ms |", n, ms(percentile(&times, 0.5)), ms(percentile(&times, 0.99)));
}

fn read(args: &[String]) {
    let url = arg(args, "--database-url").expect("--database-url");
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
    let pending = QueueFilter { admissibility: Some("pending".into()), ..Default::default() };
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
        vigie::cases::model::list(c, cndh, None, true, None, 51).unwrap();
    });
    let max_case: i32 = vigie::schema::cases::table
        .select(diesel::dsl::max(vigie::schema::cases::id))
        .first::<Option<i32>>(c)
        .unwrap()
        .unwrap_or(0);
    measure("institution case list, deep page", n, |_| {
        vigie::cases::model::list(c, cndh, None, true, Some(max_case / 10), 51).unwrap();
    });
    let params = Params { distance_km: 25.0, window_days: 3 };
    let stride = (max_id / n.max(1) as i32).max(1);
    measure("report page with duplicate candidates", n, |i| {
        let id = 1 + (i as i32 * stride) % max_id.max(1);
        let r = triage::find_report(c, id, Scope::All).unwrap();
        let vts: Vec<i32> = triage::violations_of(c, &[id]).unwrap().into_iter().map(|v| v.1).collect();
        triage::attachments_of(c, id).unwrap();
        triage::messages_of(c, id, triage::Thread::All).unwrap();
        let from = r.occurred_on - Days::days(3);
        let to = r.occurred_on + Days::days(3);
        let cercles = r.cercle_code.as_deref().map(|code| geo.with_neighbours(code)).unwrap_or_default();
        let mut cands = triage::report_candidates(c, from, to, &cercles, 2000, Scope::All).unwrap();
        cands.extend(triage::event_candidates(c, from, to, &cercles, 500, Scope::All).unwrap());
        let subject = Incident {
            kind: Kind::Report,
            id,
            lat: r.lat,
            lon: r.lon,
            cercle: r.cercle_code.clone(),
            occurred_on: r.occurred_on,
            violation_types: vts,
            forces: vec![r.force_id],
        };
        duplicates::rank(&subject, &cands, params, &|a, b| geo.adjacent(a, b), 10);
    });
    if let Ok(text) = std::fs::read_to_string(
        arg(args, "--receipts").unwrap_or_else(|| "bench/results/receipts.txt".into()),
    ) {
        let receipts: Vec<vigie::crypto::Receipt> =
            text.lines().filter_map(vigie::crypto::Receipt::parse).collect();
        let salt = vigie::reports::model::receipt_salt(c).unwrap();
        if !receipts.is_empty() {
            measure("receipt status look-up (Argon2id + queries)", n.min(40), |i| {
                let r = &receipts[i % receipts.len()];
                let h = r.hash(&salt.0);
                let found =
                    vigie::reports::model::find_by_receipt_hash(c, &h).unwrap().expect("a seeded receipt");
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
    println!(
        "| intake POST /api/v1/reports, {clients} clients | {} ok, {failures} failed | {:.1} reports/s | p50 {} ms | p99 {} ms |",
        times.len(),
        times.len() as f64 / secs,
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
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

fn rss(args: &[String]) {
    let pid = arg(args, "--pid").expect("--pid");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    let kb = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("0");
    println!("{kb}");
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
        _ => {
            eprintln!("usage: bench read|geo|argon2|load|weight|rss [options] (see bench/run)");
            std::process::exit(2);
        }
    }
}
