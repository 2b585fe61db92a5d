// packet.cc: what lvs-director needs that Node cannot do by itself. The third thing, many TCP
// health checks without a net.Socket each, is probe.cc's Prober, exported from here too.
//
//  1. Send whole Ethernet frames (gratuitous ARP, unsolicited neighbour advertisements) on a
//     named interface through a send-only AF_PACKET socket:
//       open()                    -> fd
//       send(fd, ifname, frame)   -> bytes sent
//       close(fd)
//  2. Tie an existing socket (a dgram UDP socket) to one interface with SO_BINDTODEVICE:
//       bindToDevice(fd, ifname)  ('' unbinds)
//       boundDevice(fd)           -> ifname, or '' when not bound
//
// Every call is synchronous and does one or two system calls. A failure throws an Error whose
// message is strerror(errno) and which carries `errno` (positive), `code` (the errno name, such
// as 'ENODEV') and `syscall` (such as 'sendto'). Argument mistakes throw a TypeError.
// Framing, addresses and everything else live in TypeScript (src/arp, src/native/packet.ts).

#include <napi.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

// ErrnoName returns the symbolic name of an errno value ('ENODEV'), or 'E<n>' when the C
// library cannot name it (glibc has strerrorname_np since 2.32).
std::string ErrnoName(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char* name = strerrorname_np(err);
  if (name != nullptr) return name;
#endif
  char buf[16];
  snprintf(buf, sizeof buf, "E%d", err);
  return buf;
}

// ThrowErrno throws a JS Error for a failed system call; the caller returns right after.
void ThrowErrno(Napi::Env env, const char* syscall, int err) {
  char buf[256];
  // GNU strerror_r returns a pointer to the text (not always into buf).
  const char* text = strerror_r(err, buf, sizeof buf);
  Napi::Error e = Napi::Error::New(env, text);
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("code", Napi::String::New(env, ErrnoName(err)));
  e.Set("syscall", Napi::String::New(env, syscall));
  e.ThrowAsJavaScriptException();
}

void ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
}

// ArgFd reads a non-negative integer file descriptor, or throws and returns -1.
int ArgFd(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    ThrowType(info.Env(), "fd must be a number");
    return -1;
  }
  int32_t fd = info[i].As<Napi::Number>().Int32Value();
  if (fd < 0) {
    ThrowType(info.Env(), "fd must not be negative");
    return -1;
  }
  return fd;
}

// ArgIfname reads an interface name that fits IFNAMSIZ (with its NUL), or throws and returns
// false. An empty name is accepted only when allowEmpty is set. A name the kernel could not
// hold fails with ENODEV, reported as coming from `syscall`, as the kernel would report it.
bool ArgIfname(const Napi::CallbackInfo& info, size_t i, bool allowEmpty, const char* syscall, std::string* out) {
  if (info.Length() <= i || !info[i].IsString()) {
    ThrowType(info.Env(), "interface name must be a string");
    return false;
  }
  *out = info[i].As<Napi::String>().Utf8Value();
  if (out->size() >= IFNAMSIZ || out->find('\0') != std::string::npos || (!allowEmpty && out->empty())) {
    ThrowErrno(info.Env(), syscall, ENODEV);
    return false;
  }
  return true;
}

// Open makes a send-only packet socket. Protocol 0 means the kernel delivers no incoming
// frames to it, so nothing queues up on a socket that is never read; the protocol of each
// frame is given per sendto instead. Needs CAP_NET_RAW.
Napi::Value Open(const Napi::CallbackInfo& info) {
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ThrowErrno(info.Env(), "socket", errno);
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), fd);
}

// Send transmits one complete Ethernet frame (header included) on the named interface. The
// destination MAC (frame bytes 0-5) and the EtherType (bytes 12-13, already in network order)
// go into the sockaddr_ll as the kernel expects for SOCK_RAW packet sockets.
Napi::Value Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  if (fd < 0) return env.Undefined();
  std::string ifname;
  if (!ArgIfname(info, 1, false, "if_nametoindex", &ifname)) return env.Undefined();
  if (info.Length() <= 2 || !info[2].IsTypedArray() ||
      info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowType(env, "frame must be a Uint8Array");
    return env.Undefined();
  }
  Napi::Uint8Array frame = info[2].As<Napi::Uint8Array>();
  if (frame.ByteLength() < ETH_HLEN) {
    ThrowType(env, "frame is shorter than an Ethernet header (14 bytes)");
    return env.Undefined();
  }
  const uint8_t* bytes = frame.Data();

  unsigned int ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) {
    ThrowErrno(env, "if_nametoindex", errno);
    return env.Undefined();
  }

  struct sockaddr_ll to;
  memset(&to, 0, sizeof to);
  to.sll_family = AF_PACKET;
  memcpy(&to.sll_protocol, bytes + 12, 2);
  to.sll_ifindex = static_cast<int>(ifindex);
  to.sll_halen = ETH_ALEN;
  memcpy(to.sll_addr, bytes, ETH_ALEN);

  ssize_t n = sendto(fd, bytes, frame.ByteLength(), 0, reinterpret_cast<struct sockaddr*>(&to), sizeof to);
  if (n < 0) {
    ThrowErrno(env, "sendto", errno);
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

// Close closes a descriptor made by Open.
Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  if (fd < 0) return info.Env().Undefined();
  if (close(fd) < 0) ThrowErrno(info.Env(), "close", errno);
  return info.Env().Undefined();
}

// BindToDevice sets SO_BINDTODEVICE on any socket (for UDP heartbeats on one interface); an
// empty name removes the binding. Linux allows this after bind().
Napi::Value BindToDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  if (fd < 0) return env.Undefined();
  std::string ifname;
  if (!ArgIfname(info, 1, true, "setsockopt", &ifname)) return env.Undefined();
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), static_cast<socklen_t>(ifname.size())) < 0)
    ThrowErrno(env, "setsockopt", errno);
  return env.Undefined();
}

// BoundDevice reads SO_BINDTODEVICE back: the interface name, or '' when the socket is not bound.
Napi::Value BoundDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  if (fd < 0) return env.Undefined();
  char name[IFNAMSIZ];
  memset(name, 0, sizeof name);
  socklen_t len = sizeof name;
  if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, &len) < 0) {
    ThrowErrno(env, "getsockopt", errno);
    return env.Undefined();
  }
  return Napi::String::New(env, name, strnlen(name, len));
}

}  // namespace

void InitProbe(Napi::Env env, Napi::Object exports);

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("send", Napi::Function::New(env, Send, "send"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("bindToDevice", Napi::Function::New(env, BindToDevice, "bindToDevice"));
  exports.Set("boundDevice", Napi::Function::New(env, BoundDevice, "boundDevice"));
  InitProbe(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(packet, Init)
