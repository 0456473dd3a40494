using System.Diagnostics;
using System.Reflection;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Registries;
using FastVideo.Onnx.Core.Progress;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// Converts a Diffusers model folder: every component is checked first (configs, weights, consistency), then each is
/// written into a temporary folder beside the output, which is renamed into place only when everything succeeded.
/// An error or a cancellation leaves no output behind.
/// </summary>
public sealed class ModelConverter
{
    readonly EntryRegistry<ComponentExporterAttribute, IComponentExporter> _exporters;

    public ModelConverter(params Assembly[] extraAssemblies)
    {
        _exporters = new EntryRegistry<ComponentExporterAttribute, IComponentExporter>(
            "component class", extraAssemblies.Prepend(typeof(ModelConverter).Assembly).ToArray());
    }

    public IReadOnlyCollection<string> SupportedClasses => _exporters.Names;

    /// <summary>The exporter type registered for a component class, or null when convert cannot handle that class.</summary>
    public Type? ExporterFor(string className) => _exporters.Contains(className) ? _exporters.Resolve(className, className) : null;

    public ConversionResult Convert(ConversionRequest request, IProgress<ConversionProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var index = ModelIndex.Load(request.Source);
        string output = Path.GetFullPath(request.Output);
        string source = Path.GetFullPath(request.Source);
        CheckOutput(source, output, request.Force);

        var entries = SelectComponents(index, request.Components);
        string indexPath = Path.Combine(index.Folder, ModelIndex.FileName);
        var prepared = new List<(ComponentEntry Entry, PreparedComponent Component)>();
        string temp = Path.Combine(Path.GetDirectoryName(output)!, $".{Path.GetFileName(output)}.partial-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            foreach (var entry in entries)
            {
                cancel.ThrowIfCancellationRequested();
                var exporter = _exporters.Create(entry.ClassName, $"{indexPath}: component '{entry.Name}'");
                var componentSource = new ComponentSource(entry, Path.Combine(index.Folder, entry.Name), index, request.PrecisionOf(entry.Name))
                {
                    SyntheticWeights = request.SyntheticWeights,
                };
                if (!Directory.Exists(componentSource.Folder))
                    throw new ModelFormatException(componentSource.Folder, $"component folder missing (model_index.json lists '{entry.Name}')");
                prepared.Add((entry, exporter.Prepare(componentSource)));
            }

            Directory.CreateDirectory(temp);
            long total = prepared.Sum(p => p.Component.EstimatedBytes), before = 0;
            var results = new List<ComponentResult>();
            var converted = new Dictionary<string, ConvertedComponent>();
            for (int i = 0; i < prepared.Count; i++)
            {
                var (entry, component) = prepared[i];
                var componentClock = Stopwatch.StartNew();
                string folder = Path.Combine(temp, entry.Name);
                Directory.CreateDirectory(folder);
                long estimate = component.EstimatedBytes, start = before;
                int position = i;
                var bytes = new CallbackProgress<long>(done => progress?.Report(
                    new ConversionProgress(entry.Name, position, prepared.Count, done, Math.Max(estimate, done), start + done, Math.Max(total, start + done))));
                var manifest = component.Write(folder, bytes, cancel);
                bool copied = manifest.Graphs.Count == 0;
                long size = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
                before += estimate;
                results.Add(new ComponentResult(entry.Name, component.ClassName, copied ? ConvertedComponent.Copied : ConvertedComponent.Exported,
                    copied ? null : component.Precision, size, componentClock.Elapsed, component.Notes.ToList()));
                converted[entry.Name] = new ConvertedComponent(component.ClassName, copied ? ConvertedComponent.Copied : ConvertedComponent.Exported,
                    copied ? null : component.Precision.ShortName(), size);
            }

            File.Copy(indexPath, Path.Combine(temp, ModelIndex.FileName));
            new ConvertedModel(index.PipelineClass, converted) { CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ") }.Save(temp);
            cancel.ThrowIfCancellationRequested();
            MoveIntoPlace(temp, output);
            return new ConversionResult(output, results, clock.Elapsed);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        finally
        {
            foreach (var (_, component) in prepared) component.Dispose();
        }
    }

    static void CheckOutput(string source, string output, bool force)
    {
        if (string.Equals(source.TrimEnd(Path.DirectorySeparatorChar), output.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)
            || output.StartsWith(source.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidRequestException("--output", $"{output} is inside the model folder being converted; choose another folder");
        if (File.Exists(output)) throw new InvalidRequestException("--output", $"{output} is a file, not a folder");
        if (Directory.Exists(output) && !force)
            throw new InvalidRequestException("--output", $"{output} already exists (use --force to replace it)");
        string parent = Path.GetDirectoryName(output)!;
        if (!Directory.Exists(parent)) throw new InvalidRequestException("--output", $"{parent} does not exist");
    }

    static IReadOnlyList<ComponentEntry> SelectComponents(ModelIndex index, IReadOnlyCollection<string>? names)
    {
        if (names is null || names.Count == 0) return index.Components;
        foreach (var name in names)
            if (index.Find(name) is null)
                throw new InvalidRequestException("--components",
                    $"'{name}' is not a component of {Path.Combine(index.Folder, ModelIndex.FileName)} (it has: {string.Join(", ", index.Components.Select(c => c.Name))})");
        return index.Components.Where(c => names.Contains(c.Name)).ToList();
    }

    /// <summary>Renames the finished folder into place; an existing output (with --force) is swapped out first and removed after.</summary>
    static void MoveIntoPlace(string temp, string output)
    {
        if (!Directory.Exists(output))
        {
            Directory.Move(temp, output);
            return;
        }
        string old = $"{output}.old-{Guid.NewGuid().ToString("N")[..8]}";
        Directory.Move(output, old);
        try
        {
            Directory.Move(temp, output);
        }
        catch
        {
            Directory.Move(old, output);
            throw;
        }
        TryDelete(old);
    }

    static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
