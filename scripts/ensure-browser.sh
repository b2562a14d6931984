#!/bin/sh
# Install Debian's Chromium and a Chinese font for the end-to-end tests, if they are missing.
set -e
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
fc-list :lang=zh 2>/dev/null | grep -q . || need="$need fonts-wqy-microhei"
[ -z "$need" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing for browser tests:$need"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
