using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>What to convert, where to, and how.</summary>
public sealed record ConversionRequest(string Source, string Output)
{
    /// <summary>Precision of every exported component unless <see cref="ComponentPrecision"/> names it.</summary>
    public DType Precision { get; init; } = DType.Float32;

    /// <summary>Per-component precision, by component name (<c>transformer</c>, <c>vae</c>, ...).</summary>
    public IReadOnlyDictionary<string, DType> ComponentPrecision { get; init; } = new Dictionary<string, DType>();

    /// <summary>Only these components (null: all of model_index.json).</summary>
    public IReadOnlyCollection<string>? Components { get; init; }

    /// <summary>
    /// Also write each Wan transformer's per-rank graph for sequence parallelism over this many ranks
    /// (<c>model.sp{N}.onnx</c>, sharing the transformer's external data); 1 (the default) writes none. The
    /// transformer's attention heads must divide by it.
    /// </summary>
    public int SequenceParallel { get; init; } = 1;

    /// <summary>The setting <see cref="SequenceParallel"/> is named by in errors.</summary>
    internal const string SequenceParallelField = "SequenceParallel";

    /// <summary>Replace <see cref="Output"/> if it exists.</summary>
    public bool Force { get; init; }

    /// <summary>Generated weights instead of the checkpoints (benchmarks with real configurations).</summary>
    internal Func<IEnumerable<Parameter>, IWeightSource>? SyntheticWeights { get; init; }

    /// <summary>The precision <paramref name="component"/> is exported at.</summary>
    public DType PrecisionOf(string component) => ComponentPrecision.TryGetValue(component, out var p) ? p : Precision;
}

/// <summary>Progress of a conversion: the component being written and bytes written so far.</summary>
public sealed record ConversionProgress(string Component, int Index, int Count, long ComponentBytes, long ComponentTotal, long Bytes, long Total);

/// <summary>What one component became.</summary>
public sealed record ComponentResult(string Name, string ClassName, string Kind, DType? Precision, long Bytes, TimeSpan Elapsed, IReadOnlyList<string> Notes)
{
    /// <summary>One-line notices about the source or the output's use (not recorded in the manifest).</summary>
    public IReadOnlyList<string> Notices { get; init; } = Array.Empty<string>();
}

/// <summary>What a conversion wrote.</summary>
/// <param name="Output">The converted model folder.</param>
/// <param name="Components">What each component became.</param>
/// <param name="Elapsed">How long the conversion took.</param>
public sealed record ConversionResult(string Output, IReadOnlyList<ComponentResult> Components, TimeSpan Elapsed)
{
    /// <summary>Bytes written in all.</summary>
    public long Bytes => Components.Sum(c => c.Bytes);

    /// <summary>One-line notices about the whole folder (model_index.json fields the pipeline ignores, ...).</summary>
    public IReadOnlyList<string> Notices { get; init; } = Array.Empty<string>();
}
