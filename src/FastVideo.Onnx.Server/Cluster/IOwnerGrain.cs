namespace FastVideo.Onnx.Server.Cluster;

/// <summary>
/// One owner's list of jobs (key: the owner), in creation order: what <c>GET /v1/videos</c> pages through. Kept apart
/// from the dispatcher so that the queue's state, written at every claim, does not grow with every job ever made.
/// </summary>
internal interface IOwnerGrain : IGrainWithStringKey
{
    Task Add(string id);

    Task Remove(string id);

    /// <summary>A page of ids after <paramref name="after"/>; null when <paramref name="after"/> is not one of them.</summary>
    Task<(List<string> Ids, bool HasMore)?> Page(string? after, int limit, bool descending);
}
