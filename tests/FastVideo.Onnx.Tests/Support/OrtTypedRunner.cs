using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>An input of a graph run: float32 or int64 data with its shape.</summary>
public sealed record OrtInput(string Name, Array Data, long[] Shape)
{
    public static OrtInput Float(string name, float[] data, long[] shape) => new(name, data, shape);
    public static OrtInput Int64(string name, long[] data, long[] shape) => new(name, data, shape);
}

/// <summary>Runs an exported graph on ONNX Runtime's CPU execution provider with float32 and int64 inputs (token ids, masks).</summary>
public static class OrtTypedRunner
{
    public static Dictionary<string, (float[] Data, long[] Shape)> Run(string onnxPath, params OrtInput[] inputs)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(onnxPath, options);
        var values = inputs.Select(i => i.Data switch
        {
            float[] f => OrtValue.CreateTensorValueFromMemory(f, i.Shape),
            long[] l => OrtValue.CreateTensorValueFromMemory(l, i.Shape),
            _ => throw new ArgumentException($"input '{i.Name}': unsupported element type {i.Data.GetType().GetElementType()}"),
        }).ToList();
        try
        {
            using var results = session.Run(new RunOptions(), inputs.Select(i => i.Name).ToArray(), values, session.OutputNames);
            var output = new Dictionary<string, (float[], long[])>();
            for (int i = 0; i < results.Count; i++)
                output[session.OutputNames[i]] = (results[i].GetTensorDataAsSpan<float>().ToArray(), results[i].GetTensorTypeAndShape().Shape);
            return output;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
