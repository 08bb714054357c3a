#!/bin/sh
# Render one bench SVG plot to PNG, to look at it as a picture (axes, units, the SRAM line).
#
#   bench/render_png.sh reports/plots/memory_mcunet-320kb-1mb.svg            # -> same name .png
#   bench/render_png.sh reports/plots/sram_vs_instructions.svg /tmp/plot.png
#
# Uses rsvg-convert (Debian librsvg2-bin: apt-get install -y --no-install-recommends librsvg2-bin)
# or, when that is missing, headless Chromium (Debian chromium).
set -eu
if [ $# -lt 1 ]; then
  echo "usage: $0 IN.svg [OUT.png]" >&2
  exit 2
fi
in="$1"
out="${2:-${in%.svg}.png}"
if [ ! -f "$in" ]; then
  echo "error: cannot render $in: no such file (run deno task bench first)" >&2
  exit 1
fi
if command -v rsvg-convert >/dev/null 2>&1; then
  rsvg-convert -z 2 -b white "$in" -o "$out"
elif command -v chromium >/dev/null 2>&1; then
  abs="$(cd "$(dirname "$in")" && pwd)/$(basename "$in")"
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --hide-scrollbars --window-size=1000,700 \
    --screenshot="$out" "file://$abs" >/dev/null 2>&1
else
  echo "error: cannot render $in: neither rsvg-convert (apt-get install librsvg2-bin) nor chromium is installed" >&2
  exit 1
fi
echo "$out"
