// Channel RMS norm of channel-first or channels-last activations (Wan VAE's WanRMS_norm, optionally followed by SiLU) as one kernel.
#pragma once
#include <cstdint>
#include <cuda_runtime.h>

#include "fused_kernels.h"

namespace fastvideo {

// x, y: [batch, channels, positions] (positions = product of the spatial dims), gamma: [channels] float32.
// y = cast(act(f32(x) / max(sqrt(sum_c f32(x)^2), eps) * scale * gamma[c])), act = SiLU when silu, else identity;
// all arithmetic in float32, one rounding to the element type.
cudaError_t LaunchChannelRmsNorm(ElemType type, const void* x, const float* gamma, void* y, int64_t batch, int64_t channels,
                                 int64_t positions, float scale, float eps, bool silu, cudaStream_t stream);

// The same norm over channels-last activations: x, y [rows, channels] (rows = batch x positions), channels contiguous.
cudaError_t LaunchChannelsLastRmsNorm(ElemType type, const void* x, const float* gamma, void* y, int64_t rows, int64_t channels,
                                      float scale, float eps, bool silu, cudaStream_t stream);

}  // namespace fastvideo
