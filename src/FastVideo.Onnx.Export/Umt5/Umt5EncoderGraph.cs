using FastVideo.Onnx.Core.Contracts.Umt5;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>The text encoder's ONNX graph, its signature written from <see cref="Umt5EncoderContract"/>.</summary>
internal static class Umt5EncoderGraph
{
    public const string InputIds = Umt5EncoderContract.InputIds;
    public const string AttentionMask = Umt5EncoderContract.AttentionMask;
    public const string LastHiddenState = Umt5EncoderContract.LastHiddenState;

    public static OnnxGraphBuilder Build(T5FamilyEncoder model, DType computeType)
    {
        var contract = new Umt5EncoderContract(model.Config.DModel).Graph;
        var g = new OnnxGraphBuilder(computeType);
        var ids = g.Input(contract.Input(InputIds));
        var mask = g.Input(contract.Input(AttentionMask));
        var hidden = model.Forward(g, ids, mask);
        g.Output(hidden, contract.Outputs.Single());
        return g;
    }
}
