using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// The converted Wan VAE driven chunk by chunk (see <see cref="WanVaeChunking"/> and docs/VAE.md): one latent frame per
/// decoder call, the causal caches handed from each call's outputs to the next call's inputs without leaving the device.
/// The same graphs serve every resolution and length.
/// </summary>
public sealed class VaeRunner : IDisposable
{
    public const string ComponentName = "vae";

    readonly ExecutionDevice _device;
    readonly ComponentFolder _folder;
    GraphSession _decoderFirst;
    GraphSession _decoder;
    GraphSession? _encoderFirst;
    GraphSession? _encoder;
    (long, long, long)? _decoderShape, _encoderShape;

    public WanVaeNormalization Normalization { get; }

    /// <summary>Spatial and temporal compression of this VAE, from its config (8x for Wan2.1, 16x for Wan2.2).</summary>
    public WanVaeGeometry Geometry { get; }
    public int LatentChannels => Normalization.Channels;
    public TimeSpan CreationTime { get; private set; }

    /// <summary>True when the fused-kernel graphs (<c>*.fused.onnx</c>: channel RMS norm + SiLU as CUDA kernels) are in use.</summary>
    public bool UsesFusedKernels { get; }

    /// <summary>The graph files in use: decoder_first and decoder, then encoder_first and encoder when opened with the encoder.</summary>
    public IReadOnlyList<string> GraphFiles { get; }

    /// <summary>True when the sessions run their convolutions channels-last (<see cref="ExecutionDevice.VaeChannelsLast"/>, fp16 graphs).</summary>
    public bool ChannelsLast { get; }

    VaeRunner(ExecutionDevice device, ComponentFolder folder, bool withEncoder, bool fused)
    {
        _device = device;
        _folder = folder;
        Normalization = WanVaeNormalization.FromConfig(folder.Config());
        Geometry = WanVaeGeometry.FromConfig(folder.Config());
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
        var (first, next) = decoder ? (_decoderFirst, _decoder) : (_encoderFirst!, _encoder!);
        first.Dispose();
        next.Dispose();
        first = OpenGraph(files[0], dims);
        next = OpenGraph(files[1], dims);
        CreationTime += first.CreationTime + next.CreationTime;
        if (decoder) (_decoderFirst, _decoder, _decoderShape) = (first, next, key);
        else (_encoderFirst, _encoder, _encoderShape) = (first, next, key);
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
        _folder.Open(_device, file, withKernels: UsesFusedKernels, fixedDims: dims, oncePerRequest: true, channelsLast: ChannelsLast);

    static IReadOnlyList<string> Graphs(bool withEncoder, bool fused) =>
        WanVaeChunking.Graphs.Take(withEncoder ? 4 : 2).Select(g => fused ? WanVaeChunking.FusedGraph(g) : g).ToList();

    /// <summary>
    /// Opens the decoder graphs, and the encoder graphs when <paramref name="withEncoder"/> (image-to-video): their
    /// fused-kernel variants when the device has the kernel library and the conversion wrote them, else (or when they do
    /// not load and the library is not required, with a <paramref name="notice"/>) the portable ones.
    /// </summary>
    public static VaeRunner Open(string modelFolder, ExecutionDevice device, bool withEncoder, Action<string>? notice = null)
    {
        var folder = ComponentFolder.Open(modelFolder, ComponentName);
        if (device.KernelLibraryPath is not null && Graphs(withEncoder, fused: true).All(folder.HasGraph))
        {
            try
            {
                return new VaeRunner(device, folder, withEncoder, fused: true);
            }
            catch (FastVideoException e) when (!device.KernelLibraryRequired)
            {
                notice?.Invoke($"fused kernels unavailable, using the portable VAE graphs: {e.Message}");
            }
        }
        return new VaeRunner(device, folder, withEncoder, fused: false);
    }

    /// <summary>
    /// Decodes denoiser latents [1, z, f, h, w] (normalised as the transformer sees them) to video [1, 3, F, s·h, s·w] in (s: <see cref="Geometry"/>'s spatial compression)
    /// [-1, 1] on the host, F = 1 + 4 (f - 1).
    /// </summary>
    public HostTensor Decode(HostTensor latents, CancellationToken cancel = default)
    {
        var z = (float[])latents.Data.Clone();
        Normalization.Denormalize(z, latents.Shape);
        long f = latents.Shape[2], h = latents.Shape[3], w = latents.Shape[4];
        var dims = InputDims(decoder: true, latents.Shape);
        Specialise(decoder: true, dims);
        int frames = WanVaeChunking.VideoFrames((int)f);
        long height = h * Geometry.SpatialCompression, width = w * Geometry.SpatialCompression;
        var video = new float[3 * frames * height * width];
        long frameSize = height * width;
        int written = 0;
        RunChunks(_decoderFirst, _decoder, WanVaeChunking.LatentsName, WanVaeChunking.VideoName, (int)f, dims,
            t => (Frame(z, latents.Shape, t, 1), new long[] { 1, latents.Shape[1], 1, h, w }),
            chunk =>
            {
                // chunk [1, 3, n, H, W] goes after the frames written so far in [1, 3, F, H, W]
                int n = chunk.Length / (int)(3 * frameSize);
                for (int c = 0; c < 3; c++)
                    chunk.Slice((int)(c * n * frameSize), (int)(n * frameSize)).CopyTo(video.AsSpan((int)((c * frames + written) * frameSize)));
                written += n;
            }, cachesInPlace: true, cancel);
        return new HostTensor(video, new long[] { 1, 3, frames, height, width });
    }

    /// <summary>
    /// Encodes video [1, 3, F, H, W] in [-1, 1] (F = 1 + 4k) to the posterior mean [1, z, 1 + k, H/s, W/s] (not normalised).
    /// </summary>
    public HostTensor EncodeMean(HostTensor video, CancellationToken cancel = default)
    {
        if (_encoderFirst is null || _encoder is null) throw new InvalidOperationException("the VAE was opened without its encoder");
        long frames = video.Shape[2], height = video.Shape[3], width = video.Shape[4];
        var dims = InputDims(decoder: false, video.Shape);
        Specialise(decoder: false, dims);
        int latentFrames = WanVaeChunking.LatentFrames((int)frames);
        long h = height / Geometry.SpatialCompression, w = width / Geometry.SpatialCompression;
        var mean = new float[LatentChannels * latentFrames * h * w];
        int t0 = 0;
        RunChunks(_encoderFirst, _encoder, WanVaeChunking.VideoName, WanVaeChunking.LatentMeanName, latentFrames, dims,
            t =>
            {
                int start = t == 0 ? 0 : 1 + (t - 1) * WanVaeChunking.TemporalCompression;
                int count = t == 0 ? 1 : WanVaeChunking.TemporalCompression;
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
    /// the previous call wrote (device buffers allocated before the first call, see <see cref="VaeChunkCaches"/>), every
    /// result copied to the host.
    /// <para>
    /// <paramref name="cachesInPlace"/>: each later call writes its caches over the ones it reads, so one set of caches
    /// lives instead of two (about 1.8 GiB for the Wan2.1 decoder at 480x832). That is safe only for graphs whose every
    /// next cache is sliced from the concatenation of the previous cache with the new frames (the decoder's causal
    /// convolutions; see WanVaeCausalConv3d in the exporter): the slice then depends on the read of the old cache, so
    /// ONNX Runtime cannot write it earlier. The encoder's downsampling caches are sliced from the new frames alone.
    /// </para>
    /// </summary>
    void RunChunks(GraphSession first, GraphSession next, string inputName, string outputName, int chunks, IReadOnlyDictionary<string, long> dims,
        Func<int, (float[] Data, long[] Shape)> input, ReadOnlySpanAction consume, bool cachesInPlace, CancellationToken cancel)
    {
        using var caches = VaeChunkCaches.Allocate(first, dims, _device.Memory, sets: cachesInPlace ? 1 : 2);
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
            using var results = (t == 0 ? first : next).Run(inputs, outputs);
            consume(results[0].GetTensorDataAsSpan<float>());
        }
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
        _decoderFirst.Dispose();
        _decoder.Dispose();
        _encoderFirst?.Dispose();
        _encoder?.Dispose();
    }
}
