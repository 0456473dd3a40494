namespace FastVideo.Onnx.Runtime.Execution.MultiDevice;

/// <summary>NCCL's element types (ncclDataType_t in nccl.h) of the tensors the runtime exchanges.</summary>
internal enum NcclDataType
{
    Int32 = 2,
    Int64 = 4,
    Float16 = 6,
    Float32 = 7,
    BFloat16 = 9,
}
