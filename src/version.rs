//! Version requirements and their resolution against what a source offers:
//! `latest`, partial versions (`0.3` is the newest 0.3.x), exact versions, any
//! semver requirement, and release channels that decide which pre-releases count.

use semver::{Version, VersionReq};

use crate::error::{Error, Result};

/// Which pre-releases `latest` (and any requirement that names none) may pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
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
    /// `--repo` only: a release tag as written (`b3672`, `jq-1.6`) that is not a
    /// semver requirement. It matches the release with that tag, which the GitHub
    /// listing gives exactly `version` (see `version_for_tag`).
    Tag {
        tag: String,
        version: Version,
    },
}

impl Requirement {
    /// Exactly `version` (what `update` installs once it chose the newest).
    pub fn exact(version: &Version) -> Self {
        let comparator = semver::Comparator {
            op: semver::Op::Exact,
            major: version.major,
            minor: Some(version.minor),
            patch: Some(version.patch),
            pre: version.pre.clone(),
        };
        Requirement::Req {
            req: VersionReq {
                comparators: vec![comparator],
            },
            text: format!("={version}"),
            names_prerelease: !version.pre.is_empty(),
        }
    }

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
                format!(
                    "'{}' is not a valid version requirement ({e})",
                    shortened(text)
                ),
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

    /// Like `parse`, but text that is no requirement is taken as a release tag
    /// of a foreign repository, whose tags need not be semver.
    pub fn parse_or_tag(text: &str) -> Result<Self> {
        Requirement::parse(text).or_else(|_| {
            let tag = text.trim().to_string();
            Ok(Requirement::Tag {
                version: version_for_tag(&tag),
                tag,
            })
        })
    }

    /// The tag a `Tag` requirement names exactly, with the version it stands for.
    pub fn exact_tag(&self) -> Option<(&str, &Version)> {
        match self {
            Requirement::Tag { tag, version } => Some((tag, version)),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Requirement::Latest => "latest".into(),
            Requirement::Req { text, .. } => text.clone(),
            Requirement::Tag { tag, .. } => tag.clone(),
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
            Requirement::Tag {
                version: wanted, ..
            } => version == wanted,
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

/// Reads a version out of a foreign project's release tag, leniently: the
/// first run of up to three dot-separated numbers, after any leading name, is
/// the version, and what follows it (`-rc1`, `rc1`) its pre-release, while
/// `+build` metadata is dropped. `v14.1.0` → 14.1.0, `jq-1.6` → 1.6.0,
/// `b3672` → 3672.0.0, `1.0.0-rc1` → 1.0.0-rc1; `nightly` and `1.2.3.4` → none.
/// A date tag (`2024-01-01`, rust-analyzer's scheme) is the version 2024.1.1.
pub fn lenient_tag_version(tag: &str) -> Option<Version> {
    let start = tag.find(|c: char| c.is_ascii_digit())?;
    let rest = &tag[start..];
    if let Some(date) = date_version(rest) {
        return Some(date);
    }
    let numbers_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (numbers, tail) = rest.split_at(numbers_end);
    let parts: Vec<u64> = numbers
        .trim_end_matches('.')
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if parts.len() > 3 {
        return None;
    }
    let part = |i: usize| parts.get(i).copied().unwrap_or(0);
    let mut version = Version::new(part(0), part(1), part(2));
    let pre = tail.split('+').next().unwrap_or("");
    let pre = pre.trim_start_matches(['-', '_', '.']);
    if !pre.is_empty() {
        version.pre = semver::Prerelease::new(&pre.replace('_', "-")).ok()?;
    }
    Some(version)
}

/// `YYYY-MM-DD` (and nothing after it) as YYYY.MM.DD.
fn date_version(text: &str) -> Option<Version> {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts[..] else {
        return None;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return None;
    }
    Some(Version::new(
        year.parse().ok()?,
        month.parse().ok()?,
        day.parse().ok()?,
    ))
}

/// The version a tag stands for: its lenient reading, or for a tag with no
/// version in it (`nightly`) a pre-release of 0.0.0 named after it, which only
/// a requirement naming that tag exactly ever picks.
pub fn version_for_tag(tag: &str) -> Version {
    lenient_tag_version(tag).unwrap_or_else(|| {
        let name: String = tag
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let mut version = Version::new(0, 0, 0);
        version.pre =
            semver::Prerelease::new(&format!("tag-{name}")).unwrap_or(semver::Prerelease::EMPTY);
        version
    })
}

/// At most `SHOWN` characters of what the user typed, so that an error never
/// echoes a huge argument back whole.
fn shortened(text: &str) -> String {
    const SHOWN: usize = 64;
    match text.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}… ({} bytes)", &text[..end], text.len()),
        None => text.to_string(),
    }
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

    #[test]
    fn foreign_tags_read_leniently() {
        let table: &[(&str, Option<&str>)] = &[
            ("v14.1.0", Some("14.1.0")),
            ("jq-1.6", Some("1.6.0")),
            ("b3672", Some("3672.0.0")),
            ("1.0.0-rc1", Some("1.0.0-rc1")),
            ("v2.0rc2", Some("2.0.0-rc2")),
            ("cli/v2.3.1+build.7", Some("2.3.1")),
            ("llvmorg-18.1.8", Some("18.1.8")),
            // rust-analyzer's weekly release tags.
            ("2024-01-01", Some("2024.1.1")),
            ("2024-12-30", Some("2024.12.30")),
            ("nightly", None),
            ("1.2.3.4", None),
        ];
        for (tag, want) in table {
            assert_eq!(
                lenient_tag_version(tag).map(|v| v.to_string()).as_deref(),
                *want,
                "{tag}"
            );
        }
    }

    #[test]
    fn a_tag_requirement_matches_only_its_version() {
        let req = Requirement::parse_or_tag("b3672").unwrap();
        assert_eq!(req.exact_tag().map(|(t, _)| t), Some("b3672"));
        assert!(req.matches(&Version::new(3672, 0, 0), Channel::Stable));
        assert!(!req.matches(&Version::new(3700, 0, 0), Channel::Stable));
        let nightly = Requirement::parse_or_tag("nightly").unwrap();
        assert_eq!(version_for_tag("nightly").to_string(), "0.0.0-tag-nightly");
        assert!(nightly.matches(&version_for_tag("nightly"), Channel::Stable));
        assert!(!Requirement::Latest.matches(&version_for_tag("nightly"), Channel::Stable));
        assert_eq!(
            Requirement::parse_or_tag("1.6").unwrap(),
            Requirement::parse("1.6").unwrap()
        );
    }
}
