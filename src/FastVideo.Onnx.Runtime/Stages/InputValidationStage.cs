using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Schedulers;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// Resolves the request against the model's sampling defaults and checks it against the model's
/// <see cref="RequestRules"/> before any model runs, with errors that name the <see cref="GenerationRequest"/> property at
/// fault. Frame counts that the VAE cannot produce are rounded as Diffusers rounds them, with a notice. The conditioning
/// image is decoded here, once, onto the batch.
/// </summary>
internal sealed class InputValidationStage(SamplingDefaults defaults, RequestRules rules) : PipelineStage
{
    /// <summary>The request properties that only some families read (<see cref="FamilyOptionAttribute"/>).</summary>
    static readonly System.Reflection.PropertyInfo[] FamilyOptions = typeof(GenerationRequest).GetProperties()
        .Where(p => p.IsDefined(typeof(FamilyOptionAttribute), inherit: false)).ToArray();

    public override string Name => "input validation";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var r = batch.Request;
        batch.Prompt = r.Prompt?.Trim() ?? "";
        if (batch.Prompt.Length == 0) throw new InvalidRequestException(nameof(GenerationRequest.Prompt), "the prompt is empty");
        batch.NegativePrompt = r.NegativePrompt ?? defaults.NegativePrompt;

        batch.Height = r.Height ?? defaults.Height;
        batch.Width = r.Width ?? defaults.Width;
        string why = $" (the VAE compresses {rules.Latents.SpatialCompression}x and the denoiser patches "
            + $"{rules.SizeMultiple / rules.Latents.SpatialCompression}x{rules.SizeMultiple / rules.Latents.SpatialCompression} latents)";
        if (batch.Height <= 0 || batch.Height % rules.SizeMultiple != 0)
            throw new InvalidRequestException(nameof(GenerationRequest.Height), $"{batch.Height} must be a positive multiple of {rules.SizeMultiple}{why}");
        if (batch.Width <= 0 || batch.Width % rules.SizeMultiple != 0)
            throw new InvalidRequestException(nameof(GenerationRequest.Width), $"{batch.Width} must be a positive multiple of {rules.SizeMultiple}{why}");

        int frames = r.NumFrames ?? defaults.NumFrames;
        if (frames < 1) throw new InvalidRequestException(nameof(GenerationRequest.NumFrames), $"{frames} must be at least 1");
        int temporalScale = rules.Latents.TemporalCompression;
        if (frames % temporalScale != 1)
        {
            int rounded = rules.Latents.RoundFrames(frames);
            batch.Notices.Add($"NumFrames {frames}: the VAE makes {temporalScale}k+1 frames; using {rounded} (as Diffusers does)");
            frames = rounded;
        }
        batch.NumFrames = frames;
        int latentFrames = (frames - 1) / temporalScale + 1, multiple = rules.LatentFrameMultiple;
        if (multiple > 1 && latentFrames % multiple != 0)
        {
            int below = latentFrames / multiple * multiple, above = below + multiple;
            string Frames(int latent) => ((latent - 1) * temporalScale + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new InvalidRequestException(nameof(GenerationRequest.NumFrames),
                $"{frames} frames are {latentFrames} latent frames, and the denoiser splits them in multiples of {multiple} " +
                $"(its sequence-parallel ranks): use {(below > 0 ? $"{Frames(below)} or " : "")}{Frames(above)}");
        }

        batch.Steps = r.Steps ?? defaults.Steps;
        if (batch.Steps < 1) throw new InvalidRequestException(nameof(GenerationRequest.Steps), $"{batch.Steps} must be at least 1");
        batch.GuidanceScale = r.GuidanceScale ?? defaults.GuidanceScale;
        if (!(batch.GuidanceScale >= 0) || !double.IsFinite(batch.GuidanceScale))
            throw new InvalidRequestException(nameof(GenerationRequest.GuidanceScale), $"{batch.GuidanceScale} must be zero or positive (values above 1 enable classifier-free guidance)");
        if (r.GuidanceScale2 is not null && !rules.TakesSecondGuidanceScale)
            throw new InvalidRequestException(nameof(GenerationRequest.GuidanceScale2),
                "this model has one denoiser; a second guidance scale is for models that switch to a second denoiser for the low-noise steps");
        batch.GuidanceScale2 = r.GuidanceScale2 ?? (rules.TakesSecondGuidanceScale ? defaults.GuidanceScale2 : null) ?? batch.GuidanceScale;
        if (!(batch.GuidanceScale2 >= 0) || !double.IsFinite(batch.GuidanceScale2))
            throw new InvalidRequestException(nameof(GenerationRequest.GuidanceScale2), $"{batch.GuidanceScale2} must be zero or positive");
        foreach (var option in FamilyOptions)
            if (option.GetValue(r) is not null && !rules.FamilyOptions.Contains(option.Name))
                throw new InvalidRequestException(option.Name, "this model's pipeline does not read it (an option of another model family)");
        batch.MaxSequenceLength = r.MaxSequenceLength ?? defaults.MaxSequenceLength;
        if (batch.MaxSequenceLength is < 1 or > 4096)
            throw new InvalidRequestException(nameof(GenerationRequest.MaxSequenceLength), $"{batch.MaxSequenceLength} must be between 1 and 4096");
        batch.Fps = r.Fps ?? defaults.Fps;
        if (batch.Fps < 1) throw new InvalidRequestException(nameof(GenerationRequest.Fps), $"{batch.Fps} must be at least 1");
        // The shift comes from the request or from the sampling defaults.
        if ((r.FlowShift ?? defaults.FlowShift) is double shift && !(shift > 0)) throw new InvalidRequestException(nameof(GenerationRequest.FlowShift), $"{shift} must be positive");

        batch.VsaSparsity = r.VsaSparsity ?? defaults.VsaSparsity;
        if (!(batch.VsaSparsity is >= 0 and < 1)) throw new InvalidRequestException(nameof(GenerationRequest.VsaSparsity), $"{batch.VsaSparsity} must be in [0, 1) (the share of key tiles skipped)");
        if (r.DmdSteps is { } dmdSteps) DmdSchedule.Validate(dmdSteps);

        batch.Seed = r.Seed ?? Random.Shared.NextInt64(0, int.MaxValue);
        if (r.Seed is null && r.Latents is null) batch.Notices.Add($"seed {batch.Seed} (set Seed to reproduce)");

        if (r.Latents is { } latents)
        {
            long[] expected = rules.Latents.Shape(batch.NumFrames, batch.Height, batch.Width);
            if (!latents.Shape.SequenceEqual(expected))
                throw new InvalidRequestException(nameof(GenerationRequest.Latents), $"tensor has shape {latents.ShapeText} but {batch.Height}x{batch.Width}, {batch.NumFrames} frames needs [{string.Join(", ", expected)}]");
        }

        if (rules.TakesImage)
        {
            if (string.IsNullOrWhiteSpace(r.Image)) throw new InvalidRequestException(nameof(GenerationRequest.Image), "this is an image-to-video model: it needs the conditioning image (a file)");
            if (!File.Exists(r.Image)) throw new InvalidRequestException(nameof(GenerationRequest.Image), $"{r.Image} does not exist");
            // Decoded once for the stages that use it; an unreadable image fails here, before any model runs.
            batch.Image = ImageLoader.Load(r.Image);
        }
        else if (r.Image is not null)
            throw new InvalidRequestException(nameof(GenerationRequest.Image), "this is a text-to-video model; it takes no image (use an image-to-video model)");
    }
}
