namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// TensorRT optimisation profiles derived from a request: TensorRT builds an engine per profile, so a denoiser's profile
/// is the request's exact shape (minimum = optimum = maximum), rebuilt from the engine cache when it repeats. Each
/// family's runner lists its inputs' profiles (their names are its contract's).
/// </summary>
public static class TensorRtProfiles
{
    public static ShapeProfile Fixed(string input, params long[] dims) => new(input, dims, dims, dims);
}
