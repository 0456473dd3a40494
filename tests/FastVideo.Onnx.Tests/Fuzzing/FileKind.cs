namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>What a fuzzed file is, which decides the mutators that apply to it.</summary>
public enum FileKind
{
    /// <summary>Any safetensors file: header length, header JSON, dtype/shape/offset fields, data section.</summary>
    Safetensors,

    /// <summary>generate's --latents file: a valid float32 [1,16,f,h,w] tensor named 'latents'.</summary>
    Latents,

    /// <summary>Any JSON file: bytes, values, nesting, names.</summary>
    Json,

    /// <summary>model_index.json: component entries and their names.</summary>
    ModelIndex,

    /// <summary>A sharded checkpoint's *.safetensors.index.json: weight_map and metadata.</summary>
    ShardIndex,

    /// <summary>Files read as opaque bytes (the SentencePiece model, tokenizer.json): byte damage only.</summary>
    Bytes,
}
