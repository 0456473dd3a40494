namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// How a pipeline's denoiser is spread, as the memory estimate of the first device (or the host) sees it.
/// </summary>
/// <param name="TransformerCopies">Copies of the transformer's weights in that memory: 1, plus one per extra sequence-parallel
/// rank (each rank's session holds its own), plus the second device's on the CPU provider (both live in host memory).</param>
/// <param name="GuidanceSplit">CFG-parallel: the first device runs the transformer at batch 1, the second the other half.</param>
/// <param name="SecondExpertElsewhere">A14B experts placement on GPUs: transformer_2's weights are on the second device.</param>
internal sealed record MemoryPlacement(int TransformerCopies = 1, bool GuidanceSplit = false, bool SecondExpertElsewhere = false)
{
    public static MemoryPlacement Single { get; } = new();
}
