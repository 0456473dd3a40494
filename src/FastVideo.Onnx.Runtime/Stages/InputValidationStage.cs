using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Schedulers;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// Resolves the request against the model's sampling defaults and checks it before any model runs, with errors that
/// name the option at fault. Frame counts that the VAE cannot produce are rounded as Diffusers rounds them, with a
/// notice. <paramref name="sizeMultiple"/> is what height and width must divide by (the VAE's compression times the
/// transformer's patch); <paramref name="experts"/> is how many transformers the model switches between (only a model
/// with two takes a second guidance scale).
/// </summary>
public sealed class InputValidationStage(SamplingDefaults defaults, bool imageToVideo, int latentChannels, int temporalScale = 4, int spatialScale = 8,
    int sizeMultiple = InputValidationStage.SizeMultiple, int experts = 1)
    : PipelineStage
{
    public const int SizeMultiple = 16;

    public override string Name => "input validation";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var r = batch.Request;
        batch.Prompt = r.Prompt?.Trim() ?? "";
        if (batch.Prompt.Length == 0) throw new InvalidRequestException("--prompt", "the prompt is empty");
        batch.NegativePrompt = r.NegativePrompt ?? defaults.NegativePrompt;

        batch.Height = r.Height ?? defaults.Height;
        batch.Width = r.Width ?? defaults.Width;
        string why = sizeMultiple == SizeMultiple ? "" : $" for this model (its VAE compresses {spatialScale}x and its transformer patches {sizeMultiple / spatialScale}x{sizeMultiple / spatialScale} latents)";
        if (batch.Height <= 0 || batch.Height % sizeMultiple != 0)
            throw new InvalidRequestException("--height", $"{batch.Height} must be a positive multiple of {sizeMultiple}{why}");
        if (batch.Width <= 0 || batch.Width % sizeMultiple != 0)
            throw new InvalidRequestException("--width", $"{batch.Width} must be a positive multiple of {sizeMultiple}{why}");

        int frames = r.NumFrames ?? defaults.NumFrames;
        if (frames < 1) throw new InvalidRequestException("--num-frames", $"{frames} must be at least 1");
        if (frames % temporalScale != 1)
        {
            int rounded = frames / temporalScale * temporalScale + 1;
            batch.Notices.Add($"--num-frames {frames}: the VAE makes {temporalScale}k+1 frames; using {rounded} (as Diffusers does)");
            frames = rounded;
        }
        batch.NumFrames = frames;

        batch.Steps = r.Steps ?? defaults.Steps;
        if (batch.Steps < 1) throw new InvalidRequestException("--steps", $"{batch.Steps} must be at least 1");
        batch.GuidanceScale = r.GuidanceScale ?? defaults.GuidanceScale;
        if (!(batch.GuidanceScale >= 0) || !double.IsFinite(batch.GuidanceScale))
            throw new InvalidRequestException("--guidance-scale", $"{batch.GuidanceScale} must be zero or positive (values above 1 enable classifier-free guidance)");
        if (r.GuidanceScale2 is not null && experts < 2)
            throw new InvalidRequestException("--guidance-scale-2", "this model has one transformer; a second guidance scale is for models with two experts (a transformer_2 switched to at boundary_ratio)");
        batch.GuidanceScale2 = r.GuidanceScale2 ?? (experts > 1 ? defaults.GuidanceScale2 : null) ?? batch.GuidanceScale;
        if (!(batch.GuidanceScale2 >= 0) || !double.IsFinite(batch.GuidanceScale2))
            throw new InvalidRequestException("--guidance-scale-2", $"{batch.GuidanceScale2} must be zero or positive");
        batch.MaxSequenceLength = r.MaxSequenceLength ?? defaults.MaxSequenceLength;
        if (batch.MaxSequenceLength is < 1 or > 4096)
            throw new InvalidRequestException("--max-sequence-length", $"{batch.MaxSequenceLength} must be between 1 and 4096");
        batch.Fps = r.Fps ?? defaults.Fps;
        if (batch.Fps < 1) throw new InvalidRequestException("--fps", $"{batch.Fps} must be at least 1");
        // The shift comes from the request or from the settings (--flow-shift on the command line sets the latter).
        if ((r.FlowShift ?? defaults.FlowShift) is double shift && !(shift > 0)) throw new InvalidRequestException("--flow-shift", $"{shift} must be positive");

        batch.VsaSparsity = r.VsaSparsity ?? defaults.VsaSparsity;
        if (!(batch.VsaSparsity is >= 0 and < 1)) throw new InvalidRequestException("--vsa-sparsity", $"{batch.VsaSparsity} must be in [0, 1) (the share of key tiles skipped)");
        if (r.DmdSteps is { } dmdSteps) DmdSchedule.Validate(dmdSteps);

        batch.Seed = r.Seed ?? Random.Shared.NextInt64(0, int.MaxValue);
        if (r.Seed is null && r.Latents is null) batch.Notices.Add($"seed {batch.Seed} (pass --seed to reproduce)");

        if (r.Latents is { } latents)
        {
            var (f, h, w) = batch.LatentGrid(temporalScale, spatialScale);
            long[] expected = { 1, latentChannels, f, h, w };
            if (!latents.Shape.SequenceEqual(expected))
                throw new InvalidRequestException("--latents", $"tensor has shape {latents.ShapeText} but {batch.Height}x{batch.Width}, {batch.NumFrames} frames needs [{string.Join(", ", expected)}]");
        }

        if (imageToVideo)
        {
            if (string.IsNullOrWhiteSpace(r.Image)) throw new InvalidRequestException("--image", "this is an image-to-video model: pass the conditioning image with --image FILE");
            if (!File.Exists(r.Image)) throw new InvalidRequestException("--image", $"{r.Image} does not exist");
            ImageLoader.Load(r.Image); // unreadable images fail here, before any model runs
        }
        else if (r.Image is not null)
            throw new InvalidRequestException("--image", "this is a text-to-video model; it takes no image (use an image-to-video model)");
    }
}
