using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Modeling.Layers;

namespace FastVideo.Onnx.Export.Clip;

/// <summary>transformers' CLIPAttention: q/k/v/out projections with bias, scores scaled by 1/sqrt(head_dim), no mask (vision).</summary>
internal sealed class ClipAttention : Module
{
    readonly int _heads;
    public Linear QProj { get; }
    public Linear KProj { get; }
    public Linear VProj { get; }
    public Linear OutProj { get; }

    public ClipAttention(ClipVisionConfig config)
    {
        _heads = config.NumAttentionHeads;
        int d = config.HiddenSize;
        KProj = Add("k_proj", new Linear(d, d));
        VProj = Add("v_proj", new Linear(d, d));
        QProj = Add("q_proj", new Linear(d, d));
        OutProj = Add("out_proj", new Linear(d, d));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        var output = ops.Attention(QProj.Forward(ops, x), KProj.Forward(ops, x), VProj.Forward(ops, x), _heads);
        return OutProj.Forward(ops, output);
    }
}

/// <summary>transformers' CLIPMLP: fc1, activation (hidden_act), fc2.</summary>
internal sealed class ClipMlp : Module
{
    readonly Activation _activation;
    public Linear Fc1 { get; }
    public Linear Fc2 { get; }

    public ClipMlp(ClipVisionConfig config)
    {
        _activation = config.HiddenAct;
        Fc1 = Add("fc1", new Linear(config.HiddenSize, config.IntermediateSize));
        Fc2 = Add("fc2", new Linear(config.IntermediateSize, config.HiddenSize));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        var h = Fc1.Forward(ops, x);
        h = ops.Apply(_activation, h);
        return Fc2.Forward(ops, h);
    }
}

/// <summary>transformers' CLIPEncoderLayer: pre-norm attention and MLP, each with a residual.</summary>
internal sealed class ClipEncoderLayer : Module
{
    public LayerNorm LayerNorm1 { get; }
    public ClipAttention SelfAttn { get; }
    public LayerNorm LayerNorm2 { get; }
    public ClipMlp Mlp { get; }

    public ClipEncoderLayer(ClipVisionConfig config)
    {
        SelfAttn = Add("self_attn", new ClipAttention(config));
        LayerNorm1 = Add("layer_norm1", new LayerNorm(config.HiddenSize, config.LayerNormEps));
        Mlp = Add("mlp", new ClipMlp(config));
        LayerNorm2 = Add("layer_norm2", new LayerNorm(config.HiddenSize, config.LayerNormEps));
    }

    public T Forward<T>(ITensorOps<T> ops, T x)
    {
        using var _ = Enter(ops);
        x = ops.Add(x, SelfAttn.Forward(ops, LayerNorm1.Forward(ops, x)));
        return ops.Add(x, Mlp.Forward(ops, LayerNorm2.Forward(ops, x)));
    }
}
