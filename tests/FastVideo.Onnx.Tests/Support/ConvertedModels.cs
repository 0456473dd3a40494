using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>The tiny pipelines converted once per test run (fp32), shared by the runtime tests.</summary>
public static class ConvertedModels
{
    static readonly string Root = Path.Combine(Path.GetTempPath(), $"fvo-converted-{Environment.ProcessId}");
    static readonly Lazy<string> T2V = new(() => Convert(Repo.TinyT2V, "wan-t2v-tiny"));
    static readonly Lazy<string> I2V = new(() => Convert(Repo.TinyI2V, "wan-i2v-tiny"));

    public static string TextToVideo => T2V.Value;
    public static string ImageToVideo => I2V.Value;

    static string Convert(string source, string name)
    {
        Directory.CreateDirectory(Root);
        string output = Path.Combine(Root, name);
        new ModelConverter().Convert(new ConversionRequest(source, output) { Force = true });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(Root, true);
            }
            catch (IOException)
            {
            }
        };
        return output;
    }
}

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
}
