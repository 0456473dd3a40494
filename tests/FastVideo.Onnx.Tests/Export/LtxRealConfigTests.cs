using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Export.Ltx;
using FastVideo.Onnx.Export.T5;
using FastVideo.Onnx.Export.Umt5;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// models/configs/ltx-video-0.9.5: the published sizes build the definitions the checkpoints need (the tiny fixture has
/// one layer per block and 4-channel widths).
/// </summary>
public class LtxRealConfigTests
{
    static string Folder => Path.Combine(Repo.Root, "models", "configs", "ltx-video-0.9.5");
    static JsonConfig Config(string component) => JsonConfig.Load(Path.Combine(Folder, component, "config.json"));

    [Test]
    public void TransformerIsThe2BModel()
    {
        var model = new LtxTransformer3DModel(LtxTransformerConfig.FromJson(Config("transformer")));
        long count = model.Parameters().Sum(p => p.ElementCount);
        TestContext.Out.WriteLine($"LTX transformer: {count:N0} parameters");
        Assert.That(model.Blocks.Count, Is.EqualTo(28));
        Assert.That(model.Config.InnerDim, Is.EqualTo(2048));
        // "2B": 28 blocks of 2 attentions (4 x 2048² each) and a 4x feed-forward (2 x 4 x 2048²), plus the caption projection
        Assert.That(count, Is.InRange(1.8e9, 2.1e9));
    }

    [Test]
    public void VaeIsThe095Layout()
    {
        var vae = new AutoencoderKLLtxVideo(LtxVaeConfig.FromJson(Config("vae")));
        Assert.That((vae.Config.SpatialCompression, vae.Config.TemporalCompression), Is.EqualTo((32, 8)));
        var shapes = vae.Parameters().ToDictionary(p => p.Name, p => p.Shape);
        void Expect(string name, params long[] shape) => Assert.That(shapes.GetValueOrDefault(name), Is.EqualTo(shape), name);
        Expect("encoder.conv_in.conv.weight", 128, 48, 3, 3, 3);
        // space-to-depth: each downsampler's conv makes out / stride volume channels
        Expect("encoder.down_blocks.0.downsamplers.0.conv.conv.weight", 64, 128, 3, 3, 3);
        Expect("encoder.down_blocks.3.downsamplers.0.conv.conv.weight", 256, 1024, 3, 3, 3);
        Expect("encoder.conv_out.conv.weight", 129, 2048, 3, 3, 3);
        Expect("decoder.conv_in.conv.weight", 1024, 128, 3, 3, 3);
        Expect("decoder.up_blocks.0.upsamplers.0.conv.conv.weight", 4096, 1024, 3, 3, 3);
        Expect("decoder.up_blocks.2.resnets.4.scale_shift_table", 4, 128);
        Expect("decoder.conv_out.conv.weight", 48, 128, 3, 3, 3);
        Expect("decoder.timestep_scale_multiplier");
        Expect("latents_mean", 128);
    }

    [Test]
    public void TextEncoderIsT5XxlWithOneBiasTable()
    {
        var encoder = new T5EncoderModel(Umt5Config.FromJson(Config("text_encoder")));
        Assert.That(encoder.Blocks.Count, Is.EqualTo(24));
        Assert.That(encoder.Blocks.Items.Count(b => b.SelfAttention.RelativeAttentionBias is not null), Is.EqualTo(1));
        Assert.That(encoder.Shared.Parameters().Single().Shape, Is.EqualTo(new long[] { 32128, 4096 }));
    }
}
