using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>A denoiser runner that reads its <see cref="DenoiserFootprint"/> from its component's config.</summary>
internal interface IDenoiserFootprintReader
{
    static abstract DenoiserFootprint Footprint(JsonConfig config);
}
