using System.Text.RegularExpressions;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// <c>convert --components X</c> into an existing converted folder adds X to it (the other components kept as they
/// were), so that following generate's hint for a missing component converges to a complete folder.
/// </summary>
public class ConvertAddComponentsTests
{
    static readonly Regex Hint = new(@"fastvideo-onnx (convert SOURCE --output \S+ --components \S+)\)", RegexOptions.CultureInvariant);

    static Support.Cli.Result Generate(string model, string output) =>
        Support.Cli.Run("generate", "--model", model, "--prompt", "a cat", "--device", "cpu", "--steps", "2", "--output", output);

    [Test]
    public void FollowingTheHintsCompletesTheFolder()
    {
        using var dir = Repo.Temp();
        string output = dir["out"];
        var first = Support.Cli.Run("convert", Repo.TinyT2V, "--output", output, "--components", "transformer");
        Assert.That(first.Code, Is.EqualTo(0), first.ToString());
        byte[] transformer = File.ReadAllBytes(Path.Combine(output, "transformer", "model.onnx"));

        var followed = new List<string>();
        Support.Cli.Result generated;
        while (true)
        {
            generated = Generate(output, dir["video.safetensors"]);
            if (generated.Code == 0) break;
            var hint = Hint.Match(generated.Err);
            Assert.That(hint.Success, Is.True, "the error says how to convert what is missing: " + generated);
            Assert.That(followed, Has.Count.LessThan(6), "the hints converge: " + string.Join("; ", followed));
            followed.Add(hint.Groups[1].Value);
            var args = hint.Groups[1].Value.Replace("SOURCE", Repo.TinyT2V).Split(' ');
            var added = Support.Cli.Run(args);
            Assert.That(added.Code, Is.EqualTo(0), added.ToString());
        }
        Assert.That(followed, Is.Not.Empty);
        Assert.That(File.Exists(dir["video.safetensors"]), Is.True);
        Assert.That(ConvertedModel.Load(output).Components.Keys,
            Is.EquivalentTo(new[] { "scheduler", "text_encoder", "tokenizer", "transformer", "vae" }));
        Assert.That(File.ReadAllBytes(Path.Combine(output, "transformer", "model.onnx")), Is.EqualTo(transformer), "kept components unchanged");
        Assert.That(Directory.GetDirectories(dir.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "out" }), "no old or partial folder left");
    }

    [Test]
    public void ConvertingAComponentAgainReplacesOnlyIt()
    {
        using var dir = Repo.Temp();
        string output = dir["out"];
        Assert.That(Support.Cli.Run("convert", Repo.TinyT2V, "--output", output, "--components", "transformer,scheduler").Code, Is.EqualTo(0));
        var again = Support.Cli.Run("convert", Repo.TinyT2V, "--output", output, "--components", "transformer", "--dtype", "fp16");
        Assert.That(again.Code, Is.EqualTo(0), again.ToString());
        var model = ConvertedModel.Load(output);
        Assert.That(model.Components.Keys, Is.EqualTo(new[] { "scheduler", "transformer" }), "model_index.json's order");
        Assert.That(model.Components["transformer"].Precision, Is.EqualTo("fp16"));
        Assert.That(ComponentManifest.Load(Path.Combine(output, "transformer")).Precision, Is.EqualTo("fp16"));
    }

    [Test]
    public void AddingToAFolderOfAnotherPipelineIsRefused()
    {
        using var dir = Repo.Temp();
        string output = dir["out"];
        Assert.That(Support.Cli.Run("convert", Repo.TinyI2V, "--output", output, "--components", "scheduler").Code, Is.EqualTo(0));
        var before = File.ReadAllText(Path.Combine(output, ConvertedModel.FileName));
        var r = Support.Cli.Run("convert", Repo.TinyT2V, "--output", output, "--components", "tokenizer");
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Err, Does.Contain("WanImageToVideoPipeline").And.Contain("WanPipeline").And.Contain("--force"));
        Assert.That(File.ReadAllText(Path.Combine(output, ConvertedModel.FileName)), Is.EqualTo(before), "existing folder untouched");
    }

    [Test]
    public void AConvertedFolderListingAPathIsNotFollowed()
    {
        using var dir = Repo.Temp();
        string output = dir["out"];
        Assert.That(Support.Cli.Run("convert", Repo.TinyT2V, "--output", output, "--components", "scheduler").Code, Is.EqualTo(0));
        string manifest = Path.Combine(output, ConvertedModel.FileName);
        ModelCopy.EditText(manifest, "\"scheduler\": {", "\"../elsewhere\": { \"class_name\": \"X\", \"kind\": \"copied\", \"bytes\": 0 }, \"scheduler\": {");
        var r = Support.Cli.Run("convert", Repo.TinyT2V, "--output", output, "--components", "tokenizer");
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Err, Does.Contain(manifest).And.Contain("'../elsewhere'"));
    }
}
