using System.Text.Json;
using FastVideo.Onnx.Runtime.Pipelines;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>tests/fixtures/fastwan-tiny: the tiny FastWan pipeline (WanDMDPipeline with VSA gates) and its references.</summary>
public static class FastWanFixture
{
    public static string Folder => Path.Combine(Repo.Root, "tests", "fixtures", "fastwan-tiny");

    /// <summary>The Diffusers-layout pipeline folder.</summary>
    public static string Model => Path.Combine(Folder, "fastwan-tiny");

    public static string Transformer => Path.Combine(Model, "transformer");

    static readonly Lazy<Dictionary<string, RefTensor>> All = new(() => RefTensor.ReadAll(Folder));

    static readonly Lazy<JsonElement> Settings = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json"))).RootElement);

    public static RefTensor Get(string name) => All.Value[name];

    public static JsonElement Setting(string name) => Settings.Value.GetProperty(name);

    public static long Seed => Setting("noise_seed").GetInt64();
    public static double Sparsity => Setting("vsa_sparsity").GetDouble();

    /// <summary>The request the reference DMD run made (seeded noise, the pipeline's sparsity).</summary>
    public static GenerationRequest Request() => new()
    {
        Prompt = Setting("prompt").GetString()!,
        Height = Setting("height").GetInt32(),
        Width = Setting("width").GetInt32(),
        NumFrames = Setting("num_frames").GetInt32(),
        MaxSequenceLength = Setting("max_sequence_length").GetInt32(),
        DmdSteps = Setting("dmd_denoising_steps").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
        Seed = Seed,
        VsaSparsity = Sparsity,
    };
}
