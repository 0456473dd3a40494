using System.Text.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Core.Contracts;

/// <summary>
/// The signature of one graph file of a converted component, written once for the converter (which names the graph's
/// inputs and outputs from it) and the runtime (which binds them by these names). Inputs and outputs whose names start
/// with <see cref="StateInputPrefix"/> / <see cref="StateOutputPrefix"/> are opaque state (a chunked VAE's caches): their
/// number and shapes come from the model, the runtime only hands each output to the next call's input.
/// </summary>
public sealed record GraphContract(string File, IReadOnlyList<TensorContract> Inputs, IReadOnlyList<TensorContract> Outputs)
{
    public string? StateInputPrefix { get; init; }
    public string? StateOutputPrefix { get; init; }

    public TensorContract Input(string name) =>
        Inputs.FirstOrDefault(i => i.Name == name) ?? throw new ArgumentException($"{File} has no input '{name}' in its contract", nameof(name));

    /// <summary>
    /// Where <paramref name="graph"/> (a converted graph's manifest entry) differs from this contract, one line each:
    /// a missing, unexpected or reordered tensor, another element type or other dims. Empty when they agree.
    /// </summary>
    public IReadOnlyList<string> Differences(GraphManifest graph)
    {
        var found = new List<string>();
        Compare("input", Inputs, graph.Inputs, StateInputPrefix, found);
        Compare("output", Outputs, graph.Outputs, StateOutputPrefix, found);
        return found;
    }

    void Compare(string kind, IReadOnlyList<TensorContract> expected, IReadOnlyList<TensorSignature> actual, string? statePrefix, List<string> found)
    {
        var declared = actual.Where(a => statePrefix is null || !a.Name.StartsWith(statePrefix, StringComparison.Ordinal)).ToList();
        var expectedNames = expected.Select(e => e.Name).ToList();
        var declaredNames = declared.Select(a => a.Name).ToList();
        if (!expectedNames.SequenceEqual(declaredNames))
            found.Add($"{File}: {kind}s are [{string.Join(", ", declaredNames)}], the contract says [{string.Join(", ", expectedNames)}]");
        foreach (var e in expected)
        {
            var a = declared.FirstOrDefault(d => d.Name == e.Name);
            if (a is null) continue;
            if (a.DType != Name(e.DType)) found.Add($"{File}: {kind} '{e.Name}' is {a.DType}, the contract says {Name(e.DType)}");
            var dims = a.Shape.Select(DimText).ToList();
            var expectedDims = e.Dims.Select(d => d.ToString()).ToList();
            if (!dims.SequenceEqual(expectedDims))
                found.Add($"{File}: {kind} '{e.Name}' has dims [{string.Join(", ", dims)}], the contract says [{string.Join(", ", expectedDims)}]");
        }
    }

    static string DimText(JsonElement d) => d.ValueKind == JsonValueKind.String ? d.GetString()! : d.GetRawText();

    /// <summary>The element type as manifests write it.</summary>
    static string Name(DType t) => t switch
    {
        DType.Float32 => "float32",
        DType.Float16 => "float16",
        DType.BFloat16 => "bfloat16",
        DType.Float64 => "float64",
        _ => t.ToString().ToLowerInvariant(),
    };
}
