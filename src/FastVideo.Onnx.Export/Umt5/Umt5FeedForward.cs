using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// T5's <c>DenseReluDense</c>: gated (wi_0 through the activation, times wi_1, then wo; UMT5's gated-gelu) or plain
/// (wi, activation, wo). No biases.
/// </summary>
internal sealed class Umt5FeedForward : Module
{
    readonly Activation _activation;
    public Linear? Wi { get; }
    public Linear? Wi0 { get; }
    public Linear? Wi1 { get; }
    public Linear Wo { get; }

    public Umt5FeedForward(Umt5Config config)
    {
        _activation = config.Activation;
        if (config.IsGatedAct)
        {
            Wi0 = Add("wi_0", new Linear(config.DModel, config.DFf, bias: false));
            Wi1 = Add("wi_1", new Linear(config.DModel, config.DFf, bias: false));
        }
        else Wi = Add("wi", new Linear(config.DModel, config.DFf, bias: false));
        Wo = Add("wo", new Linear(config.DFf, config.DModel, bias: false));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        var h = Wi is not null
            ? ops.Apply(_activation, Wi.Forward(ops, x))
            : ops.Mul(ops.Apply(_activation, Wi0!.Forward(ops, x)), Wi1!.Forward(ops, x));
        return Wo.Forward(ops, h);
    }
}
