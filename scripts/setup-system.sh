#!/usr/bin/env bash
# System packages the project needs on Debian/Ubuntu. Installs what is missing when run as root;
# otherwise prints the exact command to run. Safe to run repeatedly.
#   scripts/setup-system.sh          PostgreSQL server + PostGIS + python3-venv
#   scripts/setup-system.sh --web    also Chromium for the browser tests
set -euo pipefail

want=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# PostgreSQL server: keep the installed major version; default to 15.
major=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && major=$(basename "$(dirname "$d")")
done
if [ -z "$major" ]; then
  major=15
  want+=("postgresql-$major")
fi
have_pkg "postgresql-$major-postgis-3" || [ -f "/usr/share/postgresql/$major/extension/postgis.control" ] \
  || want+=("postgresql-$major-postgis-3")
python3 -c 'import ensurepip' 2>/dev/null || want+=("python3-venv")
if [ "${1:-}" = "--web" ]; then
  [ -x /usr/bin/chromium ] || want+=("chromium" "fonts-noto-cjk")
fi

[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${want[*]}" >&2
  echo "install them with:  sudo apt-get update && sudo apt-get install -y ${want[*]}" >&2
  exit 1
fi
echo "installing system packages: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${want[@]}"
