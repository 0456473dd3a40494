using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

/// <summary>
/// Runs once around the whole test assembly (a set-up fixture outside any namespace): the test host ends without
/// running process-exit handlers, so shared scratch folders are removed here.
/// </summary>
[SetUpFixture]
public sealed class TestRunCleanup
{
    [OneTimeTearDown]
    public void DeleteSharedFolders() => ConvertedModels.Delete();
}
