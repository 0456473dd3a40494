using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// The text encoder's ONNX signature: <c>input_ids</c> and <c>attention_mask</c>, int64 [batch, sequence];
/// output <c>last_hidden_state</c>, float32 [batch, sequence, d_model] whatever the compute precision. Batch and
/// sequence length are dynamic (Wan pads to 512 tokens).
/// </summary>
public static class Umt5EncoderGraph
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string LastHiddenState = "last_hidden_state";

    public static OnnxGraphBuilder Build(T5FamilyEncoder model, DType computeType)
    {
        var g = new OnnxGraphBuilder(computeType);
        var ids = g.Input(InputIds, DType.Int64, "batch", "sequence");
        var mask = g.Input(AttentionMask, DType.Int64, "batch", "sequence");
        var hidden = model.Forward(g, ids, mask);
        g.Output(hidden, LastHiddenState, "batch", "sequence", model.Config.DModel);
        return g;
    }
}
