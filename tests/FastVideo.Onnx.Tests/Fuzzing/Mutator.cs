namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// A named way of damaging one kind of file. <see cref="Apply"/> takes the original bytes (never modified) and a seeded
/// random source, and returns a changed file with a description; the same bytes and random state give the same result.
/// </summary>
public sealed record Mutator(string Name, FileKind Kind, int Weight, Func<byte[], Random, Mutation> Apply);
