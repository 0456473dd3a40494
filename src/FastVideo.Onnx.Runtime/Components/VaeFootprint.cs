namespace FastVideo.Onnx.Runtime.Components;

/// <summary>The shape constants of a VAE that the memory estimate needs, read from its config by the runner of its class.</summary>
/// <param name="FullResolutionChannels">Channels of the decoder's widest stage at the video's full resolution.</param>
/// <param name="TemporalScale">Video frames per latent frame.</param>
/// <param name="SpatialScale">Pixels per latent pixel along height and width.</param>
/// <param name="OutputPatch">Pixels per side that the decoder's last layer unpacks from channels (Wan2.2's
/// <c>patch_size</c> 2): its widest stages run at height/patch x width/patch. 1 for a decoder that ends at full size.</param>
internal sealed record VaeFootprint(int FullResolutionChannels, int TemporalScale, int SpatialScale, int OutputPatch = 1);
