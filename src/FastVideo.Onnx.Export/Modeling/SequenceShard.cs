namespace FastVideo.Onnx.Export.Modeling;

/// <summary>
/// The rank a sequence-parallel (Ulysses) forward runs as: one of <see cref="WorldSize"/> ranks, each holding a
/// contiguous 1/<see cref="WorldSize"/> of the token sequence. <see cref="Rank"/> and <see cref="Group"/> are int64
/// vectors of length 1 (graph inputs the runtime binds per session): the rank's index, which places its tokens in the
/// whole sequence, and the communicator its collectives meet in.
/// </summary>
internal sealed record SequenceShard<T>(int WorldSize, T Rank, T Group);
