using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Runtime.Stages;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Pipelines.Wan;

/// <summary>
/// Wan2.2 TI2V image-to-video conditioning (Diffusers' WanImageToVideoPipeline.prepare_latents with
/// <c>expand_timesteps</c>): the image alone, resized to the video size, is VAE-encoded as one frame and normalised;
/// the denoising loop puts those latents in place of latent frame 0 (<see cref="ForwardBatch.FirstFrameLatents"/>).
/// Unlike Wan2.1's conditioning there is no mask channel and no black frames: the transformer takes the latents only.
/// </summary>
public sealed class FirstFrameEncodingStage(IVaeEncoder vae) : PipelineStage
{
    public override string Name => "image VAE encoding";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var image = VaeImagePreprocessor.Preprocess(batch.Image ?? throw new InvalidOperationException("the conditioning image was not loaded"), batch.Height, batch.Width, vae.Latents.SpatialCompression);
        batch.FirstFrameLatents = vae.Encode(new HostTensor(image.Data, new long[] { 1, 3, 1, batch.Height, batch.Width }), context.Cancel);
    }
}
