namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// A scheduler that can be given the pipeline's own sigmas and a shift that depends on the request (Diffusers'
/// <c>set_timesteps(sigmas=..., mu=...)</c>): LTX-Video and Flux-style pipelines compute <c>mu</c> from the number of
/// latent tokens with <see cref="CalculateShift"/> and pass linearly spaced sigmas.
/// </summary>
public interface IShiftedSigmaScheduler : IScheduler
{
    /// <summary>True when the config says <c>use_dynamic_shifting</c>: <see cref="SetTimesteps(IReadOnlyList{double}, double?)"/> then needs mu.</summary>
    bool UsesDynamicShifting { get; }

    /// <summary>
    /// Diffusers' <c>calculate_shift</c> with the config's <c>base_image_seq_len</c>, <c>max_image_seq_len</c>,
    /// <c>base_shift</c> and <c>max_shift</c>: mu linear in the token count, base_shift at base length, max_shift at max length.
    /// </summary>
    double CalculateShift(long imageSequenceLength);

    /// <summary>Builds the schedule from <paramref name="sigmas"/> (one per step), shifted by <paramref name="mu"/> under dynamic shifting.</summary>
    void SetTimesteps(IReadOnlyList<double> sigmas, double? mu);
}
