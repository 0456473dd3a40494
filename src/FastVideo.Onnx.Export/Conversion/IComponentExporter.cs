using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// Converts one kind of component. <see cref="Prepare"/> reads and checks everything (config, weights, consistency with
/// the other components) without writing; the returned <see cref="PreparedComponent"/> then writes the output. Found by
/// reflection through <see cref="ComponentExporterAttribute"/>.
/// </summary>
public interface IComponentExporter
{
    PreparedComponent Prepare(ComponentSource source);
}

/// <summary>An exporter whose component has a model definition (its parameters can be listed, or synthesized for benchmarks).</summary>
internal interface IDefinitionProvider
{
    ModelDefinition Define(ComponentSource source);
}

/// <summary>What an exporter is given: the component's folder within its model folder, and the requested precision.</summary>
public sealed record ComponentSource(ComponentEntry Entry, string Folder, ModelIndex Index, DType Precision)
{
    public string Name => Entry.Name;

    /// <summary>
    /// Replaces the checkpoint with generated weights for the definition's parameters (benchmarks with real
    /// configurations and no downloads). The component folder then needs only its config.json.
    /// </summary>
    internal Func<IEnumerable<Parameter>, IWeightSource>? SyntheticWeights { get; init; }

    /// <summary>The ranks a per-rank sequence-parallel graph is written for (<see cref="ConversionRequest.SequenceParallel"/>); 1: none.</summary>
    internal int SequenceParallel { get; init; } = 1;

    public string ConfigPath(string fileName = "config.json") => Path.Combine(Folder, fileName);
}

/// <summary>A checked component, ready to be written into its output folder.</summary>
public abstract class PreparedComponent : IDisposable
{
    public abstract string ClassName { get; }

    /// <summary>The precision actually exported (an exporter may refuse one, e.g. fp16 for T5, and say why in <see cref="Notes"/>).</summary>
    public abstract DType Precision { get; }

    /// <summary>Bytes this component is expected to write, for progress.</summary>
    public abstract long EstimatedBytes { get; }

    /// <summary>What the conversion changed or decided, recorded in the component's manifest.</summary>
    public List<string> Notes { get; } = new();

    /// <summary>One-line notices about the source (fields it ignores, ...) shown by convert and not recorded.</summary>
    public List<string> Notices { get; } = new();

    /// <summary>Writes the component's files into <paramref name="outputFolder"/> (which exists and is empty).</summary>
    public abstract ComponentManifest Write(string outputFolder, IProgress<long> bytesWritten, CancellationToken cancel);

    public virtual void Dispose() { }
}
