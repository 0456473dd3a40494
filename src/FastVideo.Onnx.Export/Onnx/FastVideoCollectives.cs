namespace FastVideo.Onnx.Export.Onnx;

/// <summary>
/// The collective operators of sequence-parallel graphs (domain <see cref="FastVideoKernels.Domain"/>), written once:
/// the graph builder emits their nodes from these signatures, and a test checks them against the CPU library's
/// registration code (native/fastvideo_collectives/src/collectives.cc).
/// </summary>
internal static class FastVideoCollectives
{
    /// <summary>
    /// Ulysses' all-to-all: x cut into world_size parts along split_axis; rank r receives part r of every rank,
    /// concatenated in rank order along gather_axis. group and rank are int64 [1] inputs the runtime binds per session.
    /// </summary>
    public static readonly KernelOperator AllToAll = new("AllToAll", new[] { "x", "group", "rank" }, 1, new[] { "world_size", "split_axis", "gather_axis" });

    public static IReadOnlyList<KernelOperator> All { get; } = new[] { AllToAll };
}
