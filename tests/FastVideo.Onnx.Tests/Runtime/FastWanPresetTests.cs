using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Runtime.Configuration;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>The FastWan presets are chosen by pipeline class and transformer shape; the real-size configs define a VSA transformer.</summary>
public class FastWanPresetTests
{
    static string Configs => Path.Combine(Repo.Root, "models", "configs", "fastwan2.1-t2v-1.3b");

    [Test]
    public void DmdFolderOfTheRealSizeGetsTheFastWanPreset()
    {
        var transformer = JsonConfig.Load(Path.Combine(Configs, "transformer", "config.json"));
        var preset = PresetCatalog.Default.Find("WanDMDPipeline", transformer);
        Assert.That(preset?.Name, Is.EqualTo("FastWan2.1-T2V-1.3B"));
        var s = preset!.Sampling;
        Assert.That((s.Height, s.Width, s.NumFrames, s.Fps, s.VsaSparsity), Is.EqualTo((448, 832, 61, 16, 0.8)));
        Assert.That(s.DmdSteps, Is.EqualTo(new[] { 1000, 757, 522 }));
        // the same transformer under WanPipeline stays Wan2.1
        Assert.That(PresetCatalog.Default.Find("WanPipeline", transformer)?.Name, Is.EqualTo("Wan2.1-T2V-1.3B"));
    }

    [Test]
    public void FourteenBillionPresetIs480pWithSparsity09()
    {
        var preset = PresetCatalog.Default.Get("FastWan2.1-T2V-14B");
        Assert.That(preset.Match!.Pipeline, Is.EqualTo("WanDMDPipeline"));
        Assert.That((preset.Sampling.Height, preset.Sampling.Width, preset.Sampling.NumFrames, preset.Sampling.VsaSparsity), Is.EqualTo((480, 832, 81, 0.9)));
    }

    [Test]
    public void RealSizeConfigsDefineAGatedTransformer()
    {
        var index = ModelIndex.Load(Configs);
        var source = new ComponentSource(index.Get("transformer"), Path.Combine(Configs, "transformer"), index, DType.BFloat16);
        var model = (WanTransformer3DModel)new WanTransformerExporter().Define(source);
        Assert.That(model.UsesVsa, Is.True);
        Assert.That(model.Parameters().Count(p => p.Name.EndsWith(".to_gate_compress.weight", StringComparison.Ordinal)), Is.EqualTo(30));
    }
}
