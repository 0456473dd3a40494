using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Clip;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using TorchSharp;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The CLIP vision encoder (Wan image-to-video's image_encoder) against transformers' hidden_states[-2] for the fixture
/// image: eager TorchSharp and the exported fp32 graph on ONNX Runtime's CPU provider; config and checkpoint checks.
/// </summary>
public class ClipVisionTests
{
    static string Folder => Path.Combine(Repo.TinyI2V, "image_encoder");

    static ClipVisionConfig Config() => ClipVisionConfig.FromJson(JsonConfig.Load(Path.Combine(Folder, "config.json")));

    static ComponentSource Source(string folder, DType precision = DType.Float32) =>
        new(new ComponentEntry("image_encoder", "transformers", "CLIPVisionModel"), folder, ModelIndex.Load(Repo.TinyI2V), precision);

    static (float[] Data, long[] Shape) Eager(ClipVisionModel model, WeightArchive archive, float[] pixels, long[] shape) =>
        TorchReference.Run(archive, DType.Float32, ops => model.Forward(ops, torch.tensor(pixels, shape)));

    static string Export(ClipVisionModel model, WeightArchive archive, TempDir dir)
    {
        string path = dir["image_encoder.onnx"];
        new OnnxModelWriter().Write(ClipVisionGraph.Build(model, DType.Float32), new CheckpointWeights(archive), path, "clip_vision");
        return path;
    }

    [Test]
    public void EagerMatchesTransformersHiddenStatesMinus2()
    {
        // the fixture checkpoint was saved by transformers 5 (keys without 'vision_model.')
        var model = new ClipVisionModel(Config(), prefix: "");
        Assert.That(model.Layers.Count, Is.EqualTo(2), "3 layers in config.json: hidden_states[-2] is the output of layer 1");
        using var archive = WeightArchive.Open(Folder);
        model.CheckWeights(archive);
        var pixels = Reference.Get("i2v_clip_pixel_values");
        var (data, shape) = Eager(model, archive, pixels.Data, pixels.Shape);
        Compare.Close(data, shape, Reference.Get("i2v_image_embeds"), 1e-4, "eager fp32 clip image_embeds");
    }

    [Test]
    public void Float32GraphMatchesTransformersAndEagerForABatch()
    {
        var model = new ClipVisionModel(Config(), prefix: "");
        using var archive = WeightArchive.Open(Folder);
        model.CheckWeights(archive);
        using var dir = Repo.Temp();
        string path = Export(model, archive, dir);

        var pixels = Reference.Get("i2v_clip_pixel_values");
        var result = OrtTypedRunner.Run(path, OrtInput.Float(ClipVisionGraph.PixelValues, pixels.Data, pixels.Shape))[ClipVisionGraph.ImageEmbeds];
        Compare.Close(result.Data, result.Shape, Reference.Get("i2v_image_embeds"), 1e-4, "onnx fp32 clip image_embeds");

        // batch 2 (the fixture image and a different one): the batch axis is dynamic and rows stay independent
        var batch = pixels.Data.Concat(pixels.Data.Select((v, i) => -0.5f * v + MathF.Sin(i * 0.1f))).ToArray();
        long[] shape = { 2, 3, 32, 32 };
        var onnx = OrtTypedRunner.Run(path, OrtInput.Float(ClipVisionGraph.PixelValues, batch, shape))[ClipVisionGraph.ImageEmbeds];
        var eager = Eager(model, archive, batch, shape);
        Assert.That(onnx.Shape, Is.EqualTo(new long[] { 2, 17, 32 }));
        Compare.Close(onnx.Data, onnx.Shape, new RefTensor(eager.Data, eager.Shape), 1e-4, "clip onnx vs eager, batch 2");
        Compare.Close(onnx.Data.Take(17 * 32).ToArray(), new long[] { 1, 17, 32 }, Reference.Get("i2v_image_embeds"), 1e-4, "clip onnx batch row 0");
    }

    [Test]
    public void ExporterWritesModelOnnxAndAcceptsExactlyTheUnusedWeights()
    {
        using var prepared = new ClipVisionExporter().Prepare(Source(Folder));
        using var dir = Repo.Temp();
        var manifest = prepared.Write(dir.Path, new Progress<long>(), CancellationToken.None);
        Assert.That(File.Exists(dir["model.onnx"]), Is.True);
        Assert.That(manifest.Graphs[0].Outputs.Single().Name, Is.EqualTo("image_embeds"));
        Assert.That(manifest.Graphs[0].Inputs.Single().Shape.Select(d => d.ToString()), Is.EqualTo(new[] { "batch", "3", "32", "32" }));

        var model = new ClipVisionModel(Config(), prefix: "");
        Assert.That(model.UnusedWeights, Is.EquivalentTo(new[]
        {
            "encoder.layers.2.layer_norm1.weight", "encoder.layers.2.layer_norm1.bias", "encoder.layers.2.layer_norm2.weight",
            "encoder.layers.2.layer_norm2.bias", "encoder.layers.2.mlp.fc1.weight", "encoder.layers.2.mlp.fc1.bias",
            "encoder.layers.2.mlp.fc2.weight", "encoder.layers.2.mlp.fc2.bias", "encoder.layers.2.self_attn.k_proj.weight",
            "encoder.layers.2.self_attn.k_proj.bias", "encoder.layers.2.self_attn.v_proj.weight", "encoder.layers.2.self_attn.v_proj.bias",
            "encoder.layers.2.self_attn.q_proj.weight", "encoder.layers.2.self_attn.q_proj.bias", "encoder.layers.2.self_attn.out_proj.weight",
            "encoder.layers.2.self_attn.out_proj.bias", "post_layernorm.weight", "post_layernorm.bias",
        }));
    }

    [TestCase("encoder.layers.2.self_attn.extra.weight")] // inside the skipped layer, but not one of its weights
    [TestCase("visual_projection.weight")]               // CLIPVisionModelWithProjection's head
    public void AnUnexpectedTensorIsRejectedByName(string stray)
    {
        using var dir = Repo.Temp();
        string folder = CheckpointCopy.Make(Folder, dir["image_encoder"],
            extra: new[] { (stray, DType.Float32, new long[] { 32, 32 }, new byte[32 * 32 * 4]) });
        var e = Assert.Throws<ModelFormatException>(() => new ClipVisionExporter().Prepare(Source(folder)))!;
        Assert.That(e.Message, Does.Contain($"'{stray}'").And.Contain("model.safetensors").And.Contain("unexpected"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
        TestContext.Out.WriteLine(e.Message);
    }

    [Test]
    public void PrefixedCheckpointOfTransformers4LoadsAndGivesTheSameOutput()
    {
        // transformers 4.x (which saved the published Wan2.1 image encoders) names every key vision_model.*
        using var dir = Repo.Temp();
        string folder = CheckpointCopy.Make(Folder, dir["image_encoder"], rename: n => ClipVisionModel.VisionModelPrefix + n);
        using var prepared = new ClipVisionExporter().Prepare(Source(folder));
        string outDir = dir["out"];
        Directory.CreateDirectory(outDir);
        prepared.Write(outDir, new Progress<long>(), CancellationToken.None);
        var pixels = Reference.Get("i2v_clip_pixel_values");
        var result = OrtTypedRunner.Run(Path.Combine(outDir, "model.onnx"),
            OrtInput.Float(ClipVisionGraph.PixelValues, pixels.Data, pixels.Shape))[ClipVisionGraph.ImageEmbeds];
        Compare.Close(result.Data, result.Shape, Reference.Get("i2v_image_embeds"), 1e-4, "onnx fp32 clip, vision_model.* checkpoint");
    }

    [TestCase("hidden_size")]
    [TestCase("patch_size")]
    public void ConfigWithoutANeededFieldIsAOneLineErrorNamingIt(string field)
    {
        using var dir = Repo.Temp();
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "config.json")))!.AsObject();
        json.Remove(field);
        string folder = dir["image_encoder"];
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), json.ToJsonString());
        File.Copy(Path.Combine(Folder, "model.safetensors"), Path.Combine(folder, "model.safetensors"));
        var e = Assert.Throws<ModelFormatException>(() => new ClipVisionExporter().Prepare(Source(folder)))!;
        Assert.That(e.Message, Does.Contain("config.json").And.Contain($"'{field}'").And.Contain("missing"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
        TestContext.Out.WriteLine(e.Message);
    }

    [Test]
    public void UnsupportedActivationIsNamed()
    {
        using var dir = Repo.Temp();
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "config.json")))!.AsObject();
        json["hidden_act"] = "swish";
        string path = dir["config.json"];
        File.WriteAllText(path, json.ToJsonString());
        var e = Assert.Throws<ModelFormatException>(() => ClipVisionConfig.FromJson(JsonConfig.Load(path)))!;
        Assert.That(e.Message, Does.Contain("'hidden_act'").And.Contain("swish"));
    }
}
