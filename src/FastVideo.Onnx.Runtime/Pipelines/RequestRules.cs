using FastVideo.Onnx.Runtime.Components;

namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>
/// What a model accepts, read from its configs by its family's pipeline (no session is opened): the latent layout (frame
/// counts are 1 + t·k, sizes map through the spatial compression), the multiple that height and width must be (the
/// spatial compression times the denoiser's patch), whether it takes a conditioning image, and whether it takes a
/// second guidance scale (<see cref="GenerationRequest.GuidanceScale2"/>: a model whose low-noise steps run a second
/// denoiser), and the multiple the latent frame count must be (a denoiser that splits the frames between ranks:
/// <see cref="IDenoiser.LatentFrameMultiple"/>).
/// </summary>
public sealed record RequestRules(LatentLayout Latents, int SizeMultiple, bool TakesImage, bool TakesSecondGuidanceScale = false, int LatentFrameMultiple = 1)
{
    /// <summary>
    /// The family's own request options that this model's pipeline reads, as <see cref="GenerationRequest"/> property
    /// names (LTX-Video: FrameRate, DecodeTimestep, DecodeNoiseScale, GuidanceRescale). Input validation refuses the
    /// other <see cref="FamilyOptionAttribute"/> properties, and the server the matching fields, instead of ignoring them.
    /// </summary>
    public IReadOnlyCollection<string> FamilyOptions { get; init; } = Array.Empty<string>();
}
