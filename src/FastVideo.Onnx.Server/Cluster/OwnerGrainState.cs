namespace FastVideo.Onnx.Server.Cluster;

/// <summary>What an owner grain stores: the owner's job ids, oldest first.</summary>
[GenerateSerializer]
internal sealed class OwnerGrainState
{
    [Id(0)] public List<string> Ids { get; set; } = new();
}
