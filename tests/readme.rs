//! The README repeats what the code says in one place: keep them in step.

#[test]
fn readme_has_the_exit_code_table_of_help() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("read README.md");
    assert!(
        readme.contains(wscheck::exit::TABLE),
        "README.md's exit-code table differs from src/exit.rs TABLE (what --help prints): \
         copy TABLE into the README's \"Exit codes\" block"
    );
}
