#!/usr/bin/env bash
# Regenerates the README's screenshots: runs the real pos-terminal under
# Xvfb on a fresh demo store, types a sale as a keyboard-wedge scanner
# would (xdotool), pays, and saves the sale, payment, receipt and Z screens.
# Needs: xvfb xauth imagemagick xdotool libxkbcommon-x11-0 libxcursor1 libxi6
# libx11-xcb1 fonts-dejavu-core (apt-get install them first).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs/screenshots}
mkdir -p "$out"
cargo build --release -p pos-terminal
bin=target/release/pos-terminal
data=$(mktemp -d)
"$bin" --data-dir "$data" demo >/dev/null

# Xvfb picks a free display and writes its number on fd 3: never a fixed
# display another user may hold.
size=${SIZE:-1024x768}
Xvfb -displayfd 3 -screen 0 "${size}x24" 3>"$data/display" >/dev/null 2>&1 &
xvfb=$!
app=
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do [ -s "$data/display" ] && break; sleep 0.1; done
export DISPLAY=":$(head -n1 "$data/display")"
ICED_BACKEND=tiny-skia "$bin" --data-dir "$data" >/dev/null 2>&1 &
app=$!

# Wait until the window is mapped instead of guessing how long start-up takes.
for _ in $(seq 1 100); do
  xdotool search --name "S01-T01" >/dev/null 2>&1 && break
  sleep 0.1
done
window=$(xdotool search --name "S01-T01" | head -n1)
# No window manager under Xvfb: give the window the keyboard ourselves.
xdotool windowfocus --sync "$window"
xdotool mousemove 700 700
settle() { sleep 0.6; }
shot() { import -window root "$out/$1.png"; }
type_scan() { xdotool type --delay 5 "$1"; xdotool key Return; settle; }

settle
shot login
type_scan 1111                       # the cashier's PIN
type_scan 3602850684422              # baguette, as a wedge scanner types it
type_scan 2100101003509              # 350 g of apples from the scale
xdotool type --delay 40 "creme fr"; settle
shot search
xdotool key Escape; settle
type_scan DAI0049
shot sale
xdotool key F12; settle
shot payment
xdotool type --delay 20 "20"; xdotool key Return; settle
xdotool key Return; settle
shot receipt
xdotool key Return; settle
xdotool key F9; settle
xdotool mousemove 193 81 click 1; settle  # the Reports tab: the count field has the keyboard
shot manager
type_scan 110.00                     # the cash counted, blind: the figures come next
shot z-preview
read -r -a close_at <<< "${CLOSE_AT:-640 600}"
xdotool mousemove "${close_at[@]}" click 1; settle  # Close the day: a cashier needs a manager
shot approval
type_scan 246810                     # Marie, the only manager, approves
shot z-report
echo "screenshots in $out"
