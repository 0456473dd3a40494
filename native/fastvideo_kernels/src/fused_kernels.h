// Fused CUDA kernels for DiT blocks (com.fastvideo operators). Each launcher validates nothing beyond what the
// caller (custom_ops.cc) checked, enqueues on the given stream and returns the launch status.
#pragma once
#include <cstdint>
#include <cuda_runtime.h>

namespace fastvideo {

enum class ElemType { Float32, Float16, BFloat16 };

// y = cast((LayerNorm_f32(x) * gamma + beta) * (1 + scale) + shift) per row of D elements.
// gamma/beta: [D] or null. scale/shift: [B, D] (scaleStride = D) or [D] (scaleStride = 0), row r uses batch r / rowsPerBatch.
cudaError_t LaunchFusedLayerNorm(ElemType type, const void* x, const float* gamma, const float* beta,
                                 const float* scale, const float* shift, int64_t scaleStride, void* y,
                                 int64_t rows, int64_t rowsPerBatch, int64_t d, float eps, cudaStream_t stream);

// h = cast(f32(x) + (f32(y) + f32(bias)) * gate) and n = cast(FusedLayerNorm(h)) in one pass over the rows: the residual
// update of a DiT block and the norm that follows it. The norm reads the rounded h, as the unfused graph does.
cudaError_t LaunchResidualLayerNorm(ElemType type, const void* x, const void* y, const void* bias, const float* gate, int64_t gateStride,
                                    const float* gamma, const float* beta, const float* scale, const float* shift, int64_t scaleStride,
                                    void* h, void* n, int64_t rows, int64_t rowsPerBatch, int64_t d, float eps, cudaStream_t stream);

// z = cast(f32(x) + (f32(y) + f32(bias)) * gate), bias [D] or null, gate [B, D] (gateStride = D) or [D] (0) or null.
cudaError_t LaunchGatedResidual(ElemType type, const void* x, const void* y, const void* bias, const float* gate,
                                int64_t gateStride, void* z, int64_t n, int64_t d, int64_t elementsPerBatch,
                                cudaStream_t stream);

// y = rotary(RMSNorm(x + bias) * weight): RMS over the row of D = heads * headDim elements, then (if cos != null)
// interleaved rotation of pairs (2i, 2i+1) of each head by row s = r % rowsPerBatch of cos/sin [S, headDim / 2].
cudaError_t LaunchRmsNormRotary(ElemType type, const void* x, const void* bias, const void* weight, const float* cos,
                                const float* sin, void* y, int64_t rows, int64_t rowsPerBatch, int64_t d,
                                int64_t headDim, float eps, cudaStream_t stream);

}  // namespace fastvideo
