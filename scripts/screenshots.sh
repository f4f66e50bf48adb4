#!/usr/bin/env bash
# Regenerates the README's screenshots by driving the real pos-terminal
# under Xvfb through a whole day on a fresh demo store, at 1366x768 and at
# 1920x1080: log in, sell by scan (a wedge scanner's keys, typed by
# xdotool) and from the product grid (a weighed tile too), pay, take a
# return, lock, receive a delivery and count as the manager, close the day.
# Usage: scripts/screenshots.sh [OUT_DIR] [SIZE...]   (default: both sizes)
# Needs: xvfb imagemagick xdotool (apt-get install -y xvfb imagemagick xdotool).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs/screenshots}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1366x768 1920x1080)
cargo build --release -p pos-terminal
bin=target/release/pos-terminal

day() {
  local size=$1 dir="$out/$1" work
  local width=${size%x*} height=${size#*x}
  mkdir -p "$dir"
  work=$(mktemp -d)
  "$bin" --data-dir "$work/store" demo >/dev/null
  # The manager's favourites: a baguette and apricots (sold by weight).
  "$bin" --data-dir "$work/store" favourites set BAK0001 FRU0049 --user Marie --pin 246810 >/dev/null
  # Xvfb picks a free display and writes its number on fd 3: never a fixed
  # display another user may hold.
  Xvfb -displayfd 3 -screen 0 "${size}x24" 3>"$work/display" >/dev/null 2>&1 &
  local xvfb=$!
  for _ in $(seq 1 100); do [ -s "$work/display" ] && break; sleep 0.1; done
  export DISPLAY=":$(head -n1 "$work/display")"
  "$bin" --data-dir "$work/store" >/dev/null 2>&1 &
  local app=$!
  trap 'kill $app $xvfb 2>/dev/null || true' RETURN
  for _ in $(seq 1 100); do
    xdotool search --name "S01-T01" >/dev/null 2>&1 && break
    sleep 0.1
  done
  local window
  window=$(xdotool search --name "S01-T01" | head -n1)
  # No window manager under Xvfb: fill the screen and take the keyboard.
  xdotool windowsize "$window" "$width" "$height" windowmove "$window" 0 0
  xdotool windowfocus --sync "$window"
  settle() { sleep 0.6; }
  shot() { import -window root "$dir/$1.png"; }
  scan() { xdotool type --delay 5 "$1"; xdotool key Return; settle; }
  click() { xdotool mousemove "$1" "$2" click 1; settle; }
  # Where things are (measured on these screenshots): the grid's first
  # tiles, the manager's tabs along the top, the buttons of goods work
  # along the bottom, closing the day under its figures.
  local tile_y=298 tile1_x=558 tile2_x=680
  if [ "$width" -ge 1900 ]; then tile_y=${TILE_Y:-248} tile1_x=${TILE1_X:-760} tile2_x=${TILE2_X:-882}; fi
  local goods_tab=421 reports_tab=184 tabs_y=81
  local menu_y=222 finish_x=$((20 + (width - 40) * 3 / 4)) finish_y=$((height - 120))

  settle
  shot login
  scan 1111                          # the cashier's PIN alone (the demo allows it)
  scan 3602850684422                 # a baguette, as a wedge scanner types it
  scan 2100101003509                 # 350 g of apples from the scale's label
  xdotool type --delay 40 "creme fr"; settle
  shot search
  xdotool key Escape; settle
  scan DAI0049
  shot sale
  click $tile1_x $tile_y             # a baguette from the favourites page
  click $tile2_x $tile_y             # apricots: sold by weight, so it asks
  scan 0.350                         # 350 g
  shot grid
  xdotool key F12; settle
  shot payment
  scan 50                            # 50.00 handed over
  xdotool key Return; settle         # confirm
  shot receipt
  xdotool key F8; settle             # returns, from the receipt screen
  scan S01-T01-000001
  scan 3602850684422                 # the baguette comes back
  xdotool key F12; settle
  shot return
  xdotool key F12; settle            # give back
  shot refunded
  xdotool key Return; settle
  click $((width - 40)) 20           # Lock
  click $((width / 2 + 60)) $((208 + (height - 768) / 2))   # Marie, on the login screen (centred)
  scan 246810
  xdotool key F9; settle
  click $goods_tab $tabs_y           # the Goods in & out tab
  shot goods
  click $((20 + (width - 40) / 6)) $menu_y   # delivery with no order
  scan "BAK0004*24"
  scan "DAI0049*12"
  shot delivery
  click $finish_x $finish_y          # receive these
  click $((20 + (width - 40) * 5 / 6)) $menu_y   # count stock (blind)
  scan "BAK0004*30"
  shot count
  click $finish_x $finish_y          # close the count: it says what it will book
  click $((20 + (width - 40) / 4)) $finish_y   # yes, close it (on the other side)
  click $reports_tab $tabs_y         # the Reports tab: the count field has the keyboard
  shot manager
  scan 180.00                        # the cash counted
  shot z-preview
  click $((430 + (width - 450) / 4)) 588   # close the day (left of the confirmation)
  shot z-report
  echo "screenshots at $size in $dir"
}

for size in "${sizes[@]}"; do
  day "$size"
done
