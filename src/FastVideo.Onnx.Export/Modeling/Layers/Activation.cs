namespace FastVideo.Onnx.Export.Modeling.Layers;

/// <summary>An activation function named as transformers' ACT2FN names it in config.json.</summary>
internal enum Activation
{
    /// <summary><c>gelu</c>: exact (erf) GELU.</summary>
    Gelu,
    /// <summary><c>gelu_new</c> / <c>gelu_pytorch_tanh</c>: GELU with the tanh approximation.</summary>
    GeluTanh,
    /// <summary><c>quick_gelu</c>: x * sigmoid(1.702 x) (OpenAI CLIP).</summary>
    QuickGelu,
    /// <summary><c>relu</c>.</summary>
    Relu,
}

internal static class Activations
{
    /// <summary>The names <see cref="TryParse"/> accepts, for error messages.</summary>
    public const string SupportedNames = "gelu, gelu_new, gelu_pytorch_tanh, quick_gelu, relu";

    /// <summary>Maps an ACT2FN name to its activation; false for names this converter does not implement.</summary>
    public static bool TryParse(string name, out Activation activation)
    {
        Activation? parsed = name switch
        {
            "gelu" => Activation.Gelu,
            "gelu_new" or "gelu_pytorch_tanh" => Activation.GeluTanh,
            "quick_gelu" => Activation.QuickGelu,
            "relu" => Activation.Relu,
            _ => null,
        };
        activation = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    public static T Apply<T>(this ITensorOps<T> ops, Activation activation, T x) => activation switch
    {
        Activation.Gelu => ops.Gelu(x, tanhApproximation: false),
        Activation.GeluTanh => ops.Gelu(x, tanhApproximation: true),
        Activation.QuickGelu => ops.QuickGelu(x),
        Activation.Relu => ops.Max(x, ops.Scalar(0, ops.TypeOf(x))),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };
}
