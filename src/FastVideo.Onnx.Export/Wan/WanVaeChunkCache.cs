using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Models;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// The causal caches of one chunk of a Wan VAE forward (Diffusers' <c>feat_cache</c> / <c>feat_idx</c>), for any backend.
/// Each cached convolution <see cref="Open"/>s its slot in forward order, receives what the previous chunk left there
/// (nothing on the first chunk), and <see cref="Close"/>s it with what the next chunk needs. The slots are recorded with
/// their channels, frames and spatial level, so the layout the graphs expose is exactly the one the forward used.
/// <para>
/// Diffusers keeps 1 frame after the first chunk and pads the missing one with zeros later; here a cache always has
/// <see cref="WanVaeChunking.CacheFrames"/> frames, zero-filled where Diffusers would pad, which feeds the
/// convolutions the same values and gives every chunk after the first one fixed shapes.
/// </para>
/// </summary>
public sealed class WanVaeChunkCache<T>
{
    readonly Func<WanVaeCacheSlot, T>? _previous;
    readonly List<WanVaeCacheSlot> _slots = new();
    readonly List<T?> _next = new();
    readonly List<bool> _closed = new();

    /// <param name="previous">
    /// What the previous chunk left in a slot (a graph input, or the eager tensor), or null for the first chunk.
    /// </param>
    public WanVaeChunkCache(Func<WanVaeCacheSlot, T>? previous) => _previous = previous;

    /// <summary>The first chunk: caches start empty, and the temporal resamplers skip their time convolution.</summary>
    public bool IsFirstChunk => _previous is null;

    /// <summary>log2 of the current spatial size relative to the chunk input's; the spatial resamplers move it.</summary>
    public int Level { get; set; }

    public IReadOnlyList<WanVaeCacheSlot> Slots => _slots;

    /// <summary>Claims the next slot; returns its index and the previous chunk's value (default on the first chunk).</summary>
    public (int Index, T? Previous) Open(string module, long channels, int frames)
    {
        var slot = new WanVaeCacheSlot(_slots.Count, module, channels, frames, Level);
        _slots.Add(slot);
        _next.Add(default);
        _closed.Add(false);
        return (slot.Index, _previous is null ? default : _previous(slot));
    }

    public void Close(int index, T next)
    {
        if (_closed[index]) throw new InvalidOperationException($"cache slot {index} ({_slots[index].Module}) closed twice");
        _next[index] = next;
        _closed[index] = true;
    }

    /// <summary>What the next chunk receives, slot by slot.</summary>
    public IReadOnlyList<T> Next
    {
        get
        {
            int open = _closed.IndexOf(false);
            if (open >= 0) throw new InvalidOperationException($"cache slot {open} ({_slots[open].Module}) was never closed");
            return _next.Select(v => v!).ToList();
        }
    }
}
