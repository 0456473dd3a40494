// ONNX Runtime custom operators (domain com.fastvideo) over the fused kernels, for the CUDA execution provider.
// Loaded with SessionOptions.RegisterCustomOpLibrary; the exported "model.fused.onnx" graphs use them.
#define ORT_API_MANUAL_INIT
#include <onnxruntime_cxx_api.h>
#undef ORT_API_MANUAL_INIT

#include <initializer_list>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "fused_kernels.h"
#include "linear.h"
#include "channel_rms_norm.h"
#include "vsa.h"

namespace fastvideo {
namespace {

constexpr const char* kDomain = "com.fastvideo";
constexpr const char* kProvider = "CUDAExecutionProvider";

template <typename T> struct OnnxType;
template <> struct OnnxType<float> { static constexpr ONNXTensorElementDataType value = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT; static constexpr ElemType elem = ElemType::Float32; };
template <> struct OnnxType<Ort::Float16_t> { static constexpr ONNXTensorElementDataType value = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16; static constexpr ElemType elem = ElemType::Float16; };
template <> struct OnnxType<Ort::BFloat16_t> { static constexpr ONNXTensorElementDataType value = ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16; static constexpr ElemType elem = ElemType::BFloat16; };

[[noreturn]] void Fail(const std::string& op, const std::string& problem) {
  throw Ort::Exception(std::string("com.fastvideo.") + op + ": " + problem, ORT_INVALID_ARGUMENT);
}

void Check(cudaError_t status, const char* op) {
  if (status != cudaSuccess) Fail(op, std::string("CUDA launch failed: ") + cudaGetErrorString(status));
}

// An input of the node, or null when an optional input is absent.
struct Input {
  const OrtValue* value = nullptr;
  std::vector<int64_t> shape;
  int64_t count = 0;
  const void* data = nullptr;
};

Input GetInput(OrtKernelContext* context, size_t index) {
  const OrtApi& api = Ort::GetApi();
  Input in;
  size_t n = 0;
  Ort::ThrowOnError(api.KernelContext_GetInputCount(context, &n));
  if (index >= n) return in;
  Ort::ThrowOnError(api.KernelContext_GetInput(context, index, &in.value));
  if (!in.value) return in;
  Ort::ConstValue value{in.value};
  auto info = value.GetTensorTypeAndShapeInfo();
  in.shape = info.GetShape();
  in.count = (int64_t)info.GetElementCount();
  in.data = value.GetTensorRawData();
  return in;
}

void* Output(OrtKernelContext* context, const std::vector<int64_t>& shape) {
  Ort::KernelContext ctx(context);
  return ctx.GetOutput(0, shape).GetTensorMutableRawData();
}

cudaStream_t Stream(OrtKernelContext* context) {
  return reinterpret_cast<cudaStream_t>(Ort::KernelContext(context).GetGPUComputeStream());
}

// Rows of the last axis and how many rows each batch entry holds ([B, S, D] -> rows B*S, S per batch).
void Rows(const Input& x, const char* op, int64_t& d, int64_t& rows, int64_t& rowsPerBatch) {
  if (x.shape.size() < 2) Fail(op, "input must have at least 2 dimensions");
  d = x.shape.back();
  if (d <= 0) Fail(op, "empty last dimension");
  rows = x.count / d;
  rowsPerBatch = x.shape.size() >= 3 ? x.shape[x.shape.size() - 2] : rows;
}

// A float32 modulation tensor (scale, shift or gate) of a node over rows of D: [D] (the same for every row), B*D values
// (one vector per batch entry) or rows*D values (one per row: per-token modulation, as Wan2.2 TI2V's per-token
// timesteps give). span is how many consecutive rows one vector covers: rowsPerBatch, 1, or 0 for [D] (fits any).
struct Modulation {
  const float* data = nullptr;
  int64_t stride = 0;
  int64_t span = 0;
};

Modulation ModulationOf(const Input& t, int64_t d, int64_t rows, int64_t rowsPerBatch, const char* op, const char* name) {
  Modulation m;
  if (!t.value) return m;
  m.data = static_cast<const float*>(t.data);
  const int64_t batch = rows / rowsPerBatch;
  if (t.count == d) return m;
  m.stride = d;
  if (t.count == batch * d) m.span = rowsPerBatch;
  else if (t.count == rows * d) m.span = 1;
  else {
    std::ostringstream msg;
    msg << name << " has " << t.count << " values, expected " << d << ", " << batch * d << " (one per batch entry) or " << rows * d
        << " (one per row)";
    Fail(op, msg.str());
  }
  return m;
}

// The rows per modulation vector that every modulation input of a node shares: the kernels index them all by
// row / span, so one node cannot mix per-batch and per-row vectors.
int64_t SharedSpan(const char* op, int64_t rowsPerBatch, std::initializer_list<Modulation> inputs) {
  int64_t span = 0;
  for (const Modulation& m : inputs) {
    if (m.span == 0) continue;
    if (span != 0 && span != m.span) Fail(op, "modulation inputs mix per-batch and per-row vectors");
    span = m.span;
  }
  return span != 0 ? span : rowsPerBatch;
}

const void* PerChannel(const Input& t, int64_t d, const char* op, const char* name) {
  if (!t.value) return nullptr;
  if (t.count != d) Fail(op, std::string(name) + " must have one value per channel");
  return t.data;
}

// ---- kernels ----

template <typename T>
struct FusedLayerNormKernel {
  float eps;
  explicit FusedLayerNormKernel(const OrtKernelInfo* info) : eps(Ort::ConstKernelInfo(info).GetAttribute<float>("epsilon")) {}

  void Compute(OrtKernelContext* context) {
    const char* op = "FusedLayerNorm";
    Input x = GetInput(context, 0);
    int64_t d, rows, rowsPerBatch;
    Rows(x, op, d, rows, rowsPerBatch);
    const float* gamma = static_cast<const float*>(PerChannel(GetInput(context, 1), d, op, "weight"));
    const float* beta = static_cast<const float*>(PerChannel(GetInput(context, 2), d, op, "bias"));
    const Modulation scale = ModulationOf(GetInput(context, 3), d, rows, rowsPerBatch, op, "scale");
    const Modulation shift = ModulationOf(GetInput(context, 4), d, rows, rowsPerBatch, op, "shift");
    if (scale.data && shift.data && scale.stride != shift.stride) Fail(op, "scale and shift must have the same shape");
    const int64_t span = SharedSpan(op, rowsPerBatch, {scale, shift});
    void* y = Output(context, x.shape);
    if (rows == 0) return;
    Check(LaunchFusedLayerNorm(OnnxType<T>::elem, x.data, gamma, beta, scale.data, shift.data, scale.data ? scale.stride : shift.stride, y, rows,
                               span, d, eps, Stream(context)), op);
  }
};

template <typename T>
struct ResidualLayerNormKernel {
  float eps;
  explicit ResidualLayerNormKernel(const OrtKernelInfo* info) : eps(Ort::ConstKernelInfo(info).GetAttribute<float>("epsilon")) {}

  void Compute(OrtKernelContext* context) {
    const char* op = "ResidualLayerNorm";
    Input x = GetInput(context, 0), y = GetInput(context, 1);
    if (x.shape != y.shape) Fail(op, "x and y must have the same shape");
    int64_t d, rows, rowsPerBatch;
    Rows(x, op, d, rows, rowsPerBatch);
    const void* bias = PerChannel(GetInput(context, 2), d, op, "bias");
    const Modulation gate = ModulationOf(GetInput(context, 3), d, rows, rowsPerBatch, op, "gate");
    const float* gamma = static_cast<const float*>(PerChannel(GetInput(context, 4), d, op, "weight"));
    const float* beta = static_cast<const float*>(PerChannel(GetInput(context, 5), d, op, "norm bias"));
    const Modulation scale = ModulationOf(GetInput(context, 6), d, rows, rowsPerBatch, op, "scale");
    const Modulation shift = ModulationOf(GetInput(context, 7), d, rows, rowsPerBatch, op, "shift");
    if (scale.data && shift.data && scale.stride != shift.stride) Fail(op, "scale and shift must have the same shape");
    const int64_t span = SharedSpan(op, rowsPerBatch, {gate, scale, shift});
    Ort::KernelContext ctx(context);
    void* h = ctx.GetOutput(0, x.shape).GetTensorMutableRawData();
    void* n = ctx.GetOutput(1, x.shape).GetTensorMutableRawData();
    if (rows == 0) return;
    Check(LaunchResidualLayerNorm(OnnxType<T>::elem, x.data, y.data, bias, gate.data, gate.stride, gamma, beta, scale.data, shift.data,
                                  scale.data ? scale.stride : shift.stride, h, n, rows, span, d, eps, Stream(context)), op);
  }
};

template <typename T>
struct GatedResidualKernel {
  explicit GatedResidualKernel(const OrtKernelInfo*) {}

  void Compute(OrtKernelContext* context) {
    const char* op = "GatedResidual";
    Input x = GetInput(context, 0), y = GetInput(context, 1);
    if (x.shape != y.shape) Fail(op, "x and y must have the same shape");
    int64_t d, rows, rowsPerBatch;
    Rows(x, op, d, rows, rowsPerBatch);
    const void* bias = PerChannel(GetInput(context, 2), d, op, "bias");
    const Modulation gate = ModulationOf(GetInput(context, 3), d, rows, rowsPerBatch, op, "gate");
    const int64_t span = SharedSpan(op, rowsPerBatch, {gate});
    void* z = Output(context, x.shape);
    if (x.count == 0) return;
    Check(LaunchGatedResidual(OnnxType<T>::elem, x.data, y.data, bias, gate.data, gate.stride, z, x.count, d, span * d, Stream(context)), op);
  }
};

template <typename T>
struct RmsNormRotaryKernel {
  float eps;
  int64_t heads;
  explicit RmsNormRotaryKernel(const OrtKernelInfo* info)
      : eps(Ort::ConstKernelInfo(info).GetAttribute<float>("epsilon")), heads(Ort::ConstKernelInfo(info).GetAttribute<int64_t>("num_heads")) {}

  void Compute(OrtKernelContext* context) {
    const char* op = "RmsNormRotary";
    Input x = GetInput(context, 0);
    int64_t d, rows, rowsPerBatch;
    Rows(x, op, d, rows, rowsPerBatch);
    if (heads <= 0 || d % heads != 0) Fail(op, "num_heads must divide the last dimension");
    const int64_t headDim = d / heads;
    const void* bias = PerChannel(GetInput(context, 1), d, op, "bias");
    const void* weight = PerChannel(GetInput(context, 2), d, op, "weight");
    if (!weight) Fail(op, "weight is required");
    Input cos = GetInput(context, 3), sin = GetInput(context, 4);
    if ((cos.value == nullptr) != (sin.value == nullptr)) Fail(op, "cos and sin come together");
    if (cos.value) {
      if (headDim % 2 != 0) Fail(op, "rotary embedding needs an even head size");
      if (cos.count != rowsPerBatch * headDim / 2 || sin.count != cos.count) Fail(op, "cos/sin must be [sequence, head_size / 2]");
    }
    void* y = Output(context, x.shape);
    if (rows == 0) return;
    Check(LaunchRmsNormRotary(OnnxType<T>::elem, x.data, bias, weight, static_cast<const float*>(cos.data), static_cast<const float*>(sin.data), y,
                              rows, rowsPerBatch, d, headDim, eps, Stream(context)), op);
  }
};

template <typename T>
struct LinearKernel {
  Activation activation;
  explicit LinearKernel(const OrtKernelInfo* info) {
    std::string name = Ort::ConstKernelInfo(info).GetAttribute<std::string>("activation");
    if (name == "none") activation = Activation::None;
    else if (name == "gelu_tanh") activation = Activation::GeluTanh;
    else Fail("Linear", "unknown activation '" + name + "' (none, gelu_tanh)");
  }

  void Compute(OrtKernelContext* context) {
    const char* op = "Linear";
    Input x = GetInput(context, 0), w = GetInput(context, 1);
    if (x.shape.empty() || w.shape.size() != 2) Fail(op, "x must have a last axis and weight must be [in, out]");
    const int64_t k = x.shape.back(), n = w.shape[1];
    if (w.shape[0] != k) Fail(op, "weight rows must equal the input's last dimension");
    const void* bias = PerChannel(GetInput(context, 2), n, op, "bias");
    std::vector<int64_t> shape = x.shape;
    shape.back() = n;
    void* y = Output(context, shape);
    const int64_t m = k == 0 ? 0 : x.count / k;
    if (m == 0 || n == 0) return;
    const char* failure = "CUDA error";
    cudaError_t status = LaunchLinear(OnnxType<T>::elem, x.data, w.data, bias, y, m, k, n, activation, Stream(context), &failure);
    if (status != cudaSuccess) Fail(op, std::string(failure) + " (" + cudaGetErrorString(status) + ")");
  }
};

// Wan VAE's channel RMS norm (+ SiLU): x [B, C, *spatial] (ChannelRmsNorm) or [B, *spatial, C] (ChannelsLastRmsNorm),
// gamma float32 with C values ([C] or the checkpoint's [C, 1, 1(, 1)]); attributes scale, epsilon (float) and silu
// (int, 0 or 1).
template <typename T, bool ChannelsLast>
struct ChannelRmsNormKernel {
  float scale, eps;
  bool silu;
  explicit ChannelRmsNormKernel(const OrtKernelInfo* info)
      : scale(Ort::ConstKernelInfo(info).GetAttribute<float>("scale")),
        eps(Ort::ConstKernelInfo(info).GetAttribute<float>("epsilon")),
        silu(Ort::ConstKernelInfo(info).GetAttribute<int64_t>("silu") != 0) {}

  void Compute(OrtKernelContext* context) {
    const char* op = ChannelsLast ? "ChannelsLastRmsNorm" : "ChannelRmsNorm";
    Input x = GetInput(context, 0);
    if (x.shape.size() < 2) Fail(op, ChannelsLast ? "input must be [batch, ..., channels]" : "input must be [batch, channels, ...]");
    const int64_t batch = x.shape[0], channels = ChannelsLast ? x.shape.back() : x.shape[1];
    Input gamma = GetInput(context, 1);
    if (!gamma.value || gamma.count != channels) Fail(op, "gamma must have one value per channel");
    void* y = Output(context, x.shape);
    if (x.count == 0) return;
    const float* g = static_cast<const float*>(gamma.data);
    if constexpr (ChannelsLast) {
      Check(LaunchChannelsLastRmsNorm(OnnxType<T>::elem, x.data, g, y, x.count / channels, channels, scale, eps, silu, Stream(context)), op);
    } else {
      const int64_t positions = x.count / (batch * channels);
      Check(LaunchChannelRmsNorm(OnnxType<T>::elem, x.data, g, y, batch, channels, positions, scale, eps, silu, Stream(context)), op);
    }
  }
};

// FastVideo's Video Sparse Attention: q, k, v, gate [B, S, heads * head_dim] (float16 or bfloat16, S = frames * height
// * width in token order), frames/height/width int64 [1] read on the host (they size the launch), sparsity float32 [1]
// read on the device (the top-k count is computed there); attribute num_heads. The kernels' scratch (tile means,
// coarse output, selection) comes from ONNX Runtime's allocator for the input's device and is released after the
// launches: the arena hands it out again only to work ordered after them on the same compute stream.
template <typename T>
struct VideoSparseAttentionKernel {
  int64_t heads;
  explicit VideoSparseAttentionKernel(const OrtKernelInfo* info) : heads(Ort::ConstKernelInfo(info).GetAttribute<int64_t>("num_heads")) {}

  static int64_t GridDim(OrtKernelContext* context, size_t index, const char* name) {
    Input in = GetInput(context, index);
    if (!in.value || in.count != 1) Fail("VideoSparseAttention", std::string(name) + " must be one int64 value");
    return *static_cast<const int64_t*>(in.data);
  }

  void Compute(OrtKernelContext* context) {
    const char* op = "VideoSparseAttention";
    if constexpr (std::is_same_v<T, float>) {
      Fail(op, "float32 inputs are not supported (float16, bfloat16)");
    } else {
      Input q = GetInput(context, 0), k = GetInput(context, 1), v = GetInput(context, 2), gate = GetInput(context, 3);
      if (q.shape.size() != 3) Fail(op, "q must be [batch, tokens, heads * head_dim]");
      if (k.shape != q.shape || v.shape != q.shape || gate.shape != q.shape) Fail(op, "q, k, v and gate must have the same shape");
      if (heads <= 0 || q.shape[2] % heads != 0) Fail(op, "num_heads must divide the last dimension");
      VsaShape shape{q.shape[0], GridDim(context, 4, "frames"), GridDim(context, 5, "height"), GridDim(context, 6, "width"), heads, q.shape[2] / heads};
      if (shape.frames > 0 && shape.height > 0 && shape.width > 0 && shape.Tokens() != q.shape[1]) {
        std::ostringstream m;
        m << "frames * height * width = " << shape.Tokens() << " but q has " << q.shape[1] << " tokens";
        Fail(op, m.str());
      }
      Input sparsity = GetInput(context, 7);
      if (!sparsity.value || sparsity.count != 1) Fail(op, "sparsity must be one float32 value");
      void* out = Output(context, q.shape);
      if (q.count == 0) return;
      if (const char* problem = VsaUnsupported(shape)) Fail(op, problem);
      Ort::KernelContext ctx(context);
      Ort::ConstMemoryInfo where = Ort::ConstValue{q.value}.GetTensorMemoryInfo();
      Ort::MemoryInfo device("Cuda", OrtDeviceAllocator, where.GetDeviceId(), OrtMemTypeDefault);
      Ort::Allocator allocator = ctx.GetAllocator(*device);
      void* scratch = allocator.Alloc(VsaScratchBytes(shape));
      cudaError_t status = LaunchVideoSparseAttention(OnnxType<T>::elem, q.data, k.data, v.data, gate.data, static_cast<const float*>(sparsity.data),
                                                      out, shape, scratch, Stream(context));
      allocator.Free(scratch);
      Check(status, op);
    }
  }
};

// ---- operator definitions ----

// One definition per element type T of the main input; float32 side inputs are fixed.
template <typename TOp, typename TKernel, typename T>
struct OpBase : Ort::CustomOpBase<TOp, TKernel> {
  void* CreateKernel(const OrtApi&, const OrtKernelInfo* info) const { return new TKernel(info); }
  const char* GetExecutionProviderType() const { return kProvider; }
  size_t GetOutputTypeCount() const { return 1; }
  ONNXTensorElementDataType GetOutputType(size_t) const { return OnnxType<T>::value; }
};

template <typename T>
struct FusedLayerNormOp : OpBase<FusedLayerNormOp<T>, FusedLayerNormKernel<T>, T> {
  const char* GetName() const { return "FusedLayerNorm"; }
  size_t GetInputTypeCount() const { return 5; }
  ONNXTensorElementDataType GetInputType(size_t i) const { return i == 0 ? OnnxType<T>::value : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT; }
  OrtCustomOpInputOutputCharacteristic GetInputCharacteristic(size_t i) const {
    return i == 0 ? OrtCustomOpInputOutputCharacteristic::INPUT_OUTPUT_REQUIRED : OrtCustomOpInputOutputCharacteristic::INPUT_OUTPUT_OPTIONAL;
  }
};

template <typename T>
struct GatedResidualOp : OpBase<GatedResidualOp<T>, GatedResidualKernel<T>, T> {
  const char* GetName() const { return "GatedResidual"; }
  size_t GetInputTypeCount() const { return 4; }
  ONNXTensorElementDataType GetInputType(size_t i) const { return i == 3 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT : OnnxType<T>::value; }
  OrtCustomOpInputOutputCharacteristic GetInputCharacteristic(size_t i) const {
    return i < 2 ? OrtCustomOpInputOutputCharacteristic::INPUT_OUTPUT_REQUIRED : OrtCustomOpInputOutputCharacteristic::INPUT_OUTPUT_OPTIONAL;
  }
};

template <typename T>
struct ResidualLayerNormOp : OpBase<ResidualLayerNormOp<T>, ResidualLayerNormKernel<T>, T> {
  const char* GetName() const { return "ResidualLayerNorm"; }
  size_t GetInputTypeCount() const { return 8; }
  ONNXTensorElementDataType GetInputType(size_t i) const { return i < 3 ? OnnxType<T>::value : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT; }
  OrtCustomOpInputOutputCharacteristic GetInputCharacteristic(size_t i) const {
    return i < 2 ? OrtCustomOpInputOutputCharacteristic::INPUT_OUTPUT_REQUIRED : OrtCustomOpInputOutputCharacteristic::INPUT_OUTPUT_OPTIONAL;
  }
  size_t GetOutputTypeCount() const { return 2; }
};

template <typename T>
struct RmsNormRotaryOp : OpBase<RmsNormRotaryOp<T>, RmsNormRotaryKernel<T>, T> {
  const char* GetName() const { return "RmsNormRotary"; }
  size_t GetInputTypeCount() const { return 5; }
  ONNXTensorElementDataType GetInputType(size_t i) const { return i >= 3 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT : OnnxType<T>::value; }
  OrtCustomOpInputOutputCharacteristic GetInputCharacteristic(size_t i) const {
    return i == 0 || i == 2 ? OrtCustomOpInputOutputCharacteristic::INPUT_OUTPUT_REQUIRED : OrtCustomOpInputOutputCharacteristic::INPUT_OUTPUT_OPTIONAL;
  }
};

template <typename T>
struct LinearOp : OpBase<LinearOp<T>, LinearKernel<T>, T> {
  const char* GetName() const { return "Linear"; }
  size_t GetInputTypeCount() const { return 3; }
  ONNXTensorElementDataType GetInputType(size_t) const { return OnnxType<T>::value; }
  OrtCustomOpInputOutputCharacteristic GetInputCharacteristic(size_t i) const {
    return i < 2 ? OrtCustomOpInputOutputCharacteristic::INPUT_OUTPUT_REQUIRED : OrtCustomOpInputOutputCharacteristic::INPUT_OUTPUT_OPTIONAL;
  }
};

template <typename T, bool ChannelsLast>
struct ChannelRmsNormOp : OpBase<ChannelRmsNormOp<T, ChannelsLast>, ChannelRmsNormKernel<T, ChannelsLast>, T> {
  const char* GetName() const { return ChannelsLast ? "ChannelsLastRmsNorm" : "ChannelRmsNorm"; }
  size_t GetInputTypeCount() const { return 2; }
  ONNXTensorElementDataType GetInputType(size_t i) const { return i == 0 ? OnnxType<T>::value : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT; }
};

template <typename T>
struct VideoSparseAttentionOp : OpBase<VideoSparseAttentionOp<T>, VideoSparseAttentionKernel<T>, T> {
  const char* GetName() const { return "VideoSparseAttention"; }
  size_t GetInputTypeCount() const { return 8; }
  ONNXTensorElementDataType GetInputType(size_t i) const {
    return i < 4 ? OnnxType<T>::value : i < 7 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
  }
  // the grid sizes the launch, so it is read on the host; sparsity stays on the device
  OrtMemType GetInputMemoryType(size_t i) const { return i >= 4 && i < 7 ? OrtMemTypeCPUInput : OrtMemTypeDefault; }
};

template <typename T>
struct OpSet {
  FusedLayerNormOp<T> layerNorm;
  GatedResidualOp<T> residual;
  ResidualLayerNormOp<T> residualNorm;
  RmsNormRotaryOp<T> rmsRotary;
  LinearOp<T> linear;
  ChannelRmsNormOp<T, false> channelRmsNorm;
  ChannelRmsNormOp<T, true> channelsLastRmsNorm;
  VideoSparseAttentionOp<T> videoSparseAttention;

  void AddTo(Ort::CustomOpDomain& domain) {
    domain.Add(&linear);
    domain.Add(&layerNorm);
    domain.Add(&residual);
    domain.Add(&residualNorm);
    domain.Add(&rmsRotary);
    domain.Add(&channelRmsNorm);
    domain.Add(&channelsLastRmsNorm);
    domain.Add(&videoSparseAttention);
  }
};

}  // namespace

#ifdef FASTVIDEO_WITH_NCCL
void AddNcclCollectives(Ort::CustomOpDomain& domain);  // all_to_all_nccl.cc
#endif
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
#ifdef FASTVIDEO_WITH_NCCL
      fastvideo::AddNcclCollectives(*domain);
#endif
    });
    Ort::UnownedSessionOptions(options).Add(*domain);
  } catch (const Ort::Exception& e) {
    return Ort::GetApi().CreateStatus(e.GetOrtErrorCode(), e.what());
  } catch (const std::exception& e) {
    return Ort::GetApi().CreateStatus(ORT_FAIL, e.what());
  }
  return nullptr;
}

}  // extern "C"
