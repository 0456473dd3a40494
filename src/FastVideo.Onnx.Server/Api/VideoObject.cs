using FastVideo.Onnx.Server.Jobs;

namespace FastVideo.Onnx.Server.Api;

/// <summary>
/// OpenAI's video object for a job (id, object, model, status, progress, created_at, completed_at, expires_at, prompt,
/// size, seconds, error, remixed_from_video_id), then FastVideo's extension fields with the values the job runs with.
/// </summary>
internal static class VideoObject
{
    public static Dictionary<string, object?> Of(VideoJob job, ServedModel? model)
    {
        var defaults = model?.Defaults;
        var video = new Dictionary<string, object?>
        {
            ["id"] = job.Id,
            ["object"] = "video",
            ["model"] = job.Model,
            ["status"] = job.Status,
            ["progress"] = job.Status == JobStatus.Completed ? 100 : job.Progress,
            ["created_at"] = job.CreatedAt,
            ["completed_at"] = job.CompletedAt,
            ["expires_at"] = job.ExpiresAt,
            ["prompt"] = job.Spec.Prompt,
            ["size"] = $"{job.Spec.Width}x{job.Spec.Height}",
            ["seconds"] = job.Spec.Seconds,
            ["quality"] = "standard",
            ["remixed_from_video_id"] = null,
            ["error"] = job.ErrorCode is null ? null : new Dictionary<string, object?> { ["code"] = job.ErrorCode, ["message"] = job.ErrorMessage },
            ["negative_prompt"] = job.Spec.NegativePrompt,
            ["num_frames"] = job.Spec.NumFrames,
            ["fps"] = job.Spec.Fps,
            ["seed"] = job.Spec.Seed,
            ["num_inference_steps"] = job.Spec.Steps ?? defaults?.Steps,
            ["guidance_scale"] = job.Spec.GuidanceScale ?? defaults?.GuidanceScale,
            ["vsa_sparsity"] = job.Spec.VsaSparsity,
            ["stage"] = job.Status == JobStatus.InProgress ? job.Stage : null,
            ["attempts"] = job.Attempts,
            ["has_input_reference"] = job.Spec.Image is not null,
            ["content_available"] = job.Status == JobStatus.Completed && job.Output is not null,
        };
        // The family options only where the request gave them (the models that take them are few).
        foreach (var (field, value) in new[]
        {
            ("guidance_scale_2", job.Spec.GuidanceScale2), ("frame_rate", job.Spec.FrameRate), ("decode_timestep", job.Spec.DecodeTimestep),
            ("decode_noise_scale", job.Spec.DecodeNoiseScale), ("guidance_rescale", job.Spec.GuidanceRescale),
        })
            if (value is double v) video[field] = v;
        return video;
    }
}
