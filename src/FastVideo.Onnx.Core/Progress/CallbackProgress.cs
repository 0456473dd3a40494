namespace FastVideo.Onnx.Core.Progress;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls back on the reporting thread, in order (Progress&lt;T&gt; posts to the
/// thread pool, which reorders updates and can outlive the operation).
/// </summary>
internal sealed class CallbackProgress<T>(Action<T> callback) : IProgress<T>
{
    public void Report(T value) => callback(value);
}
