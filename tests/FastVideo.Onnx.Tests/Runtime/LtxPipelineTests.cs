using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>LTXPipeline (fp32, CPU EP) on the converted ltx-tiny model against Diffusers' run.</summary>
public class LtxPipelineTests
{
    [Test]
    public void LibraryReproducesDiffusers()
    {
        using var generator = VideoGenerator.FromPretrained(ConvertedModels.Ltx);
        Assert.That(generator.PipelineClass, Is.EqualTo("LTXPipeline"));
        Assert.That(generator.PresetName, Is.EqualTo("ltx-tiny"));
        var steps = new Dictionary<int, HostTensor>();
        var result = generator.Generate(LtxFixture.Request(), stepEnd: (i, x) => steps[i] = x);
        for (int i = 0; i < 4; i++)
            Compare.Close(steps[i].Data, steps[i].Shape, LtxFixture.Get($"step{i}_latents"), 1e-3, $"library ltx step {i} latents (packed)");
        // the result's latents are unpacked [1, C, f, h, w]; the reference is packed
        var s = result.Latents.Shape;
        Assert.That(s, Is.EqualTo(LtxFixture.Get("latents_init").Shape));
        var packed = LtxLatentPacking.Pack(result.Latents.Data, (int)s[0], (int)s[1], (int)s[2], (int)s[3], (int)s[4]);
        Compare.Close(packed, LtxFixture.Get("final_latents_packed").Shape, LtxFixture.Get("final_latents_packed"), 1e-3, "library ltx final latents");
        Assert.That(result.Video, Is.Not.Null);
        Compare.Close(result.Video!.Tensor.Data, result.Video.Tensor.Shape, LtxFixture.Get("video"), 2e-3, "library ltx video");
    }
}
