using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Schedulers;

/// <summary>
/// Values that replace those of <c>scheduler_config.json</c>: presets set the flow shift per published model
/// (FastWan distillations sample with a larger shift than the base model's config says).
/// </summary>
internal sealed record SchedulerOverrides
{
    /// <summary>Replaces <c>flow_shift</c> (UniPC) or <c>shift</c> (flow-matching Euler).</summary>
    public double? FlowShift { get; init; }

    /// <summary>Replaces <c>num_train_timesteps</c>.</summary>
    public int? NumTrainTimesteps { get; init; }

    internal void Validate()
    {
        if (FlowShift is { } shift && !(shift > 0 && double.IsFinite(shift)))
            throw new InvalidRequestException("flow_shift", $"must be a positive number (got {shift})");
        if (NumTrainTimesteps is { } n && n < 1)
            throw new InvalidRequestException("num_train_timesteps", $"must be at least 1 (got {n})");
    }
}
