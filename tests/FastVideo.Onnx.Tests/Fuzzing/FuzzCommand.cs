namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>The fastvideo-onnx command a case runs over its mutated input.</summary>
public enum FuzzCommand
{
    Convert,
    Inspect,
    Generate,
}
