using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// The shapes <see cref="VsaParityCheck"/> runs. The reference composition holds a dense [B, heads, P, P] float32 mask
/// (P = tiles·64 token slots), so the large grids have one head: at 21x30x52 that mask alone is 6.4 GB.
/// </summary>
internal static class VsaCases
{
    public static IEnumerable<VsaCase> All()
    {
        // FastWan2.1-T2V-14B's video (480x832, 81 frames: 21 latent frames of 30x52 patches, its preset's sparsity 0.9):
        // partial tiles along frames and height
        foreach (float sparsity in new[] { 0.8f, 0.9f })
            yield return new(1, 21, 30, 52, 1, 128, sparsity, DType.BFloat16);
        // FastWan2.1-T2V-1.3B's video (448x832, 61 frames: 16x28x52, its preset's sparsity 0.8): whole tiles only
        foreach (float sparsity in new[] { 0.5f, 0.8f })
            yield return new(1, 16, 28, 52, 1, 128, sparsity, DType.BFloat16);
        yield return new(1, 16, 28, 52, 1, 128, 0.8f, DType.Float16);
        // partial tiles along every axis, two batch entries, two heads of 64; sparsity 0 keeps every tile (dense), 0.9
        // keeps one of the eight
        foreach (var type in new[] { DType.BFloat16, DType.Float16 })
            foreach (float sparsity in new[] { 0f, 0.5f, 0.8f, 0.9f })
                yield return new(2, 5, 6, 7, 2, 64, sparsity, type);
        // partial tiles along every axis with two heads of 128
        yield return new(1, 9, 13, 22, 2, 128, 0.9f, DType.BFloat16);
    }
}
