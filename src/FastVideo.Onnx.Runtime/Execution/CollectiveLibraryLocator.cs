using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// Finds the CPU collective library (native/fastvideo_collectives) that sequence-parallel sessions register: it runs the
/// <c>com.fastvideo.AllToAll</c> nodes of the per-rank graphs across the rank sessions of this process.
/// </summary>
internal static class CollectiveLibraryLocator
{
    public const string FileName = "libfastvideo_collectives.so";
    public const string EnvironmentVariable = "FASTVIDEO_COLLECTIVES";

    /// <summary>
    /// <c>$FASTVIDEO_COLLECTIVES</c> when set (it must exist), else the library beside the application. A missing library
    /// is an error naming <paramref name="field"/> (the setting that asked for sequence parallelism) and how to build it.
    /// </summary>
    public static string Find(string field)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
            return File.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment)
                : throw new InvalidRequestException(EnvironmentVariable, $"{fromEnvironment} does not exist");
        string beside = Path.Combine(AppContext.BaseDirectory, FileName);
        return File.Exists(beside) ? beside
            : throw new InvalidRequestException(field,
                $"sequence parallelism on the CPU needs {FileName} (build it with native/fastvideo_collectives/build.sh) beside the application or named by {EnvironmentVariable}");
    }
}
