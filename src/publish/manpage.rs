//! The man page of each command of the product, for the Linux packages that want
//! one (Debian policy, rpmlint): generated from what the release states about
//! itself, so it cannot drift from the real options, which `--help` prints.

use super::date::Date;
use super::packaging::{COMMANDS, HOMEPAGE};

/// A short man page for a command of the product: what it is, how it is called, and
/// where its full documentation is (its `--help` and the homepage), nothing invented.
pub(super) fn man_page(command: &str, summary: &str, version: &str, date: &Date) -> String {
    let escaped = command.replace('-', "\\-");
    let others: Vec<String> = COMMANDS
        .iter()
        .filter(|(other, _)| *other != command)
        .map(|(other, _)| format!(".BR {} (1)", other.replace('-', "\\-")))
        .collect();
    format!(
        ".TH {title} 1 {iso} \"bitnet {version}\" \"User Commands\"\n\
         .SH NAME\n\
         {escaped} \\- {summary}\n\
         .SH SYNOPSIS\n\
         .B {escaped}\n\
         .RI [ options ]\n\
         .SH DESCRIPTION\n\
         .B {escaped}\n\
         is one of the command\\-line tools of BitNet, the inference framework for\n\
         1\\-bit large language models.\n\
         .SH OPTIONS\n\
         Run\n\
         .B {escaped} \\-\\-help\n\
         for the options of the installed version.\n\
         .SH SEE ALSO\n\
         {see_also}\n\
         .PP\n\
         {HOMEPAGE}\n",
        title = command.to_ascii_uppercase().replace('-', "\\-"),
        iso = date.iso(),
        see_also = others.join("\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_names_its_command_and_points_at_help_and_the_other_commands() {
        let page = man_page(
            "bitnet-cli",
            "run models",
            "0.3.2",
            &Date::from_unix(1_763_700_000),
        );
        assert!(
            page.starts_with(".TH BITNET\\-CLI 1 2025-11-21 \"bitnet 0.3.2\" \"User Commands\"\n"),
            "{page}"
        );
        assert!(page.contains("\nbitnet\\-cli \\- run models\n"), "{page}");
        assert!(page.contains("\n.B bitnet\\-cli \\-\\-help\n"), "{page}");
        assert!(page.contains("\n.BR bitnet\\-server (1)\n"), "{page}");
        assert!(!page.contains(".BR bitnet\\-cli (1)"), "{page}");
    }
}
