using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Cli.Commands;

/// <summary>
/// The tiny Wan text-to-video model shipped with the tool (random weights): lets the pipeline run end to end on a machine
/// with no downloaded weights. Converted once into the user's cache folder (FASTVIDEO_ONNX_CACHE overrides it).
/// </summary>
public static class EmbeddedModel
{
    public const string Name = "wan-t2v-tiny";

    public static string SourceFolder => Path.Combine(AppContext.BaseDirectory, "models", Name);

    public static string CacheFolder =>
        Environment.GetEnvironmentVariable("FASTVIDEO_ONNX_CACHE") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "fastvideo-onnx");

    /// <summary>The converted folder, converting it first when the cache lacks it (or holds one from another tool version).</summary>
    public static string Converted(Action<string> notice, CancellationToken cancel)
    {
        string target = Path.Combine(CacheFolder, $"{Name}-onnx-{ConvertedModel.ToolVersion}");
        if (ConvertedModel.IsConverted(target)) return target;
        Directory.CreateDirectory(CacheFolder);
        notice($"no --model given: converting the built-in tiny model (random weights) into {target}");
        new ModelConverter().Convert(new ConversionRequest(SourceFolder, target) { Force = true }, null, cancel);
        return target;
    }
}
