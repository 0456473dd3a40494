using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Torch;
using FastVideo.Onnx.Export.Wan;
using TorchSharp;
using static TorchSharp.torch;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>
/// Diffusers' <c>_decode</c> / <c>_encode</c> chunk loops over the Wan VAE definition in TorchSharp (the eager
/// reference): the same per-chunk forwards the graphs are made of, with the caches passed from chunk to chunk.
/// Run inside a <c>torch.NewDisposeScope()</c>.
/// </summary>
public static class VaeEager
{
    /// <summary>The caches each chunk left, for layout checks (first chunk first).</summary>
    public sealed record Trace(List<IReadOnlyList<Tensor>> Caches, List<IReadOnlyList<WanVaeCacheSlot>> Slots);

    public static Tensor Decode(WanVaeModel model, TorchOps ops, Tensor latents, Trace? trace = null) =>
        Loop(latents, 1, 1, (x, cache) => model.DecodeChunk(ops, x, cache), trace);

    public static Tensor Encode(WanVaeModel model, TorchOps ops, Tensor video, Trace? trace = null) =>
        Loop(video, 1, model.Config.Contract.TemporalCompression, (x, cache) => model.EncodeChunk(ops, x, cache), trace);

    static Tensor Loop(Tensor input, int firstFrames, int chunkFrames, Func<Tensor, WanVaeChunkCache<Tensor>, Tensor> chunk, Trace? trace)
    {
        var outputs = new List<Tensor>();
        IReadOnlyList<Tensor>? caches = null;
        for (long start = 0; start < input.shape[2];)
        {
            int frames = caches is null ? firstFrames : chunkFrames;
            var previous = caches;
            var cache = new WanVaeChunkCache<Tensor>(previous is null ? null : slot => previous[slot.Index]);
            outputs.Add(chunk(input.slice(2, start, start + frames, 1), cache));
            caches = cache.Next;
            trace?.Caches.Add(caches);
            trace?.Slots.Add(cache.Slots);
            start += frames;
        }
        return torch.cat(outputs, 2);
    }
}
