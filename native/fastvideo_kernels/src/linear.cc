// The DiT's linear layers as cuBLASLt matmuls: bias and GELU run in the epilogue instead of separate passes over the
// output. On the first call of each shape the best few algorithms of cuBLASLt's heuristic are timed on the real operands
// and the fastest is kept (the heuristic's first choice is not always the fastest for these tall-skinny products).
// Descriptors and the chosen algorithm are cached per shape; handles and workspaces per device.
#include "linear.h"

#include <cublasLt.h>

#include <map>
#include <mutex>
#include <tuple>

namespace fastvideo {
namespace {

constexpr size_t kWorkspaceBytes = 32u << 20;
constexpr int kCandidates = 8;
constexpr int kTimedRuns = 3;

struct Device {
  cublasLtHandle_t handle = nullptr;
  void* workspace = nullptr;
};

struct Plan {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
};

std::mutex g_mutex;
std::map<int, Device> g_devices;
std::map<std::tuple<int, int, int64_t, int64_t, int64_t, int, bool>, Plan> g_plans;

cudaDataType_t DataType(ElemType t) {
  switch (t) {
    case ElemType::Float16: return CUDA_R_16F;
    case ElemType::BFloat16: return CUDA_R_16BF;
    default: return CUDA_R_32F;
  }
}

#define LT(call, what)                                   \
  do {                                                   \
    if ((call) != CUBLAS_STATUS_SUCCESS) {               \
      *failure = what;                                   \
      return cudaErrorUnknown;                           \
    }                                                    \
  } while (0)

}  // namespace

cudaError_t LaunchLinear(ElemType type, const void* x, const void* w, const void* bias, void* y, int64_t m, int64_t k, int64_t n,
                         Activation activation, cudaStream_t stream, const char** failure) {
  int device = 0;
  cudaError_t status = cudaGetDevice(&device);
  if (status != cudaSuccess) return status;
  std::lock_guard<std::mutex> lock(g_mutex);
  Device& dev = g_devices[device];
  if (!dev.handle) {
    LT(cublasLtCreate(&dev.handle), "cublasLtCreate failed");
    status = cudaMalloc(&dev.workspace, kWorkspaceBytes);
    if (status != cudaSuccess) return status;
  }

  // cuBLASLt is column-major: a row-major [M, N] result is the column-major [N, M] product W^T(col) · X^T(col), where
  // the row-major W [K, N] reads as a column-major N x K matrix and X [M, K] as a column-major K x M matrix.
  auto key = std::make_tuple(device, (int)type, m, k, n, (int)activation, bias != nullptr);
  auto found = g_plans.find(key);
  if (found == g_plans.end()) {
    Plan plan;
    const cudaDataType_t dt = DataType(type);
    LT(cublasLtMatmulDescCreate(&plan.op, CUBLAS_COMPUTE_32F, CUDA_R_32F), "matmul descriptor");
    cublasOperation_t none = CUBLAS_OP_N;
    LT(cublasLtMatmulDescSetAttribute(plan.op, CUBLASLT_MATMUL_DESC_TRANSA, &none, sizeof(none)), "transa");
    LT(cublasLtMatmulDescSetAttribute(plan.op, CUBLASLT_MATMUL_DESC_TRANSB, &none, sizeof(none)), "transb");
    cublasLtEpilogue_t epilogue = activation == Activation::GeluTanh ? (bias ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_GELU)
                                                                     : (bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT);
    LT(cublasLtMatmulDescSetAttribute(plan.op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof(epilogue)), "epilogue");
    if (bias) LT(cublasLtMatmulDescSetAttribute(plan.op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &dt, sizeof(dt)), "bias type");
    LT(cublasLtMatrixLayoutCreate(&plan.a, dt, n, k, n), "layout W");
    LT(cublasLtMatrixLayoutCreate(&plan.b, dt, k, m, k), "layout x");
    LT(cublasLtMatrixLayoutCreate(&plan.c, dt, n, m, n), "layout y");
    cublasLtMatmulPreference_t preference = nullptr;
    LT(cublasLtMatmulPreferenceCreate(&preference), "preference");
    size_t workspace = kWorkspaceBytes;
    LT(cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof(workspace)),
       "workspace preference");
    cublasLtMatmulHeuristicResult_t results[kCandidates] = {};
    int count = 0;
    if (cublasLtMatmulAlgoGetHeuristic(dev.handle, plan.op, plan.a, plan.b, plan.c, plan.c, preference, kCandidates, results, &count) !=
            CUBLAS_STATUS_SUCCESS || count == 0) {
      cublasLtMatmulPreferenceDestroy(preference);
      *failure = "cuBLASLt found no algorithm for this matmul";
      return cudaErrorNotSupported;
    }
    cublasLtMatmulPreferenceDestroy(preference);
    if (bias) LT(cublasLtMatmulDescSetAttribute(plan.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)), "bias pointer");
    // Time the candidates on these operands (the output is overwritten by the real call below).
    cudaEvent_t start = nullptr, stop = nullptr;
    status = cudaEventCreate(&start);
    if (status == cudaSuccess) status = cudaEventCreate(&stop);
    if (status != cudaSuccess) return status;
    const float one = 1.f, zero = 0.f;
    float best = 1e30f;
    plan.algo = results[0].algo;
    for (int i = 0; i < count; i++) {
      if (results[i].state != CUBLAS_STATUS_SUCCESS) continue;
      bool ok = cublasLtMatmul(dev.handle, plan.op, &one, w, plan.a, x, plan.b, &zero, y, plan.c, y, plan.c, &results[i].algo,
                               dev.workspace, kWorkspaceBytes, stream) == CUBLAS_STATUS_SUCCESS;  // warm-up
      cudaEventRecord(start, stream);
      for (int r = 0; ok && r < kTimedRuns; r++)
        ok = cublasLtMatmul(dev.handle, plan.op, &one, w, plan.a, x, plan.b, &zero, y, plan.c, y, plan.c, &results[i].algo,
                            dev.workspace, kWorkspaceBytes, stream) == CUBLAS_STATUS_SUCCESS;
      cudaEventRecord(stop, stream);
      float ms = 0.f;
      if (ok && cudaEventSynchronize(stop) == cudaSuccess && cudaEventElapsedTime(&ms, start, stop) == cudaSuccess && ms < best) {
        best = ms;
        plan.algo = results[i].algo;
      }
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    cudaGetLastError();  // a candidate that failed to launch must not fail the real call
    found = g_plans.emplace(key, plan).first;
  }
  Plan& plan = found->second;
  if (bias) LT(cublasLtMatmulDescSetAttribute(plan.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)), "bias pointer");
  const float alpha = 1.f, beta = 0.f;
  LT(cublasLtMatmul(dev.handle, plan.op, &alpha, w, plan.a, x, plan.b, &beta, y, plan.c, y, plan.c, &plan.algo, dev.workspace,
                    kWorkspaceBytes, stream),
     "cublasLtMatmul failed");
  return cudaGetLastError();
}

}  // namespace fastvideo
