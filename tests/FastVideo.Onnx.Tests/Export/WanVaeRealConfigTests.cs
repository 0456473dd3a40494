using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Wan;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The published Wan2.1 VAE configuration (base_dim 96, dim_mult [1, 2, 4, 4], 2 residual blocks per level): the tiny
/// fixture has 1 block per level and equal widths, so the layout of the real checkpoint and its graphs are checked here,
/// the graphs run with synthetic weights (no download).
/// </summary>
public class WanVaeRealConfigTests
{
    static JsonObject Wan21Config() => new()
    {
        ["_class_name"] = "AutoencoderKLWan", ["attn_scales"] = new JsonArray(), ["base_dim"] = 96, ["dim_mult"] = new JsonArray(1, 2, 4, 4),
        ["dropout"] = 0.0, ["num_res_blocks"] = 2, ["temperal_downsample"] = new JsonArray(false, true, true), ["z_dim"] = 16,
    };

    // Round-tripped through text: JsonConfig reads numbers as parsed JSON holds them.
    static WanVaeModel Wan21() =>
        new(WanVaeConfig.FromJson(new JsonConfig("vae/config.json", JsonNode.Parse(Wan21Config().ToJsonString())!.AsObject())));

    [Test]
    public void PublishedConfigHasTheDiffusersCheckpointLayout()
    {
        var parameters = Wan21().Parameters().ToDictionary(p => p.Name, p => p.Shape);
        Assert.That(parameters, Has.Count.EqualTo(194), "tensors in the Wan2.1 VAE checkpoint");
        void Expect(string name, params long[] shape) => Assert.That(parameters.GetValueOrDefault(name), Is.EqualTo(shape), name);
        // encoder: per level 2 residual blocks then a resampler (2-D, 3-D, 3-D), flat in down_blocks
        Expect("encoder.conv_in.weight", 96, 3, 3, 3, 3);
        Expect("encoder.down_blocks.2.resample.1.weight", 96, 96, 3, 3);
        Expect("encoder.down_blocks.3.conv_shortcut.weight", 192, 96, 1, 1, 1);
        Expect("encoder.down_blocks.5.time_conv.weight", 192, 192, 3, 1, 1);
        Expect("encoder.down_blocks.6.conv_shortcut.weight", 384, 192, 1, 1, 1);
        Expect("encoder.down_blocks.8.time_conv.weight", 384, 384, 3, 1, 1);
        Expect("encoder.down_blocks.10.conv2.weight", 384, 384, 3, 3, 3);
        Expect("encoder.mid_block.attentions.0.norm.gamma", 384, 1, 1);
        Expect("encoder.conv_out.weight", 32, 384, 3, 3, 3);
        Expect("quant_conv.weight", 32, 32, 1, 1, 1);
        Expect("post_quant_conv.weight", 16, 16, 1, 1, 1);
        // decoder: 3 residual blocks per level, each upsampler halving the width for the next level
        Expect("decoder.up_blocks.0.upsamplers.0.time_conv.weight", 768, 384, 3, 1, 1);
        Expect("decoder.up_blocks.0.upsamplers.0.resample.1.weight", 192, 384, 3, 3);
        Expect("decoder.up_blocks.1.resnets.0.conv_shortcut.weight", 384, 192, 1, 1, 1);
        Expect("decoder.up_blocks.2.resnets.0.conv1.weight", 192, 192, 3, 3, 3);
        Expect("decoder.up_blocks.2.upsamplers.0.resample.1.weight", 96, 192, 3, 3);
        Expect("decoder.up_blocks.3.resnets.2.conv2.weight", 96, 96, 3, 3, 3);
        Expect("decoder.conv_out.weight", 3, 96, 3, 3, 3);
        Assert.That(parameters.Keys.Where(k => k.Contains("time_conv")), Has.Exactly(8).Items, "2 temporal down- and 2 upsamplers");
        Assert.That(parameters.Keys, Has.None.StartsWith("encoder.down_blocks.2.time_conv").And.None.StartsWith("decoder.up_blocks.2.upsamplers.0.time_conv"));

        var model = Wan21();
        Assert.That(WanVaeGraphs.DecoderCaches(model), Has.Count.EqualTo(32));
        Assert.That(WanVaeGraphs.EncoderCaches(model), Has.Count.EqualTo(24));
    }

    /// <summary>Converts the Wan2.1-shaped VAE with synthetic weights (the exporter's synthetic-weight path) into <paramref name="output"/>.</summary>
    static void ConvertSynthetic(TempDir dir, string output)
    {
        string model = dir["model"];
        Directory.CreateDirectory(Path.Combine(model, "vae"));
        File.WriteAllText(Path.Combine(model, "model_index.json"), """{"_class_name": "WanPipeline", "vae": ["diffusers", "AutoencoderKLWan"]}""");
        File.WriteAllText(Path.Combine(model, "vae", "config.json"), Wan21Config().ToJsonString());
        var index = ModelIndex.Load(model);
        var source = new ComponentSource(index.Get("vae"), index.ComponentFolder("vae"), index, DType.Float32)
        {
            SyntheticWeights = ps => new RandomWeights(ps, DType.Float32),
        };
        using var prepared = new WanVaeExporter().Prepare(source);
        Directory.CreateDirectory(output);
        prepared.Write(output, new Progress<long>(_ => { }), CancellationToken.None);
    }

    [Test]
    public void SyntheticWan21GraphsRunChunkByChunk()
    {
        using var dir = Repo.Temp();
        string output = dir["vae"];
        ConvertSynthetic(dir, output);
        long[] latentShape = { 1, 16, 2, 2, 3 };
        using (var decoder = VaeChunkRunner.Decoder(output))
        {
            Assert.That(decoder.CacheInputs, Has.Count.EqualTo(32));
            var (video, shape) = decoder.Run(Patterns.Wave(latentShape, 2f), latentShape);
            Assert.That(shape, Is.EqualTo(new long[] { 1, 3, 5, 16, 24 }));
            Assert.That(video.All(float.IsFinite) && video.Any(v => v != 0), Is.True);
        }
        long[] videoShape = { 1, 3, 5, 16, 24 };
        using (var encoder = VaeChunkRunner.Encoder(output))
        {
            var (mean, shape) = encoder.Run(Patterns.Wave(videoShape, 1f, 0.05f), videoShape);
            Assert.That(shape, Is.EqualTo(new long[] { 1, 16, 2, 2, 3 }));
            Assert.That(mean.All(float.IsFinite), Is.True);
        }
    }

    /// <summary>
    /// The Wan2.1-shaped decoder at 480x832 (latent 60x104), 2 latent frames = 5 video frames, with the same graphs as
    /// every other test. Minutes of CPU time, so explicit: run with <c>--filter Name=DecodesAt480x832</c>.
    /// </summary>
    [Test, Explicit("minutes of CPU time at the real model size")]
    public void DecodesAt480x832()
    {
        using var dir = Repo.Temp();
        string output = dir["vae"];
        ConvertSynthetic(dir, output);
        long[] latentShape = { 1, 16, 2, 60, 104 };
        using var decoder = VaeChunkRunner.Decoder(output);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (video, shape) = decoder.Run(Patterns.Wave(latentShape, 2f), latentShape);
        TestContext.Out.WriteLine($"decoded {string.Join("x", shape)} in {watch.Elapsed.TotalSeconds:F0} s (CPU EP, {Environment.ProcessorCount} cores)");
        Assert.That(shape, Is.EqualTo(new long[] { 1, 3, 5, 480, 832 }));
        Assert.That(video.All(float.IsFinite), Is.True);
    }
}
