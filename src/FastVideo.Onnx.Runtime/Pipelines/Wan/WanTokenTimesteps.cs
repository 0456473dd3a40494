using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Runtime.Stages;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// The timestep layout of a Wan transformer (its contract): per batch entry, or with <c>expand_timesteps</c> (Wan2.2
/// TI2V) one per latent token, [B, S] batch-major, where the tokens of pinned latent frames get 0, as Diffusers'
/// <c>first_frame_mask[:, ::2, ::2] * t</c>.
/// </summary>
internal sealed class WanTokenTimesteps(WanTransformerContract transformer) : IStepTimesteps
{
    public bool PerToken => transformer.PerTokenTimesteps;

    public float[] For(float t, int batchSize, long[] latentShape, int pinnedFrames)
    {
        if (!PerToken) return PerSampleTimesteps.Instance.For(t, batchSize, latentShape, pinnedFrames);
        long tokens = transformer.Tokens(latentShape[2], latentShape[3], latentShape[4]);
        long pinned = transformer.Tokens(pinnedFrames, latentShape[3], latentShape[4]);
        var values = new float[batchSize * tokens];
        for (int i = 0; i < batchSize; i++) values.AsSpan((int)(i * tokens + pinned), (int)(tokens - pinned)).Fill(t);
        return values;
    }
}
