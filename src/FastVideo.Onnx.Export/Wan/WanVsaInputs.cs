namespace FastVideo.Onnx.Export.Wan;

/// <summary>What a block's sparse self-attention needs beyond q, k, v: the DiT grid (int64 vectors of length 1) and the sparsity (float32 [1]).</summary>
internal readonly record struct WanVsaInputs<T>(T Frames, T Height, T Width, T Sparsity);
