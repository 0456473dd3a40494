using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Clip;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Umt5;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>
/// The encoders through the whole converter: the tiny I2V folder converts (fp16 asked for everything: UMT5 falls back
/// to bf16 with a note, CLIP exports fp16), and a folder of configs filled with random weights in the published,
/// sharded layout passes strict loading.
/// </summary>
public class Umt5ClipConversionTests
{
    [Test]
    public void TinyImageToVideoFolderConvertsBothEncoders()
    {
        using var dir = Repo.Temp();
        var result = new ModelConverter().Convert(new ConversionRequest(Repo.TinyI2V, dir["out"])
        {
            Precision = DType.Float16,
            Components = new[] { "text_encoder", "image_encoder", "tokenizer" },
        });
        var text = result.Components.Single(c => c.Name == "text_encoder");
        Assert.That(text.Precision, Is.EqualTo(DType.BFloat16));
        Assert.That(text.Notes, Is.EqualTo(new[] { Umt5EncoderExporter.Float16Note }));
        var image = result.Components.Single(c => c.Name == "image_encoder");
        Assert.That(image.Precision, Is.EqualTo(DType.Float16));
        foreach (var name in new[] { "text_encoder", "image_encoder" })
        {
            var manifest = ComponentManifest.Load(Path.Combine(dir["out"], name));
            Assert.That(manifest.Graphs.Single().File, Is.EqualTo("model.onnx"));
            Assert.That(File.Exists(Path.Combine(dir["out"], name, "model.onnx")), Is.True);
        }

        // the fp16 CLIP graph runs on the CPU provider and agrees with transformers' fp32 output
        var pixels = Reference.Get("i2v_clip_pixel_values");
        var embeds = OrtTypedRunner.Run(Path.Combine(dir["out"], "image_encoder", "model.onnx"),
            OrtInput.Float(ClipVisionGraph.PixelValues, pixels.Data, pixels.Shape))[ClipVisionGraph.ImageEmbeds];
        Compare.Similar(embeds.Data, Reference.Get("i2v_image_embeds"), 0.999, "onnx fp16 clip image_embeds");
    }

    [Test]
    public void RandomWeightsInThePublishedShardedLayoutPassStrictLoading()
    {
        using var dir = Repo.Temp();
        string model = dir["model"];
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, ModelIndex.FileName), """
            {"_class_name": "WanImageToVideoPipeline", "text_encoder": ["transformers", "UMT5EncoderModel"],
             "image_encoder": ["transformers", "CLIPVisionModel"]}
            """);
        foreach (var (name, source) in new[] { ("text_encoder", Repo.TinyT2V), ("image_encoder", Repo.TinyI2V) })
        {
            Directory.CreateDirectory(Path.Combine(model, name));
            File.Copy(Path.Combine(source, name, "config.json"), Path.Combine(model, name, "config.json"));
        }
        // small shards: the text encoder's weights span several files and an index
        SyntheticCheckpoint.Write(model, DType.BFloat16, maxShardBytes: 100_000);
        Assert.That(Directory.GetFiles(Path.Combine(model, "text_encoder"), "*.safetensors.index.json"), Has.Length.EqualTo(1));

        var index = ModelIndex.Load(model);
        using (var text = new Umt5EncoderExporter().Prepare(new ComponentSource(index.Get("text_encoder"), Path.Combine(model, "text_encoder"), index, DType.Float32)))
            Assert.That(text.EstimatedBytes, Is.GreaterThan(0));
        // CLIP's published layout is transformers 4.x's vision_model.* keys
        var clip = (ClipVisionModel)new ClipVisionExporter().Define(new ComponentSource(index.Get("image_encoder"), Path.Combine(model, "image_encoder"), index, DType.Float32));
        Assert.That(clip.Prefix, Is.EqualTo(ClipVisionModel.VisionModelPrefix));
        using (var image = new ClipVisionExporter().Prepare(new ComponentSource(index.Get("image_encoder"), Path.Combine(model, "image_encoder"), index, DType.Float32)))
            Assert.That(image.EstimatedBytes, Is.GreaterThan(0));
    }
}
