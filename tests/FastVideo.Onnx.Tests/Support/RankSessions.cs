using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>
/// Runs a per-rank sequence-parallel graph as simulated ranks: one CPU session per rank with the collective library
/// registered, all run at once (one thread each), each given its own inputs.
/// </summary>
public static class RankSessions
{
    /// <summary>The collective library the test build puts beside the test assembly.</summary>
    public static string Library => Path.Combine(AppContext.BaseDirectory, "libfastvideo_collectives.so");

    static long s_group = 1L << 40;

    /// <summary>A communicator id no other test uses.</summary>
    public static long NewGroup() => Interlocked.Increment(ref s_group);

    /// <param name="inputs">Per rank: float32 inputs and int64 inputs.</param>
    /// <returns>Per rank: the first output.</returns>
    public static (float[] Data, long[] Shape)[] Run(string onnxPath, IReadOnlyList<((string Name, float[] Data, long[] Shape)[] Floats, (string Name, long[] Data)[] Longs)> inputs)
    {
        var sessions = new List<InferenceSession>();
        try
        {
            foreach (var _ in inputs)
            {
                using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
                options.RegisterCustomOpLibrary(Library);
                sessions.Add(new InferenceSession(onnxPath, options));
            }
            var tasks = inputs.Select((rank, r) => Task.Factory.StartNew(() => RunOne(sessions[r], rank.Floats, rank.Longs), TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(tasks);
            return tasks.Select(t => t.Result).ToArray();
        }
        finally
        {
            foreach (var s in sessions) s.Dispose();
        }
    }

    static (float[], long[]) RunOne(InferenceSession session, (string Name, float[] Data, long[] Shape)[] floats, (string Name, long[] Data)[] longs)
    {
        var values = floats.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape))
            .Concat(longs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, new long[] { i.Data.Length }))).ToList();
        try
        {
            var names = floats.Select(i => i.Name).Concat(longs.Select(i => i.Name)).ToArray();
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, values, session.OutputNames);
            return (results[0].GetTensorDataAsSpan<float>().ToArray(), results[0].GetTensorTypeAndShape().Shape);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
