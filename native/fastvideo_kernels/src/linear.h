// y = x · W (+ bias) (then GELU) through cuBLASLt, with the bias and activation in the matmul epilogue.
#pragma once
#include <cstdint>
#include <cuda_runtime.h>

#include "fused_kernels.h"

namespace fastvideo {

enum class Activation { None, GeluTanh };

// x [M, K] row-major, w [K, N] row-major, bias [N] (of the same type) or null, y [M, N]. Float32 accumulation.
cudaError_t LaunchLinear(ElemType type, const void* x, const void* w, const void* bias, void* y, int64_t m, int64_t k, int64_t n,
                         Activation activation, cudaStream_t stream, const char** failure);

}  // namespace fastvideo
