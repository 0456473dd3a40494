using FastVideo.Onnx.Core.Errors;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>Runs a converted graph on ONNX Runtime's CPU execution provider and returns one float32 output.</summary>
public static class OrtGraphRunner
{
    /// <summary>
    /// The graph's output, or null with <paramref name="missingKernel"/> set when the CPU provider has no kernel for one
    /// of its operators at the graph's precision (few fp16 and no bf16 Conv/Sub kernels: such graphs are meant for GPUs).
    /// Any other load or run failure throws.
    /// </summary>
    public static float[]? Run(string graphPath, IReadOnlyList<GraphInput> inputs, string outputName, out string? missingKernel)
    {
        using var session = Load(graphPath, out missingKernel);
        if (session is null) return null;
        {
            var values = new List<OrtValue>();
            try
            {
                foreach (var input in inputs)
                    values.Add(input.Floats is not null
                        ? OrtValue.CreateTensorValueFromMemory(input.Floats, input.Shape)
                        : OrtValue.CreateTensorValueFromMemory(input.Int64s!, input.Shape));
                using var runOptions = new RunOptions();
                using var results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, new[] { outputName });
                return results[0].GetTensorDataAsSpan<float>().ToArray();
            }
            finally
            {
                foreach (var v in values) v.Dispose();
            }
        }
    }

    /// <summary>The graph's session on the CPU provider, or null with <paramref name="missingKernel"/> set (see <see cref="Run"/>).</summary>
    static InferenceSession? Load(string graphPath, out string? missingKernel)
    {
        missingKernel = null;
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        try
        {
            return new InferenceSession(graphPath, options);
        }
        catch (OnnxRuntimeException e) when (e.Message.Contains("NotImplemented", StringComparison.Ordinal))
        {
            missingKernel = FastVideoException.FirstLine(e.Message);
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            throw new FastVideoException($"{graphPath}: ONNX Runtime's CPU provider cannot load the graph: {FastVideoException.FirstLine(e.Message)}");
        }
    }
}
