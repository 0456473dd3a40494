// Video Sparse Attention kernels (see vsa.h). The fine stage has two kernels: warpgroup MMA (wgmma) for sm_90, compiled
// where the build targets sm_90a, and mma.sync m16n8k16 with ldmatrix and cp.async for sm_80, sm_86, sm_89 (and sm_90
// builds without sm_90a code).
#include "vsa.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>
#include <cstdint>

namespace fastvideo {
namespace {

constexpr int kTile = 4;
constexpr int kSlots = 64;          // token slots per 4x4x4 tile
constexpr int kFineThreads = 128;   // four warps, 16 query slots each
constexpr int kCoarseThreads = 256;
constexpr int kCoarseChunk = 32;    // key tiles staged in shared memory at a time by the coarse kernel
constexpr size_t kAlign = 256;

struct Grid {
  int T, H, W;     // DiT grid
  int nH, nW;      // tiles along h and w
  int tiles;
};

Grid MakeGrid(const VsaShape& s) {
  return Grid{(int)s.frames, (int)s.height, (int)s.width, (int)s.TilesH(), (int)s.TilesW(), (int)s.Tiles()};
}

struct TileOrigin { int t, h, w; };

__device__ __forceinline__ TileOrigin Origin(const Grid& g, int tile) {
  const int hw = g.nH * g.nW;
  const int ti = tile / hw, rem = tile - ti * hw;
  const int hi = rem / g.nW, wi = rem - hi * g.nW;
  return TileOrigin{kTile * ti, kTile * hi, kTile * wi};
}

// Token index of a tile's slot (slots in (t, h, w) order inside the tile), or -1 for a padding slot.
__device__ __forceinline__ int Token(const Grid& g, TileOrigin o, int slot) {
  const int t = o.t + (slot >> 4), h = o.h + ((slot >> 2) & 3), w = o.w + (slot & 3);
  return (t < g.T && h < g.H && w < g.W) ? (t * g.H + h) * g.W + w : -1;
}

// k = max(1, min(ceil((1 - sparsity) * tiles), tiles)) in float32, as the portable graph computes it.
__device__ __forceinline__ int SelectedTiles(const float* sparsity, int tiles) {
  const float share = (1.f - *sparsity) * (float)tiles;
  if (!(share == share)) return tiles;
  const float up = ceilf(share);
  if (up <= 1.f) return 1;
  if (up >= (float)tiles) return tiles;
  return (int)up;
}

template <typename T> struct Elem;
template <> struct Elem<__half> {
  static __device__ __forceinline__ float2 ToFloat2(uint32_t u) { return __half22float2(*reinterpret_cast<__half2*>(&u)); }
  static __device__ __forceinline__ uint32_t Pack(float a, float b) { __half2 h = __floats2half2_rn(a, b); return *reinterpret_cast<uint32_t*>(&h); }
};
template <> struct Elem<__nv_bfloat16> {
  static __device__ __forceinline__ float2 ToFloat2(uint32_t u) { return __bfloat1622float2(*reinterpret_cast<__nv_bfloat162*>(&u)); }
  static __device__ __forceinline__ uint32_t Pack(float a, float b) { __nv_bfloat162 h = __floats2bfloat162_rn(a, b); return *reinterpret_cast<uint32_t*>(&h); }
};

// ---- stage 1: tile means ----

// means: three [B, heads, tiles, D] float32 blocks (q, k, v). Block (tile, b, which); each thread sums 8 channels.
template <typename T>
__global__ void TileMeansKernel(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v, float* __restrict__ means,
                                int2* __restrict__ tileInfo, Grid g, int heads, int headDim, int64_t tokens, int batch) {
  __shared__ int tok[kSlots];
  __shared__ int count;
  const int tile = blockIdx.x, b = blockIdx.y, which = blockIdx.z;
  const int channels = heads * headDim;
  if (threadIdx.x == 0) {
    const TileOrigin o = Origin(g, tile);
    int n = 0;
    for (int s = 0; s < kSlots; ++s) {
      const int t = Token(g, o, s);
      if (t >= 0) tok[n++] = t;
    }
    count = n;
    // for the fine stage: first token and valid extent (t, h, w) of the tile
    if (b == 0 && which == 0)
      tileInfo[tile] = make_int2((o.t * g.H + o.h) * g.W + o.w,
                                 min(kTile, g.T - o.t) | (min(kTile, g.H - o.h) << 8) | (min(kTile, g.W - o.w) << 16));
  }
  __syncthreads();
  const T* x = (which == 0 ? q : which == 1 ? k : v) + (size_t)b * tokens * channels;
  const int n = count;
  const float inv = 1.f / (float)n;
  float* out = means + (size_t)which * batch * heads * g.tiles * headDim;
  for (int c8 = threadIdx.x; c8 < channels / 8; c8 += blockDim.x) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
#pragma unroll 4
    for (int i = 0; i < n; ++i) {
      const uint4 u = *reinterpret_cast<const uint4*>(x + (size_t)tok[i] * channels + c8 * 8);
      const uint32_t w[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const float2 f = Elem<T>::ToFloat2(w[j]);
        acc[2 * j] += f.x;
        acc[2 * j + 1] += f.y;
      }
    }
    const int c = c8 * 8, head = c / headDim, d = c - head * headDim;
    float4* dst = reinterpret_cast<float4*>(out + (((size_t)b * heads + head) * g.tiles + tile) * headDim + d);
    dst[0] = make_float4(acc[0] * inv, acc[1] * inv, acc[2] * inv, acc[3] * inv);
    dst[1] = make_float4(acc[4] * inv, acc[5] * inv, acc[6] * inv, acc[7] * inv);
  }
}

// ---- stage 2: coarse attention and top-k selection ----

__device__ __forceinline__ uint32_t OrderedKey(float f) {
  const uint32_t u = __float_as_uint(f);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// Block (row block of R query tiles, head, b), 256 threads. Scores of the R rows against all key tiles stay in shared
// memory; each warp then selects the top-k of its rows (exact: a bitwise search for the k-th largest key, ties to the
// lower tile index) and turns them into softmax weights for the coarse output.
template <int D, int R>
__global__ void __launch_bounds__(kCoarseThreads) CoarseKernel(const float* __restrict__ means, float* __restrict__ coarse,
                                                               int* __restrict__ selection, const float* __restrict__ sparsity,
                                                               int tiles, int heads, int batch, float scale) {
  extern __shared__ float shared[];
  constexpr int KS = D + 4;                   // row stride of buf: float4 rows, consecutive rows 4 banks apart
  const int ST = (tiles + 3) & ~3;            // row stride of s: float4 rows
  float* qs = shared;                         // [R][D]
  float* buf = qs + R * D;                    // [kCoarseChunk][KS]
  float* s = buf + kCoarseChunk * KS;         // [R][ST]
  const int row0 = blockIdx.x * R, h = blockIdx.y, b = blockIdx.z;
  const int rows = min(R, tiles - row0);
  const size_t block = (size_t)batch * heads * tiles * D;
  const size_t head = ((size_t)b * heads + h) * tiles * D;
  const float* qc = means + head;
  const float* kc = means + block + head;
  const float* vc = means + 2 * block + head;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;

  // chunks of kCoarseChunk mean rows go through registers: the next chunk's loads are in flight while this one is used
  constexpr int PER = kCoarseChunk * D / 4 / kCoarseThreads;
  float4 staged[PER];
  auto fetch = [&](const float* src, int j0) {
#pragma unroll
    for (int p = 0; p < PER; ++p) {
      const int i = tid + p * kCoarseThreads, j = i / (D / 4), d4 = i - j * (D / 4);
      staged[p] = j0 + j < tiles ? reinterpret_cast<const float4*>(src + (size_t)(j0 + j) * D)[d4] : make_float4(0.f, 0.f, 0.f, 0.f);
    }
  };
  auto store = [&]() {
#pragma unroll
    for (int p = 0; p < PER; ++p) {
      const int i = tid + p * kCoarseThreads, j = i / (D / 4), d4 = i - j * (D / 4);
      *reinterpret_cast<float4*>(buf + j * KS + 4 * d4) = staged[p];
    }
  };

  for (int i = tid; i < R * D; i += kCoarseThreads) qs[i] = i / D < rows ? qc[(size_t)row0 * D + i] : 0.f;
  fetch(kc, 0);
  for (int j0 = 0; j0 < tiles; j0 += kCoarseChunk) {
    __syncthreads();
    store();
    __syncthreads();
    if (j0 + kCoarseChunk < tiles) fetch(kc, j0 + kCoarseChunk);
    // lane = key of the chunk; warp w scores rows w and w + 8 (rows past the last are zeros in qs)
    const int key = lane;
    const float4* k4 = reinterpret_cast<const float4*>(buf + key * KS);
    for (int r = warp; r < R; r += 16) {
      const float4* q4 = reinterpret_cast<const float4*>(qs + r * D);
      const float4* q4b = reinterpret_cast<const float4*>(qs + (r + 8 < R ? r + 8 : r) * D);
      float a0 = 0.f, a1 = 0.f;
#pragma unroll 8
      for (int d4 = 0; d4 < D / 4; ++d4) {
        const float4 kv = k4[d4], x = q4[d4], y = q4b[d4];
        a0 += x.x * kv.x + x.y * kv.y + x.z * kv.z + x.w * kv.w;
        a1 += y.x * kv.x + y.y * kv.y + y.z * kv.z + y.w * kv.w;
      }
      if (j0 + key < tiles) {
        if (r < rows) s[r * ST + j0 + key] = a0 * scale;
        if (r + 8 < R && r + 8 < rows) s[(r + 8) * ST + j0 + key] = a1 * scale;
      }
    }
  }
  __syncthreads();

  const int kSel = SelectedTiles(sparsity, tiles);
  const unsigned below = (1u << lane) - 1u;
  for (int r = warp; r < rows; r += kCoarseThreads / 32) {
    float* srow = s + r * ST;
    uint32_t tau = 0;
    for (int bit = 31; bit >= 0; --bit) {
      const uint32_t cand = tau | (1u << bit);
      int n = 0;
      for (int j = lane; j < tiles; j += 32) n += OrderedKey(srow[j]) >= cand;
      n = __reduce_add_sync(0xffffffffu, n);
      if (n >= kSel) tau = cand;
    }
    int greater = 0;
    for (int j = lane; j < tiles; j += 32) greater += OrderedKey(srow[j]) > tau;
    greater = __reduce_add_sync(0xffffffffu, greater);
    const int needEqual = kSel - greater;
    int* out = selection + (((size_t)b * heads + h) * tiles + row0 + r) * tiles;
    int written = 0, equalSeen = 0;
    for (int base = 0; base < tiles; base += 32) {
      const int j = base + lane;
      const uint32_t u = j < tiles ? OrderedKey(srow[j]) : 0u;
      const bool gt = j < tiles && u > tau, eq = j < tiles && u == tau;
      const unsigned eqMask = __ballot_sync(0xffffffffu, eq);
      const bool take = gt || (eq && equalSeen + __popc(eqMask & below) < needEqual);
      const unsigned takeMask = __ballot_sync(0xffffffffu, take);
      if (take) out[written + __popc(takeMask & below)] = j;
      written += __popc(takeMask);
      equalSeen += __popc(eqMask);
    }
    // softmax weights over all key tiles, in place
    float mx = -INFINITY;
    for (int j = lane; j < tiles; j += 32) mx = fmaxf(mx, srow[j]);
    for (int o = 16; o > 0; o >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, o));
    float sum = 0.f;
    for (int j = lane; j < tiles; j += 32) {
      const float e = __expf(srow[j] - mx);
      srow[j] = e;
      sum += e;
    }
    for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
    const float inv = 1.f / sum;
    for (int j = lane; j < tiles; j += 32) srow[j] *= inv;
    if (lane < ST - tiles) srow[tiles + lane] = 0.f;  // the float4 padding takes no weight
  }

  constexpr int G = kCoarseThreads / D;         // row groups
  constexpr int NR = (R + G - 1) / G;
  const int d = tid % D, rg = tid / D;
  float acc[NR];
#pragma unroll
  for (int i = 0; i < NR; ++i) acc[i] = 0.f;
  fetch(vc, 0);
  for (int j0 = 0; j0 < tiles; j0 += kCoarseChunk) {
    __syncthreads();
    store();
    __syncthreads();
    if (j0 + kCoarseChunk < tiles) fetch(vc, j0 + kCoarseChunk);
    const int jn4 = (min(kCoarseChunk, tiles - j0) + 3) / 4;
    for (int j4 = 0; j4 < jn4; ++j4) {
      const float* bj = buf + 4 * j4 * KS + d;
      const float b0 = bj[0], b1 = bj[KS], b2 = bj[2 * KS], b3 = bj[3 * KS];
#pragma unroll
      for (int i = 0; i < NR; ++i) {
        const int r = rg + i * G;
        if (r < rows) {
          const float4 p = *reinterpret_cast<const float4*>(s + r * ST + j0 + 4 * j4);
          acc[i] += p.x * b0 + p.y * b1 + p.z * b2 + p.w * b3;
        }
      }
    }
  }
  const int channels = heads * D;
#pragma unroll
  for (int i = 0; i < NR; ++i) {
    const int r = rg + i * G;
    if (r < rows) coarse[((size_t)b * tiles + row0 + r) * channels + h * D + d] = acc[i];
  }
}

// ---- stage 3: block-sparse fine attention ----

__device__ __forceinline__ void CpAsync16(void* dst, const void* src, bool valid) {
  const unsigned s = (unsigned)__cvta_generic_to_shared(dst);
  // .cg: tiles are read once per block, so they skip L1 (caching them in L1 measured 5% slower)
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(src), "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void CpAsyncCommit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N> __device__ __forceinline__ void CpAsyncWait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

__device__ __forceinline__ void LdMatrixX4(uint32_t (&r)[4], const void* p) {
  const unsigned a = (unsigned)__cvta_generic_to_shared(p);
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(a));
}
__device__ __forceinline__ void LdMatrixX4Trans(uint32_t (&r)[4], const void* p) {
  const unsigned a = (unsigned)__cvta_generic_to_shared(p);
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(a));
}

template <typename T> __device__ __forceinline__ void Mma(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1);
template <> __device__ __forceinline__ void Mma<__nv_bfloat16>(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3]) : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
template <> __device__ __forceinline__ void Mma<__half>(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3]) : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Shared-memory tile [64 slots][D], rows of D/8 16-byte chunks, chunk index XOR (row % 8) so that ldmatrix's eight rows
// of one 8x8 matrix fall in different banks.
template <int D> __device__ __forceinline__ int Swizzle(int row, int chunk) { return row * D + ((chunk ^ (row & 7)) << 3); }

// Gathers a tile's 64 token rows (one head's D channels each) into shared memory; padding slots are zero-filled.
template <typename T, int D>
__device__ __forceinline__ void LoadTile(T* dst, const T* src, const Grid& g, int tile, int channels) {
  constexpr int CH = D / 8, RPP = kFineThreads / CH;
  const TileOrigin o = Origin(g, tile);
  const int c = threadIdx.x % CH, r0 = threadIdx.x / CH;
#pragma unroll
  for (int p = 0; p < kSlots / RPP; ++p) {
    const int r = r0 + p * RPP, tok = Token(g, o, r);
    CpAsync16(dst + Swizzle<D>(r, c), src + (size_t)(tok < 0 ? 0 : tok) * channels + c * 8, tok >= 0);
  }
}

// Block (query tile, head, b), four warps of 16 query slots. Key/value tiles of the selection are double-buffered with
// cp.async; the query tile is read once into registers (its buffer is then reused for keys).
template <typename T, int D>
__global__ void __launch_bounds__(kFineThreads) FineKernel(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                                                           const T* __restrict__ gate, const float* __restrict__ coarse,
                                                           const int* __restrict__ selection, const float* __restrict__ sparsity,
                                                           T* __restrict__ out, Grid g, int heads, int64_t tokens, float scaleLog2) {
  extern __shared__ uint4 sharedRaw[];
  T* sK = reinterpret_cast<T*>(sharedRaw);   // [2][64][D]
  T* sV = sK + 2 * kSlots * D;               // [2][64][D]
  T* sQ = sK + kSlots * D;                   // aliases key buffer 1 until the query fragments are in registers
  const int qtile = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
  const int channels = heads * D;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const size_t base = (size_t)b * tokens * channels + (size_t)h * D;
  const T* qb = q + base;
  const T* kb = k + base;
  const T* vb = v + base;
  const int kSel = SelectedTiles(sparsity, g.tiles);
  const int* sel = selection + (((size_t)b * heads + h) * g.tiles + qtile) * g.tiles;

  int next = sel[0];
  LoadTile<T, D>(sQ, qb, g, qtile, channels);
  LoadTile<T, D>(sK, kb, g, next, channels);
  LoadTile<T, D>(sV, vb, g, next, channels);
  CpAsyncCommit();
  CpAsyncWait<0>();
  __syncthreads();
  uint32_t qf[D / 16][4];
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk)
    LdMatrixX4(qf[kk], sQ + Swizzle<D>(warp * 16 + (lane & 7) + ((lane >> 3) & 1) * 8, kk * 2 + (lane >> 4)));
  __syncthreads();

  float o[D / 8][4];
#pragma unroll
  for (int n = 0; n < D / 8; ++n) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.f;
  float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.f, 0.f};

  for (int it = 0; it < kSel; ++it) {
    const int cur = it & 1, kt = next;
    if (it + 1 < kSel) {
      next = sel[it + 1];
      LoadTile<T, D>(sK + (cur ^ 1) * kSlots * D, kb, g, next, channels);
      LoadTile<T, D>(sV + (cur ^ 1) * kSlots * D, vb, g, next, channels);
      CpAsyncCommit();
      CpAsyncWait<1>();
    } else {
      CpAsyncWait<0>();
    }
    __syncthreads();
    const T* tK = sK + cur * kSlots * D;
    const T* tV = sV + cur * kSlots * D;

    float s[8][4];
#pragma unroll
    for (int n = 0; n < 8; ++n) s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
#pragma unroll
      for (int np = 0; np < 4; ++np) {
        uint32_t bf[4];
        LdMatrixX4(bf, tK + Swizzle<D>(np * 16 + (lane & 7) + (lane >> 4) * 8, kk * 2 + ((lane >> 3) & 1)));
        Mma<T>(s[2 * np], qf[kk], bf[0], bf[1]);
        Mma<T>(s[2 * np + 1], qf[kk], bf[2], bf[3]);
      }
    }

    // padding slots of a partial key tile take no weight
    const TileOrigin ko = Origin(g, kt);
    const int vt = min(kTile, g.T - ko.t), vh = min(kTile, g.H - ko.h), vw = min(kTile, g.W - ko.w);
    if (vt < kTile || vh < kTile || vw < kTile) {
#pragma unroll
      for (int n = 0; n < 8; ++n)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int key = n * 8 + (lane & 3) * 2 + (e & 1);
          if ((key >> 4) >= vt || ((key >> 2) & 3) >= vh || (key & 3) >= vw) s[n][e] = -INFINITY;
        }
    }

    // online softmax in base 2; rows lane/4 (e = 0, 1) and lane/4 + 8 (e = 2, 3) of the warp's 16
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      float mx = -INFINITY;
#pragma unroll
      for (int n = 0; n < 8; ++n) mx = fmaxf(mx, fmaxf(s[n][2 * i], s[n][2 * i + 1]));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
      const float mNew = fmaxf(m[i], mx * scaleLog2);
      const float corr = exp2f(m[i] - mNew);
      m[i] = mNew;
      float sum = 0.f;
#pragma unroll
      for (int n = 0; n < 8; ++n) {
        s[n][2 * i] = exp2f(s[n][2 * i] * scaleLog2 - mNew);
        s[n][2 * i + 1] = exp2f(s[n][2 * i + 1] * scaleLog2 - mNew);
        sum += s[n][2 * i] + s[n][2 * i + 1];
      }
      l[i] = l[i] * corr + sum;
#pragma unroll
      for (int n = 0; n < D / 8; ++n) {
        o[n][2 * i] *= corr;
        o[n][2 * i + 1] *= corr;
      }
    }

    // O += P V: the score accumulators of two adjacent key octets form the A operand of one k16 step
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const uint32_t a[4] = {Elem<T>::Pack(s[2 * j][0], s[2 * j][1]), Elem<T>::Pack(s[2 * j][2], s[2 * j][3]),
                             Elem<T>::Pack(s[2 * j + 1][0], s[2 * j + 1][1]), Elem<T>::Pack(s[2 * j + 1][2], s[2 * j + 1][3])};
#pragma unroll
      for (int dp = 0; dp < D / 16; ++dp) {
        uint32_t bf[4];
        LdMatrixX4Trans(bf, tV + Swizzle<D>(j * 16 + (lane & 7) + ((lane >> 3) & 1) * 8, dp * 2 + (lane >> 4)));
        Mma<T>(o[2 * dp], a, bf[0], bf[1]);
        Mma<T>(o[2 * dp + 1], a, bf[2], bf[3]);
      }
    }
    __syncthreads();
  }

  // out = coarse * gate + fine, at the query slots that hold tokens
  const TileOrigin qo = Origin(g, qtile);
  const float* crow = coarse + ((size_t)b * g.tiles + qtile) * channels + h * D;
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    float sum = l[i];
    sum += __shfl_xor_sync(0xffffffffu, sum, 1);
    sum += __shfl_xor_sync(0xffffffffu, sum, 2);
    const float inv = 1.f / sum;
    const int tok = Token(g, qo, warp * 16 + (lane >> 2) + 8 * i);
    if (tok < 0) continue;
    const size_t row = (size_t)b * tokens * channels + (size_t)tok * channels + h * D;
#pragma unroll
    for (int n = 0; n < D / 8; ++n) {
      const int d = n * 8 + (lane & 3) * 2;
      const float2 gv = Elem<T>::ToFloat2(*reinterpret_cast<const uint32_t*>(gate + row + d));
      const float2 cv = *reinterpret_cast<const float2*>(crow + d);
      *reinterpret_cast<uint32_t*>(out + row + d) =
          Elem<T>::Pack(cv.x * gv.x + o[n][2 * i] * inv, cv.y * gv.y + o[n][2 * i + 1] * inv);
    }
  }
}

// ---- stage 3 on Hopper (sm_90a): warpgroup MMA ----
// One warpgroup per (query tile, head, b). S = Q K^T and O += P V are wgmma instructions with the A operand in
// registers (the query fragments; the probabilities, straight from the score accumulators) and the B operand read by
// the tensor cores from shared memory, so each key/value tile crosses shared memory once per block instead of once per
// warp. Tiles are gathered with cp.async 16-byte copies into the 128-byte swizzled layout wgmma reads: per 64 channels
// a [64 rows][128 bytes] block, chunk index XOR (row % 8); keys are the K-major B operand of the first product and
// values the N-major B operand of the second. Three stages of key and value tiles; the MMA of the next tile's scores
// is issued with the current tile's P V, so the exponentials overlap the tensor cores.

template <typename T, int N> struct Wgmma;
template <> struct Wgmma<__nv_bfloat16, 64> {
  template <int TransB>
  static __device__ __forceinline__ void Run(float (&d)[32], const uint32_t (&a)[4], uint64_t descB, int scaleD) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %37, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31}, {%32,%33,%34,%35}, %36, p, 1, 1, %38;\n}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(descB), "r"(scaleD), "n"(TransB));
  }
};
template <> struct Wgmma<__nv_bfloat16, 128> {
  template <int TransB>
  static __device__ __forceinline__ void Run(float (&d)[64], const uint32_t (&a)[4], uint64_t descB, int scaleD) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %69, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63}, {%64,%65,%66,%67}, %68, p, 1, 1, %70;\n}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(descB), "r"(scaleD), "n"(TransB));
  }
};
template <> struct Wgmma<__half, 64> {
  template <int TransB>
  static __device__ __forceinline__ void Run(float (&d)[32], const uint32_t (&a)[4], uint64_t descB, int scaleD) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %37, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16 {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31}, {%32,%33,%34,%35}, %36, p, 1, 1, %38;\n}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(descB), "r"(scaleD), "n"(TransB));
  }
};
template <> struct Wgmma<__half, 128> {
  template <int TransB>
  static __device__ __forceinline__ void Run(float (&d)[64], const uint32_t (&a)[4], uint64_t descB, int scaleD) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %69, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63}, {%64,%65,%66,%67}, %68, p, 1, 1, %70;\n}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(descB), "r"(scaleD), "n"(TransB));
  }
};

__device__ __forceinline__ void WgmmaFence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void WgmmaCommit() { asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void WgmmaWait() { asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory"); }
__device__ __forceinline__ void FenceProxyAsync() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }
// keeps the compiler from reading or moving accumulators across the asynchronous MMA
template <int N> __device__ __forceinline__ void FenceRegs(float (&r)[N]) {
#pragma unroll
  for (int i = 0; i < N; ++i) asm volatile("" : "+f"(r[i])::"memory");
}

// Shared-memory matrix descriptor, 128-byte swizzle: start address, leading and stride byte offsets.
__device__ __forceinline__ uint64_t SmemDesc(uint32_t addr, uint32_t lbo, uint32_t sbo) {
  return (uint64_t)((addr & 0x3FFFFu) >> 4) | ((uint64_t)(lbo >> 4) << 16) | ((uint64_t)(sbo >> 4) << 32) | (1ull << 62);
}

// Byte offset of 16-byte chunk c (of D/8) of row r in a swizzled tile.
__device__ __forceinline__ uint32_t Swizzle128(int r, int c) { return (uint32_t)((c >> 3) * (kSlots * 128) + r * 128 + (((c & 7) ^ (r & 7)) << 4)); }

template <typename T, int D>
__device__ __forceinline__ void LoadTile128(uint32_t dst, const T* src, const Grid& g, int tile, int channels) {
  constexpr int CH = D / 8, RPP = kFineThreads / CH;
  const TileOrigin o = Origin(g, tile);
  const int c = threadIdx.x % CH, r0 = threadIdx.x / CH;
#pragma unroll
  for (int p = 0; p < kSlots / RPP; ++p) {
    const int r = r0 + p * RPP, tok = Token(g, o, r);
    const T* from = src + (size_t)(tok < 0 ? 0 : tok) * channels + c * 8;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst + Swizzle128(r, c)), "l"(from), "r"(tok >= 0 ? 16 : 0));
  }
}

// This thread's part of a tile gather: its 16-byte chunk c of rows r0 + p * RPP. A row's token offset inside a tile does
// not depend on the tile, so it is computed once; a tile then costs one table read (first token and valid extent) and
// an address add a row (plus three compares in a partial tile).
template <typename T, int D> struct TileGather {
  static constexpr int CH = D / 8, RPP = kFineThreads / CH, NP = kSlots / RPP;
  int rowOff[NP];  // element offset of the row's token from the tile's first token
  int r0, chunk;
  uint32_t sw;     // swizzled byte offset of the chunk in row r0; r % 8 is the same for all of this thread's rows

  __device__ __forceinline__ TileGather(const Grid& g, int channels) {
    chunk = threadIdx.x % CH;
    r0 = threadIdx.x / CH;
    sw = Swizzle128(r0, chunk);
#pragma unroll
    for (int p = 0; p < NP; ++p) {
      const int r = r0 + p * RPP;
      rowOff[p] = (((r >> 4) * g.H + ((r >> 2) & 3)) * g.W + (r & 3)) * channels;
    }
  }

  __device__ __forceinline__ void Issue(uint32_t dstK, uint32_t dstV, const T* kb, const T* vb, int2 info, int channels) const {
    const size_t tileOff = (size_t)info.x * channels + chunk * 8;
    const T* kt = kb + tileOff;
    const T* vt = vb + tileOff;
    const bool full = info.y == (kTile | kTile << 8 | kTile << 16);
    const int et = info.y & 0xff, eh = (info.y >> 8) & 0xff, ew = info.y >> 16;
#pragma unroll
    for (int p = 0; p < NP; ++p) {
      const int r = r0 + p * RPP;
      const bool valid = full || ((r >> 4) < et && ((r >> 2) & 3) < eh && (r & 3) < ew);
      const int off = valid ? rowOff[p] : 0;
      const uint32_t at = sw + p * RPP * 128, n = valid ? 16 : 0;
      asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dstK + at), "l"(kt + off), "r"(n));
      asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dstV + at), "l"(vt + off), "r"(n));
    }
  }
};

// 2^x on the special-function unit; results below the smallest normal float flush to zero, which against a row sum of
// at least 1 changes nothing
__device__ __forceinline__ float Exp2(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
  return y;
}

// Masks the padding keys of a partial tile, turns the scores into probabilities in place and updates the running max
// and sum of the two rows this thread holds; corr rescales the output rows.
__device__ __forceinline__ void SoftmaxStep(float (&s)[32], int2 info, float scaleLog2, float (&m)[2], float (&l)[2], float (&corr)[2]) {
  const int lane = threadIdx.x & 31;
  if (info.y != (kTile | kTile << 8 | kTile << 16)) {
    // bit key of valid: slot key (t, h, w order) holds a token; this thread's keys are 8 j + 2 (lane % 4) + (e & 1)
    const int vt = info.y & 0xff, vh = (info.y >> 8) & 0xff, vw = info.y >> 16;
    uint64_t valid = 0x1111111111111111ull * ((1u << vw) - 1u);
    valid &= 0x0001000100010001ull * ((1ull << (4 * vh)) - 1ull);
    if (vt < kTile) valid &= (1ull << (16 * vt)) - 1ull;
    valid >>= 2 * (lane & 3);
#pragma unroll
    for (int j = 0; j < 8; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        if (!((valid >> (8 * j + (e & 1))) & 1ull)) s[4 * j + e] = -INFINITY;
  }
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    float mx = -INFINITY;
#pragma unroll
    for (int j = 0; j < 8; ++j) mx = fmaxf(mx, fmaxf(s[4 * j + 2 * i], s[4 * j + 2 * i + 1]));
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
    const float mNew = fmaxf(m[i], mx * scaleLog2);
    corr[i] = Exp2(m[i] - mNew);
    m[i] = mNew;
    float sum = 0.f;
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      s[4 * j + 2 * i] = Exp2(fmaf(s[4 * j + 2 * i], scaleLog2, -mNew));
      s[4 * j + 2 * i + 1] = Exp2(fmaf(s[4 * j + 2 * i + 1], scaleLog2, -mNew));
      sum += s[4 * j + 2 * i] + s[4 * j + 2 * i + 1];
    }
    l[i] = l[i] * corr[i] + sum;
  }
}

// The probabilities as the A operand of the P V product (the accumulator layout of two key octets is the A layout of
// one 16-key step).
template <typename T> __device__ __forceinline__ void PackProbabilities(const float (&s)[32], uint32_t (&p)[16]) {
#pragma unroll
  for (int j = 0; j < 16; ++j) p[j] = Elem<T>::Pack(s[2 * j], s[2 * j + 1]);
}

// Block (query tile, head, b), one warpgroup. Three key/value stages; while the tensor cores compute P_j V_j the
// warpgroup already has S_{j+1} = Q K_{j+1}^T and turns it into probabilities.
template <typename T, int D>
__global__ void __launch_bounds__(kFineThreads) FineKernelSm90(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                                                               const T* __restrict__ gate, const float* __restrict__ coarse,
                                                               const int* __restrict__ selection, const int2* __restrict__ tileInfo,
                                                               const float* __restrict__ sparsity, T* __restrict__ out, Grid g,
                                                               int heads, int64_t tokens, float scaleLog2) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  constexpr int STAGES = 3;
  extern __shared__ uint4 sharedRaw[];
  constexpr uint32_t TB = kSlots * D * sizeof(T);
  const uint32_t smem = ((uint32_t)__cvta_generic_to_shared(sharedRaw) + 1023u) & ~1023u;
  auto kAt = [&](int stage) { return smem + (uint32_t)stage * 2 * TB; };
  auto vAt = [&](int stage) { return smem + (uint32_t)stage * 2 * TB + TB; };
  const uint32_t sQ = kAt(STAGES - 1);
  const int qtile = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
  const int channels = heads * D;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const size_t base = (size_t)b * tokens * channels + (size_t)h * D;
  const T* kb = k + base;
  const T* vb = v + base;
  const int kSel = SelectedTiles(sparsity, g.tiles);
  const int* sel = selection + (((size_t)b * heads + h) * g.tiles + qtile) * g.tiles;

  const TileGather<T, D> gather(g, channels);
  LoadTile128<T, D>(sQ, q + base, g, qtile, channels);
  CpAsyncCommit();
#pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    if (s < kSel) gather.Issue(kAt(s), vAt(s), kb, vb, __ldg(tileInfo + __ldg(sel + s)), channels);
    CpAsyncCommit();
  }
  CpAsyncWait<STAGES - 2>();  // the query tile and tile 0
  FenceProxyAsync();
  __syncthreads();
  uint32_t qf[D / 16][4];
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk) {
    const int r = warp * 16 + (lane & 7) + ((lane >> 3) & 1) * 8, c = kk * 2 + (lane >> 4);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(qf[kk][0]), "=r"(qf[kk][1]), "=r"(qf[kk][2]), "=r"(qf[kk][3]) : "r"(sQ + Swizzle128(r, c)));
  }

  float o[D / 2];
#pragma unroll
  for (int i = 0; i < D / 2; ++i) o[i] = 0.f;
  float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.f, 0.f}, corr[2];
  float s[32];
  uint32_t p[16];
  WgmmaFence();
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk)
    Wgmma<T, 64>::template Run<0>(s, qf[kk], SmemDesc(kAt(0) + (kk >> 2) * (kSlots * 128) + (kk & 3) * 32, 16, 1024), kk);
  WgmmaCommit();
  WgmmaWait();
  FenceRegs(s);
  SoftmaxStep(s, __ldg(tileInfo + __ldg(sel)), scaleLog2, m, l, corr);
  PackProbabilities<T>(s, p);

  for (int it = 0; it + 1 < kSel; ++it) {
    CpAsyncWait<0>();  // tile it + 1 has landed
    FenceProxyAsync();
    // after this barrier every warp is past step it - 1, so the stage of tile it - 1 (and the query tile) is free
    __syncthreads();
    const int2 info = __ldg(tileInfo + __ldg(sel + it + 1));
    // descriptors of the stage's tiles; the 14-bit start address field (address / 16) takes the offsets without carry
    const uint64_t dK = SmemDesc(kAt((it + 1) % STAGES), 16, 1024), dV = SmemDesc(vAt(it % STAGES), kSlots * 128, 1024);
    WgmmaFence();
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) Wgmma<T, 64>::template Run<0>(s, qf[kk], dK + (((kk >> 2) * (kSlots * 128) + (kk & 3) * 32) >> 4), kk);
    WgmmaCommit();
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const uint32_t a[4] = {p[4 * j], p[4 * j + 1], p[4 * j + 2], p[4 * j + 3]};
      Wgmma<T, D>::template Run<1>(o, a, dV + ((j * 2048) >> 4), 1);
    }
    WgmmaCommit();
    // the copies for tile it + 2 go out while the tensor cores work
    if (it + STAGES - 1 < kSel) {
      gather.Issue(kAt((it + STAGES - 1) % STAGES), vAt((it + STAGES - 1) % STAGES), kb, vb,
                   __ldg(tileInfo + __ldg(sel + it + STAGES - 1)), channels);
      CpAsyncCommit();
    }
    asm volatile("wgmma.wait_group.sync.aligned 1;\n" ::: "memory");  // S_{it+1} done, P_it V_it may still run
    FenceRegs(s);
    SoftmaxStep(s, info, scaleLog2, m, l, corr);
    WgmmaWait();
    FenceRegs(o);
    FenceRegs(s);  // keeps the packing below the wait: registers an MMA in flight reads must not be redefined
    PackProbabilities<T>(s, p);
    // once the running max settles most steps leave it unchanged: the warp then skips the rescale (a factor of 1)
    if (!__all_sync(0xffffffffu, corr[0] == 1.f && corr[1] == 1.f)) {
#pragma unroll
      for (int n = 0; n < D / 8; ++n) {
        o[4 * n] *= corr[0];
        o[4 * n + 1] *= corr[0];
        o[4 * n + 2] *= corr[1];
        o[4 * n + 3] *= corr[1];
      }
    }
  }
  {
    const uint32_t tV = vAt((kSel - 1) % STAGES);
    WgmmaFence();
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const uint32_t a[4] = {p[4 * j], p[4 * j + 1], p[4 * j + 2], p[4 * j + 3]};
      Wgmma<T, D>::template Run<1>(o, a, SmemDesc(tV + j * 2048, kSlots * 128, 1024), 1);
    }
    WgmmaCommit();
    WgmmaWait();
    FenceRegs(o);
  }

  const TileOrigin qo = Origin(g, qtile);
  const float* crow = coarse + ((size_t)b * g.tiles + qtile) * channels + h * D;
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    float sum = l[i];
    sum += __shfl_xor_sync(0xffffffffu, sum, 1);
    sum += __shfl_xor_sync(0xffffffffu, sum, 2);
    const float inv = 1.f / sum;
    const int tok = Token(g, qo, warp * 16 + (lane >> 2) + 8 * i);
    if (tok < 0) continue;
    const size_t row = (size_t)b * tokens * channels + (size_t)tok * channels + h * D;
#pragma unroll
    for (int n = 0; n < D / 8; ++n) {
      const int d = n * 8 + (lane & 3) * 2;
      const float2 gv = Elem<T>::ToFloat2(*reinterpret_cast<const uint32_t*>(gate + row + d));
      const float2 cv = *reinterpret_cast<const float2*>(crow + d);
      *reinterpret_cast<uint32_t*>(out + row + d) =
          Elem<T>::Pack(cv.x * gv.x + o[4 * n + 2 * i] * inv, cv.y * gv.y + o[4 * n + 2 * i + 1] * inv);
    }
  }
#else
  __trap();
#endif
}

// ---- host side ----

size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

struct Layout {
  size_t means, coarse, selection, tileInfo, total;
};

Layout MakeLayout(const VsaShape& s) {
  const size_t tiles = (size_t)s.Tiles();
  Layout l;
  l.means = 0;
  l.coarse = AlignUp(l.means + 3 * sizeof(float) * s.batch * s.heads * tiles * s.headDim);
  l.selection = AlignUp(l.coarse + sizeof(float) * s.batch * tiles * s.heads * s.headDim);
  l.tileInfo = AlignUp(l.selection + sizeof(int32_t) * s.batch * s.heads * tiles * tiles);
  l.total = AlignUp(l.tileInfo + sizeof(int32_t) * 2 * tiles);
  return l;
}

template <int D, int R> constexpr size_t CoarseShared(int tiles) {
  return sizeof(float) * ((size_t)R * D + (size_t)kCoarseChunk * (D + 4) + (size_t)R * ((tiles + 3) & ~3));
}
// within the opt-in shared memory of sm_86 / sm_89 (99 KB), so the same choice holds on every supported GPU
constexpr size_t kMaxShared = 96 * 1024;

template <typename T> struct DeviceType;
template <> struct DeviceType<__half> { static constexpr ElemType value = ElemType::Float16; };
template <> struct DeviceType<__nv_bfloat16> { static constexpr ElemType value = ElemType::BFloat16; };

template <int D, int R>
cudaError_t LaunchCoarse(const float* means, float* coarse, int* selection, const float* sparsity, const VsaShape& s, cudaStream_t stream) {
  const int tiles = (int)s.Tiles();
  const size_t bytes = CoarseShared<D, R>(tiles);
  cudaError_t e = cudaFuncSetAttribute(CoarseKernel<D, R>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes);
  if (e != cudaSuccess) return e;
  dim3 grid((tiles + R - 1) / R, (unsigned)s.heads, (unsigned)s.batch);
  CoarseKernel<D, R><<<grid, kCoarseThreads, bytes, stream>>>(means, coarse, selection, sparsity, tiles, (int)s.heads, (int)s.batch,
                                                              1.f / sqrtf((float)D));
  return cudaGetLastError();
}

template <int D>
cudaError_t LaunchCoarseD(const float* means, float* coarse, int* selection, const float* sparsity, const VsaShape& s, cudaStream_t stream) {
  if (CoarseShared<D, 16>((int)s.Tiles()) <= kMaxShared) return LaunchCoarse<D, 16>(means, coarse, selection, sparsity, s, stream);
  return LaunchCoarse<D, 4>(means, coarse, selection, sparsity, s, stream);
}

template <typename T, int D>
cudaError_t LaunchFineT(const void* q, const void* k, const void* v, const void* gate, const float* coarse, const int* selection,
                        const float* sparsity, void* out, const VsaShape& s, cudaStream_t stream) {
  constexpr size_t bytes = sizeof(T) * 4 * kSlots * D;
  cudaError_t e = cudaFuncSetAttribute(FineKernel<T, D>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes);
  if (e != cudaSuccess) return e;
  const Grid g = MakeGrid(s);
  dim3 grid((unsigned)g.tiles, (unsigned)s.heads, (unsigned)s.batch);
  FineKernel<T, D><<<grid, kFineThreads, bytes, stream>>>(static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v),
                                                         static_cast<const T*>(gate), coarse, selection, sparsity, static_cast<T*>(out), g,
                                                         (int)s.heads, s.Tokens(), 1.4426950408889634f / sqrtf((float)D));
  return cudaGetLastError();
}

template <typename T, int D>
cudaError_t LaunchFineSm90(const void* q, const void* k, const void* v, const void* gate, const float* coarse, const int* selection,
                                const int2* tileInfo, const float* sparsity, void* out, const VsaShape& s, cudaStream_t stream) {
  constexpr size_t bytes = sizeof(T) * 2 * 3 * kSlots * D + 1024;
  cudaError_t e = cudaFuncSetAttribute(FineKernelSm90<T, D>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes);
  if (e != cudaSuccess) return e;
  e = cudaFuncSetAttribute(FineKernelSm90<T, D>, cudaFuncAttributePreferredSharedMemoryCarveout, 100);
  if (e != cudaSuccess) return e;
  const Grid g = MakeGrid(s);
  dim3 grid((unsigned)g.tiles, (unsigned)s.heads, (unsigned)s.batch);
  FineKernelSm90<T, D><<<grid, kFineThreads, bytes, stream>>>(
      static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v), static_cast<const T*>(gate), coarse, selection, tileInfo,
      sparsity, static_cast<T*>(out), g, (int)s.heads, s.Tokens(), 1.4426950408889634f / sqrtf((float)D));
  return cudaGetLastError();
}

template <typename T, int D>
cudaError_t LaunchFinePath(VsaFinePath path, const void* q, const void* k, const void* v, const void* gate, const float* coarse,
                           const int* selection, const int2* tileInfo, const float* sparsity, void* out, const VsaShape& s,
                           cudaStream_t stream) {
  switch (path) {
    case VsaFinePath::MmaSync: return LaunchFineT<T, D>(q, k, v, gate, coarse, selection, sparsity, out, s, stream);
    case VsaFinePath::Wgmma:
      return LaunchFineSm90<T, D>(q, k, v, gate, coarse, selection, tileInfo, sparsity, out, s, stream);
    default: return cudaErrorInvalidValue;
  }
}

template <typename T>
cudaError_t LaunchMeans(const void* q, const void* k, const void* v, float* means, int2* tileInfo, const VsaShape& s, cudaStream_t stream) {
  const Grid g = MakeGrid(s);
  const int threads = (int)((s.heads * s.headDim / 8 + 31) / 32 * 32);
  dim3 grid((unsigned)g.tiles, (unsigned)s.batch, 3);
  TileMeansKernel<T><<<grid, threads > 256 ? 256 : threads, 0, stream>>>(static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v),
                                                                         means, tileInfo, g, (int)s.heads, (int)s.headDim, s.Tokens(), (int)s.batch);
  return cudaGetLastError();
}

}  // namespace

size_t VsaScratchBytes(const VsaShape& shape) { return MakeLayout(shape).total; }

const char* VsaUnsupported(const VsaShape& s) {
  if (s.headDim != 64 && s.headDim != 128) return "head_dim must be 64 or 128";
  if (s.batch <= 0 || s.frames <= 0 || s.height <= 0 || s.width <= 0 || s.heads <= 0) return "batch, grid and heads must be positive";
  if (s.Tokens() > (int64_t)INT32_MAX / 2 || s.Tiles() > 65535) return "the grid is too large";
  if (CoarseShared<128, 4>((int)s.Tiles()) > kMaxShared) return "the grid has too many tiles for the coarse stage";
  return nullptr;
}

const float* VsaCoarseOutput(const VsaShape& shape, const void* scratch) {
  return reinterpret_cast<const float*>(static_cast<const char*>(scratch) + MakeLayout(shape).coarse);
}

const int32_t* VsaSelection(const VsaShape& shape, const void* scratch) {
  return reinterpret_cast<const int32_t*>(static_cast<const char*>(scratch) + MakeLayout(shape).selection);
}

cudaError_t LaunchVsaCoarse(ElemType type, const void* q, const void* k, const void* v, const float* sparsity, const VsaShape& s,
                            void* scratch, cudaStream_t stream) {
  if (VsaUnsupported(s)) return cudaErrorInvalidValue;
  const Layout l = MakeLayout(s);
  char* base = static_cast<char*>(scratch);
  float* means = reinterpret_cast<float*>(base + l.means);
  float* coarse = reinterpret_cast<float*>(base + l.coarse);
  int* selection = reinterpret_cast<int*>(base + l.selection);
  int2* tileInfo = reinterpret_cast<int2*>(base + l.tileInfo);
  cudaError_t e;
  if (type == ElemType::BFloat16) e = LaunchMeans<__nv_bfloat16>(q, k, v, means, tileInfo, s, stream);
  else if (type == ElemType::Float16) e = LaunchMeans<__half>(q, k, v, means, tileInfo, s, stream);
  else return cudaErrorInvalidValue;
  if (e != cudaSuccess) return e;
  return s.headDim == 64 ? LaunchCoarseD<64>(means, coarse, selection, sparsity, s, stream)
                         : LaunchCoarseD<128>(means, coarse, selection, sparsity, s, stream);
}

bool VsaHasWgmmaPath() {
#if defined(FASTVIDEO_VSA_SM90A)
  int device = 0, major = 0, minor = 0;
  if (cudaGetDevice(&device) != cudaSuccess) return false;
  if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess) return false;
  if (cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess) return false;
  return major == 9 && minor == 0;
#else
  return false;
#endif
}

cudaError_t LaunchVsaFine(ElemType type, const void* q, const void* k, const void* v, const void* gate, const float* sparsity, void* out,
                          const VsaShape& s, void* scratch, cudaStream_t stream, VsaFinePath path) {
  if (VsaUnsupported(s)) return cudaErrorInvalidValue;
  if (path == VsaFinePath::Auto) path = VsaHasWgmmaPath() ? VsaFinePath::Wgmma : VsaFinePath::MmaSync;
  if (path != VsaFinePath::MmaSync && !VsaHasWgmmaPath()) return cudaErrorInvalidValue;
  const float* coarse = VsaCoarseOutput(s, scratch);
  const int* selection = VsaSelection(s, scratch);
  const int2* tileInfo = reinterpret_cast<const int2*>(static_cast<const char*>(scratch) + MakeLayout(s).tileInfo);
  if (type == ElemType::BFloat16)
    return s.headDim == 64 ? LaunchFinePath<__nv_bfloat16, 64>(path, q, k, v, gate, coarse, selection, tileInfo, sparsity, out, s, stream)
                           : LaunchFinePath<__nv_bfloat16, 128>(path, q, k, v, gate, coarse, selection, tileInfo, sparsity, out, s, stream);
  if (type == ElemType::Float16)
    return s.headDim == 64 ? LaunchFinePath<__half, 64>(path, q, k, v, gate, coarse, selection, tileInfo, sparsity, out, s, stream)
                           : LaunchFinePath<__half, 128>(path, q, k, v, gate, coarse, selection, tileInfo, sparsity, out, s, stream);
  return cudaErrorInvalidValue;
}

cudaError_t LaunchVideoSparseAttention(ElemType type, const void* q, const void* k, const void* v, const void* gate, const float* sparsity,
                                       void* out, const VsaShape& s, void* scratch, cudaStream_t stream) {
  cudaError_t e = LaunchVsaCoarse(type, q, k, v, sparsity, s, scratch, stream);
  if (e != cudaSuccess) return e;
  return LaunchVsaFine(type, q, k, v, gate, sparsity, out, s, scratch, stream);
}

}  // namespace fastvideo
