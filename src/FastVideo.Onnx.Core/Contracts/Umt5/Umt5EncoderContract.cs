using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Core.Contracts.Umt5;

/// <summary>
/// The converted <c>UMT5EncoderModel</c>: <c>input_ids</c> and <c>attention_mask</c> int64 [batch, sequence] in,
/// <c>last_hidden_state</c> float32 [batch, sequence, d_model] out, whatever the compute precision; batch and sequence
/// length are dynamic.
/// </summary>
public sealed record Umt5EncoderContract(int DModel)
{
    public const string ComponentClass = "UMT5EncoderModel";
    public const string GraphFile = "model.onnx";
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string LastHiddenState = "last_hidden_state";
    public const string BatchDim = "batch";
    public const string SequenceDim = "sequence";

    public static Umt5EncoderContract FromConfig(JsonConfig config) => new(config.GetInt("d_model"));

    public GraphContract Graph => new(GraphFile,
        new[] { new TensorContract(InputIds, DType.Int64, BatchDim, SequenceDim), new TensorContract(AttentionMask, DType.Int64, BatchDim, SequenceDim) },
        new[] { new TensorContract(LastHiddenState, DType.Float32, BatchDim, SequenceDim, DModel) });
}
