namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// The input sizes of one transformer call: batch, latent grid (frames, height, width) and context lengths. Named like
/// the graph's dynamic dimensions, so a session can be specialised to them.
/// </summary>
public sealed record TransformerShape(long Batch, long Frames, long Height, long Width, long TextTokens, long? ImageTokens = null)
{
    public IReadOnlyDictionary<string, long> Dims
    {
        get
        {
            var d = new Dictionary<string, long>
            {
                ["batch"] = Batch, ["frames"] = Frames, ["height"] = Height, ["width"] = Width, ["text_tokens"] = TextTokens,
            };
            if (ImageTokens is long n) d["image_tokens"] = n;
            return d;
        }
    }

    public override string ToString() => $"batch {Batch}, latents {Frames}x{Height}x{Width}, {TextTokens} text tokens" + (ImageTokens is long n ? $", {n} image tokens" : "");
}
