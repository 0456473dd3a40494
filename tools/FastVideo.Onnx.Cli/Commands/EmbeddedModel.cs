using System.Security.Cryptography;
using System.Text;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Conversion;

namespace FastVideo.Onnx.Cli.Commands;

/// <summary>
/// The tiny Wan text-to-video model shipped with the tool (random weights): lets the pipeline run end to end on a machine
/// with no downloaded weights. Converted once into the user's cache folder (FASTVIDEO_ONNX_CACHE overrides it), in a
/// folder named by the tool version and a hash of the shipped files, so a changed model or tool never reuses an old
/// conversion; the cached folder is checked on every use and converted again when incomplete or damaged.
/// </summary>
public static class EmbeddedModel
{
    public const string Name = "wan-t2v-tiny";

    public static string SourceFolder => Path.Combine(AppContext.BaseDirectory, "models", Name);

    public static string CacheFolder =>
        Environment.GetEnvironmentVariable("FASTVIDEO_ONNX_CACHE") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "fastvideo-onnx");

    /// <summary>The converted folder, converting it first when the cache lacks it or holds a damaged copy.</summary>
    public static string Converted(Action<string> notice, CancellationToken cancel) => Converted(SourceFolder, notice, cancel);

    public static string Converted(string source, Action<string> notice, CancellationToken cancel)
    {
        string target = CachedFolder(source);
        if (ConvertedModel.IsConverted(target))
        {
            string? problem = Problem(target);
            if (problem is null) return target;
            notice($"the cached built-in model in {target} is damaged ({problem}); converting it again");
        }
        else notice($"no --model given: converting the built-in tiny model (random weights) into {target}");
        Directory.CreateDirectory(CacheFolder);
        new ModelConverter().Convert(new ConversionRequest(source, target) { Force = true }, null, cancel);
        return target;
    }

    /// <summary>The cache folder for <paramref name="source"/>: tool version and content hash in the name.</summary>
    public static string CachedFolder(string source) =>
        Path.Combine(CacheFolder, $"{Name}-onnx-{ConvertedModel.ToolVersion}-{ContentHash(source)}");

    /// <summary>SHA-256 (first 16 hex digits) of the relative path and content of every file under <paramref name="folder"/>.</summary>
    public static string ContentHash(string folder)
    {
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "the built-in model is missing from the tool's installation");
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
                     .OrderBy(f => f, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(file + "\n"));
            sha.AppendData(File.ReadAllBytes(Path.Combine(folder, file)));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    /// <summary>What is wrong with a converted folder (a missing manifest or file, a size that differs from the manifest's), or null.</summary>
    public static string? Problem(string folder)
    {
        try
        {
            var model = ConvertedModel.Load(folder);
            foreach (var (name, component) in model.Components)
            {
                if (component.Kind != ConvertedComponent.Exported) continue;
                string componentFolder = Path.Combine(folder, name);
                var manifest = ComponentManifest.Load(componentFolder);
                foreach (var graph in manifest.Graphs)
                {
                    if (SizeProblem(Path.Combine(componentFolder, graph.File), graph.Bytes) is { } p) return p;
                    if (graph.DataFile is not null && SizeProblem(Path.Combine(componentFolder, graph.DataFile), manifest.DataBytes) is { } d) return d;
                }
            }
            return null;
        }
        catch (FastVideoException e)
        {
            return e.Message;
        }
    }

    static string? SizeProblem(string path, long expected)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return $"{path} is missing";
        return info.Length == expected ? null : $"{path} has {info.Length} bytes, the manifest says {expected}";
    }
}
