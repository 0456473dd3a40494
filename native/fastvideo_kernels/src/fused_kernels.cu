// Memory-bound fusions of DiT block arithmetic: one read of each input and one write of the output, all arithmetic in
// float32 registers. Rows (LayerNorm, RMSNorm) are handled by one block each with the row cached in registers when it
// fits; elementwise kernels use 16-byte vectors when the row length allows.
#include "fused_kernels.h"

#include "device_math.cuh"

namespace fastvideo {
namespace {

__device__ __forceinline__ float WarpSum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// Sum over the block; every thread gets the result. Safe to call repeatedly (the trailing barrier protects reuse).
__device__ float BlockSum(float v) {
  __shared__ float partial[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = WarpSum(v);
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  const int warps = (blockDim.x + 31) >> 5;
  float total = threadIdx.x < warps ? partial[threadIdx.x] : 0.f;
  if (warp == 0) total = WarpSum(total);
  if (threadIdx.x == 0) partial[0] = total;
  __syncthreads();
  total = partial[0];
  __syncthreads();
  return total;
}

constexpr int kMaxVectorsPerThread = 4;
constexpr int kRowThreads = 256;

// ---- FusedLayerNorm ----

template <typename T>
__device__ __forceinline__ float Modulate(float n, int64_t c, int64_t b, const float* gamma, const float* beta,
                                          const float* scale, const float* shift, int64_t stride) {
  if (gamma) n = n * gamma[c] + (beta ? beta[c] : 0.f);
  else if (beta) n += beta[c];
  if (scale) n *= 1.f + scale[b * stride + c];
  if (shift) n += shift[b * stride + c];
  return n;
}

// One warp per row, row cached in registers: for rows of up to 32 * kWarpVectors vectors (D <= 2048 in 16-bit types),
// where a block per row would spend its time in barriers.
constexpr int kWarpVectors = 8;
constexpr int kWarpsPerBlock = 4;

template <typename T, int V>
__global__ void __launch_bounds__(32 * kWarpsPerBlock) LayerNormWarp(const T* __restrict__ x, const float* __restrict__ gamma,
    const float* __restrict__ beta, const float* __restrict__ scale, const float* __restrict__ shift, int64_t stride,
    T* __restrict__ y, int64_t rows, int64_t rowsPerBatch, int d, float eps) {
  const int64_t row = (int64_t)blockIdx.x * kWarpsPerBlock + threadIdx.y;
  if (row >= rows) return;
  const int lane = threadIdx.x;
  const int64_t b = row / rowsPerBatch;
  const T* xr = x + row * d;
  T* yr = y + row * d;
  const int vectors = d / V;
  float v[kWarpVectors][V];
  float sum = 0.f;
#pragma unroll
  for (int k = 0; k < kWarpVectors; k++) {
    const int vi = lane + k * 32;
    if (vi < vectors) {
      const Vec<T, V> a = Load<T, V>(xr + vi * V);
#pragma unroll
      for (int j = 0; j < V; j++) {
        v[k][j] = ToFloat(a.v[j]);
        sum += v[k][j];
      }
    }
  }
  const float mean = WarpSum(sum) / d;
  float squares = 0.f;
#pragma unroll
  for (int k = 0; k < kWarpVectors; k++) {
    if (lane + k * 32 < vectors) {
#pragma unroll
      for (int j = 0; j < V; j++) {
        const float c = v[k][j] - mean;
        squares += c * c;
      }
    }
  }
  const float rstd = rsqrtf(WarpSum(squares) / d + eps);
#pragma unroll
  for (int k = 0; k < kWarpVectors; k++) {
    const int vi = lane + k * 32;
    if (vi < vectors) {
      // Side inputs are float32 rows read V at a time (V is 4 or 8, the column a multiple of V: 16-byte aligned).
      const int64_t c = (int64_t)vi * V;
      float n[V];
#pragma unroll
      for (int j = 0; j < V; j++) n[j] = (v[k][j] - mean) * rstd;
      if (gamma) {
        const Vec<float, V> g = Load<float, V>(gamma + c);
#pragma unroll
        for (int j = 0; j < V; j++) n[j] *= g.v[j];
      }
      if (beta) {
        const Vec<float, V> e = Load<float, V>(beta + c);
#pragma unroll
        for (int j = 0; j < V; j++) n[j] += e.v[j];
      }
      if (scale) {
        const Vec<float, V> m = Load<float, V>(scale + b * stride + c);
#pragma unroll
        for (int j = 0; j < V; j++) n[j] *= 1.f + m.v[j];
      }
      if (shift) {
        const Vec<float, V> m = Load<float, V>(shift + b * stride + c);
#pragma unroll
        for (int j = 0; j < V; j++) n[j] += m.v[j];
      }
      Vec<T, V> o;
#pragma unroll
      for (int j = 0; j < V; j++) o.v[j] = FromFloat<T>(n[j]);
      Store<T, V>(yr + vi * V, o);
    }
  }
}

// Row cached in registers: V elements per vector, up to kMaxVectorsPerThread vectors per thread.
template <typename T, int V>
__global__ void __launch_bounds__(kRowThreads) LayerNormCached(const T* __restrict__ x, const float* __restrict__ gamma,
    const float* __restrict__ beta, const float* __restrict__ scale, const float* __restrict__ shift, int64_t stride,
    T* __restrict__ y, int64_t rowsPerBatch, int d, float eps) {
  const int64_t row = blockIdx.x;
  const int64_t b = row / rowsPerBatch;
  const T* xr = x + row * d;
  T* yr = y + row * d;
  const int vectors = d / V;
  float v[kMaxVectorsPerThread][V];
  float sum = 0.f;
#pragma unroll
  for (int k = 0; k < kMaxVectorsPerThread; k++) {
    const int vi = threadIdx.x + k * blockDim.x;
    if (vi < vectors) {
      const Vec<T, V> a = Load<T, V>(xr + vi * V);
#pragma unroll
      for (int j = 0; j < V; j++) {
        v[k][j] = ToFloat(a.v[j]);
        sum += v[k][j];
      }
    }
  }
  const float mean = BlockSum(sum) / d;
  float squares = 0.f;
#pragma unroll
  for (int k = 0; k < kMaxVectorsPerThread; k++) {
    if (threadIdx.x + k * blockDim.x < vectors) {
#pragma unroll
      for (int j = 0; j < V; j++) {
        const float c = v[k][j] - mean;
        squares += c * c;
      }
    }
  }
  const float rstd = rsqrtf(BlockSum(squares) / d + eps);
#pragma unroll
  for (int k = 0; k < kMaxVectorsPerThread; k++) {
    const int vi = threadIdx.x + k * blockDim.x;
    if (vi < vectors) {
      Vec<T, V> o;
#pragma unroll
      for (int j = 0; j < V; j++) {
        const int64_t c = (int64_t)vi * V + j;
        o.v[j] = FromFloat<T>(Modulate<T>((v[k][j] - mean) * rstd, c, b, gamma, beta, scale, shift, stride));
      }
      Store<T, V>(yr + vi * V, o);
    }
  }
}

// Any row length: three passes over the row in global memory (rows too long for registers, or not vector-aligned).
template <typename T>
__global__ void __launch_bounds__(kRowThreads) LayerNormGeneral(const T* __restrict__ x, const float* __restrict__ gamma,
    const float* __restrict__ beta, const float* __restrict__ scale, const float* __restrict__ shift, int64_t stride,
    T* __restrict__ y, int64_t rowsPerBatch, int64_t d, float eps) {
  const int64_t row = blockIdx.x;
  const int64_t b = row / rowsPerBatch;
  const T* xr = x + row * d;
  T* yr = y + row * d;
  float sum = 0.f;
  for (int64_t c = threadIdx.x; c < d; c += blockDim.x) sum += ToFloat(xr[c]);
  const float mean = BlockSum(sum) / d;
  float squares = 0.f;
  for (int64_t c = threadIdx.x; c < d; c += blockDim.x) {
    const float v = ToFloat(xr[c]) - mean;
    squares += v * v;
  }
  const float rstd = rsqrtf(BlockSum(squares) / d + eps);
  for (int64_t c = threadIdx.x; c < d; c += blockDim.x)
    yr[c] = FromFloat<T>(Modulate<T>((ToFloat(xr[c]) - mean) * rstd, c, b, gamma, beta, scale, shift, stride));
}

// ---- ResidualLayerNorm ----

template <typename T, int V>
__global__ void __launch_bounds__(32 * kWarpsPerBlock) ResidualLayerNormWarp(const T* __restrict__ x, const T* __restrict__ y,
    const T* __restrict__ bias, const float* __restrict__ gate, int64_t gateStride, const float* __restrict__ gamma,
    const float* __restrict__ beta, const float* __restrict__ scale, const float* __restrict__ shift, int64_t stride,
    T* __restrict__ hOut, T* __restrict__ nOut, int64_t rows, int64_t rowsPerBatch, int d, float eps) {
  const int64_t row = (int64_t)blockIdx.x * kWarpsPerBlock + threadIdx.y;
  if (row >= rows) return;
  const int lane = threadIdx.x;
  const int64_t b = row / rowsPerBatch;
  const int vectors = d / V;
  float v[kWarpVectors][V];
  float sum = 0.f;
#pragma unroll
  for (int k = 0; k < kWarpVectors; k++) {
    const int vi = lane + k * 32;
    if (vi < vectors) {
      const int64_t c = (int64_t)vi * V;
      const Vec<T, V> a = Load<T, V>(x + row * d + c), u = Load<T, V>(y + row * d + c);
      float update[V];
#pragma unroll
      for (int j = 0; j < V; j++) update[j] = ToFloat(u.v[j]);
      if (bias) {
        const Vec<T, V> e = Load<T, V>(bias + c);
#pragma unroll
        for (int j = 0; j < V; j++) update[j] += ToFloat(e.v[j]);
      }
      if (gate) {
        const Vec<float, V> g = Load<float, V>(gate + b * gateStride + c);
#pragma unroll
        for (int j = 0; j < V; j++) update[j] *= g.v[j];
      }
      Vec<T, V> h;
#pragma unroll
      for (int j = 0; j < V; j++) {
        h.v[j] = FromFloat<T>(ToFloat(a.v[j]) + update[j]);
        v[k][j] = ToFloat(h.v[j]);  // the norm sees the residual stream as stored
        sum += v[k][j];
      }
      Store<T, V>(hOut + row * d + c, h);
    }
  }
  const float mean = WarpSum(sum) / d;
  float squares = 0.f;
#pragma unroll
  for (int k = 0; k < kWarpVectors; k++) {
    if (lane + k * 32 < vectors) {
#pragma unroll
      for (int j = 0; j < V; j++) {
        const float c = v[k][j] - mean;
        squares += c * c;
      }
    }
  }
  const float rstd = rsqrtf(WarpSum(squares) / d + eps);
#pragma unroll
  for (int k = 0; k < kWarpVectors; k++) {
    const int vi = lane + k * 32;
    if (vi < vectors) {
      const int64_t c = (int64_t)vi * V;
      float n[V];
#pragma unroll
      for (int j = 0; j < V; j++) n[j] = (v[k][j] - mean) * rstd;
      if (gamma) {
        const Vec<float, V> g = Load<float, V>(gamma + c);
#pragma unroll
        for (int j = 0; j < V; j++) n[j] *= g.v[j];
      }
      if (beta) {
        const Vec<float, V> e = Load<float, V>(beta + c);
#pragma unroll
        for (int j = 0; j < V; j++) n[j] += e.v[j];
      }
      if (scale) {
        const Vec<float, V> m = Load<float, V>(scale + b * stride + c);
#pragma unroll
        for (int j = 0; j < V; j++) n[j] *= 1.f + m.v[j];
      }
      if (shift) {
        const Vec<float, V> m = Load<float, V>(shift + b * stride + c);
#pragma unroll
        for (int j = 0; j < V; j++) n[j] += m.v[j];
      }
      Vec<T, V> o;
#pragma unroll
      for (int j = 0; j < V; j++) o.v[j] = FromFloat<T>(n[j]);
      Store<T, V>(nOut + row * d + c, o);
    }
  }
}

// ---- RmsNormRotary ----

template <typename T, int V>
__device__ __forceinline__ void RotateAndStore(const float (&n)[V], int64_t c, int64_t s, int64_t headDim, const float* cos,
                                               const float* sin, T* out) {
  Vec<T, V> o;
  if (cos) {
    // The vector holds V / 2 whole pairs of one head, pairs p0 .. p0 + V/2 - 1 of the tables' row s.
    const int64_t half = headDim / 2, p0 = (c % headDim) / 2;
    const Vec<float, V / 2> cs = Load<float, V / 2>(cos + s * half + p0), sn = Load<float, V / 2>(sin + s * half + p0);
#pragma unroll
    for (int j = 0; j < V; j += 2) {
      o.v[j] = FromFloat<T>(n[j] * cs.v[j / 2] - n[j + 1] * sn.v[j / 2]);
      o.v[j + 1] = FromFloat<T>(n[j] * sn.v[j / 2] + n[j + 1] * cs.v[j / 2]);
    }
  } else {
#pragma unroll
    for (int j = 0; j < V; j++) o.v[j] = FromFloat<T>(n[j]);
  }
  Store<T, V>(out, o);
}

template <typename T, int V>
__global__ void __launch_bounds__(32 * kWarpsPerBlock) RmsNormRotaryWarp(const T* __restrict__ x, const T* __restrict__ bias,
    const T* __restrict__ weight, const float* __restrict__ cos, const float* __restrict__ sin, T* __restrict__ y,
    int64_t rows, int64_t rowsPerBatch, int d, int64_t headDim, float eps) {
  const int64_t row = (int64_t)blockIdx.x * kWarpsPerBlock + threadIdx.y;
  if (row >= rows) return;
  const int lane = threadIdx.x;
  const int64_t s = row % rowsPerBatch;
  const T* xr = x + row * d;
  T* yr = y + row * d;
  const int vectors = d / V;
  float v[kWarpVectors][V];
  float squares = 0.f;
#pragma unroll
  for (int k = 0; k < kWarpVectors; k++) {
    const int vi = lane + k * 32;
    if (vi < vectors) {
      const Vec<T, V> a = Load<T, V>(xr + vi * V);
      Vec<T, V> bv;
      if (bias) bv = Load<T, V>(bias + vi * V);
#pragma unroll
      for (int j = 0; j < V; j++) {
        v[k][j] = ToFloat(a.v[j]) + (bias ? ToFloat(bv.v[j]) : 0.f);
        squares += v[k][j] * v[k][j];
      }
    }
  }
  const float rstd = rsqrtf(WarpSum(squares) / d + eps);
#pragma unroll
  for (int k = 0; k < kWarpVectors; k++) {
    const int vi = lane + k * 32;
    if (vi < vectors) {
      const Vec<T, V> wv = Load<T, V>(weight + vi * V);
      float n[V];
#pragma unroll
      for (int j = 0; j < V; j++) n[j] = v[k][j] * rstd * ToFloat(wv.v[j]);
      RotateAndStore<T, V>(n, (int64_t)vi * V, s, headDim, cos, sin, yr + vi * V);
    }
  }
}

template <typename T, int V>
__global__ void __launch_bounds__(kRowThreads) RmsNormRotaryCached(const T* __restrict__ x, const T* __restrict__ bias,
    const T* __restrict__ weight, const float* __restrict__ cos, const float* __restrict__ sin, T* __restrict__ y,
    int64_t rowsPerBatch, int d, int64_t headDim, float eps) {
  const int64_t row = blockIdx.x;
  const int64_t s = row % rowsPerBatch;
  const T* xr = x + row * d;
  T* yr = y + row * d;
  const int vectors = d / V;
  float v[kMaxVectorsPerThread][V];
  float squares = 0.f;
#pragma unroll
  for (int k = 0; k < kMaxVectorsPerThread; k++) {
    const int vi = threadIdx.x + k * blockDim.x;
    if (vi < vectors) {
      const Vec<T, V> a = Load<T, V>(xr + vi * V);
#pragma unroll
      for (int j = 0; j < V; j++) {
        v[k][j] = ToFloat(a.v[j]) + (bias ? ToFloat(bias[vi * V + j]) : 0.f);
        squares += v[k][j] * v[k][j];
      }
    }
  }
  const float rstd = rsqrtf(BlockSum(squares) / d + eps);
#pragma unroll
  for (int k = 0; k < kMaxVectorsPerThread; k++) {
    const int vi = threadIdx.x + k * blockDim.x;
    if (vi < vectors) {
      float n[V];
#pragma unroll
      for (int j = 0; j < V; j++) n[j] = v[k][j] * rstd * ToFloat(weight[vi * V + j]);
      RotateAndStore<T, V>(n, (int64_t)vi * V, s, headDim, cos, sin, yr + vi * V);
    }
  }
}

template <typename T>
__global__ void __launch_bounds__(kRowThreads) RmsNormRotaryGeneral(const T* __restrict__ x, const T* __restrict__ bias,
    const T* __restrict__ weight, const float* __restrict__ cos, const float* __restrict__ sin, T* __restrict__ y,
    int64_t rowsPerBatch, int64_t d, int64_t headDim, float eps) {
  const int64_t row = blockIdx.x;
  const int64_t s = row % rowsPerBatch;
  const T* xr = x + row * d;
  T* yr = y + row * d;
  float squares = 0.f;
  for (int64_t c = threadIdx.x; c < d; c += blockDim.x) {
    const float v = ToFloat(xr[c]) + (bias ? ToFloat(bias[c]) : 0.f);
    squares += v * v;
  }
  const float rstd = rsqrtf(BlockSum(squares) / d + eps);
  // one pair per step so both elements of a rotation are at hand
  for (int64_t c = 2 * threadIdx.x; c < d; c += 2 * blockDim.x) {
    float n[2];
#pragma unroll
    for (int j = 0; j < 2; j++) n[j] = (ToFloat(xr[c + j]) + (bias ? ToFloat(bias[c + j]) : 0.f)) * rstd * ToFloat(weight[c + j]);
    if (cos) {
      const int64_t half = headDim / 2, pair = (c % headDim) / 2;
      const float cs = cos[s * half + pair], sn = sin[s * half + pair];
      yr[c] = FromFloat<T>(n[0] * cs - n[1] * sn);
      yr[c + 1] = FromFloat<T>(n[0] * sn + n[1] * cs);
    } else {
      yr[c] = FromFloat<T>(n[0]);
      yr[c + 1] = FromFloat<T>(n[1]);
    }
  }
}

// ---- elementwise ----

template <typename T, int V>
__global__ void GatedResidualKernel(const T* __restrict__ x, const T* __restrict__ y, const T* __restrict__ bias,
                                    const float* __restrict__ gate, int64_t stride, T* __restrict__ z, int64_t n,
                                    int64_t d, int64_t perBatch) {
  for (int64_t i = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) * V; i < n; i += (int64_t)gridDim.x * blockDim.x * V) {
    const int64_t c0 = i % d, b = i / perBatch;
    const Vec<T, V> a = Load<T, V>(x + i), u = Load<T, V>(y + i);
    float update[V];
#pragma unroll
    for (int j = 0; j < V; j++) update[j] = ToFloat(u.v[j]);
    if (bias) {
      const Vec<T, V> e = Load<T, V>(bias + c0);
#pragma unroll
      for (int j = 0; j < V; j++) update[j] += ToFloat(e.v[j]);
    }
    if (gate) {
      // V consecutive gates of one row; V == 1 (unaligned rows) reads one at a time.
      const Vec<float, V> g = Load<float, V>(gate + b * stride + c0);
#pragma unroll
      for (int j = 0; j < V; j++) update[j] *= g.v[j];
    }
    Vec<T, V> o;
#pragma unroll
    for (int j = 0; j < V; j++) o.v[j] = FromFloat<T>(ToFloat(a.v[j]) + update[j]);
    Store<T, V>(z + i, o);
  }
}

// Threads per row for the cached kernels: enough for kMaxVectorsPerThread vectors each, whole warps, at most kRowThreads.
int CachedRowThreads(int64_t vectors) {
  int threads = (int)((vectors + kMaxVectorsPerThread - 1) / kMaxVectorsPerThread);
  threads = threads < 32 ? 32 : ((threads + 31) / 32) * 32;
  return threads > kRowThreads ? kRowThreads : threads;
}

unsigned ElementwiseBlocks(int64_t n, int v) {
  const int64_t blocks = (n / v + 255) / 256;
  return (unsigned)(blocks < 1 ? 1 : (blocks > 1048576 ? 1048576 : blocks));
}

template <typename T>
constexpr int VectorWidth() { return 16 / sizeof(T); }

template <typename T>
cudaError_t FusedLayerNormT(const void* x, const float* gamma, const float* beta, const float* scale, const float* shift,
                            int64_t stride, void* y, int64_t rows, int64_t rowsPerBatch, int64_t d, float eps, cudaStream_t s) {
  constexpr int V = VectorWidth<T>();
  const int64_t vectors = d / V;
  if (d % V == 0 && vectors <= 32 * kWarpVectors) {
    const dim3 block(32, kWarpsPerBlock);
    LayerNormWarp<T, V><<<(unsigned)((rows + kWarpsPerBlock - 1) / kWarpsPerBlock), block, 0, s>>>(
        (const T*)x, gamma, beta, scale, shift, stride, (T*)y, rows, rowsPerBatch, (int)d, eps);
  } else if (d % V == 0 && vectors <= (int64_t)kRowThreads * kMaxVectorsPerThread) {
    const int threads = CachedRowThreads(vectors);
    LayerNormCached<T, V><<<(unsigned)rows, threads, 0, s>>>((const T*)x, gamma, beta, scale, shift, stride, (T*)y, rowsPerBatch, (int)d, eps);
  } else {
    LayerNormGeneral<T><<<(unsigned)rows, kRowThreads, 0, s>>>((const T*)x, gamma, beta, scale, shift, stride, (T*)y, rowsPerBatch, d, eps);
  }
  return cudaGetLastError();
}

template <typename T>
cudaError_t RmsNormRotaryT(const void* x, const void* bias, const void* weight, const float* cos, const float* sin, void* y,
                           int64_t rows, int64_t rowsPerBatch, int64_t d, int64_t headDim, float eps, cudaStream_t s) {
  constexpr int V = VectorWidth<T>();
  const int64_t vectors = d / V;
  // The cached kernel rotates pairs inside a vector, so each vector must start on a pair (V is even) and heads must
  // hold whole vectors.
  if (d % V == 0 && headDim % V == 0 && vectors <= 32 * kWarpVectors) {
    const dim3 block(32, kWarpsPerBlock);
    RmsNormRotaryWarp<T, V><<<(unsigned)((rows + kWarpsPerBlock - 1) / kWarpsPerBlock), block, 0, s>>>(
        (const T*)x, (const T*)bias, (const T*)weight, cos, sin, (T*)y, rows, rowsPerBatch, (int)d, headDim, eps);
  } else if (d % V == 0 && headDim % V == 0 && vectors <= (int64_t)kRowThreads * kMaxVectorsPerThread) {
    const int threads = CachedRowThreads(vectors);
    RmsNormRotaryCached<T, V><<<(unsigned)rows, threads, 0, s>>>((const T*)x, (const T*)bias, (const T*)weight, cos, sin, (T*)y,
                                                                 rowsPerBatch, (int)d, headDim, eps);
  } else {
    RmsNormRotaryGeneral<T><<<(unsigned)rows, kRowThreads, 0, s>>>((const T*)x, (const T*)bias, (const T*)weight, cos, sin, (T*)y,
                                                                   rowsPerBatch, d, headDim, eps);
  }
  return cudaGetLastError();
}

template <typename T>
cudaError_t GatedResidualT(const void* x, const void* y, const void* bias, const float* gate, int64_t stride, void* z, int64_t n,
                           int64_t d, int64_t perBatch, cudaStream_t s) {
  constexpr int V = VectorWidth<T>();
  if (d % V == 0)
    GatedResidualKernel<T, V><<<ElementwiseBlocks(n, V), 256, 0, s>>>((const T*)x, (const T*)y, (const T*)bias, gate, stride, (T*)z, n, d, perBatch);
  else
    GatedResidualKernel<T, 1><<<ElementwiseBlocks(n, 1), 256, 0, s>>>((const T*)x, (const T*)y, (const T*)bias, gate, stride, (T*)z, n, d, perBatch);
  return cudaGetLastError();
}

template <typename T>
cudaError_t ResidualLayerNormT(const void* x, const void* y, const void* bias, const float* gate, int64_t gateStride, const float* gamma,
                               const float* beta, const float* scale, const float* shift, int64_t stride, void* h, void* n, int64_t rows,
                               int64_t rowsPerBatch, int64_t d, float eps, cudaStream_t s) {
  constexpr int V = VectorWidth<T>();
  if (d % V == 0 && d / V <= 32 * kWarpVectors) {
    const dim3 block(32, kWarpsPerBlock);
    ResidualLayerNormWarp<T, V><<<(unsigned)((rows + kWarpsPerBlock - 1) / kWarpsPerBlock), block, 0, s>>>(
        (const T*)x, (const T*)y, (const T*)bias, gate, gateStride, gamma, beta, scale, shift, stride, (T*)h, (T*)n, rows, rowsPerBatch,
        (int)d, eps);
    return cudaGetLastError();
  }
  // Long rows: the two kernels one after the other (same arithmetic, one more read of h).
  cudaError_t status = GatedResidualT<T>(x, y, bias, gate, gateStride, h, rows * d, d, rowsPerBatch * d, s);
  if (status != cudaSuccess) return status;
  return FusedLayerNormT<T>(h, gamma, beta, scale, shift, stride, n, rows, rowsPerBatch, d, eps, s);
}

}  // namespace

cudaError_t LaunchFusedLayerNorm(ElemType type, const void* x, const float* gamma, const float* beta, const float* scale,
                                 const float* shift, int64_t scaleStride, void* y, int64_t rows, int64_t rowsPerBatch, int64_t d,
                                 float eps, cudaStream_t stream) {
  return ByElemType(type, [&](auto tag) {
    return FusedLayerNormT<decltype(tag)>(x, gamma, beta, scale, shift, scaleStride, y, rows, rowsPerBatch, d, eps, stream);
  });
}

cudaError_t LaunchResidualLayerNorm(ElemType type, const void* x, const void* y, const void* bias, const float* gate, int64_t gateStride,
                                    const float* gamma, const float* beta, const float* scale, const float* shift, int64_t scaleStride,
                                    void* h, void* n, int64_t rows, int64_t rowsPerBatch, int64_t d, float eps, cudaStream_t stream) {
  return ByElemType(type, [&](auto tag) {
    return ResidualLayerNormT<decltype(tag)>(x, y, bias, gate, gateStride, gamma, beta, scale, shift, scaleStride, h, n, rows, rowsPerBatch, d, eps, stream);
  });
}

cudaError_t LaunchGatedResidual(ElemType type, const void* x, const void* y, const void* bias, const float* gate, int64_t gateStride,
                                void* z, int64_t n, int64_t d, int64_t elementsPerBatch, cudaStream_t stream) {
  return ByElemType(type, [&](auto tag) {
    return GatedResidualT<decltype(tag)>(x, y, bias, gate, gateStride, z, n, d, elementsPerBatch, stream);
  });
}

cudaError_t LaunchRmsNormRotary(ElemType type, const void* x, const void* bias, const void* weight, const float* cos, const float* sin,
                                void* y, int64_t rows, int64_t rowsPerBatch, int64_t d, int64_t headDim, float eps, cudaStream_t stream) {
  return ByElemType(type, [&](auto tag) {
    return RmsNormRotaryT<decltype(tag)>(x, bias, weight, cos, sin, y, rows, rowsPerBatch, d, headDim, eps, stream);
  });
}

}  // namespace fastvideo
