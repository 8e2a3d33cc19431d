//! The README repeats what the code says in one place: keep them in step.

use wscheck::event::Check;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("read README.md")
}

#[test]
fn readme_has_the_exit_code_table_of_help() {
    assert!(
        readme().contains(wscheck::exit::TABLE),
        "README.md's exit-code table differs from src/exit.rs TABLE (what --help prints): \
         copy TABLE into the README's \"Exit codes\" block"
    );
}

/// The rows of the tables under `## Findings`: (id, severity, RFC), in order.
fn finding_rows(readme: &str) -> Vec<(String, String, String)> {
    let start = readme.find("\n## Findings\n").expect("README.md has a \"## Findings\" section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |end| end + 3)];
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            assert!(cells.len() >= 3, "a findings row needs id, severity … RFC: {l}");
            (cells[0].trim_matches('`').to_string(), cells[1].to_string(), cells[cells.len() - 1].to_string())
        })
        .collect()
}

#[test]
fn readme_findings_tables_are_the_list_of_checks() {
    let rows = finding_rows(&readme());
    let checks: Vec<(String, String, String)> = Check::ALL
        .iter()
        .map(|c| (c.id().to_string(), c.severity().as_str().to_string(), c.rfc().to_string()))
        .collect();
    for c in &checks {
        assert!(rows.contains(c), "README.md's findings tables have no row `| `{}` | {} | … | {} |`", c.0, c.1, c.2);
    }
    for r in &rows {
        assert!(
            checks.contains(r),
            "README.md names a finding that is not a check in src/event/check.rs (id, severity, RFC): {r:?}"
        );
    }
    assert_eq!(rows, checks, "README.md's findings tables list the checks in another order than Check::ALL");
}
