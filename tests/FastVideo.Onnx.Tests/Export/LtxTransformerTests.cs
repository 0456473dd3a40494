using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Ltx;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using TorchSharp;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The LTX-Video transformer against Diffusers' <c>transformer_out_t900</c>: packed latents_init, t = 900, the prompt's
/// embeddings and mask, latent grid (3, 3, 4), RoPE interpolation scale (8/25, 32, 32); fp32, eager and on ORT's CPU provider.
/// </summary>
public class LtxTransformerTests
{
    static readonly float[] RopeScale = { 8f / 25f, 32f, 32f };

    static LtxTransformer3DModel Model() =>
        new(LtxTransformerConfig.FromJson(JsonConfig.Load(Path.Combine(LtxFixture.Transformer, "config.json"))));

    static (float[] Packed, long[] Shape, long T, long H, long W) PackedLatents()
    {
        var init = LtxFixture.Get("latents_init");
        var s = init.Shape;
        var packed = LtxLatentPacking.Pack(init.Data, (int)s[0], (int)s[1], (int)s[2], (int)s[3], (int)s[4]);
        return (packed, new[] { s[0], s[2] * s[3] * s[4], s[1] }, s[2], s[3], s[4]);
    }

    [Test]
    public void PackingMatchesThePipelinesLayout()
    {
        // step0 is packed by the pipeline; unpacking it and packing again must give it back, and latents_init packed
        // must have the grid's token count
        var (packed, shape, t, h, w) = PackedLatents();
        Assert.That(shape, Is.EqualTo(LtxFixture.Get("transformer_out_t900").Shape));
        var unpacked = LtxLatentPacking.Unpack(packed, 1, 8, (int)t, (int)h, (int)w);
        Assert.That(unpacked, Is.EqualTo(LtxFixture.Get("latents_init").Data));
        // token (t=1, h=2, w=3), channel 5 of the packed tensor is latents_init[0, 5, 1, 2, 3]
        int token = (int)((1 * h + 2) * w + 3);
        Assert.That(packed[token * 8 + 5], Is.EqualTo(LtxFixture.Get("latents_init").Data[(int)((5 * t + 1) * h * w + 2 * w + 3)]));
    }

    [Test]
    public void EagerForwardMatchesDiffusers()
    {
        var model = Model();
        using var archive = WeightArchive.Open(LtxFixture.Transformer);
        model.CheckWeights(archive);
        var (packed, shape, t, h, w) = PackedLatents();
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var output = model.Forward(ops, torch.tensor(packed, shape),
                TorchReference.FromRef(LtxFixture.Get("prompt_embeds")), torch.tensor(new float[] { 900 }),
                torch.tensor(LtxFixture.Int64("prompt_attention_mask"), new long[] { 1, 32 }),
                torch.tensor(new[] { t }), torch.tensor(new[] { h }), torch.tensor(new[] { w }), torch.tensor(RopeScale));
            var (data, outShape) = TorchReference.ToHost(output);
            Compare.Close(data, outShape, LtxFixture.Get("transformer_out_t900"), 1e-4, "eager ltx transformer t=900");
        }
    }

    [Test]
    public void OnnxForwardMatchesDiffusers()
    {
        var model = Model();
        using var archive = WeightArchive.Open(LtxFixture.Transformer);
        model.CheckWeights(archive);
        using var dir = Repo.Temp();
        string path = dir["transformer.onnx"];
        new OnnxModelWriter().Write(LtxTransformerGraph.Build(model, DType.Float32), new CheckpointWeights(archive), path, "ltx_transformer");
        var (packed, shape, t, h, w) = PackedLatents();
        var result = OrtTypedRunner.Run(path,
            OrtInput.Float(LtxTransformerGraph.HiddenStates, packed, shape),
            OrtInput.Float(LtxTransformerGraph.EncoderHiddenStates, LtxFixture.Get("prompt_embeds").Data, LtxFixture.Get("prompt_embeds").Shape),
            OrtInput.Float(LtxTransformerGraph.Timestep, new float[] { 900 }, new long[] { 1 }),
            OrtInput.Int64(LtxTransformerGraph.EncoderAttentionMask, LtxFixture.Int64("prompt_attention_mask"), new long[] { 1, 32 }),
            OrtInput.Int64(LtxTransformerGraph.NumFrames, new[] { t }, new long[] { 1 }),
            OrtInput.Int64(LtxTransformerGraph.Height, new[] { h }, new long[] { 1 }),
            OrtInput.Int64(LtxTransformerGraph.Width, new[] { w }, new long[] { 1 }),
            OrtInput.Float(LtxTransformerGraph.RopeInterpolationScale, RopeScale, new long[] { 3 }))[LtxTransformerGraph.Sample];
        Compare.Close(result.Data, result.Shape, LtxFixture.Get("transformer_out_t900"), 1e-4, "onnx ltx transformer t=900");
    }

    [TestCase("activation_fn", "\"gelu\"", "activation_fn")]
    [TestCase("qk_norm", "\"rms_norm\"", "qk_norm")]
    [TestCase("cross_attention_dim", "64", "cross_attention_dim")]
    public void UnsupportedConfigIsRefusedNamingTheField(string field, string value, string named)
    {
        using var dir = Repo.Temp();
        var text = File.ReadAllText(Path.Combine(LtxFixture.Transformer, "config.json"));
        var json = System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject();
        json[field] = System.Text.Json.Nodes.JsonNode.Parse(value);
        File.WriteAllText(dir["config.json"], json.ToJsonString());
        var e = Assert.Throws<ModelFormatException>(() => LtxTransformerConfig.FromJson(JsonConfig.Load(dir["config.json"])))!;
        Assert.That(e.Message, Does.Contain($"'{named}'").And.Contain("config.json"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }
}
