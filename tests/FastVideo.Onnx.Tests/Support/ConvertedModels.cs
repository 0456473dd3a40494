using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>The tiny pipelines converted once per test run (fp32), shared by the runtime tests.</summary>
public static class ConvertedModels
{
    static readonly string Root = Path.Combine(Path.GetTempPath(), $"fvo-converted-{Environment.ProcessId}");
    static readonly Lazy<string> T2V = new(() => Convert(Repo.TinyT2V, "wan-t2v-tiny"));
    static readonly Lazy<string> I2V = new(() => Convert(Repo.TinyI2V, "wan-i2v-tiny"));
    static readonly Lazy<string> Dmd = new(() => Convert(FastWanFixture.Model, "fastwan-tiny"));
    static readonly Lazy<string> LtxTiny = new(() => Convert(LtxFixture.Model, "ltx-tiny"));
    static readonly Lazy<string> T2VSequenceParallel = new(() => Convert(Repo.TinyT2V, "wan-t2v-tiny-sp2", sequenceParallel: 2));

    public static string TextToVideo => T2V.Value;
    public static string ImageToVideo => I2V.Value;
    public static string FastWan => Dmd.Value;
    public static string Ltx => LtxTiny.Value;

    /// <summary>The tiny text-to-video pipeline with its transformer's per-rank graph for 2 sequence-parallel ranks.</summary>
    public static string TextToVideoSequenceParallel => T2VSequenceParallel.Value;

    public static string Convert(string source, string name, int sequenceParallel = 1)
    {
        Directory.CreateDirectory(Root);
        string output = Path.Combine(Root, name);
        new ModelConverter().Convert(new ConversionRequest(source, output) { Force = true, SequenceParallel = sequenceParallel });
        return output;
    }

    /// <summary>Removes the converted models; <see cref="TestRunCleanup"/> calls it once after the last test.</summary>
    internal static void Delete()
    {
        try
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, true);
        }
        catch (IOException)
        {
        }
    }
}
