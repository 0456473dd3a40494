namespace FastVideo.Onnx.Export.Modeling;

/// <summary>Operators the video autoencoders need beyond the transformer's set.</summary>
public partial interface ITensorOps<T>
{
    /// <summary>
    /// torch.nn.functional.normalize with p=2: <c>x / max(||x||₂, eps)</c>, the norm taken along <paramref name="axis"/>
    /// (kept), computed in the type of <paramref name="x"/>. Channel-first RMS norms (Wan's VAE) are built on it, since
    /// ONNX's normalisation operators only reduce over trailing axes.
    /// </summary>
    T NormalizeL2(T x, int axis, double eps);
}
