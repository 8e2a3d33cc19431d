#!/usr/bin/env bash
# Regenerate the shell completion scripts in completions/ and the man page man/wscheck.1
# from the CLI definition
# (src/cli.rs, through clap_complete). Run after changing a flag or subcommand;
# tests/completions.rs fails until the committed files match the binary again.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -q
while read -r shell file; do
    cargo run -q -- completions "$shell" > "completions/$file.tmp"
    mv "completions/$file.tmp" "completions/$file"
    echo "completions/$file"
done <<'LIST'
bash wscheck.bash
zsh _wscheck
fish wscheck.fish
elvish wscheck.elv
powershell _wscheck.ps1
LIST
mkdir -p man
cargo run -q -- man > man/wscheck.1.tmp
mv man/wscheck.1.tmp man/wscheck.1
echo "man/wscheck.1"
