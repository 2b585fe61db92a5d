// probe.cc: many TCP send/expect health checks at once, with no JavaScript object per
// connection and one call into JavaScript per batch of events.
//
// nanny at 10,000 real servers spends most of its user CPU in net.Socket machinery (a stream,
// a handle, timers, callbacks per connection). A Prober instead owns an epoll set, watched by
// one libuv poll handle on Node's loop, and drives each connection itself:
//
//   new Prober(onEvents)              onEvents(count) is called once per batch
//   start(slot, host, port, send, readMax) -> 0, or a positive errno when socket()/connect()
//                                        fails at once (the slot is then free again)
//   release(slot)                      closes the connection (if still open); the slot is free
//   close()                            releases everything and stops the poll handle
//   prober.events (Int32Array), prober.data (Uint8Array): the batch, rewritten before each call
//
// A connection goes connect -> write `send` -> read at most `readMax` bytes. Each step is
// reported as an event of four int32s: [slot, kind, a, b]:
//   CONNECTED (1)      the handshake completed
//   WRITTEN (2)        all of `send` is in the kernel (at once after CONNECTED when it is empty)
//   DATA (3)           a = offset into `data`, b = byte count (never more than readMax in all)
//   EOF (4)            the peer closed its side
//   ERROR (5)          a = errno; the connection is closed and the slot needs only release()
// Deciding what the bytes mean, and when the deadline has passed, is JavaScript's job
// (src/check/tcp.ts); it calls release() when the check has its verdict.
//
// Why these socket options (measured on loopback, bench/nanny-scale.ts):
//  - release() aborts with RST (a disconnect, or close() with SO_LINGER {1, 0}), so a check
//    leaves no TIME_WAIT socket behind (10,000 checks a second would overflow
//    tcp_max_tw_buckets) and costs fewer packets; the socket is kept for the next check.
//  - TCP_QUICKACK off before connect() when there is something to send: the handshake's last
//    ACK rides on the first data segment instead of going alone.

#include <napi.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

namespace {

constexpr int kMaxEvents = 1024;       // epoll events taken per batch
constexpr int kEventsPerConn = 4;      // at most CONNECTED, WRITTEN, DATA, then EOF or ERROR
constexpr int kMaxRead = 1024;         // the most bytes one connection may read in all
constexpr int kMaxSend = 65536;
constexpr size_t kMaxSpare = 1024;     // unconnected sockets kept per address family

enum Kind : int32_t { kConnected = 1, kWritten = 2, kData = 3, kEof = 4, kError = 5 };
enum Phase : uint8_t { kIdle, kConnecting, kWriting, kReading };

struct Conn {
  int fd = -1;
  int family = AF_INET;
  Phase phase = kIdle;
  uint32_t sent = 0;
  uint32_t got = 0;
  uint32_t readMax = 0;
  std::vector<uint8_t> send;
};

class Prober : public Napi::ObjectWrap<Prober> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Prober",
                       {InstanceMethod("start", &Prober::Start), InstanceMethod("release", &Prober::Release),
                        InstanceMethod("close", &Prober::Close)});
  }

  explicit Prober(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Prober>(info), env_(info.Env()) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) {
      Napi::TypeError::New(env, "Prober needs an onEvents function").ThrowAsJavaScriptException();
      return;
    }
    callback_ = Napi::Persistent(info[0].As<Napi::Function>());
    context_ = new Napi::AsyncContext(env, "lvs-director:Prober");
    Napi::ArrayBuffer events = Napi::ArrayBuffer::New(env, sizeof(int32_t) * 4 * kMaxEvents * kEventsPerConn);
    Napi::ArrayBuffer data = Napi::ArrayBuffer::New(env, static_cast<size_t>(kMaxEvents) * kMaxRead);
    events_ = static_cast<int32_t*>(events.Data());
    data_ = static_cast<uint8_t*>(data.Data());
    info.This().As<Napi::Object>().Set("events", Napi::Int32Array::New(env, 4 * kMaxEvents * kEventsPerConn, events, 0));
    info.This().As<Napi::Object>().Set("data", Napi::Uint8Array::New(env, static_cast<size_t>(kMaxEvents) * kMaxRead, data, 0));
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) {
      Napi::Error::New(env, std::string("epoll_create1: ") + strerror(errno)).ThrowAsJavaScriptException();
      return;
    }
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    poll_->data = this;
    uv_poll_init(loop, poll_, epfd_);
    uv_poll_start(poll_, UV_READABLE, OnReadable);
    uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    napi_add_env_cleanup_hook(env, OnEnvExit, this);
    hooked_ = true;
  }

  ~Prober() override {
    if (hooked_) napi_remove_env_cleanup_hook(env_, OnEnvExit, this);
    Shutdown(this);
  }

 private:
  static void OnEnvExit(void* arg) {
    auto* p = static_cast<Prober*>(arg);
    p->hooked_ = false;
    Shutdown(p);
  }

  static void Shutdown(Prober* p) {
    for (Conn& c : p->conns_) p->Drop(c);
    for (std::vector<int>& list : p->spare_) {
      for (int fd : list) close(fd);
      list.clear();
    }
    if (p->poll_ != nullptr) {
      uv_poll_stop(p->poll_);
      uv_close(reinterpret_cast<uv_handle_t*>(p->poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
      p->poll_ = nullptr;
    }
    if (p->epfd_ >= 0) close(p->epfd_);
    p->epfd_ = -1;
    delete p->context_;
    p->context_ = nullptr;
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsString() || !info[2].IsNumber() || !info[4].IsNumber()) {
      Napi::TypeError::New(env, "start(slot, host, port, send, readMax)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (epfd_ < 0) return Napi::Number::New(env, EBADF);
    int64_t slot = info[0].As<Napi::Number>().Int64Value();
    int64_t port = info[2].As<Napi::Number>().Int64Value();
    int64_t readMax = info[4].As<Napi::Number>().Int64Value();
    if (slot < 0 || slot > 1 << 24 || port < 1 || port > 65535 || readMax < 0 || readMax > kMaxRead) {
      Napi::RangeError::New(env, "start: slot, port or readMax out of range").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (static_cast<size_t>(slot) >= conns_.size()) conns_.resize(static_cast<size_t>(slot) + 1);
    Conn& c = conns_[static_cast<size_t>(slot)];
    if (c.phase != kIdle) {
      Napi::Error::New(env, "start: slot is in use").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    c.send.clear();
    if (info[3].IsTypedArray()) {
      Napi::Uint8Array send = info[3].As<Napi::Uint8Array>();
      if (send.ByteLength() > static_cast<size_t>(kMaxSend)) {
        Napi::RangeError::New(env, "start: send is longer than 64 KiB").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      c.send.assign(send.Data(), send.Data() + send.ByteLength());
    }

    std::string host = info[1].As<Napi::String>().Utf8Value();
    sockaddr_storage to;
    memset(&to, 0, sizeof to);
    socklen_t toLen;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&to);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&to);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(static_cast<uint16_t>(port));
      toLen = sizeof *v4;
    } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(static_cast<uint16_t>(port));
      toLen = sizeof *v6;
    } else {
      Napi::TypeError::New(env, "start: host is not an IP address").ThrowAsJavaScriptException();
      return env.Undefined();
    }

    int family = to.ss_family;
    int fd = TakeSocket(family);
    if (fd < 0) return Napi::Number::New(env, -fd);
    int zero = 0;
    // Set for each connection: a disconnect resets it.
    if (!c.send.empty()) setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
    if (connect(fd, reinterpret_cast<sockaddr*>(&to), toLen) < 0 && errno != EINPROGRESS) {
      int err = errno;
      close(fd);
      return Napi::Number::New(env, err);
    }
    epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = static_cast<uint64_t>(slot);
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
      int err = errno;
      close(fd);
      return Napi::Number::New(env, err);
    }
    c.fd = fd;
    c.family = family;
    c.phase = kConnecting;
    c.sent = 0;
    c.got = 0;
    c.readMax = static_cast<uint32_t>(readMax);
    if (open_++ == 0) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
    return Napi::Number::New(env, 0);
  }

  Napi::Value Release(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) {
      Napi::TypeError::New(env, "release(slot)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    int64_t slot = info[0].As<Napi::Number>().Int64Value();
    if (slot >= 0 && static_cast<size_t>(slot) < conns_.size()) Drop(conns_[static_cast<size_t>(slot)]);
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Shutdown(this);
    return info.Env().Undefined();
  }

  // TakeSocket returns a spare socket of the family, or a new one; -errno when none can be made.
  int TakeSocket(int family) {
    std::vector<int>& list = spare_[family == AF_INET6 ? 1 : 0];
    if (!list.empty()) {
      int fd = list.back();
      list.pop_back();
      return fd;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    linger abort = {1, 0};
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    return fd;
  }

  // Recycle ends the connection on fd and keeps the socket for another check of its family.
  // connect() to AF_UNSPEC aborts the connection with RST, as close() with SO_LINGER 0 would,
  // and leaves an unconnected socket; making and freeing a socket per check instead cost about
  // a third of the kernel's time per check (bench/nanny-scale.ts). Beyond kMaxSpare, or if the
  // disconnect fails, the socket is closed.
  void Recycle(int fd, int family) {
    epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
    std::vector<int>& list = spare_[family == AF_INET6 ? 1 : 0];
    sockaddr unspec;
    memset(&unspec, 0, sizeof unspec);
    unspec.sa_family = AF_UNSPEC;
    if (epfd_ >= 0 && list.size() < kMaxSpare && connect(fd, &unspec, sizeof unspec) == 0) {
      // The abort leaves ECONNRESET pending on the socket; reading SO_ERROR clears it.
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      list.push_back(fd);
    } else {
      close(fd);
    }
  }

  // Drop ends a connection (with RST) and frees its slot.
  void Drop(Conn& c) {
    if (c.phase == kIdle) return;
    if (c.fd >= 0) Recycle(c.fd, c.family);
    c.fd = -1;
    c.phase = kIdle;
    c.send.clear();
    c.send.shrink_to_fit();
    if (--open_ == 0 && poll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  }

  // Fail reports an error and lets the socket go; the slot stays taken until release().
  void Fail(int32_t slot, Conn& c, int err) {
    Emit(slot, kError, err, 0);
    if (c.fd >= 0) Recycle(c.fd, c.family);
    c.fd = -1;
  }

  void Emit(int32_t slot, int32_t kind, int32_t a, int32_t b) {
    int32_t* e = events_ + 4 * count_++;
    e[0] = slot;
    e[1] = kind;
    e[2] = a;
    e[3] = b;
  }

  static void OnReadable(uv_poll_t* handle, int status, int) {
    if (status < 0) return;
    static_cast<Prober*>(handle->data)->Pump();
  }

  void Pump() {
    epoll_event ready[kMaxEvents];
    int n = epoll_wait(epfd_, ready, kMaxEvents, 0);
    if (n <= 0) return;
    count_ = 0;
    used_ = 0;
    for (int i = 0; i < n; i++) {
      auto slot = static_cast<int32_t>(ready[i].data.u64);
      if (static_cast<size_t>(slot) >= conns_.size()) continue;
      Step(slot, conns_[static_cast<size_t>(slot)], ready[i].events);
    }
    if (count_ == 0) return;
    Napi::HandleScope scope(env_);
    callback_.MakeCallback(Value(), {Napi::Number::New(env_, count_)}, *context_);
    // A throw in onEvents is the process's uncaught exception, as from any other callback.
    if (env_.IsExceptionPending()) napi_fatal_exception(env_, env_.GetAndClearPendingException().Value());
  }

  // Step advances one connection as far as its socket allows (edge-triggered: until EAGAIN).
  void Step(int32_t slot, Conn& c, uint32_t events) {
    if (c.fd < 0) return;
    if (c.phase == kConnecting) {
      if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
      int err = 0;
      socklen_t len = sizeof err;
      if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
      if (err == 0 && (events & EPOLLOUT) == 0) err = ECONNRESET;
      if (err != 0) return Fail(slot, c, err);
      Emit(slot, kConnected, 0, 0);
      c.phase = kWriting;
    }
    if (c.phase == kWriting) {
      while (c.sent < c.send.size()) {
        ssize_t w = ::send(c.fd, c.send.data() + c.sent, c.send.size() - c.sent, MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN) return;
          return Fail(slot, c, errno);
        }
        c.sent += static_cast<uint32_t>(w);
      }
      Emit(slot, kWritten, 0, 0);
      c.phase = kReading;
      c.send.clear();
      c.send.shrink_to_fit();
    }
    if (c.phase != kReading || c.readMax == 0) return;
    int32_t from = used_;
    bool eof = false;
    int err = 0;
    while (c.got < c.readMax) {
      ssize_t r = recv(c.fd, data_ + used_, c.readMax - c.got, 0);
      if (r > 0) {
        used_ += static_cast<int32_t>(r);
        c.got += static_cast<uint32_t>(r);
      } else if (r == 0) {
        eof = true;
        break;
      } else if (errno != EINTR) {
        if (errno != EAGAIN) err = errno;
        break;
      }
    }
    if (used_ > from) Emit(slot, kData, from, used_ - from);
    if (err != 0) return Fail(slot, c, err);
    if (eof) Emit(slot, kEof, 0, 0);
  }

  Napi::Env env_;
  Napi::FunctionReference callback_;
  Napi::AsyncContext* context_ = nullptr;
  int32_t* events_ = nullptr;
  uint8_t* data_ = nullptr;
  int32_t count_ = 0;
  int32_t used_ = 0;
  int epfd_ = -1;
  uv_poll_t* poll_ = nullptr;
  int open_ = 0;
  bool hooked_ = false;
  std::vector<Conn> conns_;
  std::vector<int> spare_[2];  // unconnected sockets for reuse: [0] IPv4, [1] IPv6
};

}  // namespace

// InitProbe adds the Prober class to the addon's exports (called from packet.cc's Init).
void InitProbe(Napi::Env env, Napi::Object exports) { exports.Set("Prober", Prober::Define(env)); }
