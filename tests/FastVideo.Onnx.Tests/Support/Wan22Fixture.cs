using System.Text.Json;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>
/// tests/fixtures/wan22-tiny: the tiny Wan2.2 pipelines (TI2V-5B shapes with the 16x VAE, A14B text- and image-to-video
/// with two experts) and the references Diffusers computed from them.
/// </summary>
internal static class Wan22Fixture
{
    public static string Folder => Path.Combine(Repo.Root, "tests", "fixtures", "wan22-tiny");
    public static string Ti2v => Path.Combine(Folder, "wan22-ti2v-tiny");
    public static string A14bT2v => Path.Combine(Folder, "wan22-a14b-t2v-tiny");
    public static string A14bI2v => Path.Combine(Folder, "wan22-a14b-i2v-tiny");
    public static string Image => Path.Combine(Folder, "input_fit.png");

    static readonly Lazy<Dictionary<string, RefTensor>> All = new(() => RefTensor.ReadAll(Folder));

    static readonly Lazy<JsonElement> Settings = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json"))).RootElement);

    public static RefTensor Get(string name) => All.Value[name];

    public static JsonElement Setting(string name) => Settings.Value.GetProperty(name);

    /// <summary>
    /// How far <see cref="Ti2vT2vVideo"/> may be from the video Diffusers' TI2V pipeline returned (gen_next.py measured
    /// 8.05e-7 and refuses more than this): a test against the derived video subtracts it from its tolerance, so that it is
    /// at least as strict as a comparison with the pipeline's own output.
    /// </summary>
    public const double Ti2vT2vVideoDerivationError = 1e-6;

    static readonly Lazy<RefTensor> DerivedVideo = new(() => PostProcess(Get("vae22_decode_out")));

    /// <summary>
    /// The TI2V text-to-video pipeline's video [1, F, H, W, 3] in [0, 1], which the fixture does not store: the
    /// post-processed <c>vae22_decode_out</c> (the decode of the pipeline's final latents), as Diffusers' video processor
    /// makes it. Within <see cref="Ti2vT2vVideoDerivationError"/> of the pipeline's own video: the pipeline de-normalises its
    /// latents as z / (1 / std) + mean, <c>vae22_decode_in</c> is z * std + mean.
    /// </summary>
    public static RefTensor Ti2vT2vVideo() => DerivedVideo.Value;

    /// <summary>[1, 3, F, H, W] in [-1, 1] -> (x * 0.5 + 0.5) clamped to [0, 1], as [1, F, H, W, 3].</summary>
    internal static RefTensor PostProcess(RefTensor decoded)
    {
        long[] s = decoded.Shape;
        if (s.Length != 5 || s[0] != 1 || s[1] != 3) throw new ArgumentException($"expected a decoded video [1, 3, F, H, W], got [{string.Join(", ", s)}]");
        int frames = (int)s[2], height = (int)s[3], width = (int)s[4], plane = frames * height * width;
        var video = new float[decoded.Data.Length];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
                video[i * 3 + c] = Math.Clamp(decoded.Data[c * plane + i] * 0.5f + 0.5f, 0f, 1f);
        return new RefTensor(video, new long[] { 1, frames, height, width, 3 });
    }

    /// <summary>The Wan2.2 VAE (z 48, residual, patch 2) of the TI2V folder.</summary>
    public static string Vae22 => Path.Combine(Ti2v, "vae");

    public static WanVaeModel Vae22Model() => new(WanVaeConfig.FromJson(JsonConfig.Load(Path.Combine(Vae22, "config.json"))));

    public static (WanVaeModel Model, WeightArchive Weights) LoadVae22()
    {
        var model = Vae22Model();
        var archive = WeightArchive.Open(Vae22);
        model.CheckWeights(archive);
        return (model, archive);
    }

    static readonly Lazy<string> ConvertedTi2v = new(() => ConvertedModels.Convert(Ti2v, "wan22-ti2v-tiny"));
    static readonly Lazy<string> ConvertedA14bT2v = new(() => ConvertedModels.Convert(A14bT2v, "wan22-a14b-t2v-tiny"));
    static readonly Lazy<string> ConvertedA14bI2v = new(() => ConvertedModels.Convert(A14bI2v, "wan22-a14b-i2v-tiny"));

    /// <summary>The three pipelines converted once per test run (fp32).</summary>
    public static string Ti2vConverted => ConvertedTi2v.Value;
    public static string A14bT2vConverted => ConvertedA14bT2v.Value;
    public static string A14bI2vConverted => ConvertedA14bI2v.Value;

    /// <summary>
    /// The request the reference runs made: the fixture's prompt, size and initial latents, <paramref name="steps"/>
    /// steps at <paramref name="guidance"/> (and <paramref name="guidance2"/> for the second expert).
    /// </summary>
    public static GenerationRequest Request(string latents, int steps, double guidance, double? guidance2 = null, string? image = null) => new()
    {
        Prompt = Setting("prompt").GetString()!,
        NegativePrompt = Setting("negative_prompt").GetString()!,
        Image = image,
        Height = Setting("height").GetInt32(),
        Width = Setting("width").GetInt32(),
        NumFrames = Setting("num_frames").GetInt32(),
        Steps = steps,
        GuidanceScale = guidance,
        GuidanceScale2 = guidance2,
        MaxSequenceLength = Setting("max_sequence_length").GetInt32(),
        Latents = new HostTensor(Get(latents).Data, Get(latents).Shape),
    };

    /// <summary>Converts one component of <paramref name="modelFolder"/> with its registered exporter into <paramref name="outputFolder"/>.</summary>
    public static ComponentManifest Convert(string modelFolder, string component, IComponentExporter exporter, DType precision, string outputFolder)
    {
        var index = ModelIndex.Load(modelFolder);
        var source = new ComponentSource(index.Get(component), index.ComponentFolder(component), index, precision);
        using var prepared = exporter.Prepare(source);
        Directory.CreateDirectory(outputFolder);
        return prepared.Write(outputFolder, new Progress<long>(), CancellationToken.None);
    }
}
