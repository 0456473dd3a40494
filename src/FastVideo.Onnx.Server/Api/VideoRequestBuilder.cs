using System.Globalization;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Stages;
using FastVideo.Onnx.Server.Jobs;
using SkiaSharp;

namespace FastVideo.Onnx.Server.Api;

/// <summary>
/// Turns the fields of a create request into a job: the model, the resolved size and frame count (from fps x seconds
/// when num_frames is absent, then rounded to 4k+1 as the library does), a fixed seed, and the server's limits; then
/// the library's own input validation, with its errors named after the request fields.
/// </summary>
internal sealed class VideoRequestBuilder(IReadOnlyList<ServedModel> models, ServerOptions options)
{
    public sealed record Built(ServedModel Model, JobSpec Spec, byte[]? Image, string? ImageExtension);

    public Built Build(CreateVideoFields f)
    {
        string? modelName = f.String("model");
        var model = modelName is null or "" ? models[0] : models.FirstOrDefault(m => m.Name == modelName)
            ?? throw new ApiException(404, "invalid_request_error", $"model {ErrorEnvelope.Quote(modelName)} is not served here (models: {string.Join(", ", models.Select(m => m.Name))})", "model", "model_not_found");
        var d = model.Defaults;

        string prompt = f.String("prompt") ?? throw ApiException.Invalid("prompt", "prompt: required", "missing_required_parameter");
        if (prompt.Length > options.MaxPromptLength) throw ApiException.Invalid("prompt", $"prompt: {prompt.Length} characters is more than {options.MaxPromptLength}", "string_above_max_length");
        string? negative = f.String("negative_prompt");
        if (negative is not null && negative.Length > options.MaxPromptLength)
            throw ApiException.Invalid("negative_prompt", $"negative_prompt: {negative.Length} characters is more than {options.MaxPromptLength}", "string_above_max_length");

        int width = d.Width, height = d.Height;
        if (f.String("size") is string size)
        {
            var parts = size.Split('x', 'X');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out width) ||
                !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out height) || width is < 1 or > 8192 || height is < 1 or > 8192)
                throw ApiException.Invalid("size", $"size: {ErrorEnvelope.Quote(size)} is not WIDTHxHEIGHT (for example {d.Width}x{d.Height})");
        }

        int fps = f.Int("fps", 1, 240) ?? d.Fps;
        string? secondsText = f.StringOrNumber("seconds");
        double? seconds = null;
        if (secondsText is not null)
        {
            if (!double.TryParse(secondsText, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) || !double.IsFinite(s) || s <= 0 || s > 3600)
                throw ApiException.Invalid("seconds", $"seconds: {ErrorEnvelope.Quote(secondsText)} is not a duration in (0, 3600]");
            seconds = s;
        }
        int frames = f.Int("num_frames", 1, 100_000) ?? (seconds is double sec ? Math.Max(1, (int)Math.Min(100_000, Math.Round(sec * fps))) : d.NumFrames);
        int temporal = model.Rules.Latents.TemporalCompression;
        if (frames % temporal != 1) frames = model.Rules.Latents.RoundFrames(frames); // the VAE makes tk+1 frames; rounded as Diffusers rounds
        if ((long)frames * width * height > options.MaxVideoPixels)
            throw ApiException.Invalid(f.Has("num_frames") ? "num_frames" : "size",
                $"{frames} frames of {width}x{height} is {(long)frames * width * height} pixels, more than this server's limit of {options.MaxVideoPixels}", "video_too_large");

        long seed = f.Long("seed", 0, long.MaxValue) ?? Random.Shared.NextInt64(0, int.MaxValue);
        int? steps = f.Int("num_inference_steps", 1, 1000);
        double? guidance = f.Double("guidance_scale", 0, 100);
        double? guidance2 = f.Double("guidance_scale_2", 0, 100);
        if (guidance2 is not null && !model.Rules.TakesSecondGuidanceScale)
            throw ApiException.Invalid("guidance_scale_2", $"guidance_scale_2: {model.Name} ({model.Pipeline}) has one transformer and takes no second guidance scale", "unsupported_parameter");
        double? sparsity = f.Double("vsa_sparsity", 0, 1);
        double? FamilyOption(string field, string property, double min, double max)
        {
            double? value = f.Double(field, min, max);
            if (value is not null && !model.Rules.FamilyOptions.Contains(property))
                throw ApiException.Invalid(field, $"{field}: {model.Name} ({model.Pipeline}) does not take it", "unsupported_parameter");
            return value;
        }

        string? extension = null;
        if (f.Image is { } image) extension = CheckImage(image);

        var spec = new JobSpec
        {
            Prompt = prompt,
            NegativePrompt = negative,
            Width = width,
            Height = height,
            NumFrames = frames,
            Fps = fps,
            Seed = seed,
            Steps = steps,
            GuidanceScale = guidance,
            VsaSparsity = sparsity,
            GuidanceScale2 = guidance2,
            FrameRate = FamilyOption("frame_rate", nameof(GenerationRequest.FrameRate), 0.001, 1000),
            DecodeTimestep = FamilyOption("decode_timestep", nameof(GenerationRequest.DecodeTimestep), 0, 1000),
            DecodeNoiseScale = FamilyOption("decode_noise_scale", nameof(GenerationRequest.DecodeNoiseScale), 0, 1),
            GuidanceRescale = FamilyOption("guidance_rescale", nameof(GenerationRequest.GuidanceRescale), 0, 1),
            Seconds = secondsText ?? (frames / (double)fps).ToString("0.##", CultureInfo.InvariantCulture),
        };
        Validate(spec, model, f.Image is not null);
        return new Built(model, spec, f.Image, extension);
    }

    string CheckImage(byte[] image)
    {
        using var data = SKData.CreateCopy(image);
        using var codec = SKCodec.Create(data);
        if (codec is null) throw ApiException.Invalid("input_reference", "input_reference: not an image this server reads (PNG, JPEG, WebP, BMP, GIF)", "invalid_image");
        long pixels = (long)codec.Info.Width * codec.Info.Height;
        if (pixels > options.MaxImagePixels)
            throw ApiException.Invalid("input_reference", $"input_reference: {codec.Info.Width}x{codec.Info.Height} is more than {options.MaxImagePixels} pixels", "image_too_large");
        return codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Png => ".png",
            SKEncodedImageFormat.Jpeg => ".jpg",
            SKEncodedImageFormat.Webp => ".webp",
            SKEncodedImageFormat.Bmp => ".bmp",
            SKEncodedImageFormat.Gif => ".gif",
            _ => throw ApiException.Invalid("input_reference", $"input_reference: {codec.EncodedFormat} images are not accepted (PNG, JPEG, WebP, BMP, GIF)", "invalid_image"),
        };
    }

    /// <summary>
    /// The library's own check of the request against the model (the input validation every pipeline runs first), before
    /// the job is queued. The upload is not stored yet, so whether an image is needed is checked here and the image
    /// itself when the job runs.
    /// </summary>
    static void Validate(JobSpec spec, ServedModel model, bool hasImage)
    {
        if (model.Rules.TakesImage && !hasImage)
            throw ApiException.Invalid("input_reference", $"input_reference: {model.Name} is an image-to-video model; it needs a conditioning image", "missing_required_parameter");
        if (!model.Rules.TakesImage && hasImage)
            throw ApiException.Invalid("input_reference", $"input_reference: {model.Name} is a text-to-video model; it takes no image", "unsupported_parameter");
        try
        {
            new InputValidationStage(model.Defaults, model.Rules with { TakesImage = false })
                .Run(new ForwardBatch(ToRequest(spec, null)), new StageContext(CancellationToken.None, null));
        }
        catch (InvalidRequestException e)
        {
            string param = Param(e.Field);
            string problem = e.Message.StartsWith(e.Field + ": ", StringComparison.Ordinal) ? e.Message[(e.Field.Length + 2)..] : e.Message;
            throw ApiException.Invalid(param, $"{param}: {problem}");
        }
    }

    /// <summary>The request property a library option name stands for.</summary>
    static string Param(string property) => property switch
    {
        nameof(GenerationRequest.Prompt) => "prompt",
        nameof(GenerationRequest.NegativePrompt) => "negative_prompt",
        nameof(GenerationRequest.Height) or nameof(GenerationRequest.Width) => "size",
        nameof(GenerationRequest.NumFrames) => "num_frames",
        nameof(GenerationRequest.Steps) => "num_inference_steps",
        nameof(GenerationRequest.GuidanceScale) => "guidance_scale",
        nameof(GenerationRequest.GuidanceScale2) => "guidance_scale_2",
        nameof(GenerationRequest.Fps) => "fps",
        nameof(GenerationRequest.VsaSparsity) => "vsa_sparsity",
        nameof(GenerationRequest.Image) => "input_reference",
        nameof(GenerationRequest.Seed) => "seed",
        _ => System.Text.RegularExpressions.Regex.Replace(property, "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant(),
    };

    /// <summary>The library request of a job (<paramref name="imagePath"/>: the stored upload, when it has one).</summary>
    public static GenerationRequest ToRequest(JobSpec spec, string? imagePath) => new()
    {
        Prompt = spec.Prompt,
        NegativePrompt = spec.NegativePrompt,
        Image = imagePath,
        Width = spec.Width,
        Height = spec.Height,
        NumFrames = spec.NumFrames,
        Fps = spec.Fps,
        Seed = spec.Seed,
        Steps = spec.Steps,
        GuidanceScale = spec.GuidanceScale,
        VsaSparsity = spec.VsaSparsity,
        GuidanceScale2 = spec.GuidanceScale2,
        FrameRate = spec.FrameRate,
        DecodeTimestep = spec.DecodeTimestep,
        DecodeNoiseScale = spec.DecodeNoiseScale,
        GuidanceRescale = spec.GuidanceRescale,
    };
}
