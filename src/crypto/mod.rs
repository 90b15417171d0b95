//! Secrets: random tokens, receipt codes, Argon2id hashing of passwords and receipts, SHA-256
//! (this file); sealing values and streams (`seal`), key pairs, sealed boxes and private keys
//! under a password or a session token (`keys`), Shamir's secret sharing (`shamir`).
//! Free of web and database types. Argon2 work is expensive by design, so callers run it off
//! the async workers through [`HashLimiter`], which also caps how many run at once.

use std::sync::Arc;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

pub mod keys;
pub mod seal;
pub mod shamir;
pub mod text;

pub use keys::{PrivateKey, PublicKey, SessionKey, StoredKeyPair};
pub use seal::SecretKey;

/// A ciphertext, key or share that does not open: wrong key or password, changed bytes, or
/// not what it claims to be. Never says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("refused: the key does not open this value, or the value was changed")]
pub struct Refused;

/// OWASP's Argon2id parameters: 19 MiB, 2 passes, 1 lane.
pub fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params"),
    )
}

/// A URL-safe random token of `bytes` random bytes, from the OS source.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Compares without an early exit, so timing does not reveal a common prefix.
pub fn constant_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A receipt: 16 digits from the OS random source, shown as four groups of four.
#[derive(Clone, PartialEq, Eq)]
pub struct Receipt(String);

impl std::fmt::Debug for Receipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Security: never print a receipt into a log by accident.
        f.write_str("Receipt(****)")
    }
}

impl Receipt {
    pub fn generate() -> Receipt {
        let mut rng = OsRng;
        Receipt((0..16).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect())
    }

    /// Accepts what a person types: digits with any spaces or dashes.
    pub fn parse(input: &str) -> Option<Receipt> {
        let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{a0}')).collect();
        (digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(Receipt(digits))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// `1234 5678 9012 3456`
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The Argon2id hash stored for this receipt. The salt is the installation's receipt salt
    /// (random, kept in the database), so the same receipt always gives the same hash and a
    /// look-up is one indexed query; guessing costs one Argon2id per try.
    pub fn hash(&self, salt: &[u8]) -> String {
        self.hash_with(salt, &mut receipt_memory())
    }

    /// The same hash, computed in memory the caller keeps (see [`HashLimiter::hash_receipt`]).
    pub fn hash_with(&self, salt: &[u8], memory: &mut [argon2::Block]) -> String {
        self.digest_with(salt, memory).legacy()
    }

    /// The receipt's one Argon2id output, from which the stored look-up value and the
    /// reporter's key are both derived.
    pub fn digest_with(&self, salt: &[u8], memory: &mut [argon2::Block]) -> ReceiptDigest {
        let mut out = zeroize::Zeroizing::new([0u8; 32]);
        argon2()
            .hash_password_into_with_memory(self.0.as_bytes(), salt, out.as_mut(), memory)
            .expect("argon2 with a 16-byte salt, 32-byte output and full memory cannot fail");
        ReceiptDigest(out)
    }
}

/// A receipt's Argon2id output (issue 15): one computation gives both what is stored to find
/// the report ([`ReceiptDigest::lookup`]) and the key that opens the reporter's copy of the
/// report's data key ([`ReceiptDigest::reporter_key`]), through HKDF with two labels, so that
/// neither tells the other: a copy of the database holds the look-up value, from which the key
/// cannot be derived. Filing still costs one Argon2id. Receipts filed before kept the output
/// itself ([`ReceiptDigest::legacy`]); their reports were not sealed to the reporter.
#[derive(Clone)]
pub struct ReceiptDigest(zeroize::Zeroizing<[u8; 32]>);

impl std::fmt::Debug for ReceiptDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptDigest(****)")
    }
}

impl ReceiptDigest {
    /// What a report filed from issue 15 on stores in `receipt_hash`.
    pub fn lookup(&self) -> String {
        let k = keys::derive(None, self.0.as_ref(), b"vigie receipt lookup v1");
        format!("argon2id+hkdf${}", hex::encode(k.as_bytes()))
    }

    /// What a report filed before stores: the Argon2id output itself.
    pub fn legacy(&self) -> String {
        format!("argon2id$v=19$m=19456,t=2,p=1${}", hex::encode(self.0.as_ref()))
    }

    /// The output back from a stored value of the older form ([`ReceiptDigest::legacy`]), so
    /// that `vigie keys seal` can make the look-up value and the reporter's copy of a report
    /// filed in clear (and then replace the stored output); None for any other value.
    pub fn from_legacy(stored: &str) -> Option<ReceiptDigest> {
        let raw = hex::decode(stored.strip_prefix("argon2id$v=19$m=19456,t=2,p=1$")?).ok()?;
        Some(ReceiptDigest(zeroize::Zeroizing::new(raw.try_into().ok()?)))
    }

    /// The key that opens the reporter's copy of their report's data key.
    pub fn reporter_key(&self) -> SecretKey {
        keys::derive(None, self.0.as_ref(), b"vigie reporter key v1")
    }
}

/// The 19 MiB of work memory one Argon2id computation needs.
pub fn receipt_memory() -> Vec<argon2::Block> {
    vec![argon2::Block::default(); argon2().params().block_count()]
}

/// Hashes a password with Argon2id and a fresh random salt (PHC string).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid params")
        .to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a password nobody has, verified when an email is unknown so that the answer
/// takes as long as for a real account.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("vigie-dummy-password-never-valid"))
}

/// Caps concurrent Argon2 work so that a flood of submissions cannot starve the server, and
/// runs it on the blocking pool.
///
/// Receipts are hashed in work memory kept between calls (one 19 MiB buffer per concurrent
/// hash, `concurrency` at most): a fresh buffer would cost the kernel 19 MiB of page faults and
/// zeroing each time, which under load is a fifth of the CPU.
#[derive(Clone)]
pub struct HashLimiter {
    permits: Arc<tokio::sync::Semaphore>,
    memory: Arc<std::sync::Mutex<Vec<Vec<argon2::Block>>>>,
    /// How many work buffers to keep (each 19 MiB resident): throughput against memory.
    keep: usize,
    /// The queue's length and wait, for `/metrics`.
    stats: Arc<crate::metrics::QueueStats>,
}

/// Counts a computation as waiting until it holds a permit, then as running until it is done
/// (or its request is dropped).
struct Queued<'a> {
    stats: &'a crate::metrics::QueueStats,
    running: bool,
}

impl<'a> Queued<'a> {
    fn enter(stats: &'a crate::metrics::QueueStats) -> Self {
        stats.waiting.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Queued { stats, running: false }
    }

    fn start(&mut self, since: std::time::Instant) {
        use std::sync::atomic::Ordering::Relaxed;
        self.stats.wait.observe(since.elapsed());
        self.stats.waiting.fetch_sub(1, Relaxed);
        self.stats.running.fetch_add(1, Relaxed);
        self.running = true;
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        let counter = if self.running { &self.stats.running } else { &self.stats.waiting };
        counter.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl HashLimiter {
    pub fn new(concurrency: usize) -> Self {
        Self::with_kept_memory(concurrency, concurrency)
    }

    pub fn with_kept_memory(concurrency: usize, keep: usize) -> Self {
        HashLimiter {
            permits: Arc::new(tokio::sync::Semaphore::new(concurrency.max(1))),
            memory: Arc::new(std::sync::Mutex::new(vec![])),
            keep: keep.min(concurrency.max(1)),
            stats: Arc::default(),
        }
    }

    /// The queue's length and wait (`/metrics`).
    pub fn stats(&self) -> Arc<crate::metrics::QueueStats> {
        self.stats.clone()
    }

    async fn permit(&self) -> (tokio::sync::SemaphorePermit<'_>, Queued<'_>) {
        let since = std::time::Instant::now();
        let mut queued = Queued::enter(&self.stats);
        let permit = self.permits.acquire().await.expect("semaphore never closed");
        queued.start(since);
        (permit, queued)
    }

    /// A receipt's Argon2id output, computed off the async workers in kept work memory.
    pub async fn hash_receipt(&self, receipt: Receipt, salt: Vec<u8>) -> ReceiptDigest {
        let _permit = self.permit().await;
        let mut memory =
            self.memory.lock().unwrap_or_else(|p| p.into_inner()).pop().unwrap_or_else(receipt_memory);
        let (hash, memory) = tokio::task::spawn_blocking(move || {
            let h = receipt.digest_with(&salt, &mut memory);
            (h, memory)
        })
        .await
        .expect("argon2 task panicked");
        let mut kept = self.memory.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() < self.keep {
            kept.push(memory);
        }
        hash
    }

    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let _permit = self.permit().await;
        tokio::task::spawn_blocking(f).await.expect("argon2 task panicked")
    }
}

/// Argon2 work with its own permits and a bounded queue: [`BoundedHasher::run`] answers
/// `None` at once when `max_waiting` calls are already waiting or running, so a flood is
/// refused early instead of queueing for minutes. The staff doors use one of these, apart from
/// the reporters' [`HashLimiter`], so that sign-in floods never delay a report.
pub struct BoundedHasher {
    inner: HashLimiter,
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    max_waiting: usize,
}

struct Waiting(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl BoundedHasher {
    /// The queue's length and wait (`/metrics`).
    pub fn stats(&self) -> Arc<crate::metrics::QueueStats> {
        self.inner.stats()
    }

    pub fn new(concurrency: usize, max_waiting: usize) -> Self {
        BoundedHasher {
            inner: HashLimiter::with_kept_memory(concurrency, 0),
            waiting: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            max_waiting: max_waiting.max(concurrency).max(1),
        }
    }

    /// A receipt's Argon2id output, or None when the queue is full.
    pub async fn hash_receipt(&self, receipt: Receipt, salt: Vec<u8>) -> Option<ReceiptDigest> {
        self.run(move || receipt.digest_with(&salt, &mut receipt_memory())).await
    }

    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let before = self.waiting.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _slot = Waiting(self.waiting.clone());
        if before >= self.max_waiting {
            self.inner.stats.refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return None;
        }
        Some(self.inner.run(f).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_are_16_digits_and_parse_back() {
        let r = Receipt::generate();
        assert_eq!(r.digits().len(), 16);
        let g = r.grouped();
        assert_eq!(g.len(), 19);
        assert_eq!(Receipt::parse(&g), Some(r.clone()));
        assert_eq!(Receipt::parse(&g.replace(' ', "-")), Some(r));
        assert!(Receipt::parse("1234 5678 9012 345").is_none());
        assert!(Receipt::parse("1234 5678 9012 345a").is_none());
        assert_ne!(Receipt::generate(), Receipt::generate());
    }

    #[test]
    fn receipt_hash_is_deterministic_per_salt_and_hides_digits() {
        let r = Receipt::parse("1234567812345678").unwrap();
        let a = r.hash(b"0123456789abcdef");
        assert_eq!(a, r.hash(b"0123456789abcdef"));
        assert_ne!(a, r.hash(b"fedcba9876543210"));
        assert!(!a.contains("12345678"));
        // One output, three values that do not give each other.
        let d = r.digest_with(b"0123456789abcdef", &mut receipt_memory());
        assert_eq!(d.legacy(), a);
        assert!(d.lookup().starts_with("argon2id+hkdf$") && d.lookup() != a);
        assert!(!a.contains(&hex::encode(d.reporter_key().as_bytes())));
        assert!(!d.lookup().contains(&hex::encode(d.reporter_key().as_bytes())));
        let back = ReceiptDigest::from_legacy(&a).unwrap();
        assert_eq!((back.lookup(), back.reporter_key()), (d.lookup(), d.reporter_key()));
        assert!(ReceiptDigest::from_legacy(&d.lookup()).is_none());
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn bounded_hasher_refuses_beyond_its_queue_at_once() {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            let h = Arc::new(BoundedHasher::new(1, 3));
            let tasks: Vec<_> = (0..12)
                .map(|_| {
                    let h = h.clone();
                    tokio::spawn(async move {
                        h.run(|| std::thread::sleep(std::time::Duration::from_millis(100))).await.is_some()
                    })
                })
                .collect();
            let mut done = 0;
            for t in tasks {
                done += usize::from(t.await.unwrap());
            }
            assert!((1..=3).contains(&done), "{done} ran; at most the queue's 3 may");
            assert!(h.run(|| 1).await == Some(1), "the queue drains and the hasher serves again");
        });
    }

    #[test]
    fn constant_eq_works() {
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd"));
        assert!(!constant_eq("abc", "ab"));
    }
}
