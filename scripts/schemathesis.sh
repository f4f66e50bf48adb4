#!/usr/bin/env bash
# Checks the served OpenAPI document and fuzzes the sync server against it
# with schemathesis, once per credential (a terminal's token, a channel's
# API key, a head-office report key). Fails on any 5xx or any response the
# document does not describe. Needs python3 (schemathesis comes from PyPI
# into a venv under target/). Usage: scripts/schemathesis.sh [EXAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-50}"
venv=target/schemathesis-venv
[ -x "$venv/bin/st" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q schemathesis openapi-spec-validator; }
cargo build -q -p pos-sync-server
server=target/debug/pos-sync-server
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
export POS_SERVER_DB="$work/hq.sqlite"
"$server" store add --name "Paris Halles" >/dev/null
"$server" store add --name "Lyon" >/dev/null
"$server" catalog import assets/demo-catalog.csv >/dev/null
"$server" user add --name Marie --role manager --pin 246810 >/dev/null
code=$("$server" --json terminal add --store S01 --name "Caisse 1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["enrollment_code"])')
channel=$("$server" --json channel key web | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
office=$("$server" --json office key finance | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
# Auth checks send wrong credentials on purpose: do not pause for them.
serve=(serve --failures-before-pause 1000000)
"$server" "${serve[@]}" --listen 127.0.0.1:0 > "$work/serve.out" 2>"$work/serve.log" & pid=$!
until grep -q listening "$work/serve.out" 2>/dev/null; do sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/serve.out")
token=$(curl -sf -X POST "$url/v1/enroll" -H 'content-type: application/json' \
    -d "{\"protocol_version\":1,\"code\":\"$code\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -sf "$url/v1/openapi.json" > "$work/openapi.json"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"
# An order to confirm, cancel and change, so those calls reach more than a 404.
curl -sf -X POST "$url/v1/channel/orders" -H "Authorization: Bearer $channel" -H 'Idempotency-Key: st-1' \
    -H 'content-type: application/json' -d '{"customer":{"name":"Zoé"},"store":"S01","lines":[{"sku":"BAK0004","qty":"1"}],"on_short":"backorder"}' >/dev/null
printf '[parameters]\n"path.number" = "ORD-000001"\n' > "$work/st.toml"
status=0
for credential in "$token" "$channel" "$office"; do
    "$venv/bin/st" --config-file "$work/st.toml" run "$url/v1/openapi.json" -H "Authorization: Bearer $credential" \
        --checks all --max-examples "$examples" --seed 1 --workers 1 || status=1
done
if grep -E 'panicked|ERROR' "$work/serve.log"; then status=1; fi
exit $status
