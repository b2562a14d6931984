#!/bin/sh
# What the monthly report's PDF needs from the system: a Chinese font (matplotlib draws the charts with it,
# WeasyPrint embeds it), Pango, which WeasyPrint lays text out with, and HarfBuzz's subsetter. Installed from Debian's packages
# when missing; elsewhere (no apt-get) it says what to install and carries on: the PDF is the one page that
# needs them (docs/deploy.md lists them for offline installs).
set -e
need=""
fc-list :lang=zh 2>/dev/null | grep -q . || need="$need fonts-wqy-microhei"
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need="$need libpango-1.0-0 libpangoft2-1.0-0"
# WeasyPrint subsets the embedded font with HarfBuzz; without this library it falls back to fontTools,
# which took 3-5 times as long on a CJK font (the PDF of one report: ~13 s against ~3 s on a busy machine).
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || need="$need libharfbuzz-subset0"
[ -z "$need" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The monthly report's PDF needs:$need (or their equivalents); install them with your package manager." >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing for the report PDF:$need"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
