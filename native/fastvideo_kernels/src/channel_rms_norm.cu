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

template <typename T>
cudaError_t ChannelRmsNormT(const void* x, const float* gamma, void* y, int64_t batch, int64_t channels, int64_t positions,
                            float scale, float eps, bool silu, cudaStream_t stream) {
  // The widest vector (4, then 2 positions) that divides the rows, fits the pointers' alignment and still gives the GPU
  // enough blocks; one position per thread otherwise.
  auto fits = [&](int v) {
    return positions % v == 0 && Aligned(x, v * sizeof(T)) && Aligned(y, v * sizeof(T)) &&
           (batch * positions / v + kLanes - 1) / kLanes >= kMinBlocks;
  };
  return ByVectorWidth<T, 4>(fits, [&](auto width) {
    constexpr int V = decltype(width)::value;
    const int64_t vectors = batch * positions / V;
    return LaunchBlocks(ChannelRmsNormKernel<T, V>, (vectors + kLanes - 1) / kLanes, dim3(kLanes, kGroups), stream,
                        (const T*)x, gamma, (T*)y, vectors, positions, (int)channels, scale, eps, silu);
  });
}

// Channels-last form: rows of `channels` contiguous values, L lanes of a warp per row (L a power of two from 4 to 32,
// the row's vector count rounded up, so a short row does not leave most of a warp idle: a 96-channel fp16 row is 12
// vectors of 8 values on 16 lanes, two rows per warp). Each lane owns every L-th vector of its row; a first pass sums
// squares (shuffled across the row's lanes), a second re-reads the row (from L1: a row is at most a few hundred bytes)
// to scale and write. blockDim = (32, kWarpsPerBlock).
constexpr int kWarpsPerBlock = 8;

template <typename T, int V, int L>
__global__ void __launch_bounds__(32 * kWarpsPerBlock) ChannelsLastRmsNormKernel(const T* __restrict__ x, const float* __restrict__ gamma,
    T* __restrict__ y, int64_t rows, int channels, float scale, float eps, bool silu) {
  constexpr int kRowsPerWarp = 32 / L;
  const int lane = threadIdx.x % L;
  const int64_t row = ((int64_t)blockIdx.x * kWarpsPerBlock + threadIdx.y) * kRowsPerWarp + threadIdx.x / L;
  const bool valid = row < rows;  // lanes past the last row still take part in the shuffles, which need the whole warp
  const int vectors = channels / V;
  const T* xp = x + (valid ? row : 0) * channels;
  T* yp = y + (valid ? row : 0) * channels;
  float total = 0.f;
  for (int i = lane; valid && i < vectors; i += L) {
    const Vec<T, V> a = Load<T, V>(xp + i * V);
#pragma unroll
    for (int j = 0; j < V; j++) {
      const float v = ToFloat(a.v[j]);
      total += v * v;
    }
  }
  // xor offsets below L stay inside the row's aligned group of L lanes
#pragma unroll
  for (int offset = L / 2; offset > 0; offset >>= 1) total += __shfl_xor_sync(0xffffffffu, total, offset);
  if (!valid) return;
  const float inv = scale / fmaxf(sqrtf(total), eps);  // F.normalize: x / max(||x||, eps), then * scale
  for (int i = lane; i < vectors; i += L) {
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

template <typename T, int V, int L>
cudaError_t LaunchLast(const void* x, const float* gamma, void* y, int64_t rows, int64_t channels, float scale, float eps, bool silu,
                       cudaStream_t stream) {
  constexpr int kRowsPerBlock = kWarpsPerBlock * 32 / L;
  return LaunchBlocks(ChannelsLastRmsNormKernel<T, V, L>, (rows + kRowsPerBlock - 1) / kRowsPerBlock, dim3(32, kWarpsPerBlock), stream,
                      (const T*)x, gamma, (T*)y, rows, (int)channels, scale, eps, silu);
}

template <typename T>
cudaError_t ChannelsLastRmsNormT(const void* x, const float* gamma, void* y, int64_t rows, int64_t channels, float scale, float eps,
                                 bool silu, cudaStream_t stream) {
  // The widest vector (16 bytes down to one value) that divides a row and fits the alignment; then lanes for its vectors.
  auto fits = [&](int v) { return channels % v == 0 && Aligned(x, v * sizeof(T)) && Aligned(y, v * sizeof(T)); };
  return ByVectorWidth<T>(fits, [&](auto width) {
    constexpr int V = decltype(width)::value;
    const int64_t vectors = channels / V;
    if (vectors <= 4) return LaunchLast<T, V, 4>(x, gamma, y, rows, channels, scale, eps, silu, stream);
    if (vectors <= 8) return LaunchLast<T, V, 8>(x, gamma, y, rows, channels, scale, eps, silu, stream);
    if (vectors <= 16) return LaunchLast<T, V, 16>(x, gamma, y, rows, channels, scale, eps, silu, stream);
    return LaunchLast<T, V, 32>(x, gamma, y, rows, channels, scale, eps, silu, stream);
  });
}

}  // namespace

cudaError_t LaunchChannelsLastRmsNorm(ElemType type, const void* x, const float* gamma, void* y, int64_t rows, int64_t channels,
                                      float scale, float eps, bool silu, cudaStream_t stream) {
  if (rows <= 0 || channels <= 0) return cudaSuccess;  // nothing to do
  if (channels > 0x7fffffffLL) return cudaErrorInvalidValue;
  return ByElemType(type, [&](auto tag) {
    return ChannelsLastRmsNormT<decltype(tag)>(x, gamma, y, rows, channels, scale, eps, silu, stream);
  });
}

cudaError_t LaunchChannelRmsNorm(ElemType type, const void* x, const float* gamma, void* y, int64_t batch, int64_t channels,
                                 int64_t positions, float scale, float eps, bool silu, cudaStream_t stream) {
  if (batch <= 0 || channels <= 0 || positions <= 0) return cudaSuccess;  // nothing to do
  if (channels > 0x7fffffffLL) return cudaErrorInvalidValue;
  return ByElemType(type, [&](auto tag) {
    return ChannelRmsNormT<decltype(tag)>(x, gamma, y, batch, channels, positions, scale, eps, silu, stream);
  });
}

}  // namespace fastvideo
