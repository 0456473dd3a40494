using FastVideo.Onnx.Core.Tensors;
using Google.Protobuf;
using Onnx;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>
/// ONNX Runtime's CPU provider has no bfloat16 kernels for most operators, so a bf16 graph cannot run as is in CI.
/// This rewrites a bf16 graph to run on the CPU with the same rounding at every point where the graph holds bf16
/// values: bf16 weights become float32 copies of the bf16 values, and every Cast to bf16 becomes a Cast to bf16
/// followed by a Cast back to float32. What is not emulated is the rounding inside bf16 kernels (matmul
/// accumulations), which the GPU precision test covers on the GPU machine.
/// </summary>
public static class Bf16OnCpu
{
    public static string Rewrite(string onnxPath, string outputPath)
    {
        string folder = Path.GetDirectoryName(onnxPath)!;
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnxPath));
        var g = model.Graph;
        foreach (var t in g.Initializer)
        {
            byte[] raw = t.DataLocation == TensorProto.Types.DataLocation.External ? ReadExternal(t, folder) : t.RawData.ToByteArray();
            t.DataLocation = TensorProto.Types.DataLocation.Default;
            t.ExternalData.Clear();
            if (t.DataType == (int)TensorProto.Types.DataType.Bfloat16)
            {
                var f = new float[raw.Length / 2];
                FloatConversion.ToSingle(raw, DType.BFloat16, f);
                raw = new byte[f.Length * 4];
                FloatConversion.FromSingle(f, DType.Float32, raw);
                t.DataType = (int)TensorProto.Types.DataType.Float;
            }
            t.RawData = ByteString.CopyFrom(raw);
        }
        var nodes = g.Node.ToList();
        g.Node.Clear();
        foreach (var n in nodes)
        {
            var to = n.Attribute.FirstOrDefault(a => a.Name == "to");
            if (n.OpType == "Cast" && to is not null && to.I == (long)TensorProto.Types.DataType.Bfloat16)
            {
                string rounded = n.Output[0] + "/bf16";
                var back = new NodeProto { Name = n.Name + "/back", OpType = "Cast" };
                back.Input.Add(rounded);
                back.Output.Add(n.Output[0]);
                back.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
                n.Output[0] = rounded;
                g.Node.Add(n);
                g.Node.Add(back);
            }
            else g.Node.Add(n);
        }
        File.WriteAllBytes(outputPath, model.ToByteArray());
        return outputPath;
    }

    static byte[] ReadExternal(TensorProto t, string folder)
    {
        var kv = t.ExternalData.ToDictionary(e => e.Key, e => e.Value);
        using var fs = File.OpenRead(Path.Combine(folder, kv["location"]));
        fs.Position = long.Parse(kv["offset"]);
        var bytes = new byte[long.Parse(kv["length"])];
        fs.ReadExactly(bytes);
        return bytes;
    }
}
