namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// The timestep input a transformer takes for one step of <see cref="DenoisingStage"/>: one value per batch entry
/// (<see cref="PerSampleTimesteps"/>), or one per latent token, where the tokens of pinned latent frames (a given
/// first frame) get timestep 0 because they are not being denoised.
/// </summary>
internal interface IStepTimesteps
{
    /// <summary>One timestep per latent token (the only layout that can mark pinned frames as clean).</summary>
    bool PerToken { get; }

    /// <summary>
    /// The timesteps for step timestep <paramref name="t"/>: <paramref name="batchSize"/> entries of latents
    /// <paramref name="latentShape"/> ([1, C, f, h, w]) whose first <paramref name="pinnedFrames"/> latent frames are pinned.
    /// </summary>
    float[] For(float t, int batchSize, long[] latentShape, int pinnedFrames);
}
