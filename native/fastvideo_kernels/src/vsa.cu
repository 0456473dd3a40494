// Video Sparse Attention kernels (see vsa.h). Tensor-core code uses mma.sync m16n8k16, ldmatrix and cp.async, which
// sm_80, sm_86, sm_89 and sm_90 all run.
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
                                Grid g, int heads, int headDim, int64_t tokens, int batch) {
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

// ---- host side ----

size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

struct Layout {
  size_t means, coarse, selection, total;
};

Layout MakeLayout(const VsaShape& s) {
  const size_t tiles = (size_t)s.Tiles();
  Layout l;
  l.means = 0;
  l.coarse = AlignUp(l.means + 3 * sizeof(float) * s.batch * s.heads * tiles * s.headDim);
  l.selection = AlignUp(l.coarse + sizeof(float) * s.batch * tiles * s.heads * s.headDim);
  l.total = AlignUp(l.selection + sizeof(int32_t) * s.batch * s.heads * tiles * tiles);
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

template <typename T>
cudaError_t LaunchMeans(const void* q, const void* k, const void* v, float* means, const VsaShape& s, cudaStream_t stream) {
  const Grid g = MakeGrid(s);
  const int threads = (int)((s.heads * s.headDim / 8 + 31) / 32 * 32);
  dim3 grid((unsigned)g.tiles, (unsigned)s.batch, 3);
  TileMeansKernel<T><<<grid, threads > 256 ? 256 : threads, 0, stream>>>(static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v),
                                                                         means, g, (int)s.heads, (int)s.headDim, s.Tokens(), (int)s.batch);
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
  cudaError_t e;
  if (type == ElemType::BFloat16) e = LaunchMeans<__nv_bfloat16>(q, k, v, means, s, stream);
  else if (type == ElemType::Float16) e = LaunchMeans<__half>(q, k, v, means, s, stream);
  else return cudaErrorInvalidValue;
  if (e != cudaSuccess) return e;
  return s.headDim == 64 ? LaunchCoarseD<64>(means, coarse, selection, sparsity, s, stream)
                         : LaunchCoarseD<128>(means, coarse, selection, sparsity, s, stream);
}

cudaError_t LaunchVsaFine(ElemType type, const void* q, const void* k, const void* v, const void* gate, const float* sparsity, void* out,
                          const VsaShape& s, void* scratch, cudaStream_t stream) {
  if (VsaUnsupported(s)) return cudaErrorInvalidValue;
  const float* coarse = VsaCoarseOutput(s, scratch);
  const int* selection = VsaSelection(s, scratch);
  if (type == ElemType::BFloat16)
    return s.headDim == 64 ? LaunchFineT<__nv_bfloat16, 64>(q, k, v, gate, coarse, selection, sparsity, out, s, stream)
                           : LaunchFineT<__nv_bfloat16, 128>(q, k, v, gate, coarse, selection, sparsity, out, s, stream);
  if (type == ElemType::Float16)
    return s.headDim == 64 ? LaunchFineT<__half, 64>(q, k, v, gate, coarse, selection, sparsity, out, s, stream)
                           : LaunchFineT<__half, 128>(q, k, v, gate, coarse, selection, sparsity, out, s, stream);
  return cudaErrorInvalidValue;
}

cudaError_t LaunchVideoSparseAttention(ElemType type, const void* q, const void* k, const void* v, const void* gate, const float* sparsity,
                                       void* out, const VsaShape& s, void* scratch, cudaStream_t stream) {
  cudaError_t e = LaunchVsaCoarse(type, q, k, v, sparsity, s, scratch, stream);
  if (e != cudaSuccess) return e;
  return LaunchVsaFine(type, q, k, v, gate, sparsity, out, s, scratch, stream);
}

}  // namespace fastvideo
