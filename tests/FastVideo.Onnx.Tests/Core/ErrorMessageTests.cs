using FastVideo.Onnx.Core.Errors;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Core;

public sealed class ErrorMessageTests
{
    [TestCase("plain message", "plain message")]
    [TestCase("unexpected tensor 'line\nbreak'", "unexpected tensor 'line\\nbreak'")]
    [TestCase("a\r\nb\tc\u0001d", "a\\r\\nb\\tc\\u0001d")]
    public void OneLineEscapesControlCharacters(string message, string printed)
    {
        Assert.That(FastVideoException.OneLine(message), Is.EqualTo(printed));
    }

    [Test]
    public void CliPrintsAQuotedLineBreakAsAnEscape()
    {
        using var dir = Support.Repo.Temp();
        string model = Support.ModelCopy.Of(Support.Repo.TinyT2V, dir);
        string index = Path.Combine(model, "model_index.json");
        File.WriteAllText(index, File.ReadAllText(index).Replace("\"UniPCMultistepScheduler\"", "\"line\\nbreak\""));

        var r = Support.Cli.Run("convert", model, "--output", dir["out"]);

        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), r.ToString());
        Assert.That(r.Err, Does.Contain("'line\\nbreak'"));
    }
}
