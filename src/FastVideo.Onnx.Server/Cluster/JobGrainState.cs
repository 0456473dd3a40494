using FastVideo.Onnx.Server.Jobs;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>What a job grain stores: the job (null once deleted).</summary>
[GenerateSerializer]
internal sealed class JobGrainState
{
    [Id(0)] public VideoJob? Job { get; set; }
}
