using System.Diagnostics;
using FastVideo.Onnx.Cli.Console;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// The model a benchmark runs: the configuration folder converted with random weights (no downloads) into the work
/// folder, once per set of components and precisions. Only the components the requested parts use are converted (a
/// T5/UMT5-XXL encoder alone is 9-11 GB); a folder converted with every component serves any part.
/// </summary>
internal static class RandomWeightModel
{
    /// <summary>The components a part runs (the whole run: every component of model_index.json).</summary>
    public static IEnumerable<string> ComponentsOf(string part, IReadOnlyList<string> all) => part switch
    {
        BenchmarkOptions.Transformer => new[] { "transformer" },
        BenchmarkOptions.Vae => new[] { "vae" },
        BenchmarkOptions.Text => new[] { "text_encoder", "tokenizer" },
        _ => all,
    };

    public static string Prepare(BenchmarkOptions options, TextWriter log)
    {
        var all = ModelIndex.Load(options.ConfigFolder).Components.Select(c => c.Name).ToList();
        var components = new HashSet<string>(options.Parts.Where(p => p != "none").SelectMany(p => ComponentsOf(p, all)));
        if (components.Count == 0) components.UnionWith(all);
        string precisions = $"t-{options.TransformerPrecision.ShortName()}-v-{options.VaePrecision.ShortName()}-x-{options.TextPrecision.ShortName()}";
        string Folder(IEnumerable<string> names) =>
            Path.Combine(options.WorkFolder, $"onnx-{precisions}-" + string.Join("+", names.OrderBy(c => c, StringComparer.Ordinal)));
        string converted = Folder(components);
        foreach (var candidate in new[] { converted, Folder(all) })
            if (ConvertedModel.IsConverted(candidate))
            {
                log.WriteLine($"using the converted model in {candidate}");
                return candidate;
            }
        string source = Path.Combine(options.WorkFolder, "source");
        if (Directory.Exists(source)) Directory.Delete(source, true);
        foreach (var file in Directory.GetFiles(options.ConfigFolder, "*.json", SearchOption.AllDirectories))
        {
            string target = Path.Combine(source, Path.GetRelativePath(options.ConfigFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        // Token ids only need to be valid: the tiny model's SentencePiece tokenizer (ids below 1200) stands in for
        // UMT5's and T5's (no download).
        string tokenizer = Path.Combine(Commands.EmbeddedModel.SourceFolder, "tokenizer");
        Directory.CreateDirectory(Path.Combine(source, "tokenizer"));
        foreach (var file in Directory.GetFiles(tokenizer)) File.Copy(file, Path.Combine(source, "tokenizer", Path.GetFileName(file)), overwrite: true);

        var clock = Stopwatch.StartNew();
        var bar = ProgressBar.ForStderr(log);
        var precision = new Dictionary<string, DType> { ["vae"] = options.VaePrecision, ["text_encoder"] = options.TextPrecision };
        foreach (var c in components.Where(c => c.StartsWith("transformer", StringComparison.Ordinal))) precision[c] = options.TransformerPrecision;
        new ModelConverter().Convert(new ConversionRequest(source, converted)
        {
            Force = true,
            Components = components,
            ComponentPrecision = precision,
            SyntheticWeights = parameters => new RandomWeights(parameters, DType.BFloat16),
        }, new Core.Progress.CallbackProgress<ConversionProgress>(p => bar.Update((double)p.Bytes / Math.Max(1, p.Total), p.Component,
            $"{ProgressBar.Bytes(p.Bytes)} / {ProgressBar.Bytes(p.Total)}")));
        bar.Done();
        log.WriteLine($"converted random-weight model in {clock.Elapsed.TotalSeconds:F0} s -> {converted}");
        return converted;
    }
}
