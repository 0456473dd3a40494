#!/usr/bin/env bash
# Makes the bundles the pending GPU runs need (docs/PERFORMANCE.md, "GPU runbook"), here in the checkout:
#   .device/ort-cuda.part00-01 + .parts   ONNX Runtime's CUDA provider (SHARED_DEVICE/pack-ort-cuda.sh)
#   .device/app.partNN + app.parts        the CLI (self-contained, -p:LeanDeploy=true) and the GPU checks (pack-app.sh)
#   .device/torch-src.tar.xz              Diffusers' src/diffusers, FastVideo's three Triton VSA files (vsa/) and the
#                                         attention-alone anchor script that drives them (anchor/, from ../shared/bench)
#   .device/ort-include.tar.xz            ONNX Runtime's C/C++ headers, to build the kernel library there
# usage: build/gpu-pending-prep.sh DIFFUSERS_GIT_DIR FASTVIDEO_GIT_DIR
#   the two arguments are git directories (bare or not) of the public huggingface/diffusers and hao-ai-lab/FastVideo
#   repositories; SHARED_DEVICE (default ../shared/device) holds pack-ort-cuda.sh, pack-app.sh and env.sh.
# Nothing here is committed: .device/ is excluded from git by the pack scripts.
set -euo pipefail
diffusers=${1:?usage: gpu-pending-prep.sh DIFFUSERS_GIT_DIR FASTVIDEO_GIT_DIR}
fastvideo=${2:?usage: gpu-pending-prep.sh DIFFUSERS_GIT_DIR FASTVIDEO_GIT_DIR}
top=$(git rev-parse --show-toplevel)
cd "$top"
shared=${SHARED_DEVICE:-$top/../shared/device}
# The pack scripts keep .device/ out of git through .git/info/exclude, which a linked worktree does not have.
[ -d "$top/.git" ] || { echo "run this in a clone: $top/.git is not a directory (a git worktree), and the pack scripts write .git/info/exclude" >&2; exit 1; }
nuget=${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.ml.onnxruntime.gpu.linux/1.31.0/buildTransitive/native
dotnet restore -v q
"$shared/pack-ort-cuda.sh"
pub=$(mktemp -d)
dotnet publish tools/FastVideo.Onnx.Cli -c Release -r linux-x64 --self-contained -p:LeanDeploy=true -o "$pub" -v q -nologo
# The GPU checks (FastVideo.Onnx.Gpu.Tests --run-gpu-checks) beside the CLI, as the README's GPU section publishes them.
dotnet publish tests/FastVideo.Onnx.Gpu.Tests -c Release -r linux-x64 --self-contained -o "$pub" -v q -nologo
"$shared/pack-app.sh" "$pub"
rm -rf "$pub"
src=$(mktemp -d)
mkdir -p "$src/vsa"
git -C "$diffusers" archive HEAD src/diffusers | tar -x -C "$src"
# FastVideo's attention-alone anchor script (../shared/bench), which drives those Triton kernels
mkdir -p "$src/anchor"
cp "${SHARED_BENCH:-$top/../shared/bench}/bench_vsa_anchor.py" "$src/anchor/"
for f in block_sparse_attn_triton fused_compress_topk index; do
  git -C "$fastvideo" show "HEAD:fastvideo-kernel/python/fastvideo_kernel/triton_kernels/$f.py" > "$src/vsa/$f.py"
done
# The commit the CLI was published from (the device machine's copy of the repository does not say it reliably).
app_commit="$(git rev-parse HEAD)$(git diff --quiet HEAD -- src tools native || echo ' with uncommitted changes')"
{ echo "diffusers $(git -C "$diffusers" rev-parse HEAD)"; echo "fastvideo $(git -C "$fastvideo" rev-parse HEAD)"; echo "fastvideo-onnx $app_commit"; } > "$src/SOURCES"
tar -cJf .device/torch-src.tar.xz -C "$src" SOURCES vsa anchor -C "$src/src" diffusers
rm -rf "$src"
tar -cJf .device/ort-include.tar.xz -C "$nuget" include
ls -la .device/
echo "bundles ready: send ort-cuda.part00, ort-cuda.part01, app.part00.. one per call (docs/PERFORMANCE.md, GPU runbook)"
