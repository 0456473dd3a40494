using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FastVideo.Onnx.Runtime.Diagnostics;

/// <summary>
/// Samples the GPU's used memory (cudaMemGetInfo) on a background thread to find the peak during a piece of work.
/// It sees everything on the device (this process's sessions, arenas and CUDA context), so benchmarks report the
/// peak relative to a baseline taken before the work.
/// </summary>
internal sealed class GpuMemoryMonitor : IDisposable
{
    [DllImport("cudart", EntryPoint = "cudaMemGetInfo")]
    static extern int CudaMemGetInfo(out nuint free, out nuint total);

    [DllImport("cudart", EntryPoint = "cudaSetDevice")]
    static extern int CudaSetDevice(int device);

    static GpuMemoryMonitor()
    {
        NativeLibrary.SetDllImportResolver(typeof(GpuMemoryMonitor).Assembly, (name, assembly, path) =>
        {
            if (name != "cudart") return IntPtr.Zero;
            foreach (var candidate in new[] { "libcudart.so.13", "libcudart.so.12", "libcudart.so", "cudart64_13.dll", "cudart64_12.dll" })
                if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle)) return handle;
            return IntPtr.Zero;
        });
    }

    readonly int _device;
    readonly Thread _thread;
    volatile bool _stop;
    long _peak;

    public long Baseline { get; }

    GpuMemoryMonitor(int device)
    {
        _device = device;
        Baseline = Used(device);
        _peak = Baseline;
        _thread = new Thread(Sample) { IsBackground = true, Name = "gpu-memory" };
        _thread.Start();
    }

    /// <summary>Bytes in use on <paramref name="device"/>, or -1 when the CUDA runtime is not available.</summary>
    public static long Used(int device = 0)
    {
        try
        {
            if (CudaSetDevice(device) != 0) return -1;
            return CudaMemGetInfo(out var free, out var total) == 0 ? (long)(total - free) : -1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    public static bool Available(int device = 0) => Used(device) >= 0;

    /// <summary>Free bytes on <paramref name="device"/>, or -1 when the CUDA runtime is not available.</summary>
    public static long Free(int device = 0)
    {
        try
        {
            if (CudaSetDevice(device) != 0) return -1;
            return CudaMemGetInfo(out var free, out _) == 0 ? (long)free : -1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>Starts sampling; dispose to stop. <see cref="PeakAboveBaseline"/> is the result.</summary>
    public static GpuMemoryMonitor Start(int device = 0) => new(device);

    void Sample()
    {
        while (!_stop)
        {
            long used = Used(_device);
            if (used > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, used);
            Thread.Sleep(2);
        }
    }

    public long Peak => Interlocked.Read(ref _peak);
    public long PeakAboveBaseline => Baseline < 0 ? -1 : Peak - Baseline;

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        long used = Used(_device);
        if (used > _peak) _peak = used;
    }
}
