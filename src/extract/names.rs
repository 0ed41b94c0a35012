//! The rules for entry names and link targets: what an archive may name,
//! normalised to plain path parts, and what it may not (absolute, `..`).

/// The components of an entry name, or the rule it breaks. `/` and `\` both
/// separate components; `.` and empty components vanish.
pub(super) fn normalise_entry_name(name: &str) -> std::result::Result<Vec<String>, &'static str> {
    if name.contains('\0') {
        return Err("contains a NUL byte");
    }
    if name.starts_with(['/', '\\']) {
        return Err("is an absolute path");
    }
    if name.contains(':') {
        return Err("contains ':' (a Windows drive letter or stream name)");
    }
    let mut parts = Vec::new();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err("contains a '..' component"),
            _ if part.chars().all(|c| c == '.' || c == ' ') => {
                return Err("has a component of only dots and spaces, which Windows reads as '..'")
            }
            _ => parts.push(part.to_owned()),
        }
    }
    Ok(parts)
}

/// The target to create for a symlink at `link`, or the rule it breaks. Only
/// leading `..` components are allowed: the link's ancestors are all real
/// directories, so climbing them stays lexical, while a `..` after a name could
/// climb out of another symlink's target.
pub(super) fn normalise_link_target(
    link: &[String],
    target: &str,
) -> std::result::Result<String, &'static str> {
    if target.is_empty() {
        return Err("is a symbolic link with an empty target");
    }
    if target.contains('\0') {
        return Err("is a symbolic link whose target contains a NUL byte");
    }
    if target.starts_with(['/', '\\']) || target.contains(':') {
        return Err("is a symbolic link to an absolute path");
    }
    let mut ups = 0;
    let mut rest: Vec<&str> = Vec::new();
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if rest.is_empty() => ups += 1,
            ".." => return Err("is a symbolic link whose target climbs back up after a name"),
            _ if part.chars().all(|c| c == '.' || c == ' ') => {
                return Err(
                    "is a symbolic link whose target has a component of only dots and spaces",
                )
            }
            _ => rest.push(part),
        }
    }
    if ups >= link.len() {
        return Err("is a symbolic link pointing outside the archive");
    }
    let mut parts = vec![".."; ups];
    parts.extend(rest);
    Ok(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}
