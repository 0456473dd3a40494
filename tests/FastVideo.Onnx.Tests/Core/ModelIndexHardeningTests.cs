using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Core;

/// <summary>model_index.json is untrusted: malformed entries and component names that are not folder names are one-line errors naming the key.</summary>
public class ModelIndexHardeningTests
{
    const string Pipeline = "\"_class_name\": \"WanPipeline\", \"_diffusers_version\": \"0.33.0\"";

    static string Folder(TempDir dir, string json)
    {
        string folder = dir["model"];
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ModelIndex.FileName), json);
        return folder;
    }

    static string Fails(TempDir dir, string json)
    {
        string folder = Folder(dir, json);
        var e = Assert.Throws<ModelFormatException>(() => ModelIndex.Load(folder))!;
        Assert.That(e.Message, Does.StartWith(Path.Combine(folder, ModelIndex.FileName) + ": "));
        HostileFiles.AssertOneLine(e.Message);
        return e.Message;
    }

    [TestCase("\"WanTransformer3DModel\"", "not the string \"WanTransformer3DModel\"", TestName = "EntryThatIsAString")]
    [TestCase("{\"library\": \"diffusers\"}", "not an object", TestName = "EntryThatIsAnObject")]
    [TestCase("[\"diffusers\"]", "not an array of 1", TestName = "EntryWithOneMember")]
    [TestCase("[\"diffusers\", \"WanTransformer3DModel\", \"x\"]", "not an array of 3", TestName = "EntryWithThreeMembers")]
    [TestCase("[\"diffusers\", 3]", "not [the string \"diffusers\", the number 3]", TestName = "EntryWithANumberAsClass")]
    [TestCase("[\"diffusers\", null]", "not [the string \"diffusers\", null]", TestName = "EntryWithOneNull")]
    [TestCase("[[\"diffusers\"], \"WanTransformer3DModel\"]", "not [an array of 1", TestName = "EntryWithANestedArray")]
    public void MalformedEntryIsNamed(string entry, string problem)
    {
        // Before: strings and objects were dropped silently, so a folder missing its transformer entry loaded.
        using var dir = Repo.Temp();
        Assert.That(Fails(dir, "{" + Pipeline + ", \"transformer\": " + entry + "}"),
            Does.Contain("field 'transformer' must be [library, class name] or [null, null]").And.Contain(problem));
    }

    [Test]
    public void EntryWithEmptyNames()
    {
        using var dir = Repo.Temp();
        Assert.That(Fails(dir, "{" + Pipeline + ", \"vae\": [\"diffusers\", \"\"]}"), Does.Contain("field 'vae' has an empty library or class name"));
    }

    [TestCase("../outside", "path separator", TestName = "KeyWithParentPath")]
    [TestCase("..", "relative path", TestName = "KeyDotDot")]
    [TestCase(".", "relative path", TestName = "KeyDot")]
    [TestCase("/etc", "path separator", TestName = "KeyWithAnAbsolutePath")]
    [TestCase("a\\\\b", "path separator", TestName = "KeyWithABackslash")]
    [TestCase("C:x", "':'", TestName = "KeyWithADrive")]
    [TestCase("-rf", "starts with '-'", TestName = "KeyThatLooksLikeAnOption")]
    [TestCase(".hidden", "starts with '.'", TestName = "HiddenFolderKey")]
    [TestCase("vae\\n", "control characters", TestName = "KeyWithANewline")]
    [TestCase("v a e", "characters other than", TestName = "KeyWithSpaces")]
    [TestCase("", "empty", TestName = "EmptyKey")]
    public void ComponentKeyThatIsNotAFolderName(string key, string problem)
    {
        using var dir = Repo.Temp();
        string message = Fails(dir, "{" + Pipeline + ", \"" + key + "\": [\"diffusers\", \"AutoencoderKLWan\"]}");
        Assert.That(message, Does.Contain("component '").And.Contain(problem).And.Contain("a component name is a folder name"));
    }

    [Test]
    public void ClassNameMissing()
    {
        using var dir = Repo.Temp();
        Assert.That(Fails(dir, "{\"vae\": [\"diffusers\", \"AutoencoderKLWan\"]}"), Does.Contain("field '_class_name' is missing"));
    }

    [TestCase("3", "must be a string", TestName = "ClassNameThatIsANumber")]
    [TestCase("null", "is missing", TestName = "ClassNameThatIsNull")]
    [TestCase("[\"WanPipeline\"]", "must be a string", TestName = "ClassNameThatIsAnArray")]
    [TestCase("\"\"", "is empty", TestName = "ClassNameThatIsEmpty")]
    public void ClassNameOfTheWrongType(string value, string problem)
    {
        using var dir = Repo.Temp();
        Assert.That(Fails(dir, "{\"_class_name\": " + value + "}"), Does.Contain("field '_class_name' " + problem));
    }

    [Test]
    public void AbsentOptionalComponentsAndPipelineOptionsAreSkipped()
    {
        using var dir = Repo.Temp();
        string folder = Folder(dir, "{" + Pipeline + ", \"transformer\": [\"diffusers\", \"WanTransformer3DModel\"], \"transformer_2\": [null, null],"
                                    + " \"boundary_ratio\": null, \"expand_timesteps\": false, \"flow_ratio\": 0.875}");
        var index = ModelIndex.Load(folder);
        Assert.That(index.PipelineClass, Is.EqualTo("WanPipeline"));
        Assert.That(index.Components.Select(c => c.Name), Is.EqualTo(new[] { "transformer" }));
        Assert.That(index.Get("transformer").ClassName, Is.EqualTo("WanTransformer3DModel"));
    }

    [Test]
    public void ModelIndexThatIsANamedPipe()
    {
        using var dir = Repo.Temp();
        string folder = dir["model"];
        Directory.CreateDirectory(folder);
        string path = HostileFiles.Fifo(Path.Combine(folder, ModelIndex.FileName));
        var e = HostileFiles.FailsWithoutBlocking<ModelFormatException>(() => ModelIndex.Load(folder));
        Assert.That(e.Message, Does.StartWith(path).And.Contain("named pipe"));
    }
}
