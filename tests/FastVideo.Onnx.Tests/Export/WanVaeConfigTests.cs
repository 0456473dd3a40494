using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>The VAE exporter refuses configurations it does not reproduce, and a VAE that does not fit the folder's transformer, with one-line errors.</summary>
public class WanVaeConfigTests
{
    /// <summary>A copy of a tiny model folder (model_index, vae, transformer config) with edited configs.</summary>
    static string CopyModel(TempDir dir, string source, Action<JsonObject>? editVae = null, Action<JsonObject>? editTransformer = null)
    {
        string target = dir["model"];
        Directory.CreateDirectory(Path.Combine(target, "vae"));
        Directory.CreateDirectory(Path.Combine(target, "transformer"));
        File.Copy(Path.Combine(source, "model_index.json"), Path.Combine(target, "model_index.json"));
        foreach (var file in Directory.GetFiles(Path.Combine(source, "vae")))
            File.Copy(file, Path.Combine(target, "vae", Path.GetFileName(file)));
        File.Copy(Path.Combine(source, "transformer", "config.json"), Path.Combine(target, "transformer", "config.json"));
        Edit(Path.Combine(target, "vae", "config.json"), editVae);
        Edit(Path.Combine(target, "transformer", "config.json"), editTransformer);
        return target;

        static void Edit(string path, Action<JsonObject>? edit)
        {
            if (edit is null) return;
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            edit(json);
            File.WriteAllText(path, json.ToJsonString());
        }
    }

    static ModelFormatException Refused(string folder)
    {
        var e = Assert.Throws<ModelFormatException>(() => VaeFixture.Prepare(folder, DType.Float32).Dispose())!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.Not.Contain("\n"), "one line");
        return e;
    }

    [Test]
    public void TinyFoldersPassTheConsistencyCheck()
    {
        // text-to-video: in_channels 16 = z_dim; image-to-video: in_channels 36 = 2*16 + 4
        VaeFixture.Prepare(Repo.TinyT2V, DType.Float32).Dispose();
        VaeFixture.Prepare(Repo.TinyI2V, DType.Float32).Dispose();
    }

    /// <summary>A patch size the declared compression does not account for (Wan2.1's 8x with patch 2 would be 16x).</summary>
    [Test]
    public void CompressionThatDisagreesWithLevelsAndPatchIsRefused()
    {
        using var dir = Repo.Temp();
        var e = Refused(CopyModel(dir, Repo.TinyT2V, editVae: v => { v["patch_size"] = 2; v["in_channels"] = 12; v["out_channels"] = 12; }));
        Assert.That(e.Message, Does.StartWith(Path.Combine(dir["model"], "vae", "config.json") + ": field 'scale_factor_spatial' is 8"));
        Assert.That(e.Message, Does.Contain("compress 16x"));
    }

    [Test]
    public void ChannelsThatDoNotHoldWholePatchesAreRefused()
    {
        using var dir = Repo.Temp();
        var e = Refused(CopyModel(dir, Repo.TinyT2V, editVae: v => { v["patch_size"] = 2; v["scale_factor_spatial"] = 16; }));
        Assert.That(e.Message, Does.StartWith(Path.Combine(dir["model"], "vae", "config.json") + ": field 'in_channels' is 3, not a multiple of patch_size^2 = 4"));
    }

    [Test]
    public void OtherTemporalCompressionIsRefused()
    {
        using var dir = Repo.Temp();
        var e = Refused(CopyModel(dir, Repo.TinyT2V, editVae: v => v["scale_factor_temporal"] = 8));
        Assert.That(e.Message, Does.Contain("field 'scale_factor_temporal' must be 4"));
    }

    [Test]
    public void LatentStatisticsOfTheWrongLengthAreRefused()
    {
        using var dir = Repo.Temp();
        var e = Refused(CopyModel(dir, Repo.TinyT2V, editVae: v => v["latents_std"]!.AsArray().RemoveAt(0)));
        Assert.That(e.Message, Does.Contain("vae").And.Contain("'latents_std' has 15 values but z_dim is 16"));
    }

    [Test]
    public void TextToVideoTransformerWithOtherChannelsIsRefused()
    {
        using var dir = Repo.Temp();
        string folder = CopyModel(dir, Repo.TinyT2V, editTransformer: t => t["in_channels"] = 20);
        var e = Refused(folder);
        Assert.That(e.Message, Does.StartWith(Path.Combine(folder, "vae", "config.json") + ": z_dim 16"));
        Assert.That(e.Message, Does.Contain(Path.Combine(folder, "transformer", "config.json")).And.Contain("in_channels 20"));
    }

    [Test]
    public void ImageToVideoTransformerWithOtherChannelsIsRefused()
    {
        using var dir = Repo.Temp();
        string folder = CopyModel(dir, Repo.TinyI2V, editTransformer: t => t["in_channels"] = 16);
        var e = Refused(folder);
        Assert.That(e.Message, Does.Contain(Path.Combine(folder, "transformer", "config.json")).And.Contain("2*z_dim+4 = 36"));
    }

    [Test]
    public void TransformerOutputChannelsMustEqualZDim()
    {
        using var dir = Repo.Temp();
        var e = Refused(CopyModel(dir, Repo.TinyT2V, editTransformer: t => t["out_channels"] = 32));
        Assert.That(e.Message, Does.Contain("out_channels 32"));
    }
}
