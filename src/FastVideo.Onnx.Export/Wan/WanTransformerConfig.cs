using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>The fields of a WanTransformer3DModel config.json, with Diffusers' defaults where it has them.</summary>
internal sealed record WanTransformerConfig
{
    public int[] PatchSize { get; init; } = { 1, 2, 2 };
    public int NumAttentionHeads { get; init; } = 40;
    public int AttentionHeadDim { get; init; } = 128;
    public int InChannels { get; init; } = 16;
    public int OutChannels { get; init; } = 16;
    public int TextDim { get; init; } = 4096;
    public int FreqDim { get; init; } = 256;
    public int FfnDim { get; init; } = 13824;
    public int NumLayers { get; init; } = 40;
    public bool CrossAttnNorm { get; init; } = true;
    public string? QkNorm { get; init; } = "rms_norm_across_heads";
    public double Eps { get; init; } = 1e-6;
    public int? ImageDim { get; init; }
    public int? AddedKvProjDim { get; init; }
    public int RopeMaxSeqLen { get; init; } = 1024;
    public int? PosEmbedSeqLen { get; init; }

    public int InnerDim => NumAttentionHeads * AttentionHeadDim;

    /// <summary>The parameters of Diffusers' <c>WanTransformer3DModel.__init__</c>; all are read here (unsupported values are refused).</summary>
    public static readonly IReadOnlyCollection<string> Fields = new[]
    {
        "patch_size", "num_attention_heads", "attention_head_dim", "in_channels", "out_channels", "text_dim", "freq_dim", "ffn_dim",
        "num_layers", "cross_attn_norm", "qk_norm", "eps", "image_dim", "added_kv_proj_dim", "rope_max_seq_len", "pos_embed_seq_len",
    };

    public static WanTransformerConfig FromJson(JsonConfig json)
    {
        // Fields that define the architecture are required (save_pretrained always writes them); a missing one
        // would otherwise surface later as a confusing weight-shape mismatch.
        var c = new WanTransformerConfig
        {
            PatchSize = json.GetIntArray("patch_size"),
            NumAttentionHeads = json.GetInt("num_attention_heads"),
            AttentionHeadDim = json.GetInt("attention_head_dim"),
            InChannels = json.GetInt("in_channels"),
            OutChannels = json.GetIntOrNull("out_channels") ?? json.GetInt("in_channels"),
            TextDim = json.GetInt("text_dim"),
            FreqDim = json.GetInt("freq_dim", 256),
            FfnDim = json.GetInt("ffn_dim"),
            NumLayers = json.GetInt("num_layers"),
            CrossAttnNorm = json.GetBool("cross_attn_norm", true),
            QkNorm = json.GetStringOrNull("qk_norm"),
            Eps = json.GetDouble("eps", 1e-6),
            ImageDim = json.GetIntOrNull("image_dim"),
            AddedKvProjDim = json.GetIntOrNull("added_kv_proj_dim"),
            RopeMaxSeqLen = json.GetInt("rope_max_seq_len", 1024),
            PosEmbedSeqLen = json.GetIntOrNull("pos_embed_seq_len"),
        };
        void Check(bool ok, string field, string problem)
        {
            if (!ok) throw new ModelFormatException(json.Path, $"field '{field}' {problem}");
        }
        Check(c.PatchSize.Length == 3 && c.PatchSize.All(p => p > 0), "patch_size", "must be three positive integers");
        Check(c.NumAttentionHeads > 0, "num_attention_heads", "must be positive");
        Check(c.AttentionHeadDim > 0 && c.AttentionHeadDim % 2 == 0, "attention_head_dim", "must be a positive even number");
        Check(c.InChannels > 0, "in_channels", "must be positive");
        Check(c.NumLayers > 0, "num_layers", "must be positive");
        Check(c.QkNorm is null or "rms_norm_across_heads", "qk_norm", $"'{c.QkNorm}' is not supported (only rms_norm_across_heads)");
        Check(c.PosEmbedSeqLen is null, "pos_embed_seq_len", "is not supported yet (Wan2.1 FLF2V)");
        Check((c.ImageDim is null) == (c.AddedKvProjDim is null), "image_dim", "and added_kv_proj_dim must be set together (image-to-video)");
        return c;
    }
}
