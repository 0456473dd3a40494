namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>The unmutated model folder a case starts from (its files are linked into the case's scratch folder).</summary>
public enum FuzzInput
{
    /// <summary>models/tiny/wan-t2v-tiny as published (single safetensors per component).</summary>
    TextToVideo,

    /// <summary>models/tiny/wan-i2v-tiny (adds the CLIP image encoder and image processor).</summary>
    ImageToVideo,

    /// <summary>wan-t2v-tiny with its transformer weights split into two shards and an index.</summary>
    ShardedTextToVideo,

    /// <summary>wan-t2v-tiny converted to ONNX (fp32): what generate runs.</summary>
    ConvertedTextToVideo,
}
