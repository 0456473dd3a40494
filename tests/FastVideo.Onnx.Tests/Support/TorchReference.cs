using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>Runs a definition's forward eagerly in TorchSharp on reference inputs.</summary>
internal static class TorchReference
{
    public static Tensor FromRef(RefTensor t) => torch.tensor(t.Data, t.Shape, ScalarType.Float32);

    public static (float[] Data, long[] Shape) ToHost(Tensor t) =>
        (t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray(), t.shape);

    public static TorchOps Ops(WeightArchive archive, DType type, out TorchWeights weights)
    {
        weights = new TorchWeights(archive);
        return new TorchOps(weights, type);
    }

    /// <summary>
    /// Runs <paramref name="forward"/> over <paramref name="archive"/>'s weights at <paramref name="type"/>, inside a
    /// dispose scope (every tensor it makes is freed), and returns its output on the host.
    /// </summary>
    public static (float[] Data, long[] Shape) Run(WeightArchive archive, DType type, Func<TorchOps, Tensor> forward)
    {
        using var scope = torch.NewDisposeScope();
        var ops = Ops(archive, type, out var weights);
        using (weights) return ToHost(forward(ops));
    }
}
