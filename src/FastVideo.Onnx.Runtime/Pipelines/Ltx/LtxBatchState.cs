using System.Runtime.CompilerServices;

namespace FastVideo.Onnx.Runtime.Pipelines.Ltx;

/// <summary>
/// What the LTX stages pass each other beyond the shared <see cref="ForwardBatch"/>: the resolved LTX request options and
/// the caption masks. Attached to the batch for its lifetime.
/// </summary>
internal sealed class LtxBatchState
{
    static readonly ConditionalWeakTable<ForwardBatch, LtxBatchState> States = new();

    public static LtxBatchState Of(ForwardBatch batch) => States.GetValue(batch, _ => new LtxBatchState());

    public double FrameRate { get; set; }
    public double GuidanceRescale { get; set; }
    /// <summary>Null when the VAE is not timestep-conditioned.</summary>
    public float? DecodeTimestep { get; set; }
    public float DecodeNoiseScale { get; set; }
    public long[]? PromptMask { get; set; }
    public long[]? NegativePromptMask { get; set; }
}
