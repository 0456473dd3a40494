using System.Diagnostics;
using System.Reflection;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Registries;
using FastVideo.Onnx.Core.Progress;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// Converts a Diffusers model folder: every component is checked first (configs, weights, consistency, and what the
/// runtime will need through <see cref="Validator"/>), then each is written into a temporary folder beside the output,
/// which is renamed into place only when everything succeeded. An error or a cancellation leaves no output behind, and
/// nothing is ever deleted or replaced inside the model folder being read.
/// </summary>
public sealed class ModelConverter
{
    readonly EntryRegistry<ComponentExporterAttribute, IComponentExporter> _exporters;

    /// <summary>A converter with the exporters of this library and of <paramref name="extraAssemblies"/> (classes with <see cref="ComponentExporterAttribute"/>).</summary>
    public ModelConverter(params Assembly[] extraAssemblies)
    {
        _exporters = new EntryRegistry<ComponentExporterAttribute, IComponentExporter>(
            "component class", extraAssemblies.Prepend(typeof(ModelConverter).Assembly).ToArray());
    }

    /// <summary>The runtime's view of the folder (pipeline class, scheduler, tokenizer, ...); null checks only what the exporters read.</summary>
    public ISourceValidator? Validator { get; init; }

    /// <summary>The component classes an exporter is registered for.</summary>
    public IReadOnlyCollection<string> SupportedClasses => _exporters.Names;

    /// <summary>The exporter type registered for a component class, or null when convert cannot handle that class.</summary>
    public Type? ExporterFor(string className) => _exporters.Contains(className) ? _exporters.Resolve(className, className) : null;

    /// <summary>
    /// Everything <see cref="Convert"/> checks about the source before it writes (the request's output is not looked
    /// at), writing nothing: the notices convert would print, or the error it would fail with.
    /// </summary>
    public IReadOnlyList<string> Validate(ConversionRequest request, CancellationToken cancel = default)
    {
        using var plan = Prepare(ModelIndex.Load(request.Source), request, cancel);
        return plan.Notices.Concat(plan.Components.SelectMany(c => c.Component.Notices)).ToList();
    }

    /// <summary>Converts <paramref name="request"/>'s model folder into its output folder, which appears only when every component succeeded.</summary>
    public ConversionResult Convert(ConversionRequest request, IProgress<ConversionProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var index = ModelIndex.Load(request.Source);
        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.Output));
        var existing = CheckOutput(request, index, output);

        using var plan = Prepare(index, request, cancel);
        RemoveLeftovers(output, index.Folder);
        string name = Path.GetFileName(output), parent = Path.GetDirectoryName(output)!;
        using var temp = WorkFolder.Create(Path.Combine(parent, $".{name}.partial-{Guid.NewGuid().ToString("N")[..8]}"));
        try
        {
            var converted = new Dictionary<string, ConvertedComponent>();
            if (existing is not null) KeepExisting(existing, output, temp.Path, plan, converted, cancel);

            long total = plan.Components.Sum(p => p.Component.EstimatedBytes), before = 0;
            var results = new List<ComponentResult>();
            for (int i = 0; i < plan.Components.Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var (entry, component) = plan.Components[i];
                var componentClock = Stopwatch.StartNew();
                string folder = ComponentPath.Combine(temp.Path, entry.Name, plan.IndexPath);
                Directory.CreateDirectory(folder);
                long estimate = component.EstimatedBytes, start = before;
                int position = i;
                var bytes = new CallbackProgress<long>(done => progress?.Report(
                    new ConversionProgress(entry.Name, position, plan.Components.Count, done, Math.Max(estimate, done), start + done, Math.Max(total, start + done))));
                var manifest = component.Write(folder, bytes, cancel);
                bool copied = manifest.Graphs.Count == 0;
                long size = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
                before += estimate;
                results.Add(new ComponentResult(entry.Name, component.ClassName, copied ? ConvertedComponent.Copied : ConvertedComponent.Exported,
                    copied ? null : component.Precision, size, componentClock.Elapsed, component.Notes.ToList())
                {
                    Notices = component.Notices.ToList(),
                });
                converted[entry.Name] = new ConvertedComponent(component.ClassName, copied ? ConvertedComponent.Copied : ConvertedComponent.Exported,
                    copied ? null : component.Precision.ShortName(), size);
            }

            File.Copy(plan.IndexPath, Path.Combine(temp.Path, ModelIndex.FileName));
            new ConvertedModel(index.PipelineClass, Ordered(converted, index))
            {
                CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            }.Save(temp.Path);
            cancel.ThrowIfCancellationRequested();
            MoveIntoPlace(temp, output);
            return new ConversionResult(output, results, clock.Elapsed) { Notices = plan.Notices.ToList() };
        }
        catch when (temp.Path != output)
        {
            // Once renamed into place the folder is the finished output, whatever failed after.
            temp.TryDelete();
            throw;
        }
    }

    /// <summary>Reads and checks everything the conversion needs, writing nothing; the caller disposes the result.</summary>
    ConversionPlan Prepare(ModelIndex index, ConversionRequest request, CancellationToken cancel)
    {
        string indexPath = Path.Combine(index.Folder, ModelIndex.FileName);
        // Every key is a folder name, whether or not it is selected: a path-like key is never followed.
        foreach (var entry in index.Components) ComponentPath.Combine(index.Folder, entry.Name, indexPath);
        var entries = SelectComponents(index, request.Components);
        CheckPrecisionNames(index, request.ComponentPrecision);
        if (request.SequenceParallel < 1)
            throw new InvalidRequestException(ConversionRequest.SequenceParallelField, $"{request.SequenceParallel} ranks: give 1 (no per-rank graph) or more");

        var plan = new ConversionPlan(indexPath);
        try
        {
            PipelineConfigRules.Check(index.Json, plan.Notices);
            Validator?.Validate(index, entries, plan.Notices);
            foreach (var entry in entries)
            {
                cancel.ThrowIfCancellationRequested();
                var exporter = _exporters.Create(entry.ClassName, $"{indexPath}: component '{entry.Name}'");
                var componentSource = new ComponentSource(entry, ComponentPath.Combine(index.Folder, entry.Name, indexPath), index, request.PrecisionOf(entry.Name))
                {
                    SyntheticWeights = request.SyntheticWeights,
                    SequenceParallel = request.SequenceParallel,
                };
                if (!Directory.Exists(componentSource.Folder))
                    throw new ModelFormatException(componentSource.Folder, $"component folder missing (model_index.json lists '{entry.Name}')");
                var component = exporter.Prepare(componentSource);
                plan.Components.Add((entry, component));
                if (component.Precision != DType.Float32)
                    component.Notices.Add($"{entry.Name} is {component.Precision.ShortName()}: ONNX Runtime's CPU provider cannot run it, so this folder is for GPUs " +
                                          $"(for generate --device cpu, convert it with --dtype fp32)");
            }
            return plan;
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Refuses an output that overlaps the source (compared after following links) before anything is deleted; returns
    /// the existing converted folder that <see cref="ConversionRequest.Components"/> adds to, or null when the output is new or replaced.
    /// </summary>
    static ConvertedModel? CheckOutput(ConversionRequest request, ModelIndex index, string output)
    {
        if (ResolvedPath.Overlap(index.Folder, output))
            throw new InvalidRequestException(nameof(ConversionRequest.Output),
                $"{output} overlaps the model folder being converted ({Path.GetFullPath(index.Folder)}): the output must not be, contain or be inside it");
        if (File.Exists(output)) throw new InvalidRequestException(nameof(ConversionRequest.Output), $"{output} is a file, not a folder");
        string parent = Path.GetDirectoryName(output)!;
        if (!Directory.Exists(parent)) throw new InvalidRequestException(nameof(ConversionRequest.Output), $"{parent} does not exist");
        if (!Directory.Exists(output) || request.Force) return null;
        if (request.Components is not { Count: > 0 })
            throw new InvalidRequestException(nameof(ConversionRequest.Output), $"{output} already exists (set Force to replace it, or Components to add components to it)");
        if (!ConvertedModel.IsConverted(output))
            throw new InvalidRequestException(nameof(ConversionRequest.Output), $"{output} already exists and is not a converted model folder, so Components cannot add to it (set Force to replace it)");
        var existing = ConvertedModel.Load(output);
        if (existing.Pipeline != index.PipelineClass)
            throw new InvalidRequestException(nameof(ConversionRequest.Output),
                $"{output} is a converted {existing.Pipeline} folder and {index.Folder} is a {index.PipelineClass}; Components adds only to a conversion of the same pipeline (set Force to replace it)");
        return existing;
    }

    /// <summary>Carries the existing folder's components that this run does not convert into the new folder.</summary>
    static void KeepExisting(ConvertedModel existing, string output, string temp, ConversionPlan plan,
        Dictionary<string, ConvertedComponent> converted, CancellationToken cancel)
    {
        string manifestPath = Path.Combine(output, ConvertedModel.FileName);
        var replaced = plan.Components.Select(c => c.Entry.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, component) in existing.Components)
        {
            if (replaced.Contains(name)) continue;
            string from = ComponentPath.Combine(output, name, manifestPath);
            if (!Directory.Exists(from))
                throw new ModelFormatException(manifestPath, $"lists component '{name}' but {from} is missing; replace the folder with Force");
            FolderCopy.LinkOrCopy(from, ComponentPath.Combine(temp, name, manifestPath), cancel);
            converted[name] = component;
        }
    }

    /// <summary>The components in model_index.json's order, then any others the existing folder had.</summary>
    static Dictionary<string, ConvertedComponent> Ordered(Dictionary<string, ConvertedComponent> components, ModelIndex index)
    {
        var ordered = new Dictionary<string, ConvertedComponent>(StringComparer.Ordinal);
        foreach (var entry in index.Components)
            if (components.TryGetValue(entry.Name, out var c)) ordered[entry.Name] = c;
        foreach (var (name, c) in components) ordered.TryAdd(name, c);
        return ordered;
    }

    static IReadOnlyList<ComponentEntry> SelectComponents(ModelIndex index, IReadOnlyCollection<string>? names)
    {
        if (names is null || names.Count == 0) return index.Components;
        foreach (var name in names)
            if (index.Find(name) is null)
                throw new InvalidRequestException(nameof(ConversionRequest.Components),
                    $"'{name}' is not a component of {Path.Combine(index.Folder, ModelIndex.FileName)} (it has: {string.Join(", ", index.Components.Select(c => c.Name))})");
        return index.Components.Where(c => names.Contains(c.Name)).ToList();
    }

    static void CheckPrecisionNames(ModelIndex index, IReadOnlyDictionary<string, DType> perComponent)
    {
        foreach (var name in perComponent.Keys)
            if (index.Find(name) is null)
                throw new InvalidRequestException(nameof(ConversionRequest.ComponentPrecision),
                    $"'{name}' is not a component of {Path.Combine(index.Folder, ModelIndex.FileName)} (it has: {string.Join(", ", index.Components.Select(c => c.Name))})");
    }

    /// <summary>
    /// Removes what interrupted runs left for this output name (<c>.NAME.partial-*</c>, <c>NAME.old-*</c>), except
    /// folders whose lock another conversion still holds, and never anything that overlaps the source.
    /// </summary>
    static void RemoveLeftovers(string output, string source)
    {
        string name = Path.GetFileName(output), parent = Path.GetDirectoryName(output)!;
        var leftovers = Directory.EnumerateDirectories(parent, $".{name}.partial-*")
            .Concat(Directory.EnumerateDirectories(parent, $"{name}.old-*"));
        foreach (var folder in leftovers.ToList())
        {
            if (new DirectoryInfo(folder).LinkTarget is not null || ResolvedPath.Overlap(folder, source)) continue;
            using var taken = WorkFolder.TryTake(folder);
            taken?.TryDelete();
        }
    }

    /// <summary>
    /// Renames the finished folder into place; an existing output is first renamed aside (locked, so that no other run
    /// takes it for a leftover while it may still be restored) and removed after.
    /// </summary>
    static void MoveIntoPlace(WorkFolder temp, string output)
    {
        if (!Directory.Exists(output))
        {
            temp.MoveTo(output);
            return;
        }
        using var previous = WorkFolder.TryTake(output)
            ?? throw new InvalidRequestException(nameof(ConversionRequest.Output), $"{output} is in use by another conversion");
        previous.MoveTo($"{output}.old-{Guid.NewGuid().ToString("N")[..8]}", keepLock: true);
        try
        {
            temp.MoveTo(output);
        }
        catch
        {
            previous.MoveTo(output);
            throw;
        }
        previous.TryDelete();
    }
}
