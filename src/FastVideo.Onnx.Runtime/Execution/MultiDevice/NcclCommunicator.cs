using System.Runtime.InteropServices;

namespace FastVideo.Onnx.Runtime.Execution.MultiDevice;

/// <summary>One rank's NCCL communicator (ncclComm_t), destroyed when released: a handle, so an abandoned one is still freed.</summary>
internal sealed class NcclCommunicator : SafeHandle
{
    readonly NcclLibrary _library;

    /// <summary>The rank in its communicator group.</summary>
    public int Rank { get; }

    /// <summary>The GPU the rank runs on.</summary>
    public int Device { get; }

    internal NcclCommunicator(NcclLibrary library, IntPtr handle, int rank, int device) : base(IntPtr.Zero, ownsHandle: true)
    {
        _library = library;
        Rank = rank;
        Device = device;
        SetHandle(handle);
    }

    /// <summary>The raw ncclComm_t for the calls of <see cref="NcclLibrary"/>.</summary>
    internal IntPtr Handle => IsClosed ? throw new ObjectDisposedException(nameof(NcclCommunicator)) : handle;

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => _library.Destroy(handle) == 0;
}
