using System.Numerics;
using System.Runtime.InteropServices;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// Where a component's weights come from when a graph is written: streamed in float32 chunks so that no tensor
/// needs to be whole in memory (except when it must be transposed).
/// </summary>
internal interface IWeightSource
{
    /// <summary>Reads <paramref name="destination"/>.Length elements of tensor <paramref name="name"/> starting at element <paramref name="offset"/>.</summary>
    void ReadSingle(string name, long offset, Span<float> destination);

    /// <summary>The type the weight is published in (a bf16 checkpoint exported as bf16 needs no rounding).</summary>
    DType SourceType(string name);

    /// <summary>
    /// True when element order carries no meaning (generated i.i.d. values): the writer may then skip re-laying out a
    /// tensor (the transpose of a linear weight), which is the only step that holds a whole tensor in memory.
    /// </summary>
    bool LayoutFree => false;
}

/// <summary>
/// Weights read from a component's safetensors files. Every value is checked to be finite as it streams through
/// (a NaN or infinite weight would convert cleanly and then render black frames), on the floats already converted
/// for the writer, so the check costs no second read.
/// </summary>
internal sealed class CheckpointWeights : IWeightSource
{
    readonly WeightArchive _archive;

    public CheckpointWeights(WeightArchive archive) => _archive = archive;

    TensorInfo Info(string name) => _archive.Find(name) ?? throw new KeyNotFoundException($"weight '{name}' is not in the checkpoint");

    public DType SourceType(string name) => Info(name).DType;

    public void ReadSingle(string name, long offset, Span<float> destination)
    {
        var info = Info(name);
        int size = info.DType.Size();
        const int block = 1 << 16;
        var bytes = new byte[Math.Min(destination.Length, block) * size];
        for (int done = 0; done < destination.Length; done += block)
        {
            int count = Math.Min(block, destination.Length - done);
            var chunk = bytes.AsSpan(0, count * size);
            info.File.Read(info, chunk, (offset + done) * size);
            var values = destination.Slice(done, count);
            FloatConversion.ToSingle(chunk, info.DType, values);
            int bad = IndexOfNonFinite(values);
            if (bad >= 0)
                throw new ModelFormatException(info.File.Path,
                    $"tensor '{JsonText.Printable(name)}' holds {Describe(values[bad])} at element {offset + done + bad}: the checkpoint is corrupt");
        }
    }

    static string Describe(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";

    // A float is NaN or infinite exactly when its exponent bits are all ones: one AND and compare per lane.
    static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        var bits = MemoryMarshal.Cast<float, uint>(values);
        const uint exponent = 0x7F80_0000;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var mask = new Vector<uint>(exponent);
            for (; i <= bits.Length - Vector<uint>.Count; i += Vector<uint>.Count)
                if (Vector.EqualsAny(new Vector<uint>(bits.Slice(i, Vector<uint>.Count)) & mask, mask)) break;
        }
        for (; i < bits.Length; i++)
            if ((bits[i] & exponent) == exponent) return i;
        return -1;
    }
}

/// <summary>
/// Deterministic pseudo-random weights for a definition (benchmarks and scale tests with real configurations and no
/// downloads): normal-ish values scaled by 1/sqrt(fan-in), norm weights near one. Each element depends only on the
/// tensor name and its index, so any chunking reads the same values.
/// </summary>
internal sealed class RandomWeights : IWeightSource
{
    readonly Dictionary<string, Parameter> _parameters;
    readonly DType _type;

    public RandomWeights(IEnumerable<Parameter> parameters, DType publishedType = DType.BFloat16)
    {
        _parameters = parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        _type = publishedType;
    }

    public DType SourceType(string name) => _type;

    public bool LayoutFree => true;

    public void ReadSingle(string name, long offset, Span<float> destination)
    {
        var p = _parameters[name];
        bool isNorm = p.Shape.Length == 1 && (name.Contains("norm") || name.EndsWith(".gamma", StringComparison.Ordinal));
        double scale = p.Shape.Length >= 2 ? 1.0 / Math.Sqrt(p.ElementCount / p.Shape[0]) : 0.02;
        ulong seed = Fnv(name);
        for (int i = 0; i < destination.Length; i++)
        {
            // splitmix64 of (seed, index) -> two uniforms -> a sum of uniforms, close enough to normal for timing and range checks
            ulong z = seed + (ulong)(offset + i) * 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            double u = ((z & 0xFFFFF) + ((z >> 20) & 0xFFFFF) + ((z >> 40) & 0xFFFFF)) / (double)0xFFFFF - 1.5; // in [-1.5, 1.5]
            destination[i] = isNorm ? (float)(1.0 + 0.1 * u) : (float)(scale * u * 2.0);
        }
    }

    static ulong Fnv(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) h = (h ^ c) * 1099511628211UL;
        return h;
    }
}
