using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// Checks shared by the schedulers' config readers. A Diffusers option this port does not implement is refused with
/// the file and field named, never ignored: computing a different schedule silently would be worse than failing.
/// </summary>
static class SchedulerConfig
{
    public static ModelFormatException FieldError(JsonConfig config, string field, string problem) =>
        new(config.Path, $"field '{field}' {problem}");

    /// <summary>Refuses a boolean option set to true.</summary>
    public static void RequireFalse(JsonConfig config, string field, string className)
    {
        if (config.GetBool(field, false))
            throw FieldError(config, field, $"is true, which {className} in FastVideo.Onnx does not implement");
    }

    /// <summary>Refuses a boolean option set to false (one whose false branch is not implemented).</summary>
    public static void RequireTrue(JsonConfig config, string field, bool fallback, string className)
    {
        if (config.GetBool(field, fallback)) return;
        string state = config.Has(field) ? "is false" : "is missing (Diffusers' default is false)";
        throw FieldError(config, field, $"{state}, which {className} in FastVideo.Onnx does not implement (only true)");
    }

    /// <summary>Reads a string option that must be one of <paramref name="allowed"/>; Diffusers' default applies when absent.</summary>
    public static string OneOf(JsonConfig config, string field, string fallback, string className, params string[] allowed)
    {
        string value = config.GetString(field, fallback);
        if (Array.IndexOf(allowed, value) >= 0) return value;
        string state = config.Has(field) ? $"is '{value}'" : $"is missing (Diffusers' default is '{value}')";
        throw FieldError(config, field, $"{state}, which {className} in FastVideo.Onnx does not implement (supported: {string.Join(", ", allowed)})");
    }

    public static int NumTrainTimesteps(JsonConfig config, SchedulerOverrides? overrides)
    {
        int n = overrides?.NumTrainTimesteps ?? config.GetInt("num_train_timesteps", 1000);
        if (n < 1) throw FieldError(config, "num_train_timesteps", $"must be at least 1 (got {n})");
        return n;
    }

    public static double Shift(JsonConfig config, string field, SchedulerOverrides? overrides)
    {
        double shift = overrides?.FlowShift ?? config.GetDouble(field, 1.0);
        if (!(shift > 0 && double.IsFinite(shift))) throw FieldError(config, field, $"must be a positive number (got {shift})");
        return shift;
    }

    /// <summary>Diffusers tests <c>if config.shift_terminal:</c>, so null and 0 both mean "no stretching".</summary>
    public static double? ShiftTerminal(JsonConfig config)
    {
        double? terminal = config.GetDoubleOrNull("shift_terminal");
        if (terminal is null || terminal == 0) return null;
        if (terminal >= 1) throw FieldError(config, "shift_terminal", $"must be below 1 (got {terminal})");
        return terminal;
    }
}
