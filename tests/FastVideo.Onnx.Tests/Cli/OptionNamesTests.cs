using FastVideo.Onnx.Cli.Commands;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Pipelines;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>The CLI prints the library's names with its own options, the second guidance scale included.</summary>
public class OptionNamesTests
{
    [Test]
    public void SecondGuidanceScaleIsPrintedAsItsOption()
    {
        Assert.That(OptionNames.Option(nameof(GenerationRequest.GuidanceScale2)), Is.EqualTo("--guidance-scale-2"));
        Assert.That(OptionNames.Message(new InvalidRequestException(nameof(GenerationRequest.GuidanceScale2), "must be zero or positive")),
            Is.EqualTo("--guidance-scale-2: must be zero or positive"));
        // Whole words only: GuidanceScale2 is not GuidanceScale followed by a 2.
        Assert.That(OptionNames.Notice("GuidanceScale2 unset: GuidanceScale is used"), Is.EqualTo("--guidance-scale-2 unset: --guidance-scale is used"));
    }
}
