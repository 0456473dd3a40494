using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components.Wan;

/// <summary>
/// The converted Wan VAE driven chunk by chunk (see <see cref="WanVaeChunking"/> and docs/VAE.md): one latent frame per
/// decoder call, the causal caches handed from each call's outputs to the next call's inputs without leaving the device.
/// The same graphs serve every resolution and length; the compression factors are the config's (<see cref="WanVaeContract"/>).
/// </summary>
[ComponentRunner(WanVaeContract.ComponentClass)]
internal sealed class WanVaeRunner : IVaeDecoder, IVaeEncoder, IComponentRunner<WanVaeRunner>, IVaeFootprintReader
{
    readonly ExecutionDevice _device;
    readonly ComponentFolder _folder;
    readonly WanVaeContract _contract;
    GraphSession? _decoderFirst;
    GraphSession? _decoder;
    GraphSession? _encoderFirst;
    GraphSession? _encoder;
    (long, long, long)? _decoderShape, _encoderShape;

    public WanVaeNormalization Normalization { get; }

    public int LatentChannels => Normalization.Channels;

    /// <summary>Latent channels and the compression factors of the config (<c>scale_factor_temporal</c>, <c>scale_factor_spatial</c>).</summary>
    public LatentLayout Latents { get; }
    public TimeSpan CreationTime { get; private set; }

    /// <summary>True when the fused-kernel graphs (<c>*.fused.onnx</c>: channel RMS norm + SiLU as CUDA kernels) are in use.</summary>
    public bool UsesFusedKernels { get; }

    /// <summary>The graph files in use: decoder_first and decoder, then encoder_first and encoder when opened with the encoder.</summary>
    public IReadOnlyList<string> GraphFiles { get; }

    /// <summary>True when the sessions run their convolutions channels-last (<see cref="ExecutionDevice.VaeChannelsLast"/>, fp16 graphs).</summary>
    public bool ChannelsLast { get; }

    WanVaeRunner(ExecutionDevice device, ComponentFolder folder, bool withEncoder, bool fused)
    {
        _device = device;
        _folder = folder;
        var config = folder.Config();
        Normalization = WanVaeNormalization.FromConfig(config);
        _contract = WanVaeContract.FromConfig(config);
        Latents = new LatentLayout(LatentChannels, _contract.TemporalCompression, _contract.SpatialCompression);
        UsesFusedKernels = fused;
        ChannelsLast = device.VaeChannelsLast && folder.Manifest.Precision == DType.Float16.ShortName();
        var files = Graphs(withEncoder, fused);
        var sessions = new List<GraphSession>();
        try
        {
            foreach (var file in files) sessions.Add(OpenGraph(file, null));
        }
        catch
        {
            foreach (var session in sessions) session.Dispose();
            throw;
        }
        GraphFiles = files;
        _decoderFirst = sessions[0];
        _decoder = sessions[1];
        if (withEncoder)
        {
            _encoderFirst = sessions[2];
            _encoder = sessions[3];
        }
        CreationTime = sessions.Aggregate(TimeSpan.Zero, (a, s) => a + s.CreationTime);
    }

    /// <summary>
    /// With shape specialisation (<see cref="ExecutionDevice.SpecializeShapes"/>) a direction's pair of sessions is
    /// reopened for each new (batch, height, width): ONNX Runtime then plans the chunk graph's memory statically.
    /// </summary>
    void Specialise(bool decoder, IReadOnlyDictionary<string, long> dims)
    {
        if (!_device.SpecializeShapes) return;
        var key = (dims[WanVaeChunking.BatchDim], dims[Height(decoder)], dims[Width(decoder)]);
        if (decoder ? _decoderShape == key : _encoderShape == key) return;
        var files = GraphFiles.Skip(decoder ? 0 : 2).Take(2).ToList();
        // The pair's previous sessions are released before the new ones are created (one set of weights at a time); the
        // fields are cleared first, so a failure leaves nothing disposed twice.
        if (decoder)
        {
            _decoderFirst?.Dispose();
            _decoder?.Dispose();
            (_decoderFirst, _decoder, _decoderShape) = (null, null, null);
        }
        else
        {
            _encoderFirst?.Dispose();
            _encoder?.Dispose();
            (_encoderFirst, _encoder, _encoderShape) = (null, null, null);
        }
        var first = OpenGraph(files[0], dims);
        GraphSession next;
        try
        {
            next = OpenGraph(files[1], dims);
        }
        catch
        {
            first.Dispose();
            throw;
        }
        CreationTime += first.CreationTime + next.CreationTime;
        if (decoder)
        {
            _decoderFirst = first;
            _decoder = next;
            _decoderShape = key;
        }
        else
        {
            _encoderFirst = first;
            _encoder = next;
            _encoderShape = key;
        }
    }

    static string Height(bool decoder) => decoder ? WanVaeChunking.LatentHeightDim : WanVaeChunking.VideoHeightDim;
    static string Width(bool decoder) => decoder ? WanVaeChunking.LatentWidthDim : WanVaeChunking.VideoWidthDim;

    /// <summary>The sizes of a direction's named input dims (batch, and the height and width of its input).</summary>
    static IReadOnlyDictionary<string, long> InputDims(bool decoder, long[] inputShape) => new Dictionary<string, long>
    {
        [WanVaeChunking.BatchDim] = inputShape[0],
        [Height(decoder)] = inputShape[3],
        [Width(decoder)] = inputShape[4],
    };

    GraphSession OpenGraph(string file, IReadOnlyDictionary<string, long>? dims) =>
        _folder.Open(_device, file, new SessionSpec { WithKernels = UsesFusedKernels, FixedDims = dims, OncePerRequest = true, ChannelsLast = ChannelsLast });

    static IReadOnlyList<string> Graphs(bool withEncoder, bool fused) =>
        WanVaeChunking.Graphs.Take(withEncoder ? 4 : 2).Select(g => fused ? WanVaeChunking.FusedGraph(g) : g).ToList();

    /// <summary>
    /// Opens the decoder graphs, and the encoder graphs when <paramref name="withEncoder"/> (image-to-video): their
    /// fused-kernel variants when the device has the kernel library and the conversion wrote them, else (or when they do
    /// not load and the library is not required, with a <paramref name="notice"/>) the portable ones.
    /// </summary>
    public static VaeFootprint Footprint(Core.Json.JsonConfig config)
    {
        int[] dimMult = config.GetIntArray("dim_mult", new[] { 1, 2, 4, 4 });
        int baseDim = config.GetIntOrNull("decoder_base_dim") ?? config.GetInt("base_dim", 96);
        // The decoder's last stages run at full resolution at the widest of its two last widths (it halves the width on
        // the way up).
        return new VaeFootprint(baseDim * Math.Max(dimMult[0], dimMult.Length > 1 ? dimMult[1] : dimMult[0]),
            config.GetIntOrNull("scale_factor_temporal") ?? 4, config.GetIntOrNull("scale_factor_spatial") ?? 8,
            Math.Max(1, config.GetIntOrNull("patch_size") ?? 1));
    }

    public static WanVaeRunner Open(ComponentRequest request)
    {
        var device = request.Device;
        bool withEncoder = request.WithEncoder;
        var folder = ComponentFolder.Open(request.ModelFolder, request.Component);
        if (device.KernelLibrary is not null && Graphs(withEncoder, fused: true).All(folder.HasGraph))
        {
            try
            {
                return new WanVaeRunner(device, folder, withEncoder, fused: true);
            }
            catch (FastVideoException e) when (!device.KernelLibraryRequired)
            {
                request.Notice?.Invoke($"fused kernels unavailable, using the portable VAE graphs: {e.Message}");
            }
        }
        return new WanVaeRunner(device, folder, withEncoder, fused: false);
    }

    /// <summary>
    /// Decodes denoiser latents [1, z, f, h, w] (normalised as the transformer sees them) to video [1, 3, F, s·h, s·w] in
    /// [-1, 1] on the host, F = 1 + t (f - 1) (t, s: the temporal and spatial compression).
    /// </summary>
    public HostTensor Decode(HostTensor latents, CancellationToken cancel = default, Action<int, int>? chunkDone = null)
    {
        ObjectDisposedException.ThrowIf(_decoderFirst is null || _decoder is null, this);
        var z = (float[])latents.Data.Clone();
        Normalization.Denormalize(z, latents.Shape);
        long f = latents.Shape[2], h = latents.Shape[3], w = latents.Shape[4];
        var dims = InputDims(decoder: true, latents.Shape);
        Specialise(decoder: true, dims);
        int frames = _contract.VideoFrames((int)f);
        long height = h * _contract.SpatialCompression, width = w * _contract.SpatialCompression;
        // every element is written by the chunks (checked below): no zeroing of a few hundred MB first
        var video = GC.AllocateUninitializedArray<float>(checked((int)(3 * frames * height * width)));
        long frameSize = height * width;
        int written = 0, decoded = 0;
        RunChunks(_decoderFirst!, _decoder!, WanVaeChunking.LatentsName, WanVaeChunking.VideoName, (int)f, dims,
            t => (Frame(z, latents.Shape, t, 1), new long[] { 1, latents.Shape[1], 1, h, w }),
            chunk =>
            {
                // chunk [1, 3, n, H, W] goes after the frames written so far in [1, 3, F, H, W]
                int n = chunk.Length / (int)(3 * frameSize);
                for (int c = 0; c < 3; c++)
                    chunk.Slice((int)(c * n * frameSize), (int)(n * frameSize)).CopyTo(video.AsSpan((int)((c * frames + written) * frameSize)));
                written += n;
                chunkDone?.Invoke(++decoded, (int)f);
            }, cachesInPlace: true, cancel);
        if (written != frames) throw new InvalidOperationException($"the decoder's chunks gave {written} frames, expected {frames}");
        return new HostTensor(video, new long[] { 1, 3, frames, height, width });
    }

    /// <summary>
    /// Encodes video [1, 3, F, H, W] in [-1, 1] (F = 1 + t·k) to latents [1, z, 1 + k, H/s, W/s], normalised as the
    /// transformer sees them (the posterior mean, then <see cref="WanVaeNormalization.Normalize"/>).
    /// </summary>
    public HostTensor Encode(HostTensor video, CancellationToken cancel = default)
    {
        var mean = EncodeMean(video, cancel);
        Normalization.Normalize(mean.Data, mean.Shape);
        return mean;
    }

    /// <summary>
    /// Encodes video [1, 3, F, H, W] in [-1, 1] (F = 1 + t·k) to the posterior mean [1, z, 1 + k, H/s, W/s] (not normalised).
    /// </summary>
    public HostTensor EncodeMean(HostTensor video, CancellationToken cancel = default)
    {
        if (_encoderFirst is null || _encoder is null) throw new InvalidOperationException("the VAE was opened without its encoder");
        long frames = video.Shape[2], height = video.Shape[3], width = video.Shape[4];
        var dims = InputDims(decoder: false, video.Shape);
        Specialise(decoder: false, dims);
        int latentFrames = _contract.LatentFrames((int)frames);
        long h = height / _contract.SpatialCompression, w = width / _contract.SpatialCompression;
        var mean = new float[LatentChannels * latentFrames * h * w];
        int t0 = 0;
        RunChunks(_encoderFirst!, _encoder!, WanVaeChunking.VideoName, WanVaeChunking.LatentMeanName, latentFrames, dims,
            t =>
            {
                int start = t == 0 ? 0 : 1 + (t - 1) * _contract.TemporalCompression;
                int count = t == 0 ? 1 : _contract.TemporalCompression;
                return (Frame(video.Data, video.Shape, start, count), new long[] { 1, 3, count, height, width });
            },
            chunk =>
            {
                // chunk: [1, z, 1, h, w] -> frame t0 of [1, z, f, h, w]
                long plane = h * w;
                for (int c = 0; c < LatentChannels; c++)
                    chunk.Slice((int)(c * plane), (int)plane).CopyTo(mean.AsSpan((int)((c * latentFrames + t0) * plane)));
                t0++;
            }, cachesInPlace: false, cancel);
        return new HostTensor(mean, new long[] { 1, LatentChannels, latentFrames, h, w });
    }

    /// <summary>
    /// The chunk loop shared by decoding and encoding: the first call without caches, then each call with the caches
    /// the previous call wrote (device buffers allocated before the first call, see <see cref="WanVaeChunkCaches"/>), every
    /// result copied to the host.
    /// <para>
    /// <paramref name="cachesInPlace"/>: each later call writes its caches over the ones it reads, so one set of caches
    /// lives instead of two (about 1.8 GiB for the Wan2.1 decoder at 480x832). That is safe only for graphs whose every
    /// next cache is sliced from the concatenation of the previous cache with the new frames (the decoder's causal
    /// convolutions; see WanVaeCausalConv3d in the exporter): the slice then depends on the read of the old cache, so
    /// ONNX Runtime cannot write it earlier. The encoder's downsampling caches are sliced from the new frames alone.
    /// </para>
    /// <para>
    /// Each chunk's result is consumed (copied out on the host) on another thread while the next chunk runs, one chunk at
    /// a time and in order: on one H200 the host work around the chunk runs of a 61x448x832 decode took 180 of its
    /// 1,029 ms, time in which the GPU waited. Every consumer has finished when this returns or throws.
    /// </para>
    /// </summary>
    void RunChunks(GraphSession first, GraphSession next, string inputName, string outputName, int chunks, IReadOnlyDictionary<string, long> dims,
        Func<int, (float[] Data, long[] Shape)> input, ReadOnlySpanAction consume, bool cachesInPlace, CancellationToken cancel)
    {
        using var caches = WanVaeChunkCaches.Allocate(first, dims, _device.Memory, sets: cachesInPlace ? 1 : 2);
        Task? consuming = null;
        try
        {
            for (int t = 0; t < chunks; t++)
            {
                cancel.ThrowIfCancellationRequested();
                var (data, shape) = input(t);
                using var x = OrtValue.CreateTensorValueFromMemory(data, shape);
                var inputs = new List<(string, OrtValue)> { (inputName, x) };
                if (t > 0)
                    inputs.AddRange(caches.InputNames.Select((n, i) => (n, caches.Read(t)[i].Value)));
                var outputs = new List<OutputBinding> { OutputBinding.Allocate(outputName, OrtMemoryInfo.DefaultInstance) };
                outputs.AddRange(caches.OutputNames.Select((n, i) => OutputBinding.Into(n, caches.Written(t)[i].Value)));
                var results = (t == 0 ? first : next).Run(inputs, outputs);
                var previous = consuming;
                consuming = Task.Run(() =>
                {
                    try
                    {
                        previous?.GetAwaiter().GetResult();  // in chunk order; a failed chunk fails the ones after it
                        consume(results[0].GetTensorDataAsSpan<float>());
                    }
                    finally
                    {
                        results.Dispose();
                    }
                });
            }
        }
        catch
        {
            // the consumers end before the caller's buffers are left behind; the loop's own failure is the one reported
            try { consuming?.Wait(); } catch (AggregateException) { }
            throw;
        }
        consuming?.GetAwaiter().GetResult();
        // a cancellation that came while the last chunks ran (or from a consumer) still ends the call
        cancel.ThrowIfCancellationRequested();
    }

    /// <summary>Takes one chunk's result where it lies (in ONNX Runtime's output tensor on the host), without a copy.</summary>
    delegate void ReadOnlySpanAction(ReadOnlySpan<float> chunk);

    /// <summary>Frames [start, start + count) of a [1, C, F, H, W] tensor as [1, C, count, H, W].</summary>
    static float[] Frame(float[] data, long[] shape, long start, long count)
    {
        long channels = shape[1], frames = shape[2], plane = shape[3] * shape[4];
        var result = new float[channels * count * plane];
        for (long c = 0; c < channels; c++)
            data.AsSpan((int)((c * frames + start) * plane), (int)(count * plane)).CopyTo(result.AsSpan((int)(c * count * plane)));
        return result;
    }

    public void Dispose()
    {
        _decoderFirst?.Dispose();
        _decoder?.Dispose();
        _encoderFirst?.Dispose();
        _encoder?.Dispose();
        (_decoderFirst, _decoder, _encoderFirst, _encoder) = (null, null, null, null);
    }
}
