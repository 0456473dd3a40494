namespace FastVideo.Onnx.Server.Cluster;

/// <summary>What the dispatcher stores: enough to rebuild the queue on any silo after the one it ran on died.</summary>
[GenerateSerializer]
internal sealed class DispatcherState
{
    [Id(0)] public long NextSeq { get; set; }

    /// <summary>Queued jobs in the order they were created.</summary>
    [Id(1)] public List<DispatchEntry> Queue { get; set; } = new();

    /// <summary>Running jobs by id, with their worker in <see cref="DispatchEntry.Worker"/>.</summary>
    [Id(2)] public Dictionary<string, DispatchEntry> Running { get; set; } = new();

    // Id 3 held every job's entry (the owners' lists); those live in owner grains now (IOwnerGrain).

    [Id(4)] public long Completed { get; set; }
    [Id(5)] public long Failed { get; set; }

    /// <summary>Completed jobs whose outputs are still stored, by id, with the time they expire.</summary>
    [Id(6)] public Dictionary<string, long> Expiring { get; set; } = new();
}
