using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>The exported Wan transformer graph on ONNX Runtime's CPU execution provider against Diffusers' outputs.</summary>
public class WanTransformerOnnxTests
{
    static string Export(string modelFolder, DType type, TempDir dir)
    {
        string folder = Path.Combine(modelFolder, "transformer");
        var model = new WanTransformer3DModel(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(folder, "config.json"))));
        using var archive = WeightArchive.Open(folder);
        model.CheckWeights(archive);
        var graph = WanTransformerGraph.Build(model, type);
        string path = dir["transformer.onnx"];
        new OnnxModelWriter().Write(graph, new CheckpointWeights(archive), path, "wan_transformer");
        return path;
    }

    static float[] Run(string path, int timestep, string context)
    {
        var lat = Reference.Get("latents_init");
        var ctx = Reference.Get(context);
        return OrtRunner.Run(path,
            (WanTransformerGraph.HiddenStates, lat.Data, lat.Shape),
            (WanTransformerGraph.Timestep, new float[] { timestep }, new long[] { 1 }),
            (WanTransformerGraph.EncoderHiddenStates, ctx.Data, ctx.Shape))[WanTransformerGraph.Sample].Data;
    }

    [Test]
    public void Float32GraphMatchesDiffusers()
    {
        using var dir = Repo.Temp();
        string path = Export(Repo.TinyT2V, DType.Float32, dir);
        var lat = Reference.Get("latents_init");
        var ctx = Reference.Get("prompt_embeds");
        var result = OrtRunner.Run(path,
            (WanTransformerGraph.HiddenStates, lat.Data, lat.Shape),
            (WanTransformerGraph.Timestep, new float[] { 999 }, new long[] { 1 }),
            (WanTransformerGraph.EncoderHiddenStates, ctx.Data, ctx.Shape))[WanTransformerGraph.Sample];
        Compare.Close(result.Data, result.Shape, Reference.Get("transformer_out_t999"), 1e-4, "onnx fp32 transformer t=999");
        Compare.Close(Run(path, 500, "negative_prompt_embeds"), lat.Shape, Reference.Get("transformer_out_t500"), 1e-4, "onnx fp32 transformer t=500");
    }

    [Test]
    public void Float16GraphAgrees()
    {
        using var dir = Repo.Temp();
        string path = Export(Repo.TinyT2V, DType.Float16, dir);
        Compare.Similar(Run(path, 999, "prompt_embeds"), Reference.Get("transformer_out_t999"), 0.999, "onnx fp16 transformer t=999 (CPU EP)");
    }

    [Test]
    public void BFloat16GraphAgreesWithBf16RoundingEmulated()
    {
        using var dir = Repo.Temp();
        string path = Export(Repo.TinyT2V, DType.BFloat16, dir);
        string cpu = Bf16OnCpu.Rewrite(path, dir["transformer_bf16_cpu.onnx"]);
        Compare.Similar(Run(cpu, 999, "prompt_embeds"), Reference.Get("transformer_out_t999"), 0.999,
            "onnx bf16 transformer t=999 (bf16 weights and casts, fp32 kernels on the CPU EP)");
    }
}

/// <summary>The image-to-video transformer (36 input channels, CLIP image tokens) converts and runs; ONNX agrees with the eager reference.</summary>
public class WanImageToVideoTransformerTests
{
    [Test]
    public void ConvertsRunsAndAgreesWithEager()
    {
        string folder = Path.Combine(Repo.TinyI2V, "transformer");
        var model = new WanTransformer3DModel(WanTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(folder, "config.json"))));
        Assert.That(model.Config.InChannels, Is.EqualTo(36));
        using var archive = WeightArchive.Open(folder);
        model.CheckWeights(archive);
        using var dir = Repo.Temp();
        string path = dir["transformer.onnx"];
        new OnnxModelWriter().Write(WanTransformerGraph.Build(model, DType.Float32), new CheckpointWeights(archive), path, "wan_i2v");

        // latents plus 20 conditioning channels (a deterministic pattern), CLIP tokens from the fixtures
        var lat = Reference.Get("latents_init");
        long[] shape = { 1, 36, 3, 8, 8 };
        var hidden = new float[36 * 3 * 8 * 8];
        Array.Copy(lat.Data, hidden, lat.Data.Length);
        for (int i = lat.Data.Length; i < hidden.Length; i++) hidden[i] = MathF.Sin(i * 0.37f) * 0.5f;
        var text = Reference.Get("prompt_embeds");
        var image = Reference.Get("i2v_image_embeds");

        var onnx = OrtRunner.Run(path,
            (WanTransformerGraph.HiddenStates, hidden, shape),
            (WanTransformerGraph.Timestep, new float[] { 900 }, new long[] { 1 }),
            (WanTransformerGraph.EncoderHiddenStates, text.Data, text.Shape),
            (WanTransformerGraph.EncoderHiddenStatesImage, image.Data, image.Shape))[WanTransformerGraph.Sample];
        Assert.That(onnx.Shape, Is.EqualTo(new long[] { 1, 16, 3, 8, 8 }));
        Assert.That(onnx.Data.All(float.IsFinite), Is.True, "non-finite output");

        using var scope = TorchSharp.torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var eager = model.Forward(ops, TorchSharp.torch.tensor(hidden, shape), TorchSharp.torch.tensor(new float[] { 900 }),
                TorchReference.FromRef(text), TorchReference.FromRef(image));
            var (data, eagerShape) = TorchReference.ToHost(eager);
            Compare.Close(onnx.Data, onnx.Shape, new RefTensor(data, eagerShape), 1e-4, "i2v transformer onnx vs eager");
        }
    }
}
