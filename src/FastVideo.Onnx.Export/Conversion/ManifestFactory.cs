using System.Text.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Onnx;
using Onnx;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>Manifest entries for graphs that were just written.</summary>
internal static class ManifestFactory
{
    public static TensorSignature Signature(ValueInfoProto v)
    {
        var t = v.Type.TensorType;
        var dims = t.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam
            ? JsonSerializer.SerializeToElement(d.DimParam)
            : JsonSerializer.SerializeToElement(d.DimValue)).ToList();
        return new TensorSignature(v.Name, TypeName((TensorProto.Types.DataType)t.ElemType), dims);
    }

    /// <summary>The entry for <paramref name="file"/> (its own size; the shared data file is counted once by the component manifest).</summary>
    static string TypeName(TensorProto.Types.DataType t) => t switch
    {
        TensorProto.Types.DataType.Float => "float32",
        TensorProto.Types.DataType.Float16 => "float16",
        TensorProto.Types.DataType.Bfloat16 => "bfloat16",
        TensorProto.Types.DataType.Double => "float64",
        _ => t.ToString().ToLowerInvariant(),
    };

    public static GraphManifest Graph(OnnxGraphBuilder graph, string folder, string file, string dataFile)
    {
        bool hasData = File.Exists(Path.Combine(folder, dataFile)) && graph.Initializers.Any(i => i.ByteLength > OnnxModelWriter.InlineLimit);
        string? data = hasData ? dataFile : null;
        long bytes = new FileInfo(Path.Combine(folder, file)).Length;
        return new GraphManifest(file, data, bytes,
            graph.Inputs.Select(Signature).ToList(), graph.Outputs.Select(Signature).ToList());
    }
}
