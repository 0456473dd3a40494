using System.Globalization;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// One shape of the Video Sparse Attention operator under test: graph inputs q, k, v, gate [Batch, Frames·Height·Width,
/// Heads·HeadDim], the DiT grid (int64 [1] each) and the sparsity (float32 [1]) as constants. Built fused it is the
/// kernel's node in <see cref="Type"/>; built as the reference it is the portable composition
/// (<see cref="Export.Modeling.VideoSparseAttention"/>) in float32, so that the difference between the two is the
/// kernel's own error, not the reference's rounding.
/// </summary>
internal sealed record VsaCase(int Batch, int Frames, int Height, int Width, int Heads, int HeadDim, float Sparsity, DType Type)
{
    public static IReadOnlyList<string> InputNames { get; } = new[] { "q", "k", "v", "gate" };

    public long[] Shape => new[] { Batch, (long)Frames * Height * Width, (long)Heads * HeadDim };

    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    public string Name => string.Create(CultureInfo.InvariantCulture, $"VSA {Frames}x{Height}x{Width} b{Batch} {Heads}x{HeadDim} s{Sparsity}");

    public override string ToString() => $"{Name} {Type.ShortName()}";

    /// <summary>The fused graph (inputs in <see cref="Type"/>) or the portable reference (inputs in float32).</summary>
    public OnnxGraphBuilder Build(bool fused)
    {
        var g = fused ? new FusedKernelGraphBuilder(Type) : new OnnxGraphBuilder(DType.Float32);
        // FusedKernelGraphBuilder implements the operator explicitly; through the interface the portable builder takes
        // the default method, which is the reference composition.
        ITensorOps<OnnxValue> ops = g;
        var dims = Shape.Select(d => (Dim)d).ToArray();
        var x = InputNames.Select(n => g.Input(n, fused ? Type : DType.Float32, dims)).ToList();
        var output = ops.VideoSparseAttention(x[0], x[1], x[2], x[3], Heads, HeadDim, ops.Int64s(Frames), ops.Int64s(Height), ops.Int64s(Width),
            ops.Constant(new[] { Sparsity }, new long[] { 1 }, DType.Float32));
        g.Output(output, "output", dims);
        return g;
    }
}
