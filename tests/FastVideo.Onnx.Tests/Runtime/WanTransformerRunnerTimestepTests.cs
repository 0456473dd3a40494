using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Tests.Support;
using Microsoft.ML.OnnxRuntime.Tensors;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// The transformer runner binds the timestep its graph declares: [B] for Wan2.1, [B, S] for a per-token (TI2V) graph;
/// a call with the other count is refused before the session runs, with the count it needs.
/// </summary>
public class WanTransformerRunnerTimestepTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void ATimestepCountOtherThanTheGraphsIsRefused(bool perToken)
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        string folder = perToken ? Wan22Fixture.Ti2vConverted : ConvertedModels.TextToVideo;
        using var runner = WanTransformerRunner.Open(new ComponentRequest(folder, "transformer", device));
        Assert.That(runner.TimestepLayout, Is.EqualTo(perToken ? TimestepLayout.PerToken : TimestepLayout.PerSample));
        // batch 1, 2 latent frames of 4 x 6: 2 x 2 x 3 = 12 tokens of the [1, 2, 2] patch
        var hidden = device.Pool.Rent(TensorElementType.Float, 1, runner.InChannels, 2, 4, 6);
        var text = device.Pool.Rent(TensorElementType.Float, 1, 8, runner.TextDim);
        var output = device.Pool.Rent(TensorElementType.Float, 1, runner.OutChannels, 2, 4, 6);
        try
        {
            float[] wrong = perToken ? new[] { 500f } : Enumerable.Repeat(500f, 12).ToArray();
            var e = Assert.Throws<ArgumentException>(() => runner.Run(hidden, wrong, text, null, output))!;
            Assert.That(e.Message, Does.Contain(perToken ? "takes 12 timesteps for this call (one per latent token)" : "takes 1 timesteps for this call (one per batch entry)"));
            float[] right = perToken ? Enumerable.Repeat(500f, 12).ToArray() : new[] { 500f };
            Assert.DoesNotThrow(() => runner.Run(hidden, right, text, null, output));
        }
        finally
        {
            device.Pool.Return(hidden);
            device.Pool.Return(text);
            device.Pool.Return(output);
        }
    }
}
