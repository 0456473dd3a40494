using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>
/// One case per custom operator of <see cref="FastVideoKernels"/>, and the bias-folding forms of those that take a
/// projection's bias; VideoSparseAttention, whose reference is float32 and whose shapes are grids, has its own
/// (<see cref="VsaCases"/>).
/// </summary>
internal static class KernelCases
{
    const int D = KernelCaseModel.Dim;
    static readonly long[] Tokens = { 2, 8, D };
    static readonly long[] PerBatch = { 2, 1, D };

    public static IEnumerable<KernelCase> All()
    {
        yield return new("modulated LayerNorm", FastVideoKernels.FusedLayerNorm.Name,
            new[] { ("x", false, Tokens), ("scale", true, PerBatch), ("shift", true, PerBatch) },
            (ops, m, x) => ops.ModulatedLayerNorm(x[0], D, m.Norm.Weight, m.Norm.Bias, m.Norm.Eps, x[1], x[2]));
        yield return new("gated residual", FastVideoKernels.GatedResidual.Name,
            new[] { ("x", false, Tokens), ("y", false, Tokens), ("gate", true, PerBatch) },
            (ops, m, x) => ops.GatedResidual(x[0], x[1], x[2]));
        yield return new("gated residual of a projection (bias folded)", FastVideoKernels.GatedResidual.Name,
            new[] { ("x", false, Tokens), ("h", false, Tokens), ("gate", true, PerBatch) },
            (ops, m, x) => ops.GatedResidual(x[0], ops.Linear(x[1], m.Projection.Weight, m.Projection.Bias), x[2]));
        yield return new("residual + modulated LayerNorm", FastVideoKernels.ResidualLayerNorm.Name,
            new[] { ("x", false, Tokens), ("h", false, Tokens), ("gate", true, PerBatch), ("scale", true, PerBatch), ("shift", true, PerBatch) },
            (ops, m, x) => ops.ResidualLayerNorm(x[0], ops.Linear(x[1], m.Projection.Weight, m.Projection.Bias), x[2], D, m.Norm.Weight, m.Norm.Bias,
                m.Norm.Eps, x[3], x[4]).Normed);
        // Wan2.2 TI2V's per-token timesteps: one modulation vector per token ([B, S, D]) instead of per batch entry
        yield return new("modulated LayerNorm, per-token modulation", FastVideoKernels.FusedLayerNorm.Name,
            new[] { ("x", false, Tokens), ("scale", true, Tokens), ("shift", true, Tokens) },
            (ops, m, x) => ops.ModulatedLayerNorm(x[0], D, m.Norm.Weight, m.Norm.Bias, m.Norm.Eps, x[1], x[2]));
        yield return new("gated residual, per-token gate", FastVideoKernels.GatedResidual.Name,
            new[] { ("x", false, Tokens), ("y", false, Tokens), ("gate", true, Tokens) },
            (ops, m, x) => ops.GatedResidual(x[0], x[1], x[2]));
        yield return new("residual + modulated LayerNorm, per-token modulation", FastVideoKernels.ResidualLayerNorm.Name,
            new[] { ("x", false, Tokens), ("h", false, Tokens), ("gate", true, Tokens), ("scale", true, Tokens), ("shift", true, Tokens) },
            (ops, m, x) => ops.ResidualLayerNorm(x[0], ops.Linear(x[1], m.Projection.Weight, m.Projection.Bias), x[2], D, m.Norm.Weight, m.Norm.Bias,
                m.Norm.Eps, x[3], x[4]).Normed);
        yield return new("RMSNorm + rotary", FastVideoKernels.RmsNormRotary.Name,
            new[] { ("y", false, Tokens), ("cos", true, new long[] { 8, D / KernelCaseModel.Heads / 2 }), ("sin", true, new long[] { 8, D / KernelCaseModel.Heads / 2 }) },
            (ops, m, x) => ops.RmsNormRotary(x[0], D, m.QueryNorm.Weight!, m.QueryNorm.Eps, (x[1], x[2]), KernelCaseModel.Heads));
        yield return new("RMSNorm of a projection (bias folded)", FastVideoKernels.RmsNormRotary.Name,
            new[] { ("h", false, Tokens) },
            (ops, m, x) => ops.RmsNormRotary(ops.Linear(x[0], m.Projection.Weight, m.Projection.Bias), D, m.QueryNorm.Weight!, m.QueryNorm.Eps, null,
                KernelCaseModel.Heads));
        yield return new("linear", FastVideoKernels.Linear.Name, new[] { ("x", false, Tokens) },
            (ops, m, x) => ops.Linear(x[0], m.Projection.Weight, m.Projection.Bias));
        yield return new("linear + GELU (tanh)", FastVideoKernels.Linear.Name, new[] { ("x", false, Tokens) },
            (ops, m, x) => ops.LinearGelu(x[0], m.Projection.Weight, m.Projection.Bias!, tanhApproximation: true));
        var video = new long[] { 1, KernelCaseModel.Channels, 2, 6, 10 };
        yield return new("channel RMS norm + SiLU", FastVideoKernels.ChannelRmsNorm.Name, new[] { ("x", false, video) },
            (ops, m, x) => m.ChannelNorm.Forward(ops, x[0], silu: true));
        yield return new("channels-last RMS norm + SiLU", FastVideoKernels.ChannelsLastRmsNorm.Name, new[] { ("x", false, video) },
            (ops, m, x) => m.ChannelNorm.Forward(ops, x[0], silu: true), ChannelsLast: true);
    }
}
