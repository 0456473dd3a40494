using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>Classifier-free guidance's combination of a batch-2 call's two predictions, on the device.</summary>
internal static class ClassifierFreeGuidance
{
    /// <summary><paramref name="guided"/> = noise_uncond + g · (noise_cond − noise_uncond), g = <paramref name="scale"/>.</summary>
    public static void Combine(IDeviceMath math, double scale, DeviceTensor conditional, DeviceTensor unconditional, DeviceTensor guided) =>
        math.LinearCombination(new[] { scale, 1 - scale }, new[] { conditional, unconditional }, new[] { guided });
}
