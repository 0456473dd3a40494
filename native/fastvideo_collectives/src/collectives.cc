// ONNX Runtime custom operators (domain com.fastvideo) for sequence-parallel graphs on the CPU execution provider:
// the ranks of a group are sessions of one process, each run on its own thread, meeting in a Rendezvous.
// Loaded with SessionOptions.RegisterCustomOpLibrary; the exported "model.sp<N>.onnx" graphs use it.
#define ORT_API_MANUAL_INIT
#include <onnxruntime_cxx_api.h>
#undef ORT_API_MANUAL_INIT

#include <cstring>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "rendezvous.h"

namespace fastvideo {
namespace {

constexpr const char* kDomain = "com.fastvideo";

[[noreturn]] void Fail(const std::string& op, const std::string& problem) {
  throw Ort::Exception(std::string("com.fastvideo.") + op + ": " + problem, ORT_INVALID_ARGUMENT);
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::ostringstream m;
  m << "[";
  for (size_t i = 0; i < shape.size(); i++) m << (i ? ", " : "") << shape[i];
  m << "]";
  return m.str();
}

int64_t HostScalar(Ort::KernelContext& ctx, size_t index, const char* op, const char* name) {
  auto value = ctx.GetInput(index);
  if (value.GetTensorTypeAndShapeInfo().GetElementCount() != 1) Fail(op, std::string(name) + " must be one int64 value");
  return *value.GetTensorData<int64_t>();
}

// Copies this rank's share of every rank's input into its output. Output dims are the input's with the split axis
// divided and the gather axis multiplied by the world size; output index o reads rank o[g] / I[g] at
// (o[g] % I[g] on the gather axis, rank·O[s] + o[s] on the split axis). Below the later of the two axes the layouts
// agree, so the copy moves contiguous runs.
void CopyShares(const std::vector<Contribution>& inputs, const std::vector<int64_t>& in, int64_t split, int64_t gather, int64_t rank,
                size_t elementBytes, char* output) {
  const int64_t world = (int64_t)inputs.size(), rankAxes = (int64_t)in.size();
  std::vector<int64_t> out = in;
  out[split] /= world;
  out[gather] *= world;
  const int64_t last = split > gather ? split : gather;
  int64_t inner = 1;
  for (int64_t a = last + 1; a < rankAxes; a++) inner *= in[a];
  // input strides in elements
  std::vector<int64_t> stride(rankAxes, 1);
  for (int64_t a = rankAxes - 2; a >= 0; a--) stride[a] = stride[a + 1] * in[a + 1];
  // the run along the last axis: the split axis' share, or one rank's whole gather extent
  const int64_t run = (last == split ? out[split] : in[gather]) * inner;
  const int64_t chunks = last == gather ? world : 1;
  std::vector<int64_t> index(last, 0);  // odometer over the output axes before `last`
  int64_t outer = 1;
  for (int64_t a = 0; a < last; a++) outer *= out[a];
  char* dst = output;
  for (int64_t n = 0; n < outer; n++) {
    for (int64_t c = 0; c < chunks; c++) {
      int64_t source = last == gather ? c : index[gather] / in[gather];
      int64_t offset = 0;
      for (int64_t a = 0; a < last; a++) {
        int64_t i = index[a];
        if (a == gather) i %= in[gather];
        else if (a == split) i += rank * out[split];
        offset += i * stride[a];
      }
      if (last == split) offset += rank * out[split] * stride[split];
      std::memcpy(dst, static_cast<const char*>(inputs[source].data) + offset * elementBytes, run * elementBytes);
      dst += run * elementBytes;
    }
    for (int64_t a = last - 1; a >= 0; a--) {
      if (++index[a] < out[a]) break;
      index[a] = 0;
    }
  }
}

// Ulysses' all-to-all: x (every rank the same shape) is cut into world_size parts along split_axis; rank r receives
// part r of every rank, concatenated in rank order along gather_axis. Inputs: x, group and rank (int64 [1] each,
// read on the host: the runtime binds them per session). Attributes: world_size, split_axis, gather_axis.
template <typename T>
struct AllToAllKernel {
  int64_t worldSize, splitAxis, gatherAxis;
  explicit AllToAllKernel(const OrtKernelInfo* info)
      : worldSize(Ort::ConstKernelInfo(info).GetAttribute<int64_t>("world_size")),
        splitAxis(Ort::ConstKernelInfo(info).GetAttribute<int64_t>("split_axis")),
        gatherAxis(Ort::ConstKernelInfo(info).GetAttribute<int64_t>("gather_axis")) {}

  void Compute(OrtKernelContext* context) {
    const char* op = "AllToAll";
    Ort::KernelContext ctx(context);
    auto x = ctx.GetInput(0);
    auto info = x.GetTensorTypeAndShapeInfo();
    std::vector<int64_t> shape = info.GetShape();
    const int64_t rankAxes = (int64_t)shape.size();
    if (worldSize < 1) Fail(op, "world_size must be at least 1");
    if (splitAxis < 0 || splitAxis >= rankAxes || gatherAxis < 0 || gatherAxis >= rankAxes || splitAxis == gatherAxis)
      Fail(op, "split_axis and gather_axis must be two different axes of x " + ShapeText(shape));
    if (shape[splitAxis] % worldSize != 0) {
      std::ostringstream m;
      m << "x " << ShapeText(shape) << " cannot be split " << worldSize << " ways along axis " << splitAxis;
      Fail(op, m.str());
    }
    const int64_t group = HostScalar(ctx, 1, op, "group"), rank = HostScalar(ctx, 2, op, "rank");
    std::vector<int64_t> outShape = shape;
    outShape[splitAxis] /= worldSize;
    outShape[gatherAxis] *= worldSize;
    char* out = static_cast<char*>(ctx.GetOutput(0, outShape).GetTensorMutableRawData());
    try {
      Exchange exchange(group, worldSize, rank, Contribution{x.GetTensorRawData(), shape, (int)info.GetElementType()});
      const auto& all = exchange.Contributions();
      for (int64_t r = 0; r < worldSize; r++)
        if (all[r].shape != shape || all[r].elementType != (int)info.GetElementType()) {
          std::ostringstream m;
          m << "rank " << r << " has x " << ShapeText(all[r].shape) << " but rank " << rank << " has " << ShapeText(shape)
            << " (every rank's input must have the same shape and type)";
          Fail(op, m.str());
        }
      CopyShares(all, shape, splitAxis, gatherAxis, rank, sizeof(T), out);
    } catch (const Ort::Exception&) {
      throw;
    } catch (const std::exception& e) {
      Fail(op, e.what());
    }
  }
};

// ---- operator definitions ----

template <typename T> struct OnnxType;
template <> struct OnnxType<float> { static constexpr ONNXTensorElementDataType value = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT; };
template <> struct OnnxType<Ort::Float16_t> { static constexpr ONNXTensorElementDataType value = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16; };
template <> struct OnnxType<Ort::BFloat16_t> { static constexpr ONNXTensorElementDataType value = ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16; };

// One definition per element type T of x; the CPU provider runs it (GetExecutionProviderType's default).
template <typename TOp, typename TKernel, typename T>
struct OpBase : Ort::CustomOpBase<TOp, TKernel> {
  void* CreateKernel(const OrtApi&, const OrtKernelInfo* info) const { return new TKernel(info); }
  size_t GetOutputTypeCount() const { return 1; }
  ONNXTensorElementDataType GetOutputType(size_t) const { return OnnxType<T>::value; }
};

template <typename T>
struct AllToAllOp : OpBase<AllToAllOp<T>, AllToAllKernel<T>, T> {
  const char* GetName() const { return "AllToAll"; }
  size_t GetInputTypeCount() const { return 3; }
  ONNXTensorElementDataType GetInputType(size_t i) const { return i == 0 ? OnnxType<T>::value : ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64; }
};

template <typename T>
struct OpSet {
  AllToAllOp<T> allToAll;

  void AddTo(Ort::CustomOpDomain& domain) {
    domain.Add(&allToAll);
  }
};

}  // namespace
}  // namespace fastvideo

extern "C" {

// Entry point ONNX Runtime calls for SessionOptions.RegisterCustomOpLibrary.
ORT_EXPORT OrtStatus* ORT_API_CALL RegisterCustomOps(OrtSessionOptions* options, const OrtApiBase* api) {
  Ort::InitApi(api->GetApi(ORT_API_VERSION));
  static fastvideo::OpSet<float> f32;
  static fastvideo::OpSet<Ort::Float16_t> f16;
  static fastvideo::OpSet<Ort::BFloat16_t> bf16;
  static Ort::CustomOpDomain* domain = nullptr;
  static std::once_flag once;
  try {
    std::call_once(once, [] {
      domain = new Ort::CustomOpDomain(fastvideo::kDomain);
      f32.AddTo(*domain);
      f16.AddTo(*domain);
      bf16.AddTo(*domain);
    });
    Ort::UnownedSessionOptions(options).Add(*domain);
  } catch (const Ort::Exception& e) {
    return Ort::GetApi().CreateStatus(e.GetOrtErrorCode(), e.what());
  } catch (const std::exception& e) {
    return Ort::GetApi().CreateStatus(ORT_FAIL, e.what());
  }
  return nullptr;
}

// Fails the waiting and later calls of a group: the runtime calls it when one rank's run fails, so the others stop
// waiting for it instead of timing out.
ORT_EXPORT void ORT_API_CALL FastVideoCollectivesAbort(int64_t group, const char* reason) {
  fastvideo::AbortGroup(group, reason ? reason : "a rank failed");
}

}  // extern "C"
