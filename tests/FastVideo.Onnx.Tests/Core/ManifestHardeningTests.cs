using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Core;

/// <summary>A converted folder's manifests are read back with every hostile value refused on one line naming the file and field.</summary>
public class ManifestHardeningTests
{
    static JsonObject Converted() => JsonNode.Parse("""
        {"pipeline": "WanPipeline", "format": "fastvideo-onnx/1", "tool_version": "0.1.0",
         "components": {"transformer": {"class_name": "WanTransformer3DModel", "kind": "onnx", "precision": "fp32", "bytes": 10},
                        "scheduler": {"class_name": "UniPCMultistepScheduler", "kind": "copied", "bytes": 1}}}
        """)!.AsObject();

    static JsonObject Component() => JsonNode.Parse("""
        {"component": "transformer", "class_name": "WanTransformer3DModel", "precision": "fp32", "opset": 17, "format": "fastvideo-onnx/1",
         "tool_version": "0.1.0", "data_bytes": 3, "notes": [],
         "graphs": [{"file": "model.onnx", "data_file": "model.onnx.data", "bytes": 5,
                     "inputs": [{"name": "hidden_states", "dtype": "float32", "shape": ["batch", 16, 1, 2, 2]}],
                     "outputs": [{"name": "out", "dtype": "float32", "shape": [1]}]}]}
        """)!.AsObject();

    static string ConvertedFails(TempDir dir, Action<JsonObject> edit)
    {
        var json = Converted();
        edit(json);
        File.WriteAllText(dir[ConvertedModel.FileName], json.ToJsonString());
        var e = Assert.Throws<ModelFormatException>(() => ConvertedModel.Load(dir.Path))!;
        Assert.That(e.Message, Does.StartWith(dir[ConvertedModel.FileName] + ": "));
        HostileFiles.AssertOneLine(e.Message);
        return e.Message;
    }

    static string ComponentFails(TempDir dir, Action<JsonObject> edit)
    {
        var json = Component();
        edit(json);
        File.WriteAllText(dir[ComponentManifest.FileName], json.ToJsonString());
        var e = Assert.Throws<ModelFormatException>(() => ComponentManifest.Load(dir.Path))!;
        Assert.That(e.Message, Does.StartWith(dir[ComponentManifest.FileName] + ": "));
        HostileFiles.AssertOneLine(e.Message);
        return e.Message;
    }

    static JsonObject Transformer(JsonObject converted) => converted["components"]!["transformer"]!.AsObject();
    static JsonObject Graph(JsonObject component) => component["graphs"]![0]!.AsObject();

    [Test]
    public void ValidManifestsLoad()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir[ConvertedModel.FileName], Converted().ToJsonString());
        File.WriteAllText(dir[ComponentManifest.FileName], Component().ToJsonString());
        Assert.That(ConvertedModel.Load(dir.Path).Components["transformer"].Precision, Is.EqualTo("fp32"));
        Assert.That(ComponentManifest.Load(dir.Path).Graphs[0].Inputs[0].Shape.Count, Is.EqualTo(5));
    }

    [Test]
    public void ComponentNameWithAPathSeparator()
    {
        using var dir = Repo.Temp();
        Assert.That(ConvertedFails(dir, j => j["components"]!.AsObject()["../vae"] = Transformer(j).DeepClone()),
            Does.Contain("component '../vae'").And.Contain("path separator"));
    }

    [Test]
    public void UnknownPrecision()
    {
        using var dir = Repo.Temp();
        Assert.That(ConvertedFails(dir, j => Transformer(j)["precision"] = "fp8"),
            Does.Contain("field 'components.transformer.precision' is 'fp8', not a known precision"));
    }

    [Test]
    public void UnknownKind()
    {
        using var dir = Repo.Temp();
        Assert.That(ConvertedFails(dir, j => Transformer(j)["kind"] = "tensorrt"), Does.Contain("field 'components.transformer.kind' is 'tensorrt'"));
    }

    [Test]
    public void ExportedComponentWithoutAPrecision()
    {
        using var dir = Repo.Temp();
        Assert.That(ConvertedFails(dir, j => Transformer(j).Remove("precision")), Does.Contain("field 'components.transformer.precision' is missing"));
    }

    [TestCase("pipeline", TestName = "ConvertedModelWithoutPipeline")]
    [TestCase("components", TestName = "ConvertedModelWithoutComponents")]
    public void MissingTopLevelField(string field)
    {
        // Before: the record was filled with nulls and failed later with a NullReferenceException.
        using var dir = Repo.Temp();
        Assert.That(ConvertedFails(dir, j => j.Remove(field)), Does.Contain($"'{field}'"));
    }

    [Test]
    public void MissingClassName()
    {
        using var dir = Repo.Temp();
        Assert.That(ConvertedFails(dir, j => Transformer(j).Remove("class_name")), Does.Contain("field 'components.transformer.class_name' is missing"));
    }

    [Test]
    public void NullWhereAStringIsRequired()
    {
        using var dir = Repo.Temp();
        Assert.That(ConvertedFails(dir, j => j["pipeline"] = null), Does.Contain("pipeline"));
    }

    [Test]
    public void UnknownFormat()
    {
        using var dir = Repo.Temp();
        Assert.That(ConvertedFails(dir, j => j["format"] = "fastvideo-onnx/9"), Does.Contain("field 'format' is 'fastvideo-onnx/9'"));
    }

    [Test]
    public void GraphFileOutsideTheComponentFolder()
    {
        using var dir = Repo.Temp();
        Assert.That(ComponentFails(dir, j => Graph(j)["file"] = "../../etc/passwd"), Does.Contain("field 'graphs[0].file' is '../../etc/passwd', not a file name"));
        Assert.That(ComponentFails(dir, j => Graph(j)["data_file"] = "/tmp/x.data"), Does.Contain("field 'graphs[0].data_file'"));
    }

    [Test]
    public void UnknownSignatureDtype()
    {
        using var dir = Repo.Temp();
        Assert.That(ComponentFails(dir, j => Graph(j)["inputs"]![0]!["dtype"] = "float8\n"),
            Does.Contain("field 'graphs[0].inputs[0].dtype' is 'float8\\n', not a known element type"));
    }

    [TestCase("-1", TestName = "NegativeDimension")]
    [TestCase("1.5", TestName = "FractionalDimension")]
    [TestCase("true", TestName = "BooleanDimension")]
    [TestCase("\"\"", TestName = "UnnamedDynamicAxis")]
    public void InvalidSignatureDimension(string dim)
    {
        using var dir = Repo.Temp();
        Assert.That(ComponentFails(dir, j => Graph(j)["outputs"]![0]!["shape"] = JsonNode.Parse("[" + dim + "]")),
            Does.Contain("field 'graphs[0].outputs[0].shape[0]'"));
    }

    [Test]
    public void ComponentManifestMissingFields()
    {
        using var dir = Repo.Temp();
        Assert.That(ComponentFails(dir, j => j.Remove("graphs")), Does.Contain("field 'graphs' is missing"));
        Assert.That(ComponentFails(dir, j => j.Remove("opset")), Does.Contain("field 'opset' is 0"));
        Assert.That(ComponentFails(dir, j => Graph(j).Remove("file")), Does.Contain("field 'graphs[0].file' is missing"));
        Assert.That(ComponentFails(dir, j => j["component"] = "a/b"), Does.Contain("component 'a/b'"));
    }

    [Test]
    public void ManifestThatIsNotValidUtf8()
    {
        using var dir = Repo.Temp();
        var bytes = System.Text.Encoding.UTF8.GetBytes(Converted().ToJsonString());
        bytes[bytes.Length / 2] = 0xFE;
        File.WriteAllBytes(dir[ConvertedModel.FileName], bytes);
        var e = Assert.Throws<ModelFormatException>(() => ConvertedModel.Load(dir.Path))!;
        Assert.That(e.Message, Does.StartWith(dir[ConvertedModel.FileName]).And.Contain("not valid UTF-8"));
    }

    [Test]
    public void ManifestThatIsANamedPipe()
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Fifo(dir[ConvertedModel.FileName]);
        var e = HostileFiles.FailsWithoutBlocking<ModelFormatException>(() => ConvertedModel.Load(dir.Path));
        Assert.That(e.Message, Does.StartWith(path).And.Contain("named pipe"));
    }
}
