#!/usr/bin/env bash
# Runs dynalite (https://github.com/architect/dynalite, a DynamoDB implementation on LevelDB, in
# Node.js), a peer Dynalog is compared with, in the foreground, in memory:
#
#   scripts/dynalite.sh [PORT]        (default port 8012)
#
# The first run installs dynalite from npm into target/dynalite-VERSION (needs Node.js and npm);
# later runs start at once. Every start is empty (no --path: LevelDB in memory).
#
# Environment: DYNALITE_VERSION (default 4.0.0).
set -euo pipefail

port="${1:-8012}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
  echo "usage: $0 [PORT]   (PORT: 1..65535, default 8012)" >&2
  exit 2
fi
version="${DYNALITE_VERSION:-4.0.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/target/dynalite-$version"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "dynalite needs Node.js and npm on the PATH" >&2
  exit 1
fi
if [[ ! -f "$dir/node_modules/dynalite/cli.js" ]]; then
  echo "Installing dynalite $version from npm into $dir ..." >&2
  # Only a complete install counts: install beside it, then move it in place.
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  npm install --silent --no-audit --no-fund --prefix "$dir.partial" "dynalite@$version" >&2
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
fi
exec node "$dir/node_modules/dynalite/cli.js" --port "$port"
