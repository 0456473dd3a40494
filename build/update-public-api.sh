#!/usr/bin/env bash
# Rewrites PublicAPI.Unshipped.txt of every library with a tracked public surface from a fresh build's public API
# diagnostics: RS0016 (public, not listed) adds the symbol, RS0017 (listed, gone) removes it from Unshipped, or records
# it as *REMOVED* when it was shipped. Run from anywhere; review the diff like any other change.
#   build/update-public-api.sh            rewrite the files
#   build/update-public-api.sh --check    change nothing; exit 1 when a file would change
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
check=false
[[ "${1:-}" == "--check" ]] && check=true
libraries=(Core Export Export.Torch Runtime Server)
# Two roots reach all five libraries: Server (Core, Runtime, Server) and Export.Torch (Core, Export, Export.Torch).
roots=(src/FastVideo.Onnx.Server/FastVideo.Onnx.Server.csproj src/FastVideo.Onnx.Export.Torch/FastVideo.Onnx.Export.Torch.csproj)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for project in "${roots[@]}"; do
  # --no-incremental: every library compiles again, so every diagnostic is reported (an up-to-date one reports none).
  dotnet build "$root/$project" --no-incremental -nologo -clp:NoSummary -v:q >>"$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2; echo "error: the build failed; the PublicAPI files are unchanged" >&2; exit 1; }
done

# Lines look like: FILE(l,c): warning RS0016: Symbol 'SYMBOL' is not part of the declared public API (URL) [PROJECT]
extract() { # $1 rule, $2 message tail after the symbol, $3 project file name
  grep -F "warning $1: Symbol '" "$work/build.log" | grep -F "/$3]" |
    sed -E "s/.*warning $1: Symbol '(.*)' $2.*/\1/" | LC_ALL=C sort -u || true
}

changed=0
for name in "${libraries[@]}"; do
  dir="$root/src/FastVideo.Onnx.$name"
  shipped="$dir/PublicAPI.Shipped.txt" unshipped="$dir/PublicAPI.Unshipped.txt"
  extract RS0016 "is not part of the declared public API" "FastVideo.Onnx.$name.csproj" >"$work/added"
  extract RS0017 "is part of the declared API, but is either not public or could not be found" "FastVideo.Onnx.$name.csproj" >"$work/gone"
  grep -v '^#' "$unshipped" | grep -v '^$' | LC_ALL=C sort -u >"$work/old" || true
  grep -v '^#' "$shipped" | grep -v '^$' | LC_ALL=C sort -u >"$work/shipped" || true
  {
    echo '#nullable enable'
    {
      LC_ALL=C comm -23 "$work/old" "$work/gone"
      cat "$work/added"
      LC_ALL=C comm -12 "$work/shipped" "$work/gone" | sed 's/^/*REMOVED*/'
    } | LC_ALL=C sort -u
  } >"$work/new"
  if ! cmp -s "$work/new" "$unshipped"; then
    changed=1
    echo "src/FastVideo.Onnx.$name/PublicAPI.Unshipped.txt: +$(wc -l <"$work/added") listed, -$(wc -l <"$work/gone") gone"
    $check || cp "$work/new" "$unshipped"
  fi
done

if $check && [[ $changed == 1 ]]; then
  echo "error: the public API differs from PublicAPI.*.txt; run build/update-public-api.sh" >&2
  exit 1
fi
[[ $changed == 0 ]] && echo "PublicAPI files are up to date"
exit 0
