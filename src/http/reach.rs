//! Where requests may go, and with what: a redirect stays on https (or plain
//! http on loopback, CONTRACT 2.3), and the GitHub token goes only to the API
//! host over https. The one policy every request of the `Http` client obeys.

/// A GitHub token and the API it belongs to. It goes over https to that API's
/// host and port, and to github.com's download host, nowhere else: not to the
/// host a `browser_download_url` names, not over http, and (reqwest drops it)
/// not across a redirect to another host.
#[derive(Clone, Debug)]
pub struct Token {
    pub value: String,
    /// `GITHUB_API_URL`.
    pub api: String,
}

impl Token {
    pub(super) fn is_for(&self, url: &str) -> bool {
        let Ok(url) = reqwest::Url::parse(url) else {
            return false;
        };
        let origin = |u: &reqwest::Url| {
            (
                u.host_str().map(str::to_ascii_lowercase),
                u.port_or_known_default(),
            )
        };
        let api = reqwest::Url::parse(&self.api).ok();
        let github_downloads = (Some("github.com".to_string()), Some(443));
        url.scheme() == "https"
            && (api.is_some_and(|api| api.scheme() == "https" && origin(&api) == origin(&url))
                || origin(&url) == github_downloads)
    }
}

/// Follows up to ten redirects, each to a place a root could name itself:
/// https anywhere, plain http only on loopback (CONTRACT 2.3). A redirect
/// must not turn an https request into one an attacker on the path can read
/// or rewrite.
pub(super) fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= 10 {
            attempt.error("more than 10 redirects")
        } else if !is_allowed_url(attempt.url()) {
            let refused = format!(
                "refusing a redirect to {}: plain http is only allowed on a loopback address",
                attempt.url()
            );
            attempt.error(refused)
        } else {
            attempt.follow()
        }
    })
}

/// https anywhere, plain http only to a loopback host.
fn is_allowed_url(url: &reqwest::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback(url),
        _ => false,
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or("");
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
