using Google.Protobuf;
using Onnx;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// Tiny ONNX graphs the runtime runs on the execution device for its own arithmetic (ONNX Runtime has no tensor API
/// outside sessions): a weighted sum of float32 tensors, and a copy that moves data between host and device.
/// </summary>
internal static class UtilityGraphs
{
    const int Opset = 21;

    /// <summary>Inputs x0..x{k-1} (any shape, all equal) and scalars c0..c{k-1}; outputs y0..y{m-1} = Σ ci·xi.</summary>
    public static byte[] LinearCombination(int inputs, int outputs)
    {
        var g = new GraphProto { Name = $"linear_combination_{inputs}_{outputs}" };
        var terms = new List<string>();
        for (int i = 0; i < inputs; i++)
        {
            g.Input.Add(Tensor($"x{i}", "d"));
            g.Input.Add(Scalar($"c{i}"));
            g.Node.Add(Node("Mul", new[] { $"x{i}", $"c{i}" }, $"t{i}"));
            terms.Add($"t{i}");
        }
        g.Node.Add(inputs == 1 ? Node("Identity", terms.ToArray(), "y0") : Node("Sum", terms.ToArray(), "y0"));
        g.Output.Add(Tensor("y0", "d"));
        for (int j = 1; j < outputs; j++)
        {
            g.Node.Add(Node("Identity", new[] { "y0" }, $"y{j}"));
            g.Output.Add(Tensor($"y{j}", "d"));
        }
        return Model(g);
    }

    /// <summary>y = x: binding x and y to different memories makes ONNX Runtime copy between them.</summary>
    public static byte[] Copy()
    {
        var g = new GraphProto { Name = "copy" };
        g.Input.Add(Tensor("x", "d"));
        g.Node.Add(Node("Identity", new[] { "x" }, "y"));
        g.Output.Add(Tensor("y", "d"));
        return Model(g);
    }

    static byte[] Model(GraphProto g)
    {
        var model = new ModelProto { IrVersion = 10, ProducerName = "FastVideo.Onnx.Runtime", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    static NodeProto Node(string op, string[] inputs, string output)
    {
        var n = new NodeProto { OpType = op, Name = output };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        return n;
    }

    // A rank-1 tensor of one flat dynamic dimension: callers bind any shape by viewing tensors flat.
    static ValueInfoProto Tensor(string name, string dim)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = dim });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    static ValueInfoProto Scalar(string name) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() } },
    };
}
