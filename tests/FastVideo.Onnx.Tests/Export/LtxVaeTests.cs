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
/// The LTX-Video VAE in the 0.9.5 layout against Diffusers: LTXPipeline's final latents (unpacked), de-normalised, mixed
/// with the fixture's decode noise at decode_noise_scale, decoded at decode_timestep and post-processed to [0, 1] must
/// give the reference <c>video</c>. fp32, eager and on ORT's CPU provider.
/// </summary>
public class LtxVaeTests
{
    static AutoencoderKLLtxVideo Model() => new(LtxVaeConfig.FromJson(JsonConfig.Load(Path.Combine(LtxFixture.Vae, "config.json"))));

    static float DecodeTimestep => (float)LtxFixture.Setting("decode_timestep").GetDouble();
    static float DecodeNoiseScale => (float)LtxFixture.Setting("decode_noise_scale").GetDouble();

    static (float[] Data, long[] Shape) FinalLatents()
    {
        var shape = LtxFixture.Setting("latent_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var unpacked = LtxLatentPacking.Unpack(LtxFixture.Get("final_latents_packed").Data, (int)shape[0], (int)shape[1], (int)shape[2], (int)shape[3], (int)shape[4]);
        return (unpacked, shape);
    }

    /// <summary>VideoProcessor.postprocess_video(output_type="np"): [B, C, F, H, W] in [-1, 1] to [B, F, H, W, C] in [0, 1].</summary>
    static float[] Postprocess(float[] video, long[] shape)
    {
        long b = shape[0], c = shape[1], f = shape[2], h = shape[3], w = shape[4];
        var result = new float[video.Length];
        for (long n = 0; n < b; n++)
        for (long ch = 0; ch < c; ch++)
        for (long t = 0; t < f; t++)
        for (long y = 0; y < h; y++)
        for (long x = 0; x < w; x++)
        {
            float v = video[(((n * c + ch) * f + t) * h + y) * w + x];
            result[(((n * f + t) * h + y) * w + x) * c + ch] = Math.Clamp(v / 2f + 0.5f, 0f, 1f);
        }
        return result;
    }

    [Test]
    public void ConfigDescribesThe095Layout()
    {
        var c = Model().Config;
        Assert.That(c.Is095, Is.True);
        Assert.That((c.SpatialCompression, c.TemporalCompression), Is.EqualTo((32, 8)));
        Assert.That(c.TimestepConditioning, Is.True);
    }

    [Test]
    public void EagerDecodeMatchesPipelineVideo()
    {
        var model = Model();
        using var archive = WeightArchive.Open(LtxFixture.Vae);
        model.CheckWeights(archive);
        var (latents, shape) = FinalLatents();
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var video = model.Decode(ops, torch.tensor(latents, shape), torch.tensor(new[] { DecodeTimestep }),
                TorchReference.FromRef(LtxFixture.Get("decode_noise")), torch.tensor(new[] { DecodeNoiseScale }));
            var (data, outShape) = TorchReference.ToHost(video);
            Assert.That(outShape, Is.EqualTo(new long[] { 1, 3, 17, 96, 128 }));
            Compare.Close(Postprocess(data, outShape), LtxFixture.Get("video").Shape, LtxFixture.Get("video"), 1e-4, "eager ltx vae decode (post-processed)");
        }
    }

    [Test]
    public void OnnxDecodeMatchesPipelineVideoAndEncoderAgreesWithEager()
    {
        var model = Model();
        using var archive = WeightArchive.Open(LtxFixture.Vae);
        model.CheckWeights(archive);
        using var dir = Repo.Temp();
        string decoder = dir[LtxVaeContract.DecoderGraph], encoder = dir[LtxVaeContract.EncoderGraph];
        new OnnxModelWriter().Write(LtxVaeGraphs.Decoder(model, DType.Float32), new CheckpointWeights(archive), decoder, "ltx_vae_decoder");
        new OnnxModelWriter().Write(LtxVaeGraphs.Encoder(model, DType.Float32), new CheckpointWeights(archive), encoder, "ltx_vae_encoder");
        var (latents, shape) = FinalLatents();
        var noise = LtxFixture.Get("decode_noise");
        var video = OrtTypedRunner.Run(decoder,
            OrtInput.Float(LtxVaeContract.Latents, latents, shape),
            OrtInput.Float(LtxVaeContract.Timestep, new[] { DecodeTimestep }, new long[] { 1 }),
            OrtInput.Float(LtxVaeContract.DecodeNoise, noise.Data, noise.Shape),
            OrtInput.Float(LtxVaeContract.DecodeNoiseScale, new[] { DecodeNoiseScale }, new long[] { 1 }))[LtxVaeContract.Video];
        Compare.Close(Postprocess(video.Data, video.Shape), LtxFixture.Get("video").Shape, LtxFixture.Get("video"), 1e-4, "onnx ltx vae decode (post-processed)");

        // the fixture has no encoder reference: the graph must agree with the eager definition, on the decoded video
        // clamped to [-1, 1], at a frame count (9) other than the fixture's so that the time axis is dynamic
        long frames = 9;
        var input = new float[3 * frames * 96 * 128];
        for (long ch = 0; ch < 3; ch++)
            Array.Copy(video.Data, ch * 17 * 96 * 128, input, ch * frames * 96 * 128, frames * 96 * 128);
        for (int i = 0; i < input.Length; i++) input[i] = Math.Clamp(input[i], -1f, 1f);
        long[] inShape = { 1, 3, frames, 96, 128 };
        var onnxMean = OrtTypedRunner.Run(encoder, OrtInput.Float(LtxVaeContract.Video, input, inShape))[LtxVaeContract.LatentMean];
        Assert.That(onnxMean.Shape, Is.EqualTo(new long[] { 1, 8, 2, 3, 4 }));
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var eager = TorchReference.ToHost(model.Encode(ops, torch.tensor(input, inShape)));
            Compare.Close(onnxMean.Data, onnxMean.Shape, new RefTensor(eager.Data, eager.Shape), 1e-4, "ltx vae encoder onnx vs eager");
        }
    }

    [TestCase("decoder_inject_noise", "[true, false, false, false]", "decoder_inject_noise")]
    [TestCase("down_block_types", "[\"LTXVideoDownBlock3D\", \"DownEncoderBlock3D\", \"LTXVideo095DownBlock3D\", \"LTXVideo095DownBlock3D\"]", "down_block_types")]
    [TestCase("downsample_type", "[\"spatial\", \"temporal\", \"pixelshuffle\", \"spatiotemporal\"]", "downsample_type")]
    [TestCase("spatial_compression_ratio", "64", "spatial_compression_ratio")]
    [TestCase("patch_size_t", "2", "patch_size_t")]
    public void UnsupportedLayoutIsRefusedNamingTheField(string field, string value, string named)
    {
        using var dir = Repo.Temp();
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(LtxFixture.Vae, "config.json")))!.AsObject();
        json[field] = System.Text.Json.Nodes.JsonNode.Parse(value);
        File.WriteAllText(dir["config.json"], json.ToJsonString());
        var e = Assert.Throws<ModelFormatException>(() => LtxVaeConfig.FromJson(JsonConfig.Load(dir["config.json"])))!;
        Assert.That(e.Message, Does.Contain($"'{named}'").And.Contain("config.json"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
        TestContext.Out.WriteLine(e.Message);
    }
}
