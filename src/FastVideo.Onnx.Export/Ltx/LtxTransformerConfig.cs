using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Export.Ltx;

/// <summary>The fields of an LTXVideoTransformer3DModel config.json, with Diffusers' defaults (LTX-Video 2B: 28 layers x 2048).</summary>
internal sealed record LtxTransformerConfig
{
    public int InChannels { get; init; } = 128;
    public int OutChannels { get; init; } = 128;
    public int PatchSize { get; init; } = 1;
    public int PatchSizeT { get; init; } = 1;
    public int NumAttentionHeads { get; init; } = 32;
    public int AttentionHeadDim { get; init; } = 64;
    public int CrossAttentionDim { get; init; } = 2048;
    public int NumLayers { get; init; } = 28;
    public bool NormElementwiseAffine { get; init; }
    public double NormEps { get; init; } = 1e-6;
    public int CaptionChannels { get; init; } = 4096;
    public bool AttentionBias { get; init; } = true;
    public bool AttentionOutBias { get; init; } = true;

    public int InnerDim => NumAttentionHeads * AttentionHeadDim;

    /// <summary>The parameters of Diffusers' <c>LTXVideoTransformer3DModel.__init__</c>; all are read here (unsupported values are refused).</summary>
    public static readonly IReadOnlyCollection<string> Fields = new[]
    {
        "in_channels", "out_channels", "patch_size", "patch_size_t", "num_attention_heads", "attention_head_dim", "cross_attention_dim",
        "num_layers", "activation_fn", "qk_norm", "norm_elementwise_affine", "norm_eps", "caption_channels", "attention_bias", "attention_out_bias",
    };

    public static LtxTransformerConfig FromJson(JsonConfig json)
    {
        var c = new LtxTransformerConfig
        {
            InChannels = json.GetInt("in_channels", 128),
            OutChannels = json.GetIntOrNull("out_channels") ?? json.GetInt("in_channels", 128),
            PatchSize = json.GetInt("patch_size", 1),
            PatchSizeT = json.GetInt("patch_size_t", 1),
            NumAttentionHeads = json.GetInt("num_attention_heads", 32),
            AttentionHeadDim = json.GetInt("attention_head_dim", 64),
            CrossAttentionDim = json.GetInt("cross_attention_dim", 2048),
            NumLayers = json.GetInt("num_layers", 28),
            NormElementwiseAffine = json.GetBool("norm_elementwise_affine", false),
            NormEps = json.GetDouble("norm_eps", 1e-6),
            CaptionChannels = json.GetInt("caption_channels", 4096),
            AttentionBias = json.GetBool("attention_bias", true),
            AttentionOutBias = json.GetBool("attention_out_bias", true),
        };
        void Check(bool ok, string field, string problem)
        {
            if (!ok) throw new ModelFormatException(json.Path, $"field '{field}' {problem}");
        }
        Check(c.InChannels > 0, "in_channels", "must be positive");
        Check(c.OutChannels > 0, "out_channels", "must be positive");
        Check(c.PatchSize > 0, "patch_size", "must be positive");
        Check(c.PatchSizeT > 0, "patch_size_t", "must be positive");
        Check(c.NumAttentionHeads > 0, "num_attention_heads", "must be positive");
        Check(c.AttentionHeadDim > 0 && c.AttentionHeadDim % 2 == 0, "attention_head_dim", "must be a positive even number");
        // the rotary table covers the whole inner dimension: 3 axes x (inner // 6) frequencies, the rest unrotated
        Check(c.InnerDim >= 6, "num_attention_heads", "times attention_head_dim must be at least 6 (three rotary axes)");
        Check(c.CrossAttentionDim == c.InnerDim, "cross_attention_dim",
            $"is {c.CrossAttentionDim}, but the caption projection feeds num_attention_heads x attention_head_dim = {c.InnerDim} channels to cross-attention");
        Check(c.NumLayers > 0, "num_layers", "must be positive");
        Check(c.CaptionChannels > 0, "caption_channels", "must be positive");
        string activation = json.GetString("activation_fn", "gelu-approximate");
        Check(activation == "gelu-approximate", "activation_fn", $"'{activation}' is not supported (only gelu-approximate)");
        string qkNorm = json.GetString("qk_norm", "rms_norm_across_heads");
        Check(qkNorm == "rms_norm_across_heads", "qk_norm", $"'{qkNorm}' is not supported (only rms_norm_across_heads, as Diffusers)");
        return c;
    }
}
