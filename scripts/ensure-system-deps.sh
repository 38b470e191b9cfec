#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo need, when missing:
#   pcscd + vsmartcard-vpcd  the real PC/SC daemon and the virtual reader driver
#   pcsc-tools, opensc       scriptor and opensc-tool: card clients nobody here wrote
#   socat                    pseudo-terminal pairs for the serial simulators
#   chromium                 the browser tests and the demo's kiosk window
#   fonts-noto-cjk           Chinese glyphs for screenshots and receipt images
#   poppler-utils            pdftotext and pdfinfo: the console test reads the
#                            printed publicity list (PDF) back
#   unifont                  16x16 bitmap glyphs (unifont.hex) the receipt
#                            renderer draws Chinese and Tibetan with
#   postgresql, libpq-dev    the province's database engine (issue 15): the
#                            tests and `--db postgres` start a throwaway cluster;
#                            libpq-dev is the build dependency of pg-native
#   espeak-ng                renders the kiosk's spoken prompts (Mandarin, English)
#                            at UI build time (issue 12 section 3)
#   sox                      makes and checks the test set of recorded prompts
#   libpcsclite-dev, pkg-config, g++, make
#                            build dependencies of the `pcsclite` npm module
# Runs as root on a fresh machine (apt-get), via sudo otherwise.
set -euo pipefail

need=()
[ -x /usr/sbin/pcscd ] || need+=(pcscd)
[ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] || need+=(vsmartcard-vpcd)
command -v scriptor >/dev/null 2>&1 || need+=(pcsc-tools)
command -v opensc-tool >/dev/null 2>&1 || need+=(opensc)
command -v pidof >/dev/null 2>&1 || need+=(sysvinit-utils)
command -v socat >/dev/null 2>&1 || need+=(socat)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/unifont/unifont.hex ] || need+=(unifont)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v sox >/dev/null 2>&1 || need+=(sox)
[ -e /usr/include/PCSC/winscard.h ] || need+=(libpcsclite-dev)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -e /usr/include/postgresql/libpq-fe.h ] || need+=(libpq-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "installing system packages: ${need[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "error: need root (or sudo) to install: ${need[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "installed: ${need[*]}" >&2
