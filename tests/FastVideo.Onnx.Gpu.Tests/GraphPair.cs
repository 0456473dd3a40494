using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// A kernel's graph and its reference composition, as every GPU check compares them: checked to be what they claim,
/// written to a temporary folder for one comparison (removed after it), each run on the CUDA provider with the kernel
/// library.
/// </summary>
internal static class GraphPair
{
    /// <summary>
    /// Throws unless <paramref name="fused"/> has exactly one <paramref name="op"/> node and <paramref name="reference"/>
    /// no com.fastvideo node: a shape the kernel does not run falls back to the composition, and the comparison would
    /// then test nothing.
    /// </summary>
    public static void Check(string what, OnnxGraphBuilder fused, OnnxGraphBuilder reference, string op)
    {
        int count = fused.Nodes.Count(n => n.Domain == FastVideoKernels.Domain && n.OpType == op);
        if (count != 1)
            throw new InvalidOperationException($"{what}: the fused graph has {count} {op} nodes, not one");
        if (reference.Nodes.Any(n => n.Domain == FastVideoKernels.Domain))
            throw new InvalidOperationException($"{what}: the reference graph uses a {FastVideoKernels.Domain} operator");
    }

    public static T Run<T>(OnnxGraphBuilder fused, OnnxGraphBuilder reference, IWeightSource? weights, Func<string, string, T> compare)
    {
        string dir = Path.Combine(Path.GetTempPath(), "fvo-gpu-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var writer = new OnnxModelWriter();
            string fusedPath = Path.Combine(dir, "fused.onnx"), referencePath = Path.Combine(dir, "reference.onnx");
            writer.Write(fused, weights, fusedPath, "fused");
            writer.Write(reference, weights, referencePath, "reference");
            return compare(fusedPath, referencePath);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// Runs the graph at <paramref name="path"/> on the CUDA provider with <paramref name="library"/> registered: each
    /// input given as float values and fed in its type (float32, float16 or bfloat16), the output "output" read back in
    /// <paramref name="outputType"/> as floats. <paramref name="tf32"/> false keeps the provider's float32 matmuls in
    /// float32.
    /// </summary>
    public static float[] Execute(string path, string library, IReadOnlyList<(string Name, DType Type, long[] Shape, float[] Values)> inputs,
        DType outputType, bool tf32 = true)
    {
        using var options = new SessionOptions();
        if (tf32) options.AppendExecutionProvider_CUDA(0);
        else
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = "0", ["use_tf32"] = "0" });
            options.AppendExecutionProvider_CUDA(cuda);
        }
        options.RegisterCustomOpLibrary(library);
        using var session = new InferenceSession(path, options);
        var values = new List<OrtValue>();
        try
        {
            foreach (var input in inputs)
                values.Add(input.Type switch
                {
                    DType.BFloat16 => OrtValue.CreateTensorValueFromMemory(input.Values.Select(v => (BFloat16)v).ToArray(), input.Shape),
                    DType.Float16 => OrtValue.CreateTensorValueFromMemory(input.Values.Select(v => (Float16)v).ToArray(), input.Shape),
                    DType.Float32 => OrtValue.CreateTensorValueFromMemory(input.Values, input.Shape),
                    var t => throw new NotSupportedException($"input {input.Name}: no {t} inputs"),
                });
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, new[] { "output" });
            return outputType switch
            {
                DType.BFloat16 => results[0].GetTensorDataAsSpan<BFloat16>().ToArray().Select(h => (float)h).ToArray(),
                DType.Float16 => results[0].GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)h).ToArray(),
                DType.Float32 => results[0].GetTensorDataAsSpan<float>().ToArray(),
                var t => throw new NotSupportedException($"no {t} output"),
            };
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
