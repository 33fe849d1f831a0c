#!/usr/bin/env bash
# Sets cardscan up on this machine, starts the local stack on its embedded
# defaults, scans a ZIP of business cards (the project's sample cards unless
# one is given) and prints the contacts.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
"$repo/scripts/setup.sh"
exec "$repo/.venv/bin/cardscan" demo "$@"
