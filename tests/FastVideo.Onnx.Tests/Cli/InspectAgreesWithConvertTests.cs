using System.Text.Json;
using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>inspect's "convertible" verdict is convert's outcome, for valid folders and for folders broken in many ways.</summary>
public class InspectAgreesWithConvertTests
{
    static void EditJson(string path, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    static readonly Dictionary<string, Action<string>> Breakages = new()
    {
        ["valid"] = _ => { },
        ["FluxPipeline"] = m => EditJson(Path.Combine(m, ModelIndex.FileName), j => j["_class_name"] = "FluxPipeline"),
        ["boundary_ratio without transformer_2"] = m => EditJson(Path.Combine(m, ModelIndex.FileName), j => j["boundary_ratio"] = 0.875),
        ["use_karras_sigmas"] = m => EditJson(Path.Combine(m, "scheduler", "scheduler_config.json"), j => j["use_karras_sigmas"] = true),
        ["scheduler not json"] = m => File.WriteAllText(Path.Combine(m, "scheduler", "scheduler_config.json"), "{"),
        ["weights disagree with config"] = m => ModelCopy.EditText(Path.Combine(m, "transformer", "config.json"), "\"ffn_dim\": 96", "\"ffn_dim\": 64"),
        ["no spiece.model"] = m => File.Delete(Path.Combine(m, "tokenizer", "spiece.model")),
        ["vae missing"] = m => Directory.Delete(Path.Combine(m, "vae"), true),
        ["residual vae"] = m => EditJson(Path.Combine(m, "vae", "config.json"), j => j["is_residual"] = true),
    };

    static IEnumerable<string> Cases => Breakages.Keys;

    [TestCaseSource(nameof(Cases))]
    public void VerdictMatchesConvert(string breakage)
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        Breakages[breakage](model);

        var inspected = Support.Cli.Run("inspect", model, "--json");
        Assert.That(inspected.Code, Is.EqualTo(0), inspected.ToString());
        var report = JsonDocument.Parse(inspected.Out).RootElement;
        bool convertible = report.GetProperty("convertible").GetBoolean();

        var converted = Support.Cli.Run("convert", model, "--output", dir["out"]);
        Assert.That(convertible, Is.EqualTo(converted.Code == 0), $"inspect says convertible {convertible}; convert: {converted}");
        Assert.That(convertible, Is.EqualTo(breakage == "valid"));
        if (!convertible)
            Assert.That("error: " + report.GetProperty("convert_problem").GetString(), Is.EqualTo(converted.Err.Trim()), "the same reason");

        var text = Support.Cli.Run("inspect", model);
        Assert.That(text.Out, Does.Contain(convertible ? "convertible yes" : "convertible no"));
    }

    /// <summary>
    /// A model_index.json that cannot be read (here a component key that is a path) leaves inspect nothing to describe:
    /// it fails with the same one-line error as convert.
    /// </summary>
    [Test]
    public void UnreadableModelIndexFailsInspectAsConvert()
    {
        using var dir = Repo.Temp();
        string model = ModelCopy.Of(Repo.TinyT2V, dir);
        EditJson(Path.Combine(model, ModelIndex.FileName), j => j["../vae"] = new JsonArray("diffusers", "AutoencoderKLWan"));

        var inspected = Support.Cli.Run("inspect", model, "--json");
        var converted = Support.Cli.Run("convert", model, "--output", dir["out"]);
        Assert.That(inspected.Code, Is.EqualTo(1), inspected.ToString());
        Assert.That(converted.Code, Is.EqualTo(1), converted.ToString());
        Assert.That(inspected.Err.Trim(), Is.EqualTo(converted.Err.Trim()));
        Assert.That(converted.Err, Does.Contain("'../vae'").And.Contain("path separator"));
        Assert.That(Directory.Exists(dir["out"]), Is.False);
    }
}
