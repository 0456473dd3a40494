using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;
using FastVideo.Onnx.Export.Wan;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>The weights the kernel cases use, with distinct checkpoint names (filled by RandomWeights).</summary>
internal sealed class KernelCaseModel : ModelDefinition
{
    public const int Dim = 64;
    public const int Heads = 2;
    public const int Channels = 96;

    public override string ClassName => "KernelCases";
    public Linear Projection { get; }
    public LayerNorm Norm { get; }
    public RmsNorm QueryNorm { get; }
    public WanVaeRmsNorm ChannelNorm { get; }

    public KernelCaseModel()
    {
        Projection = Add("proj", new Linear(Dim, Dim));
        Norm = Add("norm", new LayerNorm(Dim, 1e-6, elementwiseAffine: true, float32: true));
        QueryNorm = Add("norm_q", new RmsNorm(Dim, 1e-6));
        ChannelNorm = Add("vae_norm", new WanVaeRmsNorm(Channels, images: false));
        Finish();
    }
}
