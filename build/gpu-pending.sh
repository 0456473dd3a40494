#!/usr/bin/env bash
# The GPU measurements of issues 13, 14 and 16, one step per device call (docs/PERFORMANCE.md, "GPU runbook"),
# on the GPU machine from the repository root, after the bundles of build/gpu-pending-prep.sh:
#   build/gpu-pending.sh wan22        ours: Wan2.2 TI2V-5B transformer (batch 1, 2), VAE22 decode, UMT5, 50-step e2e
#   build/gpu-pending.sh wan22-torch  Diffusers: the same TI2V-5B parts (tools/bench/torch_wan22.py)
#   build/gpu-pending.sh ltx          ours and Diffusers: LTX-Video 0.9.5 transformer, VAE, T5, 50-step e2e
#   build/gpu-pending.sh fastwan      ours and the baselines: FastWan VSA forward at 61x448x832 and 81x480x832,
#                                     3-step DMD, VAE decode, whole request (tools/bench/torch_fastwan.py)
#   build/gpu-pending.sh fastwan-all  issue 13 in one call: the VSA kernel's test and timings beside FastVideo's Triton
#                                     kernels, the fastwan step, the VAE's profile, the GPU checks, FastWan's precision
#   build/gpu-pending.sh a14b         optional: Wan2.2 A14B transformer forward at 81x720x1280, ours and Diffusers
#   build/gpu-pending.sh remaining-wan22  what the 2026-12-01 runs left open, first call: the Wan2.2 TI2V transformer
#                                     and 50-step run, then Diffusers' forward beside it
#   build/gpu-pending.sh remaining-other  second call: the LTX transformer and VAE with their ONNX Runtime profiles, the
#                                     FastWan request, then the precision step
#   build/gpu-pending.sh ltx-profile  ours: the LTX transformer and VAE with their ONNX Runtime profiles
#   build/gpu-pending.sh wan22-transformer  the TI2V-5B transformer forward alone, ours and Diffusers
#   build/gpu-pending.sh ltx-vae      ours and Diffusers: the LTX VAE decode alone (ours with its profile)
#   build/gpu-pending.sh precision    bench precision on the GPU: the tiny Wan, FastWan, LTX-Video and Wan2.2 models, fp16 and bf16
# Several steps may be given (run in order). BENCH_PARTS (e.g. transformer,e2e) narrows ours to those parts of
# `bench run --parts`; TORCH_PARTS (e.g. dit) narrows the baselines to those parts. Results go to $OUT (the device tool's output folder):
# STEP-ours.json (bench run's JSON), STEP-torch.jsonl (one JSON line per baseline measurement), STEP.log (stderr of
# both, the Markdown table of ours) and env.txt. Each command runs under a time limit so that what finished comes back;
# a bench run that finished deletes its random-weight model ($scratch/bench-STEP; the disk holds about two at a time),
# one stopped part-way leaves it for the step's next run.
set -uo pipefail
# Scratch space for the unpacked sources, the kernel build and the converted models: the system's temporary folder
# ($TMPDIR, else the one mktemp uses).
scratch=${TMPDIR:-$(dirname "$(mktemp -u)")}
OUT=${OUT:-$scratch/gpu-pending-out}
mkdir -p "$OUT"
. .device/env.sh || exit 1
src=$scratch/torch-src
[ -d $src/diffusers ] || { mkdir -p $src && tar -xJf .device/torch-src.tar.xz -C $src; }
export PYTHONPATH=$src:$src/vsa:$PWD/tools/bench${PYTHONPATH:+:$PYTHONPATH}
if [ ! -f "$APP/libfastvideo_kernels.so" ]; then
  mkdir -p "$scratch/ort-include" && tar -xJf .device/ort-include.tar.xz -C "$scratch/ort-include"
  ORT_INCLUDE_DIR="$scratch/ort-include/include" CUDA_ARCHITECTURES=90a native/fastvideo_kernels/build.sh "$scratch/kbuild" > "$OUT/kernel-build.log" 2>&1 \
    && cp "$scratch/kbuild/libfastvideo_kernels.so" "$APP/" || { echo "kernel library build failed (see kernel-build.log)"; tail -5 "$OUT/kernel-build.log"; }
fi
{ date -u; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader; cat $src/SOURCES; df -h "$scratch" | tail -1; } > "$OUT/env.txt" 2>&1
tok=models/tiny/wan-t2v-tiny/tokenizer
cfg=models/configs
ours() {  # [KEEP=1] ours STEP LIMIT_S ARGS...: bench run, JSON to STEP-ours.json (a second call: STEP-ours-2.json)
  local step=$1 limit=$2; shift 2
  local json=$OUT/$step-ours.json n=2
  while [ -e "$json" ]; do json=$OUT/$step-ours-$n.json; n=$((n + 1)); done
  echo "== ours: $*" | tee -a "$OUT/$step.log"
  timeout "$limit" "$APP/fastvideo-onnx" bench run --work "$scratch/bench-$step" --no-portable --repeats 3 --json "$json" "$@" \
    ${BENCH_PARTS:+--parts "$BENCH_PARTS"} >> "$OUT/$step.log" 2>&1
  local rc=$?
  echo "rc=$rc $(date -u +%T)" | tee -a "$OUT/$step.log"
  # A run stopped part-way keeps its converted model, so that running the step again skips the conversion.
  [ $rc -eq 0 ] && [ -z "${KEEP:-}" ] && rm -rf "$scratch/bench-$step"
  return $rc
}
baseline() {  # baseline STEP LIMIT_S SCRIPT CONFIG_DIR TOKENIZER_DIR PARTS... [-- OPTIONS...]: one JSON line per
  # measurement to STEP-torch.jsonl. Each part runs in a process of its own within what is left of LIMIT_S, so that a
  # part that fails (out of memory, an API mismatch) costs only its own lines.
  local step=$1 limit=$2 script=$3 cfgdir=$4 tokdir=$5; shift 5
  local parts=() opts=() deadline=$((SECONDS + limit))
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do parts+=("$1"); shift; done
  [ -n "${TORCH_PARTS:-}" ] && read -ra parts <<< "${TORCH_PARTS//,/ }"
  [ "${1:-}" = "--" ] && shift; opts=("$@")
  for part in "${parts[@]}"; do
    local left=$((deadline - SECONDS))
    [ $left -gt 5 ] || { echo "== torch: $script $part skipped: the step's $limit s are spent" | tee -a "$OUT/$step.log"; continue; }
    echo "== torch: $script $part ${opts[*]}" | tee -a "$OUT/$step.log"
    timeout "$left" python3 "tools/bench/$script" "$cfgdir" "$tokdir" "$part" "${opts[@]}" >> "$OUT/$step-torch.jsonl" 2>> "$OUT/$step.log"
    echo "rc=$? $(date -u +%T)" | tee -a "$OUT/$step.log"
  done
}
precision() {  # [NAME LIMIT_S OPTIONS...]: the tiny Wan, FastWan, LTX-Video and Wan2.2 models at fp16 and bf16 against their
  # fp32 references (cosine >= 0.999), to NAME.txt (default precision, 240 s); OPTIONS such as --ltx-fixtures none skip families
  local name=${1:-precision} limit=${2:-240}
  shift $(( $# < 2 ? $# : 2 ))
  build/fixture-copies.sh > /dev/null && timeout "$limit" "$APP/fastvideo-onnx" bench precision --device cuda --work "$scratch/precision" "$@" \
    > "$OUT/$name.txt" 2>&1
  echo "$name rc=$? $(tail -1 "$OUT/$name.txt")" | tee -a "$OUT/$name.log"
}
vsa_kernel() {  # STEP: the VSA kernel's own test (every grid and sparsity, both fine-stage kernels, then the attention-alone
  # timings at 32,760 tokens) and FastVideo's Triton kernels timed the same way (bench_vsa_anchor.py), one after the other
  local step=$1 k=native/fastvideo_kernels b=$scratch/vsa-build
  mkdir -p "$b"
  nvcc -std=c++17 -O3 -gencode=arch=compute_90a,code=sm_90a -DFASTVIDEO_VSA_SM90A -I $k/src -o "$b/vsa_test" $k/test/vsa_test.cu $k/src/vsa.cu \
    > "$OUT/vsa-build.log" 2>&1 || { echo "vsa_test build failed (see vsa-build.log)" | tee -a "$OUT/$step.log"; return 1; }
  timeout 150 "$b/vsa_test" > "$OUT/vsa-kernel-test.txt" 2>&1
  echo "vsa_test rc=$? $(grep -c ' ok$' "$OUT/vsa-kernel-test.txt") ok, $(grep -c FAIL "$OUT/vsa-kernel-test.txt") failed $(date -u +%T)" | tee -a "$OUT/$step.log"
  timeout 120 python3 "$src/anchor/bench_vsa_anchor.py" > "$OUT/vsa-triton-anchor.txt" 2>&1
  echo "triton anchor rc=$? $(date -u +%T)" | tee -a "$OUT/$step.log"
}
gpu_checks() {  # STEP: every com.fastvideo kernel, VSA included, against its reference composition (the GPU test project)
  timeout 150 "$APP/FastVideo.Onnx.Gpu.Tests" --run-gpu-checks --kernels "$APP/libfastvideo_kernels.so" > "$OUT/gpu-checks.txt" 2>&1
  echo "gpu checks rc=$? $(tail -1 "$OUT/gpu-checks.txt") $(date -u +%T)" | tee -a "$OUT/$1.log"
}
for step in "$@"; do
  start=$SECONDS
  case $step in
    wan22)        ours wan22 540 --config-dir $cfg/wan2.2-ti2v-5b ;;
    wan22-torch)  baseline wan22-torch 570 torch_wan22.py $cfg/wan2.2-ti2v-5b $tok dit vae e2e ;;
    ltx)          ours ltx 330 --config-dir $cfg/ltx-video-0.9.5
                  baseline ltx 240 torch_ltx.py $cfg/ltx-video-0.9.5 $tok dit vae t5 e2e ;;
    fastwan)      KEEP=1 ours fastwan 240 --config-dir $cfg/fastwan2.1-t2v-1.3b --vsa-sparsity 0.8,0
                  ours fastwan 90 --config-dir $cfg/fastwan2.1-t2v-1.3b --parts transformer --height 480 --width 832 --num-frames 81 --vsa-sparsity 0.8,0
                  baseline fastwan 240 torch_fastwan.py $cfg/fastwan2.1-t2v-1.3b $tok dit dmd vae request ;;
    # What the 2026-12-01 runs left open, in two calls of about 5 minutes each (docs/PERFORMANCE.md, "Still to measure").
    remaining-wan22) BENCH_PARTS=transformer,e2e ours wan22 420 --config-dir $cfg/wan2.2-ti2v-5b
                  TORCH_PARTS=dit baseline wan22-torch 90 torch_wan22.py $cfg/wan2.2-ti2v-5b $tok dit ;;
    remaining-other) BENCH_PARTS=transformer,vae ours ltx 90 --config-dir $cfg/ltx-video-0.9.5 --profile "$OUT/ltx-profile"
                  BENCH_PARTS=e2e ours fastwan 150 --config-dir $cfg/fastwan2.1-t2v-1.3b --vsa-sparsity 0.8
                  precision ;;
    ltx-profile)  BENCH_PARTS=transformer,vae ours ltx 120 --config-dir $cfg/ltx-video-0.9.5 --profile "$OUT/ltx-profile" ;;
    wan22-transformer) BENCH_PARTS=transformer ours wan22 300 --config-dir $cfg/wan2.2-ti2v-5b
                  TORCH_PARTS=dit baseline wan22-torch 90 torch_wan22.py $cfg/wan2.2-ti2v-5b $tok dit ;;
    ltx-vae)      BENCH_PARTS=vae ours ltx 120 --config-dir $cfg/ltx-video-0.9.5 --profile "$OUT/ltx-profile"
                  TORCH_PARTS=vae baseline ltx 120 torch_ltx.py $cfg/ltx-video-0.9.5 $tok vae -- --vae-dtypes bf16 ;;
    precision)    precision ;;
    # Issue 13 in one call (about 8 minutes): the kernel alone beside FastVideo's Triton kernels, ours and the baselines at
    # both sizes, the DMD loop, the VAE (with its profile) and the whole request, the GPU checks, and FastWan's precision.
    fastwan-all)  vsa_kernel fastwan-all
                  KEEP=1 ours fastwan 200 --config-dir $cfg/fastwan2.1-t2v-1.3b --vsa-sparsity 0.8,0
                  KEEP=1 ours fastwan 60 --config-dir $cfg/fastwan2.1-t2v-1.3b --parts transformer --height 480 --width 832 --num-frames 81 --vsa-sparsity 0.8,0
                  ours fastwan 45 --config-dir $cfg/fastwan2.1-t2v-1.3b --parts vae --profile "$OUT/fastwan-profile"
                  baseline fastwan 200 torch_fastwan.py $cfg/fastwan2.1-t2v-1.3b $tok dit dmd vae request
                  gpu_checks fastwan-all
                  precision precision-fastwan 60 --fixtures none --ltx-fixtures none --wan22-fixtures none ;;
    a14b)         ours a14b 360 --config-dir $cfg/wan2.2-t2v-a14b --parts transformer
                  baseline a14b 200 torch_wan22.py $cfg/wan2.2-t2v-a14b $tok dit -- --height 720 --width 1280 --frames 81 ;;
    *)            echo "unknown step '$step' (wan22, wan22-torch, wan22-transformer, ltx, ltx-profile, ltx-vae, fastwan, fastwan-all, a14b, remaining-wan22, remaining-other, precision)"; exit 2 ;;
  esac
  echo "step $step: $((SECONDS - start)) s" | tee -a "$OUT/$step.log"
done
# The device returns only a few files of a call's output folder: everything also goes back as one archive, named to
# sort first.
(cd "$OUT" && tar -czf "$scratch/0-results.tgz" --exclude=0-results.tgz . && mv "$scratch/0-results.tgz" "$OUT/")
