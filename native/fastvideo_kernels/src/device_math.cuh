// Element conversions and vectorised loads/stores shared by the kernel files: arithmetic is float32 in registers, data
// is float32, float16 or bfloat16 in memory. Kept in an anonymous namespace, so each kernel file gets its own internal
// copy, like the kernels themselves.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

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

}  // namespace
}  // namespace fastvideo
