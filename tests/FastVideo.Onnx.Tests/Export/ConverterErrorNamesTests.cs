using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>The converter's errors name its request's settings (the CLI maps them to its flags).</summary>
public class ConverterErrorNamesTests
{
    [Test]
    public void AnExistingOutputNamesOutputAndTheSettingsThatWouldProceed()
    {
        using var dir = Repo.Temp();
        string output = dir["converted"];
        Directory.CreateDirectory(output);
        var e = Assert.Throws<InvalidRequestException>(() => new ModelConverter().Convert(new ConversionRequest(Repo.TinyT2V, output)))!;
        Assert.That(e.Field, Is.EqualTo(nameof(ConversionRequest.Output)));
        Assert.That(e.Message, Does.StartWith("Output: ").And.Contain("set Force to replace it, or Components to add components to it").And.Not.Contain("--"));
        Assert.That(FastVideo.Onnx.Cli.Commands.OptionNames.Message(e),
            Does.StartWith("--output: ").And.Contain("use --force to replace it, or --components to add components to it"));
    }

    [Test]
    public void AnUnknownComponentNamesComponents()
    {
        using var dir = Repo.Temp();
        var e = Assert.Throws<InvalidRequestException>(() => new ModelConverter().Convert(
            new ConversionRequest(Repo.TinyT2V, dir["converted"]) { Components = new[] { "unet" } }))!;
        Assert.That(e.Field, Is.EqualTo(nameof(ConversionRequest.Components)));
        Assert.That(FastVideo.Onnx.Cli.Commands.OptionNames.Message(e), Does.StartWith("--components: 'unet' is not a component of"));
    }
}
