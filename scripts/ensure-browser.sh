#!/bin/sh
# Install what the tests need from Debian when missing: Chromium and a Chinese font for the
# end-to-end tests, GNU gettext for the translation-coverage test.
set -e
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
# The Chinese font (and Pango) of the report PDF, which the screenshots use too.
sh "$(dirname "$0")/ensure-fonts.sh"
# The i18n coverage test runs makemessages, which needs GNU gettext.
command -v xgettext >/dev/null 2>&1 || need="$need gettext"
[ -z "$need" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing for browser tests:$need"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
