using FastVideo.Onnx.Core.Contracts;

namespace FastVideo.Onnx.Export.Onnx;

/// <summary>Graph inputs and outputs declared from their contract (Core/Contracts), so the converter writes the names and dims the runtime binds.</summary>
public static class GraphContractWriting
{
    public static OnnxValue Input(this OnnxGraphBuilder g, TensorContract input) => g.Input(input.Name, input.DType, Dims(input));

    public static void Output(this OnnxGraphBuilder g, OnnxValue value, TensorContract output) => g.Output(value, output.Name, Dims(output));

    static Dim[] Dims(TensorContract t) => t.Dims.Select(d => new Dim(d.Size, d.Name)).ToArray();
}
