//! What gateways send and how it is checked: the USSD callback (Africa's Talking style), two
//! inbound-SMS formats, the signature of signed callbacks, and the secret in the path. Free of
//! web and database types.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The largest callback body read (a USSD step or one SMS with its envelope).
pub const BODY_MAX: usize = 16 * 1024;

/// A USSD callback: `sessionId`, `serviceCode`, `phoneNumber`, `text` (form-encoded).
#[derive(Debug, Clone, PartialEq)]
pub struct UssdCall {
    pub session_id: String,
    pub service_code: String,
    pub phone_number: String,
    pub text: String,
}

/// One inbound SMS, whatever the gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundSms {
    pub from: String,
    pub text: String,
}

/// The inbound-SMS formats Vigie reads (`POST /channels/sms/<adapter>/<secret>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    /// Aggregators' form posts (Africa's Talking style): `from`, `text` (and `to`, `date`, `id`,
    /// which are not kept).
    Form,
    /// "SMS Gateway for Android" webhooks: JSON `{"event": "sms:received", "payload":
    /// {"phoneNumber": …, "message": …}}`; other events are acknowledged and ignored.
    Android,
}

impl Adapter {
    pub fn parse(name: &str) -> Option<Adapter> {
        match name {
            "form" => Some(Adapter::Form),
            "android" => Some(Adapter::Android),
            _ => None,
        }
    }
}

fn form(body: &[u8]) -> Option<Vec<(String, String)>> {
    std::str::from_utf8(body).ok()?;
    Some(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
}

fn field(fields: &[(String, String)], name: &str) -> Option<String> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

pub fn parse_ussd(body: &[u8]) -> Option<UssdCall> {
    let f = form(body)?;
    let call = UssdCall {
        session_id: field(&f, "sessionId")?,
        service_code: field(&f, "serviceCode").unwrap_or_default(),
        phone_number: field(&f, "phoneNumber")?,
        text: field(&f, "text")?,
    };
    (!call.session_id.is_empty() && call.text.chars().count() <= 2000).then_some(call)
}

/// A callback body that is not its adapter's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// `Ok(None)`: a well-formed call that carries no inbound SMS (another event).
pub fn parse_sms(adapter: Adapter, body: &[u8]) -> Result<Option<InboundSms>, Malformed> {
    match adapter {
        Adapter::Form => {
            let f = form(body).ok_or(Malformed)?;
            Ok(Some(InboundSms {
                from: field(&f, "from").ok_or(Malformed)?,
                text: field(&f, "text").ok_or(Malformed)?,
            }))
        }
        Adapter::Android => {
            let v: serde_json::Value = serde_json::from_slice(body).map_err(|_| Malformed)?;
            let event = v.get("event").and_then(|e| e.as_str()).ok_or(Malformed)?;
            if event != "sms:received" {
                return Ok(None);
            }
            let p = v.get("payload").ok_or(Malformed)?;
            let text = |k: &str| p.get(k).and_then(|x| x.as_str()).map(String::from).ok_or(Malformed);
            Ok(Some(InboundSms { from: text("phoneNumber")?, text: text("message")? }))
        }
    }
}

/// Why a signed callback was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// Missing, not hex, or not the body's.
    Bad,
    /// The timestamp is outside the window (an old callback played again, or a clock far off).
    Stale,
}

/// Checks `X-Signature` = hex(HMAC-SHA-256(key, body ‖ X-Timestamp)) and that the timestamp is
/// within `window` seconds of `now` (the "SMS Gateway for Android" scheme). Security: the MAC
/// is compared in constant time (`verify_slice`).
pub fn check_signature(
    key: &str,
    body: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    now: u64,
    window: u64,
) -> Result<(), SignatureError> {
    let (Some(ts), Some(sig)) = (timestamp, signature) else { return Err(SignatureError::Bad) };
    let sig = hex::decode(sig.trim()).map_err(|_| SignatureError::Bad)?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).map_err(|_| SignatureError::Bad)?;
    mac.update(body);
    mac.update(ts.trim().as_bytes());
    mac.verify_slice(&sig).map_err(|_| SignatureError::Bad)?;
    let ts: u64 = ts.trim().parse().map_err(|_| SignatureError::Bad)?;
    if ts.abs_diff(now) > window {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// The signature a gateway would send (tests and docs/CHANNELS.md).
pub fn sign(key: &str, body: &[u8], timestamp: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(body);
    mac.update(timestamp.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether the secret in a callback's path is the configured one. Security: an empty
/// configured secret (the channel off) matches nothing; the comparison is in constant time, on
/// digests so that the length does not show either.
pub fn secret_matches(configured: &str, given: &str) -> bool {
    if configured.is_empty() {
        return false;
    }
    crate::crypto::constant_eq(
        &hex::encode(Sha256::digest(configured.as_bytes())),
        &hex::encode(Sha256::digest(given.as_bytes())),
    )
}

/// A USSD answer: `CON ` to ask more, `END ` to finish.
pub fn ussd_answer(more: bool, text: &str) -> String {
    format!("{} {}", if more { "CON" } else { "END" }, super::conversation::for_phone(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ussd_and_sms_bodies_parse_or_are_refused() {
        let c = parse_ussd(b"sessionId=ATUid_1&serviceCode=%2A123%23&phoneNumber=%2B22376123456&text=1%2A2")
            .unwrap();
        assert_eq!((c.phone_number.as_str(), c.text.as_str()), ("+22376123456", "1*2"));
        assert_eq!(parse_ussd(b"sessionId=1&phoneNumber=%2B223"), None, "no text");
        assert_eq!(parse_ussd(b"\xff\xfe"), None);
        let s = parse_sms(Adapter::Form, b"from=%2B22376123456&to=36000&text=Bonjour").unwrap().unwrap();
        assert_eq!(s.text, "Bonjour");
        assert_eq!(parse_sms(Adapter::Form, b"to=1&text=x"), Err(Malformed));
        let json = br#"{"event":"sms:received","payload":{"phoneNumber":"+22376123456","message":"Hi"}}"#;
        assert_eq!(parse_sms(Adapter::Android, json).unwrap().unwrap().text, "Hi");
        assert_eq!(parse_sms(Adapter::Android, br#"{"event":"sms:sent","payload":{}}"#), Ok(None));
        assert_eq!(parse_sms(Adapter::Android, b"{not json"), Err(Malformed));
        assert_eq!(Adapter::parse("smpp"), None);
    }

    #[test]
    fn signatures_are_checked_with_their_timestamp_window() {
        let body = b"{\"event\":\"sms:received\"}";
        let sig = sign("k", body, "1000");
        assert_eq!(check_signature("k", body, Some("1000"), Some(&sig), 1100, 300), Ok(()));
        assert_eq!(
            check_signature("k", body, Some("1000"), Some(&sig), 1400, 300),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            check_signature("other", body, Some("1000"), Some(&sig), 1000, 300),
            Err(SignatureError::Bad)
        );
        assert_eq!(
            check_signature("k", b"{}", Some("1000"), Some(&sig), 1000, 300),
            Err(SignatureError::Bad)
        );
        // The timestamp is signed: moving it forward breaks the signature.
        assert_eq!(check_signature("k", body, Some("1350"), Some(&sig), 1400, 300), Err(SignatureError::Bad));
        assert_eq!(check_signature("k", body, None, Some(&sig), 1000, 300), Err(SignatureError::Bad));
        assert_eq!(check_signature("k", body, Some("1000"), Some("zz"), 1000, 300), Err(SignatureError::Bad));
    }

    #[test]
    fn secrets_match_only_when_set_and_equal() {
        assert!(secret_matches("abc", "abc"));
        assert!(!secret_matches("abc", "abd"));
        assert!(!secret_matches("", ""));
    }
}
