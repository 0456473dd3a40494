using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>
/// Drives a converted Wan VAE's chunk graphs on ONNX Runtime's CPU execution provider the way the runtime does
/// (<see cref="WanVaeChunking"/>): the first graph on the first chunk, the other on each later chunk, every
/// <c>next_cache_i</c> output handed back as input <c>cache_i</c> as an OrtValue (never read or converted), the per-chunk
/// outputs concatenated along the frame axis. Graph files come from the component's manifest.json.
/// </summary>
public sealed class VaeChunkRunner : IDisposable
{
    readonly InferenceSession _first;
    readonly InferenceSession _next;
    readonly string _inputName;
    readonly string _outputName;
    readonly int _firstFrames;
    readonly int _chunkFrames;

    VaeChunkRunner(string folder, string firstGraph, string nextGraph, string input, string output, int firstFrames, int chunkFrames)
    {
        var manifest = ComponentManifest.Load(folder);
        var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _first = new InferenceSession(Path.Combine(folder, manifest.Graph(firstGraph, folder).File), options);
        _next = new InferenceSession(Path.Combine(folder, manifest.Graph(nextGraph, folder).File), options);
        (_inputName, _outputName, _firstFrames, _chunkFrames) = (input, output, firstFrames, chunkFrames);
    }

    /// <summary>Decodes de-normalised latents [B, z, F, h, w] to video [B, 3, 1 + 4(F-1), 8h, 8w].</summary>
    public static VaeChunkRunner Decoder(string folder) =>
        new(folder, WanVaeChunking.DecoderFirstGraph, WanVaeChunking.DecoderGraph, WanVaeChunking.LatentsName, WanVaeChunking.VideoName, 1, 1);

    /// <summary>Encodes video [B, 3, 1 + 4k, H, W] to posterior means [B, z, 1 + k, H/8, W/8].</summary>
    public static VaeChunkRunner Encoder(string folder) =>
        new(folder, WanVaeChunking.EncoderFirstGraph, WanVaeChunking.EncoderGraph, WanVaeChunking.VideoName, WanVaeChunking.LatentMeanName,
            1, WanVaeContract.FromConfig(JsonConfig.Load(Path.Combine(folder, "config.json"))).TemporalCompression);

    /// <summary>Names of the cache inputs of the chunk graph, in slot order.</summary>
    public IReadOnlyList<string> CacheInputs => _next.InputNames.Where(n => n.StartsWith(WanVaeChunking.CachePrefix, StringComparison.Ordinal)).ToList();

    public (float[] Data, long[] Shape) Run(float[] data, long[] shape)
    {
        var chunks = new List<(float[] Data, long[] Shape)>();
        IDisposableReadOnlyCollection<OrtValue>? previous = null;
        Dictionary<string, OrtValue>? caches = null;
        using var runOptions = new RunOptions();
        try
        {
            for (int start = 0; start < shape[2];)
            {
                var session = previous is null ? _first : _next;
                int frames = previous is null ? _firstFrames : _chunkFrames;
                if (start + frames > shape[2]) throw new ArgumentException($"{shape[2]} frames do not split into chunks of {_firstFrames} then {_chunkFrames}");
                var (chunk, chunkShape) = Frames.Slice(data, shape, start, frames);
                using var input = OrtValue.CreateTensorValueFromMemory(chunk, chunkShape);
                var names = new List<string> { _inputName };
                var values = new List<OrtValue> { input };
                foreach (var name in session.InputNames.Where(n => n != _inputName))
                {
                    // cache_i <- next_cache_i of the previous call; the first graph takes no caches
                    names.Add(name);
                    values.Add(caches![WanVaeChunking.NextCachePrefix + name[WanVaeChunking.CachePrefix.Length..]]);
                }
                var outputs = session.Run(runOptions, names, values, session.OutputNames);
                var result = outputs[session.OutputNames.ToList().IndexOf(_outputName)];
                chunks.Add((result.GetTensorDataAsSpan<float>().ToArray(), result.GetTensorTypeAndShape().Shape));
                previous?.Dispose();
                previous = outputs;
                caches = session.OutputNames.Select((n, i) => (n, i)).Where(p => p.n.StartsWith(WanVaeChunking.NextCachePrefix, StringComparison.Ordinal))
                    .ToDictionary(p => p.n, p => outputs[p.i]);
                start += frames;
            }
        }
        finally
        {
            previous?.Dispose();
        }
        return Frames.Concat(chunks);
    }

    public void Dispose()
    {
        _first.Dispose();
        _next.Dispose();
    }
}
