//! Keeps the attack table of SECURITY.md and `tests/it/attacks.rs` in step: every
//! test the table names exists, and every attack test is in the table, so the
//! document cannot drift from what is actually checked.

const SECURITY_MD: &str = include_str!("../../SECURITY.md");
const ATTACKS_RS: &str = include_str!("attacks.rs");

/// The test names in the `attacks::` column of the table's rows.
fn tests_named_in_the_table() -> Vec<String> {
    SECURITY_MD
        .lines()
        .filter(|line| line.starts_with('|'))
        .filter_map(|line| line.split('|').nth(2))
        .filter_map(|cell| {
            let name = cell.trim().trim_matches('`');
            name.strip_prefix("attacks::").map(str::to_string)
        })
        .collect()
}

/// The names of the `#[test]` functions in attacks.rs.
fn attack_tests() -> Vec<String> {
    let lines: Vec<&str> = ATTACKS_RS.lines().collect();
    lines
        .windows(2)
        .filter(|pair| pair[0].trim() == "#[test]")
        .filter_map(|pair| {
            let rest = pair[1].trim().strip_prefix("fn ")?;
            Some(rest.split('(').next()?.to_string())
        })
        .collect()
}

#[test]
fn the_security_table_names_every_attack_test() {
    let table = tests_named_in_the_table();
    let tests = attack_tests();
    assert!(tests.len() >= 25, "attacks.rs parsed: {tests:?}");
    for name in &table {
        assert!(
            tests.contains(name),
            "SECURITY.md names attacks::{name}, which is not a test in tests/it/attacks.rs"
        );
    }
    for name in &tests {
        assert!(
            table.contains(name),
            "attacks::{name} is missing from the table in SECURITY.md"
        );
    }
}

#[test]
fn every_table_row_states_an_outcome() {
    for line in SECURITY_MD.lines().filter(|l| l.contains("`attacks::")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert!(
            cells.len() >= 5 && !cells[1].is_empty() && !cells[3].is_empty(),
            "a row needs attack | test | outcome: {line}"
        );
    }
}
