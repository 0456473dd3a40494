using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Runtime.Stages;

/// <summary>
/// Image-to-video conditioning (Diffusers' WanImageToVideoPipeline.prepare_latents): the image resized to the video
/// size, followed by black frames, is VAE-encoded; its normalised posterior mean follows a 4-channel mask that marks
/// the first latent frame as given. The 20 channels are appended to the transformer's input at every step.
/// </summary>
public sealed class ImageVaeEncodingStage(VaeRunner vae) : PipelineStage
{
    public override string Name => "image VAE encoding";

    public override void Run(ForwardBatch batch, StageContext context)
    {
        var image = VaeImagePreprocessor.Preprocess(ImageLoader.Load(batch.Request.Image!), batch.Height, batch.Width);
        long plane = (long)batch.Height * batch.Width;
        // [1, 3, F, H, W]: frame 0 is the image, the others zero
        var video = new float[3 * batch.NumFrames * plane];
        for (int c = 0; c < 3; c++) image.Data.AsSpan((int)(c * plane), (int)plane).CopyTo(video.AsSpan((int)(c * batch.NumFrames * plane)));
        var mean = vae.EncodeMean(new HostTensor(video, new long[] { 1, 3, batch.NumFrames, batch.Height, batch.Width }), context.Cancel);
        vae.Normalization.Normalize(mean.Data, mean.Shape);

        long z = mean.Shape[1], f = mean.Shape[2], latentPlane = mean.Shape[3] * mean.Shape[4];
        const int maskChannels = 4;
        var condition = new float[(maskChannels + z) * f * latentPlane];
        // mask: the first latent frame (which stands for the given image, repeated 4 times) is 1, later frames 0
        for (int c = 0; c < maskChannels; c++) condition.AsSpan((int)(c * f * latentPlane), (int)latentPlane).Fill(1f);
        mean.Data.CopyTo(condition, maskChannels * f * latentPlane);
        batch.Condition = new HostTensor(condition, new long[] { 1, maskChannels + z, f, mean.Shape[3], mean.Shape[4] });
    }
}
