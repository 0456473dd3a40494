// Standalone GPU check of the ChannelRmsNorm kernels (channel-first and channels-last) against a float64 reference of their definition
// (y = act(x / max(||x||_C, eps) * scale * gamma[c]), x as stored in the element type), over shapes that exercise
// every vector width, odd and tiny spatial sizes, batches, misaligned pointers and all-zero positions; then timings.
//   nvcc -std=c++17 -O3 -arch=sm_90 -I native/fastvideo_kernels/src -o build/crn_test
//        native/fastvideo_kernels/test/channel_rms_norm_test.cu native/fastvideo_kernels/src/channel_rms_norm.cu
//   build/crn_test             (add --quick to skip the timings, e.g. under compute-sanitizer)
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "channel_rms_norm.h"

using fastvideo::ElemType;

#define CUDA_OK(call)                                                                          \
  do {                                                                                         \
    cudaError_t e_ = (call);                                                                   \
    if (e_ != cudaSuccess) {                                                                   \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
      std::exit(2);                                                                            \
    }                                                                                          \
  } while (0)

template <typename T> T FromF(float v);
template <> float FromF<float>(float v) { return v; }
template <> __half FromF<__half>(float v) { return __float2half_rn(v); }
template <> __nv_bfloat16 FromF<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }
template <typename T> float ToF(T v);
template <> float ToF<float>(float v) { return v; }
template <> float ToF<__half>(__half v) { return __half2float(v); }
template <> float ToF<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T> struct Info;
// tolerance: |y - reference| <= rel * |reference| + abs (abs covers float16's subnormal spacing, 2^-24)
template <> struct Info<float> { static constexpr ElemType type = ElemType::Float32; static constexpr double rel = 2e-6, abs = 1e-30; static constexpr const char* name = "fp32"; };
template <> struct Info<__half> { static constexpr ElemType type = ElemType::Float16; static constexpr double rel = 1e-3, abs = 6e-8; static constexpr const char* name = "fp16"; };
template <> struct Info<__nv_bfloat16> { static constexpr ElemType type = ElemType::BFloat16; static constexpr double rel = 8e-3, abs = 1e-30; static constexpr const char* name = "bf16"; };

int failures = 0;

// offset: elements the x/y pointers are shifted by (misalignment test); last: x is [B, N, C] (channels-last), else [B, C, N]
template <typename T>
void Check(int64_t batch, int64_t channels, int64_t positions, bool silu, int offset, bool last, uint32_t seed) {
  const int64_t n = batch * channels * positions;
  auto at = [&](int64_t b, int64_t c, int64_t p) { return last ? (b * positions + p) * channels + c : (b * channels + c) * positions + p; };
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 3.f);
  std::vector<T> x(n);
  for (auto& v : x) v = FromF<T>(normal(rng));
  // an all-zero position (the norm clamps to eps: output 0, not NaN)
  if (positions > 3)
    for (int64_t c = 0; c < channels; c++) x[at(0, c, 3)] = FromF<T>(0.f);
  std::vector<float> gamma(channels);
  for (auto& g : gamma) g = 0.5f + (float)(rng() % 1000) / 1000.f;
  const float scale = std::sqrt((float)channels), eps = 1e-12f;

  T *dx = nullptr, *dy = nullptr;
  float* dg = nullptr;
  CUDA_OK(cudaMalloc(&dx, (n + offset) * sizeof(T)));
  CUDA_OK(cudaMalloc(&dy, (n + offset) * sizeof(T)));
  CUDA_OK(cudaMalloc(&dg, channels * sizeof(float)));
  CUDA_OK(cudaMemcpy(dx + offset, x.data(), n * sizeof(T), cudaMemcpyHostToDevice));
  CUDA_OK(cudaMemcpy(dg, gamma.data(), channels * sizeof(float), cudaMemcpyHostToDevice));
  CUDA_OK(cudaMemset(dy, 0xff, (n + offset) * sizeof(T)));
  if (last)
    CUDA_OK(fastvideo::LaunchChannelsLastRmsNorm(Info<T>::type, dx + offset, dg, dy + offset, batch * positions, channels, scale, eps, silu, 0));
  else
    CUDA_OK(fastvideo::LaunchChannelRmsNorm(Info<T>::type, dx + offset, dg, dy + offset, batch, channels, positions, scale, eps, silu, 0));
  CUDA_OK(cudaDeviceSynchronize());
  std::vector<T> y(n);
  CUDA_OK(cudaMemcpy(y.data(), dy + offset, n * sizeof(T), cudaMemcpyDeviceToHost));
  CUDA_OK(cudaFree(dx));
  CUDA_OK(cudaFree(dy));
  CUDA_OK(cudaFree(dg));

  double worst = 0;
  int64_t bad = 0;
  for (int64_t b = 0; b < batch; b++)
    for (int64_t p = 0; p < positions; p++) {
      double sum = 0;
      for (int64_t c = 0; c < channels; c++) {
        const double v = ToF(x[at(b, c, p)]);
        sum += v * v;
      }
      const double inv = 1.0 / std::max(std::sqrt(sum), (double)eps);
      for (int64_t c = 0; c < channels; c++) {
        const int64_t i = at(b, c, p);
        double r = ToF(x[i]) * inv * scale * gamma[c];
        if (silu) r = r / (1.0 + std::exp(-r));
        const double got = ToF(y[i]);
        const double diff = std::fabs(got - r);
        if (!(diff <= Info<T>::rel * std::fabs(r) + Info<T>::abs)) bad++;  // NaN counts as bad
        if (std::fabs(r) > 1e-3 && !(diff / std::fabs(r) <= worst)) worst = diff / std::fabs(r);
      }
    }
  const bool ok = bad == 0;
  if (!ok) failures++;
  std::printf("%s %s %s B=%lld C=%lld N=%lld silu=%d offset=%d: max rel err %.3g (|y| > 1e-3)%s\n", ok ? "ok  " : "FAIL", Info<T>::name,
              last ? "channels-last" : "channel-first", (long long)batch, (long long)channels, (long long)positions, (int)silu, offset, worst,
              ok ? "" : (" (" + std::to_string(bad) + " elements out of tolerance)").c_str());
}

template <typename T>
void CheckAll() {
  struct Case { int64_t b, c, n; int offset; };
  const Case cases[] = {
      {1, 1, 1, 0},        {1, 3, 7, 0},          {2, 8, 5, 0},           {1, 16, 6, 0},      // tiny, odd, V=1
      {1, 96, 6240, 0},    {2, 384, 6240, 0},     {1, 384, 6239, 0},                          // low-res, V=1
      {1, 96, 65536, 0},   {1, 96, 65538, 0},     {2, 32, 131072, 0},     {1, 96, 65536, 1},  // V=4, V=2, misaligned
      {1, 33, 3 * 96 * 104, 0}, {1, 192, 4 * 120 * 208, 0},                                     // other C, multi-frame
      {1, 12, 1001, 0},    {3, 48, 333, 2},       {1, 5, 77, 0},          {1, 24, 4097, 0},   // channels-last: 4-16 lanes a row
  };
  uint32_t seed = 1;
  for (bool last : {false, true})
    for (const auto& k : cases)
      for (bool silu : {false, true}) Check<T>(k.b, k.c, k.n, silu, k.offset, last, seed++);
}

template <typename T>
void Time(int64_t channels, int64_t positions, bool silu, bool last = false) {
  const int64_t n = channels * positions;
  T *dx = nullptr, *dy = nullptr;
  float* dg = nullptr;
  CUDA_OK(cudaMalloc(&dx, n * sizeof(T)));
  CUDA_OK(cudaMalloc(&dy, n * sizeof(T)));
  CUDA_OK(cudaMalloc(&dg, channels * sizeof(float)));
  CUDA_OK(cudaMemset(dx, 0x3c, n * sizeof(T)));
  CUDA_OK(cudaMemset(dg, 0, channels * sizeof(float)));
  cudaEvent_t start, stop;
  CUDA_OK(cudaEventCreate(&start));
  CUDA_OK(cudaEventCreate(&stop));
  const float scale = std::sqrt((float)channels);
  auto launch = [&] {
    return last ? fastvideo::LaunchChannelsLastRmsNorm(Info<T>::type, dx, dg, dy, positions, channels, scale, 1e-12f, silu, 0)
                : fastvideo::LaunchChannelRmsNorm(Info<T>::type, dx, dg, dy, 1, channels, positions, scale, 1e-12f, silu, 0);
  };
  for (int i = 0; i < 3; i++) CUDA_OK(launch());
  const int reps = 20;
  CUDA_OK(cudaEventRecord(start));
  for (int i = 0; i < reps; i++) CUDA_OK(launch());
  CUDA_OK(cudaEventRecord(stop));
  CUDA_OK(cudaEventSynchronize(stop));
  float ms = 0;
  CUDA_OK(cudaEventElapsedTime(&ms, start, stop));
  ms /= reps;
  const double bytes = 2.0 * n * sizeof(T);  // one read + one write: the minimum traffic
  std::printf("time %s %s C=%lld N=%lld silu=%d: %.1f us, %.0f GB/s effective (read once + write once)\n", Info<T>::name,
              last ? "channels-last" : "channel-first", (long long)channels, (long long)positions, (int)silu, ms * 1e3, bytes / (ms * 1e-3) / 1e9);
  CUDA_OK(cudaEventDestroy(start));
  CUDA_OK(cudaEventDestroy(stop));
  CUDA_OK(cudaFree(dx));
  CUDA_OK(cudaFree(dy));
  CUDA_OK(cudaFree(dg));
}

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  CheckAll<float>();
  CheckAll<__half>();
  CheckAll<__nv_bfloat16>();
  if (!quick) {
    // Wan2.1 decoder chunk (4 frames) at 480x832: full resolution (96 ch), half (192), quarter (384); the mid block's 1 frame.
    Time<__half>(96, 4LL * 480 * 832, true);
    Time<__half>(192, 4LL * 240 * 416, true);
    Time<__half>(384, 4LL * 120 * 208, true);
    Time<__half>(384, 1LL * 60 * 104, true);
    Time<float>(96, 4LL * 480 * 832, true);
    Time<__nv_bfloat16>(96, 4LL * 480 * 832, false);
    Time<__half>(96, 4LL * 480 * 832, true, true);
    Time<__half>(192, 4LL * 240 * 416, true, true);
    Time<__half>(384, 4LL * 120 * 208, true, true);
  }
  std::printf(failures == 0 ? "ALL OK\n" : "%d FAILED\n", failures);
  return failures == 0 ? 0 : 1;
}
