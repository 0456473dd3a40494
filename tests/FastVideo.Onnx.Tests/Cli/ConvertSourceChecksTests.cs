using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// convert refuses what it (or generate) does not implement, naming the file and field, and names what it ignores:
/// path-like component names, Wan2.2 fields, scheduler / tokenizer / image processor configs the runtime cannot read,
/// pipeline classes without a runtime pipeline, bad --dtype lists.
/// </summary>
public class ConvertSourceChecksTests
{
    static void EditJson(string path, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    static void AssertRefused(Support.Cli.Result r, string output, params string[] parts)
    {
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        string line = r.Err.Trim();
        Assert.That(line.Split('\n'), Has.Length.EqualTo(1), "one line: " + line);
        foreach (var part in parts) Assert.That(line, Does.Contain(part));
        Assert.That(Directory.Exists(output), Is.False, "no output");
        Assert.That(Directory.GetDirectories(Path.GetDirectoryName(output)!).Where(d => d.Contains(".partial-")), Is.Empty, "no partial folder");
    }

    static Support.Cli.Result Convert(string model, string output, params string[] extra) =>
        Support.Cli.Run(new[] { "convert", model, "--output", output }.Concat(extra).ToArray());

    [TestCase("../evilcomp")]
    [TestCase("sub/evilcomp")]
    [TestCase("ABSOLUTE")]
    public void PathLikeComponentNamesAreRefused(string key)
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir, Path.Combine("in", "model"));
        // A readable folder where the path points: converting it would read (and write) outside the model folders.
        string outside = dir["evilcomp"];
        ModelCopy.Of(Path.Combine(Repo.TinyT2V, "scheduler"), dir, "evilcomp");
        if (key == "ABSOLUTE") key = outside;
        EditJson(Path.Combine(model, ModelIndex.FileName), j => j[key] = new JsonArray("diffusers", "UniPCMultistepScheduler"));
        var r = Convert(model, dir["out"], "--components", "scheduler");
        AssertRefused(r, dir["out"], $"'{key}'");
    }

    /// <summary>Wan2.2 fields that Diffusers would not run as they say: one expert without the other, a ratio outside (0, 1).</summary>
    [Test]
    public void InconsistentWan22PipelineFieldsAreRefused()
    {
        foreach (var (edit, field, problem) in new (Action<JsonObject>, string, string)[]
                 {
                     (j => j["boundary_ratio"] = 0.875, "'boundary_ratio'", "no 'transformer_2'"),
                     (j => j["transformer_2"] = new JsonArray("diffusers", "WanTransformer3DModel"), "'transformer_2'", "would never run"),
                     (j => { j["boundary_ratio"] = 1.5; j["transformer_2"] = new JsonArray("diffusers", "WanTransformer3DModel"); }, "'boundary_ratio' is 1.5", "between 0 and 1"),
                 })
        {
            using var dir = Repo.Temp();
            string model = ModelCopy.Of(Repo.TinyT2V, dir);
            EditJson(Path.Combine(model, ModelIndex.FileName), edit);
            var r = Convert(model, dir["out"], "--components", "scheduler,tokenizer");
            AssertRefused(r, dir["out"], Path.Combine(model, ModelIndex.FileName), field, problem);
        }
    }

    /// <summary>VAE compression fields that disagree with the network are refused, naming the field.</summary>
    [TestCase("patch_size", "2", "'scale_factor_spatial'")]
    [TestCase("scale_factor_spatial", "16", "'scale_factor_spatial'")]
    [TestCase("scale_factor_temporal", "8", "'scale_factor_temporal'")]
    public void VaeCompressionThatDisagreesWithTheNetworkIsRefused(string field, string value, string named)
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        string config = Path.Combine(model, "vae", "config.json");
        EditJson(config, j =>
        {
            j[field] = JsonNode.Parse(value);
            if (field == "patch_size") { j["in_channels"] = 12; j["out_channels"] = 12; }
        });
        AssertRefused(Convert(model, dir["out"], "--components", "vae"), dir["out"], config, named);
    }

    [Test]
    public void IgnoredFieldsAreNamedInANotice()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        string config = Path.Combine(model, "transformer", "config.json");
        EditJson(config, j => j["sample_size"] = 64);
        EditJson(Path.Combine(model, ModelIndex.FileName), j => j["requires_safety_checker"] = false);
        var r = Convert(model, dir["out"], "--components", "transformer");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var notices = r.Out.Split('\n').Where(l => l.Contains("notice:")).ToList();
        Assert.That(notices, Has.One.Contains(config).And.Contains("'sample_size'"));
        Assert.That(notices, Has.One.Contains(Path.Combine(model, ModelIndex.FileName)).And.Contains("'requires_safety_checker'"));
        // Bookkeeping keys that every published folder carries are not reported.
        Assert.That(notices, Has.None.Contains("_diffusers_version").Or.Contains("_name_or_path"));
        // Notices describe the source; the manifest records only what the conversion decided.
        Assert.That(ComponentManifest.Load(Path.Combine(dir["out"], "transformer")).Notes, Is.Empty);
    }

    [Test]
    public void GenerateRefusesAConvertedFolderWithInconsistentWan22Fields()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(ConvertedModels.TextToVideo, dir);
        EditJson(Path.Combine(model, ModelIndex.FileName), j => j["boundary_ratio"] = 0.875);
        var r = Support.Cli.Run("generate", "--model", model, "--prompt", "a cat", "--device", "cpu", "--output", dir["video.safetensors"]);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Err, Does.Contain(Path.Combine(model, ModelIndex.FileName)).And.Contain("'boundary_ratio'").And.Contain("no 'transformer_2'"));
        Assert.That(File.Exists(dir["video.safetensors"]), Is.False);
    }

    [TestCase("not json", "scheduler_config.json")]
    [TestCase("class", "'EulerDiscreteScheduler'")]
    [TestCase("type", "'flow_shift'")]
    [TestCase("karras", "'use_karras_sigmas'")]
    public void BrokenSchedulerConfigsAreRefused(string breakage, string expected)
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        string config = Path.Combine(model, "scheduler", "scheduler_config.json");
        switch (breakage)
        {
            case "not json": File.WriteAllText(config, "{ \"_class_name\": "); break;
            case "class": EditJson(config, j => j["_class_name"] = "EulerDiscreteScheduler"); break;
            case "type": EditJson(config, j => j["flow_shift"] = "three"); break;
            default: EditJson(config, j => j["use_karras_sigmas"] = true); break;
        }
        AssertRefused(Convert(model, dir["out"], "--components", "scheduler"), dir["out"], config, expected);
    }

    [Test]
    public void PipelineWithoutARuntimePipelineIsRefused()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        EditJson(Path.Combine(model, ModelIndex.FileName), j => j["_class_name"] = "FluxPipeline");
        AssertRefused(Convert(model, dir["out"], "--components", "scheduler"), dir["out"],
            Path.Combine(model, ModelIndex.FileName), "'_class_name'", "'FluxPipeline'", "WanImageToVideoPipeline", "WanPipeline");
    }

    [Test]
    public void TokenizerWithoutItsModelIsRefused()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        File.Delete(Path.Combine(model, "tokenizer", "spiece.model"));
        AssertRefused(Convert(model, dir["out"], "--components", "tokenizer"), dir["out"], Path.Combine(model, "tokenizer", "spiece.model"));
    }

    [Test]
    public void ImageProcessorTheRuntimeCannotReadIsRefused()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyI2V, dir);
        string config = Path.Combine(model, "image_processor", "preprocessor_config.json");
        EditJson(config, j => j["crop_size"] = "big");
        AssertRefused(Convert(model, dir["out"], "--components", "image_processor"), dir["out"], config, "crop_size");
    }

    [TestCase("bogus=fp16", "'bogus'", "transformer")]
    [TestCase("transformer=fp16,transformer=bf16", "'transformer'", "twice")]
    [TestCase("fp16,bf16", "twice")]
    [TestCase("transformer=fp8", "fp8")]
    [TestCase("transformer=fp16,,vae=fp32", "empty")]
    [TestCase("", "empty")]
    [TestCase("=fp16", "no component name")]
    public void BadDtypeListsAreRefused(string dtype, params string[] expected)
    {
        using var dir = Repo.Temp();
        var r = Convert(Repo.TinyT2V, dir["out"], "--components", "scheduler", "--dtype", dtype);
        AssertRefused(r, dir["out"], expected.Prepend("--dtype").ToArray());
    }

    [Test]
    public void ReducedPrecisionSaysTheFolderIsForGpus()
    {
        using var dir = Repo.Temp();
        var r = Convert(Repo.TinyT2V, dir["out"], "--components", "transformer,scheduler", "--dtype", "transformer=bf16");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var lines = r.Out.Split('\n').Where(l => l.Contains("CPU provider")).ToList();
        Assert.That(lines, Has.Count.EqualTo(1), r.Out);
        Assert.That(lines[0], Does.Contain("transformer is bf16").And.Contain("GPU").And.Contain("--dtype fp32"));

        var fp32 = Convert(Repo.TinyT2V, dir["out32"], "--components", "transformer");
        Assert.That(fp32.Out, Does.Not.Contain("CPU provider"), "no notice for fp32");
    }
}
