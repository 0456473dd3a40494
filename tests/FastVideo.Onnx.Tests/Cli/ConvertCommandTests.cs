using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>fastvideo-onnx convert: output layout, and bad input giving one line, a non-zero exit and no output.</summary>
public class ConvertCommandTests
{
    static readonly string[] Components = { "--components", "transformer,tokenizer,scheduler" };

    static void AssertFailedCleanly(Support.Cli.Result r, string output, params string[] messageParts)
    {
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        string line = r.Err.Trim();
        Assert.That(line.Split('\n'), Has.Length.EqualTo(1), "one line: " + line);
        foreach (var part in messageParts) Assert.That(line, Does.Contain(part));
        Assert.That(Directory.Exists(output), Is.False, "no output folder");
        var parent = Path.GetDirectoryName(output)!;
        Assert.That(Directory.GetDirectories(parent).Where(d => Path.GetFileName(d).Contains(".partial-")), Is.Empty, "no partial folder left");
    }

    [Test]
    public void WritesTheLayoutAndManifests()
    {
        using var dir = Repo.Temp();
        string output = dir["out"];
        var r = Support.Cli.Run(new[] { "convert", Repo.TinyT2V, "--output", output }.Concat(Components).ToArray());
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Out, Does.Contain("transformer").And.Contain("WanTransformer3DModel").And.Contain("total"));
        Assert.That(File.Exists(Path.Combine(output, "model_index.json")), Is.True);
        Assert.That(File.Exists(Path.Combine(output, "tokenizer", "spiece.model")), Is.True);
        Assert.That(File.Exists(Path.Combine(output, "scheduler", "scheduler_config.json")), Is.True);
        var converted = ConvertedModel.Load(output);
        Assert.That(converted.Pipeline, Is.EqualTo("WanPipeline"));
        Assert.That(converted.Components["transformer"].Kind, Is.EqualTo(ConvertedComponent.Exported));
        var manifest = ComponentManifest.Load(Path.Combine(output, "transformer"));
        Assert.That(manifest.Precision, Is.EqualTo("fp32"));
        Assert.That(manifest.SourceFingerprint, Does.StartWith("sha256:"));
        Assert.That(manifest.Graphs.Select(g => g.File), Is.EqualTo(new[] { "model.onnx", "model.fused.onnx" }));
        foreach (var graph in manifest.Graphs)
        {
            Assert.That(graph.Inputs.Select(i => i.Name), Is.EqualTo(new[] { "hidden_states", "timestep", "encoder_hidden_states" }));
            Assert.That(graph.Outputs.Single().Name, Is.EqualTo("sample"));
            Assert.That(File.Exists(Path.Combine(output, "transformer", graph.File)), Is.True);
            Assert.That(graph.DataFile, Is.EqualTo("model.onnx.data"), "both graphs share one data file");
        }
        Assert.That(File.Exists(Path.Combine(output, "transformer", "model.onnx.data")), Is.True);
    }

    [Test]
    public void ExportedGraphFromTheCliReproducesDiffusers()
    {
        using var dir = Repo.Temp();
        string output = dir["out"];
        var r = Support.Cli.Run("convert", Repo.TinyT2V, "--output", output, "--components", "transformer");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var lat = Reference.Get("latents_init");
        var ctx = Reference.Get("prompt_embeds");
        var result = OrtRunner.Run(Path.Combine(output, "transformer", "model.onnx"),
            ("hidden_states", lat.Data, lat.Shape), ("timestep", new float[] { 999 }, new long[] { 1 }), ("encoder_hidden_states", ctx.Data, ctx.Shape))["sample"];
        Compare.Close(result.Data, result.Shape, Reference.Get("transformer_out_t999"), 1e-4, "cli-converted transformer");
    }

    [Test]
    public void NoModelIndex()
    {
        using var dir = Repo.Temp();
        Directory.CreateDirectory(dir["empty"]);
        var r = Support.Cli.Run("convert", dir["empty"], "--output", dir["out"]);
        AssertFailedCleanly(r, dir["out"], "model_index.json", "not found");
    }

    [Test]
    public void MissingComponentFolder()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        Directory.Delete(Path.Combine(model, "transformer"), true);
        var r = Support.Cli.Run(new[] { "convert", model, "--output", dir["out"] }.Concat(Components).ToArray());
        AssertFailedCleanly(r, dir["out"], Path.Combine(model, "transformer"), "component folder missing");
    }

    [Test]
    public void TruncatedWeights()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        string weights = Path.Combine(model, "transformer", "diffusion_pytorch_model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        var r = Support.Cli.Run(new[] { "convert", model, "--output", dir["out"] }.Concat(Components).ToArray());
        AssertFailedCleanly(r, dir["out"], weights, "out of range");
    }

    [Test]
    public void CorruptHeaderLength()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        string weights = Path.Combine(model, "transformer", "diffusion_pytorch_model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        BitConverter.GetBytes(ulong.MaxValue / 2).CopyTo(bytes, 0);
        File.WriteAllBytes(weights, bytes);
        var r = Support.Cli.Run(new[] { "convert", model, "--output", dir["out"] }.Concat(Components).ToArray());
        AssertFailedCleanly(r, dir["out"], weights, "header length");
    }

    [Test]
    public void ConfigFieldMissing()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        string config = Path.Combine(model, "transformer", "config.json");
        ModelCopy.EditText(config, "\"num_layers\": 2,", "");
        var r = Support.Cli.Run(new[] { "convert", model, "--output", dir["out"] }.Concat(Components).ToArray());
        AssertFailedCleanly(r, dir["out"], config, "'num_layers'", "missing");
    }

    [Test]
    public void ConfigFieldWrongType()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        string config = Path.Combine(model, "transformer", "config.json");
        ModelCopy.EditText(config, "\"num_attention_heads\": 2", "\"num_attention_heads\": \"two\"");
        var r = Support.Cli.Run(new[] { "convert", model, "--output", dir["out"] }.Concat(Components).ToArray());
        AssertFailedCleanly(r, dir["out"], config, "'num_attention_heads'", "integer");
    }

    [Test]
    public void ConfigDisagreesWithWeights()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        ModelCopy.EditText(Path.Combine(model, "transformer", "config.json"), "\"ffn_dim\": 96", "\"ffn_dim\": 64");
        var r = Support.Cli.Run(new[] { "convert", model, "--output", dir["out"] }.Concat(Components).ToArray());
        AssertFailedCleanly(r, dir["out"], "diffusion_pytorch_model.safetensors", "ffn.net.0.proj", "shape");
    }

    [Test]
    public void OutputExistsWithoutForce()
    {
        using var dir = Repo.Temp();
        string output = dir["out"];
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.txt"), "user data");
        var r = Support.Cli.Run(new[] { "convert", Repo.TinyT2V, "--output", output }.Concat(Components).ToArray());
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Err, Does.Contain("already exists").And.Contain("--force"));
        Assert.That(File.ReadAllText(Path.Combine(output, "keep.txt")), Is.EqualTo("user data"), "existing output untouched");

        var forced = Support.Cli.Run(new[] { "convert", Repo.TinyT2V, "--output", output, "--force" }.Concat(Components).ToArray());
        Assert.That(forced.Code, Is.EqualTo(0), forced.ToString());
        Assert.That(File.Exists(Path.Combine(output, "keep.txt")), Is.False, "--force replaced the folder");
        Assert.That(ConvertedModel.IsConverted(output), Is.True);
    }

    [Test]
    public void UnknownComponentName()
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("convert", Repo.TinyT2V, "--output", dir["out"], "--components", "transformr");
        AssertFailedCleanly(r, dir["out"], "'transformr'", "transformer");
    }

    [Test]
    public void UnknownOptionIsAUsageError()
    {
        var r = Support.Cli.Run("convert", Repo.TinyT2V, "--outptu", "x");
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("--outptu").And.Contain("--output"));
    }

    [Test]
    public void CancellationLeavesNothing()
    {
        using var dir = Repo.Temp();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var r = Support.Cli.Run(cancel.Token, new[] { "convert", Repo.TinyT2V, "--output", dir["out"] }.Concat(Components).ToArray());
        Assert.That(r.Code, Is.EqualTo(130), r.ToString());
        Assert.That(Directory.Exists(dir["out"]), Is.False);
        Assert.That(Directory.GetDirectories(dir.Path).Where(d => d.Contains(".partial-")), Is.Empty);
    }
}
