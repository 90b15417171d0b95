//! Sending one SMS through the gateway's HTTP API: `POST <gateway_url>` with the JSON body of
//! "SMS Gateway for Android" (`{"textMessage": {"text": …}, "phoneNumbers": ["+…"]}`) and HTTP
//! basic credentials, over plain HTTP (a gateway on the local network) or HTTPS. A small
//! HTTP/1.1 client on the standard library (and native-tls, already in the tree for mail):
//! one request, `Connection: close`, a 2xx status is success. Free of web and database types.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use base64::Engine;

const TIMEOUT: Duration = Duration::from_secs(15);

/// The JSON the gateway receives for one SMS.
pub fn body(number: &str, text: &str) -> String {
    serde_json::json!({ "textMessage": { "text": text }, "phoneNumbers": [format!("+{number}")] }).to_string()
}

struct Url {
    tls: bool,
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Url, String> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err("the gateway URL must start with http:// or https://".into());
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            (h.trim_matches(['[', ']']).to_string(), p.parse().map_err(|_| "bad port in the gateway URL")?)
        }
        _ => (authority.to_string(), if tls { 443 } else { 80 }),
    };
    if host.is_empty() {
        return Err("no host in the gateway URL".into());
    }
    Ok(Url { tls, host, port, path: path.to_string() })
}

/// Posts one SMS; `Err` with a short reason (no number, no text) when it was not accepted.
pub fn send(url: &str, credentials: &str, number: &str, text: &str) -> Result<(), String> {
    let u = parse_url(url)?;
    let payload = body(number, text);
    let mut head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        u.path,
        u.host,
        payload.len()
    );
    if !credentials.is_empty() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(credentials);
        head.push_str(&format!("Authorization: Basic {b64}\r\n"));
    }
    head.push_str("\r\n");
    let addr = (u.host.as_str(), u.port)
        .to_socket_addrs()
        .map_err(|e| format!("gateway address: {e}"))?
        .next()
        .ok_or("gateway address: none")?;
    let tcp = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("gateway connection: {e}"))?;
    tcp.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    let exchange = |s: &mut dyn ReadWrite, response: &mut Vec<u8>| -> std::io::Result<()> {
        s.write_all(head.as_bytes())?;
        s.write_all(payload.as_bytes())?;
        s.flush()?;
        Read::take(&mut *s, 64 * 1024).read_to_end(response)?;
        Ok(())
    };
    if u.tls {
        let connector = native_tls::TlsConnector::new().map_err(|e| format!("tls: {e}"))?;
        let mut s = connector.connect(&u.host, tcp).map_err(|e| format!("tls: {e}"))?;
        exchange(&mut s, &mut response).map_err(|e| format!("gateway: {e}"))?;
    } else {
        let mut s = tcp;
        exchange(&mut s, &mut response).map_err(|e| format!("gateway: {e}"))?;
    }
    let status_line = response.split(|b| *b == b'\n').next().unwrap_or_default();
    let status_line = String::from_utf8_lossy(status_line);
    let code: u16 = status_line.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    if (200..300).contains(&code) {
        Ok(())
    } else {
        Err(format!("gateway answered {}", status_line.trim()))
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_bodies() {
        let u = parse_url("http://192.168.1.5:8080/message").unwrap();
        assert_eq!(
            (u.tls, u.host.as_str(), u.port, u.path.as_str()),
            (false, "192.168.1.5", 8080, "/message")
        );
        let u = parse_url("https://sms.example.org").unwrap();
        assert_eq!((u.tls, u.port, u.path.as_str()), (true, 443, "/"));
        assert!(parse_url("ftp://x").is_err());
        let b: serde_json::Value = serde_json::from_str(&body("22376123456", "Bonjour")).unwrap();
        assert_eq!(b["phoneNumbers"][0], "+22376123456");
        assert_eq!(b["textMessage"]["text"], "Bonjour");
    }
}
