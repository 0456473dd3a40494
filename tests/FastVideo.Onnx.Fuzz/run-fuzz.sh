#!/usr/bin/env bash
# Coverage-guided fuzzing of one reader of untrusted files (docs/RELIABILITY.md, "Coverage-guided fuzzing").
#
#   LIBFUZZER_DOTNET_SRC=DIR tests/FastVideo.Onnx.Fuzz/run-fuzz.sh TARGET SECONDS
#   LIBFUZZER_DOTNET_SRC=DIR tests/FastVideo.Onnx.Fuzz/run-fuzz.sh TARGET merge
#
# TARGET: safetensors | weight-index | model-index | json-config | manifest.
# DIR: a checkout (or bare git directory) of the public libFuzzer driver for SharpFuzz, libfuzzer-dotnet; its
# libfuzzer-dotnet.cc is compiled here with clang-14 -fsanitize=fuzzer (Debian: clang-14, libclang-rt-14-dev).
# The first form builds the harness in Release, instruments FastVideo.Onnx.Core.dll with SharpFuzz.CommandLine
# 2.3.0 (installed into a tool path under the work folder) and fuzzes for SECONDS, starting from the committed
# corpus; crashes land in WORK/findings/TARGET/. The second form minimizes the grown corpus and commits its
# CORPUS_KEEP (default 8) largest inputs as the new committed corpus.
# FUZZ_WORK (default: a folder under /tmp) holds everything the run produces; nothing is written to the repository
# except by "merge".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: run-fuzz.sh TARGET SECONDS|merge}
mode=${2:?usage: run-fuzz.sh TARGET SECONDS|merge}
work=${FUZZ_WORK:-/tmp/fastvideo-onnx-fuzz}
src=${LIBFUZZER_DOTNET_SRC:?set LIBFUZZER_DOTNET_SRC to a checkout of libfuzzer-dotnet}
case "$target" in safetensors|weight-index|model-index|json-config|manifest) ;; *) echo "unknown target '$target'" >&2; exit 2;; esac
mkdir -p "$work"

# 1. The libFuzzer driver.
driver="$work/libfuzzer-dotnet"
if [[ ! -x "$driver" ]]; then
  if [[ -f "$src/libfuzzer-dotnet.cc" ]]; then cp "$src/libfuzzer-dotnet.cc" "$work/"
  else git --git-dir="$src" show HEAD:libfuzzer-dotnet.cc > "$work/libfuzzer-dotnet.cc"; fi
  if ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
    apt-get install -y clang-14 libclang-rt-14-dev
  fi
  clang-14 -O2 -fsanitize=fuzzer "$work/libfuzzer-dotnet.cc" -o "$driver"
fi

# 2. The instrumenting tool.
if [[ ! -x "$work/tools/sharpfuzz" ]]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools"
fi

# 3. The harness, with the library under test instrumented (a fresh publish: instrumenting twice is refused).
rm -rf "$work/out"
dotnet publish "$here/FastVideo.Onnx.Fuzz.csproj" -c Release -o "$work/out" --nologo -v quiet
"$work/tools/sharpfuzz" "$work/out/FastVideo.Onnx.Core.dll"

# 4. Fuzz, or minimize.
corpus="$work/corpus/$target"
mkdir -p "$corpus" "$work/findings/$target"
cp -n "$here/corpus/$target/"* "$corpus/" 2>/dev/null || true
common=(--target_path="$work/out/FastVideo.Onnx.Fuzz" --target_arg="$target" -dict="$here/json.dict"
        -timeout=10 -rss_limit_mb=4096 -max_len=4096 -artifact_prefix="$work/findings/$target/")
if [[ "$mode" == merge ]]; then
  fresh="$work/merged/$target"
  rm -rf "$fresh" && mkdir -p "$fresh"
  "$driver" "${common[@]}" -merge=1 "$fresh" "$corpus"
  # The committed corpus stays small: the CORPUS_KEEP largest inputs of the minimized set (they reach the most
  # features each); the full minimized set stays in the work folder for longer runs.
  rm -rf "$here/corpus/$target" && mkdir -p "$here/corpus/$target"
  ls -S "$fresh" | head -n "${CORPUS_KEEP:-8}" | while read -r f; do cp "$fresh/$f" "$here/corpus/$target/"; done
else
  "$driver" "${common[@]}" -max_total_time="$mode" -print_final_stats=1 "$corpus"
fi
