// Video Sparse Attention (FastVideo's VSA) over the tokens of a DiT grid, as three CUDA stages:
//   1. tile means of q, k, v over the valid tokens of each 4x4x4 tile of the (frames, height, width) grid;
//   2. coarse attention over the tile means, and per query tile and head the top-k key tiles by the coarse scores,
//      k = max(1, min(ceil((1 - sparsity) * tiles), tiles)) computed on the device from the float32 sparsity;
//   3. block-sparse fine attention of each query over the valid tokens of its selected tiles (online softmax, float32
//      accumulation, tensor-core mma), with output = coarse * gate + fine written in the original token order.
// Inputs and output are [batch, frames * height * width, heads * headDim] in token order (as the graph holds them): the
// kernels gather each tile's tokens on the fly, so nothing is transposed. No allocation and no host synchronisation:
// the caller passes a scratch buffer of VsaScratchBytes bytes, so the launches can be captured in a CUDA graph.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cuda_runtime.h>

#include "fused_kernels.h"

namespace fastvideo {

struct VsaShape {
  int64_t batch, frames, height, width;  // DiT grid: S = frames * height * width tokens per batch entry
  int64_t heads, headDim;                // headDim 64 or 128

  int64_t TilesT() const { return (frames + 3) / 4; }
  int64_t TilesH() const { return (height + 3) / 4; }
  int64_t TilesW() const { return (width + 3) / 4; }
  int64_t Tiles() const { return TilesT() * TilesH() * TilesW(); }
  int64_t Tokens() const { return frames * height * width; }
};

// Scratch the stages share (tile means, coarse output, selected tiles), in bytes.
size_t VsaScratchBytes(const VsaShape& shape);

// A one-line description of why the shape is not supported, or null when it is.
const char* VsaUnsupported(const VsaShape& shape);

// The whole operator: q, k, v, gate, out [batch, S, heads * headDim] of the element type (Float16 or BFloat16);
// sparsity: a float32 on the device.
cudaError_t LaunchVideoSparseAttention(ElemType type, const void* q, const void* k, const void* v, const void* gate,
                                       const float* sparsity, void* out, const VsaShape& shape, void* scratch,
                                       cudaStream_t stream);

// The stages one by one (for tests and timings): LaunchVideoSparseAttention is VsaCoarse then VsaFine on one scratch.
cudaError_t LaunchVsaCoarse(ElemType type, const void* q, const void* k, const void* v, const float* sparsity,
                            const VsaShape& shape, void* scratch, cudaStream_t stream);
// Fine-stage kernels: Auto takes the warpgroup-MMA kernel (Wgmma) on sm_90 when the library holds sm_90a code (built
// with FASTVIDEO_VSA_SM90A defined and an sm_90a target), else the mma.sync kernel (sm_80 and later); the others force
// one, for tests and timings (Wgmma where it is not built or the GPU is not sm_90 gives cudaErrorInvalidValue).
enum class VsaFinePath { Auto, MmaSync, Wgmma };

// Whether Auto takes a wgmma kernel on the current device.
bool VsaHasWgmmaPath();

cudaError_t LaunchVsaFine(ElemType type, const void* q, const void* k, const void* v, const void* gate,
                          const float* sparsity, void* out, const VsaShape& shape, void* scratch, cudaStream_t stream,
                          VsaFinePath path = VsaFinePath::Auto);

// Views into the scratch buffer after LaunchVsaCoarse (for tests): coarse output [batch, tiles, heads * headDim]
// float32, selected key tiles [batch, heads, tiles, tiles] int32 (the first k of each row are used, ascending).
const float* VsaCoarseOutput(const VsaShape& shape, const void* scratch);
const int32_t* VsaSelection(const VsaShape& shape, const void* scratch);

}  // namespace fastvideo
