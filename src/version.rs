//! Version requirements and their resolution against what a source offers:
//! `latest`, partial versions (`0.3` is the newest 0.3.x), exact versions, any
//! semver requirement, and release channels that decide which pre-releases count.

use semver::{Version, VersionReq};

use crate::error::{Error, Result};

/// Which pre-releases `latest` (and any requirement that names none) may pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Channel {
    #[default]
    Stable,
    Beta,
    Nightly,
}

impl Channel {
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "stable" => Ok(Channel::Stable),
            "beta" => Ok(Channel::Beta),
            "nightly" => Ok(Channel::Nightly),
            _ => Err(Error::usage(
                format!("unknown channel '{s}'"),
                "use one of: stable, beta, nightly.",
            )),
        }
    }

    /// Whether a pre-release with these identifiers belongs to the channel.
    fn admits(self, version: &Version) -> bool {
        if version.pre.is_empty() {
            return true;
        }
        let first = version.pre.as_str().split('.').next().unwrap_or("");
        let first = first.trim_end_matches(|c: char| c.is_ascii_digit());
        match self {
            Channel::Stable => false,
            Channel::Beta => matches!(first, "alpha" | "beta" | "rc" | "pre"),
            Channel::Nightly => true,
        }
    }
}

/// What the user asked for with `--version`.
#[derive(Clone, Debug, PartialEq)]
pub enum Requirement {
    Latest,
    Req {
        req: VersionReq,
        /// The text as given, for messages.
        text: String,
        names_prerelease: bool,
    },
}

impl Requirement {
    /// Parses `latest`, `0.3`, `0.3.2`, `v0.3.2`, `0.4.0-beta.1`, or a semver
    /// requirement such as `^0.3`, `~0.3.1`, `>=0.2, <0.4`. A bare complete version
    /// means exactly that version, a bare partial one means its newest patch.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("latest") || text == "*" {
            return Ok(Requirement::Latest);
        }
        let bare = text.strip_prefix('v').unwrap_or(text);
        let req_text = if is_bare_version(bare) {
            format!("={bare}")
        } else {
            text.to_string()
        };
        let req = VersionReq::parse(&req_text).map_err(|e| {
            Error::usage(
                format!("'{text}' is not a valid version requirement ({e})"),
                "use latest, a version such as 0.3 or 0.3.2, or a requirement such as '>=0.2, <0.4'.",
            )
        })?;
        let names_prerelease = req.comparators.iter().any(|c| !c.pre.is_empty());
        Ok(Requirement::Req {
            req,
            text: text.to_string(),
            names_prerelease,
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Requirement::Latest => "latest".into(),
            Requirement::Req { text, .. } => text.clone(),
        }
    }

    /// Whether `version` satisfies the requirement on this channel.
    pub fn matches(&self, version: &Version, channel: Channel) -> bool {
        match self {
            Requirement::Latest => channel.admits(version),
            Requirement::Req {
                req,
                names_prerelease,
                ..
            } => {
                if req.matches(version) {
                    return true;
                }
                // semver only lets pre-releases match comparators that name one; a
                // channel that admits pre-releases widens that to the release line.
                !*names_prerelease
                    && !version.pre.is_empty()
                    && channel != Channel::Stable
                    && channel.admits(version)
                    && req.matches(&Version::new(version.major, version.minor, version.patch))
            }
        }
    }
}

/// `1`, `1.2`, `1.2.3`, `1.2.3-beta.1` (with no operator).
fn is_bare_version(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
        && !s.contains([',', ' ', '*', 'x', 'X', '<', '>', '=', '^', '~'])
}

/// The newest of `versions` that satisfies `req` on `channel`.
pub fn resolve<'a>(
    req: &Requirement,
    channel: Channel,
    versions: impl IntoIterator<Item = &'a Version>,
) -> Option<&'a Version> {
    versions
        .into_iter()
        .filter(|v| req.matches(v, channel))
        .max()
}

/// Parses a version as it appears in an index, a tag or a trusted comment.
pub fn parse_version(text: &str) -> Option<Version> {
    Version::parse(text.trim().strip_prefix('v').unwrap_or(text.trim())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(list: &[&str]) -> Vec<Version> {
        list.iter().map(|s| Version::parse(s).unwrap()).collect()
    }

    fn pick(req: &str, channel: Channel, list: &[&str]) -> Option<String> {
        let req = Requirement::parse(req).unwrap();
        let vs = versions(list);
        resolve(&req, channel, &vs).map(|v| v.to_string())
    }

    const OFFERED: &[&str] = &[
        "0.2.9",
        "0.3.0",
        "0.3.2",
        "0.3.10",
        "0.4.0-beta.1",
        "0.4.0-nightly.20261120",
        "0.9.0",
        "0.10.0",
        "1.0.0-rc.1",
    ];

    #[test]
    fn resolution_table() {
        let table: &[(&str, Channel, Option<&str>)] = &[
            ("latest", Channel::Stable, Some("0.10.0")),
            ("", Channel::Stable, Some("0.10.0")),
            ("latest", Channel::Beta, Some("1.0.0-rc.1")),
            ("latest", Channel::Nightly, Some("1.0.0-rc.1")),
            ("0.3", Channel::Stable, Some("0.3.10")),
            ("v0.3", Channel::Stable, Some("0.3.10")),
            ("0.3.2", Channel::Stable, Some("0.3.2")),
            ("v0.3.2", Channel::Stable, Some("0.3.2")),
            ("0.3.3", Channel::Stable, None),
            ("0", Channel::Stable, Some("0.10.0")),
            ("^0.3", Channel::Stable, Some("0.3.10")),
            ("~0.3.1", Channel::Stable, Some("0.3.10")),
            (">=0.2, <0.4", Channel::Stable, Some("0.3.10")),
            ("0.4", Channel::Stable, None),
            ("0.4", Channel::Beta, Some("0.4.0-beta.1")),
            ("0.4", Channel::Nightly, Some("0.4.0-nightly.20261120")),
            ("0.4.0-beta.1", Channel::Stable, Some("0.4.0-beta.1")),
            (
                "=0.4.0-nightly.20261120",
                Channel::Stable,
                Some("0.4.0-nightly.20261120"),
            ),
            ("2", Channel::Stable, None),
        ];
        for (req, channel, want) in table {
            assert_eq!(
                pick(req, *channel, OFFERED).as_deref(),
                *want,
                "requirement {req:?} on {channel:?}"
            );
        }
    }

    #[test]
    fn ordering_is_semantic_not_lexical() {
        assert_eq!(
            pick("latest", Channel::Stable, &["0.9.0", "0.10.0", "0.2.0"]).as_deref(),
            Some("0.10.0")
        );
    }

    #[test]
    fn malformed_requirements_are_usage_errors() {
        for bad in ["banana", "0.3.x.y", ">=>0.2", "1.2.3.4"] {
            let err = Requirement::parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn channels_parse_and_reject_unknown_names() {
        assert_eq!(Channel::parse("Beta").unwrap(), Channel::Beta);
        assert_eq!(Channel::parse("weekly").unwrap_err().exit_code(), 2);
    }
}
