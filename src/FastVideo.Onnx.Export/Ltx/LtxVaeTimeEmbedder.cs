using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>
/// PixArtAlphaCombinedTimestepSizeEmbeddings without additional conditions (<c>time_embedder</c> of the timestep-conditioned
/// decoder's blocks): the 256-channel sinusoid of the timestep through <c>timestep_embedder</c>.
/// </summary>
internal sealed class LtxVaeTimeEmbedder : Module
{
    public TimestepEmbedding TimestepEmbedder { get; }

    public LtxVaeTimeEmbedder(int embeddingDim)
    {
        TimestepEmbedder = Add("timestep_embedder", new TimestepEmbedding(LtxTransformer3DModel.TimestepChannels, embeddingDim));
    }

    /// <param name="timestep">[B] float32 (already multiplied by the decoder's timestep_scale_multiplier)</param>
    /// <returns>[B, embeddingDim]</returns>
    public T Forward<T>(ITensorOps<T> ops, T timestep)
    {
        using var _ = Enter(ops);
        return TimestepEmbedder.Forward(ops, LtxVideoLayout.TimestepSinusoid(ops, timestep));
    }
}
