namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Where a Wan checkpoint keeps FastVideo's Video Sparse Attention gate, if it has one. FastVideo names it after its own
/// module, <c>blocks.N.to_gate_compress</c>; <c>blocks.N.attn1.to_gate_compress</c> is accepted as the same parameter.
/// </summary>
internal enum WanVsaGatePlacement
{
    /// <summary>No gate: dense self-attention.</summary>
    None,

    /// <summary><c>blocks.N.to_gate_compress.{weight,bias}</c></summary>
    Block,

    /// <summary><c>blocks.N.attn1.to_gate_compress.{weight,bias}</c></summary>
    SelfAttention,
}
