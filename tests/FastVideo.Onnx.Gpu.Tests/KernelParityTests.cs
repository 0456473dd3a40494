using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// Each com.fastvideo kernel against its reference composition, both on the CUDA provider, on random inputs and random
/// weights: cosine similarity at least 0.9999 in float32 and float16, the largest absolute difference reported.
/// </summary>
public class KernelParityTests
{
    const double MinCosine = 0.9999;

    static IEnumerable<TestCaseData> Cases() =>
        from c in KernelCases.All()
        from type in new[] { DType.Float32, DType.Float16 }
        select new TestCaseData(c, type).SetName($"{c.Name} {type.ShortName()}");

    [TestCaseSource(nameof(Cases))]
    public void KernelMatchesItsReferenceComposition(KernelCase kernelCase, DType type)
    {
        string library = CudaKernelEnvironment.RequireOrIgnore();
        var model = new KernelCaseModel();
        var weights = new RandomWeights(model.Parameters(), DType.Float32);
        var fused = kernelCase.Build(model, type, fused: true);
        var reference = kernelCase.Build(model, type, fused: false);
        Assert.That(fused.Nodes.Count(n => n.Domain == FastVideoKernels.Domain && n.OpType == kernelCase.Operator), Is.EqualTo(1),
            "the fused graph has the operator under test");
        Assert.That(reference.Nodes.Any(n => n.Domain == FastVideoKernels.Domain), Is.False, "the reference is portable");

        var random = new Random(7);
        var inputs = kernelCase.Inputs.Select(i => (i.Name, i.Float32, i.Shape,
            Values: Enumerable.Range(0, (int)i.Shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray())).ToList();

        string dir = Path.Combine(Path.GetTempPath(), "fvo-gpu-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var writer = new OnnxModelWriter();
            writer.Write(fused, weights, Path.Combine(dir, "fused.onnx"), "fused");
            writer.Write(reference, weights, Path.Combine(dir, "reference.onnx"), "reference");
            var actual = Run(Path.Combine(dir, "fused.onnx"), library, inputs, type);
            var expected = Run(Path.Combine(dir, "reference.onnx"), library, inputs, type);
            double dot = 0, na = 0, nb = 0, maxAbs = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                dot += (double)actual[i] * expected[i];
                na += (double)actual[i] * actual[i];
                nb += (double)expected[i] * expected[i];
                maxAbs = Math.Max(maxAbs, double.IsNaN(actual[i]) ? double.PositiveInfinity : Math.Abs(actual[i] - expected[i]));
            }
            double cosine = dot / Math.Sqrt(na * nb);
            TestContext.Out.WriteLine($"{kernelCase.Name} {type.ShortName()}: cosine {cosine:F7}, max abs error {maxAbs:E3}");
            Assert.That(cosine, Is.GreaterThanOrEqualTo(MinCosine), $"max abs error {maxAbs:E3}");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    static float[] Run(string path, string library, IReadOnlyList<(string Name, bool Float32, long[] Shape, float[] Values)> inputs, DType type)
    {
        using var options = new SessionOptions();
        options.AppendExecutionProvider_CUDA(0);
        options.RegisterCustomOpLibrary(library);
        using var session = new InferenceSession(path, options);
        var values = inputs.Select(i => i.Float32 || type == DType.Float32
            ? OrtValue.CreateTensorValueFromMemory(i.Values, i.Shape)
            : OrtValue.CreateTensorValueFromMemory(i.Values.Select(v => (Float16)v).ToArray(), i.Shape)).ToList();
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, new[] { "output" });
            return type == DType.Float32
                ? results[0].GetTensorDataAsSpan<float>().ToArray()
                : results[0].GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)h).ToArray();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
