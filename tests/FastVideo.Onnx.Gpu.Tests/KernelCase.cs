using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// One custom operator under test: graph inputs (name, element type, shape) and the operator call, written once against
/// <see cref="ITensorOps{T}"/>. Built with the fused builder it is the kernel's node (with the projection it folds a bias
/// from, where it takes one); built with the portable builder it is the reference composition of the same default
/// interface method.
/// </summary>
internal sealed record KernelCase(string Name, string Operator, IReadOnlyList<(string Name, bool Float32, long[] Shape)> Inputs,
    Func<ITensorOps<OnnxValue>, KernelCaseModel, IReadOnlyList<OnnxValue>, OnnxValue> Call, bool ChannelsLast = false)
{
    public override string ToString() => Name;

    public OnnxGraphBuilder Build(KernelCaseModel model, DType type, bool fused)
    {
        var g = fused ? new FusedKernelGraphBuilder(type) { ChannelsLastNorms = ChannelsLast } : new OnnxGraphBuilder(type);
        var values = Inputs.Select(i => g.Input(i.Name, i.Float32 ? DType.Float32 : type, i.Shape.Select(d => (Dim)d).ToArray())).ToList();
        var output = Call(g, model, values);
        g.Output(output, "output", Inputs[0].Shape.Select(d => (Dim)d).ToArray());
        return g;
    }
}
