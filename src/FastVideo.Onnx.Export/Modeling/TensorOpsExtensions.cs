namespace FastVideo.Onnx.Export.Modeling;

/// <summary>Conveniences over <see cref="ITensorOps{T}"/> that both backends share.</summary>
internal static class TensorOpsExtensions
{
    /// <summary>An int64 vector constant (shape arithmetic).</summary>
    public static T Int64s<T>(this ITensorOps<T> ops, params long[] values) => ops.Constant(values, new long[] { values.Length });
}
