// com.fastvideo.AllToAll for the CUDA execution provider over NCCL: the per-rank sequence-parallel graphs
// (model.sp<N>.onnx) with one rank per GPU, the rank sessions in one process, each run on its own thread.
//
// Not built by default and never compiled on machines without CUDA and NCCL: configure with -DFASTVIDEO_NCCL=ON
// (CMakeLists.txt), which compiles this file, links NCCL and registers the operator with the others. Unmeasured.
//
// Same signature as the CPU library's operator (native/fastvideo_collectives): x, group and rank (int64 [1], host);
// attributes world_size, split_axis, gather_axis. A group's communicators are created once, when all of its ranks
// have made their first call: the last rank to arrive calls ncclCommInitAll with the ranks' devices in rank order.
// Each call packs x's world_size parts into one contiguous send buffer (strided 2-D copies on the op's stream), sends
// part j to rank j and receives rank j's part r inside one ncclGroupStart/End, and unpacks the received parts along
// the gather axis into the output.
#ifdef FASTVIDEO_WITH_NCCL
#define ORT_API_MANUAL_INIT
#include <onnxruntime_cxx_api.h>
#undef ORT_API_MANUAL_INIT

#include <cuda_runtime.h>
#include <nccl.h>

#include <condition_variable>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace fastvideo {
namespace {

[[noreturn]] void NcclFail(const std::string& problem) {
  throw Ort::Exception("com.fastvideo.AllToAll: " + problem, ORT_FAIL);
}

void CheckCuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess) NcclFail(std::string(what) + ": " + cudaGetErrorString(status));
}

void CheckNccl(ncclResult_t status, const char* what) {
  if (status != ncclSuccess) NcclFail(std::string(what) + ": " + ncclGetErrorString(status));
}

// One group's communicators, one per rank, created when every rank has said which device it runs on.
struct NcclGroup {
  std::mutex mutex;
  std::condition_variable ready;
  int64_t worldSize = 0;
  std::vector<int> devices;
  int64_t joined = 0;
  std::vector<ncclComm_t> comms;
  std::string error;
};

std::mutex groupsMutex;
std::map<int64_t, std::unique_ptr<NcclGroup>> groups;

ncclComm_t Communicator(int64_t group, int64_t worldSize, int64_t rank) {
  NcclGroup* g;
  {
    std::lock_guard<std::mutex> lock(groupsMutex);
    auto& slot = groups[group];
    if (!slot) {
      slot = std::make_unique<NcclGroup>();
      slot->worldSize = worldSize;
      slot->devices.assign(worldSize, -1);
    }
    g = slot.get();
  }
  std::unique_lock<std::mutex> lock(g->mutex);
  if (g->worldSize != worldSize) NcclFail("the group's ranks disagree on world_size");
  if (!g->comms.empty()) return g->comms[rank];
  if (g->devices[rank] < 0) {
    CheckCuda(cudaGetDevice(&g->devices[rank]), "cudaGetDevice");
    if (++g->joined == worldSize) {
      // NVLink multicast off unless the user set it (as the runtime does before its own communicators): it can take a
      // shared host's GPUs out of service
      setenv("NCCL_NVLS_ENABLE", "0", 0);
      g->comms.resize(worldSize);
      ncclResult_t status = ncclCommInitAll(g->comms.data(), (int)worldSize, g->devices.data());
      if (status != ncclSuccess) g->error = std::string("ncclCommInitAll: ") + ncclGetErrorString(status);
      g->ready.notify_all();
    }
  }
  g->ready.wait(lock, [&] { return !g->comms.empty() || !g->error.empty(); });
  if (!g->error.empty()) NcclFail(g->error);
  return g->comms[rank];
}

int64_t HostValue(Ort::KernelContext& ctx, size_t index, const char* name) {
  auto value = ctx.GetInput(index);
  if (value.GetTensorTypeAndShapeInfo().GetElementCount() != 1) NcclFail(std::string(name) + " must be one int64 value");
  return *value.GetTensorData<int64_t>();
}

// Views x as [outer, extent, inner] around `axis`: part j is [outer, extent / parts, inner] at j · extent / parts.
struct Around {
  int64_t outer = 1, extent = 1, inner = 1;
  Around(const std::vector<int64_t>& shape, int64_t axis, size_t elementBytes) {
    for (int64_t a = 0; a < axis; a++) outer *= shape[a];
    extent = shape[axis];
    for (size_t a = axis + 1; a < shape.size(); a++) inner *= shape[a];
    inner *= (int64_t)elementBytes;
  }
};

struct NcclAllToAllKernel {
  int64_t worldSize, splitAxis, gatherAxis;
  size_t elementBytes;
  NcclAllToAllKernel(const OrtKernelInfo* info, size_t bytes)
      : worldSize(Ort::ConstKernelInfo(info).GetAttribute<int64_t>("world_size")),
        splitAxis(Ort::ConstKernelInfo(info).GetAttribute<int64_t>("split_axis")),
        gatherAxis(Ort::ConstKernelInfo(info).GetAttribute<int64_t>("gather_axis")),
        elementBytes(bytes) {}

  void Compute(OrtKernelContext* context) {
    Ort::KernelContext ctx(context);
    auto x = ctx.GetInput(0);
    std::vector<int64_t> shape = x.GetTensorTypeAndShapeInfo().GetShape();
    const int64_t axes = (int64_t)shape.size();
    if (splitAxis < 0 || splitAxis >= axes || gatherAxis < 0 || gatherAxis >= axes || splitAxis == gatherAxis)
      NcclFail("split_axis and gather_axis must be two different axes of x");
    if (shape[splitAxis] % worldSize != 0) NcclFail("x cannot be split world_size ways along split_axis");
    const int64_t group = HostValue(ctx, 1, "group"), rank = HostValue(ctx, 2, "rank");
    if (rank < 0 || rank >= worldSize) NcclFail("rank is outside world_size");
    std::vector<int64_t> outShape = shape;
    outShape[splitAxis] /= worldSize;
    outShape[gatherAxis] *= worldSize;
    char* out = static_cast<char*>(ctx.GetOutput(0, outShape).GetTensorMutableRawData());
    const char* in = static_cast<const char*>(x.GetTensorRawData());
    cudaStream_t stream = reinterpret_cast<cudaStream_t>(ctx.GetGPUComputeStream());
    int64_t total = elementBytes;
    for (int64_t d : shape) total *= d;
    const size_t part = (size_t)(total / worldSize);
    if (part == 0) return;

    Ort::ConstMemoryInfo where = x.GetTensorMemoryInfo();
    Ort::MemoryInfo device("Cuda", OrtDeviceAllocator, where.GetDeviceId(), OrtMemTypeDefault);
    Ort::Allocator allocator = ctx.GetAllocator(*device);
    char* send = static_cast<char*>(allocator.Alloc(2 * part * worldSize));
    char* recv = send + part * worldSize;
    try {
      // pack: part j of the split axis, contiguous
      Around s(shape, splitAxis, elementBytes);
      const size_t width = (size_t)(s.extent / worldSize * s.inner);
      for (int64_t j = 0; j < worldSize; j++)
        CheckCuda(cudaMemcpy2DAsync(send + j * part, width, in + j * width, (size_t)(s.extent * s.inner), width, (size_t)s.outer,
                                    cudaMemcpyDeviceToDevice, stream), "pack");
      ncclComm_t comm = Communicator(group, worldSize, rank);
      CheckNccl(ncclGroupStart(), "ncclGroupStart");
      for (int64_t j = 0; j < worldSize; j++) {
        CheckNccl(ncclSend(send + j * part, part, ncclChar, (int)j, comm, stream), "ncclSend");
        CheckNccl(ncclRecv(recv + j * part, part, ncclChar, (int)j, comm, stream), "ncclRecv");
      }
      CheckNccl(ncclGroupEnd(), "ncclGroupEnd");
      // unpack: rank j's part (x's shape with the split axis divided) goes to the j-th block of the gather axis
      std::vector<int64_t> partShape = shape;
      partShape[splitAxis] /= worldSize;
      Around g(partShape, gatherAxis, elementBytes);
      const size_t block = (size_t)(g.extent * g.inner);
      for (int64_t j = 0; j < worldSize; j++)
        CheckCuda(cudaMemcpy2DAsync(out + j * block, block * worldSize, recv + j * part, block, block, (size_t)g.outer,
                                    cudaMemcpyDeviceToDevice, stream), "unpack");
    } catch (...) {
      allocator.Free(send);
      throw;
    }
    // the arena hands the scratch out again only to work ordered after these copies on the same stream
    allocator.Free(send);
  }
};

template <typename T> struct NcclElement;
template <> struct NcclElement<float> { static constexpr ONNXTensorElementDataType value = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT; };
template <> struct NcclElement<Ort::Float16_t> { static constexpr ONNXTensorElementDataType value = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16; };
template <> struct NcclElement<Ort::BFloat16_t> { static constexpr ONNXTensorElementDataType value = ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16; };

template <typename T>
struct NcclAllToAllOp : Ort::CustomOpBase<NcclAllToAllOp<T>, NcclAllToAllKernel> {
  void* CreateKernel(const OrtApi&, const OrtKernelInfo* info) const { return new NcclAllToAllKernel(info, sizeof(T)); }
  const char* GetName() const { return "AllToAll"; }
  const char* GetExecutionProviderType() const { return "CUDAExecutionProvider"; }
  size_t GetInputTypeCount() const { return 3; }
  ONNXTensorElementDataType GetInputType(size_t i) const { return i == 0 ? NcclElement<T>::value : ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64; }
  // group and rank are read on the host
  OrtMemType GetInputMemoryType(size_t i) const { return i == 0 ? OrtMemTypeDefault : OrtMemTypeCPUInput; }
  size_t GetOutputTypeCount() const { return 1; }
  ONNXTensorElementDataType GetOutputType(size_t) const { return NcclElement<T>::value; }
};

}  // namespace

// Called by RegisterCustomOps (custom_ops.cc) in a FASTVIDEO_NCCL build.
void AddNcclCollectives(Ort::CustomOpDomain& domain) {
  static NcclAllToAllOp<float> f32;
  static NcclAllToAllOp<Ort::Float16_t> f16;
  static NcclAllToAllOp<Ort::BFloat16_t> bf16;
  domain.Add(&f32);
  domain.Add(&f16);
  domain.Add(&bf16);
}

}  // namespace fastvideo
#endif  // FASTVIDEO_WITH_NCCL
