namespace FastVideo.Onnx.Server.Cluster;

/// <inheritdoc cref="IOwnerGrain"/>
internal sealed class OwnerGrain([PersistentState("owner", ClusterSilo.Storage)] IPersistentState<OwnerGrainState> state) : Grain, IOwnerGrain
{
    List<string> Ids => state.State.Ids;

    public async Task Add(string id)
    {
        // A repeated call (its first answer was lost) adds nothing.
        if (Ids.Contains(id)) return;
        Ids.Add(id);
        await state.WriteStateAsync().ConfigureAwait(true);
    }

    public async Task Remove(string id)
    {
        if (Ids.Remove(id)) await state.WriteStateAsync().ConfigureAwait(true);
    }

    public Task<(List<string> Ids, bool HasMore)?> Page(string? after, int limit, bool descending)
    {
        IEnumerable<string> ordered = descending ? Enumerable.Reverse(Ids) : Ids;
        var list = ordered.ToList();
        int start = 0;
        if (after is not null)
        {
            int at = list.IndexOf(after);
            if (at < 0) return Task.FromResult<(List<string>, bool)?>(null);
            start = at + 1;
        }
        var page = list.Skip(start).Take(limit).ToList();
        return Task.FromResult<(List<string>, bool)?>((page, list.Count > start + limit));
    }
}
