namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>What a mutator did (one line, enough to recognise the case) and the file it produced.</summary>
public sealed record Mutation(string Description, byte[] Content);
