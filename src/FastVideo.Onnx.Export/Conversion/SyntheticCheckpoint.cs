using System.Buffers;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Registries;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// Writes random weights in the Diffusers layout for a folder of configs (model_index.json + component config.json
/// files), so conversion and inference can be measured at real sizes without downloading checkpoints. The values
/// come from <see cref="RandomWeights"/>; files are streamed and sharded like published checkpoints. Never commit
/// the result.
/// </summary>
internal static class SyntheticCheckpoint
{
    public const long DefaultShardBytes = 5L << 30;

    /// <summary>Adds weight files to each listed component of <paramref name="modelFolder"/> that has a model definition.</summary>
    public static IReadOnlyList<(string Component, long Bytes)> Write(string modelFolder, DType dtype, IReadOnlyCollection<string>? components = null,
        long maxShardBytes = DefaultShardBytes, IProgress<(string Component, long Bytes, long Total)>? progress = null)
    {
        var index = ModelIndex.Load(modelFolder);
        var registry = new EntryRegistry<ComponentExporterAttribute, IComponentExporter>("component class", typeof(SyntheticCheckpoint).Assembly);
        var written = new List<(string, long)>();
        foreach (var entry in index.Components)
        {
            if (components is not null && !components.Contains(entry.Name)) continue;
            if (registry.Create(entry.ClassName, entry.Name) is not IDefinitionProvider provider) continue;
            string folder = index.ComponentFolder(entry.Name);
            var definition = provider.Define(new ComponentSource(entry, folder, index, dtype));
            var parameters = definition.Parameters().ToList();
            var random = new RandomWeights(parameters, dtype);
            var specs = parameters.Select(p => new TensorSpec(p.Name, dtype, p.Shape)).ToList();
            long total = specs.Sum(s => s.ByteLength), done = 0;
            string stem = entry.Library == "transformers" ? "model" : "diffusion_pytorch_model";
            SafetensorsWriter.WriteSharded(folder, stem, specs, maxShardBytes, (spec, stream) =>
            {
                StreamTensor(random, spec, stream);
                done += spec.ByteLength;
                progress?.Report((entry.Name, done, total));
            });
            written.Add((entry.Name, total));
        }
        if (written.Count == 0) throw new FastVideoException($"{modelFolder}: no component with a model definition to fill");
        return written;
    }

    static void StreamTensor(IWeightSource source, TensorSpec spec, Stream output)
    {
        const int chunk = 1 << 20;
        long n = spec.ByteLength / spec.DType.Size();
        var floats = ArrayPool<float>.Shared.Rent(chunk);
        var bytes = ArrayPool<byte>.Shared.Rent(chunk * spec.DType.Size());
        try
        {
            for (long start = 0; start < n; start += chunk)
            {
                int count = (int)Math.Min(chunk, n - start);
                source.ReadSingle(spec.Name, start, floats.AsSpan(0, count));
                var outBytes = bytes.AsSpan(0, count * spec.DType.Size());
                FloatConversion.FromSingle(floats.AsSpan(0, count), spec.DType, outBytes);
                output.Write(outBytes);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(floats);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
