// Element conversions, vectorised loads/stores and launch helpers shared by the kernel files: arithmetic is float32 in
// registers, data is float32, float16 or bfloat16 in memory. Kept in an anonymous namespace, so each kernel file gets
// its own internal copy, like the kernels themselves.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "fused_kernels.h"

namespace fastvideo {
namespace {

template <typename T> __device__ __forceinline__ float ToFloat(T v);
template <> __device__ __forceinline__ float ToFloat<float>(float v) { return v; }
template <> __device__ __forceinline__ float ToFloat<__half>(__half v) { return __half2float(v); }
template <> __device__ __forceinline__ float ToFloat<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T> __device__ __forceinline__ T FromFloat(float v);
template <> __device__ __forceinline__ float FromFloat<float>(float v) { return v; }
template <> __device__ __forceinline__ __half FromFloat<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 FromFloat<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

template <typename T, int V>
struct alignas(sizeof(T) * V) Vec {
  T v[V];
};

template <typename T, int V>
__device__ __forceinline__ Vec<T, V> Load(const T* p) { return *reinterpret_cast<const Vec<T, V>*>(p); }

template <typename T, int V>
__device__ __forceinline__ void Store(T* p, const Vec<T, V>& v) { *reinterpret_cast<Vec<T, V>*>(p) = v; }

// Calls f with a value of the element type `type` names (float, __half or __nv_bfloat16), so each launcher picks its
// template instance with one switch: f(auto tag) { using T = decltype(tag); ... }.
template <typename F>
cudaError_t ByElemType(ElemType type, F&& f) {
  switch (type) {
    case ElemType::Float32: return f(float{});
    case ElemType::Float16: return f(__half{});
    case ElemType::BFloat16: return f(__nv_bfloat16{});
  }
  return cudaErrorInvalidValue;
}

// Calls f with std::integral_constant<int, V> for the widest vector V (elements, at most 16 bytes and MaxV, then halving
// down to 1) that fits(V) accepts; V = 1 is always taken.
template <typename T, int MaxV = 16 / sizeof(T), typename Fits, typename F>
cudaError_t ByVectorWidth(Fits&& fits, F&& f) {
  if constexpr (MaxV > 1 && MaxV * sizeof(T) <= 16) {
    if (fits(MaxV)) return f(std::integral_constant<int, MaxV>{});
  }
  if constexpr (MaxV > 1) return ByVectorWidth<T, MaxV / 2>(fits, f);
  else return f(std::integral_constant<int, 1>{});
}

inline bool Aligned(const void* p, size_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; }

// Launches `kernel` on `blocks` blocks of `block` threads; a grid beyond CUDA's x-dimension limit is refused.
template <typename... Params, typename... Args>
cudaError_t LaunchBlocks(void (*kernel)(Params...), int64_t blocks, dim3 block, cudaStream_t stream, Args... args) {
  if (blocks <= 0 || blocks > 0x7fffffffLL) return cudaErrorInvalidValue;
  kernel<<<(unsigned)blocks, block, 0, stream>>>(static_cast<Params>(args)...);
  return cudaGetLastError();
}

}  // namespace
}  // namespace fastvideo
