using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Runtime.Execution;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components.Wan;

/// <summary>
/// The device buffers a VAE chunk loop keeps its causal caches in, allocated before the first call from the chunk
/// sessions' own allocator (the device's shared arena where there is one) and freed when the loop ends. Allocating them
/// up front, rather than letting ONNX Runtime allocate them as outputs of the first call, keeps them out of the middle
/// of that call's activations: the arena then serves every later decode from the same free blocks instead of growing.
/// <para>
/// One set when each call rewrites the caches it reads (the decoder), two alternating sets otherwise (the encoder):
/// call t writes <see cref="Written"/>(t) and reads <see cref="Read"/>(t), the set call t - 1 wrote.
/// </para>
/// </summary>
internal sealed class WanVaeChunkCaches : IDisposable
{
    readonly OrtAllocator _allocator;
    readonly List<DeviceTensor[]> _sets = new();

    /// <summary>The cache outputs (<c>next_cache_i</c>) in slot order; input <c>cache_i</c> of the next call reads slot i.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The matching cache inputs (<c>cache_i</c>) of the later calls.</summary>
    public IReadOnlyList<string> InputNames { get; }

    WanVaeChunkCaches(OrtAllocator allocator, IReadOnlyList<string> outputNames)
    {
        _allocator = allocator;
        OutputNames = outputNames;
        InputNames = outputNames.Select(n => WanVaeChunking.CachePrefix + n[WanVaeChunking.NextCachePrefix.Length..]).ToList();
    }

    /// <summary>
    /// Allocates <paramref name="sets"/> sets of the caches <paramref name="session"/> (a first-chunk graph) outputs, its
    /// named dims sized by <paramref name="dims"/> (batch and the input's height and width).
    /// </summary>
    public static WanVaeChunkCaches Allocate(GraphSession session, IReadOnlyDictionary<string, long> dims, OrtMemoryInfo memory, int sets)
    {
        var names = session.OutputNames.Where(n => n.StartsWith(WanVaeChunking.NextCachePrefix, StringComparison.Ordinal)).ToList();
        var signatures = names.Select(n => session.OutputSignature(n, d => WanVaeChunking.ResolveDim(d, dims))).ToList();
        var caches = new WanVaeChunkCaches(session.CreateAllocator(memory), names);
        try
        {
            for (int i = 0; i < sets; i++)
            {
                var set = new DeviceTensor[names.Count];
                caches._sets.Add(set);
                for (int j = 0; j < names.Count; j++) set[j] = DeviceTensor.Allocate(caches._allocator, memory, signatures[j].Type, signatures[j].Shape);
            }
            return caches;
        }
        catch
        {
            caches.Dispose();
            throw;
        }
    }

    /// <summary>The caches call <paramref name="call"/> writes.</summary>
    public IReadOnlyList<DeviceTensor> Written(int call) => _sets[call % _sets.Count];

    /// <summary>The caches call <paramref name="call"/> (not the first) reads: those call - 1 wrote.</summary>
    public IReadOnlyList<DeviceTensor> Read(int call) =>
        call >= 1 ? _sets[(call - 1) % _sets.Count] : throw new ArgumentOutOfRangeException(nameof(call), "the first call reads no caches");

    public void Dispose()
    {
        foreach (var set in _sets)
            foreach (var t in set)
                t?.Dispose();
        _allocator.Dispose();
    }
}
