namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// A runner of one converted component class (marked <see cref="ComponentRunnerAttribute"/>): it opens its sessions
/// from a <see cref="ComponentRequest"/> and implements the roles it plays (<see cref="IDenoiser"/>, ...).
/// </summary>
public interface IComponentRunner<out TSelf> : IDisposable where TSelf : IComponentRunner<TSelf>
{
    /// <summary>Opens the component <paramref name="request"/> names; on failure nothing it acquired is left open.</summary>
    static abstract TSelf Open(ComponentRequest request);
}
