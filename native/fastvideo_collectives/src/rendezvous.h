// The meeting point of the ranks of one group inside a process: each rank's session calls a collective on its own
// thread; the ranks publish their input buffers, wait until all have, read what they need from the others' buffers,
// and wait again until every rank has finished reading (so no input buffer is released while another rank copies).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace fastvideo {

// One rank's input to a collective call: its buffer, shape and element type (ONNX's enum value).
struct Contribution {
  const void* data = nullptr;
  std::vector<int64_t> shape;
  int elementType = 0;
};

// A collective call in progress on one rank: the other ranks' contributions are readable until it is destroyed, which
// waits for every rank to be done with this rank's buffer.
class Exchange {
 public:
  Exchange(int64_t group, int64_t worldSize, int64_t rank, Contribution mine);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  const std::vector<Contribution>& Contributions() const { return contributions_; }

  struct State;  // one per group (rendezvous.cc)

 private:
  State* state_;
  int64_t rank_;
  uint64_t round_;
  std::vector<Contribution> contributions_;
};

// Fails every waiting and later call of the group with "reason" (a rank failed: the others would otherwise wait for it).
void AbortGroup(int64_t group, const std::string& reason);

// How long a rank waits for the others before the call fails.
std::chrono::milliseconds RendezvousTimeout();

}  // namespace fastvideo
