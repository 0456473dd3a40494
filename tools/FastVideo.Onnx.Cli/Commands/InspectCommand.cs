using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FastVideo.Onnx.Cli.Console;
using FastVideo.Onnx.Cli.Inspection;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;

namespace FastVideo.Onnx.Cli.Commands;

/// <summary><c>fastvideo-onnx inspect DIR [--json]</c>: describes a Diffusers or a converted model folder without loading weights or graphs.</summary>
public static class InspectCommand
{
    public const string Usage = """
        usage: fastvideo-onnx inspect DIR [--json]

        Describes a model folder, reading configs, manifests and safetensors headers only (never the weights):
          a Diffusers folder   pipeline, components with their classes and config highlights, weight files with
                               tensor counts, sizes and dtypes, and what convert would do with each component
          a converted folder   pipeline, components with precision and size, each graph's inputs and outputs,
                               and the preset (sampling defaults) that generate would use

          --json   the same as JSON
        """;

    public static readonly string[] ValueOptions = Array.Empty<string>();
    public static readonly string[] FlagOptions = { "help", "json" };

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static int Run(CommandArgs args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        string folder = args.Positional(0, "DIR (the model folder to describe)");
        args.NoMorePositionals(1);
        object report = Kind(folder) switch
        {
            "converted" => ConvertedFolderReport.Build(folder),
            _ => DiffusersFolderReport.Build(folder),
        };
        if (args.Flag("json"))
        {
            stdout.WriteLine(JsonSerializer.Serialize(report, report.GetType(), Json));
            return 0;
        }
        if (report is ConvertedFolderReport converted) Write(stdout, converted);
        else Write(stdout, (DiffusersFolderReport)report);
        return 0;
    }

    /// <summary>"converted" or "diffusers"; anything else is a one-line error naming the folder.</summary>
    static string Kind(string folder)
    {
        if (File.Exists(folder)) throw new ModelFormatException(folder, "is a file; inspect takes a model folder");
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "model folder not found");
        if (ConvertedModel.IsConverted(folder)) return "converted";
        if (File.Exists(Path.Combine(folder, ModelIndex.FileName))) return "diffusers";
        throw new ModelFormatException(folder,
            $"not a model folder: neither converted ({ConvertedModel.FileName}) nor Diffusers ({ModelIndex.FileName})");
    }

    static void Write(TextWriter o, DiffusersFolderReport r)
    {
        o.WriteLine($"{r.Folder}: Diffusers model folder");
        o.WriteLine($"  pipeline    {r.Pipeline}" + (r.DiffusersVersion is null ? "" : $" (diffusers {r.DiffusersVersion})")
                    + (r.RuntimeHasPipeline ? "" : "; the runtime has no pipeline for this class"));
        if (r.PipelineConfig.Count > 0) o.WriteLine($"              {ConfigHighlights.Format(r.PipelineConfig)}");
        o.WriteLine($"  preset      {r.Preset ?? "none matches (generate uses Diffusers' defaults)"}");
        o.WriteLine($"  weights     {r.Tensors} tensors, {ProgressBar.Bytes(r.WeightBytes)}" + (r.Dtypes.Count == 0 ? "" : $", {string.Join(" ", r.Dtypes)}"));
        o.WriteLine("  components");
        foreach (var c in r.Components)
        {
            string convert = c.Conversion switch
            {
                "onnx" => $"convert: to ONNX ({c.Exporter})",
                "copied" => "convert: copied",
                "missing" => "convert: folder missing",
                _ => "convert: unsupported",
            };
            o.WriteLine($"    {c.Name,-16} {c.ClassName} ({c.Library})  {convert}");
            if (c.Config.Count > 0) o.WriteLine($"        {c.ConfigFile}: {ConfigHighlights.Format(c.Config)}");
            foreach (var f in c.WeightFiles)
                o.WriteLine($"        {f.File}: {f.Tensors} tensors, {ProgressBar.Bytes(f.Bytes)}, {string.Join(" ", f.Dtypes)}");
            if (c.Problem is not null) o.WriteLine($"        problem: {c.Problem}");
        }
        foreach (var notice in r.Notices) o.WriteLine($"  notice      {notice}");
        o.WriteLine(r.ConvertProblem is null
            ? $"  convertible yes: fastvideo-onnx convert {r.Folder} --output {r.Folder.TrimEnd('/', '\\')}-onnx"
            : $"  convertible no: {r.ConvertProblem}");
    }

    static void Write(TextWriter o, ConvertedFolderReport r)
    {
        o.WriteLine($"{r.Folder}: converted model folder ({r.Format}, tool {r.ToolVersion}" + (r.CreatedUtc is null ? ")" : $", created {r.CreatedUtc})"));
        o.WriteLine($"  pipeline    {r.Pipeline}" + (r.RuntimeHasPipeline ? "" : "; the runtime has no pipeline for this class"));
        if (r.PipelineConfig.Count > 0) o.WriteLine($"              {ConfigHighlights.Format(r.PipelineConfig)}");
        o.WriteLine($"  size        {ProgressBar.Bytes(r.Bytes)}");
        o.WriteLine("  components");
        foreach (var c in r.Components)
        {
            string what = c.Kind == ConvertedComponent.Exported ? $"onnx {c.Precision}" + (c.Opset is int opset ? $", opset {opset}" : "") : c.Kind;
            o.WriteLine($"    {c.Name,-16} {c.ClassName,-28} {what,-18} {ProgressBar.Bytes(c.Bytes),11}");
            foreach (var g in c.Graphs)
            {
                o.WriteLine($"        {g.File}" + (g.DataFile is null ? "" : $" (+ {g.DataFile})") + $", {ProgressBar.Bytes(g.Bytes)}");
                foreach (var line in Signatures(g.Inputs)) o.WriteLine($"          in   {line}");
                foreach (var line in Signatures(g.Outputs)) o.WriteLine($"          out  {line}");
            }
            foreach (var note in c.Notes) o.WriteLine($"        note: {note}");
            if (c.Problem is not null) o.WriteLine($"        problem: {c.Problem}");
        }
        if (r.Preset is { } p)
        {
            o.WriteLine($"  preset      {(p.Name is null ? "none matches: Diffusers' defaults" : $"{p.Name} ({p.ModelId})")}");
            var s = p.Sampling;
            string secondGuidance = s.GuidanceScale2 is double g2 ? string.Create(CultureInfo.InvariantCulture, $" / {g2} (second expert)") : "";
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  sampling    {s.Width}x{s.Height}, {s.NumFrames} frames at {s.Fps} fps, {s.Steps} steps, guidance {s.GuidanceScale}{secondGuidance}, " +
                $"flow shift {(s.FlowShift is double shift ? shift.ToString(CultureInfo.InvariantCulture) : "from the scheduler config")}, " +
                $"max sequence length {s.MaxSequenceLength}"));
            if (s.NegativePrompt.Length > 0) o.WriteLine($"  negative    \"{Shorten(s.NegativePrompt, 100)}\"");
        }
        else o.WriteLine($"  preset      unknown: {r.PresetProblem}");
    }

    static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 3)] + "...";

    static readonly Regex Numbered = new(@"^(.*?)(\d+)$", RegexOptions.CultureInvariant);

    /// <summary>One line per tensor, with runs of numbered tensors of one type (the VAE's cache_0 ... cache_23) on one line.</summary>
    static IEnumerable<string> Signatures(IReadOnlyList<TensorSignature> list)
    {
        for (int i = 0; i < list.Count;)
        {
            int j = i + 1;
            var first = Numbered.Match(list[i].Name);
            if (first.Success)
            {
                long n = long.Parse(first.Groups[2].Value, CultureInfo.InvariantCulture);
                while (j < list.Count && Numbered.Match(list[j].Name) is { Success: true } m && m.Groups[1].Value == first.Groups[1].Value
                       && long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) == n + (j - i) && list[j].DType == list[i].DType)
                    j++;
            }
            if (j - i >= 3) yield return $"{list[i].Name} .. {list[j - 1].Name}  {list[i].DType} ({j - i} tensors)";
            else
                for (int k = i; k < j; k++)
                    yield return $"{list[k].Name}  {list[k].DType} [{string.Join(", ", list[k].Shape.Select(Dim))}]";
            i = j;
        }
    }

    static string Dim(JsonElement d) => d.ValueKind == JsonValueKind.String ? d.GetString()! : d.GetRawText();
}
