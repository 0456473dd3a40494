using System.Runtime.InteropServices;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Execution.MultiDevice;

/// <summary>
/// GPU-to-GPU copies through the CUDA runtime (libcudart, which ONNX Runtime's CUDA provider has already loaded):
/// cudaMemcpyPeerAsync on a non-blocking stream of its own, then a wait on that stream only. ONNX Runtime finishes
/// every run before returning (bound outputs are synchronised), so the source is complete when a copy starts; the wait
/// makes the destination complete before the next run on the other device reads it, without waiting for the work of
/// any other stream (the other device's concurrent CFG half keeps running).
/// </summary>
internal sealed class CudaPeerCopy : IDisposable
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int SetDeviceFn(int device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int GetDeviceFn(out int device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int StreamCreateWithFlagsFn(out IntPtr stream, uint flags);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int StreamFn(IntPtr stream);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int MemcpyPeerAsyncFn(IntPtr destination, int destinationDevice, IntPtr source, int sourceDevice, nuint bytes, IntPtr stream);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate IntPtr ErrorStringFn(int error);

    const uint StreamNonBlocking = 1;

    static readonly string[] Candidates = { "libcudart.so.13", "libcudart.so.12", "libcudart.so", "cudart64_13.dll", "cudart64_12.dll" };

    static readonly Lazy<Api?> Shared = new(Load);

    readonly Api _api;
    readonly object _lock = new();
    IntPtr _stream;
    int _streamDevice = -1;

    /// <summary>The device its stream was created on (-1 before the first copy).</summary>
    public int StreamDevice => _streamDevice;

    CudaPeerCopy(Api api) => _api = api;

    /// <summary>A copier, or null when the CUDA runtime library cannot be loaded (copies then go through host memory).</summary>
    public static CudaPeerCopy? TryCreate() => Shared.Value is { } api ? new CudaPeerCopy(api) : null;

    /// <summary>Copies <paramref name="bytes"/> from GPU <paramref name="sourceDevice"/> to GPU <paramref name="destinationDevice"/> and waits for the copy.</summary>
    public void Copy(IntPtr source, int sourceDevice, IntPtr destination, int destinationDevice, long bytes)
    {
        lock (_lock)
        {
            if (_stream == IntPtr.Zero)
            {
                // A stream belongs to the thread's current device: set it for the creation, then put the caller's back.
                Check(_api.GetDevice(out int current), "cudaGetDevice");
                Check(_api.SetDevice(destinationDevice), "cudaSetDevice");
                try
                {
                    Check(_api.StreamCreateWithFlags(out _stream, StreamNonBlocking), "cudaStreamCreateWithFlags");
                }
                finally
                {
                    _api.SetDevice(current);
                }
                _streamDevice = destinationDevice;
            }
            Check(_api.MemcpyPeerAsync(destination, destinationDevice, source, sourceDevice, (nuint)bytes, _stream), "cudaMemcpyPeerAsync");
            Check(_api.StreamSynchronize(_stream), "cudaStreamSynchronize");
        }
    }

    void Check(int status, string call)
    {
        if (status == 0) return;
        string text = Marshal.PtrToStringAnsi(_api.ErrorString(status)) ?? $"error {status}";
        throw new FastVideoException($"CUDA: {call} failed ({text}) copying between GPUs");
    }

    static Api? Load()
    {
        foreach (string name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, typeof(CudaPeerCopy).Assembly, null, out var handle)) continue;
            try
            {
                return new Api(
                    Export<SetDeviceFn>(handle, "cudaSetDevice"),
                    Export<GetDeviceFn>(handle, "cudaGetDevice"),
                    Export<StreamCreateWithFlagsFn>(handle, "cudaStreamCreateWithFlags"),
                    Export<StreamFn>(handle, "cudaStreamSynchronize"),
                    Export<StreamFn>(handle, "cudaStreamDestroy"),
                    Export<MemcpyPeerAsyncFn>(handle, "cudaMemcpyPeerAsync"),
                    Export<ErrorStringFn>(handle, "cudaGetErrorString"));
            }
            catch (EntryPointNotFoundException)
            {
            }
        }
        return null;
    }

    static T Export<T>(IntPtr library, string name) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(library, name));

    sealed record Api(SetDeviceFn SetDevice, GetDeviceFn GetDevice, StreamCreateWithFlagsFn StreamCreateWithFlags, StreamFn StreamSynchronize, StreamFn StreamDestroy,
        MemcpyPeerAsyncFn MemcpyPeerAsync, ErrorStringFn ErrorString);

    public void Dispose()
    {
        lock (_lock)
        {
            if (_stream == IntPtr.Zero) return;
            // cudaStreamDestroy takes a stream of any device; the current device is left as it is.
            _api.StreamDestroy(_stream);
            _stream = IntPtr.Zero;
        }
    }
}
