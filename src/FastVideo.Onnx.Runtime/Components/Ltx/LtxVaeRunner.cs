using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components.Ltx;

/// <summary>
/// The LTX-Video VAE's whole-video decoder graph (<see cref="LtxVaeContract"/>): it de-normalises the latents with the
/// checkpoint's statistics itself and, when timestep-conditioned, mixes in the decode noise and takes the decode timestep.
/// </summary>
[ComponentRunner(LtxVaeLayout.ComponentClass)]
internal sealed class LtxVaeRunner : ITimestepVaeDecoder, IComponentRunner<LtxVaeRunner>, IVaeFootprintReader
{
    readonly GraphSession _decoder;
    readonly LtxVaeLayout _layout;

    public LatentLayout Latents { get; }
    public bool TimestepConditioned => _layout.TimestepConditioning;

    LtxVaeRunner(GraphSession decoder, LtxVaeLayout layout)
    {
        _decoder = decoder;
        _layout = layout;
        Latents = new LatentLayout(layout.LatentChannels, layout.TemporalCompression, layout.SpatialCompression);
    }

    /// <summary>
    /// Full-resolution width: the bound the estimate has used for every VAE (192). Measured on one H200 (2026-12-01,
    /// 161x512x768, fp16, the whole video in one graph): 9.02 GiB, which this bound estimates at 1.9x (a test holds it
    /// within 2x); the decoder's real widest stages run at a quarter of the resolution and on all frames at once.
    /// </summary>
    const int FullResolutionBound = 192;

    public static VaeFootprint Footprint(Core.Json.JsonConfig config)
    {
        var layout = LtxVaeLayout.FromConfig(config);
        return new VaeFootprint(FullResolutionBound, layout.TemporalCompression, layout.SpatialCompression);
    }

    public static LtxVaeRunner Open(ComponentRequest request)
    {
        var folder = ComponentFolder.Open(request.ModelFolder, request.Component);
        var layout = LtxVaeLayout.FromConfig(folder.Config());
        var decoder = folder.OpenRequiring(request.Device, LtxVaeContract.DecoderGraph, new SessionSpec { OncePerRequest = true },
            layout.TimestepConditioning
                ? new[] { LtxVaeContract.Latents, LtxVaeContract.Timestep, LtxVaeContract.DecodeNoise, LtxVaeContract.DecodeNoiseScale }
                : new[] { LtxVaeContract.Latents });
        return new LtxVaeRunner(decoder, layout);
    }

    public HostTensor Decode(HostTensor latents, CancellationToken cancel = default, Action<int, int>? chunkDone = null)
    {
        if (TimestepConditioned)
            throw new InvalidOperationException("this VAE's decoder is timestep-conditioned: decode with a timestep, noise and noise scale");
        // One graph decodes the whole video: a single chunk.
        var video = Run(latents, null, cancel);
        chunkDone?.Invoke(1, 1);
        return video;
    }

    public HostTensor Decode(HostTensor latents, float timestep, HostTensor noise, float noiseScale, CancellationToken cancel = default)
    {
        if (!TimestepConditioned) return Run(latents, null, cancel);
        if (!noise.Shape.SequenceEqual(latents.Shape))
            throw new ArgumentException($"decode noise has shape [{string.Join(", ", noise.Shape)}], the latents [{string.Join(", ", latents.Shape)}]", nameof(noise));
        return Run(latents, (timestep, noise, noiseScale), cancel);
    }

    HostTensor Run(HostTensor latents, (float Timestep, HostTensor Noise, float Scale)? conditioning, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        var values = new List<OrtValue>();
        try
        {
            OrtValue Value<T>(T[] data, long[] shape) where T : unmanaged
            {
                var v = OrtValue.CreateTensorValueFromMemory(data, shape);
                values.Add(v);
                return v;
            }
            long batch = latents.Shape[0];
            var inputs = new List<(string, OrtValue)> { (LtxVaeContract.Latents, Value(latents.Data, latents.Shape)) };
            if (conditioning is var (t, noise, scale))
            {
                inputs.Add((LtxVaeContract.Timestep, Value(Enumerable.Repeat(t, (int)batch).ToArray(), new[] { batch })));
                inputs.Add((LtxVaeContract.DecodeNoise, Value(noise.Data, noise.Shape)));
                inputs.Add((LtxVaeContract.DecodeNoiseScale, Value(Enumerable.Repeat(scale, (int)batch).ToArray(), new[] { batch })));
            }
            // The video is written by ONNX Runtime straight into the array returned: one copy from the device (a whole
            // 161x512x768 video is 760 MB of float32). Letting it allocate the output and copying that out took a second
            // copy and a second set of fresh pages: on one H200 the time outside the graph's run was half the decode's.
            long[] shape = VideoShape(latents.Shape);
            var video = GC.AllocateUninitializedArray<float>(checked((int)shape.Aggregate(1L, (a, b) => a * b)));
            _decoder.Run(inputs, new[] { (LtxVaeContract.Video, Value(video, shape)) });
            return new HostTensor(video, shape);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>The decoder's video [B, 3, 1 + t·(f − 1), s·h, s·w] for latents [B, C, f, h, w] (t, s: the compression factors).</summary>
    long[] VideoShape(long[] latents) => new[]
    {
        latents[0], 3, 1 + _layout.TemporalCompression * (latents[2] - 1), _layout.SpatialCompression * latents[3], _layout.SpatialCompression * latents[4],
    };

    public void Dispose() => _decoder.Dispose();
}
