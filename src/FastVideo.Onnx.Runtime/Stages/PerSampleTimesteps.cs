namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>The step's timestep once per batch entry (Diffusers' <c>t.expand(latent_model_input.shape[0])</c>).</summary>
internal sealed class PerSampleTimesteps : IStepTimesteps
{
    public static PerSampleTimesteps Instance { get; } = new();

    PerSampleTimesteps() { }

    public bool PerToken => false;

    public float[] For(float t, int batchSize, long[] latentShape, int pinnedFrames)
    {
        if (pinnedFrames != 0) throw new ArgumentException("per-sample timesteps cannot mark pinned latent frames", nameof(pinnedFrames));
        return Enumerable.Repeat(t, batchSize).ToArray();
    }
}
