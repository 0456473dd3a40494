#include "rendezvous.h"

#include <condition_variable>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace fastvideo {

struct Exchange::State {
  std::mutex mutex;
  std::condition_variable changed;
  int64_t worldSize = 0;
  uint64_t round = 0;       // completed calls
  int64_t arrived = 0;      // ranks that published their input in this round
  int64_t departed = 0;     // ranks done reading in this round
  bool reading = false;     // every rank has arrived: buffers are readable
  std::vector<Contribution> slots;
  std::vector<bool> filled;
  std::string aborted;      // set once: the group is unusable from then on
};

namespace {

std::mutex registryMutex;
// Groups are never removed: a group id is a process-wide name (the runtime draws a new one per denoiser), and one
// State is a few hundred bytes.
std::map<int64_t, std::unique_ptr<Exchange::State>>& Registry() {
  static std::map<int64_t, std::unique_ptr<Exchange::State>> groups;
  return groups;
}

Exchange::State& GroupState(int64_t group, int64_t worldSize) {
  std::lock_guard<std::mutex> lock(registryMutex);
  auto& slot = Registry()[group];
  if (!slot) {
    slot = std::make_unique<Exchange::State>();
    slot->worldSize = worldSize;
    slot->slots.resize(worldSize);
    slot->filled.assign(worldSize, false);
  } else if (slot->worldSize != worldSize) {
    std::ostringstream m;
    m << "group " << group << " has world size " << slot->worldSize << ", but this call says " << worldSize;
    throw std::runtime_error(m.str());
  }
  return *slot;
}

[[noreturn]] void Fail(Exchange::State& s, std::unique_lock<std::mutex>&, int64_t group, int64_t rank, const char* waitingFor) {
  if (s.aborted.empty()) {
    std::ostringstream m;
    m << "rank " << rank << " of group " << group << " waited " << RendezvousTimeout().count() / 1000 << " s for the other ranks to "
      << waitingFor << " (a rank is missing or failed)";
    s.aborted = m.str();
    s.changed.notify_all();
  }
  throw std::runtime_error(s.aborted);
}

}  // namespace

std::chrono::milliseconds RendezvousTimeout() {
  // FASTVIDEO_COLLECTIVE_TIMEOUT_S overrides the default of 10 minutes (a first call may compile or allocate for long).
  static const std::chrono::milliseconds timeout = [] {
    const char* text = std::getenv("FASTVIDEO_COLLECTIVE_TIMEOUT_S");
    double seconds = text ? std::atof(text) : 0;
    return std::chrono::milliseconds(seconds > 0 ? (int64_t)(seconds * 1000) : 600000);
  }();
  return timeout;
}

Exchange::Exchange(int64_t group, int64_t worldSize, int64_t rank, Contribution mine) : rank_(rank) {
  if (worldSize < 1) throw std::runtime_error("world size must be at least 1");
  if (rank < 0 || rank >= worldSize) {
    std::ostringstream m;
    m << "rank " << rank << " is outside the group's world size " << worldSize;
    throw std::runtime_error(m.str());
  }
  state_ = &GroupState(group, worldSize);
  State& s = *state_;
  auto deadline = std::chrono::steady_clock::now() + RendezvousTimeout();
  std::unique_lock<std::mutex> lock(s.mutex);
  if (!s.aborted.empty()) throw std::runtime_error(s.aborted);
  // a rank that starts its next call early waits for the previous round to end
  if (!s.changed.wait_until(lock, deadline, [&] { return !s.reading || !s.aborted.empty(); })) Fail(s, lock, group, rank, "finish the previous call");
  if (!s.aborted.empty()) throw std::runtime_error(s.aborted);
  if (s.filled[rank]) {
    std::ostringstream m;
    m << "rank " << rank << " of group " << group << " joined a call twice (two sessions run as the same rank)";
    s.aborted = m.str();
    s.changed.notify_all();
    throw std::runtime_error(s.aborted);
  }
  round_ = s.round;
  s.slots[rank] = std::move(mine);
  s.filled[rank] = true;
  if (++s.arrived == s.worldSize) {
    s.reading = true;
    s.changed.notify_all();
  } else if (!s.changed.wait_until(lock, deadline, [&] { return (s.reading && s.round == round_) || !s.aborted.empty(); })) {
    Fail(s, lock, group, rank, "join");
  }
  if (!s.aborted.empty()) throw std::runtime_error(s.aborted);
  contributions_ = s.slots;
}

Exchange::~Exchange() {
  State& s = *state_;
  auto deadline = std::chrono::steady_clock::now() + RendezvousTimeout();
  std::unique_lock<std::mutex> lock(s.mutex);
  if (++s.departed == s.worldSize) {
    s.arrived = s.departed = 0;
    s.filled.assign(s.worldSize, false);
    s.reading = false;
    ++s.round;
    s.changed.notify_all();
    return;
  }
  // this rank's buffer must outlive every other rank's reads (an aborted group releases everyone)
  s.changed.wait_until(lock, deadline, [&] { return s.round != round_ || !s.aborted.empty(); });
}

void AbortGroup(int64_t group, const std::string& reason) {
  Exchange::State* s = nullptr;
  {
    std::lock_guard<std::mutex> lock(registryMutex);
    auto it = Registry().find(group);
    if (it == Registry().end()) return;
    s = it->second.get();
  }
  std::lock_guard<std::mutex> lock(s->mutex);
  if (s->aborted.empty()) s->aborted = "group " + std::to_string(group) + " was aborted: " + reason;
  s->changed.notify_all();
}

}  // namespace fastvideo
