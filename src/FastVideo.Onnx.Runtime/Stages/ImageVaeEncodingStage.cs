using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// First-frame conditioning (Diffusers' WanImageToVideoPipeline.prepare_latents): the image resized to the video size,
/// followed by black frames, is VAE-encoded; the normalised latents follow a mask of <see cref="FirstFrameConditioning.MaskChannels"/>
/// channels that marks the first latent frame as given. The channels are appended to the denoiser's input at every step.
/// </summary>
public sealed class ImageVaeEncodingStage(IVaeEncoder vae, FirstFrameConditioning layout) : PipelineStage
{
    public override string Name => "image VAE encoding";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var loaded = batch.Image ?? throw new InvalidOperationException("the conditioning image was not loaded");
        var image = VaeImagePreprocessor.Preprocess(loaded, batch.Height, batch.Width, vae.Latents.SpatialCompression);
        long plane = (long)batch.Height * batch.Width;
        // [1, 3, F, H, W]: frame 0 is the image, the others zero
        var video = new float[3 * batch.NumFrames * plane];
        for (int c = 0; c < 3; c++) image.Data.AsSpan((int)(c * plane), (int)plane).CopyTo(video.AsSpan((int)(c * batch.NumFrames * plane)));
        var latents = vae.Encode(new HostTensor(video, new long[] { 1, 3, batch.NumFrames, batch.Height, batch.Width }), context.Cancel);

        long z = latents.Shape[1], f = latents.Shape[2], latentPlane = latents.Shape[3] * latents.Shape[4];
        int maskChannels = layout.MaskChannels;
        var condition = new float[(maskChannels + z) * f * latentPlane];
        // mask: the first latent frame (which stands for the given image, repeated once per mask channel) is 1, later frames 0
        for (int c = 0; c < maskChannels; c++) condition.AsSpan((int)(c * f * latentPlane), (int)latentPlane).Fill(1f);
        latents.Data.CopyTo(condition, maskChannels * f * latentPlane);
        batch.Condition = new HostTensor(condition, new long[] { 1, maskChannels + z, f, latents.Shape[3], latents.Shape[4] });
    }
}
