// Channel RMS norm (+ SiLU) over [B, C, N] activations: the norm reduces over C, which is strided by N in memory, so a
// thread owns V consecutive positions of one batch entry (consecutive threads own consecutive positions: every load and
// store of a warp is one contiguous run of 32 * V elements of a channel row) and loops over the channels twice: sum of
// squares, then scale and write. A block is 32 position lanes x kGroups channel groups (one warp per group, channels
// c = group, group + kGroups, ...): the groups' partial sums meet in shared memory, which gives kGroups times more threads
// for the small low-resolution tensors and keeps the second pass close (in time) to the first, so its re-reads can hit
// L1/L2. All arithmetic is float32; the output is rounded once.
#include "channel_rms_norm.h"

#include "device_math.cuh"

namespace fastvideo {
namespace {

// v * sigmoid(v). For 16-bit outputs the fast exp and division (a few float32 ulps, far below the output's rounding)
// keep the kernel memory-bound; float32 outputs get the accurate ones. Very negative v gives -0 (exp overflows to inf;
// __fdividef returns 0 for denominators above 2^126).
template <typename T>
__device__ __forceinline__ float Silu(float v) {
  if constexpr (sizeof(T) == 2) return __fdividef(v, 1.f + __expf(-v));
  else return v / (1.f + expf(-v));
}

constexpr int kLanes = 32;   // position vectors per channel group: one warp
constexpr int kGroups = 8;   // channel groups (warps) per block
constexpr int kMinBlocks = 512;  // below this many blocks, narrower vectors (more threads) are preferred

// blockDim = (kLanes, kGroups); block i covers position vectors [i * kLanes, (i + 1) * kLanes) of the flattened [B, N/V].
template <typename T, int V>
__global__ void __launch_bounds__(kLanes * kGroups) ChannelRmsNormKernel(const T* __restrict__ x, const float* __restrict__ gamma,
    T* __restrict__ y, int64_t vectors, int64_t positions, int channels, float scale, float eps, bool silu) {
  __shared__ float partial[kGroups][V][kLanes];
  const int lane = threadIdx.x, group = threadIdx.y;
  const int64_t vector = (int64_t)blockIdx.x * kLanes + lane;
  const bool valid = vector < vectors;
  // positions % V == 0, so the V positions of a vector lie in one batch entry.
  const int64_t flat = valid ? vector * V : 0;
  const int64_t b = flat / positions;
  const int64_t offset = b * channels * positions + (flat - b * positions);
  const T* xp = x + offset;
  T* yp = y + offset;

  float squares[V];
#pragma unroll
  for (int j = 0; j < V; j++) squares[j] = 0.f;
  if (valid) {
#pragma unroll 4
    for (int c = group; c < channels; c += kGroups) {
      const Vec<T, V> a = Load<T, V>(xp + (int64_t)c * positions);
#pragma unroll
      for (int j = 0; j < V; j++) {
        const float v = ToFloat(a.v[j]);
        squares[j] += v * v;
      }
    }
  }
#pragma unroll
  for (int j = 0; j < V; j++) partial[group][j][lane] = squares[j];
  __syncthreads();
  if (!valid) return;  // no barrier follows

  // Every group sums the partials in the same order, so all of them use bit-identical factors.
  float inv[V];
#pragma unroll
  for (int j = 0; j < V; j++) {
    float total = 0.f;
#pragma unroll
    for (int g = 0; g < kGroups; g++) total += partial[g][j][lane];
    inv[j] = 1.f / fmaxf(sqrtf(total), eps);  // F.normalize: x / max(||x||, eps)
  }

#pragma unroll 4
  for (int c = group; c < channels; c += kGroups) {
    const int64_t row = (int64_t)c * positions;
    const Vec<T, V> a = Load<T, V>(xp + row);
    const float gain = scale * gamma[c];
    Vec<T, V> o;
#pragma unroll
    for (int j = 0; j < V; j++) {
      float v = ToFloat(a.v[j]) * inv[j] * gain;
      if (silu) v = Silu<T>(v);
      o.v[j] = FromFloat<T>(v);
    }
    Store<T, V>(yp + row, o);
  }
}

template <typename T, int V>
cudaError_t Launch(const void* x, const float* gamma, void* y, int64_t batch, int64_t channels, int64_t positions, float scale,
                   float eps, bool silu, cudaStream_t stream) {
  const int64_t vectors = batch * positions / V;
  const int64_t blocks = (vectors + kLanes - 1) / kLanes;
  if (blocks > 0x7fffffffLL) return cudaErrorInvalidValue;
  ChannelRmsNormKernel<T, V><<<(unsigned)blocks, dim3(kLanes, kGroups), 0, stream>>>(
      (const T*)x, gamma, (T*)y, vectors, positions, (int)channels, scale, eps, silu);
  return cudaGetLastError();
}

bool Aligned(const void* p, size_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; }

template <typename T>
cudaError_t ChannelRmsNormT(const void* x, const float* gamma, void* y, int64_t batch, int64_t channels, int64_t positions,
                            float scale, float eps, bool silu, cudaStream_t stream) {
  // The widest vector (4, then 2 positions) that divides the rows, fits the pointers' alignment and still gives the GPU
  // enough blocks; one position per thread otherwise.
  auto fits = [&](int v) {
    return positions % v == 0 && Aligned(x, v * sizeof(T)) && Aligned(y, v * sizeof(T)) &&
           (batch * positions / v + kLanes - 1) / kLanes >= kMinBlocks;
  };
  if (fits(4)) return Launch<T, 4>(x, gamma, y, batch, channels, positions, scale, eps, silu, stream);
  if (fits(2)) return Launch<T, 2>(x, gamma, y, batch, channels, positions, scale, eps, silu, stream);
  return Launch<T, 1>(x, gamma, y, batch, channels, positions, scale, eps, silu, stream);
}

// Channels-last form: rows of `channels` contiguous values, one warp per row. Each lane owns every 32nd vector of V
// channels; a first pass sums squares (shuffled across the warp), a second re-reads the row (from L1: a row is at most a
// few hundred bytes) to scale and write. blockDim = (32, kWarpsPerBlock).
constexpr int kWarpsPerBlock = 8;

template <typename T, int V>
__global__ void __launch_bounds__(32 * kWarpsPerBlock) ChannelsLastRmsNormKernel(const T* __restrict__ x, const float* __restrict__ gamma,
    T* __restrict__ y, int64_t rows, int channels, float scale, float eps, bool silu) {
  const int64_t row = (int64_t)blockIdx.x * kWarpsPerBlock + threadIdx.y;
  if (row >= rows) return;  // a whole warp leaves together: no shuffle below misses a lane
  const int lane = threadIdx.x, vectors = channels / V;
  const T* xp = x + row * channels;
  T* yp = y + row * channels;
  float total = 0.f;
  for (int i = lane; i < vectors; i += 32) {
    const Vec<T, V> a = Load<T, V>(xp + i * V);
#pragma unroll
    for (int j = 0; j < V; j++) {
      const float v = ToFloat(a.v[j]);
      total += v * v;
    }
  }
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) total += __shfl_xor_sync(0xffffffffu, total, offset);
  const float inv = scale / fmaxf(sqrtf(total), eps);  // F.normalize: x / max(||x||, eps), then * scale
  for (int i = lane; i < vectors; i += 32) {
    const Vec<T, V> a = Load<T, V>(xp + i * V);
    Vec<T, V> o;
#pragma unroll
    for (int j = 0; j < V; j++) {
      float v = ToFloat(a.v[j]) * inv * gamma[i * V + j];
      if (silu) v = Silu<T>(v);
      o.v[j] = FromFloat<T>(v);
    }
    Store<T, V>(yp + i * V, o);
  }
}

template <typename T, int V>
cudaError_t LaunchLast(const void* x, const float* gamma, void* y, int64_t rows, int64_t channels, float scale, float eps, bool silu,
                       cudaStream_t stream) {
  const int64_t blocks = (rows + kWarpsPerBlock - 1) / kWarpsPerBlock;
  if (blocks > 0x7fffffffLL) return cudaErrorInvalidValue;
  ChannelsLastRmsNormKernel<T, V><<<(unsigned)blocks, dim3(32, kWarpsPerBlock), 0, stream>>>(
      (const T*)x, gamma, (T*)y, rows, (int)channels, scale, eps, silu);
  return cudaGetLastError();
}

template <typename T>
cudaError_t ChannelsLastRmsNormT(const void* x, const float* gamma, void* y, int64_t rows, int64_t channels, float scale, float eps,
                                 bool silu, cudaStream_t stream) {
  // The widest vector (8, 4, 2 values) that divides a row, fits the alignment and still spreads a row over a warp.
  auto fits = [&](int v) {
    return channels % v == 0 && channels / v >= 32 && Aligned(x, v * sizeof(T)) && Aligned(y, v * sizeof(T));
  };
  if (sizeof(T) == 2 && fits(8)) return LaunchLast<T, 8>(x, gamma, y, rows, channels, scale, eps, silu, stream);
  if (fits(4)) return LaunchLast<T, 4>(x, gamma, y, rows, channels, scale, eps, silu, stream);
  if (fits(2)) return LaunchLast<T, 2>(x, gamma, y, rows, channels, scale, eps, silu, stream);
  return LaunchLast<T, 1>(x, gamma, y, rows, channels, scale, eps, silu, stream);
}

}  // namespace

cudaError_t LaunchChannelsLastRmsNorm(ElemType type, const void* x, const float* gamma, void* y, int64_t rows, int64_t channels,
                                      float scale, float eps, bool silu, cudaStream_t stream) {
  if (rows <= 0 || channels <= 0) return cudaSuccess;  // nothing to do
  if (channels > 0x7fffffffLL) return cudaErrorInvalidValue;
  switch (type) {
    case ElemType::Float32: return ChannelsLastRmsNormT<float>(x, gamma, y, rows, channels, scale, eps, silu, stream);
    case ElemType::Float16: return ChannelsLastRmsNormT<__half>(x, gamma, y, rows, channels, scale, eps, silu, stream);
    case ElemType::BFloat16: return ChannelsLastRmsNormT<__nv_bfloat16>(x, gamma, y, rows, channels, scale, eps, silu, stream);
  }
  return cudaErrorInvalidValue;
}

cudaError_t LaunchChannelRmsNorm(ElemType type, const void* x, const float* gamma, void* y, int64_t batch, int64_t channels,
                                 int64_t positions, float scale, float eps, bool silu, cudaStream_t stream) {
  if (batch <= 0 || channels <= 0 || positions <= 0) return cudaSuccess;  // nothing to do
  if (channels > 0x7fffffffLL) return cudaErrorInvalidValue;
#define CALL(T) ChannelRmsNormT<T>(x, gamma, y, batch, channels, positions, scale, eps, silu, stream)
  switch (type) {
    case ElemType::Float32: return CALL(float);
    case ElemType::Float16: return CALL(__half);
    case ElemType::BFloat16: return CALL(__nv_bfloat16);
  }
#undef CALL
  return cudaErrorInvalidValue;
}

}  // namespace fastvideo
