namespace FastVideo.Onnx.Core.Contracts;

/// <summary>How a denoiser graph takes its timestep.</summary>
public enum TimestepLayout
{
    /// <summary>One value per batch entry: [B] (Wan2.1).</summary>
    PerSample,

    /// <summary>One value per latent token: [B, S] (Diffusers' <c>expand_timesteps</c>, Wan2.2 TI2V).</summary>
    PerToken,
}
