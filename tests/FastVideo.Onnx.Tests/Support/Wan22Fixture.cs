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
public static class Wan22Fixture
{
    public static string Folder => Path.Combine(Repo.Root, "tests", "fixtures", "wan22-tiny");
    public static string Ti2v => Path.Combine(Folder, "wan22-ti2v-tiny");
    public static string A14bT2v => Path.Combine(Folder, "wan22-a14b-t2v-tiny");
    public static string A14bI2v => Path.Combine(Folder, "wan22-a14b-i2v-tiny");
    public static string Image => Path.Combine(Folder, "input_fit.png");

    static readonly Lazy<Dictionary<string, RefTensor>> All = new(() =>
    {
        using var file = SafetensorsFile.Open(Path.Combine(Folder, "reference.safetensors"));
        return file.Tensors.ToDictionary(t => t.Key, t => new RefTensor(file.ReadSingle(t.Value), t.Value.Shape));
    });

    static readonly Lazy<JsonElement> Settings = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json"))).RootElement);

    public static RefTensor Get(string name) => All.Value[name];

    public static JsonElement Setting(string name) => Settings.Value.GetProperty(name);

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
