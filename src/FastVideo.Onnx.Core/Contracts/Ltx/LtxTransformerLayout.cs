using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Core.Contracts.Ltx;

/// <summary>What the runtime reads from an LTXVideoTransformer3DModel config.json: channel counts and patch sizes.</summary>
internal sealed record LtxTransformerLayout(int InChannels, int OutChannels, int CaptionChannels, int PatchSize, int PatchSizeT)
{
    public const string ComponentClass = "LTXVideoTransformer3DModel";

    public static LtxTransformerLayout FromConfig(JsonConfig config)
    {
        int inChannels = config.GetInt("in_channels", 128);
        return new LtxTransformerLayout(inChannels, config.GetIntOrNull("out_channels") ?? inChannels, config.GetInt("caption_channels", 4096),
            config.GetInt("patch_size", 1), config.GetInt("patch_size_t", 1));
    }
}
