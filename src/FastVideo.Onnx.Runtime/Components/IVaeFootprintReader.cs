using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>A VAE runner that reads its <see cref="VaeFootprint"/> from its component's config.</summary>
internal interface IVaeFootprintReader
{
    static abstract VaeFootprint Footprint(JsonConfig config);
}
