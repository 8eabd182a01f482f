// SPDX-License-Identifier: BSD-3-Clause
// mmapFile(path): the file mapped copy-on-write (MAP_PRIVATE, read/write) as an external
// ArrayBuffer, unmapped when the buffer is collected. torch.load(path, { mmap: true }) views
// tensors into it, so pages are read from the page cache only when touched and writes to the
// tensors never reach the file.
#include <napi.h>

#include <string>

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#endif

namespace tt {

namespace {

Napi::Value MmapFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "mmapFile(path: string)");
#if defined(_WIN32)
  throw Napi::Error::New(env, "mmapFile is not supported on Windows");
#else
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Napi::Error::New(env, "mmapFile: cannot open " + path + ": " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    throw Napi::Error::New(env, "mmapFile: cannot stat " + path + ": " + std::strerror(e));
  }
  size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    close(fd);
    return Napi::ArrayBuffer::New(env, 0);
  }
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  int e = errno;
  close(fd);
  if (p == MAP_FAILED) throw Napi::Error::New(env, "mmapFile: cannot map " + path + ": " + std::strerror(e));
  return Napi::ArrayBuffer::New(env, p, size, [](Napi::Env, void* data, size_t* len) {
    munmap(data, *len);
    delete len;
  }, new size_t(size));
#endif
}

}  // namespace

void registerMmap(Napi::Env env, Napi::Object exports) {
  exports.Set("mmapFile", Napi::Function::New(env, MmapFile, "mmapFile"));
}

}  // namespace tt
