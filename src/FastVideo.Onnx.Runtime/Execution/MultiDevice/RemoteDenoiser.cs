using System.Diagnostics.CodeAnalysis;
using FastVideo.Onnx.Runtime.Components;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Execution.MultiDevice;

/// <summary>
/// A denoiser whose sessions live on another device, called with tensors of the pipeline's device: each call copies the
/// latent input there, runs, and copies the prediction back. The text and image embeddings are copied only when they
/// are not the ones of the previous call: a pooled tensor counts as the same while it stays rented (its
/// <see cref="DeviceTensor.Lease"/>), since the stages write their embeddings once per request, right after renting;
/// a tensor that never came from a pool is copied on every call.
/// </summary>
internal sealed class RemoteDenoiser : IDenoiser
{
    readonly IDenoiser _inner;
    readonly ExecutionDevice _local;
    readonly ExecutionDevice _remote;
    readonly DeviceLink _link;
    // Rented from the remote device's pool for as long as the shapes stay, returned on Dispose (the pool disposes them).
    [SuppressMessage("Reliability", "CA2213", Justification = "pooled: returned to the remote device's pool, which disposes them")]
    readonly Dictionary<string, DeviceTensor> _buffers = new(StringComparer.Ordinal);
    readonly Dictionary<string, Source> _copied = new(StringComparer.Ordinal);

    /// <summary>What a remote buffer holds a copy of: a rent of a pooled tensor, at an offset, of a shape.</summary>
    readonly record struct Source(DeviceTensor Root, long Lease, long Offset, string Shape)
    {
        public static Source? Of(DeviceTensor t) =>
            t.Root.Lease == 0 ? null : new Source(t.Root, t.Root.Lease, t.RootOffset, string.Join("x", t.Shape));
    }

    /// <param name="inner">The denoiser opened on <paramref name="remote"/> (owned: disposed with this one).</param>
    /// <param name="local">The device of the tensors the calls pass.</param>
    /// <param name="remote">The device <paramref name="inner"/> runs on.</param>
    public RemoteDenoiser(IDenoiser inner, ExecutionDevice local, ExecutionDevice remote)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _local = local;
        _remote = remote;
        _link = new DeviceLink(local, remote);
    }

    /// <summary>The device the wrapped denoiser runs on.</summary>
    public ExecutionDevice Device => _remote;

    public int InChannels => _inner.InChannels;
    public int OutChannels => _inner.OutChannels;
    public bool UsesVsa => _inner.UsesVsa;

    /// <summary>How many embedding copies the calls made so far (text and image; a test sees that unchanged embeddings stay).</summary>
    internal int EmbeddingCopies { get; private set; }

    public void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, DeviceTensor? image, DeviceTensor output, double vsaSparsity = 0)
    {
        var remoteHidden = Buffer("hidden", hidden);
        _link.Copy(hidden, _local, remoteHidden, _remote);
        var remoteText = Embedding("text", text);
        var remoteImage = image is null ? null : Embedding("image", image);
        var remoteOutput = Buffer("output", output);
        _inner.Run(remoteHidden, timesteps, remoteText, remoteImage, remoteOutput, vsaSparsity);
        _link.Copy(remoteOutput, _remote, output, _local);
    }

    DeviceTensor Embedding(string name, DeviceTensor source)
    {
        var buffer = Buffer(name, source);
        var key = Source.Of(source);
        if (key is null || !_copied.TryGetValue(name, out var last) || last != key)
        {
            // Forget the source first: a copy that fails half-way leaves the buffer unknown.
            _copied.Remove(name);
            _link.Copy(source, _local, buffer, _remote);
            EmbeddingCopies++;
            if (key is { } k) _copied[name] = k;
        }
        return buffer;
    }

    DeviceTensor Buffer(string name, DeviceTensor like)
    {
        if (_buffers.TryGetValue(name, out var buffer))
        {
            if (buffer.Shape.SequenceEqual(like.Shape) && buffer.ElementType == like.ElementType) return buffer;
            _buffers.Remove(name);
            _copied.Remove(name);
            _remote.Pool.Return(buffer);
        }
        return _buffers[name] = _remote.Pool.Rent(like.ElementType, like.Shape);
    }

    public void Dispose()
    {
        foreach (var b in _buffers.Values) _remote.Pool.Return(b);
        _buffers.Clear();
        _copied.Clear();
        _link.Dispose();
        _inner.Dispose();
    }
}
