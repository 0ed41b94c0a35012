//! An in-process HTTP(S) file server for the integration tests: serves a directory
//! (GET/HEAD, ranges, ETags), records every request, injects faults per path and per
//! request number, and answers through custom handlers (a fake GitHub API).
//! HTTPS uses a test CA generated once per test process; its PEM is written next to
//! each server so the binary under test can trust it. Dropping the server stops it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::ops::Deref;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use sha2::{Digest, Sha256};

/// How long a connection may take to send its request before it is dropped.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// Granularity of every wait, so that shutdown is noticed quickly.
const POLL: Duration = Duration::from_millis(10);
/// How long `Drop` waits for connection threads before leaving them behind.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
const MAX_HEADER_BYTES: usize = 64 * 1024;
const MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;

/// One HTTP request as the server parsed it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent: path and query.
    pub target: String,
    /// The target without its query string.
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A request in the server's log, with what the server answered.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub request: Request,
    /// The status line's code (0 if the server never got to answer).
    pub status: u16,
    /// Body bytes handed to the connection (after faults such as `DropAfter`).
    pub body_bytes_sent: u64,
}

impl Deref for Recorded {
    type Target = Request;
    fn deref(&self) -> &Request {
        &self.request
    }
}

/// A response built by a handler or a fault.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// 200 with this body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200).body(body)
    }

    /// 200 with a JSON body and `Content-Type: application/json`.
    pub fn json(value: &serde_json::Value) -> Response {
        Response::ok(value.to_string()).header("Content-Type", "application/json")
    }

    /// 302 to `location`.
    pub fn redirect(location: &str) -> Response {
        Response::new(302).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    }
}

/// A misbehaviour to inject. Several body faults can apply to one request (for
/// example `IgnoreRange` and `DropAfter`); `Respond` and the redirects replace the
/// response altogether.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this response instead (status override, with headers).
    Respond(Response),
    /// Send the headers and this many body bytes, then cut the connection (no TLS
    /// close_notify).
    DropAfter(u64),
    /// Answer a `Range` request with the full body and 200.
    IgnoreRange,
    /// Send the headers, then wait this long before the body.
    Stall(Duration),
    /// Send the body at this many bytes per second.
    Trickle(u64),
    /// Announce `Content-Length` as the real length plus this (may be negative).
    LengthDelta(i64),
    /// 302 to exactly this URL.
    Redirect(String),
    /// 302 to this base URL followed by the request's own target ("another host").
    RedirectTo(String),
}

impl Fault {
    /// A bare status with a short text body.
    pub fn status(status: u16) -> Fault {
        Fault::Respond(Response::new(status).body(format!("injected status {status}\n")))
    }

    /// 503 with `Retry-After: <secs>`.
    pub fn unavailable(retry_after_secs: u64) -> Fault {
        Fault::Respond(
            Response::new(503)
                .header("Retry-After", &retry_after_secs.to_string())
                .body("service unavailable\n"),
        )
    }

    /// GitHub-style rate limiting: `status` (429 or 403) with
    /// `x-ratelimit-remaining: 0` and `x-ratelimit-reset: <reset_unix>`.
    pub fn rate_limited(status: u16, reset_unix: u64) -> Fault {
        Fault::Respond(
            Response::new(status)
                .header("x-ratelimit-limit", "60")
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", &reset_unix.to_string())
                .header("Content-Type", "application/json")
                .body(r#"{"message":"API rate limit exceeded"}"#),
        )
    }

    pub fn not_found() -> Fault {
        Fault::status(404)
    }

    /// 302 to the same target on `other` (a second server: "another host").
    pub fn redirect_to_server(other: &TestServer) -> Fault {
        Fault::RedirectTo(other.base_url())
    }
}

/// A registered fault rule; tune it with `times` and `after`, read it with `fired`.
pub struct FaultRule {
    shared: Arc<Shared>,
    id: usize,
}

impl FaultRule {
    /// Fire for at most `n` requests, then let requests through untouched.
    pub fn times(self, n: usize) -> FaultRule {
        self.shared.rules()[self.id].times = Some(n);
        self
    }

    /// Let the first `n` matching requests through before firing.
    pub fn after(self, n: usize) -> FaultRule {
        self.shared.rules()[self.id].skip = n;
        self
    }

    /// How many requests this rule has affected so far.
    pub fn fired(&self) -> usize {
        self.shared.rules()[self.id].fired
    }
}

struct Rule {
    pattern: String,
    fault: Fault,
    skip: usize,
    times: Option<usize>,
    seen: usize,
    fired: usize,
}

impl Rule {
    /// `*` matches every path, `/a/*` every path starting with `/a/`, otherwise exact.
    fn matches(&self, path: &str) -> bool {
        match self.pattern.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.pattern,
        }
    }

    /// Counts the request and says whether the rule fires for it.
    fn take(&mut self, path: &str) -> bool {
        if !self.matches(path) {
            return false;
        }
        self.seen += 1;
        let due = self.seen > self.skip && self.times.is_none_or(|t| self.fired < t);
        if due {
            self.fired += 1;
        }
        due
    }
}

type Handler = Box<dyn Fn(&Request) -> Option<Response> + Send + Sync>;

struct Shared {
    root: PathBuf,
    shutdown: AtomicBool,
    log: Mutex<Vec<Recorded>>,
    rules: Mutex<Vec<Rule>>,
    handlers: Mutex<Vec<Handler>>,
    connections: Mutex<Vec<JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking connection thread must not take the whole test down with it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn rules(&self) -> MutexGuard<'_, Vec<Rule>> {
        lock(&self.rules)
    }

    fn stopping(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    fn record(&self, request: &Request) -> usize {
        let mut log = lock(&self.log);
        log.push(Recorded {
            request: request.clone(),
            status: 0,
            body_bytes_sent: 0,
        });
        log.len() - 1
    }

    fn update(&self, entry: usize, f: impl FnOnce(&mut Recorded)) {
        if let Some(r) = lock(&self.log).get_mut(entry) {
            f(r);
        }
    }

    fn plan_for(&self, request: &Request) -> Plan {
        let mut plan = Plan::default();
        for rule in self.rules().iter_mut() {
            if rule.take(&request.path) {
                plan.add(rule.fault.clone(), request);
            }
        }
        plan
    }

    fn handler_response(&self, request: &Request) -> Option<Response> {
        lock(&self.handlers).iter().find_map(|h| h(request))
    }
}

/// The faults that apply to one request, merged.
#[derive(Default)]
struct Plan {
    replace: Option<Response>,
    ignore_range: bool,
    stall: Option<Duration>,
    trickle: Option<u64>,
    drop_after: Option<u64>,
    length_delta: i64,
}

impl Plan {
    fn add(&mut self, fault: Fault, request: &Request) {
        let replacement = match fault {
            Fault::Respond(r) => Some(r),
            Fault::Redirect(url) => Some(Response::redirect(&url)),
            Fault::RedirectTo(base) => Some(Response::redirect(&format!(
                "{}{}",
                base.trim_end_matches('/'),
                request.target
            ))),
            Fault::DropAfter(n) => {
                self.drop_after = Some(n);
                None
            }
            Fault::IgnoreRange => {
                self.ignore_range = true;
                None
            }
            Fault::Stall(d) => {
                self.stall = Some(d);
                None
            }
            Fault::Trickle(bps) => {
                self.trickle = Some(bps.max(1));
                None
            }
            Fault::LengthDelta(d) => {
                self.length_delta = d;
                None
            }
        };
        if self.replace.is_none() {
            self.replace = replacement;
        }
    }
}

/// A running server; stops (and joins its threads, with a bound) when dropped.
pub struct TestServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    tls: bool,
    ca_dir: Option<tempfile::TempDir>,
    accept_thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// HTTPS on 127.0.0.1 with a certificate for `localhost` and `127.0.0.1`.
    pub fn https(root: impl Into<PathBuf>) -> TestServer {
        let material = tls_material();
        let ca_dir = tempfile::tempdir().expect("temp dir for the CA certificate");
        std::fs::write(ca_dir.path().join("ca.pem"), &material.ca_pem).expect("write CA PEM");
        TestServer::start(root.into(), Some(material.config.clone()), Some(ca_dir))
    }

    /// Plain HTTP on 127.0.0.1.
    pub fn http(root: impl Into<PathBuf>) -> TestServer {
        TestServer::start(root.into(), None, None)
    }

    fn start(
        root: PathBuf,
        tls: Option<Arc<ServerConfig>>,
        ca_dir: Option<tempfile::TempDir>,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("listener address");
        let shared = Arc::new(Shared {
            root,
            shutdown: AtomicBool::new(false),
            log: Mutex::new(Vec::new()),
            rules: Mutex::new(Vec::new()),
            handlers: Mutex::new(Vec::new()),
            connections: Mutex::new(Vec::new()),
        });
        let is_tls = tls.is_some();
        let accept_shared = shared.clone();
        let accept_thread = thread::spawn(move || accept_loop(listener, accept_shared, tls));
        TestServer {
            shared,
            addr,
            tls: is_tls,
            ca_dir,
            accept_thread: Some(accept_thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn root(&self) -> &Path {
        &self.shared.root
    }

    /// `https://127.0.0.1:<port>` (or `http://`), no trailing slash.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.addr.port())
    }

    /// `base_url()` followed by `path` (which should start with `/`, or be empty).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// The same URL with the host name `localhost` instead of the IP.
    pub fn url_localhost(&self, path: &str) -> String {
        self.url(path).replacen("127.0.0.1", "localhost", 1)
    }

    /// The test CA's PEM file (HTTPS servers only).
    pub fn ca_cert_path(&self) -> Option<PathBuf> {
        self.ca_dir.as_ref().map(|d| d.path().join("ca.pem"))
    }

    /// The test CA as PEM text (the same for every server of this test process).
    pub fn ca_pem() -> &'static str {
        &tls_material().ca_pem
    }

    /// Injects `fault` into requests whose path matches `pattern` (`*` = all,
    /// `/prefix/*`, or an exact path). Fires on every match unless tuned.
    pub fn fault(&self, pattern: &str, fault: Fault) -> FaultRule {
        let mut rules = self.shared.rules();
        rules.push(Rule {
            pattern: pattern.to_string(),
            fault,
            skip: 0,
            times: None,
            seen: 0,
            fired: 0,
        });
        FaultRule {
            shared: self.shared.clone(),
            id: rules.len() - 1,
        }
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.rules().clear();
    }

    /// Adds a custom responder, asked before files are served (after faults that
    /// replace the response). The first handler returning `Some` wins.
    pub fn handle(&self, handler: impl Fn(&Request) -> Option<Response> + Send + Sync + 'static) {
        lock(&self.shared.handlers).push(Box::new(handler));
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.log).clone()
    }

    /// The requests whose path (without query) is `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// How many requests had this path (without query).
    pub fn count(&self, path: &str) -> usize {
        self.requests_to(path).len()
    }

    /// Total body bytes sent for this path over all requests.
    pub fn bytes_sent(&self, path: &str) -> u64 {
        self.requests_to(path)
            .iter()
            .map(|r| r.body_bytes_sent)
            .sum()
    }

    /// Forgets the request log (fault rules keep their counters).
    pub fn clear_log(&self) {
        lock(&self.shared.log).clear();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept_thread.take() {
            let _ = accept.join();
        }
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        let connections = std::mem::take(&mut *lock(&self.shared.connections));
        for handle in connections {
            while !handle.is_finished() && Instant::now() < deadline {
                thread::sleep(POLL);
            }
            if handle.is_finished() {
                let _ = handle.join();
            }
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>, tls: Option<Arc<ServerConfig>>) {
    while !shared.stopping() {
        match listener.accept() {
            Ok((tcp, _)) => {
                let conn_shared = shared.clone();
                let tls = tls.clone();
                let handle = thread::spawn(move || {
                    if let Some(conn) = open_connection(tcp, tls) {
                        serve_connection(conn, &conn_shared);
                    }
                });
                let mut connections = lock(&shared.connections);
                connections.retain(|h| !h.is_finished());
                connections.push(handle);
            }
            Err(_) => thread::sleep(POLL),
        }
    }
}

/// A plain or TLS connection; `abort` cuts it without a TLS close_notify.
trait Conn: Read + Write {
    fn tcp(&self) -> &TcpStream;
    fn close_notify(&mut self);
}

impl Conn for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
    fn close_notify(&mut self) {}
}

impl Conn for StreamOwned<ServerConnection, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }
    fn close_notify(&mut self) {
        self.conn.send_close_notify();
        let _ = self.flush();
    }
}

fn open_connection(tcp: TcpStream, tls: Option<Arc<ServerConfig>>) -> Option<Box<dyn Conn>> {
    tcp.set_nonblocking(false).ok()?;
    tcp.set_read_timeout(Some(POLL * 10)).ok()?;
    tcp.set_nodelay(true).ok()?;
    match tls {
        None => Some(Box::new(tcp)),
        Some(config) => {
            let conn = ServerConnection::new(config).ok()?;
            Some(Box::new(StreamOwned::new(conn, tcp)))
        }
    }
}

fn serve_connection(mut conn: Box<dyn Conn>, shared: &Shared) {
    let Some(request) = read_request(&mut *conn, shared) else {
        return;
    };
    let entry = shared.record(&request);
    let plan = shared.plan_for(&request);
    let response = match plan.replace.clone() {
        Some(r) => r,
        None => shared
            .handler_response(&request)
            .unwrap_or_else(|| serve_file(&shared.root, &request, plan.ignore_range)),
    };
    shared.update(entry, |r| r.status = response.status);
    let completed = write_response(&mut *conn, shared, entry, &request, &response, &plan);
    if completed {
        conn.close_notify();
        let _ = conn.tcp().shutdown(Shutdown::Write);
        drain(conn.tcp());
    } else {
        let _ = conn.tcp().shutdown(Shutdown::Both);
    }
}

/// Reads what the client still sends, so that closing does not reset the connection
/// before the client has read our response.
fn drain(mut tcp: &TcpStream) {
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match tcp.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {}
            Err(_) => return,
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

fn read_request(conn: &mut dyn Conn, shared: &Shared) -> Option<Request> {
    let deadline = Instant::now() + REQUEST_DEADLINE;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(pos) = find(&buf, b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > MAX_HEADER_BYTES || shared.stopping() || Instant::now() > deadline {
            return None;
        }
        match conn.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => {}
            Err(_) => return None,
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut request = parse_head(&head)?;
    let mut body = buf[header_end + 4..].to_vec();
    let wanted: usize = request
        .header("content-length")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while body.len() < wanted.min(MAX_REQUEST_BODY) {
        if shared.stopping() || Instant::now() > deadline {
            return None;
        }
        match conn.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => {}
            Err(_) => return None,
        }
    }
    request.body = body;
    Some(request)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_head(head: &str) -> Option<Request> {
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (target.clone(), None),
    };
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Request {
        method,
        target,
        path,
        query,
        headers,
        body: Vec::new(),
    })
}

fn serve_file(root: &Path, request: &Request, ignore_range: bool) -> Response {
    if request.method != "GET" && request.method != "HEAD" {
        return Response::new(405).header("Allow", "GET, HEAD");
    }
    let Some(file) = resolve(root, &request.path) else {
        return Response::new(404).body("not found\n");
    };
    let Ok(content) = std::fs::read(&file) else {
        return Response::new(404).body("not found\n");
    };
    let etag = etag_of(&content);
    let base = |status: u16| {
        Response::new(status)
            .header("ETag", &etag)
            .header("Accept-Ranges", "bytes")
            .header("Content-Type", content_type(&file))
    };
    if let Some(tags) = request.header("if-none-match") {
        if tags.split(',').any(|t| t.trim() == etag || t.trim() == "*") {
            return base(304);
        }
    }
    let range_applies =
        !ignore_range && request.header("if-range").is_none_or(|v| v.trim() == etag);
    let range = request.header("range").filter(|_| range_applies);
    match range.map(|r| parse_range(r, content.len() as u64)) {
        None | Some(RangeAnswer::Ignore) => base(200).body(content),
        Some(RangeAnswer::Unsatisfiable) => {
            base(416).header("Content-Range", &format!("bytes */{}", content.len()))
        }
        Some(RangeAnswer::Part(start, end)) => base(206)
            .header(
                "Content-Range",
                &format!("bytes {start}-{end}/{}", content.len()),
            )
            .body(content[start as usize..=end as usize].to_vec()),
    }
}

/// Maps a URL path to a file under `root`, refusing anything that could leave it.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let file = root.join(relative);
    file.is_file().then_some(file)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn etag_of(content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("json") => "application/json",
        Some("minisig") | Some("txt") => "text/plain",
        _ if file.file_name().is_some_and(|n| n == "SHA256SUMS") => "text/plain",
        _ => "application/octet-stream",
    }
}

enum RangeAnswer {
    Part(u64, u64),
    Unsatisfiable,
    /// Multi-range or malformed: answer with the whole body, as servers may.
    Ignore,
}

fn parse_range(header: &str, len: u64) -> RangeAnswer {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return RangeAnswer::Ignore;
    };
    if spec.contains(',') {
        return RangeAnswer::Ignore;
    }
    let Some((start, end)) = spec.split_once('-') else {
        return RangeAnswer::Ignore;
    };
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => match suffix.parse::<u64>() {
            Ok(n) if n > 0 && len > 0 => (len.saturating_sub(n), len - 1),
            Ok(_) => return RangeAnswer::Unsatisfiable,
            Err(_) => return RangeAnswer::Ignore,
        },
        (s, "") => match s.parse::<u64>() {
            Ok(s) => (s, len.saturating_sub(1)),
            Err(_) => return RangeAnswer::Ignore,
        },
        (s, e) => match (s.parse::<u64>(), e.parse::<u64>()) {
            (Ok(s), Ok(e)) if s <= e => (s, e.min(len.saturating_sub(1))),
            _ => return RangeAnswer::Ignore,
        },
    };
    if start >= len {
        RangeAnswer::Unsatisfiable
    } else {
        RangeAnswer::Part(start, end)
    }
}

/// Writes the response with the plan's faults; false if the connection was cut (on
/// purpose or because the client went away).
fn write_response(
    conn: &mut dyn Conn,
    shared: &Shared,
    entry: usize,
    request: &Request,
    response: &Response,
    plan: &Plan,
) -> bool {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let bodiless = request.method == "HEAD" || matches!(response.status, 204 | 304);
    if !response.has_header("content-length") && response.status != 304 {
        let announced = (response.body.len() as i64 + plan.length_delta).max(0);
        head.push_str(&format!("Content-Length: {announced}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    if conn.write_all(head.as_bytes()).is_err() || conn.flush().is_err() {
        return false;
    }
    if let Some(stall) = plan.stall {
        sleep_unless_stopping(shared, stall);
    }
    if bodiless {
        return true;
    }
    let limit = plan
        .drop_after
        .unwrap_or(u64::MAX)
        .min(response.body.len() as u64) as usize;
    let (chunk_size, pause) = match plan.trickle {
        Some(bps) => {
            let chunk = (bps / 10).max(1);
            (chunk as usize, Duration::from_millis(chunk * 1000 / bps))
        }
        None => (16 * 1024, Duration::ZERO),
    };
    for chunk in response.body[..limit].chunks(chunk_size) {
        if shared.stopping() {
            return false;
        }
        // Counted before writing: the client may finish and the test read the log
        // before this thread runs again.
        shared.update(entry, |r| r.body_bytes_sent += chunk.len() as u64);
        if conn.write_all(chunk).is_err() || conn.flush().is_err() {
            shared.update(entry, |r| r.body_bytes_sent -= chunk.len() as u64);
            return false;
        }
        sleep_unless_stopping(shared, pause);
    }
    plan.drop_after
        .is_none_or(|n| n >= response.body.len() as u64)
}

fn sleep_unless_stopping(shared: &Shared, duration: Duration) {
    let until = Instant::now() + duration;
    while !shared.stopping() {
        let now = Instant::now();
        if now >= until {
            return;
        }
        thread::sleep(POLL.min(until - now));
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

struct TlsMaterial {
    ca_pem: String,
    config: Arc<ServerConfig>,
}

/// One CA and one leaf certificate per test process: generating keys is cheap, but
/// sharing the CA lets one `--ca-cert` file trust every server of a test.
fn tls_material() -> &'static TlsMaterial {
    static MATERIAL: OnceLock<TlsMaterial> = OnceLock::new();
    MATERIAL.get_or_init(generate_tls_material)
}

fn generate_tls_material() -> TlsMaterial {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "bitnet-install test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).expect("self-sign CA");

    let leaf_key = KeyPair::generate().expect("server key");
    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("server params");
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf_params
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .expect("sign server certificate");

    let chain: Vec<CertificateDer<'static>> = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server certificate");
    TlsMaterial {
        ca_pem: ca_cert.pem(),
        config: Arc::new(config),
    }
}
