using System.Buffers;
using System.Runtime.InteropServices;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using Google.Protobuf;
using Onnx;

namespace FastVideo.Onnx.Export.Onnx;

/// <summary>
/// Writes a built graph as <c>model.onnx</c> plus one external data file holding every initializer larger than
/// <see cref="InlineLimit"/> bytes. Weights are streamed from the <see cref="IWeightSource"/> in chunks and converted
/// on the way, so memory stays at one chunk per tensor (a whole tensor only when it must be transposed). The
/// protobuf stays small (no 2 GB limit) and any ONNX runtime can load the pair.
/// </summary>
internal sealed class OnnxModelWriter
{
    public const long InlineLimit = 1024;
    const int ChunkElements = 1 << 20;

    public string ProducerName { get; init; } = "FastVideo.Onnx";
    public string ProducerVersion { get; init; } = typeof(OnnxModelWriter).Assembly.GetName().Version?.ToString(3) ?? "0";
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Writes <paramref name="onnxPath"/> with its own data file (<paramref name="onnxPath"/>.data). Returns the bytes written.</summary>
    public long Write(OnnxGraphBuilder graph, IWeightSource? weights, string onnxPath, string graphName,
        IProgress<long>? bytesWritten = null, CancellationToken cancel = default)
    {
        string dataPath = Path.GetFullPath(onnxPath) + ".data";
        long total;
        using (var data = new ExternalDataFile(dataPath))
            total = Write(graph, weights, onnxPath, graphName, data, bytesWritten, cancel) + data.Length;
        if (new FileInfo(dataPath).Length == 0) File.Delete(dataPath);
        return total;
    }

    /// <summary>
    /// Writes <paramref name="onnxPath"/>, appending its large initializers to <paramref name="data"/> (which must be in
    /// the same folder). Initializers already in <paramref name="data"/> are referenced, not written again.
    /// Returns the size of the .onnx file.
    /// </summary>
    public long Write(OnnxGraphBuilder graph, IWeightSource? weights, string onnxPath, string graphName, ExternalDataFile data,
        IProgress<long>? bytesWritten = null, CancellationToken cancel = default)
    {
        var g = new GraphProto { Name = graphName };
        g.Node.AddRange(graph.Nodes);
        g.Input.AddRange(graph.Inputs);
        g.Output.AddRange(graph.Outputs);

        long done = 0;
        foreach (var init in graph.Initializers)
        {
            cancel.ThrowIfCancellationRequested();
            var tensor = new TensorProto { Name = init.Name, DataType = (int)OnnxGraphBuilder.ToOnnx(init.DType) };
            tensor.Dims.AddRange(init.Shape);
            if (init.ByteLength <= InlineLimit)
            {
                tensor.RawData = ByteString.CopyFrom(init.InlineData ?? ReadWhole(init, weights));
            }
            else
            {
                string key = init.InlineData is null ? init.Name : init.Name + "#" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(init.InlineData));
                if (!data.TryGet(key, out var location))
                {
                    location = data.Append(key, stream =>
                    {
                        if (init.InlineData is not null) stream.Write(init.InlineData);
                        else StreamWeight(init, weights ?? throw new InvalidOperationException("graph has weights but no weight source"), stream, cancel);
                    });
                }
                tensor.DataLocation = TensorProto.Types.DataLocation.External;
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = data.FileName });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = location.Offset.ToString() });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = location.Length.ToString() });
            }
            g.Initializer.Add(tensor);
            done += init.ByteLength;
            bytesWritten?.Report(done);
        }

        var model = new ModelProto
        {
            IrVersion = 10,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            Graph = g,
        };
        foreach (var domain in graph.Domains.OrderBy(d => d, StringComparer.Ordinal))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = domain == "" ? graph.Opset : 1 });
        foreach (var (k, v) in Metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        using (var fs = File.Create(onnxPath)) model.WriteTo(fs);
        return new FileInfo(onnxPath).Length;
    }

    static byte[] ReadWhole(Initializer init, IWeightSource? weights)
    {
        if (weights is null || init.SourceWeight is null) throw new InvalidOperationException($"initializer '{init.Name}' has no data");
        var values = new float[init.ElementCount];
        weights.ReadSingle(init.SourceWeight, 0, values);
        if (init.Transposed) values = Transpose(values, init.Shape[1], init.Shape[0]);
        var bytes = new byte[init.ByteLength];
        FloatConversion.FromSingle(values, init.DType, bytes);
        return bytes;
    }

    static void StreamWeight(Initializer init, IWeightSource weights, Stream data, CancellationToken cancel)
    {
        if (init.Transposed && !weights.LayoutFree)
        {
            // A transpose needs the whole matrix; the largest linear weights of the supported models are a few hundred MB.
            data.Write(ReadWhole(init, weights));
            return;
        }
        long n = init.ElementCount;
        var floats = ArrayPool<float>.Shared.Rent(ChunkElements);
        var bytes = ArrayPool<byte>.Shared.Rent(ChunkElements * init.DType.Size());
        try
        {
            for (long start = 0; start < n; start += ChunkElements)
            {
                cancel.ThrowIfCancellationRequested();
                int count = (int)Math.Min(ChunkElements, n - start);
                weights.ReadSingle(init.SourceWeight!, start, floats.AsSpan(0, count));
                var outBytes = bytes.AsSpan(0, count * init.DType.Size());
                FloatConversion.FromSingle(floats.AsSpan(0, count), init.DType, outBytes);
                data.Write(outBytes);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(floats);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>[rows, cols] row-major to [cols, rows].</summary>
    static float[] Transpose(float[] src, long rows, long cols)
    {
        var dst = new float[src.Length];
        const int tile = 64;
        for (long r0 = 0; r0 < rows; r0 += tile)
        for (long c0 = 0; c0 < cols; c0 += tile)
        {
            long r1 = Math.Min(rows, r0 + tile), c1 = Math.Min(cols, c0 + tile);
            for (long r = r0; r < r1; r++)
            for (long c = c0; c < c1; c++)
                dst[c * rows + r] = src[r * cols + c];
        }
        return dst;
    }
}
