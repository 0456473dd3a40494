#!/usr/bin/env bash
# Lays out the fixture files stored once (tests/fixtures/shared/copies.txt), as build/FixtureCopies.targets does when
# the test project builds: for where .NET is not at hand (a machine that runs a published app against the fixtures,
# or after regenerating the fixtures).
#   build/fixture-copies.sh          copy each SOURCE to its COPY (plain files, never links)
#   build/fixture-copies.sh --check  copy nothing; list every COPY that is missing or differs from its SOURCE, exit 1
#                                    if any (after regenerating: a differing file is no longer a copy of that SOURCE)
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=tests/fixtures/shared/copies.txt
check=false
[ "${1:-}" = "--check" ] && check=true
bad=0
while read -r copy arrow source; do
  case "$copy" in ''|'#'*) continue ;; esac
  if [ "$arrow" != "<-" ] || [ -z "$source" ]; then echo "$manifest: '$copy $arrow $source' is not 'COPY <- SOURCE'" >&2; exit 2; fi
  if [ ! -f "$source" ]; then echo "$manifest: the source $source of $copy does not exist" >&2; exit 2; fi
  if $check; then
    if [ ! -f "$copy" ]; then echo "missing: $copy"; bad=1
    elif ! cmp -s "$source" "$copy"; then echo "differs from $source: $copy"; bad=1; fi
  elif ! cmp -s "$source" "$copy" 2>/dev/null; then
    mkdir -p "$(dirname "$copy")"
    rm -f "$copy"
    cp "$source" "$copy"
  fi
done < "$manifest"
exit $bad
