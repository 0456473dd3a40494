using FastVideo.Onnx.Core.Errors;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// The one CUDA memory arena per device that the once-per-request sessions share (<see cref="RuntimeOptions.SharedArena"/>).
/// It is registered with ONNX Runtime's environment and lives as long as the environment, that is the process: this
/// class owns that process-wide state, and registers each device once.
/// </summary>
public static class SharedGpuArena
{
    /// <summary>Devices whose registration was tried, and whether it succeeded.</summary>
    static readonly Dictionary<int, bool> Devices = new();

    public static bool IsRegistered(int deviceId)
    {
        lock (Devices) return Devices.TryGetValue(deviceId, out bool registered) && registered;
    }

    /// <summary>
    /// Registers the arena of <see cref="RuntimeOptions.DeviceId"/> unless that was tried before; sessions then use it
    /// through <c>session.use_env_allocators</c>. When ONNX Runtime refuses, every session keeps its own arena and
    /// <paramref name="notice"/> says so.
    /// </summary>
    public static void Register(RuntimeOptions options, Action<string>? notice)
    {
        lock (Devices)
        {
            if (Devices.ContainsKey(options.DeviceId)) return;
            try
            {
                using var memory = new OrtMemoryInfo("Cuda", OrtAllocatorType.ArenaAllocator, options.DeviceId, OrtMemType.Default);
                // No cap; grow by what is asked for (kSameAsRequested = 1); ONNX Runtime's default first chunk; split free
                // blocks unless less than ArenaMaxDeadMiB would be left over.
                using var arena = new OrtArenaCfg(0, 1, -1, options.ArenaMaxDeadMiB << 20);
                OrtEnv.Instance().CreateAndRegisterAllocator("CUDAExecutionProvider", memory, arena,
                    new Dictionary<string, string>(ExecutionDevice.CudaProviderOptions(options with { CudaGraph = false })));
                Devices[options.DeviceId] = true;
            }
            catch (OnnxRuntimeException e)
            {
                Devices[options.DeviceId] = false;
                notice?.Invoke($"Runtime:SharedArena: ONNX Runtime did not register a shared GPU arena ({FastVideoException.FirstLine(e.Message)}); each session keeps its own");
            }
        }
    }
}
