using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The ONNX lowering of <see cref="ITensorOps{T}.TopKIndices"/> at every graph precision: ONNX TopK before opset 24 has
/// no bfloat16 type, so a bf16 VSA graph (its tile selection) must still load.
/// </summary>
public class TopKGraphTests
{
    [TestCase("fp32")]
    [TestCase("fp16")]
    [TestCase("bf16")]
    public void TopKIndicesLoadAndPickTheLargest(string precision)
    {
        var type = DTypeInfo.ParseFloat(precision, "precision");
        var builder = new OnnxGraphBuilder(type);
        ITensorOps<OnnxValue> g = builder;
        var x = builder.Input("x", type, 2, 5);
        builder.Output(g.TopKIndices(x, g.Int64s(2), -1), "top", 2, 2);
        using var dir = Repo.Temp();
        string path = dir["topk.onnx"];
        new OnnxModelWriter().Write(builder, null, path, "topk");

        float[] values = { 0.5f, -1f, 3f, 2f, 0f, 4f, 1f, -2f, 1.5f, 8f };
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(path, options);
        long[] shape = { 2, 5 };
        using var input = type switch
        {
            DType.BFloat16 => OrtValue.CreateTensorValueFromMemory(values.Select(v => (BFloat16)v).ToArray(), shape),
            DType.Float16 => OrtValue.CreateTensorValueFromMemory(values.Select(v => (Float16)v).ToArray(), shape),
            _ => OrtValue.CreateTensorValueFromMemory(values, shape),
        };
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { "x" }, new[] { input }, new[] { "top" });
        Assert.That(results[0].GetTensorDataAsSpan<long>().ToArray(), Is.EqualTo(new long[] { 2, 3, 4, 0 }), "largest first, per row");
    }

    [Test]
    public void BFloat16VsaTransformerGraphIsValid()
    {
        using var dir = Repo.Temp();
        using var archive = WeightArchive.Open(FastWanFixture.Transformer);
        var model = new WanTransformer3DModel(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(FastWanFixture.Transformer, "config.json"))),
            WanTransformer3DModel.DetectVsaGates(archive.Tensors.Keys, 2, FastWanFixture.Transformer));
        string path = dir["transformer-bf16.onnx"];
        new OnnxModelWriter().Write(WanTransformerGraph.Build(model, DType.BFloat16), new CheckpointWeights(archive), path, "fastwan_transformer");
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        // The CPU provider lacks bfloat16 kernels for some of these operators, so loading may stop there; it must never
        // stop earlier, at the type checks every provider runs.
        try
        {
            using var session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e) when (!e.Message.Contains("InvalidGraph", StringComparison.Ordinal))
        {
            TestContext.Out.WriteLine($"loads up to the CPU provider's kernels: {e.Message.Split('\n')[0]}");
        }
    }
}
