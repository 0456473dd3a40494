using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>A layer of the Wan VAE's flat block lists (residual blocks and resamplers), run with the chunk's caches.</summary>
internal abstract class WanVaeLayer : Module
{
    public abstract T Forward<T>(ITensorOps<T> ops, T x, WanVaeChunkCache<T> cache);
}
