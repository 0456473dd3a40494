using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>Settings of the fixtures (tests/fixtures/wan-tiny/reference.json).</summary>
public static class FixtureSettings
{
    static readonly Lazy<System.Text.Json.JsonElement> Json = new(() =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Fixtures, "reference.json"))).RootElement);

    public static string Prompt => Json.Value.GetProperty("prompt").GetString()!;
    public static string NegativePrompt => Json.Value.GetProperty("negative_prompt").GetString()!;
    public static int Height => Json.Value.GetProperty("height").GetInt32();
    public static int Width => Json.Value.GetProperty("width").GetInt32();
    public static int NumFrames => Json.Value.GetProperty("num_frames").GetInt32();
    public static int Steps => Json.Value.GetProperty("num_inference_steps").GetInt32();
    public static double GuidanceScale => Json.Value.GetProperty("guidance_scale").GetDouble();
    public static int MaxSequenceLength => Json.Value.GetProperty("max_sequence_length").GetInt32();
    public static long Seed => Json.Value.GetProperty("noise_seed").GetInt64();

    /// <summary>The request the reference pipelines ran, starting from the reference's initial latents.</summary>
    public static GenerationRequest Request(string? image = null) => new()
    {
        Prompt = Prompt,
        NegativePrompt = NegativePrompt,
        Image = image,
        Height = Height,
        Width = Width,
        NumFrames = NumFrames,
        Steps = Steps,
        GuidanceScale = GuidanceScale,
        MaxSequenceLength = MaxSequenceLength,
        Latents = new HostTensor(Reference.Get("latents_init").Data, Reference.Get("latents_init").Shape),
    };
}
