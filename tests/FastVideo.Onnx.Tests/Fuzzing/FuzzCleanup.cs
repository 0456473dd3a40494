using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>Deletes the fuzzing inputs once every fixture of this namespace has run.</summary>
[SetUpFixture]
public sealed class FuzzCleanup
{
    [OneTimeTearDown]
    public void DeleteInputs() => FuzzInputs.Delete();
}
