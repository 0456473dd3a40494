using System.Globalization;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>A named input's shape range for a TensorRT optimisation profile.</summary>
public sealed record ShapeProfile(string Input, long[] Min, long[] Opt, long[] Max);

/// <summary>
/// TensorRT execution provider settings, turned into the provider's option strings by <see cref="ToProviderOptions"/>
/// (kept free of ONNX Runtime types so the configuration can be checked without the provider installed).
/// </summary>
public sealed record TensorRtSettings
{
    public bool Fp16 { get; init; } = true;
    public bool Bf16 { get; init; }

    /// <summary>Where built engines and the timing cache are kept (null: no caching; engines rebuild each start).</summary>
    public string? CacheFolder { get; init; }

    public long MaxWorkspaceBytes { get; init; } = 8L << 30;

    /// <summary>Option names and values as ONNX Runtime's TensorRT provider reads them.</summary>
    internal IReadOnlyDictionary<string, string> ToProviderOptions(int deviceId, IReadOnlyList<ShapeProfile> profiles)
    {
        var o = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = deviceId.ToString(CultureInfo.InvariantCulture),
            ["trt_fp16_enable"] = Fp16 ? "1" : "0",
            ["trt_bf16_enable"] = Bf16 ? "1" : "0",
            ["trt_max_workspace_size"] = MaxWorkspaceBytes.ToString(CultureInfo.InvariantCulture),
        };
        if (CacheFolder is not null)
        {
            o["trt_engine_cache_enable"] = "1";
            o["trt_engine_cache_path"] = CacheFolder;
            o["trt_timing_cache_enable"] = "1";
            o["trt_timing_cache_path"] = CacheFolder;
        }
        if (profiles.Count > 0)
        {
            o["trt_profile_min_shapes"] = Join(profiles, p => p.Min);
            o["trt_profile_opt_shapes"] = Join(profiles, p => p.Opt);
            o["trt_profile_max_shapes"] = Join(profiles, p => p.Max);
        }
        return o;
    }

    static string Join(IReadOnlyList<ShapeProfile> profiles, Func<ShapeProfile, long[]> pick) =>
        string.Join(",", profiles.Select(p => $"{p.Input}:{string.Join("x", pick(p))}"));
}
