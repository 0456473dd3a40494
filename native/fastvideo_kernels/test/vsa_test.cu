// Standalone GPU check of the Video Sparse Attention kernels (src/vsa.cu) against a straightforward reference of the
// definition: tile means, coarse scores, softmax and top-k in float64 on the CPU; the fine attention over the
// reference's selected tiles by a plain CUDA kernel (one warp per query, float32); output = coarse * gate + fine.
// Grids with whole and partial tiles, sparsities 0 / 0.5 / 0.8 / 0.9, bf16 and fp16, head dims 64 and 128, batch 2;
// a CUDA-graph replay; then timings at Wan2.1-1.3B 480x832x81 (21x30x52 = 32,760 tokens, 12 heads x 128, bf16).
// Each case runs through every fine-stage kernel the build and GPU have (wgmma on sm_90 from an sm_90a build, mma.sync).
//   nvcc -std=c++17 -O3 -gencode=arch=compute_90a,code=sm_90a -DFASTVIDEO_VSA_SM90A -I native/fastvideo_kernels/src
//        -o build/vsa_test native/fastvideo_kernels/test/vsa_test.cu native/fastvideo_kernels/src/vsa.cu
//   (-arch=sm_80 / sm_89 without the define: the mma.sync kernel only)
//   build/vsa_test             (--quick: skip the timings; --bench: timings only; --bench-quick: bf16 timings of the
//              default kernel only; --small: small grids only, no timings)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "vsa.h"

using fastvideo::ElemType;
using fastvideo::VsaShape;

#define CUDA_OK(call)                                                                            \
  do {                                                                                           \
    cudaError_t e_ = (call);                                                                     \
    if (e_ != cudaSuccess) {                                                                     \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
      std::exit(2);                                                                              \
    }                                                                                            \
  } while (0)

namespace {

__device__ __host__ inline uint32_t Hash(uint32_t x) {
  x ^= x >> 16; x *= 0x7feb352du; x ^= x >> 15; x *= 0x846ca68bu; x ^= x >> 16;
  return x;
}

// Inputs with spatial structure (a smooth per-channel wave over (t, h, w)) plus noise, so that the coarse scores differ
// between tiles as in a real video and the selection matters.
template <typename T>
__global__ void FillKernel(T* x, int64_t tokens, int channels, int batch, int H, int W, uint32_t seed) {
  const int64_t n = tokens * channels * batch;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
    const int c = (int)(i % channels);
    const int64_t tok = (i / channels) % tokens;
    const int w = (int)(tok % W), h = (int)(tok / W % H), t = (int)(tok / ((int64_t)W * H));
    const uint32_t r = Hash((uint32_t)i * 2654435761u ^ seed);
    float noise = 0.f;
    for (int j = 0; j < 4; ++j) noise += (float)((Hash(r + j) >> 8) & 0xffff) / 65535.f;
    noise = (noise - 2.f) * 1.732f;  // about unit variance
    const uint32_t hc = Hash((uint32_t)c * 977u ^ seed);
    const float f1 = 0.05f + 0.3f * ((hc & 255) / 255.f), f2 = 0.05f + 0.3f * (((hc >> 8) & 255) / 255.f);
    const float f3 = 0.05f + 0.3f * (((hc >> 16) & 255) / 255.f), ph = 6.28f * ((hc >> 24) / 255.f);
    const float val = 0.7f * noise + 1.2f * sinf(f1 * t + f2 * h + f3 * w + ph);
    x[i] = T(val);
  }
}

__host__ __device__ inline float ToF(__half v) { return __half2float(v); }
__host__ __device__ inline float ToF(__nv_bfloat16 v) { return __bfloat162float(v); }

// Fine attention of each query over the valid tokens of the reference's selected tiles; fine: [B, S, C] float32.
template <typename T, int D>
__global__ void ReferenceFineKernel(const T* q, const T* k, const T* v, const int* selection, int kSel, float* fine, int T_, int H, int W,
                                    int heads, int64_t tokens) {
  const int nH = (H + 3) / 4, nW = (W + 3) / 4, nT = (T_ + 3) / 4, tiles = nT * nH * nW;
  const int qtile = blockIdx.x, h = blockIdx.y, b = blockIdx.z, lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int channels = heads * D;
  auto token = [&](int tile, int slot) {
    const int ti = tile / (nH * nW), hi = tile / nW % nH, wi = tile % nW;
    const int t = ti * 4 + slot / 16, hh = hi * 4 + slot / 4 % 4, w = wi * 4 + slot % 4;
    return (t < T_ && hh < H && w < W) ? (t * H + hh) * W + w : -1;
  };
  constexpr int P = D / 32;
  for (int slot = warp; slot < 64; slot += blockDim.x / 32) {
    const int qt = token(qtile, slot);
    if (qt < 0) continue;
    const T* qr = q + ((size_t)b * tokens + qt) * channels + h * D;
    float qv[P], acc[P];
    for (int p = 0; p < P; ++p) { qv[p] = ToF(qr[lane + 32 * p]); acc[p] = 0.f; }
    float m = -INFINITY, l = 0.f;
    const int* sel = selection + (((size_t)b * heads + h) * tiles + qtile) * tiles;
    for (int i = 0; i < kSel; ++i) {
      for (int ks = 0; ks < 64; ++ks) {
        const int kt = token(sel[i], ks);
        if (kt < 0) continue;
        const T* kr = k + ((size_t)b * tokens + kt) * channels + h * D;
        const T* vr = v + ((size_t)b * tokens + kt) * channels + h * D;
        float dot = 0.f;
        for (int p = 0; p < P; ++p) dot += qv[p] * ToF(kr[lane + 32 * p]);
        for (int o = 16; o > 0; o >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, o);
        dot /= sqrtf((float)D);
        const float mNew = fmaxf(m, dot), corr = expf(m - mNew), pw = expf(dot - mNew);
        l = l * corr + pw;
        for (int p = 0; p < P; ++p) acc[p] = acc[p] * corr + pw * ToF(vr[lane + 32 * p]);
        m = mNew;
      }
    }
    float* out = fine + ((size_t)b * tokens + qt) * channels + h * D;
    for (int p = 0; p < P; ++p) out[lane + 32 * p] = acc[p] / l;
  }
}

struct Case {
  int T, H, W, heads, D, batch;
  ElemType type;
};

const char* Name(ElemType t) { return t == ElemType::BFloat16 ? "bf16" : "fp16"; }

using fastvideo::VsaFinePath;
const char* PathName(VsaFinePath p) {
  return p == VsaFinePath::MmaSync ? "mma.sync" : p == VsaFinePath::Wgmma ? "wgmma" : "auto";
}

// Every fine-stage kernel this build and GPU can run: the operator's default first.
std::vector<VsaFinePath> Paths() {
  if (fastvideo::VsaHasWgmmaPath()) return {VsaFinePath::Wgmma, VsaFinePath::MmaSync};
  return {VsaFinePath::MmaSync};
}

int TopK(float sparsity, int tiles) {
  const float share = (1.f - sparsity) * (float)tiles;
  return std::max(1, std::min((int)std::ceil(share), tiles));
}

// Coarse stage of the definition in float64 from the rounded inputs.
struct CoarseReference {
  std::vector<double> scores;  // [B, heads, tiles, tiles]
  std::vector<double> coarse;  // [B, tiles, C]
};

template <typename T>
CoarseReference Coarse(const Case& c, const std::vector<T>& q, const std::vector<T>& k, const std::vector<T>& v) {
  const int nT = (c.T + 3) / 4, nH = (c.H + 3) / 4, nW = (c.W + 3) / 4, tiles = nT * nH * nW, C = c.heads * c.D;
  const int64_t S = (int64_t)c.T * c.H * c.W;
  std::vector<double> mq((size_t)c.batch * tiles * C), mk(mq.size()), mv(mq.size());
  std::vector<int> count(tiles, 0);
  for (int b = 0; b < c.batch; ++b)
    for (int t = 0; t < c.T; ++t)
      for (int h = 0; h < c.H; ++h)
        for (int w = 0; w < c.W; ++w) {
          const int tile = (t / 4 * nH + h / 4) * nW + w / 4;
          if (b == 0) count[tile]++;
          const size_t src = ((size_t)b * S + ((int64_t)t * c.H + h) * c.W + w) * C, dst = ((size_t)b * tiles + tile) * C;
          for (int ch = 0; ch < C; ++ch) {
            mq[dst + ch] += ToF(q[src + ch]);
            mk[dst + ch] += ToF(k[src + ch]);
            mv[dst + ch] += ToF(v[src + ch]);
          }
        }
  for (int b = 0; b < c.batch; ++b)
    for (int tile = 0; tile < tiles; ++tile)
      for (int ch = 0; ch < C; ++ch) {
        const size_t i = ((size_t)b * tiles + tile) * C + ch;
        mq[i] /= count[tile]; mk[i] /= count[tile]; mv[i] /= count[tile];
      }
  CoarseReference r;
  r.scores.assign((size_t)c.batch * c.heads * tiles * tiles, 0.0);
  r.coarse.assign((size_t)c.batch * tiles * C, 0.0);
  std::vector<double> p(tiles);
  for (int b = 0; b < c.batch; ++b)
    for (int h = 0; h < c.heads; ++h)
      for (int i = 0; i < tiles; ++i) {
        double* row = &r.scores[(((size_t)b * c.heads + h) * tiles + i) * tiles];
        const double* qi = &mq[((size_t)b * tiles + i) * C + h * c.D];
        double mx = -1e300;
        for (int j = 0; j < tiles; ++j) {
          const double* kj = &mk[((size_t)b * tiles + j) * C + h * c.D];
          double s = 0;
          for (int d = 0; d < c.D; ++d) s += qi[d] * kj[d];
          row[j] = s / std::sqrt((double)c.D);
          mx = std::max(mx, row[j]);
        }
        double sum = 0;
        for (int j = 0; j < tiles; ++j) sum += p[j] = std::exp(row[j] - mx);
        double* out = &r.coarse[((size_t)b * tiles + i) * C + h * c.D];
        for (int j = 0; j < tiles; ++j) {
          const double* vj = &mv[((size_t)b * tiles + j) * C + h * c.D];
          const double w = p[j] / sum;
          for (int d = 0; d < c.D; ++d) out[d] += w * vj[d];
        }
      }
  return r;
}

// Top-k tiles per row (ties to the lower index), ascending tile order: [B, heads, tiles, tiles] with k used per row.
std::vector<int> Select(const CoarseReference& r, int rowsTotal, int tiles, int kSel) {
  std::vector<int> sel((size_t)rowsTotal * tiles, 0), idx(tiles);
  for (int row = 0; row < rowsTotal; ++row) {
    const double* s = &r.scores[(size_t)row * tiles];
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + kSel, idx.end(), [&](int a, int b) { return s[a] > s[b] || (s[a] == s[b] && a < b); });
    std::sort(idx.begin(), idx.begin() + kSel);
    std::copy(idx.begin(), idx.begin() + kSel, sel.begin() + (size_t)row * tiles);
  }
  return sel;
}

struct Buffers {
  void *q = nullptr, *k = nullptr, *v = nullptr, *gate = nullptr, *out = nullptr, *scratch = nullptr;
  float* sparsity = nullptr;
  void Free() {
    for (void* p : {q, k, v, gate, out, scratch, (void*)sparsity}) cudaFree(p);
  }
};

template <typename T>
Buffers Make(const Case& c, uint32_t seed) {
  VsaShape s{c.batch, c.T, c.H, c.W, c.heads, c.D};
  const size_t n = (size_t)c.batch * s.Tokens() * c.heads * c.D;
  Buffers b;
  for (void** p : {&b.q, &b.k, &b.v, &b.gate, &b.out}) CUDA_OK(cudaMalloc(p, n * sizeof(T)));
  CUDA_OK(cudaMalloc(&b.scratch, fastvideo::VsaScratchBytes(s)));
  CUDA_OK(cudaMalloc(&b.sparsity, sizeof(float)));
  int i = 0;
  for (void* p : {b.q, b.k, b.v, b.gate})
    FillKernel<T><<<1024, 256>>>(static_cast<T*>(p), s.Tokens(), c.heads * c.D, c.batch, c.H, c.W, seed + 101u * i++);
  CUDA_OK(cudaGetLastError());
  return b;
}

template <typename T>
std::vector<T> Download(const void* p, size_t n) {
  std::vector<T> h(n);
  CUDA_OK(cudaMemcpy(h.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
  return h;
}

template <typename T>
int RunCase(const Case& c, const std::vector<float>& sparsities) {
  VsaShape s{c.batch, c.T, c.H, c.W, c.heads, c.D};
  const int tiles = (int)s.Tiles(), C = c.heads * c.D;
  const size_t n = (size_t)c.batch * s.Tokens() * C;
  Buffers b = Make<T>(c, 1234u + c.T * 7 + c.D);
  const auto q = Download<T>(b.q, n), k = Download<T>(b.k, n), v = Download<T>(b.v, n), gate = Download<T>(b.gate, n);
  const CoarseReference ref = Coarse(c, q, k, v);
  int* dSel = nullptr;
  float* dFine = nullptr;
  CUDA_OK(cudaMalloc(&dSel, sizeof(int) * (size_t)c.batch * c.heads * tiles * tiles));
  CUDA_OK(cudaMalloc(&dFine, sizeof(float) * n));
  int failures = 0;
  for (float sp : sparsities) {
    const int kSel = TopK(sp, tiles);
    auto sel = Select(ref, c.batch * c.heads * tiles, tiles, kSel);
    CUDA_OK(cudaMemcpy(b.sparsity, &sp, sizeof(float), cudaMemcpyHostToDevice));
    CUDA_OK(fastvideo::LaunchVsaCoarse(c.type, b.q, b.k, b.v, b.sparsity, s, b.scratch, 0));
    CUDA_OK(cudaDeviceSynchronize());
    const auto got = Download<int>(fastvideo::VsaSelection(s, b.scratch), (size_t)c.batch * c.heads * tiles * tiles);
    // The kernel's selection must be the reference's, except where float32 and float64 scores order a near-tie
    // (scores within 1e-5 of the k-th largest, relative to the row's largest magnitude) differently; such rows are
    // then checked with the kernel's choice. Any other difference, a repeated or out-of-range tile, is a failure.
    long nearTies = 0, wrong = 0;
    for (size_t row = 0; row < (size_t)c.batch * c.heads * tiles; ++row) {
      std::vector<int> a(got.begin() + row * tiles, got.begin() + row * tiles + kSel), e(sel.begin() + row * tiles, sel.begin() + row * tiles + kSel);
      std::sort(a.begin(), a.end());
      if (a == e) continue;
      const double* sc = &ref.scores[row * tiles];
      double kth = 1e300, big = 0;
      for (int j : e) kth = std::min(kth, sc[j]);
      for (int j = 0; j < tiles; ++j) big = std::max(big, std::fabs(sc[j]));
      const double eps = 1e-5 * (1.0 + big);
      bool tie = std::adjacent_find(a.begin(), a.end()) == a.end() && a.front() >= 0 && a.back() < tiles;
      for (int j : a) tie = tie && sc[j] >= kth - eps;
      std::vector<int> dropped;
      std::set_difference(e.begin(), e.end(), a.begin(), a.end(), std::back_inserter(dropped));
      for (int j : dropped) tie = tie && sc[j] <= kth + eps;
      if (!tie) { ++wrong; continue; }
      ++nearTies;
      std::copy(a.begin(), a.end(), sel.begin() + row * tiles);
    }
    CUDA_OK(cudaMemcpy(dSel, sel.data(), sizeof(int) * sel.size(), cudaMemcpyHostToDevice));
    dim3 grid(tiles, c.heads, c.batch);
    if (c.D == 64) ReferenceFineKernel<T, 64><<<grid, 256>>>((const T*)b.q, (const T*)b.k, (const T*)b.v, dSel, kSel, dFine, c.T, c.H, c.W, c.heads, s.Tokens());
    else ReferenceFineKernel<T, 128><<<grid, 256>>>((const T*)b.q, (const T*)b.k, (const T*)b.v, dSel, kSel, dFine, c.T, c.H, c.W, c.heads, s.Tokens());
    CUDA_OK(cudaGetLastError());
    const auto fine = Download<float>(dFine, n);
    for (VsaFinePath path : Paths()) {
      CUDA_OK(cudaMemset(b.out, 0xff, n * sizeof(T)));  // NaN everywhere: an output the kernel skips shows up
      CUDA_OK(fastvideo::LaunchVsaFine(c.type, b.q, b.k, b.v, b.gate, b.sparsity, b.out, s, b.scratch, 0, path));
      CUDA_OK(cudaDeviceSynchronize());
      const auto out = Download<T>(b.out, n);
      double maxAbs = 0, dot = 0, na = 0, nb = 0;
      const int nT = (c.T + 3) / 4, nH = (c.H + 3) / 4, nW = (c.W + 3) / 4;
      (void)nT;
      for (int bb = 0; bb < c.batch; ++bb)
        for (int64_t tok = 0; tok < s.Tokens(); ++tok) {
          const int w = (int)(tok % c.W), h = (int)(tok / c.W % c.H), t = (int)(tok / ((int64_t)c.W * c.H));
          const int tile = (t / 4 * nH + h / 4) * nW + w / 4;
          const size_t row = ((size_t)bb * s.Tokens() + tok) * C;
          const double* cr = &ref.coarse[((size_t)bb * tiles + tile) * C];
          for (int ch = 0; ch < C; ++ch) {
            const double e = cr[ch] * ToF(gate[row + ch]) + fine[row + ch], a = ToF(out[row + ch]);
            const double diff = std::fabs(a - e);
            if (!(diff <= maxAbs)) maxAbs = std::isnan(diff) ? INFINITY : std::max(maxAbs, diff);
            dot += a * e; na += a * a; nb += e * e;
          }
        }
      const double cosine = dot / std::sqrt(na * nb + 1e-300);
      const bool ok = maxAbs <= 2e-2 && cosine >= 0.999 && wrong == 0;
      failures += !ok;
      std::printf("%-4s %-12s grid %2dx%2dx%2d batch %d heads %2d x %3d sparsity %.2f (top %4d of %4d): max abs %.3e cosine %.6f, "
                  "selection: %ld near-tie rows, %ld wrong rows  %s\n",
                  Name(c.type), PathName(path), c.T, c.H, c.W, c.batch, c.heads, c.D, sp, kSel, tiles, maxAbs, cosine, nearTies, wrong,
                  ok ? "ok" : "FAIL");
    }
  }
  cudaFree(dSel);
  cudaFree(dFine);
  b.Free();
  return failures;
}

// The operator captured in a CUDA graph and replayed gives the same bytes as a direct launch.
int GraphCheck() {
  Case c{16, 28, 52, 12, 128, 1, ElemType::BFloat16};
  VsaShape s{1, c.T, c.H, c.W, c.heads, c.D};
  const size_t n = (size_t)s.Tokens() * c.heads * c.D;
  Buffers b = Make<__nv_bfloat16>(c, 77u);
  const float sp = 0.8f;
  CUDA_OK(cudaMemcpy(b.sparsity, &sp, sizeof(float), cudaMemcpyHostToDevice));
  cudaStream_t stream;
  CUDA_OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  CUDA_OK(fastvideo::LaunchVideoSparseAttention(c.type, b.q, b.k, b.v, b.gate, b.sparsity, b.out, s, b.scratch, stream));
  CUDA_OK(cudaStreamSynchronize(stream));
  const auto direct = Download<__nv_bfloat16>(b.out, n);
  CUDA_OK(cudaMemset(b.out, 0, n * 2));
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  CUDA_OK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal));
  CUDA_OK(fastvideo::LaunchVideoSparseAttention(c.type, b.q, b.k, b.v, b.gate, b.sparsity, b.out, s, b.scratch, stream));
  CUDA_OK(cudaStreamEndCapture(stream, &graph));
  CUDA_OK(cudaGraphInstantiate(&exec, graph, 0));
  CUDA_OK(cudaGraphLaunch(exec, stream));
  CUDA_OK(cudaStreamSynchronize(stream));
  const auto replay = Download<__nv_bfloat16>(b.out, n);
  const bool same = std::memcmp(direct.data(), replay.data(), n * 2) == 0;
  std::printf("CUDA graph capture and replay: %s\n", same ? "same output, ok" : "DIFFERENT, FAIL");
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  cudaStreamDestroy(stream);
  b.Free();
  return same ? 0 : 1;
}

template <typename F>
float MedianMs(F&& launch, int warmup = 10, int reps = 50) {
  cudaEvent_t a, z;
  CUDA_OK(cudaEventCreate(&a));
  CUDA_OK(cudaEventCreate(&z));
  for (int i = 0; i < warmup; ++i) launch();
  std::vector<float> t(reps);
  for (int i = 0; i < reps; ++i) {
    CUDA_OK(cudaEventRecord(a));
    launch();
    CUDA_OK(cudaEventRecord(z));
    CUDA_OK(cudaEventSynchronize(z));
    CUDA_OK(cudaEventElapsedTime(&t[i], a, z));
  }
  cudaEventDestroy(a);
  cudaEventDestroy(z);
  std::sort(t.begin(), t.end());
  return t[reps / 2];
}

bool gBenchQuick = false;  // the operator's default fine kernel only

void Bench(ElemType type, int D, int heads) {
  Case c{21, 30, 52, heads, D, 1, type};
  VsaShape s{1, c.T, c.H, c.W, c.heads, c.D};
  Buffers b = type == ElemType::BFloat16 ? Make<__nv_bfloat16>(c, 9u) : Make<__half>(c, 9u);
  const int tiles = (int)s.Tiles();
  for (float sp : {0.8f, 0.9f}) {
    CUDA_OK(cudaMemcpy(b.sparsity, &sp, sizeof(float), cudaMemcpyHostToDevice));
    const int kSel = TopK(sp, tiles);
    auto coarse = [&] { CUDA_OK(fastvideo::LaunchVsaCoarse(type, b.q, b.k, b.v, b.sparsity, s, b.scratch, 0)); };
    coarse();
    auto whole = [&] { CUDA_OK(fastvideo::LaunchVideoSparseAttention(type, b.q, b.k, b.v, b.gate, b.sparsity, b.out, s, b.scratch, 0)); };
    const float tc = MedianMs(coarse), tw = MedianMs(whole);
    const double flops = 4.0 * tiles * 64.0 * kSel * 64.0 * D * heads;  // over the padded slots the kernel computes
    for (VsaFinePath path : gBenchQuick ? std::vector<VsaFinePath>{VsaFinePath::Auto} : Paths()) {
      auto fine = [&] { CUDA_OK(fastvideo::LaunchVsaFine(type, b.q, b.k, b.v, b.gate, b.sparsity, b.out, s, b.scratch, 0, path)); };
      const float tf = MedianMs(fine);
      std::printf("bench %s %dx%dx%d (%lld tokens, %d tiles) heads %d x %d sparsity %.1f top %d: coarse %.3f ms, fine %-12s %.3f ms "
                  "(%.0f TFLOP/s padded), whole %.3f ms\n",
                  Name(type), c.T, c.H, c.W, (long long)s.Tokens(), tiles, heads, D, sp, kSel, tc, PathName(path), tf, flops / tf / 1e9, tw);
    }
  }
  b.Free();
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, benchOnly = false, profile = false, small = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strcmp(argv[i], "--bench")) benchOnly = true;
    else if (!std::strcmp(argv[i], "--small")) small = quick = true;
    else if (!std::strcmp(argv[i], "--bench-quick")) benchOnly = gBenchQuick = true;
    else if (!std::strcmp(argv[i], "--profile")) profile = true;
    else { std::fprintf(stderr, "usage: vsa_test [--quick | --bench | --bench-quick | --small | --profile]\n"); return 2; }
  }
  cudaDeviceProp prop;
  CUDA_OK(cudaGetDeviceProperties(&prop, 0));
  std::printf("device: %s (sm_%d%d)\n", prop.name, prop.major, prop.minor);
  if (profile) {  // one operator call at the benchmark shape, for a profiler
    Case c{21, 30, 52, 12, 128, 1, ElemType::BFloat16};
    VsaShape s{1, c.T, c.H, c.W, c.heads, c.D};
    Buffers b = Make<__nv_bfloat16>(c, 9u);
    const float sp = 0.8f;
    CUDA_OK(cudaMemcpy(b.sparsity, &sp, sizeof(float), cudaMemcpyHostToDevice));
    CUDA_OK(fastvideo::LaunchVideoSparseAttention(c.type, b.q, b.k, b.v, b.gate, b.sparsity, b.out, s, b.scratch, 0));
    CUDA_OK(cudaDeviceSynchronize());
    b.Free();
    return 0;
  }
  int failures = 0;
  if (!benchOnly) {
    const std::vector<float> all{0.f, 0.5f, 0.8f, 0.9f};
    failures += RunCase<__nv_bfloat16>({5, 6, 7, 12, 128, 1, ElemType::BFloat16}, all);
    if (!small) {
      failures += RunCase<__nv_bfloat16>({16, 28, 52, 12, 128, 1, ElemType::BFloat16}, all);
      failures += RunCase<__nv_bfloat16>({21, 30, 52, 12, 128, 1, ElemType::BFloat16}, all);
      failures += RunCase<__half>({21, 30, 52, 12, 128, 1, ElemType::Float16}, {0.8f, 0.9f});
    }
    failures += RunCase<__half>({5, 6, 7, 4, 64, 2, ElemType::Float16}, all);
    failures += RunCase<__half>({5, 6, 7, 4, 64, 1, ElemType::Float16}, all);
    failures += RunCase<__nv_bfloat16>({5, 6, 7, 4, 128, 2, ElemType::BFloat16}, all);
    failures += RunCase<__nv_bfloat16>({9, 13, 22, 8, 64, 2, ElemType::BFloat16}, all);
    failures += RunCase<__nv_bfloat16>({3, 4, 4, 2, 128, 1, ElemType::BFloat16}, all);
    failures += GraphCheck();
    std::printf(failures ? "%d FAILED\n" : "all cases ok\n", failures);
  }
  if (!quick) {
    Bench(ElemType::BFloat16, 128, 12);
    if (!gBenchQuick) Bench(ElemType::Float16, 128, 12);
  }
  return failures ? 1 : 0;
}
