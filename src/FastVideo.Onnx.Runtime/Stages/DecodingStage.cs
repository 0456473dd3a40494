using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Output;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// Latents to frames: the chunked VAE decode, then Diffusers' post-processing for output_type "np" (x/2 + 0.5 clamped to
/// [0, 1], laid out [1, F, H, W, 3]).
/// </summary>
internal sealed class DecodingStage(IVaeDecoder vae) : PipelineStage
{
    public override string Name => "decoding";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var decoded = vae.Decode(batch.Latents ?? throw new InvalidOperationException("no latents to decode"), context.Cancel,
            (done, chunks) => context.Progress?.Report(new GenerationProgress(Name, done, chunks)));
        batch.Video = new VideoFrames(ToFrames(decoded));
    }

    /// <summary>[1, 3, F, H, W] in [-1, 1] to [1, F, H, W, 3] in [0, 1].</summary>
    public static HostTensor ToFrames(HostTensor video)
    {
        long frames = video.Shape[2], height = video.Shape[3], width = video.Shape[4];
        long plane = height * width;
        var result = new float[3 * frames * plane];
        // 81 frames at 480x832 are 97M values: interleave the channels one frame per task.
        Parallel.For(0, (int)frames, f =>
        {
            for (long c = 0; c < 3; c++)
            {
                var src = video.Data.AsSpan((int)((c * frames + f) * plane), (int)plane);
                long dst = f * plane * 3 + c;
                for (int p = 0; p < src.Length; p++) result[dst + p * 3] = Math.Clamp(src[p] / 2f + 0.5f, 0f, 1f);
            }
        });
        return new HostTensor(result, new long[] { 1, frames, height, width, 3 });
    }
}
