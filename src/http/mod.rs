//! The only module that knows reqwest: TLS roots (system store plus `--ca-cert`),
//! proxies from the environment, timeouts, retries with backoff and
//! `Retry-After`, a minimum transfer rate, and resumable downloads with `Range`
//! and `If-Range`. Callers see two calls: `get` for small documents and
//! `download` for streaming an asset into a file.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use reqwest::{Client, Response};

use crate::env::Env;
use crate::error::{Error, Result};

mod reach;

use reach::redirect_policy;
pub use reach::Token;

/// Network settings derived from the configuration.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    pub ca_cert: Option<PathBuf>,
    /// Connect timeout and read-idle timeout.
    pub timeout: Duration,
    /// Total attempts per request (the first one included).
    pub attempts: u32,
    /// The first wait between attempts; each later one doubles, plus jitter.
    pub retry_base: Duration,
    /// Longest wait between attempts, whatever `Retry-After` asks for.
    pub max_backoff: Duration,
    /// A transfer slower than this, averaged over `rate_window`, is abandoned.
    pub min_bytes_per_sec: u64,
    pub rate_window: Duration,
    pub proxies: Proxies,
    /// `GITHUB_TOKEN` / `GH_TOKEN`, sent only where `Token::is_for` allows.
    pub token: Option<Token>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            ca_cert: None,
            timeout: Duration::from_secs(30),
            attempts: 4,
            retry_base: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            min_bytes_per_sec: 1024,
            rate_window: Duration::from_secs(30),
            proxies: Proxies::default(),
            token: None,
        }
    }
}

/// The standard proxy variables, read through the `Env` seam.
#[derive(Clone, Debug, Default)]
pub struct Proxies {
    pub https: Option<String>,
    pub http: Option<String>,
    pub all: Option<String>,
    pub no_proxy: Option<String>,
}

impl Proxies {
    pub fn from_env(env: &Env) -> Self {
        Proxies {
            https: env
                .first_var(&["HTTPS_PROXY", "https_proxy"])
                .map(String::from),
            http: env
                .first_var(&["HTTP_PROXY", "http_proxy"])
                .map(String::from),
            all: env.first_var(&["ALL_PROXY", "all_proxy"]).map(String::from),
            no_proxy: env.first_var(&["NO_PROXY", "no_proxy"]).map(String::from),
        }
    }
}

/// A small document and the response headers callers care about.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
    /// The `ETag`, for conditional requests.
    pub etag: Option<String>,
    /// The raw `Link` header (pagination).
    pub link: Option<String>,
}

impl Fetched {
    fn new(status: u16, body: Vec<u8>, headers: &HeaderMap) -> Fetched {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        Fetched {
            status,
            body,
            etag: text("etag"),
            link: text("link"),
        }
    }

    /// The `rel="next"` URL of the `Link` header.
    pub fn link_next(&self) -> Option<String> {
        next_link(self.link.as_deref()?)
    }
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// reqwest's async client on a current-thread runtime: no thread hop per body
/// chunk as with the blocking client, which held downloads to a third of TLS speed.
pub struct Http {
    client: Client,
    runtime: tokio::runtime::Runtime,
    options: HttpOptions,
}

impl Http {
    pub fn new(options: HttpOptions) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                Error::other(
                    format!("could not start the network runtime: {e}"),
                    "this is a bug; please report it.",
                )
            })?;
        let _entered = runtime.enter();
        let mut builder = Client::builder()
            .user_agent(concat!("bitnet-install/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.timeout)
            // Bounds each wait (the response head, then every single read), so
            // it acts as a read-idle timeout: a stalled server is abandoned, a
            // long steady download is not.
            .read_timeout(options.timeout)
            .redirect(redirect_policy())
            .no_proxy()
            // Pure-Rust DNS: a static binary cannot load glibc's NSS modules at run time.
            .hickory_dns(true);
        if let Some(path) = &options.ca_cert {
            for certificate in read_certificates(path)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        for proxy in build_proxies(&options.proxies)? {
            builder = builder.proxy(proxy);
        }
        let client = builder.build().map_err(|e| {
            Error::other(
                format!("could not set up HTTPS: {e}"),
                "check the certificate given with --ca-cert / SSL_CERT_FILE.",
            )
        })?;
        drop(_entered);
        Ok(Http {
            client,
            runtime,
            options,
        })
    }

    /// GETs a small document, at most `cap` bytes, with retries. `headers` are
    /// extra request headers (tokens, conditional requests). A 304 is returned
    /// as is; other non-2xx statuses are errors.
    pub fn get(&self, url: &str, headers: &[(&str, String)], cap: u64) -> Result<Fetched> {
        self.with_retries(url, |_| {
            let response = self.send(url, headers)?;
            let status = response.status();
            let headers = response.headers().clone();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::new(304, Vec::new(), &headers));
            }
            let body = self.runtime.block_on(read_capped(response, cap, url))?;
            Ok(Fetched::new(status.as_u16(), body, &headers))
        })
    }

    /// Streams `url` into `out`, telling `sink` about every chunk written.
    /// A dropped transfer resumes with `Range` (and `If-Range` with the
    /// validator of the first answer) when the server allows it, and restarts
    /// from zero when it does not. `from` continues an earlier run's download,
    /// whose bytes are already in `out`, the same way. Stops with an error
    /// beyond `cap` bytes or beyond the announced length.
    pub fn download(
        &self,
        url: &str,
        headers: &[(&str, String)],
        cap: u64,
        out: &mut std::fs::File,
        sink: &mut dyn DownloadSink,
        from: Option<Resume>,
    ) -> Result<u64> {
        let mut written: u64 = from.as_ref().map_or(0, |r| r.offset);
        let mut validator: Option<String> = from.map(|r| r.validator);
        self.with_retries(url, |_| {
            let mut request_headers: Vec<(&str, String)> = headers.to_vec();
            if written > 0 {
                request_headers.push(("range", format!("bytes={written}-")));
                if let Some(v) = &validator {
                    request_headers.push(("if-range", v.clone()));
                }
            }
            let response = self.send(url, &request_headers)?;
            let resumed = written > 0
                && response.status() == StatusCode::PARTIAL_CONTENT
                && range_starts_at(&response, written);
            let rewind_failed = |e| {
                Attempt::Fatal(Error::io(
                    "rewind the download of",
                    std::path::Path::new(url),
                    e,
                ))
            };
            if written > 0 && !resumed {
                restart(out, sink).map_err(rewind_failed)?;
                written = 0;
            }
            if resumed {
                sink.resume(out, written).map_err(rewind_failed)?;
            }
            if !resumed {
                validator = response_validator(&response);
                sink.begin(validator.as_deref());
            }
            let total = announced_total(&response, written);
            if let Some(total) = total {
                if total > cap {
                    return Err(Attempt::Fatal(Error::verification(format!(
                        "{url} announces {total} bytes, more than the allowed {cap}"
                    ))));
                }
                sink.announce(total);
            }
            self.runtime.block_on(copy_body(
                response,
                out,
                sink,
                &mut written,
                total,
                cap,
                &self.options,
                url,
            ))?;
            Ok(written)
        })
    }

    fn send(
        &self,
        url: &str,
        headers: &[(&str, String)],
    ) -> std::result::Result<Response, Attempt> {
        let mut request = self.client.get(url);
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Attempt::Fatal(Error::internal(e)))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Attempt::Fatal(Error::internal(format!(
                    "the {name} header for {url} holds characters HTTP does not allow"
                )))
            })?;
            request = request.header(name, value);
        }
        if let Some(token) = self.options.token.as_ref().filter(|t| t.is_for(url)) {
            // Only a token from the environment can carry bytes a header refuses.
            let value =
                HeaderValue::from_str(&format!("Bearer {}", token.value)).map_err(|_| {
                    Attempt::Fatal(Error::usage(
                        "GITHUB_TOKEN / GH_TOKEN holds characters HTTP does not allow",
                        "check GITHUB_TOKEN / GH_TOKEN for stray spaces or line breaks.",
                    ))
                })?;
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        let response = self
            .runtime
            .block_on(async move { request.send().await }) // timers need the runtime
            .map_err(|e| {
                if e.is_redirect() {
                    Attempt::Fatal(Error::network(url, describe_reqwest_error(&e)))
                } else {
                    Attempt::Retry {
                        reason: describe_reqwest_error(&e),
                        wait: None,
                    }
                }
            })?;
        classify_status(response, url)
    }

    /// Runs `attempt` until it succeeds, fails for good, or runs out of tries,
    /// sleeping with exponential backoff and jitter (or `Retry-After`) between.
    fn with_retries<T>(
        &self,
        url: &str,
        mut attempt: impl FnMut(u32) -> std::result::Result<T, Attempt>,
    ) -> Result<T> {
        let mut last_reason = String::new();
        for n in 0..self.options.attempts.max(1) {
            match attempt(n) {
                Ok(value) => return Ok(value),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry { reason, wait }) => {
                    last_reason = reason;
                    if n + 1 < self.options.attempts {
                        std::thread::sleep(backoff(
                            n,
                            wait,
                            self.options.retry_base,
                            self.options.max_backoff,
                        ));
                    }
                }
            }
        }
        let attempts = match self.options.attempts.max(1) {
            1 => "1 attempt".to_string(),
            n => format!("{n} attempts"),
        };
        Err(Error::network(
            url,
            format!("{last_reason} (after {attempts})"),
        ))
    }
}

/// Where an earlier run's download of the same URL stopped.
#[derive(Clone, Debug)]
pub struct Resume {
    /// Bytes already in the file.
    pub offset: u64,
    /// The `ETag` or `Last-Modified` the server gave them with.
    pub validator: String,
}

/// What the downloader tells the caller while bytes arrive.
pub trait DownloadSink {
    /// A whole body starts (not a resumed one), with the validator that a
    /// later `If-Range` must name to continue it.
    fn begin(&mut self, validator: Option<&str>);
    fn announce(&mut self, total: u64);
    fn chunk(&mut self, bytes: &[u8]);
    /// The server would not resume: everything received so far is discarded.
    fn restart(&mut self);
    /// The server resumes at `offset`: the `offset` bytes already in `file`
    /// are what the sink must account for (it re-reads them from disk rather
    /// than trusting what it saw go by), and `file` must be left at `offset`.
    fn resume(&mut self, file: &mut std::fs::File, offset: u64) -> std::io::Result<()>;
}

/// How one attempt ended when it did not succeed.
enum Attempt {
    Retry {
        reason: String,
        wait: Option<Duration>,
    },
    Fatal(Error),
}

fn classify_status(response: Response, url: &str) -> std::result::Result<Response, Attempt> {
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    if let Some(limit) = rate_limit_message(&response) {
        return Err(Attempt::Fatal(Error::network(url, limit)));
    }
    let reason = format!("the server answered {status}");
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
    {
        Err(Attempt::Retry {
            reason,
            wait: retry_after,
        })
    } else if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
        Err(Attempt::Fatal(Error::Missing {
            url: url.to_string(),
        }))
    } else {
        Err(Attempt::Fatal(Error::network(url, reason)))
    }
}

/// GitHub's rate limit: 403/429 with `x-ratelimit-remaining: 0`.
fn rate_limit_message(response: &Response) -> Option<String> {
    let status = response.status();
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let headers = response.headers();
    let remaining = headers.get("x-ratelimit-remaining")?.to_str().ok()?;
    if remaining.trim() != "0" {
        return None;
    }
    let reset = headers
        .get("x-ratelimit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let when = match reset {
        Some(t) => format!(" until {t} (unix time{})", minutes_until(t)),
        None => String::new(),
    };
    Some(format!(
        "the API rate limit is exhausted{when}; set GITHUB_TOKEN (or GH_TOKEN) to lift it"
    ))
}

/// ", in about N minutes" when `unix` lies ahead of the clock.
fn minutes_until(unix: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if unix > now {
        format!(", in about {} minutes", (unix - now).div_ceil(60))
    } else {
        String::new()
    }
}

fn backoff(attempt: u32, retry_after: Option<Duration>, base: Duration, cap: Duration) -> Duration {
    let wait = retry_after.unwrap_or_else(|| {
        let exp = base.saturating_mul(2u32.saturating_pow(attempt));
        exp + jitter(exp / 2)
    });
    wait.min(cap)
}

/// A cheap random fraction of `span`, enough to spread retries of many clients.
fn jitter(span: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    let fraction = (hasher.finish() % 1000) as u32;
    span * fraction / 1000
}

async fn read_capped(
    mut response: Response,
    cap: u64,
    url: &str,
) -> std::result::Result<Vec<u8>, Attempt> {
    if let Some(len) = response.content_length() {
        if len > cap {
            return Err(Attempt::Fatal(Error::verification(format!(
                "{url} is {len} bytes, more than the {cap} allowed for it"
            ))));
        }
    }
    let mut body = Vec::new();
    loop {
        let chunk = response.chunk().await.map_err(|e| Attempt::Retry {
            reason: format!("the transfer failed: {}", describe_reqwest_error(&e)),
            wait: None,
        })?;
        let Some(chunk) = chunk else {
            return Ok(body);
        };
        if (body.len() + chunk.len()) as u64 > cap {
            return Err(Attempt::Fatal(Error::verification(format!(
                "{url} is larger than the {cap} bytes allowed for it"
            ))));
        }
        body.extend_from_slice(&chunk);
    }
}

/// Writes and hashes each chunk as hyper hands it over (no copy of ours).
#[allow(clippy::too_many_arguments)]
async fn copy_body(
    mut response: Response,
    out: &mut std::fs::File,
    sink: &mut dyn DownloadSink,
    written: &mut u64,
    total: Option<u64>,
    cap: u64,
    options: &HttpOptions,
    url: &str,
) -> std::result::Result<(), Attempt> {
    let limit = total.unwrap_or(cap).min(cap);
    let mut window_start = Instant::now();
    let mut window_bytes: u64 = 0;
    loop {
        let buf = match response.chunk().await {
            Ok(None) => break,
            Ok(Some(chunk)) => chunk,
            Err(e) => {
                return Err(Attempt::Retry {
                    reason: format!(
                        "the transfer broke after {written} bytes: {}",
                        describe_reqwest_error(&e)
                    ),
                    wait: None,
                })
            }
        };
        let n = buf.len();
        if *written + n as u64 > limit {
            return Err(Attempt::Fatal(Error::verification(format!(
                "{url} sent more than the {limit} bytes it announced or that are allowed"
            ))));
        }
        out.write_all(&buf).map_err(|e| {
            Attempt::Fatal(Error::io(
                "write the download of",
                std::path::Path::new(url),
                e,
            ))
        })?;
        sink.chunk(&buf);
        *written += n as u64;
        window_bytes += n as u64;
        let elapsed = window_start.elapsed();
        if elapsed >= options.rate_window {
            if too_slow(window_bytes, elapsed, options.min_bytes_per_sec) {
                return Err(Attempt::Retry {
                    reason: format!(
                        "the transfer was slower than {} bytes/s over {:.1}s",
                        options.min_bytes_per_sec,
                        elapsed.as_secs_f64()
                    ),
                    wait: None,
                });
            }
            window_start = Instant::now();
            window_bytes = 0;
        }
    }
    match total {
        Some(total) if *written < total => Err(Attempt::Retry {
            reason: format!("the transfer ended after {written} of {total} bytes"),
            wait: None,
        }),
        _ => Ok(()),
    }
}

/// Below the minimum rate over the window just ended.
fn too_slow(bytes: u64, elapsed: Duration, min_bytes_per_sec: u64) -> bool {
    (bytes as f64) < min_bytes_per_sec as f64 * elapsed.as_secs_f64()
}

fn restart(out: &mut std::fs::File, sink: &mut dyn DownloadSink) -> std::io::Result<()> {
    use std::io::Seek;
    out.set_len(0)?;
    out.seek(std::io::SeekFrom::Start(0))?;
    sink.restart();
    Ok(())
}

fn range_starts_at(response: &Response, offset: u64) -> bool {
    response
        .headers()
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes "))
        .and_then(|v| v.split('-').next())
        .and_then(|v| v.trim().parse::<u64>().ok())
        == Some(offset)
}

/// The total size of the resource, from `Content-Range` on a 206 or
/// `Content-Length` otherwise.
fn announced_total(response: &Response, already: u64) -> Option<u64> {
    if response.status() == StatusCode::PARTIAL_CONTENT {
        let from_range = response
            .headers()
            .get("content-range")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit('/').next())
            .and_then(|v| v.trim().parse::<u64>().ok());
        return from_range.or(response.content_length().map(|l| l + already));
    }
    response.content_length()
}

fn response_validator(response: &Response) -> Option<String> {
    let headers = response.headers();
    headers
        .get("etag")
        .filter(|v| !v.as_bytes().starts_with(b"W/"))
        .or_else(|| headers.get("last-modified"))
        .and_then(|v| v.to_str().ok())
        .map(String::from)
}

/// Every certificate of a PEM file: `SSL_CERT_FILE` often names a whole bundle.
fn read_certificates(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>> {
    let pem = std::fs::read(path).map_err(|e| {
        Error::usage(
            format!("cannot read the certificate {}: {e}", path.display()),
            "pass a readable PEM file with --ca-cert or SSL_CERT_FILE.",
        )
    })?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        Error::usage(
            format!("{} is not a PEM certificate: {e}", path.display()),
            "pass a PEM file with --ca-cert or SSL_CERT_FILE.",
        )
    })?;
    if certificates.is_empty() {
        return Err(Error::usage(
            format!("{} holds no PEM certificate", path.display()),
            "pass a PEM file with --ca-cert or SSL_CERT_FILE.",
        ));
    }
    Ok(certificates)
}

fn build_proxies(proxies: &Proxies) -> Result<Vec<reqwest::Proxy>> {
    let no_proxy = proxies
        .no_proxy
        .as_deref()
        .and_then(reqwest::NoProxy::from_string);
    let bad = |var: &str, e: reqwest::Error| {
        Error::usage(
            format!("the proxy in {var} is not a valid URL: {e}"),
            "use a form such as http://user:password@proxy.example:3128.",
        )
    };
    let mut list = Vec::new();
    if let Some(url) = &proxies.https {
        list.push(
            reqwest::Proxy::https(url)
                .map_err(|e| bad("HTTPS_PROXY", e))?
                .no_proxy(no_proxy.clone()),
        );
    }
    if let Some(url) = &proxies.http {
        list.push(
            reqwest::Proxy::http(url)
                .map_err(|e| bad("HTTP_PROXY", e))?
                .no_proxy(no_proxy.clone()),
        );
    }
    if let Some(url) = &proxies.all {
        list.push(
            reqwest::Proxy::all(url)
                .map_err(|e| bad("ALL_PROXY", e))?
                .no_proxy(no_proxy),
        );
    }
    Ok(list)
}

/// The innermost cause, which is where the useful words are (e.g. "invalid peer
/// certificate"), except for a failed name lookup: the resolver's innermost
/// words are its debug dump of the query, so that case gets a sentence of its own.
fn describe_reqwest_error(e: &reqwest::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        message = inner.to_string();
        // hyper-util's connector names a resolver failure exactly so.
        if message == "dns error" {
            return "the host name could not be resolved (no DNS answer for it)".to_string();
        }
        source = inner.source();
    }
    if e.is_timeout() {
        format!("timed out ({message})")
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_is_found_among_others() {
        let header = r#"<https://api/x?page=1>; rel="prev", <https://api/x?page=3>; rel="next", <https://api/x?page=9>; rel="last""#;
        assert_eq!(next_link(header).as_deref(), Some("https://api/x?page=3"));
        assert_eq!(next_link(r#"<https://api/x?page=1>; rel="prev""#), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let cap = Duration::from_secs(5);
        let base = Duration::from_millis(500);
        assert!(backoff(0, None, base, cap) >= base);
        assert!(backoff(0, None, base, cap) < Duration::from_millis(750));
        assert!(backoff(2, None, base, cap) >= Duration::from_secs(2));
        assert_eq!(backoff(10, None, base, cap), cap);
        assert_eq!(
            backoff(0, Some(Duration::from_secs(2)), base, cap),
            Duration::from_secs(2)
        );
        assert_eq!(backoff(0, Some(Duration::from_secs(999)), base, cap), cap);
    }

    #[test]
    fn proxies_come_from_either_case() {
        let env = Env::fixed(
            "/h",
            &[("https_proxy", "http://p:3128"), ("NO_PROXY", "localhost")],
            0,
        );
        let p = Proxies::from_env(&env);
        assert_eq!(p.https.as_deref(), Some("http://p:3128"));
        assert_eq!(p.no_proxy.as_deref(), Some("localhost"));
        assert_eq!(build_proxies(&p).unwrap().len(), 1);
    }
}
