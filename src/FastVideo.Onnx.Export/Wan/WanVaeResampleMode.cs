namespace FastVideo.Onnx.Export.Wan;

/// <summary>Diffusers' WanResample modes (its 'none' mode is never instantiated by the Wan2.1 blocks).</summary>
internal enum WanVaeResampleMode
{
    Upsample2d,
    Upsample3d,
    Downsample2d,
    Downsample3d,
}
