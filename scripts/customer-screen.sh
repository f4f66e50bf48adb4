#!/usr/bin/env bash
# Regenerates the README's screenshot of the customer's second screen: the
# real pos-terminal under Xvfb on a desktop two monitors wide (the till's
# 1366x768 on the left, the customer's 1024x768 on the right), a sale rung
# up by scans (xdotool types what a wedge scanner types), then paid in cash.
# Usage: scripts/customer-screen.sh [OUT_DIR]   (POS_BIN: a binary to use
# instead of building the release one)
# Needs: xvfb imagemagick xdotool (apt-get install -y xvfb imagemagick xdotool).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs/screenshots}
mkdir -p "$out"
bin=${POS_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -p pos-terminal
  bin=target/release/pos-terminal
fi
work=$(mktemp -d)
"$bin" --data-dir "$work/store" demo >/dev/null
for setting in "window windowed" "customer-screen 1366,0"; do
  # shellcheck disable=SC2086
  "$bin" --data-dir "$work/store" config set $setting --user Marie --pin 246810 >/dev/null
done
Xvfb -displayfd 3 -screen 0 2390x768x24 3>"$work/display" >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 1 100); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=":$(head -n1 "$work/display")"
"$bin" --data-dir "$work/store" >/dev/null 2>&1 &
app=$!
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do
  [ "$(xdotool search --name "S01-T01" 2>/dev/null | wc -l)" -ge 2 ] && break
  sleep 0.1
done
till=$(xdotool search --name "^[^C].*S01-T01" | head -n1)
customer=$(xdotool search --name "^Customer screen" | head -n1)
# No window manager under Xvfb: place both windows and give the till the keyboard.
xdotool windowsize "$till" 1366 768 windowmove "$till" 0 0
xdotool windowsize "$customer" 1024 768 windowmove "$customer" 1366 0
xdotool windowfocus --sync "$till"
settle() { sleep 0.8; }
scan() { xdotool type --delay 5 "$1"; xdotool key Return; settle; }
settle
scan 1111                 # the cashier's PIN
scan 3602850684422        # a baguette
scan 3602850684422        # another
scan 3390000222517        # milk
scan BAK0007              # a croissant, by its code
import -window root "$out/customer-screen.png"
xdotool key F12; settle   # to payment: the customer sees what is left to pay
scan 20                   # 20.00 in cash
xdotool key Return; settle
import -window root "$out/customer-screen-change.png"
echo "wrote $out/customer-screen.png and $out/customer-screen-change.png"
