using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>Which VAE graphs the runtime opens: the fused-kernel ones need a GPU provider and the kernel library.</summary>
public class VaeRunnerGraphTests
{
    [Test]
    public void CpuUsesThePortableGraphsWithoutNotice()
    {
        var notices = new List<string>();
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        Assert.That(device.KernelLibraryPath, Is.Null);
        using (var decoderOnly = WanVaeRunner.Open(new ComponentRequest(ConvertedModels.TextToVideo, "vae", device) { Notice = notices.Add }))
        {
            Assert.That(decoderOnly.UsesFusedKernels, Is.False);
            Assert.That(decoderOnly.GraphFiles, Is.EqualTo(new[] { WanVaeChunking.DecoderFirstGraph, WanVaeChunking.DecoderGraph }));
        }
        using (var both = WanVaeRunner.Open(new ComponentRequest(ConvertedModels.TextToVideo, "vae", device) { Notice = notices.Add, WithEncoder = true }))
            Assert.That(both.GraphFiles, Is.EqualTo(WanVaeChunking.Graphs));
        Assert.That(notices, Is.Empty);
    }

    [Test]
    public void FusedGraphNamesFollowThePortableOnes()
    {
        Assert.That(WanVaeChunking.Graphs.Select(WanVaeChunking.FusedGraph), Is.EqualTo(new[]
        {
            "decoder_first.fused.onnx", "decoder.fused.onnx", "encoder_first.fused.onnx", "encoder.fused.onnx",
        }));
        Assert.Throws<ArgumentException>(() => WanVaeChunking.FusedGraph(WanVaeChunking.DecoderFusedGraph));
    }

    /// <summary>
    /// The runtime allocates the decoder's caches before the first call from the first graph's output signatures; they
    /// must be exactly what the next graph declares for its cache inputs, at any latent size.
    /// </summary>
    [TestCase(1, 4, 6)]
    [TestCase(2, 7, 3)]
    public void CacheOutputsSizeToTheNextGraphsCacheInputs(long batch, long height, long width)
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        string vae = Path.Combine(ConvertedModels.TextToVideo, "vae");
        using var options = device.SessionOptions();
        using var first = GraphSession.Open(Path.Combine(vae, WanVaeChunking.DecoderFirstGraph), options, "decoder_first");
        using var next = new InferenceSession(Path.Combine(vae, WanVaeChunking.DecoderGraph));
        var dims = new Dictionary<string, long>
        {
            [WanVaeChunking.BatchDim] = batch, [WanVaeChunking.LatentHeightDim] = height, [WanVaeChunking.LatentWidthDim] = width,
        };
        var caches = first.OutputNames.Where(n => n.StartsWith(WanVaeChunking.NextCachePrefix, StringComparison.Ordinal)).ToList();
        Assert.That(caches, Is.Not.Empty);
        foreach (var output in caches)
        {
            var (type, shape) = first.OutputSignature(output, d => WanVaeChunking.ResolveDim(d, dims));
            var input = next.InputMetadata[WanVaeChunking.CachePrefix + output[WanVaeChunking.NextCachePrefix.Length..]];
            var expected = input.Dimensions.Select((d, i) => d >= 0 ? d : WanVaeChunking.ResolveDim(input.SymbolicDimensions[i], dims)).ToArray();
            Assert.That(shape, Is.EqualTo(expected), output);
            Assert.That(type, Is.EqualTo(input.ElementDataType), output);
            Assert.That(shape[0], Is.EqualTo(batch), output);
        }
    }

    [Test]
    public void AnOutputShapeThatCannotBeSizedNamesTheGraphAndOutput()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        using var options = device.SessionOptions();
        string path = Path.Combine(ConvertedModels.TextToVideo, "vae", WanVaeChunking.DecoderFirstGraph);
        using var first = GraphSession.Open(path, options, path);
        string output = WanVaeChunking.CacheOutput(0);
        var partial = new Dictionary<string, long> { [WanVaeChunking.BatchDim] = 1 };
        var e = Assert.Throws<FastVideoException>(() => first.OutputSignature(output, d => WanVaeChunking.ResolveDim(d, partial)));
        Assert.That(e!.Message, Does.StartWith(path).And.Contain(output).And.Contain("latent_height"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }
}
