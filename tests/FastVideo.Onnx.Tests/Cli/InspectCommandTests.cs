using System.Text;
using System.Text.Json;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// fastvideo-onnx inspect on the tiny models (Diffusers and converted), checked against what the folders themselves
/// hold (model_index.json, configs, safetensors headers, manifests, the preset catalog), and on folders that are neither.
/// </summary>
public class InspectCommandTests
{
    static JsonElement InspectJson(string folder)
    {
        var r = Support.Cli.Run("inspect", folder, "--json");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Err, Is.Empty);
        return JsonDocument.Parse(r.Out).RootElement;
    }

    static JsonElement ComponentOf(JsonElement report, string name) =>
        report.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    // ---- Diffusers folders ----

    [Test]
    public void DiffusersFolderAsText()
    {
        var r = Support.Cli.Run("inspect", Repo.TinyI2V);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var index = ModelIndex.Load(Repo.TinyI2V);
        Assert.That(r.Out, Does.Contain("Diffusers model folder").And.Contain(index.PipelineClass));
        foreach (var c in index.Components)
            Assert.That(r.Out, Does.Match($@"\n\s+{c.Name}\s+{c.ClassName} \({c.Library}\)"), $"component {c.Name}");

        // Config highlights, as the configs give them.
        var transformer = JsonConfig.Load(Path.Combine(Repo.TinyI2V, "transformer", "config.json"));
        foreach (var field in new[] { "num_layers", "num_attention_heads", "attention_head_dim", "in_channels" })
            Assert.That(r.Out, Does.Contain($"{field} {transformer.GetInt(field)}"));
        Assert.That(r.Out, Does.Contain($"inner_dim {transformer.GetInt("num_attention_heads") * transformer.GetInt("attention_head_dim")}"));
        Assert.That(r.Out, Does.Contain($"z_dim {JsonConfig.Load(Path.Combine(Repo.TinyI2V, "vae", "config.json")).GetInt("z_dim")}"));
        var text = JsonConfig.Load(Path.Combine(Repo.TinyI2V, "text_encoder", "config.json"));
        Assert.That(r.Out, Does.Contain($"num_layers {text.GetInt("num_layers")}, d_model {text.GetInt("d_model")}"));

        // Weight files with their header's tensor count.
        using (var weights = SafetensorsFile.Open(Path.Combine(Repo.TinyI2V, "transformer", "diffusion_pytorch_model.safetensors")))
            Assert.That(r.Out, Does.Contain($"diffusion_pytorch_model.safetensors: {weights.Tensors.Count} tensors"));
        Assert.That(r.Out, Does.Match(@"tokenizer\s+T5Tokenizer \(transformers\)\s+convert: copied"));
        Assert.That(r.Out, Does.Match(@"transformer\s+WanTransformer3DModel \(diffusers\)\s+convert: to ONNX"));
        Assert.That(r.Out, Does.Contain("convertible yes"));
        Assert.That(r.Out, Does.Contain("preset      wan-tiny"));
    }

    [Test]
    public void DiffusersFolderAsJson()
    {
        var report = InspectJson(Repo.TinyI2V);
        var index = ModelIndex.Load(Repo.TinyI2V);
        Assert.That(report.GetProperty("kind").GetString(), Is.EqualTo("diffusers"));
        Assert.That(report.GetProperty("pipeline").GetString(), Is.EqualTo(index.PipelineClass));
        Assert.That(report.GetProperty("diffusers_version").GetString(), Is.EqualTo(index.Json.GetString("_diffusers_version")));
        Assert.That(report.GetProperty("runtime_has_pipeline").GetBoolean(), Is.True);
        Assert.That(report.GetProperty("convertible").GetBoolean(), Is.True);
        Assert.That(report.GetProperty("components").EnumerateArray().Select(c => (c.GetProperty("name").GetString(), c.GetProperty("class_name").GetString())),
            Is.EquivalentTo(index.Components.Select(c => (c.Name, c.ClassName))));

        long totalBytes = 0;
        int totalTensors = 0;
        foreach (var entry in index.Components)
        {
            var c = ComponentOf(report, entry.Name);
            Assert.That(c.GetProperty("problem").ValueKind, Is.EqualTo(JsonValueKind.Null), entry.Name);
            var files = Directory.GetFiles(Path.Combine(Repo.TinyI2V, entry.Name), "*.safetensors");
            bool weightless = files.Length == 0;
            Assert.That(c.GetProperty("conversion").GetString(), Is.EqualTo(weightless ? "copied" : "onnx"), entry.Name);
            var reported = c.GetProperty("weight_files").EnumerateArray().ToList();
            Assert.That(reported.Select(f => f.GetProperty("file").GetString()), Is.EquivalentTo(files.Select(Path.GetFileName)), entry.Name);
            foreach (var path in files)
            {
                using var file = SafetensorsFile.Open(path);
                var f = reported.Single(x => x.GetProperty("file").GetString() == Path.GetFileName(path));
                Assert.That(f.GetProperty("tensors").GetInt32(), Is.EqualTo(file.Tensors.Count), path);
                Assert.That(f.GetProperty("bytes").GetInt64(), Is.EqualTo(new FileInfo(path).Length), path);
                Assert.That(f.GetProperty("dtypes").EnumerateArray().Select(d => d.GetString()),
                    Is.EquivalentTo(file.Tensors.Values.Select(t => t.DType.SafetensorsName()).Distinct()), path);
                totalBytes += file.Length;
                totalTensors += file.Tensors.Count;
            }
        }
        Assert.That(report.GetProperty("weight_bytes").GetInt64(), Is.EqualTo(totalBytes));
        Assert.That(report.GetProperty("tensors").GetInt32(), Is.EqualTo(totalTensors));

        var config = ComponentOf(report, "transformer").GetProperty("config");
        var transformer = JsonConfig.Load(Path.Combine(Repo.TinyI2V, "transformer", "config.json"));
        Assert.That(config.GetProperty("in_channels").GetInt32(), Is.EqualTo(transformer.GetInt("in_channels")));
        Assert.That(config.GetProperty("inner_dim").GetInt32(), Is.EqualTo(transformer.GetInt("num_attention_heads") * transformer.GetInt("attention_head_dim")));
        Assert.That(ComponentOf(report, "image_encoder").GetProperty("config").GetProperty("num_hidden_layers").GetInt32(),
            Is.EqualTo(JsonConfig.Load(Path.Combine(Repo.TinyI2V, "image_encoder", "config.json")).GetInt("num_hidden_layers")));
    }

    [Test]
    public void DiffusersFolderWithProblemsIsDescribedNotRefused()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        ModelCopy.EditText(Path.Combine(model, ModelIndex.FileName), "\"T5Tokenizer\"", "\"GemmaTokenizer\"");
        Directory.Delete(Path.Combine(model, "vae"), true);
        var report = InspectJson(model);
        Assert.That(report.GetProperty("convertible").GetBoolean(), Is.False);
        var tokenizer = ComponentOf(report, "tokenizer");
        Assert.That(tokenizer.GetProperty("conversion").GetString(), Is.EqualTo("unsupported"));
        Assert.That(tokenizer.GetProperty("problem").GetString(), Does.Contain("'GemmaTokenizer'"));
        var vae = ComponentOf(report, "vae");
        Assert.That(vae.GetProperty("conversion").GetString(), Is.EqualTo("missing"));
        Assert.That(vae.GetProperty("problem").GetString(), Does.Contain(Path.Combine(model, "vae")));

        var text = Support.Cli.Run("inspect", model);
        Assert.That(text.Code, Is.EqualTo(0), text.ToString());
        Assert.That(text.Out, Does.Contain("convertible no"));
    }

    [Test]
    public void WeightsAreNeverRead()
    {
        // A 4 GiB bf16 tensor in a sparse file: its header says everything inspect reports, and reading the data would
        // take seconds and gigabytes.
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        string weights = Path.Combine(model, "transformer", "diffusion_pytorch_model.safetensors");
        const long rows = 65536, cols = 32768, dataBytes = rows * cols * 2;
        var header = Encoding.UTF8.GetBytes($"{{\"blocks.0.ffn.weight\":{{\"dtype\":\"BF16\",\"shape\":[{rows},{cols}],\"data_offsets\":[0,{dataBytes}]}}}}");
        using (var fs = File.Create(weights))
        {
            fs.Write(BitConverter.GetBytes((ulong)header.Length));
            fs.Write(header);
            fs.SetLength(8 + header.Length + dataBytes);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var report = InspectJson(model);
        var file = ComponentOf(report, "transformer").GetProperty("weight_files").EnumerateArray().Single();
        Assert.That(file.GetProperty("tensors").GetInt32(), Is.EqualTo(1));
        Assert.That(file.GetProperty("bytes").GetInt64(), Is.EqualTo(8 + header.Length + dataBytes));
        Assert.That(file.GetProperty("dtypes").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "BF16" }));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "headers only");
    }

    // ---- converted folders ----

    [Test]
    public void ConvertedFolderAsText()
    {
        string folder = ConvertedModels.ImageToVideo;
        var r = Support.Cli.Run("inspect", folder);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var model = ConvertedModel.Load(folder);
        Assert.That(r.Out, Does.Contain("converted model folder").And.Contain(model.Pipeline));
        foreach (var (name, c) in model.Components)
        {
            string kind = c.Kind == ConvertedComponent.Exported ? $"onnx {c.Precision}" : "copied";
            Assert.That(r.Out, Does.Match($@"\n\s+{name}\s+{c.ClassName}\s+{kind}"), name);
            if (c.Kind != ConvertedComponent.Exported) continue;
            foreach (var g in ComponentManifest.Load(Path.Combine(folder, name)).Graphs)
            {
                Assert.That(r.Out, Does.Contain(g.File), $"{name}/{g.File}");
                // Numbered runs (the VAE caches) are folded; every other input and output is listed by name.
                foreach (var t in g.Inputs.Concat(g.Outputs).Where(t => !char.IsDigit(t.Name[^1])))
                    Assert.That(r.Out, Does.Contain($"{t.Name}  {t.DType}"), $"{name}/{g.File}: {t.Name}");
            }
        }
        Assert.That(r.Out, Does.Contain("cache_0 .. cache_23  float32 (24 tensors)"), "the decoder's cache inputs on one line");

        var preset = VideoGenerator.ResolvePreset(folder, null)!;
        var s = preset.Sampling;
        Assert.That(r.Out, Does.Contain($"preset      {preset.Name}"));
        Assert.That(r.Out, Does.Contain($"{s.Width}x{s.Height}, {s.NumFrames} frames at {s.Fps} fps, {s.Steps} steps"));
    }

    [Test]
    public void ConvertedFolderAsJson()
    {
        string folder = ConvertedModels.TextToVideo;
        var report = InspectJson(folder);
        var model = ConvertedModel.Load(folder);
        Assert.That(report.GetProperty("kind").GetString(), Is.EqualTo("converted"));
        Assert.That(report.GetProperty("pipeline").GetString(), Is.EqualTo(model.Pipeline));
        Assert.That(report.GetProperty("format").GetString(), Is.EqualTo(ConvertedModel.Format));
        long total = 0;
        foreach (var (name, recorded) in model.Components)
        {
            var c = ComponentOf(report, name);
            Assert.That(c.GetProperty("class_name").GetString(), Is.EqualTo(recorded.ClassName));
            Assert.That(c.GetProperty("kind").GetString(), Is.EqualTo(recorded.Kind));
            Assert.That(c.GetProperty("problem").ValueKind, Is.EqualTo(JsonValueKind.Null), name);
            long onDisk = Directory.GetFiles(Path.Combine(folder, name), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Assert.That(c.GetProperty("bytes").GetInt64(), Is.EqualTo(onDisk), name);
            total += onDisk;
            if (recorded.Kind != ConvertedComponent.Exported) continue;
            var manifest = ComponentManifest.Load(Path.Combine(folder, name));
            Assert.That(c.GetProperty("precision").GetString(), Is.EqualTo(manifest.Precision));
            Assert.That(c.GetProperty("opset").GetInt32(), Is.EqualTo(manifest.Opset));
            var graphs = c.GetProperty("graphs").EnumerateArray().ToList();
            Assert.That(graphs.Select(g => g.GetProperty("file").GetString()), Is.EqualTo(manifest.Graphs.Select(g => g.File)));
            for (int i = 0; i < graphs.Count; i++)
            {
                Assert.That(graphs[i].GetProperty("inputs").EnumerateArray().Select(t => t.GetProperty("name").GetString()),
                    Is.EqualTo(manifest.Graphs[i].Inputs.Select(t => t.Name)));
                Assert.That(graphs[i].GetProperty("outputs").EnumerateArray().Select(t => t.GetProperty("name").GetString()),
                    Is.EqualTo(manifest.Graphs[i].Outputs.Select(t => t.Name)));
                var firstShape = graphs[i].GetProperty("inputs")[0].GetProperty("shape").GetRawText();
                Assert.That(JsonSerializer.Serialize(manifest.Graphs[i].Inputs[0].Shape), Is.EqualTo(JsonSerializer.Serialize(JsonDocument.Parse(firstShape).RootElement)));
            }
        }
        Assert.That(report.GetProperty("bytes").GetInt64(), Is.EqualTo(total));

        var preset = VideoGenerator.ResolvePreset(folder, null)!;
        var p = report.GetProperty("preset");
        Assert.That(p.GetProperty("name").GetString(), Is.EqualTo(preset.Name));
        var sampling = p.GetProperty("sampling");
        Assert.That(sampling.GetProperty("steps").GetInt32(), Is.EqualTo(preset.Sampling.Steps));
        Assert.That(sampling.GetProperty("num_frames").GetInt32(), Is.EqualTo(preset.Sampling.NumFrames));
        Assert.That(sampling.GetProperty("guidance_scale").GetDouble(), Is.EqualTo(preset.Sampling.GuidanceScale));
        Assert.That(sampling.GetProperty("negative_prompt").GetString(), Is.EqualTo(preset.Sampling.NegativePrompt));
    }

    [Test]
    public void ConvertedFolderWithMissingFilesIsDescribedNotRefused()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(ConvertedModels.TextToVideo, dir);
        File.Delete(Path.Combine(model, "vae", "decoder.onnx"));
        Directory.Delete(Path.Combine(model, "transformer"), true);
        var report = InspectJson(model);
        Assert.That(ComponentOf(report, "vae").GetProperty("problem").GetString(), Does.Contain("decoder.onnx").And.Contain("missing"));
        Assert.That(ComponentOf(report, "transformer").GetProperty("problem").GetString(), Does.Contain(Path.Combine(model, "transformer")));
        // Presets are matched on the transformer config, which is gone.
        Assert.That(report.GetProperty("preset").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(report.GetProperty("preset_problem").GetString(), Does.Contain("transformer"));
    }

    // ---- neither ----

    static void AssertOneLineError(Support.Cli.Result r, int code, params string[] parts)
    {
        Assert.That(r.Code, Is.EqualTo(code), r.ToString());
        Assert.That(r.Out, Is.Empty);
        string err = r.Err.TrimEnd();
        Assert.That(err.Split('\n'), Has.Length.EqualTo(1), err);
        foreach (var part in parts) Assert.That(err, Does.Contain(part));
    }

    [Test]
    public void FolderThatIsNeither()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["readme.txt"], "not a model");
        AssertOneLineError(Support.Cli.Run("inspect", dir.Path), 1, dir.Path, ConvertedModel.FileName, ModelIndex.FileName);
        AssertOneLineError(Support.Cli.Run("inspect", dir.Path, "--json"), 1, dir.Path, "neither");
    }

    [Test]
    public void FolderThatDoesNotExistOrIsAFile()
    {
        using var dir = Repo.Temp();
        AssertOneLineError(Support.Cli.Run("inspect", dir["missing"]), 1, dir["missing"], "not found");
        File.WriteAllText(dir["model.onnx"], "");
        AssertOneLineError(Support.Cli.Run("inspect", dir["model.onnx"]), 1, dir["model.onnx"], "is a file");
    }

    [Test]
    public void BrokenModelIndex()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        File.WriteAllText(Path.Combine(model, ModelIndex.FileName), "{ \"_class_name\": ");
        AssertOneLineError(Support.Cli.Run("inspect", model), 1, Path.Combine(model, ModelIndex.FileName), "not valid JSON");
    }

    [Test]
    public void UsageErrors()
    {
        AssertOneLineError(Support.Cli.Run("inspect"), 2, "missing DIR");
        AssertOneLineError(Support.Cli.Run("inspect", Repo.TinyT2V, "--jsn"), 2, "--jsn", "--json");
        AssertOneLineError(Support.Cli.Run("inspect", Repo.TinyT2V, Repo.TinyI2V), 2, "unexpected argument");
    }
}
