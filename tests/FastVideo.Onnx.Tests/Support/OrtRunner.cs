using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>Runs an exported graph on ONNX Runtime's CPU execution provider with float32 inputs.</summary>
public static class OrtRunner
{
    public static Dictionary<string, (float[] Data, long[] Shape)> Run(string onnxPath, params (string Name, float[] Data, long[] Shape)[] inputs)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(onnxPath, options);
        var values = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape)).ToList();
        try
        {
            using var results = session.Run(new RunOptions(), inputs.Select(i => i.Name).ToArray(), values, session.OutputNames);
            var output = new Dictionary<string, (float[], long[])>();
            for (int i = 0; i < results.Count; i++)
            {
                var info = results[i].GetTensorTypeAndShape();
                output[session.OutputNames[i]] = (results[i].GetTensorDataAsSpan<float>().ToArray(), info.Shape);
            }
            return output;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
