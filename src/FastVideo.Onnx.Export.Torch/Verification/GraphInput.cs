namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>One input of a graph under verification: float32 values, or int64 values (token ids, masks).</summary>
internal sealed record GraphInput(string Name, long[] Shape, float[]? Floats = null, long[]? Int64s = null);
