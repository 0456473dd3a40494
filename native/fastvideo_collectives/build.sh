#!/usr/bin/env bash
# Builds libfastvideo_collectives.so (needs CMake and a C++17 compiler; no GPU). ONNX Runtime's headers come from the
# Microsoft.ML.OnnxRuntime.Gpu.Linux NuGet package (restore the solution first) unless ORT_INCLUDE_DIR is set.
#   native/fastvideo_collectives/build.sh [OUTPUT_DIR]      (default: native/fastvideo_collectives/build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
include=${ORT_INCLUDE_DIR:-${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.ml.onnxruntime.gpu.linux/1.31.0/buildTransitive/native/include}
cmake -S "$here" -B "$out" -DCMAKE_BUILD_TYPE=Release -DORT_INCLUDE_DIR="$include" >/dev/null
cmake --build "$out" -j "$(nproc)" >/dev/null
echo "$out/libfastvideo_collectives.so"
