#!/usr/bin/env bash
# Regenerates the README's back-office screenshots (dashboard, catalog
# search, a product's ledger, prices and promotions) in a headless Chromium against a real
# server and real tills. Usage: scripts/office-screenshots.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/browser-deps
cargo run -p pos-tests --bin office-shots -- "${1:-docs/screenshots/office}"
