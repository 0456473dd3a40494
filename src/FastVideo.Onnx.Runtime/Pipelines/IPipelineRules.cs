namespace FastVideo.Onnx.Runtime.Pipelines;

/// <summary>
/// A pipeline's request rules, read from a converted folder's configs without opening any session: what
/// <see cref="VideoGenerator.Validate(string, GenerationRequest, GeneratorOptions?)"/> checks a request against before a
/// model loads. Every <see cref="PipelineEntryAttribute"/> pipeline implements it.
/// </summary>
public interface IPipelineRules
{
    static abstract RequestRules Rules(string modelFolder);
}
