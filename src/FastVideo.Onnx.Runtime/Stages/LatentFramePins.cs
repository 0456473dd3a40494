using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// Leading latent frames held at given values through a denoising loop (image-to-video where the encoded image is
/// latent frame 0, <see cref="Pipelines.ForwardBatch.FirstFrameLatents"/>): before every step they overwrite those
/// frames in each batch entry of the transformer's input, on the device, and at the end they replace the same frames of
/// the final latents (whatever the scheduler made of them is discarded).
/// </summary>
internal sealed class LatentFramePins
{
    readonly IDeviceMath _math;
    readonly HostTensor _frames;
    readonly DeviceTensor[] _sources;
    readonly DeviceTensor[] _targets;
    readonly long _channels, _span, _grid;

    /// <summary>How many leading latent frames are pinned.</summary>
    public int Frames { get; }

    /// <param name="frames">[1, C, k, h, w]: the first k latent frames.</param>
    /// <param name="hidden">The transformer's input [B, in_channels, f, h, w], the latents in its first C channels.</param>
    /// <param name="latentShape">[1, C, f, h, w].</param>
    public LatentFramePins(HostTensor frames, DeviceBuffers buffers, DeviceTensor hidden, long[] latentShape)
    {
        var s = frames.Shape;
        if (s.Length != 5 || s[0] != 1 || s[1] != latentShape[1] || s[2] < 1 || s[2] > latentShape[2] || s[3] != latentShape[3] || s[4] != latentShape[4])
            throw new InvalidOperationException($"first-frame latents {frames.ShapeText} do not fit the latents [{string.Join(", ", latentShape)}]");
        _math = buffers.Math;
        _frames = frames;
        Frames = (int)s[2];
        long plane = latentShape[3] * latentShape[4];
        (_channels, _span, _grid) = (latentShape[1], Frames * plane, latentShape[2] * plane);
        long entries = hidden.Shape[0], inChannels = hidden.Shape[1];
        var device = buffers.Rent(_channels, _span);
        _math.Upload(frames.Data, device);
        // Channel-major layout: a channel's pinned frames are one contiguous run, in the source and in each batch entry.
        _sources = Enumerable.Range(0, (int)_channels).Select(ch => buffers.View(device, ch * _span, new[] { _span })).ToArray();
        _targets = Enumerable.Range(0, (int)(entries * _channels))
            .Select(k => buffers.View(hidden, k / _channels * inChannels * _grid + k % _channels * _grid, new[] { _span })).ToArray();
    }

    /// <summary>Writes the pinned frames into the transformer's input (after the step's latents were copied there).</summary>
    public void Apply()
    {
        for (int k = 0; k < _targets.Length; k++) _math.Copy(_sources[k % (int)_channels], _targets[k]);
    }

    /// <summary>Replaces the pinned frames of the final latents <paramref name="latents"/> ([1, C, f, h, w], host).</summary>
    public void Restore(float[] latents)
    {
        for (long ch = 0; ch < _channels; ch++)
            _frames.Data.AsSpan((int)(ch * _span), (int)_span).CopyTo(latents.AsSpan((int)(ch * _grid)));
    }
}
