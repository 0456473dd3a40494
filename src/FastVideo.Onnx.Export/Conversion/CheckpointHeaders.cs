using FastVideo.Onnx.Core.Safetensors;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>For exporters whose definition depends on how a checkpoint names its keys (prefixes, tied weights).</summary>
internal static class CheckpointHeaders
{
    /// <summary>The folder's weights (headers only), or null when it has no safetensors files yet (a folder of configs).</summary>
    public static WeightArchive? TryOpen(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.safetensors*").Any() ? WeightArchive.Open(folder) : null;
}
